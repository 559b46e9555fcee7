//! The summary of a CloudTrail log-file validation (`cloudcase trail validate --json`): the
//! parts a case records in its `validated` custody entry.

use serde::{Deserialize, Serialize};

/// A period, RFC 3339 UTC; either end may be unknown (`null`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    /// Start.
    pub from: Option<String>,
    /// End.
    pub to: Option<String>,
}

/// Digest files counted by outcome, over everything validated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestTotals {
    /// valid + invalid + unchecked + missing.
    pub total: u64,
    /// Authentic.
    pub valid: u64,
    /// Present but not valid.
    pub invalid: u64,
    /// Estimated absent digests.
    pub missing: u64,
    /// Present, no signature available.
    pub unchecked: u64,
    /// Digests found but outside the requested period.
    pub outside_period: u64,
    /// Signatures supplied (`--signatures` and sidecars).
    pub signatures_supplied: u64,
}

/// Log files counted by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogTotals {
    /// Listings checked: valid + unverified + modified + deleted + unreadable.
    pub total: u64,
    /// Hash matches a valid digest.
    pub valid: u64,
    /// Hash matches, but the digest listing it is not valid.
    pub unverified: u64,
    /// Hash differs.
    pub modified: u64,
    /// Listed but absent.
    pub deleted: u64,
    /// Present but unreadable.
    pub unreadable: u64,
    /// On disk, listed in no digest.
    pub uncovered: u64,
}

/// The overall part of a validation result: verdict, periods and counts. The JSON output
/// has more keys (`gaps`, `problems`, `chains`, `files`), which this summary leaves out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationSummary {
    /// Whether everything checked is valid.
    pub ok: bool,
    /// Whether every digest signature that could be checked was.
    pub signatures_checked: bool,
    /// The period asked for (`--from`, `--to`).
    pub requested: Period,
    /// The period the digests validated cover.
    pub found: Period,
    /// Digest counts.
    pub digests: DigestTotals,
    /// Log-file counts.
    pub logs: LogTotals,
}
