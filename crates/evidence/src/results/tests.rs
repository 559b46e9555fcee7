use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::*;
use crate::custody::Action;
use crate::Case;

fn case(dir: &Path) -> Case {
    Case::init(&dir.join("case"), "t", "Aiko", "UTC").expect("init")
}

fn new(kind: AnalysisKind, content: &[u8]) -> NewRecord<'_> {
    NewRecord {
        kind,
        label: "AKIA/../x y",
        content,
        command: vec!["cloudcase".into(), "scope".into()],
        tool: "cloudcase test",
        summary: json!({"n": 1}),
    }
}

#[test]
fn latest_reads_the_newest_record_before_as_of_and_checks_its_hash() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = case(dir.path());
    let first = record(&c, &new(AnalysisKind::Scope, b"{\"v\":1}")).expect("record");
    assert!(first.rel.starts_with("analysis/scope/"), "{}", first.rel);
    assert!(first.rel.ends_with("-AKIA----x-y.json"), "{}", first.rel);
    let cut = Timestamp::now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    let second = record(&c, &new(AnalysisKind::Scope, b"{\"v\":2}")).expect("record");
    let hunt = record(&c, &new(AnalysisKind::Hunt, b"{}\n")).expect("record");
    let entries = c.custody().entries().expect("entries");
    let now = Timestamp::now();
    let got = latest(&c, &entries, AnalysisKind::Scope, now)
        .expect("latest")
        .expect("found");
    assert_eq!(got.content, b"{\"v\":2}");
    assert_eq!(
        (got.seq, got.sha256.as_str()),
        (second.seq, second.sha256.as_str())
    );
    assert_eq!(got.summary, json!({"n": 1}));
    let got = latest(&c, &entries, AnalysisKind::Scope, cut)
        .expect("latest")
        .expect("found");
    assert_eq!(got.seq, first.seq);
    let got = latest(&c, &entries, AnalysisKind::Hunt, now)
        .expect("latest")
        .expect("found");
    assert!(got.rel.ends_with(".jsonl") && got.seq == hunt.seq);
    assert!(latest(&c, &entries, AnalysisKind::Hunt, cut)
        .expect("latest")
        .is_none());
    let all = all_recorded(&entries);
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].details.output, first.rel);
    assert_eq!(all[0].details.bytes, 7);
    assert_eq!(all[0].details.command, ["cloudcase", "scope"]);
}

#[test]
fn a_recorded_file_that_was_changed_or_an_unsafe_path_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = case(dir.path());
    let rec = record(&c, &new(AnalysisKind::Scope, b"{\"v\":1}")).expect("record");
    std::fs::write(&rec.path, b"{\"v\":3}").expect("tamper");
    let entries = c.custody().entries().expect("entries");
    let err = latest(&c, &entries, AnalysisKind::Scope, Timestamp::now()).unwrap_err();
    assert!(
        matches!(&err, Error::BadRecord { seq, reason } if *seq == rec.seq && reason.contains("SHA-256")),
        "{err}"
    );
    let forged = AnalysisRecordedDetails {
        kind: "scope".into(),
        output: "../outside.json".into(),
        recorded: "2020-01-01T00:00:00Z".into(),
        ..AnalysisRecordedDetails::default()
    };
    c.custody()
        .append(
            Action::AnalysisRecorded,
            serde_json::to_value(&forged).expect("json"),
        )
        .expect("append");
    let entries = c.custody().entries().expect("entries");
    let as_of = "2021-01-01T00:00:00Z".parse().expect("time");
    let err = latest(&c, &entries, AnalysisKind::Scope, as_of).unwrap_err();
    assert!(err.to_string().contains("output path"), "{err}");
}

/// A report's own facts, as the index keeps them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Facts {
    subject: String,
}

