//! Why an input file or record was not turned into an event.

use std::fmt;
use std::path::PathBuf;

/// The reasons a file is skipped or a record rejected.
///
/// Each kind has a stable code (used in JSON output and `--rejects` files)
/// and a short description (used in the accounting line).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RejectKind {
    /// The file could not be opened or read.
    Unreadable,
    /// The file is a CloudTrail digest file: integrity data, not events.
    Digest,
    /// The file is a cloudcase inventory snapshot (`aws:iam`, `aws:ec2`): the
    /// state of an account at one time, read by `scope`, not events.
    Inventory,
    /// The file is empty: 0 bytes, or nothing but whitespace once
    /// decompressed. Log services never deliver an empty file, so it stands
    /// for a truncated delivery or copy and is never read as zero records.
    Empty,
    /// An archive member that is not a regular file (a directory or link):
    /// nothing to read, not a loss.
    NotAFile,
    /// The file does not start with a JSON object or array.
    NotJson,
    /// The file uses a compression cloudcase does not read (zip, zstd, bzip2, xz).
    UnsupportedCompression,
    /// The gzip stream is corrupt or truncated.
    Decompress,
    /// Decompression stopped at a limit (size or ratio: a gzip bomb guard).
    DecompressLimit,
    /// JSON syntax error.
    MalformedJson,
    /// A line of a line-based log (S3 server access logs) that does not have
    /// the format's shape: too few fields, an unclosed quote, a bad time,
    /// control characters.
    MalformedLine,
    /// The file ends inside a record.
    Truncated,
    /// A string is not valid UTF-8.
    InvalidUtf8,
    /// A record is larger than `--max-record-bytes`.
    TooLarge,
    /// A record nests deeper than the parser's limit.
    TooDeep,
    /// Valid JSON, but not a CloudTrail record.
    NotCloudTrail,
    /// `eventTime` is absent.
    MissingTime,
    /// `eventTime` is not a timestamp.
    InvalidTime,
    /// `eventName` or `eventSource` is absent.
    MissingField,
    /// A field has a JSON type CloudTrail never writes there.
    WrongType,
}

/// Code and description of every kind, in one table.
const KINDS: &[(RejectKind, &str, &str)] = &[
    (RejectKind::Unreadable, "unreadable", "unreadable"),
    (RejectKind::Digest, "digest", "CloudTrail digest file"),
    (
        RejectKind::Inventory,
        "inventory",
        "cloudcase inventory snapshot",
    ),
    (RejectKind::Empty, "empty", "empty file"),
    (
        RejectKind::NotAFile,
        "not_a_file",
        "archive member not a file",
    ),
    (RejectKind::NotJson, "not_json", "not JSON"),
    (
        RejectKind::UnsupportedCompression,
        "unsupported_compression",
        "unsupported compression",
    ),
    (
        RejectKind::Decompress,
        "decompress",
        "corrupt or truncated gzip",
    ),
    (
        RejectKind::DecompressLimit,
        "decompress_limit",
        "decompression limit",
    ),
    (
        RejectKind::MalformedJson,
        "malformed_json",
        "malformed JSON",
    ),
    (
        RejectKind::MalformedLine,
        "malformed_line",
        "malformed log line",
    ),
    (RejectKind::Truncated, "truncated", "truncated record"),
    (RejectKind::InvalidUtf8, "invalid_utf8", "invalid UTF-8"),
    (RejectKind::TooLarge, "too_large", "record too large"),
    (RejectKind::TooDeep, "too_deep", "nesting too deep"),
    (
        RejectKind::NotCloudTrail,
        "not_cloudtrail",
        "not a CloudTrail record",
    ),
    (
        RejectKind::MissingTime,
        "missing_event_time",
        "missing eventTime",
    ),
    (
        RejectKind::InvalidTime,
        "invalid_event_time",
        "invalid eventTime",
    ),
    (
        RejectKind::MissingField,
        "missing_field",
        "missing required field",
    ),
    (RejectKind::WrongType, "wrong_type", "wrong field type"),
];

impl RejectKind {
    fn entry(self) -> &'static (RejectKind, &'static str, &'static str) {
        KINDS
            .iter()
            .find(|(k, _, _)| *k == self)
            .unwrap_or(&KINDS[0])
    }

    /// Stable machine-readable code, e.g. `malformed_json`.
    pub fn code(self) -> &'static str {
        self.entry().1
    }

    /// Short human description, e.g. `malformed JSON`.
    pub fn description(self) -> &'static str {
        self.entry().2
    }

    /// Whether this stands for lost input. Digest files and inventory
    /// snapshots are expected beside logs and are not events: they are
    /// counted, but neither fail `--strict` nor crowd the warnings.
    pub fn is_loss(self) -> bool {
        !matches!(
            self,
            RejectKind::Digest | RejectKind::Inventory | RejectKind::NotAFile
        )
    }
}

impl fmt::Display for RejectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.description())
    }
}

/// One file skipped or record rejected, located precisely enough to find it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The input file.
    pub file: PathBuf,
    /// Where the file was acquired from, when it is an evidence object read
    /// from a case (`file` is then its content-named copy in the store).
    pub origin: Option<String>,
    /// The record's index in the file (from 0), when the problem is a record.
    pub record: Option<u64>,
    /// Byte offset in the file's decompressed content where the problem starts.
    pub offset: Option<u64>,
    /// What kind of problem.
    pub kind: RejectKind,
    /// What was expected and what was found.
    pub detail: String,
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(origin) = &self.origin {
            write!(f, " (acquired from {origin})")?;
        }
        if let Some(r) = self.record {
            write!(f, ": record {r}")?;
        }
        if let Some(o) = self.offset {
            write!(f, " at byte {o}")?;
        }
        write!(f, ": {}: {}", self.kind, self.detail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_its_own_code() {
        let mut codes: Vec<_> = KINDS.iter().map(|(_, c, _)| *c).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), KINDS.len());
        assert_eq!(RejectKind::WrongType.code(), "wrong_type");
        assert_eq!(RejectKind::Digest.description(), "CloudTrail digest file");
    }

    #[test]
    fn display_locates_the_problem() {
        let r = Rejection {
            origin: None,
            file: "a/b.json.gz".into(),
            record: Some(3),
            offset: Some(120),
            kind: RejectKind::InvalidTime,
            detail: "expected a timestamp, found \"x\"".into(),
        };
        assert_eq!(r.to_string(), "a/b.json.gz: record 3 at byte 120: invalid eventTime: expected a timestamp, found \"x\"");
    }
}
