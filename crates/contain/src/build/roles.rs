//! IAM roles: which roles the plan acts on, their state saved, a deny-all attached, and the
//! attacker-created ones deleted last. Their sessions and trust are in `sessions` and `trust`.

use super::cli::{ev, iam, stem, IamExport, Owned};
use super::context::Context;
use super::policies::ROLE;
use super::step::Draft;
use crate::model::{Findings, Role, RoleOrigin};
use crate::shell::quote;

/// A role the plan acts on, with the stem of its evidence file names.
#[derive(Debug)]
pub(super) struct KnownRole<'a> {
    /// Role name.
    pub(super) name: &'a str,
    /// `iam-role-<n>-<name>`.
    pub(super) evidence: String,
}

impl KnownRole<'_> {
    /// The saved trust policy: the rollback of a trust replacement when the original is not known.
    pub(super) fn trust_policy_file(&self) -> String {
        format!("{}.trust-policy.json", self.evidence)
    }
}

/// The roles in the findings, then the roles known only from sessions (legitimate roles whose
/// sessions were stolen), each once, in that order.
#[derive(Debug)]
pub(super) struct RoleInventory<'a>(Vec<KnownRole<'a>>);

impl<'a> RoleInventory<'a> {
    /// Lists the roles of `f`.
    pub(super) fn new(f: &'a Findings) -> Self {
        let mut session_only: Vec<&str> = Vec::new();
        for s in &f.role_sessions {
            if !f.roles.iter().any(|r| r.name == s.role_name)
                && !session_only.contains(&s.role_name.as_str())
            {
                session_only.push(&s.role_name);
            }
        }
        let names = f.roles.iter().map(|r| r.name.as_str()).chain(session_only);
        RoleInventory(
            names
                .enumerate()
                .map(|(n, name)| KnownRole {
                    name,
                    evidence: stem("iam-role", n, &[name]),
                })
                .collect(),
        )
    }

    /// The roles, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = &KnownRole<'a>> {
        self.0.iter()
    }

    /// The role named `name` (the last one, should the findings name a role twice).
    pub(super) fn get(&self, name: &str) -> &KnownRole<'a> {
        self.0
            .iter()
            .rev()
            .find(|r| r.name == name)
            .expect("every role of the findings is in the inventory")
    }
}

/// What is saved of each role besides its trust policy, in order: `<base>.<what>.json`.
const ROLE_STATE: &[IamExport] = &[
    IamExport {
        operation: "list-role-policies",
        what: "inline-policies",
    },
    IamExport {
        operation: "list-attached-role-policies",
        what: "attached-policies",
    },
    IamExport {
        operation: "list-instance-profiles-for-role",
        what: "instance-profiles",
    },
];

/// What an attacker-created role is emptied of before `delete-role`, in order.
const ROLE_CLEANUP: &[Owned] = &[
    Owned {
        list: "list-instance-profiles-for-role",
        query: "InstanceProfiles[].InstanceProfileName",
        remove: "remove-role-from-instance-profile",
        id_flag: "--instance-profile-name",
    },
    Owned {
        list: "list-attached-role-policies",
        query: "AttachedPolicies[].PolicyArn",
        remove: "detach-role-policy",
        id_flag: "--policy-arn",
    },
    Owned {
        list: "list-role-policies",
        query: "PolicyNames[]",
        remove: "delete-role-policy",
        id_flag: "--policy-name",
    },
];

/// How the role came to be in the findings, as the plan's text says it.
pub(super) fn origin_label(r: &Role) -> &'static str {
    match r.origin {
        RoleOrigin::Compromised => "compromised",
        RoleOrigin::AttackerCreated => "attacker-created",
        RoleOrigin::Backdoored => "backdoored",
    }
}

/// Preserve: each known role's description, trust policy (a rollback input, saved as JSON),
/// policies and instance profiles.
pub(super) fn preserve(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.roles
        .iter()
        .map(|role| {
            let name = role.name;
            let mut commands = vec![
                IamExport {
                    operation: "get-role",
                    what: "role",
                }
                .save(ROLE.name_flag, name, &role.evidence),
                iam("get-role")
                    .arg("--role-name", name)
                    .arg("--query", "Role.AssumeRolePolicyDocument")
                    .raw(&ev(&role.trust_policy_file()))
                    .done(),
            ];
            commands.extend(
                ROLE_STATE
                    .iter()
                    .map(|e| e.save(ROLE.name_flag, name, &role.evidence)),
            );
            Draft {
                target: ROLE.target(name),
                action: format!(
                    "Save the state and trust policy of IAM role {}",
                    quote(name)
                ),
                why: "The role's trust policy (the rollback of any trust change), policies and \
                      instance profiles."
                    .into(),
                reversible: true,
                destroys_evidence: false,
                commands,
                rollback: vec![],
            }
        })
        .collect()
}

/// Contain: the inline deny-all on each role of the findings (not on roles known only from
/// sessions, which are legitimate and only have their older sessions revoked).
pub(super) fn quarantine(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .roles
        .iter()
        .map(|r| Draft {
            target: ROLE.target(&r.name),
            action: format!(
                "Attach inline deny-all policy {} to {} role {}",
                ctx.quarantine,
                origin_label(r),
                quote(&r.name)
            ),
            why: match r.origin {
                RoleOrigin::AttackerCreated => "Every session of the role, old or new, is denied \
                                                at its next request."
                    .to_string(),
                _ => "Every session of the role, old or new, is denied at its next request. This \
                      is a legitimate role: whatever uses it (instances, functions, people) stops \
                      working too; remove the policy once the older-sessions revocation below is \
                      in place if service must resume."
                    .to_string(),
            },
            reversible: true,
            destroys_evidence: false,
            commands: vec![ROLE.put_inline_policy(&r.name, &ctx.quarantine, &ctx.deny_all)],
            rollback: vec![ROLE.delete_inline_policy(&r.name, &ctx.quarantine)],
        })
        .collect()
}

/// Eradicate: each attacker-created role taken out of its instance profiles, emptied of its
/// policies (the quarantine included) and deleted. Irreversible.
pub(super) fn delete_attacker_created(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .roles
        .iter()
        .filter(|r| r.origin == RoleOrigin::AttackerCreated)
        .map(|r| {
            let mut commands: Vec<String> = ROLE_CLEANUP
                .iter()
                .map(|owned| owned.remove_each("p", ROLE.name_flag, &r.name))
                .collect();
            commands.push(iam("delete-role").arg("--role-name", &r.name).done());
            Draft {
                target: ROLE.target(&r.name),
                action: format!("Delete attacker-created role {}", quote(&r.name)),
                why: "Removes it from instance profiles, detaches and deletes its policies \
                      (including the quarantine), then deletes it."
                    .into(),
                reversible: false,
                destroys_evidence: true,
                commands,
                rollback: vec![],
            }
        })
        .collect()
}
