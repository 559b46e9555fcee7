//! A user's long-term credentials: access keys deactivated (never deleted) and the console
//! password made useless to the attacker.

use super::cli::iam;
use super::policies::USER;
use super::step::Draft;
use crate::shell::quote;
use cloudcase_model::contain::{KeyStatus, User, UserOrigin};

/// Rollback of a console password change: a new password the responder chooses, never the old one.
const NEW_PASSWORD: &str =
    "--password \"${NEW_PASSWORD:?set NEW_PASSWORD}\" --password-reset-required";

/// Contain: the user's active keys set to Inactive (none when the user has no active key). An
/// inactive key keeps its id and last-used data, and can be reactivated.
pub(super) fn deactivate_keys(u: &User) -> Option<Draft> {
    let active: Vec<&str> = u
        .access_keys
        .iter()
        .filter(|k| k.status == KeyStatus::Active)
        .map(|k| k.id.as_str())
        .collect();
    if active.is_empty() {
        return None;
    }
    let update = |id: &str, status: &str| {
        iam("update-access-key")
            .arg("--user-name", &u.name)
            .arg("--access-key-id", id)
            .arg("--status", status)
            .done()
    };
    Some(Draft {
        target: USER.target(&u.name),
        action: format!(
            "Deactivate (not delete) access keys {} of user {}",
            active.join(", "),
            quote(&u.name)
        ),
        why: "An inactive key keeps its id and last-used data for the investigation and can be \
              reactivated."
            .into(),
        reversible: true,
        destroys_evidence: false,
        commands: active.iter().map(|id| update(id, "Inactive")).collect(),
        rollback: active.iter().map(|id| update(id, "Active")).collect(),
    })
}

/// Contain: the console password of a user who has one, deleted for an attacker-created user
/// and reset to an unknown random one for a compromised user (whose login profile is kept).
pub(super) fn lock_console(u: &User) -> Option<Draft> {
    if !u.has_login_profile {
        return None;
    }
    Some(match u.origin {
        UserOrigin::AttackerCreated => delete_password(u),
        UserOrigin::Compromised => reset_password(u),
    })
}

/// The attacker-created user's console password deleted: it is not evidence.
fn delete_password(u: &User) -> Draft {
    Draft {
        target: USER.target(&u.name),
        action: format!(
            "Delete the console password of attacker-created user {}",
            quote(&u.name)
        ),
        why: "A console password is not evidence (its creation is in CloudTrail and the \
              credential report). Rollback creates a new password, not the attacker's."
            .into(),
        reversible: true,
        destroys_evidence: false,
        commands: vec![iam("delete-login-profile")
            .arg("--user-name", &u.name)
            .done()],
        rollback: vec![iam("create-login-profile")
            .arg("--user-name", &u.name)
            .raw(NEW_PASSWORD)
            .done()],
    }
}

/// The compromised user's console password replaced with a random one nobody knows.
fn reset_password(u: &User) -> Draft {
    Draft {
        target: USER.target(&u.name),
        action: format!(
            "Reset the console password of user {} to a random one nobody knows",
            quote(&u.name)
        ),
        why: "The owner's login profile is kept (its history stays attached to it); the password \
              the attacker may know stops working. Give the owner a new password after the \
              investigation."
            .into(),
        reversible: true,
        destroys_evidence: false,
        commands: vec![iam("update-login-profile")
            .arg("--user-name", &u.name)
            .raw("--password \"$(openssl rand -base64 30)Aa1!\" --password-reset-required")
            .done()],
        rollback: vec![iam("update-login-profile")
            .arg("--user-name", &u.name)
            .raw(NEW_PASSWORD)
            .done()],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{key, user};

    #[test]
    fn only_active_keys_are_deactivated_and_reactivation_is_the_rollback() {
        let mut u = user("alice", UserOrigin::Compromised);
        assert_eq!(deactivate_keys(&u), None);
        u.access_keys = vec![
            key("AKIA1", KeyStatus::Active),
            key("AKIA2", KeyStatus::Inactive),
            key("AKIA3", KeyStatus::Active),
        ];
        let d = deactivate_keys(&u).unwrap();
        assert_eq!(
            d.action,
            "Deactivate (not delete) access keys AKIA1, AKIA3 of user alice"
        );
        assert_eq!(
            d.commands,
            [
                "aws iam update-access-key --region us-east-1 --user-name alice \
                 --access-key-id AKIA1 --status Inactive",
                "aws iam update-access-key --region us-east-1 --user-name alice \
                 --access-key-id AKIA3 --status Inactive",
            ]
        );
        assert!(d.rollback.iter().all(|c| c.ends_with("--status Active")));
        assert!(d.reversible && !d.destroys_evidence);
    }

    #[test]
    fn console_password_is_deleted_for_the_attacker_and_reset_for_the_owner() {
        let mut u = user("eve", UserOrigin::AttackerCreated);
        assert_eq!(lock_console(&u), None, "no login profile, nothing to do");
        u.has_login_profile = true;
        let d = lock_console(&u).unwrap();
        assert_eq!(
            d.commands,
            ["aws iam delete-login-profile --region us-east-1 --user-name eve"]
        );
        assert!(d.rollback[0].starts_with("aws iam create-login-profile "));
        assert!(d.rollback[0].contains(NEW_PASSWORD));

        let mut u = user("alice", UserOrigin::Compromised);
        u.has_login_profile = true;
        let d = lock_console(&u).unwrap();
        assert!(d.commands[0].starts_with("aws iam update-login-profile "));
        assert!(d.commands[0].contains("$(openssl rand -base64 30)"));
        assert!(!d.commands[0].contains("delete-login-profile"));
        assert!(d.rollback[0].contains(NEW_PASSWORD));
        assert!(d.reversible && !d.destroys_evidence);
    }
}
