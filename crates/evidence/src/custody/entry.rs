//! One custody entry: its fields, its action, and how its hash is computed.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical::to_canonical;
use crate::hash::sha256_hex;

/// What was done to the case. Serialized as a `snake_case` string; readers
/// keep unknown actions as [`Action::Other`], so new actions need no format change.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Action {
    /// The case folder was created (`case init`).
    CaseCreated,
    /// One object was recorded from one source (new content or a new source of
    /// known content); details name the object, the source and the manifest line.
    Acquired,
    /// One acquisition run finished; details summarize it (counts, failures).
    AcquisitionRun,
    /// The case was verified; details give the result.
    Verified,
    /// Logs were validated against provider digests (CloudTrail digest chain).
    Validated,
    /// A report was produced from the case.
    ReportProduced,
    /// A writer removed an incomplete final line left by an interrupted write.
    Repaired,
    /// An analysis result (`scope`, `hunt`) was written into the case's
    /// `analysis/` folder; details give its path, SHA-256 and command.
    AnalysisRecorded,
    /// An RFC 3161 time-stamp request over the chain head was written into the case's
    /// `timestamps/` folder; details give the head it covers, the nonce and its SHA-256.
    TimestampRequested,
    /// An RFC 3161 time-stamp token over a chain head was stored in `timestamps/`;
    /// details give the head and line it covers, the token's SHA-256, genTime and serial.
    Timestamped,
    /// Any other action, by name.
    Other(String),
}

/// Every named action and its name in the log, in one table.
const NAMES: &[(Action, &str)] = &[
    (Action::CaseCreated, "case_created"),
    (Action::Acquired, "acquired"),
    (Action::AcquisitionRun, "acquisition_run"),
    (Action::Verified, "verified"),
    (Action::Validated, "validated"),
    (Action::ReportProduced, "report_produced"),
    (Action::Repaired, "repaired"),
    (Action::AnalysisRecorded, "analysis_recorded"),
    (Action::TimestampRequested, "timestamp_requested"),
    (Action::Timestamped, "timestamped"),
];

impl Action {
    /// The action's name as written in the log.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Other(name) => name,
            named => NAMES
                .iter()
                .find(|(action, _)| action == named)
                .map_or("", |(_, name)| name),
        }
    }
}

impl From<&str> for Action {
    fn from(name: &str) -> Self {
        NAMES.iter().find(|(_, n)| *n == name).map_or_else(
            || Self::Other(name.to_owned()),
            |(action, _)| action.clone(),
        )
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Action {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Action {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Ok(Self::from(name.as_str()))
    }
}

/// One line of `custody.jsonl`.
///
/// `prev` is the SHA-256 of the previous line's exact bytes (without its
/// newline; 64 zeros for the first entry), and `hash` is the SHA-256 of the
/// entry's canonical JSON (see `canonical`) with every field except `hash`,
/// `prev` included. Editing any entry breaks its `hash` and the next entry's
/// `prev`; deleting, inserting or reordering entries breaks `prev` and `seq`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustodyEntry {
    /// Position in the log, from 1, one more than the previous entry's.
    pub seq: u64,
    /// When the act was recorded, RFC 3339 UTC.
    pub time: String,
    /// Who acted: the examiner.
    pub actor: String,
    /// Host the act was done on.
    pub host: String,
    /// Tool and version that did it.
    pub tool: String,
    /// What was done.
    pub action: Action,
    /// Action-specific facts: hashes read or written, command line, results.
    pub details: Value,
    /// SHA-256 (hex) of the previous line's bytes.
    pub prev: String,
    /// SHA-256 (hex) of this entry's canonical content.
    pub hash: String,
}

/// The hash of an entry given as a JSON object: SHA-256 of the canonical JSON
/// of all its fields except `hash`.
pub(crate) fn content_hash(entry: &Value) -> String {
    match entry {
        Value::Object(map) => {
            let mut without = map.clone();
            without.remove("hash");
            sha256_hex(to_canonical(&Value::Object(without)).as_bytes())
        }
        other => sha256_hex(to_canonical(other).as_bytes()),
    }
}

impl CustodyEntry {
    /// Builds a sealed entry: fills `hash` from the other fields.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn seal(
        seq: u64,
        time: String,
        actor: String,
        host: String,
        tool: String,
        action: Action,
        details: Value,
        prev: String,
    ) -> Result<Self, serde_json::Error> {
        let mut entry = Self {
            seq,
            time,
            actor,
            host,
            tool,
            action,
            details,
            prev,
            hash: String::new(),
        };
        entry.hash = content_hash(&serde_json::to_value(&entry)?);
        Ok(entry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> CustodyEntry {
        CustodyEntry::seal(
            1,
            "2024-01-01T00:00:00Z".into(),
            "alice".into(),
            "h".into(),
            "cloudcase 0".into(),
            Action::CaseCreated,
            json!({"b": 1, "a": 2}),
            crate::hash::ZERO.into(),
        )
        .expect("seal")
    }

    #[test]
    fn hash_covers_every_field_but_itself() {
        let e = sample();
        let v = serde_json::to_value(&e).expect("to value");
        assert_eq!(content_hash(&v), e.hash);
        let mut edited = v.clone();
        edited["actor"] = json!("mallory");
        assert_ne!(content_hash(&edited), e.hash);
        let mut edited = v;
        edited["prev"] = json!("1".repeat(64));
        assert_ne!(content_hash(&edited), e.hash);
    }

    #[test]
    fn every_named_action_has_its_own_name() {
        let mut names: Vec<&str> = NAMES.iter().map(|(a, _)| a.as_str()).collect();
        assert!(names.iter().all(|n| !n.is_empty()));
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), NAMES.len());
        assert_eq!(Action::from("analysis_recorded"), Action::AnalysisRecorded);
    }

    #[test]
    fn actions_round_trip_including_unknown_ones() {
        let every_named = NAMES.iter().map(|(a, _)| a.clone());
        for a in every_named.chain([Action::Other("timeline_built".into())]) {
            let text = serde_json::to_string(&a).expect("ser");
            let back: Action = serde_json::from_str(&text).expect("de");
            assert_eq!(back, a);
        }
    }
}
