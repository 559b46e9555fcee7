//! IAM users: their state saved, a deny-all attached and their credentials disabled, and the
//! attacker-created ones deleted last.

use super::cli::{iam, stem, IamExport, Owned};
use super::context::Context;
use super::credentials;
use super::policies::{AWS_QUARANTINE_POLICY_ARN, USER};
use super::step::Draft;
use crate::shell::quote;
use cloudcase_model::contain::{User, UserOrigin};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{drafts, findings, key, user};
    use cloudcase_model::contain::KeyStatus;

    #[test]
    fn preserve_saves_each_user_under_a_numbered_safe_name() {
        let mut f = findings();
        f.users = vec![
            user("alice", UserOrigin::Compromised),
            user("../x", UserOrigin::AttackerCreated),
        ];
        let d = drafts(&f, preserve);
        assert_eq!(d.len(), 2);
        assert_eq!(d[1].target, "iam-user:../x");
        assert_eq!(d[1].commands.len(), USER_STATE.len());
        assert_eq!(
            d[1].commands[0],
            "aws iam get-user --region us-east-1 --user-name ../x --output json > \
             \"$EVIDENCE_DIR/iam-user-1-_.._x.user.json\""
        );
        assert!(d[1].commands[5].starts_with("aws iam list-mfa-devices "));
        assert!(d
            .iter()
            .all(|d| d.reversible && !d.destroys_evidence && d.rollback.is_empty()));
    }

    #[test]
    fn contain_goes_user_by_user_deny_all_then_keys_then_password() {
        let mut alice = user("alice", UserOrigin::Compromised);
        alice.access_keys = vec![key("AKIA1", KeyStatus::Active)];
        alice.has_login_profile = true;
        let mut f = findings();
        f.users = vec![alice, user("eve", UserOrigin::AttackerCreated)];
        let d = drafts(&f, contain);
        let actions: Vec<&str> = d.iter().map(|d| d.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "Attach inline deny-all policy cloudcase-quarantine-c1 to compromised user alice",
                "Deactivate (not delete) access keys AKIA1 of user alice",
                "Reset the console password of user alice to a random one nobody knows",
                "Attach inline deny-all policy cloudcase-quarantine-c1 to attacker-created user eve",
            ]
        );
        assert!(d[0].commands[0].starts_with(
            "aws iam put-user-policy --region us-east-1 --user-name alice \
             --policy-name cloudcase-quarantine-c1 --policy-document '{"
        ));
        assert_eq!(
            d[0].rollback,
            [
                "aws iam delete-user-policy --region us-east-1 --user-name alice \
              --policy-name cloudcase-quarantine-c1"
            ]
        );
        assert!(d.iter().all(|d| d.reversible && !d.destroys_evidence));
    }

    #[test]
    fn only_attacker_created_users_are_deleted_after_being_emptied() {
        let mut eve = user("eve", UserOrigin::AttackerCreated);
        eve.admin_policies = vec!["arn:aws:iam::aws:policy/AdministratorAccess".into()];
        let mut f = findings();
        f.users = vec![user("alice", UserOrigin::Compromised), eve];
        let d = drafts(&f, delete_attacker_created);
        assert_eq!(d.len(), 1);
        let d = &d[0];
        assert_eq!(d.target, "iam-user:eve");
        assert!(!d.reversible && d.destroys_evidence && d.rollback.is_empty());
        // One command per cleanup entry (one admin policy), then delete-user.
        assert_eq!(d.commands.len(), USER_CLEANUP.len() + 1);
        assert!(d.commands[0].starts_with("for x in $(aws iam list-access-keys "));
        assert!(d.commands[1].starts_with("if aws iam get-login-profile "));
        let admin = d
            .commands
            .iter()
            .position(|c| c.ends_with("|| true"))
            .unwrap();
        let attached = d
            .commands
            .iter()
            .position(|c| c.contains("list-attached-user-policies"))
            .unwrap();
        assert!(admin < attached, "known admin policies before the listing");
        assert_eq!(
            d.commands.last().unwrap(),
            "aws iam delete-user --region us-east-1 --user-name eve"
        );
    }
}
