//! IAM: users with their keys, passwords, MFA, groups and policies; groups;
//! roles with trust policies; customer-managed policies; the credential report.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_iam::types::ReportStateType;
use cloudcase_inventory::{AccessKey, Group, LoginProfile, Policy, Role, Snapshot, User};
use serde_json::Value;

use super::{time, Errors};
use crate::client::Aws;

/// How often to ask whether the credential report is ready.
const REPORT_POLLS: u32 = 10;

/// Fills `snapshot.iam`.
pub(super) fn collect(aws: &Aws, snapshot: &mut Snapshot) {
    let client = aws.iam();
    let mut errors = Errors {
        errors: &mut snapshot.errors,
        region: None,
    };
    // Fields are evaluated in the order written: the calls run users, groups, roles,
    // policies, then the credential report.
    let inv = aws.block_on(async {
        cloudcase_inventory::IamInventory {
            users: users(&client, &mut errors).await,
            groups: groups(&client, &mut errors).await,
            roles: roles(&client, &mut errors).await,
            policies: policies(&client, &mut errors).await,
            credential_report: credential_report(&client, &mut errors).await,
        }
    });
    snapshot.iam = Some(inv);
}

/// Every user, with everything attached to it.
async fn users(client: &aws_sdk_iam::Client, errors: &mut Errors<'_>) -> Vec<User> {
    let users = client
        .list_users()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let mut out = Vec::new();
    for u in errors.take("ListUsers", users).unwrap_or_default() {
        out.push(user(client, errors, u).await);
    }
    out
}

/// Every group, with its attached and inline policies.
async fn groups(client: &aws_sdk_iam::Client, errors: &mut Errors<'_>) -> Vec<Group> {
    let groups = client
        .list_groups()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let mut out = Vec::new();
    for g in errors.take("ListGroups", groups).unwrap_or_default() {
        out.push(group(client, errors, g).await);
    }
    out
}

