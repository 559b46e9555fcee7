//! Versions of a report kind, kept in `CASE/reports/index.jsonl`: one line per
//! report produced, with its version, as-of time, the analysis it read and the
//! key facts it stated, so the next version can say what changed.
//!
//! A report of the same kind resting on the same analysis result (say, the
//! Japanese edition of an English summary, or a reprint) keeps the version
//! number; a report resting on another result is the next version.

use std::io::Write;

use cloudcase_evidence::Case;
use serde_json::Value;

use crate::facts::{str_at, Facts};
use crate::ReportError;

/// File name of the index inside `reports/`.
pub const INDEX_FILE: &str = "index.jsonl";

/// Where a new report stands among the earlier ones of its kind.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    /// Its version, from 1.
    pub version: u64,
    /// The latest earlier version and the facts it stated, if any.
    pub previous: Option<(u64, String, Facts)>,
}

/// Every line of the index that parses (a torn last line is ignored).
pub fn read_index(case: &Case) -> Result<Vec<Value>, ReportError> {
    let path = case.layout().reports_dir().join(INDEX_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(ReportError::Read(path, e)),
    }
}

/// The version of a `kind` report reading the analysis result `basis` (its
/// SHA-256), given the `index` lines.
pub fn place(index: &[Value], kind: &str, basis: &str) -> Placement {
    let mine: Vec<&Value> = index
        .iter()
        .filter(|e| str_at(e, "/kind") == kind)
        .collect();
    let version_of = |e: &Value| e.get("version").and_then(Value::as_u64).unwrap_or(0);
    let same = mine.iter().rev().find(|e| str_at(e, "/basis") == basis);
    let version = match same {
        Some(e) => version_of(e),
        None => mine.iter().map(|e| version_of(e)).max().unwrap_or(0) + 1,
    };
    let previous = mine
        .iter()
        .rev()
        .find(|e| version_of(e) < version)
        .map(|e| {
            (
                version_of(e),
                str_at(e, "/as_of").to_owned(),
                Facts::from_json(e.get("facts").unwrap_or(&Value::Null)),
            )
        });
    Placement { version, previous }
}

/// Appends `entry` as one line to the index (one write, then a sync).
pub fn append_index(case: &Case, entry: &Value) -> Result<(), ReportError> {
    let path = case.layout().reports_dir().join(INDEX_FILE);
    let io = |e: std::io::Error| ReportError::Write(path.clone(), e);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(io)?;
    file.write_all(format!("{entry}\n").as_bytes())
        .map_err(io)?;
    file.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn same_basis_keeps_the_version_and_new_basis_is_next() {
        let facts = Facts {
            compromised: "AKIA1".into(),
            ..Facts::default()
        };
        let mut index = vec![];
        let p = place(&index, "executive", "s1");
        assert_eq!((p.version, p.previous.is_none()), (1, true));
        index.push(json!({"kind": "executive", "version": 1, "as_of": "T1", "basis": "s1", "facts": facts.to_json()}));
        index.push(json!({"kind": "technical", "version": 7, "as_of": "T1", "basis": "s1"}));
        assert_eq!(place(&index, "executive", "s1").version, 1);
        let p = place(&index, "executive", "s2");
        assert_eq!(p.version, 2);
        assert_eq!(p.previous, Some((1, "T1".into(), facts)));
    }
}
