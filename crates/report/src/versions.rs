//! Versions of a report kind, kept in `CASE/reports/index.jsonl` (written by
//! [`cloudcase_evidence::results::produce_report`]): one line per report
//! produced, with its version, as-of time, the analysis it read and the key
//! facts it stated, so the next version can say what changed.
//!
//! A report of the same kind resting on the same analysis result (say, the
//! Japanese edition of an English summary, or a reprint) keeps the version
//! number; a report resting on another result is the next version.

use cloudcase_evidence::results::IndexEntry;
use cloudcase_evidence::Case;

use crate::facts::Facts;
use crate::ReportError;

/// Where a new report stands among the earlier ones of its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// Its version, from 1.
    pub version: u64,
    /// The latest earlier version and the facts it stated, if any.
    pub previous: Option<Previous>,
}

/// The latest earlier version of a report kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Previous {
    /// Its version.
    pub version: u64,
    /// Its as-of time.
    pub as_of: String,
    /// The facts it stated (empty for a report that stated none).
    pub facts: Facts,
}

/// Every line of the case's report index that parses (a torn last line is ignored).
pub fn read_index(case: &Case) -> Result<Vec<IndexEntry<Facts>>, ReportError> {
    Ok(cloudcase_evidence::results::read_index(case)?)
}

/// The version of a `kind` report reading the analysis result `basis` (its
/// SHA-256), given the `index` lines.
pub fn place(index: &[IndexEntry<Facts>], kind: &str, basis: &str) -> Placement {
    let mine: Vec<&IndexEntry<Facts>> = index.iter().filter(|e| e.kind == kind).collect();
    let same = mine.iter().rev().find(|e| e.basis == basis);
    let version = match same {
        Some(e) => e.version,
        None => mine.iter().map(|e| e.version).max().unwrap_or(0) + 1,
    };
    let previous = mine
        .iter()
        .rev()
        .find(|e| e.version < version)
        .map(|e| Previous {
            version: e.version,
            as_of: e.as_of.clone(),
            facts: e.facts.clone().unwrap_or_default(),
        });
    Placement { version, previous }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, version: u64, basis: &str, facts: Option<Facts>) -> IndexEntry<Facts> {
        IndexEntry {
            kind: kind.into(),
            version,
            as_of: "T1".into(),
            basis: basis.into(),
            facts,
            ..IndexEntry::default()
        }
    }

    #[test]
    fn same_basis_keeps_the_version_and_new_basis_is_next() {
        let facts = Facts {
            compromised: "AKIA1".into(),
            ..Facts::default()
        };
        let mut index = vec![];
        let p = place(&index, "executive", "s1");
        assert_eq!((p.version, p.previous.is_none()), (1, true));
        index.push(entry("executive", 1, "s1", Some(facts.clone())));
        index.push(entry("technical", 7, "s1", None));
        assert_eq!(place(&index, "executive", "s1").version, 1);
        let p = place(&index, "executive", "s2");
        assert_eq!(p.version, 2);
        let previous = Previous {
            version: 1,
            as_of: "T1".into(),
            facts,
        };
        assert_eq!(p.previous, Some(previous));
    }
}