/// One group and its policies.
async fn group(
    client: &aws_sdk_iam::Client,
    errors: &mut Errors<'_>,
    g: aws_sdk_iam::types::Group,
) -> Group {
    let name = g.group_name().to_owned();
    let attached = client
        .list_attached_group_policies()
        .group_name(&name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let attached = errors
        .take("ListAttachedGroupPolicies", attached)
        .unwrap_or_default();
    let names = client
        .list_group_policies()
        .group_name(&name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let mut inline = BTreeMap::new();
    for p in errors.take("ListGroupPolicies", names).unwrap_or_default() {
        let doc = client
            .get_group_policy()
            .group_name(&name)
            .policy_name(&p)
            .send()
            .await;
        if let Some(d) = errors.take("GetGroupPolicy", doc) {
            inline.insert(p, document(d.policy_document()));
        }
    }
    Group {
        arn: g.arn().to_owned(),
        created: time(Some(g.create_date())),
        attached_policies: attached
            .iter()
            .filter_map(|a| a.policy_arn().map(str::to_owned))
            .collect(),
        inline_policies: inline,
        name,
    }
}

/// Every role, with its trust policy and its attached and inline policies.
async fn roles(client: &aws_sdk_iam::Client, errors: &mut Errors<'_>) -> Vec<Role> {
    let roles = client
        .list_roles()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let mut out = Vec::new();
    for r in errors.take("ListRoles", roles).unwrap_or_default() {
        out.push(role(client, errors, r).await);
    }
    out
}

/// One role and its policies.
async fn role(
    client: &aws_sdk_iam::Client,
    errors: &mut Errors<'_>,
    r: aws_sdk_iam::types::Role,
) -> Role {
    let name = r.role_name().to_owned();
    let attached = client
        .list_attached_role_policies()
        .role_name(&name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let attached = errors
        .take("ListAttachedRolePolicies", attached)
        .unwrap_or_default();
    let names = client
        .list_role_policies()
        .role_name(&name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let mut inline = BTreeMap::new();
    for p in errors.take("ListRolePolicies", names).unwrap_or_default() {
        let doc = client
            .get_role_policy()
            .role_name(&name)
            .policy_name(&p)
            .send()
            .await;
        if let Some(d) = errors.take("GetRolePolicy", doc) {
            inline.insert(p, document(d.policy_document()));
        }
    }
    Role {
        arn: r.arn().to_owned(),
        created: time(Some(r.create_date())),
        trust_policy: r.assume_role_policy_document().map(document),
        attached_policies: attached
            .iter()
            .filter_map(|a| a.policy_arn().map(str::to_owned))
            .collect(),
        inline_policies: inline,
        name,
    }
}

/// Customer-managed policies, each with its default version's document.
async fn policies(client: &aws_sdk_iam::Client, errors: &mut Errors<'_>) -> Vec<Policy> {
    let policies = client
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let mut out = Vec::new();
    for p in errors.take("ListPolicies", policies).unwrap_or_default() {
        let (Some(arn), Some(version)) = (p.arn(), p.default_version_id()) else {
            continue;
        };
        let v = client
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await;
        let doc = errors
            .take("GetPolicyVersion", v)
            .and_then(|v| v.policy_version)
            .and_then(|v| v.document)
            .map(|d| document(&d));
        out.push(Policy {
            arn: arn.to_owned(),
            name: p.policy_name().unwrap_or_default().to_owned(),
            default_version_document: doc,
        });
    }
    out
}

/// One user and everything attached to it.
async fn user(
    client: &aws_sdk_iam::Client,
    errors: &mut Errors<'_>,
    u: aws_sdk_iam::types::User,
) -> User {
    let name = u.user_name().to_owned();
    let keys = client
        .list_access_keys()
        .user_name(&name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let mut access_keys = Vec::new();
    for k in errors.take("ListAccessKeys", keys).unwrap_or_default() {
        let Some(id) = k.access_key_id() else {
            continue;
        };
        let used = client
            .get_access_key_last_used()
            .access_key_id(id)
            .send()
            .await;
        let used = errors
            .take("GetAccessKeyLastUsed", used)
            .and_then(|o| o.access_key_last_used);
        access_keys.push(AccessKey {
            id: id.to_owned(),
            status: k.status().map(|s| s.as_str().to_owned()),
            created: time(k.create_date()),
            last_used: used.as_ref().and_then(|u| time(u.last_used_date())),
            last_used_service: used.as_ref().map(|u| u.service_name().to_owned()),
            last_used_region: used.as_ref().map(|u| u.region().to_owned()),
        });
    }
    let login_profile = match client.get_login_profile().user_name(&name).send().await {
        Ok(o) => o.login_profile.map(|p| LoginProfile {
            created: time(Some(p.create_date())),
        }),
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_no_such_entity_exception()) =>
        {
            None
        }
        Err(e) => {
            errors.take::<(), _>("GetLoginProfile", Err(e));
            None
        }
    };
    let mfa = client
        .list_mfa_devices()
        .user_name(&name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let groups = client
        .list_groups_for_user()
        .user_name(&name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let attached = client
        .list_attached_user_policies()
        .user_name(&name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let names = client
        .list_user_policies()
        .user_name(&name)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await;
    let mut inline = BTreeMap::new();
    for p in errors.take("ListUserPolicies", names).unwrap_or_default() {
        let doc = client
            .get_user_policy()
            .user_name(&name)
            .policy_name(&p)
            .send()
            .await;
        if let Some(d) = errors.take("GetUserPolicy", doc) {
            inline.insert(p, document(d.policy_document()));
        }
    }
    User {
        arn: u.arn().to_owned(),
        created: time(Some(u.create_date())),
        access_keys,
        login_profile,
        mfa_devices: errors
            .take("ListMFADevices", mfa)
            .unwrap_or_default()
            .iter()
            .map(|d| d.serial_number().to_owned())
            .collect(),
        groups: errors
            .take("ListGroupsForUser", groups)
            .unwrap_or_default()
            .iter()
            .map(|g| g.group_name().to_owned())
            .collect(),
        attached_policies: errors
            .take("ListAttachedUserPolicies", attached)
            .unwrap_or_default()
            .iter()
            .filter_map(|a| a.policy_arn().map(str::to_owned))
            .collect(),
        inline_policies: inline,
        name,
    }
}

/// Generates the credential report and fetches it once complete.
async fn credential_report(
    client: &aws_sdk_iam::Client,
    errors: &mut Errors<'_>,
) -> Option<String> {
    for _ in 0..REPORT_POLLS {
        let state = client.generate_credential_report().send().await;
        match errors.take("GenerateCredentialReport", state)?.state() {
            Some(ReportStateType::Complete) => break,
            _ => tokio::time::sleep(Duration::from_secs(1)).await,
        }
    }
    let report = client.get_credential_report().send().await;
    let content = errors.take("GetCredentialReport", report)?.content?;
    Some(String::from_utf8_lossy(content.as_ref()).into_owned())
}

/// A policy document as IAM returns it (URL-encoded JSON) parsed; kept as a
/// string when it is not JSON.
fn document(raw: &str) -> Value {
    let decoded = percent_decode(raw);
    serde_json::from_str(&decoded).unwrap_or(Value::String(decoded))
}

/// RFC 3986 percent-decoding (IAM does not encode spaces as `+`).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_url_encoded_policy_documents() {
        let doc = document("%7B%22Version%22%3A%222012-10-17%22%7D");
        assert_eq!(doc["Version"], "2012-10-17");
        assert_eq!(document("{\"a\":1}")["a"], 1);
        assert_eq!(percent_decode("100%"), "100%");
    }
}
