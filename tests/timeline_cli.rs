//! `cloudcase timeline` and `cloudcase stats` from the command line.

mod common;
use common::cloudcase;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

struct Rec<'a> {
    time: &'a str,
    name: &'a str,
    source: &'a str,
    region: &'a str,
    key: &'a str,
    user: &'a str,
    ip: &'a str,
    ua: &'a str,
    error: Option<&'a str>,
    read_only: bool,
}

fn json(r: &Rec) -> String {
    let error = r
        .error
        .map(|e| format!(",\"errorCode\":\"{e}\",\"errorMessage\":\"denied\""))
        .unwrap_or_default();
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDA{user}","arn":"arn:aws:iam::111122223333:user/{user}","accountId":"111122223333","accessKeyId":"{key}","userName":"{user}"}},"eventTime":"{time}","eventSource":"{source}","eventName":"{name}","awsRegion":"{region}","sourceIPAddress":"{ip}","userAgent":{ua},"requestParameters":null,"responseElements":null,"requestID":"req","eventID":"{name}-{time}","readOnly":{ro},"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"{error}}}"#,
        user = serde_json::to_string(r.user).unwrap().trim_matches('"'),
        key = r.key,
        time = r.time,
        source = r.source,
        name = r.name,
        region = r.region,
        ip = r.ip,
        ua = serde_json::to_string(r.ua).unwrap(),
        ro = r.read_only,
    )
}

const OWNER: Rec = Rec {
    time: "",
    name: "",
    source: "ec2.amazonaws.com",
    region: "us-east-1",
    key: "AKIAOWNER00000000001",
    user: "alice",
    ip: "198.51.100.10",
    ua: "aws-cli/2.17.0",
    error: None,
    read_only: true,
};

/// Two S3 delivery files whose events interleave in time, gzip'd, in the real layout.
fn incident(dir: &Path) -> PathBuf {
    let a = [
        Rec {
            time: "2024-06-01T10:00:00Z",
            name: "DescribeInstances",
            ..OWNER
        },
        Rec {
            time: "2024-06-01T10:02:00Z",
            name: "GetCallerIdentity",
            source: "sts.amazonaws.com",
            key: "AKIALEAKED0000000001",
            user: "deploy-bot",
            ip: "203.0.113.66",
            ua: "python-requests/2.31",
            ..OWNER
        },
        Rec {
            time: "2024-06-01T10:04:00Z",
            name: "CreateUser",
            source: "iam.amazonaws.com",
            key: "AKIALEAKED0000000001",
            user: "deploy-bot",
            ip: "203.0.113.66",
            ua: "python-requests/2.31",
            read_only: false,
            ..OWNER
        },
    ];
    let b = [
        Rec {
            time: "2024-06-01T10:01:00Z",
            name: "ListBuckets",
            source: "s3.amazonaws.com",
            ..OWNER
        },
        Rec {
            time: "2024-06-01T10:03:00Z",
            name: "RunInstances",
            region: "ap-southeast-1",
            key: "AKIALEAKED0000000001",
            user: "=HYPERLINK(\"http://x\",\"y\")",
            ip: "203.0.113.67",
            ua: "<script>alert(1)</script>\u{1b}[2J",
            read_only: false,
            error: Some("UnauthorizedOperation"),
            ..OWNER
        },
        Rec {
            time: "2024-06-01T10:05:00Z",
            name: "CreateAccessKey",
            source: "iam.amazonaws.com",
            key: "AKIALEAKED0000000001",
            user: "deploy-bot",
            ip: "203.0.113.66",
            read_only: false,
            ..OWNER
        },
    ];
    let root = dir.join("AWSLogs/111122223333/CloudTrail");
    for (region, recs) in [("us-east-1", &a[..]), ("ap-southeast-1", &b[..])] {
        let day = root.join(region).join("2024/06/01");
        std::fs::create_dir_all(&day).unwrap();
        let body = format!(
            "{{\"Records\":[{}]}}",
            recs.iter().map(json).collect::<Vec<_>>().join(",")
        );
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(body.as_bytes()).unwrap();
        std::fs::write(
            day.join(format!(
                "111122223333_CloudTrail_{region}_20240601T1005Z_x.json.gz"
            )),
            enc.finish().unwrap(),
        )
        .unwrap();
    }
    dir.join("AWSLogs")
}

