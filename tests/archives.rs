//! Archives from the command line: a zipped CloudTrail tree gives the same
//! timeline and hunt as the tree, its members shown as `archive!member`;
//! hostile archives are reported without a crash; a zip acquired into a case
//! is one evidence object whose members `hunt --case` reads.

mod common;
use common::cloudcase;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::Value;

fn record(time: &str, name: &str, source: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDAX","arn":"arn:aws:iam::111122223333:user/mallory","accountId":"111122223333","accessKeyId":"AKIAATTACKER00000001","userName":"mallory"}},"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.66","userAgent":"aws-cli/2.17.0","requestParameters":{{"userName":"backdoor"}},"responseElements":null,"requestID":"req","eventID":"{name}-{time}","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}}"#
    )
}

const KEYS: [&str; 2] = [
    "AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/01/111122223333_CloudTrail_us-east-1_20240601T1000Z_a.json.gz",
    "AWSLogs/111122223333/CloudTrail/us-east-1/2024/06/01/111122223333_CloudTrail_us-east-1_20240601T1005Z_b.json.gz",
];

/// The gzip delivery files of a small incident, by S3 key.
fn deliveries() -> Vec<(&'static str, Vec<u8>)> {
    let first = [
        record(
            "2024-06-01T10:00:00Z",
            "GetCallerIdentity",
            "sts.amazonaws.com",
        ),
        record("2024-06-01T10:01:00Z", "CreateUser", "iam.amazonaws.com"),
        record(
            "2024-06-01T10:02:00Z",
            "CreateAccessKey",
            "iam.amazonaws.com",
        ),
    ];
    let second = [
        record(
            "2024-06-01T10:05:00Z",
            "AttachUserPolicy",
            "iam.amazonaws.com",
        ),
        record(
            "2024-06-01T10:06:00Z",
            "StopLogging",
            "cloudtrail.amazonaws.com",
        ),
    ];
    [&first[..], &second[..]]
        .iter()
        .zip(KEYS)
        .map(|(records, key)| {
            let body = format!("{{\"Records\":[{}]}}", records.join(","));
            (key, gzip(body.as_bytes()))
        })
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// A zip of stored members (`flags` set on each as given), built by hand.
fn zip(members: &[(&str, u16, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, flags, data) in members {
        out.extend_from_slice(b"PK\x03\x04\x14\x00");
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&[0; 10]); // method (stored), time, date, crc
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
    }
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 18]);
    out
}

