//! IAM users: their state saved, a deny-all attached and their credentials disabled, and the
//! attacker-created ones deleted last.

use super::cli::{iam, stem, IamExport, Owned};
use super::context::Context;
use super::credentials;
use super::policies::{AWS_QUARANTINE_POLICY_ARN, USER};
use super::step::Draft;
use crate::model::{User, UserOrigin};
use crate::shell::quote;

/// What is saved of each user, in order: `<base>.<what>.json`.
const USER_STATE: &[IamExport] = &[
    IamExport {
        operation: "get-user",
        what: "user",
    },
    IamExport {
        operation: "list-access-keys",
        what: "access-keys",
    },
    IamExport {
        operation: "list-attached-user-policies",
        what: "attached-policies",
    },
    IamExport {
        operation: "list-user-policies",
        what: "inline-policies",
    },
    IamExport {
        operation: "list-groups-for-user",
        what: "groups",
    },
    IamExport {
        operation: "list-mfa-devices",
        what: "mfa-devices",
    },
];

/// One part of emptying a user before `delete-user`, which fails while anything is attached.
#[derive(Debug)]
enum Cleanup {
    /// Every listed item removed.
    Each(Owned),
    /// The console password, when there is one.
    LoginProfile,
    /// The administrator policies the findings name, detached even if the listing misses them.
    KnownAdminPolicies,
}

/// How an attacker-created user is emptied, in order: credentials, then groups, then policies
/// (the quarantine deny-all last, with the other inline policies).
const USER_CLEANUP: &[Cleanup] = &[
    Cleanup::Each(Owned {
        list: "list-access-keys",
        query: "AccessKeyMetadata[].AccessKeyId",
        remove: "delete-access-key",
        id_flag: "--access-key-id",
    }),
    Cleanup::LoginProfile,
    Cleanup::Each(Owned {
        list: "list-mfa-devices",
        query: "MFADevices[].SerialNumber",
        remove: "deactivate-mfa-device",
        id_flag: "--serial-number",
    }),
    Cleanup::Each(Owned {
        list: "list-ssh-public-keys",
        query: "SSHPublicKeys[].SSHPublicKeyId",
        remove: "delete-ssh-public-key",
        id_flag: "--ssh-public-key-id",
    }),
    Cleanup::Each(Owned {
        list: "list-signing-certificates",
        query: "Certificates[].CertificateId",
        remove: "delete-signing-certificate",
        id_flag: "--certificate-id",
    }),
    Cleanup::Each(Owned {
        list: "list-service-specific-credentials",
        query: "ServiceSpecificCredentials[].ServiceSpecificCredentialId",
        remove: "delete-service-specific-credential",
        id_flag: "--service-specific-credential-id",
    }),
    Cleanup::Each(Owned {
        list: "list-groups-for-user",
        query: "Groups[].GroupName",
        remove: "remove-user-from-group",
        id_flag: "--group-name",
    }),
    Cleanup::KnownAdminPolicies,
    Cleanup::Each(Owned {
        list: "list-attached-user-policies",
        query: "AttachedPolicies[].PolicyArn",
        remove: "detach-user-policy",
        id_flag: "--policy-arn",
    }),
    Cleanup::Each(Owned {
        list: "list-user-policies",
        query: "PolicyNames[]",
        remove: "delete-user-policy",
        id_flag: "--policy-name",
    }),
];

/// How the user came to be in the findings, as the plan's text says it.
fn origin_label(origin: UserOrigin) -> &'static str {
    match origin {
        UserOrigin::Compromised => "compromised",
        UserOrigin::AttackerCreated => "attacker-created",
    }
}

/// Preserve: each user's keys, policies, groups and MFA devices, before containment changes them.
pub(super) fn preserve(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .users
        .iter()
        .enumerate()
        .map(|(n, u)| {
            let base = stem("iam-user", n, &[&u.name]);
            Draft {
                target: USER.target(&u.name),
                action: format!("Save the state of IAM user {}", quote(&u.name)),
                why: "The user's keys, policies, groups and MFA devices before containment \
                      changes them."
                    .into(),
                reversible: true,
                destroys_evidence: false,
                commands: USER_STATE
                    .iter()
                    .map(|e| e.save(USER.name_flag, &u.name, &base))
                    .collect(),
                rollback: vec![],
            }
        })
        .collect()
}

/// Contain: for each user in turn, the inline deny-all, then its active keys deactivated, then
/// its console password locked ([`credentials`]).
pub(super) fn contain(ctx: &Context<'_>) -> Vec<Draft> {
    let mut out = Vec::new();
    for u in &ctx.findings.users {
        out.push(quarantine(ctx, u));
        out.extend(credentials::deactivate_keys(u));
        out.extend(credentials::lock_console(u));
    }
    out
}

/// The inline deny-all on one user: it overrides every allow at the next request, deletes nothing.
fn quarantine(ctx: &Context<'_>, u: &User) -> Draft {
    Draft {
        target: USER.target(&u.name),
        action: format!(
            "Attach inline deny-all policy {} to {} user {}",
            ctx.quarantine,
            origin_label(u.origin),
            quote(&u.name)
        ),
        why: format!(
            "An explicit deny overrides every allow (including attached admin policies) at the \
             next request, for the user's keys, console sessions and GetSessionToken sessions, \
             without deleting anything. Alternative: AWS's managed {AWS_QUARANTINE_POLICY_ARN} \
             (formerly V2), which denies a list of high-risk actions rather than everything."
        ),
        reversible: true,
        destroys_evidence: false,
        commands: vec![USER.put_inline_policy(&u.name, &ctx.quarantine, &ctx.deny_all)],
        rollback: vec![USER.delete_inline_policy(&u.name, &ctx.quarantine)],
    }
}

/// Eradicate: each attacker-created user emptied ([`USER_CLEANUP`]) and deleted. Irreversible,
/// and the keys' last-used data is lost.
pub(super) fn delete_attacker_created(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .users
        .iter()
        .filter(|u| u.origin == UserOrigin::AttackerCreated)
        .map(|u| Draft {
            target: USER.target(&u.name),
            action: format!("Delete attacker-created user {}", quote(&u.name)),
            why: "Deletes its keys, password, MFA, SSH keys, certificates and service \
                  credentials, removes it from groups, detaches and deletes its policies (the \
                  quarantine last), then deletes it. Access key last-used data is lost."
                .into(),
            reversible: false,
            destroys_evidence: true,
            commands: deletion_commands(u),
            rollback: vec![],
        })
        .collect()
}

/// The commands emptying and deleting user `u`.
fn deletion_commands(u: &User) -> Vec<String> {
    let name = &u.name;
    let mut cmds = Vec::new();
    for part in USER_CLEANUP {
        match part {
            Cleanup::Each(owned) => cmds.push(owned.remove_each("x", USER.name_flag, name)),
            Cleanup::LoginProfile => cmds.push(format!(
                "if {} >/dev/null 2>&1; then {}; fi",
                iam("get-login-profile").arg("--user-name", name).done(),
                iam("delete-login-profile").arg("--user-name", name).done()
            )),
            Cleanup::KnownAdminPolicies => cmds.extend(u.admin_policies.iter().map(|arn| {
                format!(
                    "{} || true",
                    iam("detach-user-policy")
                        .arg("--user-name", name)
                        .arg("--policy-arn", arn)
                        .done()
                )
            })),
        }
    }
    cmds.push(iam("delete-user").arg("--user-name", name).done());
    cmds
}