fn names(jsonl: &str) -> Vec<String> {
    jsonl
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["eventName"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn jsonl_is_in_time_order_with_provenance_and_an_accounting_line() {
    let dir = tempfile::tempdir().unwrap();
    let logs = incident(dir.path());
    let out = cloudcase(&["timeline", logs.to_str().unwrap(), "--format", "jsonl"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert_eq!(
        names(&text),
        [
            "DescribeInstances",
            "ListBuckets",
            "GetCallerIdentity",
            "RunInstances",
            "CreateUser",
            "CreateAccessKey"
        ]
    );
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["cloudcase"]["time"], "2024-06-01T10:00:00.000Z");
    assert_eq!(first["cloudcase"]["record"], 0);
    assert!(first["cloudcase"]["file"]
        .as_str()
        .unwrap()
        .ends_with("us-east-1_20240601T1005Z_x.json.gz"));
    assert_eq!(first["userIdentity"]["accessKeyId"], "AKIAOWNER00000000001");
    assert!(
        stderr(&out).contains("files: 2 seen, 2 read, 0 skipped; records: 6 parsed, 0 rejected"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("events: 6 shown"));
}

#[test]
fn spilling_sorted_runs_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let logs = incident(dir.path());
    let in_memory = cloudcase(&["timeline", logs.to_str().unwrap(), "--format", "jsonl"]);
    let spilled = cloudcase(&[
        "timeline",
        logs.to_str().unwrap(),
        "--format",
        "jsonl",
        "--sort-memory",
        "0",
        "--threads",
        "2",
    ]);
    assert_eq!(stdout(&in_memory), stdout(&spilled));
}

#[test]
fn filters_combine() {
    let dir = tempfile::tempdir().unwrap();
    let logs = incident(dir.path());
    let l = logs.to_str().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["timeline", l, "--format", "jsonl"];
        args.extend_from_slice(extra);
        let out = cloudcase(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        names(&stdout(&out))
    };
    assert_eq!(
        run(&["--access-key", "AKIALEAKED0000000001"]),
        [
            "GetCallerIdentity",
            "RunInstances",
            "CreateUser",
            "CreateAccessKey"
        ]
    );
    assert_eq!(
        run(&["--ip", "203.0.113.64/30", "--exclude-read-only"]),
        ["RunInstances", "CreateUser", "CreateAccessKey"]
    );
    assert_eq!(
        run(&["--principal", "arn:aws:iam::111122223333:user/alice"]),
        ["DescribeInstances", "ListBuckets"]
    );
    assert_eq!(
        run(&["--principal", "deploy-bot", "--source", "iam"]),
        ["CreateUser", "CreateAccessKey"]
    );
    assert_eq!(
        run(&["--event", "create*", "--event", "RunInstances"]),
        ["RunInstances", "CreateUser", "CreateAccessKey"]
    );
    assert_eq!(
        run(&["--region", "ap-southeast-1", "--errors-only"]),
        ["RunInstances"]
    );
    assert_eq!(
        run(&[
            "--from",
            "2024-06-01T10:02:00Z",
            "--to",
            "2024-06-01T19:04:00+09:00"
        ]),
        ["GetCallerIdentity", "RunInstances"]
    );
    assert_eq!(run(&["--from", "2024-06-02"]), Vec::<String>::new());
}

#[test]
fn display_time_zone_shows_the_offset() {
    let dir = tempfile::tempdir().unwrap();
    let logs = incident(dir.path());
    let out = cloudcase(&[
        "timeline",
        logs.to_str().unwrap(),
        "--format",
        "csv",
        "--tz",
        "Asia/Tokyo",
    ]);
    let text = stdout(&out);
    assert!(
        text.lines().nth(1).unwrap().starts_with(
            "2024-06-01T19:00:00.000+09:00,cloudtrail,ec2.amazonaws.com,DescribeInstances"
        ),
        "{text}"
    );
    let bad = cloudcase(&["timeline", logs.to_str().unwrap(), "--tz", "Mars/Olympus"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("Mars/Olympus"));
}

#[test]
fn attacker_strings_stay_inert_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let logs = incident(dir.path());
    let l = logs.to_str().unwrap();
    let csv = stdout(&cloudcase(&[
        "timeline",
        l,
        "--format",
        "csv",
        "--event",
        "RunInstances",
    ]));
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""),
        "{csv}"
    );
    assert!(!csv.contains('\u{1b}'));
    let table = stdout(&cloudcase(&[
        "timeline",
        l,
        "--format",
        "table",
        "--event",
        "RunInstances",
    ]));
    assert!(!table.contains('\u{1b}'));
    let jsonl = stdout(&cloudcase(&[
        "timeline",
        l,
        "--format",
        "jsonl",
        "--event",
        "RunInstances",
    ]));
    assert!(!jsonl.contains('\u{1b}') && jsonl.contains("\\u001b[2J"));
    let ts = stdout(&cloudcase(&[
        "timeline",
        l,
        "--format",
        "timesketch",
        "--event",
        "RunInstances",
    ]));
    let v: serde_json::Value = serde_json::from_str(ts.trim()).unwrap();
    assert_eq!(v["timestamp_desc"], "Event Time");
    assert_eq!(v["datetime"], "2024-06-01T10:03:00.000Z");
    assert_eq!(v["timestamp"], 1_717_236_180_000_000i64);
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("ec2:RunInstances from 203.0.113.67 failed: UnauthorizedOperation"));
    assert_eq!(v["user_agent"], "<script>alert(1)</script>\u{1b}[2J");
}

