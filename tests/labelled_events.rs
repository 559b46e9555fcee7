//! Recall and benign rate of the built-in rule pack on labelled CloudTrail events that were
//! written for another vendor's rules: the unit tests of Panther's AWS CloudTrail detections
//! (`../shared/datasets/panther-cloudtrail-tests/tests.jsonl`, one record per test, with
//! `expected_result` true when the record is malicious for Panther's rule and false when it is a
//! benign lookalike: a read-only variant, a failed call, a benign parameter).
//!
//! Every record is written to a file of its own and `cloudcase hunt` runs over the folder with
//! the built-in pack only (`--no-analytics`); a record counts as flagged when at least one rule
//! finding points to its file. The assertions are regression floors just below the rates
//! measured when the pack was last tuned (printed by the test), not targets met by
//! construction: a change that loses coverage or flags more lookalikes fails here. The rules
//! were written for categories of behaviour, not for these records; `bench/labelled_events.py`
//! prints the misses and the flagged lookalikes one by one.
//!
//! 21 of the 319 records are rejected by the reader (10 are not CloudTrail records, 10 have
//! no eventTime, 1 an invalid one); 11 of them are labelled malicious, so the best reachable
//! recall is 135 / 146.
//!
//! Without ../shared the test prints `SKIPPED: ../shared not found` (and fails when
//! `CLOUDCASE_REQUIRE_SHARED` is set).

mod common;
use common::cloudcase;

use std::collections::HashSet;
use std::path::Path;

use serde_json::Value;

/// Labels of the test records, in file order.
fn write_events(tests: &Path, dir: &Path) -> Vec<bool> {
    let text = std::fs::read_to_string(tests).expect("read tests.jsonl");
    let mut labels = Vec::new();
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let test: Value = serde_json::from_str(line).expect("a JSON test record");
        let malicious = test["expected_result"]
            .as_bool()
            .expect("expected_result is a boolean");
        let body = serde_json::json!({ "Records": [test["log"].clone()] });
        std::fs::write(dir.join(format!("t{i:04}.json")), body.to_string()).unwrap();
        labels.push(malicious);
    }
    labels
}

struct Rates {
    malicious: usize,
    flagged_malicious: usize,
    benign: usize,
    flagged_benign: usize,
}

impl Rates {
    fn recall(&self) -> f64 {
        self.flagged_malicious as f64 / self.malicious as f64
    }
    fn benign_rate(&self) -> f64 {
        self.flagged_benign as f64 / self.benign as f64
    }
}

/// Runs hunt over `dir` (with `--min-level` when given) and counts flagged records.
fn measure(dir: &Path, labels: &[bool], min_level: Option<&str>) -> Rates {
    let d = dir.to_str().unwrap();
    let mut args = vec!["hunt", d, "--format", "jsonl", "--no-analytics", "--quiet"];
    if let Some(level) = min_level {
        args.extend(["--min-level", level]);
    }
    let out = cloudcase(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut flagged: HashSet<String> = HashSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let finding: Value = serde_json::from_str(line).expect("a JSON finding");
        if finding["origin"] == "analytic" {
            continue;
        }
        let file = finding["file"].as_str().expect("finding names its file");
        let name = Path::new(file).file_name().unwrap().to_string_lossy();
        flagged.insert(name.into_owned());
    }
    let mut rates = Rates {
        malicious: 0,
        flagged_malicious: 0,
        benign: 0,
        flagged_benign: 0,
    };
    for (i, &malicious) in labels.iter().enumerate() {
        let hit = flagged.contains(&format!("t{i:04}.json"));
        if malicious {
            rates.malicious += 1;
            rates.flagged_malicious += usize::from(hit);
        } else {
            rates.benign += 1;
            rates.flagged_benign += usize::from(hit);
        }
    }
    rates
}

fn report(what: &str, r: &Rates) {
    println!(
        "{what}: malicious {}/{} flagged (recall {:.3}); benign lookalikes {}/{} flagged ({:.3})",
        r.flagged_malicious,
        r.malicious,
        r.recall(),
        r.flagged_benign,
        r.benign,
        r.benign_rate()
    );
}

#[test]
fn panther_cloudtrail_tests_recall_and_benign_rate() {
    let Some(tests) = common::shared("datasets/panther-cloudtrail-tests/tests.jsonl") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let labels = write_events(&tests, dir.path());
    assert_eq!(
        labels.len(),
        319,
        "the data set changed: re-measure the floors"
    );

    // hunt's default --min-level (low).
    let default = measure(dir.path(), &labels, None);
    report("default min level (low)", &default);
    let informational = measure(dir.path(), &labels, Some("informational"));
    report("--min-level informational", &informational);
    let medium = measure(dir.path(), &labels, Some("medium"));
    report("--min-level medium", &medium);

    // Measured when the floors were set: low 0.733 / 0.110, informational 0.774 / 0.145,
    // medium 0.459 / 0.069 (hunt demotes repeats of a rule for one principal, so the medium
    // figure depends on the engine as well as on the rules). Floors: recall at most about 0.02
    // below, benign rate at most 0.02 above.
    assert!(default.recall() >= 0.71, "recall at the default level fell");
    assert!(
        default.benign_rate() <= 0.13,
        "more lookalikes flagged at the default level"
    );
    assert!(
        informational.recall() >= 0.75,
        "recall at informational fell"
    );
    assert!(
        informational.benign_rate() <= 0.17,
        "more lookalikes flagged at informational"
    );
    assert!(medium.recall() >= 0.43, "recall at medium fell");
    assert!(
        medium.benign_rate() <= 0.09,
        "more lookalikes flagged at medium"
    );
}
