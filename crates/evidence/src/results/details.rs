//! Typed `details` of the custody entries this layer writes and reads, so that nothing
//! reads them back through string keys. Field names are the JSON keys; custody lines are
//! written with sorted keys whatever the field order.

use cloudcase_model::{DigestTotals, LogTotals, Period};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::custody::CustodyEntry;
use crate::error::Error;

/// Details of an `analysis_recorded` entry: a `scope` or `hunt` result written into
/// `analysis/`. Missing keys read as empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct AnalysisRecordedDetails {
    /// Which analysis (`scope`, `hunt`).
    pub kind: String,
    /// The result file, relative to the case root.
    pub output: String,
    /// SHA-256 of the result file.
    pub output_sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// When it was recorded, RFC 3339 UTC (milliseconds).
    pub recorded: String,
    /// The command line that produced it.
    pub command: Vec<String>,
    /// Tool name and version.
    pub tool: String,
    /// Small facts shown without reading the file (counts, subject), as the analysis gave them.
    pub summary: Value,
}

/// An analysis result a report relied on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReliedOn {
    /// Which analysis.
    pub kind: String,
    /// The result file, relative to the case root.
    pub output: String,
    /// Its SHA-256.
    pub sha256: String,
    /// The `analysis_recorded` entry that attests it.
    pub custody_seq: u64,
}

/// A listing written beside a report (the evidence record's CSV and JSON Lines).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListingFact {
    /// Where it was written.
    pub path: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Rows written.
    pub rows: u64,
    /// `csv` or `jsonl`.
    pub format: String,
}

/// Details of a `report_produced` entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportProducedDetails {
    /// Report kind (`executive`, `technical`, `evidence`).
    pub kind: String,
    /// Language tag.
    pub lang: String,
    /// File format (`md`, `html`, `pdf`).
    pub format: String,
    /// Version among the reports of its kind.
    pub version: u64,
    /// The time the report describes the case at, RFC 3339 UTC.
    pub as_of: String,
    /// Where the report was written.
    pub output: String,
    /// SHA-256 of the report file.
    pub output_sha256: String,
    /// The custody chain head when the report read the log.
    pub read_custody_head: Option<String>,
    /// The analysis results it relied on.
    pub relied_on: Vec<ReliedOn>,
    /// Listings written beside it (absent when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub listings: Vec<ListingFact>,
}

/// A file read during a validation, with its SHA-256.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HashedFile {
    /// Absolute path.
    pub path: String,
    /// SHA-256 of its content.
    pub sha256: String,
}

/// Details of a `validated` entry: a CloudTrail log-file validation of the case's evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ValidatedDetails {
    /// Whether everything checked is valid.
    pub ok: bool,
    /// Whether every digest signature that could be checked was.
    pub signatures_checked: bool,
    /// `OK`, or what failed in one line.
    pub summary: String,
    /// Digest counts.
    pub digests: DigestTotals,
    /// Log-file counts.
    pub logs: LogTotals,
    /// Periods no digest proves.
    pub gap_count: u64,
    /// Problems found.
    pub problem_count: u64,
    /// Problems by kind.
    pub problems_by_kind: std::collections::BTreeMap<String, u64>,
    /// The period asked for.
    pub requested: Period,
    /// The period the digests validated cover.
    pub found: Period,
    /// Evidence objects of the case that were validated.
    pub evidence_objects: u64,
    /// Other inputs named on the command line, absolute.
    pub other_inputs: Vec<String>,
    /// Public-key files read.
    pub public_keys: Vec<HashedFile>,
    /// Signature sources named on the command line, absolute.
    pub signatures: Vec<String>,
    /// The command line.
    pub command: Vec<String>,
}

/// The outcome a `verified` or `validated` entry states; `None` when it states none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct CheckOutcome {
    /// Whether the check found everything intact.
    pub ok: Option<bool>,
}

/// Reads `entry`'s details as `T`; `None` when they do not have that shape.
pub fn details_of<T: DeserializeOwned>(entry: &CustodyEntry) -> Option<T> {
    T::deserialize(&entry.details).ok()
}

/// `details` as the JSON value a custody entry holds.
pub(crate) fn to_details<T: Serialize>(details: &T, what: &'static str) -> Result<Value, Error> {
    serde_json::to_value(details).map_err(|error| Error::Serialize { what, error })
}
