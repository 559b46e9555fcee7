//! The recorded analysis results a report reads, as of a point in time.

use cloudcase_evidence::results::{latest, AnalysisKind, Recorded};
use cloudcase_evidence::{Case, CustodyEntry};
use cloudcase_model::{HuntFinding, ScopeResult};
use jiff::Timestamp;
use serde::Serialize;

use crate::{Cell, ReportError};

/// The latest recorded `scope` and `hunt` results as of a time, parsed.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The scope result.
    pub scope: Option<Loaded<ScopeResult>>,
    /// The hunt result: its findings.
    pub hunt: Option<Loaded<Vec<HuntFinding>>>,
}

/// A recorded result and what it says.
#[derive(Debug, Clone)]
pub struct Loaded<T> {
    /// The record: file, hash, custody entry.
    pub record: Recorded,
    /// Its content, parsed.
    pub result: T,
}

/// `r` is not what its analysis writes (not JSON, or not the shape of its result).
fn bad(r: &Recorded, e: serde_json::Error) -> ReportError {
    ReportError::BadRecord(
        r.seq,
        format!("{} is not a valid {} result: {e}", r.rel, r.kind.as_str()),
    )
}

impl Analysis {
    /// Reads the latest results recorded at or before `as_of`.
    pub fn load(
        case: &Case,
        entries: &[CustodyEntry],
        as_of: Timestamp,
    ) -> Result<Analysis, ReportError> {
        let scope = match latest(case, entries, AnalysisKind::Scope, as_of)? {
            Some(record) => {
                let result =
                    serde_json::from_slice(&record.content).map_err(|e| bad(&record, e))?;
                Some(Loaded { record, result })
            }
            None => None,
        };
        let hunt = match latest(case, entries, AnalysisKind::Hunt, as_of)? {
            Some(record) => {
                let text = String::from_utf8_lossy(&record.content).into_owned();
                let result = text
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(serde_json::from_str)
                    .collect::<Result<Vec<HuntFinding>, _>>()
                    .map_err(|e| bad(&record, e))?;
                Some(Loaded { record, result })
            }
            None => None,
        };
        Ok(Analysis { scope, hunt })
    }

    /// The SHA-256 of the scope result the report rests on (`""` without one).
    pub fn basis(&self) -> &str {
        self.scope.as_ref().map_or("", |s| s.record.sha256.as_str())
    }
}

/// A plain-text cell.
pub(crate) fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// The cell naming the recorded result a report rests on (its path and SHA-256), or saying in
/// `lang` that there is none (`none` is the text's key).
pub(crate) fn basis(lang: crate::i18n::Lang, recorded: Option<&Recorded>, none: &str) -> Cell {
    match recorded {
        Some(r) => code(format!("{} (SHA-256 {})", r.rel, r.sha256)),
        None => text(crate::i18n::t(lang, none)),
    }
}

/// A fixed-width cell (identifiers, hashes, attacker-chosen strings).
pub(crate) fn code(s: impl Into<String>) -> Cell {
    Cell::Code(s.into())
}

/// The code an enum of the scope document is written as in JSON (`access_key`,
/// `NOT_OBSERVED`, …): what reports show and compare, whatever the type's own
/// display names.
pub(crate) fn wire<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// An optional string, `""` when absent.
pub(crate) fn opt(s: &Option<String>) -> &str {
    s.as_deref().unwrap_or_default()
}
