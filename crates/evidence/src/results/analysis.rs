//! Analysis results (`scope`, `hunt`) recorded in a case, and found again through the
//! custody log with their hash checked.

use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde_json::Value;

use super::details::{details_of, to_details, AnalysisRecordedDetails};
use super::write_file;
use crate::custody::{Action, CustodyEntry};
use crate::error::{Error, IoContext};
use crate::Case;

/// Folder of recorded results, relative to the case root.
pub const ANALYSIS_DIR: &str = "analysis";

/// Which analysis produced a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnalysisKind {
    /// `cloudcase scope`: one JSON document.
    Scope,
    /// `cloudcase hunt`: findings as JSON Lines.
    Hunt,
}

impl AnalysisKind {
    /// Name used in paths and custody details.
    pub fn as_str(self) -> &'static str {
        match self {
            AnalysisKind::Scope => "scope",
            AnalysisKind::Hunt => "hunt",
        }
    }

    /// File extension of the recorded result.
    fn extension(self) -> &'static str {
        match self {
            AnalysisKind::Scope => "json",
            AnalysisKind::Hunt => "jsonl",
        }
    }

    /// The command that records a result of this kind, for reports to name.
    pub fn command(self) -> &'static str {
        match self {
            AnalysisKind::Scope => "cloudcase scope --case DIR --access-key KEY",
            AnalysisKind::Hunt => "cloudcase hunt --case DIR",
        }
    }
}

/// A result to record: its content and what produced it.
#[derive(Debug, Clone)]
pub struct NewRecord<'a> {
    /// Which analysis.
    pub kind: AnalysisKind,
    /// A short label for the file name (the scope subject); sanitised.
    pub label: &'a str,
    /// The result's bytes.
    pub content: &'a [u8],
    /// The command line that produced it.
    pub command: Vec<String>,
    /// Tool name and version.
    pub tool: &'a str,
    /// Small facts shown without reading the file (counts, subject).
    pub summary: Value,
}

/// A result found through the custody log (or just recorded), its content checked
/// against the SHA-256 its entry records.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Which analysis.
    pub kind: AnalysisKind,
    /// Absolute path of the result file.
    pub path: PathBuf,
    /// Path relative to the case root, as recorded.
    pub rel: String,
    /// SHA-256 of the content, as recorded and re-checked.
    pub sha256: String,
    /// When it was recorded, RFC 3339 UTC.
    pub recorded: String,
    /// The custody entry's sequence number.
    pub seq: u64,
    /// The command line recorded with it.
    pub command: Vec<String>,
    /// The summary recorded with it.
    pub summary: Value,
    /// The content.
    pub content: Vec<u8>,
}

/// An `analysis_recorded` custody entry with its details read.
#[derive(Debug, Clone)]
pub struct RecordedEntry<'a> {
    /// The entry.
    pub entry: &'a CustodyEntry,
    /// Its details.
    pub details: AnalysisRecordedDetails,
}

/// `label` reduced to file-name-safe ASCII (letters, digits, `_`, `-`), at
/// most 64 characters.
fn safe_label(label: &str) -> String {
    label
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect()
}

/// Writes `rec` into the case's `analysis/<kind>/` folder atomically and appends its
/// `analysis_recorded` custody entry.
pub fn record(case: &Case, rec: &NewRecord<'_>) -> Result<Recorded, Error> {
    let now = Timestamp::now();
    let stamp = now.strftime("%Y%m%dT%H%M%S%.3fZ").to_string();
    let label = safe_label(rec.label);
    let ext = rec.kind.extension();
    let name = if label.is_empty() {
        format!("{stamp}.{ext}")
    } else {
        format!("{stamp}-{label}.{ext}")
    };
    let rel = format!("{ANALYSIS_DIR}/{}/{name}", rec.kind.as_str());
    let path = case.root().join(&rel);
    let sha256 = write_file(&path, rec.content)?;
    let recorded = now
        .round(jiff::Unit::Millisecond)
        .unwrap_or(now)
        .to_string();
    let details = AnalysisRecordedDetails {
        kind: rec.kind.as_str().to_owned(),
        output: rel.clone(),
        output_sha256: sha256.clone(),
        bytes: rec.content.len() as u64,
        recorded: recorded.clone(),
        command: rec.command.clone(),
        tool: rec.tool.to_owned(),
        summary: rec.summary.clone(),
    };
    let entry = case.custody().append(
        Action::AnalysisRecorded,
        to_details(&details, "analysis_recorded details")?,
    )?;
    Ok(Recorded {
        kind: rec.kind,
        path,
        rel,
        sha256,
        recorded,
        seq: entry.seq,
        command: details.command,
        summary: details.summary,
        content: rec.content.to_vec(),
    })
}

/// Every `analysis_recorded` custody entry, oldest first, with its details read (an
/// entry whose details do not have the expected shape reads as empty details).
pub fn all_recorded(entries: &[CustodyEntry]) -> Vec<RecordedEntry<'_>> {
    entries
        .iter()
        .filter(|e| e.action == Action::AnalysisRecorded)
        .map(|entry| RecordedEntry {
            entry,
            details: details_of(entry).unwrap_or_default(),
        })
        .collect()
}

/// Whether `d` records a result of `kind` no later than `as_of`.
fn matches(d: &AnalysisRecordedDetails, kind: AnalysisKind, as_of: Timestamp) -> bool {
    d.kind == kind.as_str() && d.recorded.parse::<Timestamp>().is_ok_and(|t| t <= as_of)
}

/// The latest result of `kind` recorded at or before `as_of`, read and checked
/// against its custody entry; `None` when there is none.
pub fn latest(
    case: &Case,
    entries: &[CustodyEntry],
    kind: AnalysisKind,
    as_of: Timestamp,
) -> Result<Option<Recorded>, Error> {
    let Some(found) = all_recorded(entries)
        .into_iter()
        .rev()
        .find(|r| matches(&r.details, kind, as_of))
    else {
        return Ok(None);
    };
    let seq = found.entry.seq;
    let d = found.details;
    let rel = d.output;
    if rel.is_empty() || rel.split('/').any(|p| p == "..") || Path::new(&rel).is_absolute() {
        return Err(Error::BadRecord {
            seq,
            reason: format!("output path {rel:?}"),
        });
    }
    let path = case.root().join(&rel);
    let content = std::fs::read(&path).at(&path, "read recorded analysis result")?;
    let sha256 = cloudcase_util::hex::sha256_hex(&content);
    if sha256 != d.output_sha256 {
        return Err(Error::BadRecord {
            seq,
            reason: format!("{rel} no longer has the SHA-256 its custody entry records"),
        });
    }
    Ok(Some(Recorded {
        kind,
        path,
        rel,
        sha256,
        recorded: d.recorded,
        seq,
        command: d.command,
        summary: d.summary,
        content,
    }))
}
