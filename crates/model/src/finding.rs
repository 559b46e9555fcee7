//! A hunt finding as `cloudcase hunt --format jsonl` writes it, one JSON object per line,
//! and as a case records it (`hunt --case DIR`) for reports to read.

use serde::{Deserialize, Serialize};

/// One finding line. Keys and their order are those of the JSON Lines output; every value
/// but `record` is a string, empty when the event had no such field. A missing key reads as
/// empty, an unknown key is an error (so a renamed field cannot slip through unnoticed).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HuntFinding {
    /// Event time, RFC 3339 in the display zone of the run.
    pub time: String,
    /// Rule level (`informational` … `critical`).
    pub level: String,
    /// Rule id (Sigma id or built-in analytic name).
    pub rule_id: String,
    /// Rule title.
    pub rule_title: String,
    /// Where the rule came from (`rule`, `analytic`).
    pub origin: String,
    /// ATT&CK tactics, space-separated, in the rule's order.
    pub tactics: String,
    /// ATT&CK technique ids, space-separated.
    pub techniques: String,
    /// Who acted (user name or ARN).
    pub principal: String,
    /// Access key used.
    pub access_key: String,
    /// Source IP address (or service name).
    pub source_ip: String,
    /// AWS region.
    pub region: String,
    /// AWS account id.
    pub account: String,
    /// Event source (`iam.amazonaws.com`).
    pub event_source: String,
    /// Event name (`CreateUser`).
    pub event_name: String,
    /// Error code when the call failed.
    pub error_code: String,
    /// CloudTrail event id.
    pub event_id: String,
    /// What the rule adds about this event.
    pub detail: String,
    /// SHA-256 of the log file, when read from a case.
    pub sha256: String,
    /// Where the log file was acquired from, when read from a case.
    pub origin_path: String,
    /// The log file read.
    pub file: String,
    /// Index of the record within the file, from 0.
    pub record: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_are_empty_and_unknown_keys_are_refused() {
        let f: HuntFinding =
            serde_json::from_str(r#"{"rule_title":"User Created","record":7}"#).expect("parse");
        assert_eq!(
            (f.rule_title.as_str(), f.record, f.level.as_str()),
            ("User Created", 7, "")
        );
        assert!(serde_json::from_str::<HuntFinding>(r#"{"rule":"x"}"#).is_err());
    }
}
