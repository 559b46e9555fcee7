//! IAM roles: which roles the plan acts on, their state saved, a deny-all attached, and the
//! attacker-created ones deleted last. Their sessions and trust are in `sessions` and `trust`.

use super::cli::{ev, iam, stem, IamExport, Owned};
use super::context::Context;
use super::policies::ROLE;
use super::step::Draft;
use crate::shell::quote;
use cloudcase_model::contain::{Findings, Role, RoleOrigin};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{drafts, findings, role, session};

    /// Roles `a` (attacker-created) and `b` (compromised), sessions of `b`, `s`, `s` again and `t`.
    fn with_sessions() -> Findings {
        let mut f = findings();
        f.roles = vec![
            role("a", RoleOrigin::AttackerCreated),
            role("b", RoleOrigin::Compromised),
        ];
        f.role_sessions = vec![
            session("b", "1"),
            session("s", "2"),
            session("s", "3"),
            session("t", "4"),
        ];
        f
    }

    #[test]
    fn inventory_lists_findings_roles_then_session_only_roles_once() {
        let f = with_sessions();
        let roles = RoleInventory::new(&f);
        let listed: Vec<(&str, &str)> = roles
            .iter()
            .map(|r| (r.name, r.evidence.as_str()))
            .collect();
        assert_eq!(
            listed,
            [
                ("a", "iam-role-0-a"),
                ("b", "iam-role-1-b"),
                ("s", "iam-role-2-s"),
                ("t", "iam-role-3-t"),
            ]
        );
        assert_eq!(
            roles.get("s").trust_policy_file(),
            "iam-role-2-s.trust-policy.json"
        );
    }

    #[test]
    fn inventory_finds_the_last_of_a_name_given_twice() {
        let mut f = findings();
        f.roles = vec![
            role("r", RoleOrigin::Backdoored),
            role("r", RoleOrigin::Backdoored),
        ];
        assert_eq!(RoleInventory::new(&f).get("r").evidence, "iam-role-1-r");
    }

    #[test]
    fn preserve_saves_every_known_role_with_its_trust_policy_as_json() {
        let d = drafts(&with_sessions(), preserve);
        let targets: Vec<&str> = d.iter().map(|d| d.target.as_str()).collect();
        assert_eq!(
            targets,
            ["iam-role:a", "iam-role:b", "iam-role:s", "iam-role:t"]
        );
        assert_eq!(d[0].commands.len(), 2 + ROLE_STATE.len());
        assert_eq!(
            d[0].commands[1],
            "aws iam get-role --region us-east-1 --role-name a --query \
             Role.AssumeRolePolicyDocument --output json > \
             \"$EVIDENCE_DIR/iam-role-0-a.trust-policy.json\""
        );
        assert!(d
            .iter()
            .all(|d| d.reversible && !d.destroys_evidence && d.rollback.is_empty()));
    }

    #[test]
    fn quarantine_covers_findings_roles_not_session_only_ones() {
        let d = drafts(&with_sessions(), quarantine);
        let targets: Vec<&str> = d.iter().map(|d| d.target.as_str()).collect();
        assert_eq!(targets, ["iam-role:a", "iam-role:b"]);
        assert!(d[0].commands[0].starts_with(
            "aws iam put-role-policy --region us-east-1 --role-name a \
             --policy-name cloudcase-quarantine-c1"
        ));
        assert!(!d[0].why.contains("legitimate"));
        assert!(d[1].why.contains("This is a legitimate role"));
        assert!(d.iter().all(|d| d.reversible && d.rollback.len() == 1));
    }

    #[test]
    fn only_attacker_created_roles_are_deleted_after_being_emptied() {
        let d = drafts(&with_sessions(), delete_attacker_created);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].target, "iam-role:a");
        assert!(!d[0].reversible && d[0].destroys_evidence && d[0].rollback.is_empty());
        assert_eq!(d[0].commands.len(), ROLE_CLEANUP.len() + 1);
        for (c, owned) in d[0].commands.iter().zip(ROLE_CLEANUP) {
            assert!(
                c.starts_with(&format!("for p in $(aws iam {} ", owned.list)),
                "{c}"
            );
            assert!(c.contains(&format!("do aws iam {} ", owned.remove)), "{c}");
        }
        assert_eq!(
            d[0].commands[3],
            "aws iam delete-role --region us-east-1 --role-name a"
        );
    }
}
