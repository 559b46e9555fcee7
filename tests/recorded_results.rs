//! What `hunt --format jsonl` writes, and what `hunt --case` records, reads as the model's
//! finding type with unknown keys refused, and writes back to the same keys and values: the
//! report reads the same fields the hunt wrote.

mod common;
use common::ok;

use std::path::Path;

use cloudcase_model::HuntFinding;

/// Each non-empty line as a finding, checked to write back to the same JSON.
fn findings(jsonl: &str) -> Vec<HuntFinding> {
    jsonl
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let finding: HuntFinding =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            let written: serde_json::Value = serde_json::from_str(line).expect("JSON");
            assert_eq!(serde_json::to_value(&finding).expect("JSON"), written);
            finding
        })
        .collect()
}

#[test]
fn hunt_findings_read_as_the_model_type_from_a_case_and_from_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("logs");
    cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 5,
        out_dir: logs.clone(),
        target_bytes: 200_000,
        days: 3,
        incident: true,
        ..cloudcase_gen::Config::default()
    })
    .expect("generate");
    let from_files = findings(&ok(&[
        "hunt",
        logs.to_str().expect("path"),
        "--format",
        "jsonl",
    ]));
    assert!(!from_files.is_empty());
    assert!(from_files
        .iter()
        .all(|f| !f.rule_title.is_empty() && !f.file.is_empty()));

    let case = dir.path().join("case");
    let c = case.to_str().expect("path");
    ok(&["case", "init", c, "--name", "n", "--examiner", "e"]);
    ok(&["acquire", "--case", c, logs.to_str().expect("path")]);
    let printed = findings(&ok(&["hunt", "--case", c, "--format", "jsonl"]));
    assert_eq!(printed.len(), from_files.len());
    assert!(printed
        .iter()
        .all(|f| f.sha256.len() == 64 && !f.origin_path.is_empty()));
    let hunt_dir = Path::new(c).join("analysis/hunt");
    let recorded: Vec<_> = std::fs::read_dir(&hunt_dir)
        .expect("analysis/hunt")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(recorded.len(), 1);
    let content = std::fs::read_to_string(&recorded[0]).expect("read");
    assert_eq!(findings(&content), printed);
}
