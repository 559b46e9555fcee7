//! Sessions already issued: denied by AWS's revoke-older-sessions pattern, an inline policy with
//! an `aws:TokenIssueTime` condition, because issued credentials cannot be recalled.

use super::context::Context;
use super::policies::{ROLE, USER};
use super::step::Draft;
use crate::shell::quote;
use cloudcase_model::contain::UserOrigin;

/// Revoke: every session issued before "now" of every known role, those of the findings and
/// those known only from sessions, naming the sessions the logs showed.
pub(super) fn revoke_role_sessions(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.roles
        .iter()
        .map(|role| {
            let name = role.name;
            let sessions: Vec<String> = ctx
                .findings
                .role_sessions
                .iter()
                .filter(|s| s.role_name == name)
                .map(|s| quote(&s.session_name))
                .collect();
            let known = if sessions.is_empty() {
                String::new()
            } else {
                format!(" Known sessions: {}.", sessions.join(", "))
            };
            Draft {
                target: ROLE.target(name),
                action: format!(
                    "Deny every session of role {} issued before {} (inline policy {})",
                    quote(name),
                    ctx.issued_before,
                    ctx.revoke_policy
                ),
                why: format!(
                    "Role session credentials cannot be recalled and stay valid until they expire \
                     (up to 12 hours); this aws:TokenIssueTime condition is AWS's \
                     revoke-older-sessions pattern and keeps them denied even after the deny-all \
                     is removed. New sessions are unaffected.{known}"
                ),
                reversible: true,
                destroys_evidence: false,
                commands: vec![ROLE.put_inline_policy(
                    name,
                    &ctx.revoke_policy,
                    &ctx.revoke_older_sessions,
                )],
                rollback: vec![ROLE.delete_inline_policy(name, &ctx.revoke_policy)],
            }
        })
        .collect()
}

/// Revoke: the temporary (GetSessionToken) sessions of each compromised user, which outlive its
/// keys' deactivation. Attacker-created users are deleted instead.
pub(super) fn revoke_user_sessions(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .users
        .iter()
        .filter(|u| u.origin == UserOrigin::Compromised)
        .map(|u| Draft {
            target: USER.target(&u.name),
            action: format!(
                "Deny every temporary session of user {} issued before {} (inline policy {})",
                quote(&u.name),
                ctx.issued_before,
                ctx.revoke_policy
            ),
            why: "Session tokens the attacker obtained with GetSessionToken outlive the key's \
                  deactivation (up to 36 hours); this keeps them denied when the owner's user \
                  is returned to service. Long-term keys carry no aws:TokenIssueTime and are \
                  not affected."
                .into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec![USER.put_inline_policy(
                &u.name,
                &ctx.revoke_policy,
                &ctx.revoke_older_sessions,
            )],
            rollback: vec![USER.delete_inline_policy(&u.name, &ctx.revoke_policy)],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{drafts, findings, role, session, user};
    use cloudcase_model::contain::RoleOrigin;

    #[test]
    fn every_known_role_gets_the_token_issue_time_policy() {
        let mut f = findings();
        f.roles = vec![role("r", RoleOrigin::Backdoored)];
        f.role_sessions = vec![session("app", "i-1"), session("app", "$(x)")];
        let d = drafts(&f, revoke_role_sessions);
        let targets: Vec<&str> = d.iter().map(|d| d.target.as_str()).collect();
        assert_eq!(targets, ["iam-role:r", "iam-role:app"]);
        assert!(!d[0].why.contains("Known sessions"));
        assert!(d[1].why.ends_with("Known sessions: i-1, '$(x)'."));
        assert!(d[1].action.contains("issued before 2024-05-01T12:00:00Z"));
        let c = &d[1].commands[0];
        assert!(c.starts_with(
            "aws iam put-role-policy --region us-east-1 --role-name app \
             --policy-name cloudcase-revoke-sessions-c1 --policy-document '{"
        ));
        assert!(c.contains(r#""aws:TokenIssueTime":"2024-05-01T12:00:00Z""#));
        assert_eq!(
            d[1].rollback,
            [
                "aws iam delete-role-policy --region us-east-1 --role-name app \
              --policy-name cloudcase-revoke-sessions-c1"
            ]
        );
    }

    #[test]
    fn only_compromised_users_have_their_sessions_revoked() {
        let mut f = findings();
        f.users = vec![
            user("eve", UserOrigin::AttackerCreated),
            user("alice", UserOrigin::Compromised),
        ];
        let d = drafts(&f, revoke_user_sessions);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].target, "iam-user:alice");
        assert!(d[0].commands[0].starts_with("aws iam put-user-policy "));
        assert!(d[0].reversible && !d[0].destroys_evidence && d[0].rollback.len() == 1);
    }
}
