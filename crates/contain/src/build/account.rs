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