/// The incident as a tree and as `logs.zip`.
fn tree_and_zip(dir: &Path) -> (PathBuf, PathBuf) {
    let tree = dir.join("tree");
    let files = deliveries();
    for (key, bytes) in &files {
        let path = tree.join(key);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    let members: Vec<(&str, u16, &[u8])> = files.iter().map(|(k, b)| (*k, 0, &b[..])).collect();
    let zipped = dir.join("logs.zip");
    std::fs::write(&zipped, zip(&members)).unwrap();
    (tree, zipped)
}

fn ok(out: &Output) -> (String, String) {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    (String::from_utf8_lossy(&out.stdout).into_owned(), stderr)
}

fn lines(jsonl: &str) -> Vec<Value> {
    jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn timeline_of_a_zipped_tree_is_the_timeline_of_the_tree() {
    let dir = tempfile::tempdir().unwrap();
    let (tree, zipped) = tree_and_zip(dir.path());
    let (of_tree, _) = ok(&cloudcase(&["timeline", s(&tree), "--format", "jsonl"]));
    let (of_zip, stderr) = ok(&cloudcase(&["timeline", s(&zipped), "--format", "jsonl"]));
    let ids = |v: &[Value]| -> Vec<String> {
        v.iter()
            .map(|e| e["eventID"].as_str().unwrap().to_owned())
            .collect()
    };
    let (a, b) = (lines(&of_tree), lines(&of_zip));
    assert_eq!(a.len(), 5);
    assert_eq!(ids(&a), ids(&b));
    let first = b[0]["cloudcase"]["file"].as_str().unwrap();
    assert_eq!(first, format!("{}!{}", zipped.display(), KEYS[0]));
    assert!(
        stderr.contains("files: 2 seen, 2 read, 0 skipped; records: 5 parsed, 0 rejected"),
        "{stderr}"
    );
}

fn hunt_keys(jsonl: &str) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = lines(jsonl)
        .iter()
        .map(|f| (f["rule_id"].to_string(), f["event_id"].to_string()))
        .collect();
    keys.sort();
    keys
}

#[test]
fn hunt_of_a_zipped_tree_finds_what_the_tree_gives_and_a_case_reads_the_zip() {
    let dir = tempfile::tempdir().unwrap();
    let (tree, zipped) = tree_and_zip(dir.path());
    let args = ["--format", "jsonl", "--min-level", "informational"];
    let (of_tree, _) = ok(&cloudcase(&[&["hunt", s(&tree)][..], &args].concat()));
    let (of_zip, _) = ok(&cloudcase(&[&["hunt", s(&zipped)][..], &args].concat()));
    assert!(!hunt_keys(&of_tree).is_empty());
    assert_eq!(hunt_keys(&of_tree), hunt_keys(&of_zip));
    assert!(
        of_zip.contains("logs.zip!AWSLogs/111122223333/CloudTrail/"),
        "{of_zip}"
    );

    // Acquired into a case, the zip is one evidence object; hunt reads its members.
    let case = dir.path().join("case");
    ok(&cloudcase(&[
        "case",
        "init",
        s(&case),
        "--name",
        "t",
        "--examiner",
        "e",
    ]));
    ok(&cloudcase(&["acquire", "--case", s(&case), s(&zipped)]));
    let manifest = std::fs::read_to_string(case.join("manifest.jsonl")).unwrap();
    assert_eq!(manifest.lines().count(), 1, "{manifest}");
    let (of_case, stderr) = ok(&cloudcase(
        &[&["hunt", "--case", s(&case)][..], &args].concat(),
    ));
    assert_eq!(hunt_keys(&of_tree), hunt_keys(&of_case), "{stderr}");
    assert!(stderr.contains("files: 2 seen, 2 read"), "{stderr}");
}

#[test]
fn hostile_archives_are_reported_member_by_member_without_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let files = deliveries();
    let bomb = gzip(&vec![b' '; 3 << 20]);
    let hostile = zip(&[
        ("../../etc/passwd", 0, &files[0].1),
        ("secret.json.gz", 1, &files[1].1),
        ("bomb.json.gz", 0, &bomb),
        ("/abs/\u{1b}[2Jx.json.gz", 0, &files[1].1),
    ]);
    let path = dir.path().join("hostile.zip");
    std::fs::write(&path, &hostile).unwrap();
    let out = cloudcase(&[
        "timeline",
        s(&path),
        "--format",
        "jsonl",
        "--max-decompressed-bytes",
        "1000000",
    ]);
    let (stdout, stderr) = ok(&out);
    let events = lines(&stdout);
    assert_eq!(events.len(), 5, "{stderr}");
    let files: Vec<&str> = events
        .iter()
        .map(|e| e["cloudcase"]["file"].as_str().unwrap())
        .collect();
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("hostile.zip!%2E%2E/%2E%2E/etc/passwd")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("hostile.zip!abs/\\u{1b}[2Jx.json.gz")),
        "{files:?}"
    );
    assert!(stderr.contains("hostile.zip!secret.json.gz"), "{stderr}");
    assert!(stderr.contains("encrypted member, not read"), "{stderr}");
    assert!(stderr.contains("hostile.zip!bomb.json.gz"), "{stderr}");
    assert!(stderr.contains("1000000"), "{stderr}");
    assert!(
        stderr.contains("files: 4 seen, 3 read, 1 skipped"),
        "{stderr}"
    );
    assert!(!dir.path().join("etc").exists());

    let cut = dir.path().join("cut.zip");
    std::fs::write(&cut, &hostile[..hostile.len() / 3]).unwrap();
    let (_, stderr) = ok(&cloudcase(&["timeline", s(&cut)]));
    assert!(stderr.contains("truncated"), "{stderr}");
}