#[test]
fn strict_turns_rejections_into_a_failing_exit() {
    let dir = tempfile::tempdir().unwrap();
    let logs = incident(dir.path());
    std::fs::write(
        logs.join("broken.jsonl"),
        "{\"eventTime\":\"soon\",\"eventName\":\"X\",\"eventSource\":\"s\"}\n",
    )
    .unwrap();
    let rejects = dir.path().join("rejects.jsonl");
    let lax = cloudcase(&[
        "timeline",
        logs.to_str().unwrap(),
        "--format",
        "jsonl",
        "--rejects",
        rejects.to_str().unwrap(),
    ]);
    assert!(lax.status.success());
    assert!(
        stderr(&lax).contains("broken.jsonl: record 0 at byte 0: invalid eventTime"),
        "{}",
        stderr(&lax)
    );
    assert!(stderr(&lax).contains("records: 6 parsed, 1 rejected (1 invalid eventTime)"));
    let logged: serde_json::Value =
        serde_json::from_str(std::fs::read_to_string(&rejects).unwrap().trim()).unwrap();
    assert_eq!(logged["reason"], "invalid_event_time");
    let strict = cloudcase(&[
        "timeline",
        logs.to_str().unwrap(),
        "--format",
        "jsonl",
        "--strict",
    ]);
    assert_eq!(strict.status.code(), Some(1));
    assert_eq!(names(&stdout(&strict)).len(), 6, "the run still completes");
}

#[test]
fn stats_counts_every_dimension() {
    let dir = tempfile::tempdir().unwrap();
    let logs = incident(dir.path());
    let out = cloudcase(&["stats", logs.to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["events"], 6);
    assert_eq!(v["by_access_key"]["AKIALEAKED0000000001"], 4);
    assert_eq!(v["by_region"]["ap-southeast-1"], 1);
    assert_eq!(v["first"], "2024-06-01T10:00:00.000Z");
    assert_eq!(v["accounting"]["records_parsed"], 6);
}

/// The real CloudTrail records in ../shared: every record comes out once, none invented.
#[test]
fn conformance_real_records_counted_exactly() {
    let Some(shared) = common::shared("datasets/traildiscover/docs/logExamples") else {
        return;
    };
    let mut expected = std::collections::BTreeMap::<String, u64>::new();
    for entry in std::fs::read_dir(&shared).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("cloudtrail") {
            continue;
        }
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        // Files hold an array of records, or a single record object.
        let records = match v.as_array() {
            Some(list) => list.clone(),
            None => vec![v],
        };
        for rec in &records {
            *expected
                .entry(rec["eventName"].as_str().unwrap().to_owned())
                .or_default() += 1;
        }
    }
    let out = cloudcase(&["timeline", shared.to_str().unwrap(), "--format", "jsonl"]);
    let mut got = std::collections::BTreeMap::<String, u64>::new();
    for name in names(&stdout(&out)) {
        *got.entry(name).or_default() += 1;
    }
    assert_eq!(got, expected);
    assert!(
        stderr(&out).contains("records: 563 parsed, 0 rejected"),
        "{}",
        stderr(&out)
    );
}

