//! What the scope integration tests share: running scope over a folder or over records, and
//! reading lists of strings out of the serialized result.
#![allow(dead_code)] // each test file uses a part

use std::io::Write;
use std::path::Path;

use cloudcase_model::scope::ScopeResult;
use cloudcase_read::{discover, Limits, Progress};
use cloudcase_scope::{scope, Options, Subject};
use serde_json::Value;

/// Scopes every input under `dir` from `subject` (two threads, no owner ranges, no inventory).
pub fn scope_dir(dir: &Path, subject: Subject) -> ScopeResult {
    let inputs = discover(&[dir.to_path_buf()], &|_| {}).expect("inputs");
    let opts = Options {
        subject,
        owner: vec![],
        threads: 2,
        limits: Limits::default(),
        case_id: "t".into(),
        inventory: Vec::new(),
        candidate_memory: cloudcase_scope::DEFAULT_CANDIDATE_MEMORY,
        temp_dir: None,
    };
    scope(&inputs.files, &opts, &|_| {}, &Progress::default())
        .expect("scoped")
        .result
}

/// Scopes `records`, written as one JSON Lines trail, from `subject`.
pub fn scope_records(records: &[Value], subject: Subject) -> ScopeResult {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut f = std::fs::File::create(dir.path().join("trail.jsonl")).expect("a trail file");
    for r in records {
        writeln!(f, "{r}").expect("written");
    }
    drop(f);
    scope_dir(dir.path(), subject)
}

/// The result as JSON, as `scope --format json` writes it.
pub fn to_json(result: &ScopeResult) -> Value {
    serde_json::to_value(result).expect("serializes")
}

/// The string `key` of every element of the array `v`.
pub fn field_values(v: &Value, key: &str) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x[key].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// The strings of the array `v`.
pub fn string_values(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}