fn report<'a>(path: &'a Path, bytes: &'a [u8], basis: &'a str) -> NewReport<'a, Facts> {
    NewReport {
        path,
        bytes,
        kind: "executive",
        lang: "en",
        format: "md",
        version: 2,
        as_of: "2026-01-02T00:00:00Z",
        generated: "2026-01-02T00:00:01Z",
        read_custody_head: Some("ab".repeat(32)),
        relied_on: vec![ReliedOn {
            kind: "scope".into(),
            output: "analysis/scope/x.json".into(),
            sha256: basis.into(),
            custody_seq: 1,
        }],
        listings: Vec::new(),
        basis,
        facts: Some(Facts {
            subject: "AKIAEXAMPLE".into(),
        }),
    }
}

#[test]
fn produce_writes_the_file_its_custody_entry_and_its_index_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = case(dir.path());
    let path = c.layout().reports_dir().join("sub/executive.md");
    let basis = "cd".repeat(32);
    let done = produce_report(&c, report(&path, b"# Summary\n", &basis)).expect("produce");
    assert_eq!(std::fs::read(&path).expect("read"), b"# Summary\n");
    assert_eq!(done.sha256, cloudcase_util::hex::sha256_hex(b"# Summary\n"));
    let names: Vec<_> = std::fs::read_dir(path.parent().expect("parent"))
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, ["executive.md"], "no temporary file left");
    let entries = c.custody().entries().expect("entries");
    let last = entries.last().expect("entry");
    assert_eq!(
        (last.action.clone(), last.seq),
        (Action::ReportProduced, done.custody_seq)
    );
    let d: ReportProducedDetails = details_of(last).expect("typed details");
    assert_eq!(d.output_sha256, done.sha256);
    assert_eq!(d.relied_on[0].sha256, basis);
    assert_eq!((d.version, d.kind.as_str()), (2, "executive"));
    assert!(
        last.details.get("listings").is_none(),
        "no listings, no key"
    );
    let index: Vec<IndexEntry<Facts>> = read_index(&c).expect("index");
    assert_eq!(index.len(), 1);
    assert_eq!(index[0].custody_seq, done.custody_seq);
    assert_eq!(index[0].sha256, done.sha256);
    assert_eq!(index[0].basis, basis);
    assert_eq!(
        index[0].facts.as_ref().map(|f| f.subject.as_str()),
        Some("AKIAEXAMPLE")
    );
    let untyped: Vec<IndexEntry<serde_json::Value>> = read_index(&c).expect("index");
    assert_eq!(untyped[0].facts, Some(json!({"subject": "AKIAEXAMPLE"})));
}

#[test]
fn a_failed_write_records_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = case(dir.path());
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").expect("write");
    let before = c.custody().entries().expect("entries").len();
    let err = produce_report(&c, report(&blocker.join("r.md"), b"x", "")).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err}");
    assert_eq!(c.custody().entries().expect("entries").len(), before);
    assert!(read_index::<Facts>(&c).expect("index").is_empty());
}

#[test]
fn a_validation_is_recorded_with_typed_details() {
    let dir = tempfile::tempdir().expect("tempdir");
    let c = case(dir.path());
    let details = ValidatedDetails {
        ok: false,
        summary: "1 log file modified".into(),
        problem_count: 1,
        problems_by_kind: [("log_modified".to_owned(), 1)].into_iter().collect(),
        public_keys: vec![HashedFile {
            path: "/k.json".into(),
            sha256: "ef".repeat(32),
        }],
        ..ValidatedDetails::default()
    };
    let appended = record_validation(&c, &details).expect("record");
    let entries = c.custody().entries().expect("entries");
    let last = entries.last().expect("entry");
    assert_eq!(
        (last.action.clone(), last.seq),
        (Action::Validated, appended.seq)
    );
    assert_eq!(details_of::<ValidatedDetails>(last), Some(details));
    assert_eq!(
        details_of::<CheckOutcome>(last).and_then(|o| o.ok),
        Some(false)
    );
    assert_eq!(last.details["digests"]["outside_period"], 0);
    assert_eq!(last.details["requested"], json!({"from": null, "to": null}));
    let created = entries.first().expect("entry");
    assert_eq!(details_of::<CheckOutcome>(created).and_then(|o| o.ok), None);
}
