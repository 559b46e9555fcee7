//! `cloudcase report evidence` and reading a case's evidence with `timeline --case`.

mod common;
use common::cloudcase;

use std::path::Path;

fn ok(args: &[&str]) -> String {
    let out = cloudcase(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A case holding a small generated incident (gzip S3 delivery files).
fn case_with_logs(dir: &Path) -> (String, cloudcase_gen::Summary) {
    let logs = dir.join("logs");
    let truth = cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 5,
        out_dir: logs.clone(),
        target_bytes: 200_000,
        days: 3,
        incident: true,
        ..cloudcase_gen::Config::default()
    })
    .unwrap();
    let case = dir.join("case");
    let c = case.to_str().unwrap().to_owned();
    ok(&[
        "case",
        "init",
        &c,
        "--name",
        "<script>alert(1)</script> =HYPERLINK(\"http://x\",\"y\")",
        "--examiner",
        "Aiko Tanaka",
        "--tz",
        "Asia/Tokyo",
    ]);
    ok(&["acquire", "--case", &c, logs.to_str().unwrap()]);
    (c, truth)
}

fn sha256s(case: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in std::fs::read_to_string(Path::new(case).join("manifest.jsonl"))
        .unwrap()
        .lines()
    {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        out.push(v["sha256"].as_str().unwrap().to_owned());
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn evidence_record_lists_every_hash_in_both_languages_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (case, _) = case_with_logs(dir.path());
    ok(&["verify", "--case", &case]);
    let hashes = sha256s(&case);
    assert!(hashes.len() > 10);
    for (lang, format, marker) in [
        ("en", "md", "Chain of custody"),
        ("ja", "md", "保管の連続性"),
        ("en", "html", "Evidence record"),
        ("ja", "html", "証拠記録"),
    ] {
        let path = ok(&[
            "report", "evidence", "--case", &case, "--lang", lang, "--format", format,
        ]);
        let text = std::fs::read_to_string(path.trim()).unwrap();
        assert!(text.contains(marker), "{lang} {format}");
        for h in &hashes {
            assert!(text.contains(h.as_str()), "{lang} {format} lacks {h}");
        }
        assert!(
            !text.contains("<script>"),
            "{lang} {format} lets markup through"
        );
        if format == "html" {
            assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
            assert!(text.contains(&format!("lang=\"{lang}\"")));
        }
    }
    ok(&[
        "report", "--kind", "evidence", "--case", &case, "--format", "md", "--lang", "en",
    ]);
    let custody = std::fs::read_to_string(Path::new(&case).join("custody.jsonl")).unwrap();
    assert_eq!(custody.matches("\"report_produced\"").count(), 5);
    let verify = ok(&["verify", "--case", &case]);
    assert!(verify.contains("INTACT"), "{verify}");
}

#[test]
fn the_record_states_what_was_last_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (case, _) = case_with_logs(dir.path());
    let before = ok(&["report", "evidence", "--case", &case, "--format", "md"]);
    assert!(std::fs::read_to_string(before.trim())
        .unwrap()
        .contains("Not verified yet"));
    ok(&["verify", "--case", &case]);
    let after = ok(&["report", "evidence", "--case", &case, "--format", "md"]);
    let text = std::fs::read_to_string(after.trim()).unwrap();
    assert!(text.contains("intact (ok=true"), "{text}");
}

#[test]
fn reports_need_a_kind() {
    let dir = tempfile::tempdir().unwrap();
    let (case, _) = case_with_logs(dir.path());
    let out = cloudcase(&["report", "--case", &case]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("name the report kind"));
}

#[test]
fn timeline_reads_a_case_with_hashes_and_original_locations() {
    let dir = tempfile::tempdir().unwrap();
    let (case, truth) = case_with_logs(dir.path());
    let out = ok(&["timeline", "--case", &case, "--format", "jsonl", "--strict"]);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, truth.records);
    let first = &lines[0]["cloudcase"];
    assert_eq!(first["sha256"].as_str().unwrap().len(), 64);
    assert!(first["origin"].as_str().unwrap().contains("/AWSLogs/"));
    assert!(first["file"]
        .as_str()
        .unwrap()
        .contains("/evidence/objects/sha256/"));
    let verify = ok(&["verify", "--case", &case]);
    assert!(
        verify.contains("INTACT"),
        "reading a case must not change it: {verify}"
    );
}