/// A generated incident with data events in an organization trail: counts equal the generator's truth.
#[test]
fn generated_corpus_counts_equal_the_ground_truth() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = cloudcase_gen::Config {
        seed: 99,
        out_dir: dir.path().to_path_buf(),
        target_bytes: 3_000_000,
        days: 10,
        organization_id: Some("o-a1b2c3d4e5".into()),
        data_events: true,
        incident: true,
        threads: 2,
        ..cloudcase_gen::Config::default()
    };
    let truth = cloudcase_gen::generate(&cfg).unwrap();
    let out = cloudcase(&[
        "timeline",
        dir.path().to_str().unwrap(),
        "--format",
        "jsonl",
        "--sort-memory",
        "1",
        "--strict",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut got = std::collections::BTreeMap::<String, u64>::new();
    let mut last = String::new();
    for line in stdout(&out).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        *got.entry(v["eventName"].as_str().unwrap().to_owned())
            .or_default() += 1;
        let time = v["cloudcase"]["time"].as_str().unwrap().to_owned();
        assert!(time >= last, "out of order: {time} after {last}");
        last = time;
    }
    assert_eq!(got, truth.event_counts);
    let expect = format!("records: {} parsed, 0 rejected", truth.records);
    assert!(stderr(&out).contains(&expect), "{}", stderr(&out));
}

#[test]
fn demo_tells_the_incident() {
    let dir = tempfile::tempdir().unwrap();
    let out = cloudcase(&["demo", "--out", dir.path().to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("iam:CreateUser")
            && text.contains("ec2:RunInstances")
            && text.contains("cloudtrail:StopLogging"),
        "{text}"
    );
    assert!(stderr(&out).contains("0 rejected"));
    // Scope found the first attacker event; the reports were written in both languages.
    assert!(text.contains("first attacker event  |  2024-"), "{text}");
    let reports = dir.path().join("case/reports");
    for name in [
        "executive-summary.v1.en.html",
        "executive-summary.v1.ja.html",
        "technical-report.en.html",
        "evidence-record.ja.html",
    ] {
        assert!(reports.join(name).is_file(), "{name} missing");
    }
}

/// Hundreds of spilled runs (the smallest budget, 128 KiB a worker) merge
/// under `ulimit -n 64` to exactly what an unlimited run prints: the merge
/// holds at most its fan-in of run files open, not one per run.
#[test]
fn hundreds_of_runs_merge_under_a_low_open_file_limit() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = cloudcase_gen::Config {
        seed: 7,
        out_dir: dir.path().to_path_buf(),
        target_bytes: 24_000_000,
        days: 5,
        threads: 2,
        ..cloudcase_gen::Config::default()
    };
    cloudcase_gen::generate(&cfg).unwrap();
    let args = [
        "timeline",
        dir.path().to_str().unwrap(),
        "--format",
        "jsonl",
        "--threads",
        "4",
    ];
    let unlimited = cloudcase(&args);
    assert!(unlimited.status.success(), "{}", stderr(&unlimited));
    let limited = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -n 64 && exec \"$0\" \"$@\"")
        .arg(env!("CARGO_BIN_EXE_cloudcase"))
        .args(args)
        .args(["--sort-memory", "0"])
        .output()
        .unwrap();
    assert!(limited.status.success(), "{}", stderr(&limited));
    // Each run holds at most its worker's 128 KiB budget of lines.
    let runs = limited.stdout.len() / (128 << 10);
    assert!(runs > 200, "only {runs} runs' worth of output");
    assert!(limited.stdout == unlimited.stdout, "output differs");
}
