//! CloudTrail records wrapped by SIEM exports and query results, read by
//! `cloudcase timeline` and `cloudcase hunt` with nothing rejected.

mod common;
use common::cloudcase;

use serde_json::Value;

/// The three calls every export fixture holds, in time order.
const TIMES: [&str; 3] = [
    "2024-08-18T09:53:52.000Z",
    "2024-08-18T09:54:10.000Z",
    "2024-08-18T09:55:01.000Z",
];
const NAMES: [&str; 3] = ["GetCallerIdentity", "ListBuckets", "ListUsers"];

/// Each export and the time field of each of its records.
const EXPORTS: &[(&str, [Option<&str>; 3])] = &[
    (
        "logstash.jsonl",
        [None, Some("@timestamp"), Some("@timestamp")],
    ),
    (
        "filebeat.jsonl",
        [Some("@timestamp"), Some("@timestamp"), Some("@timestamp")],
    ),
    ("splunk.json", [None, Some("_time"), None]),
    ("splunk_export.jsonl", [None, None, Some("_time")]),
    ("lake.json", [None, None, None]),
    (
        "elasticsearch_hits.json",
        [Some("@timestamp"), Some("@timestamp"), Some("@timestamp")],
    ),
];

fn fixture(name: &str) -> String {
    format!("{}/tests/fixtures/siem/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn every_export_is_read_with_nothing_rejected_and_its_times_sourced() {
    for (name, fields) in EXPORTS {
        let out = cloudcase(&["timeline", "--format", "jsonl", &fixture(name)]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{name}: {err}");
        assert!(
            err.contains("records: 3 parsed, 0 rejected"),
            "{name}: {err}"
        );
        let events = lines(&out);
        assert_eq!(events.len(), 3, "{name}");
        for (i, ev) in events.iter().enumerate() {
            assert_eq!(ev["cloudcase"]["time"], TIMES[i], "{name} #{i}");
            assert_eq!(ev["eventName"], NAMES[i], "{name} #{i}");
            assert_eq!(
                ev["cloudcase"]["time_field"].as_str(),
                fields[i],
                "{name} #{i}"
            );
        }
    }
}

#[test]
fn wrapped_identities_and_ecs_fields_are_the_cloudtrail_ones() {
    let out = cloudcase(&["timeline", "--format", "jsonl", &fixture("filebeat.jsonl")]);
    let ev = &lines(&out)[1];
    assert_eq!(ev["eventSource"], "s3.amazonaws.com");
    assert_eq!(ev["sourceIPAddress"], "198.51.100.4");
    assert_eq!(ev["awsRegion"], "eu-west-1");
    assert_eq!(
        ev["cloudcase"]["principal"],
        "arn:aws:iam::111122223333:user/mallory"
    );
    let out = cloudcase(&["timeline", "--format", "jsonl", &fixture("logstash.jsonl")]);
    let dotted = &lines(&out)[2];
    assert_eq!(dotted["userIdentity"]["userName"], "mallory");
}

#[test]
fn a_logstash_line_that_is_not_cloudtrail_is_rejected_by_name() {
    let out = cloudcase(&[
        "timeline",
        "--format",
        "jsonl",
        &fixture("logstash_mixed.jsonl"),
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(lines(&out).len(), 2);
    assert!(
        err.contains("records: 2 parsed, 1 rejected (1 not a CloudTrail record)"),
        "{err}"
    );
    assert!(
        err.contains("record 1 at byte 839: not a CloudTrail record: a Logstash/Elastic document without a CloudTrail record"),
        "{err}"
    );
}

#[test]
fn hunt_reads_every_export_with_nothing_rejected() {
    let files: Vec<String> = EXPORTS.iter().map(|(n, _)| fixture(n)).collect();
    let mut args = vec!["hunt"];
    args.extend(files.iter().map(String::as_str));
    let out = cloudcase(&args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("files: 6 seen, 6 read, 0 skipped; records: 18 parsed, 0 rejected"),
        "{err}"
    );
}
