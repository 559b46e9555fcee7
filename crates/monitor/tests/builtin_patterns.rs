//! Every built-in rule compiled to an event pattern matches each of its rule's positive test
//! events and none of its negative ones (rules/builtin/tests/<stem>/), wrapped in the
//! EventBridge envelope and judged by the crate's matcher.

use std::path::{Path, PathBuf};

use cloudcase_monitor::{builtin_rules, envelope, matches};
use serde_json::Value;

fn tests_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/builtin/tests")
}

/// `(file name, positive?, record)` for a rule file stem.
fn cases(stem: &str) -> Vec<(String, bool, Value)> {
    let dir = tests_dir().join(stem);
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        let v: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        out.push((name.clone(), name.starts_with("positive"), v));
    }
    out
}

#[test]
fn every_pattern_matches_its_positives_and_no_negative() {
    let compiled = builtin_rules().unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for r in &compiled.rules {
        let stem = r.file.trim_end_matches(".yml");
        let cs = cases(stem);
        assert!(
            cs.iter().any(|c| c.1) && cs.iter().any(|c| !c.1),
            "{stem}: needs positives and negatives"
        );
        for (file, positive, record) in cs {
            checked += 1;
            if matches(&r.pattern, &envelope(&record)) != positive {
                failures.push(format!(
                    "{stem}/{file}: expected {}",
                    if positive { "a match" } else { "no match" }
                ));
            }
        }
    }
    eprintln!(
        "{} rules compiled, {} refused, {checked} test events",
        compiled.rules.len(),
        compiled.refused.len()
    );
    for r in &compiled.refused {
        eprintln!("refused {}: {}", r.source, r.reason);
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        compiled.rules.len() >= 100,
        "only {} rules compiled",
        compiled.rules.len()
    );
}
