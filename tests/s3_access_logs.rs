//! S3 server access logs read beside CloudTrail: one timeline in time order,
//! each event naming its log source, and `hunt` reading the same folder.

mod common;
use common::cloudcase;

use serde_json::Value;

fn logs() -> String {
    format!(
        "{}/tests/fixtures/s3_access/logs",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn lines(out: &std::process::Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn cloudtrail_and_access_logs_share_one_timeline_in_time_order() {
    let out = cloudcase(&["timeline", "--format", "jsonl", &logs()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("records: 7 parsed, 1 rejected (1 malformed log line)"),
        "{err}"
    );
    assert!(
        err.contains("record 4 at byte 1597: malformed log line: S3 server access log: quoted field key is not closed before the end of the line"),
        "{err}"
    );
    let events = lines(&out);
    let got: Vec<(&str, &str, &str)> = events
        .iter()
        .map(|e| {
            (
                e["cloudcase"]["time"].as_str().unwrap_or(""),
                e["cloudcase"]["source"].as_str().unwrap_or(""),
                e["eventName"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "2024-08-18T09:54:00.000Z",
                "cloudtrail",
                "GetCallerIdentity"
            ),
            ("2024-08-18T09:55:30.000Z", "s3_access", "GetObject"),
            ("2024-08-18T09:56:00.000Z", "s3_access", "ListObjects"),
            ("2024-08-18T09:56:30.000Z", "cloudtrail", "ListBuckets"),
            ("2024-08-18T09:57:00.000Z", "s3_access", "DeleteObject"),
            ("2024-08-18T09:58:00.000Z", "s3_access", "PutObject"),
            ("2024-08-18T10:01:00.000Z", "s3_access", "HeadObject"),
        ]
    );
    let read = &events[1];
    assert_eq!(read["sourceIPAddress"], "2001:db8::7");
    assert_eq!(read["cloudcase"]["principal"], "mallory");
    assert_eq!(read["requestParameters"]["bucketName"], "customer-data");
    assert_eq!(
        read["requestParameters"]["key"],
        "exports/customers%202024.csv"
    );
    assert_eq!(read["additionalEventData"]["bytesSent"], "52428800");
    assert_eq!(events[2]["errorCode"], "AccessDenied");
    assert_eq!(
        events[2]["s3AccessLog"]["referer"],
        "https://example.com/a page"
    );
    assert_eq!(events[4]["cloudcase"]["principal"], "Admin/alice");
    assert_eq!(events[5]["s3AccessLog"]["extraFields"][0], "future-field");
}

#[test]
fn hunt_reads_the_folder_without_errors() {
    let out = cloudcase(&["hunt", &logs()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("files: 3 seen, 3 read, 0 skipped; records: 7 parsed, 1 rejected"),
        "{err}"
    );
    assert!(!err.to_lowercase().contains("error:"), "{err}");
}
