//! Backdoor trust: the trust policy of attacker-created and backdoored roles replaced with one
//! that lets nobody assume them, so that no new session can start.

use super::cli::{iam, json_arg};
use super::context::Context;
use super::policies::ROLE;
use super::roles::origin_label;
use super::step::Draft;
use crate::policy;
use crate::shell::quote;
use cloudcase_model::contain::{Role, RoleOrigin};

/// Revoke: each attacker-created or backdoored role's trust replaced with a deny-all trust. The
/// rollback restores the original: from the findings when known, else the preserved copy.
pub(super) fn replace_trust(ctx: &Context<'_>) -> Vec<Draft> {
    let deny_trust = json_arg(&policy::deny_all_trust());
    ctx.findings
        .roles
        .iter()
        .filter(|r| r.origin != RoleOrigin::Compromised)
        .map(|r| Draft {
            target: ROLE.target(&r.name),
            action: format!(
                "Replace the trust policy of {} role {} with one that lets nobody assume it",
                origin_label(r),
                quote(&r.name)
            ),
            why: format!(
                "The trust policy lets {} assume the role from outside; no new session can be \
                 started after this. The original is saved by the preserve phase and is the \
                 rollback.{}",
                trusted(r),
                backdoor_warning(r)
            ),
            reversible: true,
            destroys_evidence: false,
            commands: vec![iam("update-assume-role-policy")
                .arg("--role-name", &r.name)
                .arg("--policy-document", &deny_trust)
                .done()],
            rollback: vec![restore_trust(ctx, r)],
        })
        .collect()
}

/// The command putting back the role's trust policy as it was before the attacker's change.
fn restore_trust(ctx: &Context<'_>, r: &Role) -> String {
    let update = iam("update-assume-role-policy").arg("--role-name", &r.name);
    match &r.original_trust_policy {
        Some(doc) => {
            let v: serde_json::Value =
                serde_json::from_str(doc).expect("validated before planning");
            update.arg("--policy-document", &json_arg(&v)).done()
        }
        None => update
            .raw(&format!(
                "--policy-document \"file://$EVIDENCE_DIR/{}\"",
                ctx.roles.get(&r.name).trust_policy_file()
            ))
            .done(),
    }
}

/// The principals the role trusts, quoted, or "unknown principals".
fn trusted(r: &Role) -> String {
    if r.trust_principals.is_empty() {
        "unknown principals".to_string()
    } else {
        r.trust_principals
            .iter()
            .map(|p| quote(p))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// For a backdoored role: the owner's principals lose access too.
fn backdoor_warning(r: &Role) -> &'static str {
    if r.origin == RoleOrigin::Backdoored {
        " The owner's legitimate principals lose access too: restore the original trust from the \
         rollback without the backdoor principals once the investigation allows."
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{drafts, findings, role};

    #[test]
    fn trust_is_replaced_for_attacker_and_backdoored_roles_only() {
        let mut backdoored = role("b", RoleOrigin::Backdoored);
        backdoored.trust_principals = vec!["arn:aws:iam::999999999999:root".into()];
        backdoored.original_trust_policy =
            Some(r#"{ "Version": "2012-10-17", "Statement": [] }"#.into());
        let mut f = findings();
        f.roles = vec![
            role("c", RoleOrigin::Compromised),
            role("a", RoleOrigin::AttackerCreated),
            backdoored,
        ];
        let d = drafts(&f, replace_trust);
        let targets: Vec<&str> = d.iter().map(|d| d.target.as_str()).collect();
        assert_eq!(targets, ["iam-role:a", "iam-role:b"]);
        for d in &d {
            assert!(d.commands[0]
                .starts_with("aws iam update-assume-role-policy --region us-east-1 --role-name "));
            assert!(d.commands[0].contains("CloudcaseQuarantineNoAssume"));
            assert!(d.reversible && !d.destroys_evidence);
        }
        // Without the original: the copy saved by the preserve phase (role 1 of the inventory).
        assert!(d[0].rollback[0].ends_with(
            "--policy-document \"file://$EVIDENCE_DIR/iam-role-1-a.trust-policy.json\""
        ));
        assert!(d[0].why.contains("lets unknown principals assume"));
        assert!(!d[0].why.contains("legitimate principals lose access"));
        // With it: the original, compacted.
        let original = d[1].rollback[0].split('\'').nth(1).unwrap();
        assert!(!original.contains(' '));
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(original).unwrap(),
            serde_json::json!({"Version": "2012-10-17", "Statement": []})
        );
        assert!(d[1]
            .why
            .contains("lets arn:aws:iam::999999999999:root assume"));
        assert!(d[1].why.contains("legitimate principals lose access"));
    }
}
