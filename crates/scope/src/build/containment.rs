//! The `containment` section: the findings the plan is built from — the compromised credential
//! and everything the attacker left that still exists at the end of the logs — and the plan.

use cloudcase_contain as contain;
use serde_json::{json, Value};

use super::identities::Identities;
use super::resources::Resources;
use super::Ctx;

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
    let deactivated = ctx.p2.cands.iter().any(|c| {
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
    for (name, u) in ids.users.iter().filter(|(_, u)| u["deleted"].is_null()) {
        let access_keys = ids
            .keys
            .values()
            .filter(|k| k["user"] == name.as_str())
            .map(|k| contain::AccessKey {
                id: k["access_key"].as_str().unwrap_or("").to_owned(),
                status: key_status(
                    k["status_changes"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|s| s["status"] == "Inactive")),
                ),
            })
            .collect();
        let admin_policies = u["policies"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["policy"].as_str())
            .filter(|p| p.starts_with("arn:") && p.ends_with("AdministratorAccess"))
            .map(str::to_owned)
            .collect();
        out.push(contain::User {
            name: name.clone(),
            origin: contain::UserOrigin::AttackerCreated,
            access_keys,
            has_login_profile: !u["login_profile"].is_null(),
            admin_policies,
        });
    }
    out
}

fn attacker_roles(ids: &Identities) -> Vec<contain::Role> {
    ids.roles
        .iter()
        .filter(|(_, r)| r["deleted"].is_null())
        .map(|(name, r)| contain::Role {
            name: name.clone(),
            origin: if r["origin"] == "backdoored" {
                contain::RoleOrigin::Backdoored
            } else {
                contain::RoleOrigin::AttackerCreated
            },
            trust_principals: r["trust"]["principals"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
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
        .map(|((id, region), rules)| contain::SecurityGroup {
            id: id.clone(),
            region: region.clone(),
            rules: rules.clone(),
        })
        .collect();
    f.key_pairs = res
        .key_pairs
        .iter()
        .filter(|(_, k)| k["deleted"].is_null())
        .map(|((name, region), _)| contain::KeyPair {
            name: name.clone(),
            region: region.clone(),
        })
        .collect();
    f.shared_images = res.share_findings.clone();
    f.lambda_functions = res
        .lambdas
        .iter()
        .filter(|(_, l)| l["deleted"].is_null())
        .map(|((name, region), _)| contain::LambdaFunction {
            name: name.clone(),
            region: region.clone(),
        })
        .collect();
}

/// Builds the findings and the plan; a planner error adds an unknown.
pub(crate) fn build(
    ctx: &Ctx<'_>,
    case_id: &str,
    ids: &Identities,
    res: &Resources,
    unknowns: &mut Vec<Value>,
) -> Value {
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
    match contain::build_plan(&f) {
        Ok(plan) => json!({"findings": f, "plan": plan, "script": plan.to_shell_script()}),
        Err(e) => {
            unknowns.push(json!({"question": "containment plan", "why": format!("the plan could not be built: {e}"), "would_resolve": "review the findings by hand"}));
            json!({"findings": f, "plan": Value::Null, "error": e.to_string()})
        }
    }
}
