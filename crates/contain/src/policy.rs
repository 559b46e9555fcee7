//! The IAM policy documents a plan attaches, built with `serde_json` so they are always valid JSON.

use serde_json::{json, Value};

/// Identity policy denying every action on every resource.
pub fn deny_all() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "CloudcaseQuarantineDenyAll",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*"
        }]
    })
}

/// Identity policy denying everything to sessions whose token was issued before `issued_before`
/// (RFC 3339 UTC): AWS's "revoke active sessions" pattern. Long-term access keys carry no
/// `aws:TokenIssueTime`, so the condition does not match them.
pub fn revoke_older_sessions(issued_before: &str) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "CloudcaseRevokeOlderSessions",
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"DateLessThan": {"aws:TokenIssueTime": issued_before}}
        }]
    })
}

/// Trust policy that lets nobody assume the role.
pub fn deny_all_trust() -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "CloudcaseQuarantineNoAssume",
            "Effect": "Deny",
            "Principal": "*",
            "Action": [
                "sts:AssumeRole",
                "sts:AssumeRoleWithSAML",
                "sts:AssumeRoleWithWebIdentity",
                "sts:TagSession",
                "sts:SetSourceIdentity"
            ]
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_round_trip() {
        for doc in [
            deny_all(),
            revoke_older_sessions("2024-05-01T12:00:00Z"),
            deny_all_trust(),
        ] {
            let text = serde_json::to_string(&doc).unwrap();
            assert!(!text.contains('\n'));
            let back: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(back["Version"], "2012-10-17");
            assert_eq!(back["Statement"][0]["Effect"], "Deny");
        }
    }
}
