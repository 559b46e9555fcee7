//! The recorded analysis results a report reads, as of a point in time.

use cloudcase_evidence::results::{latest, AnalysisKind, Recorded};
use cloudcase_evidence::{Case, CustodyEntry};
use cloudcase_model::HuntFinding;
use jiff::Timestamp;
use serde_json::Value;

use crate::{Cell, ReportError};

/// The latest recorded `scope` and `hunt` results as of a time, parsed.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The scope result and its JSON document.
    pub scope: Option<(Recorded, Value)>,
    /// The hunt result and its findings.
    pub hunt: Option<(Recorded, Vec<HuntFinding>)>,
}

/// `r` is not what its analysis writes.
fn bad(r: &Recorded, e: serde_json::Error) -> ReportError {
    ReportError::BadRecord(r.seq, format!("{} is not valid JSON: {e}", r.rel))
}

impl Analysis {
    /// Reads the latest results recorded at or before `as_of`.
    pub fn load(
        case: &Case,
        entries: &[CustodyEntry],
        as_of: Timestamp,
    ) -> Result<Analysis, ReportError> {
        let scope = match latest(case, entries, AnalysisKind::Scope, as_of)? {
            Some(r) => {
                let v = serde_json::from_slice(&r.content).map_err(|e| bad(&r, e))?;
                Some((r, v))
            }
            None => None,
        };
        let hunt = match latest(case, entries, AnalysisKind::Hunt, as_of)? {
            Some(r) => {
                let text = String::from_utf8_lossy(&r.content).into_owned();
                let findings = text
                    .lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(serde_json::from_str)
                    .collect::<Result<Vec<HuntFinding>, _>>()
                    .map_err(|e| bad(&r, e))?;
                Some((r, findings))
            }
            None => None,
        };
        Ok(Analysis { scope, hunt })
    }

    /// The SHA-256 of the scope result the report rests on (`""` without one).
    pub fn basis(&self) -> &str {
        self.scope.as_ref().map_or("", |(r, _)| r.sha256.as_str())
    }
}

/// A plain-text cell.
pub(crate) fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

/// A fixed-width cell (identifiers, hashes, attacker-chosen strings).
pub(crate) fn code(s: impl Into<String>) -> Cell {
    Cell::Code(s.into())
}