/// Every file under `dir`, as (path relative to `dir` with `/`, bytes), sorted.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_str().unwrap();
                out.push((rel.replace('\\', "/"), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The records of a delivery file (gzip or plain JSON).
fn records_of(bytes: &[u8]) -> Vec<Value> {
    let mut text = Vec::new();
    if bytes.starts_with(&[0x1f, 0x8b]) {
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(bytes), &mut text).unwrap();
    } else {
        text = bytes.to_vec();
    }
    let doc: Value = serde_json::from_slice(&text).unwrap();
    doc["Records"].as_array().cloned().unwrap_or_default()
}

/// Every `refs` entry of a scope document: (file, record, event id).
fn refs_of(v: &Value, out: &mut Vec<(String, u64, String)>) {
    match v {
        Value::Object(m) => {
            for r in m
                .get("refs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                out.push((
                    r["file"].as_str().unwrap().to_owned(),
                    r["record"].as_u64().unwrap(),
                    r["event_id"].as_str().unwrap_or_default().to_owned(),
                ));
            }
            m.values().for_each(|x| refs_of(x, out));
        }
        Value::Array(a) => a.iter().for_each(|x| refs_of(x, out)),
        _ => {}
    }
}

/// A scope document as JSON, without what differs from run to run.
fn scope_doc(args: &[&str]) -> Value {
    let (stdout, _) = ok(&cloudcase(args));
    let mut doc: Value = serde_json::from_str(&stdout).unwrap();
    if let Some(m) = doc.as_object_mut() {
        m.remove("generated_at");
        m.remove("case_record");
    }
    doc
}

#[test]
fn scope_of_a_zipped_incident_points_into_the_right_members_at_any_sort_memory() {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("tree");
    let truth = cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 5,
        out_dir: tree.clone(),
        target_bytes: 1_500_000,
        days: 10,
        incident: true,
        ..cloudcase_gen::Config::default()
    })
    .unwrap()
    .incident
    .unwrap();
    let files = files_under(&tree);
    let members: Vec<(&str, u16, &[u8])> = files.iter().map(|(k, b)| (&k[..], 0, &b[..])).collect();
    let zipped = dir.path().join("logs.zip");
    std::fs::write(&zipped, zip(&members)).unwrap();
    // The same zip named like a delivery file: its members are found only while reading, and
    // all share the archive's ordinal.
    let disguised = dir
        .path()
        .join("111122223333_CloudTrail_us-east-1_20240601T1000Z_all.json");
    std::fs::copy(&zipped, &disguised).unwrap();
    let records: std::collections::HashMap<&str, Vec<Value>> =
        files.iter().map(|(k, b)| (&k[..], records_of(b))).collect();
    for input in [&zipped, &disguised] {
        let args = ["scope", s(input), "--access-key", &truth.access_key_id];
        let args = [&args[..], &["--format", "json"]].concat();
        let whole = scope_doc(&args);
        // The smallest budget spills the window's candidates and uses, which then find their
        // files again by ordinal and member.
        let spilled = scope_doc(&[&args[..], &["--sort-memory", "0"]].concat());
        assert!(whole == spilled, "{} differs when spilled", input.display());
        let mut refs = Vec::new();
        refs_of(&spilled, &mut refs);
        assert!(refs.len() > 20, "{}: {} refs", input.display(), refs.len());
        let prefix = format!("{}!", input.display());
        let in_member = |file: &str, record: u64, event_id: &str| {
            let member = file
                .strip_prefix(&prefix)
                .unwrap_or_else(|| panic!("{file}"));
            let found = &records[member][record as usize];
            assert_eq!(found["eventID"].as_str(), Some(event_id), "{file} {record}");
        };
        for (file, record, event_id) in &refs {
            in_member(file, *record, event_id);
        }
        // The hunt's findings, held and merged through the external sort, name their member too.
        let hunt = ["hunt", s(input), "--format", "jsonl", "--min-level", "low"];
        let (found, _) = ok(&cloudcase(&[&hunt[..], &["--sort-memory", "0"]].concat()));
        let findings = lines(&found);
        assert!(findings.len() > 5, "{}: {found}", input.display());
        for f in &findings {
            let file = f["file"].as_str().unwrap();
            let record = f["record"].as_u64().unwrap();
            in_member(file, record, f["event_id"].as_str().unwrap());
        }
    }
}
