//! The `containment` section: the findings the plan is built from — the compromised credential
//! and everything the attacker left that still exists at the end of the logs — and the plan.

use cloudcase_contain as contain;
use cloudcase_model::scope::{Containment, RoleOrigin, Unknown};

use super::identities::Identities;
use super::resources::Resources;
use super::Ctx;

/// Why a document that attributes nothing to an attacker proposes no containment plan.
const NO_PLAN_UNATTRIBUTED: &str = "no intrusion was established for the named credential, so no \
    containment plan is proposed for activity not attributed to an attacker: the findings list \
    what it created; once misuse is confirmed (by the owner, or scope with --ip on the \
    suspicious addresses), scope again for a plan";

fn key_status(inactive: bool) -> contain::KeyStatus {
    if inactive {
        contain::KeyStatus::Inactive
    } else {
        contain::KeyStatus::Active
    }
}

/// The compromised user and key, when the subject is a long-term key.
fn compromised_user(ctx: &Ctx<'_>) -> Option<contain::User> {
    if !ctx.subject_is_key() {
        return None;
    }
    let deactivated = ctx.window.candidates.iter(ctx.files).any(|c| {
        &*c.name == "UpdateAccessKey" && c.error.is_none() && {
            let req = c.req_json();
            req["accessKeyId"] == ctx.subject_key && req["status"] == "Inactive"
        }
    });
    let name = ctx.compromised_users().into_iter().next()?;
    Some(contain::User {
        name,
        origin: contain::UserOrigin::Compromised,
        access_keys: vec![contain::AccessKey {
            id: ctx.subject_key.to_owned(),
            status: key_status(deactivated),
        }],
        has_login_profile: false,
        admin_policies: vec![],
    })
}

fn attacker_users(ids: &Identities) -> Vec<contain::User> {
    let mut out = Vec::new();
    for (name, u) in ids.users.iter().filter(|(_, u)| u.deleted.is_none()) {
        let access_keys = ids
            .keys
            .values()
            .filter(|k| k.user == *name)
            .map(|k| contain::AccessKey {
                id: k.access_key.clone(),
                status: key_status(
                    k.status_changes
                        .iter()
                        .any(|s| s.status.as_deref() == Some("Inactive")),
                ),
            })
            .collect();
        let admin_policies = u
            .policies
            .iter()
            .map(|p| p.policy.as_str())
            .filter(|p| p.starts_with("arn:") && p.ends_with("AdministratorAccess"))
            .map(str::to_owned)
            .collect();
        out.push(contain::User {
            name: name.clone(),
            origin: contain::UserOrigin::AttackerCreated,
            access_keys,
            has_login_profile: u.login_profile.is_some(),
            admin_policies,
        });
    }
    out
}

fn attacker_roles(ids: &Identities) -> Vec<contain::Role> {
    ids.roles
        .iter()
        .filter(|(_, r)| r.deleted.is_none())
        .map(|(name, r)| contain::Role {
            name: name.clone(),
            origin: match r.origin {
                RoleOrigin::Backdoored => contain::RoleOrigin::Backdoored,
                RoleOrigin::AttackerCreated => contain::RoleOrigin::AttackerCreated,
            },
            trust_principals: r
                .trust
                .as_ref()
                .map(|t| t.principals.clone())
                .unwrap_or_default(),
            original_trust_policy: None,
        })
        .collect()
}

fn remaining_resources(res: &Resources, f: &mut contain::Findings) {
    f.instances = res
        .instances
        .values()
        .filter(|i| !i.terminated())
        .map(|i| contain::Instance {
            id: i.id.clone(),
            region: i.region().to_owned(),
            vpc_id: None,
            origin: contain::InstanceOrigin::AttackerLaunched,
            security_groups: i.groups.clone(),
            volumes: vec![],
        })
        .collect();
    f.security_groups = res
        .sg_rules
        .iter()
        .map(|(group, rules)| contain::SecurityGroup {
            id: group.name.clone(),
            region: group.region.clone(),
            rules: rules.clone(),
        })
        .collect();
    f.key_pairs = res
        .key_pairs
        .iter()
        .filter(|(_, k)| k.deleted.is_none())
        .map(|(key, _)| contain::KeyPair {
            name: key.name.clone(),
            region: key.region.clone(),
        })
        .collect();
    f.shared_images = res
        .shares
        .iter()
        .map(|s| contain::SharedImage {
            kind: s.image,
            id: s.share.id.clone(),
            region: s.share.region.clone(),
            shared_with: s.share.shared_with.clone(),
        })
        .collect();
    f.lambda_functions = res
        .lambdas
        .iter()
        .filter(|(_, l)| l.deleted.is_none())
        .map(|(function, _)| contain::LambdaFunction {
            name: function.name.clone(),
            region: function.region.clone(),
        })
        .collect();
}

/// Builds the findings and the plan; a planner error adds an unknown.
pub(crate) fn build(
    ctx: &Ctx<'_>,
    case_id: &str,
    ids: &Identities,
    res: &Resources,
    unknowns: &mut Vec<Unknown>,
) -> Containment {
    let mut f = contain::Findings {
        case_id: case_id.to_owned(),
        account_id: ctx.account(),
        now_ms: ctx.end_ms,
        ..Default::default()
    };
    f.users.extend(compromised_user(ctx));
    f.users.extend(attacker_users(ids));
    f.roles = attacker_roles(ids);
    remaining_resources(res, &mut f);
    if matches!(ctx.claim, super::Claim::Unattributed { .. }) {
        // Deleting users or stopping instances the owner may have made on purpose is not
        // containment: the plan waits until misuse is established.
        return Containment {
            findings: f,
            plan: None,
            script: None,
            error: Some(NO_PLAN_UNATTRIBUTED.to_owned()),
        };
    }
    match contain::build_plan(&f) {
        Ok(plan) => Containment {
            findings: f,
            script: Some(contain::shell_script(&plan)),
            plan: Some(plan),
            error: None,
        },
        Err(e) => {
            unknowns.push(Unknown {
                about: None,
                question: "containment plan".to_owned(),
                why: format!("the plan could not be built: {e}"),
                would_resolve: "review the findings by hand".to_owned(),
                refs: None,
            });
            Containment {
                findings: f,
                plan: None,
                script: None,
                error: Some(e.to_string()),
            }
        }
    }
}
