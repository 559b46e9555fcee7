//! Helpers for the AWS CLI lines of a plan: IAM commands, evidence files, JSON arguments.

use crate::shell::Cmd;

/// IAM is global; its API is served from us-east-1 in the `aws` partition.
pub const IAM_REGION: &str = "us-east-1";

/// Redirection into the evidence directory; JSON files get `--output json` so that a CLI
/// configured for text or table output still writes JSON (the trust-policy copy is a rollback input).
pub(super) fn ev(name: &str) -> String {
    if name.ends_with(".json") {
        format!("--output json > \"$EVIDENCE_DIR/{name}\"")
    } else {
        format!("> \"$EVIDENCE_DIR/{name}\"")
    }
}

/// A JSON value as one compact command-line argument (quoted later by [`Cmd::arg`]).
pub(super) fn json_arg(v: &serde_json::Value) -> String {
    serde_json::to_string(v).expect("JSON values serialize")
}

/// `aws iam <op> --region us-east-1`: IAM is global, the region names its endpoint.
pub(super) fn iam(op: &str) -> Cmd {
    Cmd::aws("iam", op).arg("--region", IAM_REGION)
}
