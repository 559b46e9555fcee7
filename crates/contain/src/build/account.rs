//! The account's IAM state, saved before anything changes.

use super::cli::{ev, iam};
use super::context::Context;
use super::step::Draft;

/// Preserve: the IAM credential report and the account's authorization details (every user,
/// role, group and policy), the baseline every later IAM change is compared with.
pub(super) fn preserve_iam_state(ctx: &Context<'_>) -> Vec<Draft> {
    let report_state = iam("generate-credential-report")
        .arg("--query", "State")
        .arg("--output", "text")
        .done();
    let report = iam("get-credential-report")
        .arg("--query", "Content")
        .arg("--output", "text")
        .done();
    vec![Draft {
        target: format!("account:{}", ctx.findings.account_id),
        action: "Export the IAM credential report and every IAM user, role, group and policy"
            .into(),
        why: "IAM state as it is before any change: who had which keys, passwords, MFA and \
              policies."
            .into(),
        reversible: true,
        destroys_evidence: false,
        commands: vec![
            format!("until [ \"$({report_state})\" = COMPLETE ]; do sleep 2; done"),
            format!("{report} | base64 -d {}", ev("iam-credential-report.csv")),
            iam("get-account-authorization-details")
                .raw(&ev("iam-account-authorization-details.json"))
                .done(),
        ],
        rollback: vec![],
    }]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{drafts, findings};

    #[test]
    fn saves_credential_report_then_authorization_details() {
        let d = drafts(&findings(), preserve_iam_state);
        assert_eq!(d.len(), 1, "one step whatever the findings");
        let d = &d[0];
        assert_eq!(d.target, "account:123456789012");
        assert!(d.reversible && !d.destroys_evidence && d.rollback.is_empty());
        assert_eq!(d.commands.len(), 3);
        assert!(d.commands[0].starts_with("until [ \"$(aws iam generate-credential-report"));
        assert!(
            d.commands[1].ends_with("| base64 -d > \"$EVIDENCE_DIR/iam-credential-report.csv\"")
        );
        assert_eq!(
            d.commands[2],
            "aws iam get-account-authorization-details --region us-east-1 --output json > \
             \"$EVIDENCE_DIR/iam-account-authorization-details.json\""
        );
    }
}
