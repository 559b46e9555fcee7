//! Problems `verify` finds, each named by kind and place.

use std::fmt;

use serde::Serialize;

/// What is wrong. Serialized in `snake_case` (`object_modified`, …); the set
/// of names is part of the stable `verify --json` format. Reports list
/// problems in this declaration order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// An object's content no longer hashes to its name.
    /// `expected`: the name; `actual`: the content's SHA-256.
    ObjectModified,
    /// An object recorded in the custody log is not in the store.
    ObjectMissing,
    /// An object could not be read to check it.
    ObjectUnreadable,
    /// An object in the store that neither the manifest nor the custody log
    /// records (an interrupted acquisition, or planted).
    OrphanObject,
    /// A file or directory in `evidence/` that is not part of the layout.
    UnexpectedFile,
    /// A temporary copy left in `evidence/tmp/` by an interrupted acquisition.
    LeftoverTemp,
    /// The custody log is missing or empty.
    CustodyMissing,
    /// A custody line is not a readable entry.
    CustodyUnparsable,
    /// A custody entry's content does not hash to its `hash`.
    /// `expected`: the recorded hash; `actual`: the hash of the content now.
    CustodyHashMismatch,
    /// A custody entry's `prev` is not the hash of the line before it.
    /// `expected`: SHA-256 of the previous line now; `actual`: the recorded `prev`.
    CustodyPrevMismatch,
    /// A custody entry's `seq` is not one more than the previous entry's.
    CustodyBadSeq,
    /// The custody log ends with an incomplete line (interrupted write).
    CustodyTornTail,
    /// The manifest is missing.
    ManifestMissing,
    /// A manifest line is not a readable record.
    ManifestUnparsable,
    /// The manifest ends with an incomplete line (interrupted write).
    ManifestTornTail,
    /// A manifest line names an object that is neither in the store nor
    /// recorded in the custody log.
    ManifestUnknownObject,
    /// A manifest line that no custody entry records (edited or inserted, or
    /// written by an interrupted run; the next acquisition records the latter).
    /// `actual`: the line's SHA-256.
    ManifestUnrecorded,
    /// A custody `acquired` entry names a manifest line that is not there
    /// (deleted or edited). `expected`: the recorded line SHA-256.
    ManifestEntryMissing,
    /// `case.json` differs from what the `case_created` entry recorded.
    CaseFileModified,
}

impl ProblemKind {
    /// The kind's name as in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ObjectModified => "object_modified",
            Self::ObjectMissing => "object_missing",
            Self::ObjectUnreadable => "object_unreadable",
            Self::OrphanObject => "orphan_object",
            Self::UnexpectedFile => "unexpected_file",
            Self::LeftoverTemp => "leftover_temp",
            Self::CustodyMissing => "custody_missing",
            Self::CustodyUnparsable => "custody_unparsable",
            Self::CustodyHashMismatch => "custody_hash_mismatch",
            Self::CustodyPrevMismatch => "custody_prev_mismatch",
            Self::CustodyBadSeq => "custody_bad_seq",
            Self::CustodyTornTail => "custody_torn_tail",
            Self::ManifestMissing => "manifest_missing",
            Self::ManifestUnparsable => "manifest_unparsable",
            Self::ManifestTornTail => "manifest_torn_tail",
            Self::ManifestUnknownObject => "manifest_unknown_object",
            Self::ManifestUnrecorded => "manifest_unrecorded",
            Self::ManifestEntryMissing => "manifest_entry_missing",
            Self::CaseFileModified => "case_file_modified",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem: its kind, where it is, and what was expected and found.
///
/// In JSON every key is always present (`null` when not applicable):
/// `kind`, `object` (SHA-256), `entry` (line number, from 1, in the custody
/// log or manifest as the kind says), `path` (relative to the case root),
/// `expected`, `actual`, `detail` (a sentence for people).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// What is wrong.
    pub kind: ProblemKind,
    /// The object concerned, by SHA-256.
    pub object: Option<String>,
    /// The log line concerned, from 1.
    pub entry: Option<u64>,
    /// The file concerned, relative to the case root.
    pub path: Option<String>,
    /// What integrity requires.
    pub expected: Option<String>,
    /// What was found.
    pub actual: Option<String>,
    /// Explanation for people.
    pub detail: String,
}

impl Problem {
    /// A problem of `kind` explained by `detail`; add places with the setters.
    pub fn new(kind: ProblemKind, detail: String) -> Self {
        Self {
            kind,
            object: None,
            entry: None,
            path: None,
            expected: None,
            actual: None,
            detail,
        }
    }

    /// Sets the object.
    pub fn object(mut self, sha256: &str) -> Self {
        self.object = Some(sha256.to_owned());
        self
    }

    /// Sets the log line.
    pub fn entry(mut self, line: u64) -> Self {
        self.entry = Some(line);
        self
    }

    /// Sets the path.
    pub fn path(mut self, path: &str) -> Self {
        self.path = Some(path.to_owned());
        self
    }

    /// Sets what was expected.
    pub fn expected(mut self, v: &str) -> Self {
        self.expected = Some(v.to_owned());
        self
    }

    /// Sets what was found.
    pub fn actual(mut self, v: &str) -> Self {
        self.actual = Some(v.to_owned());
        self
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.detail)?;
        match (&self.expected, &self.actual) {
            (Some(e), Some(a)) => write!(f, " (expected {e}, found {a})"),
            (Some(e), None) => write!(f, " (expected {e})"),
            (None, Some(a)) => write!(f, " (found {a})"),
            (None, None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_has_every_key_and_snake_case_kind() {
        let p = Problem::new(ProblemKind::ObjectModified, "changed".into())
            .object("ab")
            .expected("ab")
            .actual("cd");
        let v = serde_json::to_value(&p).expect("json");
        assert_eq!(v["kind"], "object_modified");
        for key in ["object", "entry", "path", "expected", "actual", "detail"] {
            assert!(v.get(key).is_some(), "{key} missing");
        }
        assert_eq!(ProblemKind::ObjectModified.as_str(), v["kind"]);
        assert_eq!(
            p.to_string(),
            "object_modified: changed (expected ab, found cd)"
        );
    }
}
