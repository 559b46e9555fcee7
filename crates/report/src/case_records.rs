//! Analysis results recorded in a case, so that reports read what `scope` and
//! `hunt` concluded instead of deriving their own answers.
//!
//! A result is written atomically (temporary file + rename) to
//! `CASE/analysis/<kind>/<UTC time>[-<label>].<ext>`, never into `evidence/`,
//! and then attested by an `analysis_recorded` custody entry carrying its
//! SHA-256, the command line and the tool version. Reports find results
//! through the custody log only, and refuse a file whose hash no longer
//! matches its entry.

use std::path::{Path, PathBuf};

use cloudcase_evidence::{Action, Case, CustodyEntry};
use jiff::Timestamp;
use serde_json::{json, Value};

use crate::ReportError;

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

/// A result found through the custody log.
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

/// Writes `bytes` to `path` atomically and durably (temporary file, sync,
/// rename, directory sync), creating its folder: nobody ever sees a partial
/// file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    let io = |e: std::io::Error| ReportError::Write(path.to_path_buf(), e);
    std::fs::create_dir_all(cloudcase_util::fs::parent_dir(path)).map_err(io)?;
    cloudcase_util::fs::write_atomic(path, bytes).map_err(io)
}

/// Writes `rec` into the case and appends its `analysis_recorded` custody entry.
pub fn record(case: &Case, rec: &NewRecord<'_>) -> Result<Recorded, ReportError> {
    let now = Timestamp::now();
    let stamp = now.strftime("%Y%m%dT%H%M%S%.3fZ").to_string();
    let label = safe_label(rec.label);
    let name = if label.is_empty() {
        format!("{stamp}.{}", rec.kind.extension())
    } else {
        format!("{stamp}-{label}.{}", rec.kind.extension())
    };
    let rel = format!("{ANALYSIS_DIR}/{}/{name}", rec.kind.as_str());
    let path = case.root().join(&rel);
    write_atomically(&path, rec.content)?;
    let sha256 = cloudcase_util::hex::sha256_hex(rec.content);
    let recorded = now
        .round(jiff::Unit::Millisecond)
        .unwrap_or(now)
        .to_string();
    let entry = case.custody().append(
        Action::AnalysisRecorded,
        json!({
            "kind": rec.kind.as_str(),
            "output": rel,
            "output_sha256": sha256,
            "bytes": rec.content.len(),
            "recorded": recorded,
            "command": rec.command,
            "tool": rec.tool,
            "summary": rec.summary,
        }),
    )?;
    Ok(Recorded {
        kind: rec.kind,
        path,
        rel,
        sha256,
        recorded,
        seq: entry.seq,
        command: rec.command.clone(),
        summary: rec.summary.clone(),
        content: rec.content.to_vec(),
    })
}

/// Whether `e` records a result of `kind` no later than `as_of`.
fn matches(e: &CustodyEntry, kind: AnalysisKind, as_of: Timestamp) -> bool {
    e.action == Action::AnalysisRecorded
        && e.details.get("kind").and_then(Value::as_str) == Some(kind.as_str())
        && e.details
            .get("recorded")
            .and_then(Value::as_str)
            .and_then(|t| t.parse::<Timestamp>().ok())
            .is_some_and(|t| t <= as_of)
}

/// The latest result of `kind` recorded at or before `as_of`, read and
/// checked against its custody entry; `None` when there is none.
pub fn latest(
    case: &Case,
    entries: &[CustodyEntry],
    kind: AnalysisKind,
    as_of: Timestamp,
) -> Result<Option<Recorded>, ReportError> {
    let Some(e) = entries.iter().rev().find(|e| matches(e, kind, as_of)) else {
        return Ok(None);
    };
    let field = |k: &str| {
        e.details
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let rel = field("output");
    if rel.is_empty() || rel.split('/').any(|p| p == "..") || Path::new(&rel).is_absolute() {
        return Err(ReportError::BadRecord(
            e.seq,
            format!("output path {rel:?}"),
        ));
    }
    let path = case.root().join(&rel);
    let content = std::fs::read(&path).map_err(|err| ReportError::Read(path.clone(), err))?;
    let sha256 = cloudcase_util::hex::sha256_hex(&content);
    if sha256 != field("output_sha256") {
        return Err(ReportError::BadRecord(
            e.seq,
            format!("{rel} no longer has the SHA-256 its custody entry records"),
        ));
    }
    let command = e
        .details
        .get("command")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(Recorded {
        kind,
        path,
        rel,
        sha256,
        recorded: field("recorded"),
        seq: e.seq,
        command,
        summary: e.details.get("summary").cloned().unwrap_or(Value::Null),
        content,
    }))
}

/// Every `analysis_recorded` custody entry, oldest first, for the evidence
/// record to list what reports could rely on.
pub fn all_recorded(entries: &[CustodyEntry]) -> Vec<&CustodyEntry> {
    entries
        .iter()
        .filter(|e| e.action == Action::AnalysisRecorded)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(dir: &Path) -> Case {
        Case::init(&dir.join("case"), "t", "Aiko", "UTC").unwrap()
    }

    fn new(content: &[u8]) -> NewRecord<'_> {
        NewRecord {
            kind: AnalysisKind::Scope,
            label: "AKIA/../x y",
            content,
            command: vec!["cloudcase".into(), "scope".into()],
            tool: "cloudcase test",
            summary: json!({"n": 1}),
        }
    }

    #[test]
    fn latest_reads_the_newest_record_before_as_of_and_checks_its_hash() {
        let dir = tempfile::tempdir().unwrap();
        let c = case(dir.path());
        let first = record(&c, &new(b"{\"v\":1}")).unwrap();
        assert!(first.rel.starts_with("analysis/scope/"));
        assert!(!first.rel.contains(".."), "{}", first.rel);
        let cut = Timestamp::now();
        std::thread::sleep(std::time::Duration::from_millis(5));
        let second = record(&c, &new(b"{\"v\":2}")).unwrap();
        let entries = c.custody().entries().unwrap();
        let now = Timestamp::now();
        let got = latest(&c, &entries, AnalysisKind::Scope, now)
            .unwrap()
            .unwrap();
        assert_eq!(got.content, b"{\"v\":2}");
        assert_eq!(got.seq, second.seq);
        let got = latest(&c, &entries, AnalysisKind::Scope, cut)
            .unwrap()
            .unwrap();
        assert_eq!(got.seq, first.seq);
        assert!(latest(&c, &entries, AnalysisKind::Hunt, now)
            .unwrap()
            .is_none());
        assert_eq!(all_recorded(&entries).len(), 2);
        std::fs::write(&second.path, b"{\"v\":3}").unwrap();
        let err = latest(&c, &entries, AnalysisKind::Scope, now).unwrap_err();
        assert!(err.to_string().contains("SHA-256"), "{err}");
    }
}
