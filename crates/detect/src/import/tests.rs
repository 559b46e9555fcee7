use std::path::Path;
use std::sync::Arc;

use cloudcase_event::SourceFile;

use cloudcase_sigma::RuleSet;

use super::*;
use crate::sink::JsonlSink;

const RULE: &str = r#"
title: User Created
id: 11111111-2222-3333-4444-555555555555
status: test
level: high
tags: [attack.persistence, attack.t1136.003]
logsource: {product: aws, service: cloudtrail}
detection:
  selection: {eventName: CreateUser}
  condition: selection
"#;

fn record(id: &str, name: &str, minute: u32) -> String {
    format!(
        r#"{{"eventVersion":"1.08","eventTime":"2024-05-06T07:{minute:02}:00Z","eventSource":"iam.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","userIdentity":{{"type":"IAMUser","userName":"alice","accessKeyId":"AKIAEXAMPLE","accountId":"123456789012"}},"recipientAccountId":"123456789012","eventID":"{id}"}}"#
    )
}

/// One object in a fake case: `dir/evidence/objects/sha256/ab/<sha>` holding three records.
fn object(dir: &Path) -> Arc<SourceFile> {
    let sha = "ab".repeat(32);
    let path = dir.join(format!("evidence/objects/sha256/ab/{sha}"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let records = [
        record("e-0", "ListUsers", 1),
        record("e-1", "CreateUser", 2),
        record("e-2", "CreateUser", 3),
    ];
    std::fs::write(&path, format!("{{\"Records\":[{}]}}", records.join(","))).unwrap();
    Arc::new(SourceFile {
        path,
        sha256: Some(sha),
        origin: Some("s3://trail/k.json".into()),
        ordinal: 0,
        member: None,
    })
}

fn engine() -> Engine {
    let mut set = RuleSet::new();
    assert!(set.add_yaml("rule.yml", RULE).is_empty());
    set.compile().0
}

fn run(source: &str, files: &Vec<Arc<SourceFile>>) -> (ImportOutcome, Vec<LineRejection>, String) {
    let engine = engine();
    let opts = ImportOptions {
        engine: &engine,
        files,
        limits: Limits::default(),
        min_level: Level::Low,
        statuses: &[],
        threads: 2,
    };
    let mut rejected = Vec::new();
    let mut sink = JsonlSink::new(Vec::new(), jiff::tz::TimeZone::UTC);
    let outcome = import_findings(
        source.as_bytes(),
        &opts,
        &mut |r| rejected.push(r.clone()),
        &mut sink,
    )
    .unwrap();
    let out = String::from_utf8(sink.into_inner()).unwrap();
    (outcome, rejected, out)
}

#[test]
fn sql_rows_become_findings_rebuilt_from_the_rule_and_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![object(dir.path())];
    let file = files[0].path.to_string_lossy().into_owned();
    // Lines out of time order, with claimed columns that are wrong but not checked (title).
    let source = format!(
        "{{\"rule_id\":\"11111111-2222-3333-4444-555555555555\",\"rule_title\":\"x\",\"event_id\":\"e-2\",\"file\":\"{file}\",\"record\":2}}\n\
         {{\"rule_id\":\"11111111-2222-3333-4444-555555555555\",\"event_id\":\"e-1\",\"file\":\"s3://trail/k.json\",\"record\":\"1\"}}\n"
    );
    let (outcome, rejected, out) = run(&source, &files);
    assert!(rejected.is_empty(), "{rejected:?}");
    assert_eq!(outcome.format, ClaimFormat::SqlJsonl);
    assert_eq!(outcome.accounting.imported, 2);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["event_id"], "e-1");
    assert_eq!(lines[1]["event_id"], "e-2");
    assert_eq!(lines[0]["rule_title"], "User Created");
    assert_eq!(lines[0]["origin"], "imported");
    assert_eq!(lines[0]["level"], "high");
    assert_eq!(lines[0]["tactics"], "persistence");
    assert_eq!(lines[0]["techniques"], "T1136.003");
    assert_eq!(lines[0]["time"], "2024-05-06T07:02:00.000Z");
    assert_eq!(lines[0]["access_key"], "AKIAEXAMPLE");
    assert_eq!(lines[0]["sha256"], "ab".repeat(32));
    assert_eq!(lines[0]["file"], file.as_str());
    assert_eq!(lines[0]["record"], 1);
}

#[test]
fn every_false_claim_is_rejected_with_its_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let files = vec![object(dir.path())];
    let file = files[0].path.to_string_lossy().into_owned();
    let rule = "11111111-2222-3333-4444-555555555555";
    let csv = format!(
        "rule_id,event_id,file,record\n\
         {rule},e-1,{file},1\n\
         no-such-rule,e-1,{file},1\n\
         {rule},e-1,/etc/passwd,1\n\
         {rule},e-9,{file},9\n\
         {rule},e-1,{file},2\n\
         {rule},e-0,{file},0\n\
         {rule},e-1,{file},1\n\
         {rule},e-1,{file},one\n"
    );
    let (outcome, rejected, _) = run(&csv, &files);
    assert_eq!(outcome.format, ClaimFormat::SqlCsv);
    let got: Vec<(u64, Reason)> = rejected.iter().map(|r| (r.line, r.reason)).collect();
    assert_eq!(
        got,
        vec![
            (3, Reason::UnknownRule),
            (4, Reason::FileNotInCase),
            (5, Reason::NoSuchRecord),
            (6, Reason::EventIdMismatch),
            (7, Reason::RuleDoesNotMatch),
            (8, Reason::Duplicate),
            (9, Reason::Malformed),
        ]
    );
    let a = &outcome.accounting;
    assert_eq!((a.read, a.imported, a.rejected_total()), (8, 1, 7));
    let hunt = format!(
        "{{\"rule_id\":\"{rule}\",\"origin\":\"analytic\",\"file\":\"{file}\",\"record\":1}}\n\
         {{\"rule_id\":\"{rule}\",\"origin\":\"rule\",\"sha256\":\"{}\",\"file\":\"{file}\",\"record\":1}}\n",
        "cd".repeat(32)
    );
    let (outcome, rejected, _) = run(&hunt, &files);
    assert_eq!(outcome.format, ClaimFormat::HuntJsonl);
    let got: Vec<Reason> = rejected.iter().map(|r| r.reason).collect();
    assert_eq!(got, vec![Reason::NotARuleFinding, Reason::FileNotInCase]);
}

#[test]
fn a_file_that_is_neither_form_is_refused_whole() {
    let engine = engine();
    let opts = ImportOptions {
        engine: &engine,
        files: &Vec::new(),
        limits: Limits::default(),
        min_level: Level::Low,
        statuses: &[],
        threads: 1,
    };
    let mut sink = JsonlSink::new(Vec::new(), jiff::tz::TimeZone::UTC);
    let err = import_findings(b"a,b\n1,2\n", &opts, &mut |_| {}, &mut sink).unwrap_err();
    assert!(matches!(err, ImportError::Format(_)), "{err}");
    let err = import_findings(b"\xff\xfe", &opts, &mut |_| {}, &mut sink).unwrap_err();
    assert!(matches!(err, ImportError::NotText));
}
