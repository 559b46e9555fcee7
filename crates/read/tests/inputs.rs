//! Every input form the reader accepts, and every kind of bad input it must
//! report without stopping: written as small files in CloudTrail's real shape.

mod common;

use std::io::Write;

use cloudcase_read::{discover, Limits, RejectKind};
use common::{gzip, read, read_with, write, Run};
use flate2::write::GzEncoder;
use flate2::Compression;

/// A CloudTrail record as AWS writes it (IAM user with a long-term key).
fn record(name: &str, time: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/deploy-bot","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEKEY000001","userName":"deploy-bot"}},"eventTime":"{time}","eventSource":"iam.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userAgent":"aws-cli/2.17.0","requestParameters":{{"userName":"x"}},"responseElements":null,"requestID":"r-1","eventID":"e-{name}-{time}","readOnly":false,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}}"#
    )
}

fn names(run: &Run) -> Vec<&str> {
    run.events.iter().map(|e| e.event_name.as_str()).collect()
}

#[test]
fn s3_delivery_files_plain_gzip_and_multi_member_in_org_layout() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!(
        "{{\"Records\":[{},{}]}}",
        record("CreateUser", "2024-05-01T10:00:00Z"),
        record("CreateAccessKey", "2024-05-01T10:01:00Z")
    );
    write(
        dir.path(),
        "AWSLogs/o-abc123/111122223333/CloudTrail/us-east-1/2024/05/01/a.json.gz",
        &gzip(body.as_bytes()),
    );
    let mut multi = gzip(
        format!(
            "{{\"Records\":[{}]}}",
            record("ListUsers", "2024-05-01T11:00:00Z")
        )
        .as_bytes(),
    );
    multi.extend(gzip(
        format!(
            "{{\"Records\":[{}]}}",
            record("GetUser", "2024-05-01T11:01:00Z")
        )
        .as_bytes(),
    ));
    write(
        dir.path(),
        "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/01/b.json.gz",
        &multi,
    );
    write(dir.path(), "loose.json", body.as_bytes());
    let run = read(&[dir.path().to_path_buf()]);
    assert_eq!(run.rejections, vec![]);
    assert_eq!(run.accounting.records_parsed, 6);
    assert_eq!(run.accounting.formats.get("records"), Some(&3));
    let e = &run.events[0];
    assert_eq!(
        e.identity.access_key_id.as_deref(),
        Some("AKIAEXAMPLEKEY000001")
    );
    assert_eq!(e.time.to_utc_string(), "2024-05-01T10:00:00.000Z");
    assert!(e.raw.starts_with("{\"eventVersion\""));
    assert_eq!(
        e.request_parameters.as_ref().unwrap().get(),
        "{\"userName\":\"x\"}"
    );
}

#[test]
fn lookup_events_pages_json_lines_arrays_and_eventbridge() {
    let dir = tempfile::tempdir().unwrap();
    let inner = serde_json::to_string(&record("RunInstances", "2024-05-02T00:00:00Z")).unwrap();
    let page = format!("{{\"Events\":[{{\"EventId\":\"x\",\"EventName\":\"RunInstances\",\"CloudTrailEvent\":{inner}}}],\"NextToken\":\"abc\"}}\n");
    write(
        dir.path(),
        "lookup.json",
        format!("{page}{page}").as_bytes(),
    );
    let jsonl = format!(
        "{}\n{}\n",
        record("A", "2024-05-02T00:00:01Z"),
        record("B", "2024-05-02T00:00:02Z")
    );
    write(dir.path(), "lake.jsonl.gz", &gzip(jsonl.as_bytes()));
    write(
        dir.path(),
        "array.json",
        format!("[\n  {}\n]", record("C", "2024-05-02T00:00:03Z")).as_bytes(),
    );
    let envelope = format!(
        "{{\n  \"version\": \"0\",\n  \"id\": \"1\",\n  \"detail-type\": \"AWS API Call via CloudTrail\",\n  \"source\": \"aws.iam\",\n  \"detail\": {}\n}}\n",
        record("D", "2024-05-02T00:00:04Z")
    );
    write(dir.path(), "eventbridge.json", envelope.as_bytes());
    let run = read(&[dir.path().to_path_buf()]);
    assert_eq!(run.rejections, vec![]);
    assert_eq!(
        names(&run),
        ["RunInstances", "RunInstances", "A", "B", "C", "D"]
    );
    assert_eq!(run.accounting.formats.get("lookup-events"), Some(&1));
    assert_eq!(run.accounting.formats.get("json-lines"), Some(&2));
    assert_eq!(run.accounting.formats.get("json-array"), Some(&1));
}

/// A sink that says what it reads beyond typed fields.
struct Reading {
    events: Vec<cloudcase_event::Event>,
    text: bool,
    bodies: bool,
}

impl cloudcase_read::EventSink for Reading {
    fn accept(&mut self, e: cloudcase_event::Event) {
        self.events.push(e);
    }

    fn wants_text(&self) -> bool {
        self.text
    }

    fn wants_bodies(&self) -> bool {
        self.bodies
    }
}

#[test]
fn sinks_that_read_no_text_get_the_same_typed_fields_without_it() {
    let dir = tempfile::tempdir().unwrap();
    let inner = serde_json::to_string(&record("RunInstances", "2024-05-02T00:00:00Z")).unwrap();
    let page = format!("{{\"Events\":[{{\"EventId\":\"x\",\"CloudTrailEvent\":{inner}}}]}}\n");
    write(dir.path(), "lookup.json", page.as_bytes());
    let trail = format!(
        "{{\"Records\":[{}]}}",
        record("CreateUser", "2024-05-02T00:00:01Z")
    );
    write(dir.path(), "trail.json.gz", &gzip(trail.as_bytes()));
    let splunk = format!(
        "{{\"result\":{{\"_raw\":{}}}}}\n",
        serde_json::to_string(&record("DeleteUser", "2024-05-02T00:00:02Z")).unwrap()
    );
    write(dir.path(), "splunk.json", splunk.as_bytes());
    let full = read(&[dir.path().to_path_buf()]);
    assert_eq!(names(&full), ["RunInstances", "CreateUser", "DeleteUser"]);
    let inputs = discover(&[dir.path().to_path_buf()], &|_| {}).unwrap();
    let read_by = |text: bool, bodies: bool| {
        let sink = Reading {
            events: Vec::new(),
            text,
            bodies,
        };
        let (sinks, accounting) =
            cloudcase_read::read_files(&inputs.files, Limits::default(), vec![sink], &|r| {
                panic!("{r:?}")
            });
        assert_eq!(accounting.records_parsed, 3);
        let mut events: Vec<_> = sinks.into_iter().flat_map(|s| s.events).collect();
        events.sort_by_key(|e| e.time);
        events
    };
    // A sink that reads the record text but not the bodies gets the text.
    for (t, f) in read_by(true, false).iter().zip(&full.events) {
        assert_eq!(t.raw, f.raw);
        assert!(t.request_parameters.is_none() && t.resources.is_none());
    }
    let typed = read_by(false, true);
    assert_eq!(typed.len(), full.events.len());
    for (t, f) in typed.iter().zip(&full.events) {
        assert!(!f.raw.is_empty() && f.request_parameters.is_some());
        assert_eq!(&*t.raw, "");
        assert!(t.request_parameters.is_none() && t.response_elements.is_none());
        assert!(t.additional_event_data.is_none() && t.resources.is_none());
        assert_eq!(
            (
                &t.event_name,
                &t.event_source,
                &t.region,
                &t.identity.arn,
                &t.event_id
            ),
            (
                &f.event_name,
                &f.event_source,
                &f.region,
                &f.identity.arn,
                &f.event_id
            )
        );
        assert_eq!(
            (t.time, t.read_only, &t.category),
            (f.time, f.read_only, &f.category)
        );
    }
}

#[test]
fn digest_files_are_recognised_not_read_as_events() {
    let dir = tempfile::tempdir().unwrap();
    let digest = r#"{"awsAccountId":"111122223333","digestStartTime":"2024-05-01T10:00:00Z","digestEndTime":"2024-05-01T11:00:00Z","digestS3Bucket":"b","digestS3Object":"o","logFiles":[]}"#;
    write(
        dir.path(),
        "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/05/01/d.json.gz",
        &gzip(digest.as_bytes()),
    );
    let run = read(&[dir.path().to_path_buf()]);
    assert_eq!(
        run.accounting.files_skipped.get(&RejectKind::Digest),
        Some(&1)
    );
    assert!(!run.accounting.has_losses());
}

#[test]
fn inventory_snapshots_are_recognised_not_read_as_events() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = "{\n  \"cloudcase_inventory\": 1,\n  \"kind\": \"aws:ec2\",\n  \"taken\": \"2024-05-20T00:00:00Z\",\n  \"ec2\": {\"instances\": [{\"id\": \"i-1\", \"region\": \"us-east-1\"}]},\n  \"iam\": null\n}\n";
    write(dir.path(), "aws-ec2.json", snapshot.as_bytes());
    let run = read(&[dir.path().to_path_buf()]);
    assert_eq!(
        run.accounting.files_skipped.get(&RejectKind::Inventory),
        Some(&1)
    );
    assert_eq!(run.accounting.records_parsed, 0);
    assert!(!run.accounting.has_losses());
}

fn kinds(run: &Run) -> Vec<(Option<u64>, RejectKind)> {
    run.rejections.iter().map(|r| (r.record, r.kind)).collect()
}

#[test]
fn bad_records_are_located_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let good = record("Good", "2024-05-03T00:00:00Z");
    let lines = [
        good.clone(),
        "{\"eventName\": tru}".to_owned(),
        record("X", "not-a-time"),
        good.replace("\"eventTime\":\"2024-05-03T00:00:00Z\",", ""),
        good.replace("\"eventName\":\"Good\",", ""),
        good.replace(
            "\"userAgent\":\"aws-cli/2.17.0\"",
            "\"userAgent\":{\"nested\":1}",
        ),
        "{\"unrelated\":true}".to_owned(),
        "42".to_owned(),
        good.replace("Good", "AlsoGood"),
    ];
    let path = write(dir.path(), "mixed.jsonl", lines.join("\n").as_bytes());
    let run = read(&[path]);
    assert_eq!(names(&run), ["Good", "AlsoGood"]);
    assert_eq!(
        kinds(&run),
        [
            (Some(1), RejectKind::MalformedJson),
            (Some(2), RejectKind::InvalidTime),
            (Some(3), RejectKind::MissingTime),
            (Some(4), RejectKind::MissingField),
            (Some(5), RejectKind::WrongType),
            (Some(6), RejectKind::NotCloudTrail),
            (Some(7), RejectKind::MalformedJson),
        ]
    );
    let wrong = &run.rejections[4];
    assert!(
        wrong.detail.starts_with("userAgent: invalid type: map"),
        "{}",
        wrong.detail
    );
    assert_eq!(run.events[1].provenance.record, 8);
    // Offsets point at the record's first byte.
    let offset = run.rejections[0].offset.unwrap() as usize;
    assert!(lines.join("\n")[offset..].starts_with("{\"eventName\": tru}"));
}

#[test]
fn invalid_utf8_deep_nesting_and_oversize_records_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let good = record("Good", "2024-05-03T00:00:00Z");
    let mut bytes = Vec::new();
    bytes.extend_from_slice(
        good.replace("aws-cli/2.17.0", "bad\u{fffd}")
            .replace('\u{fffd}', "\u{1}")
            .as_bytes(),
    );
    let pos = bytes.iter().position(|b| *b == 1).unwrap();
    bytes[pos] = 0xff;
    bytes.push(b'\n');
    let deep = good.replace(
        "{\"userName\":\"x\"}",
        &format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
    );
    bytes.extend_from_slice(deep.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(format!("{{\"pad\":\"{}\"}}\n", "p".repeat(5000)).as_bytes());
    bytes.extend_from_slice(good.as_bytes());
    let path = write(dir.path(), "hostile.jsonl", &bytes);
    let limits = Limits {
        max_record_bytes: 4096,
        ..Limits::default()
    };
    let run = read_with(
        &[path],
        Limits {
            max_record_bytes: 300_000,
            ..limits
        },
    );
    // Deep nesting is framed and parsed without recursion: no crash, the record is kept raw.
    assert_eq!(
        kinds(&run),
        [
            (Some(0), RejectKind::InvalidUtf8),
            (Some(2), RejectKind::NotCloudTrail)
        ]
    );
    assert_eq!(names(&run), ["Good", "Good"]);
    assert_eq!(
        run.events[0]
            .request_parameters
            .as_ref()
            .unwrap()
            .get()
            .len(),
        200_000
    );
    let small = read_with(&[dir.path().join("hostile.jsonl")], limits);
    assert!(kinds(&small).contains(&(Some(1), RejectKind::TooLarge)));
    assert!(kinds(&small).contains(&(Some(2), RejectKind::TooLarge)));
    assert_eq!(small.events.len(), 1);
}

#[test]
fn truncated_and_corrupt_gzip_keep_what_came_before() {
    let dir = tempfile::tempdir().unwrap();
    let recs: Vec<String> = (0..200)
        .map(|i| {
            record(
                "Listed",
                &format!("2024-05-04T00:{:02}:{:02}Z", i / 60, i % 60),
            )
        })
        .collect();
    let body = format!("{{\"Records\":[{}]}}", recs.join(","));
    let gz = gzip(body.as_bytes());
    let path = write(dir.path(), "cut.json.gz", &gz[..gz.len() * 2 / 3]);
    let run = read(&[path]);
    assert!(
        run.events.len() > 10 && run.events.len() < 200,
        "{}",
        run.events.len()
    );
    let last = run.rejections.last().unwrap();
    assert!(
        matches!(last.kind, RejectKind::Decompress | RejectKind::Truncated),
        "{last}"
    );
    let mut corrupt = gz.clone();
    corrupt[gz.len() / 2] ^= 0xff;
    let path = write(dir.path(), "corrupt.json.gz", &corrupt);
    let run = read(&[path]);
    assert!(!run.rejections.is_empty());
    assert!(run.accounting.has_losses());
}

#[test]
fn gzip_bombs_stop_at_the_ratio_limit() {
    let dir = tempfile::tempdir().unwrap();
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(b"[").unwrap();
    let zeros = vec![b' '; 1 << 20];
    for _ in 0..64 {
        enc.write_all(&zeros).unwrap();
    }
    let path = write(dir.path(), "bomb.json.gz", &enc.finish().unwrap());
    let limits = Limits {
        ratio_grace_bytes: 1 << 20,
        ..Limits::default()
    };
    let run = read_with(&[path], limits);
    assert_eq!(kinds(&run), [(Some(0), RejectKind::DecompressLimit)]);
    assert!(run.rejections[0].detail.contains("gzip bomb"));
    // The guard compares with the compressed bytes read so far (64 KiB here):
    // it stops near 200 x 64 KiB, far short of the 64 MiB inside.
    assert!(run.accounting.bytes_decompressed < 20 << 20);
}

#[test]
fn the_decompressed_size_limit_stops_a_file_and_names_its_flag() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<String> = (0..50)
        .map(|i| record("ListUsers", &format!("2024-05-03T00:00:{i:02}Z")))
        .collect();
    let body = format!("{{\"Records\":[{}]}}", records.join(","));
    let path = write(dir.path(), "big.json.gz", &gzip(body.as_bytes()));
    let limits = Limits {
        max_decompressed_bytes: 4096,
        ..Limits::default()
    };
    let run = read_with(&[path], limits);
    assert_eq!(run.rejections.len(), 1, "{:?}", run.rejections);
    assert_eq!(run.rejections[0].kind, RejectKind::DecompressLimit);
    assert!(
        run.rejections[0].detail.starts_with(
            "decompressed size exceeds the limit of 4096 bytes (--max-decompressed-bytes); records from index "
        ),
        "{}",
        run.rejections[0].detail
    );
    assert!(!run.events.is_empty() && run.events.len() < 50);
    // A plain file is not held to the decompressed size.
    let plain = write(dir.path(), "plain/big.json", body.as_bytes());
    assert_eq!(read_with(&[plain], limits).events.len(), 50);
}

#[test]
fn a_truncated_gzip_file_is_a_broken_stream_at_its_compressed_offset() {
    let dir = tempfile::tempdir().unwrap();
    let records: Vec<String> = (0..50)
        .map(|i| record("ListUsers", &format!("2024-05-03T00:00:{i:02}Z")))
        .collect();
    let body = format!("{{\"Records\":[{}]}}", records.join(","));
    let whole = gzip(body.as_bytes());
    let path = write(dir.path(), "cut.json.gz", &whole[..whole.len() / 2]);
    let run = read(&[path]);
    assert_eq!(run.rejections.len(), 1, "{:?}", run.rejections);
    assert_eq!(run.rejections[0].kind, RejectKind::Decompress);
    assert!(
        run.rejections[0]
            .detail
            .starts_with("gzip stream broken near compressed byte "),
        "{}",
        run.rejections[0].detail
    );
    assert!(
        run.rejections[0].detail.contains(" on are lost"),
        "{}",
        run.rejections[0].detail
    );
}

#[test]
fn unreadable_non_json_and_unsupported_files_are_skipped_with_reasons() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.txt", b"hello");
    write(dir.path(), "logs.zst", &[0x28, 0xb5, 0x2f, 0xfd, 0, 0]);
    write(dir.path(), "empty.json", b"");
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        dir.path().join("missing-target"),
        dir.path().join("dangling.json"),
    )
    .unwrap();
    let run = read(&[dir.path().to_path_buf()]);
    let skipped = &run.accounting.files_skipped;
    assert_eq!(skipped.get(&RejectKind::NotJson), Some(&1));
    assert_eq!(skipped.get(&RejectKind::UnsupportedCompression), Some(&1));
    #[cfg(unix)]
    assert_eq!(skipped.get(&RejectKind::Unreadable), Some(&1));
    assert_eq!(skipped.get(&RejectKind::Empty), Some(&1));
    assert_eq!(run.accounting.formats.get("empty"), None);
}

#[test]
fn empty_files_are_named_never_read_as_zero_records() {
    let dir = tempfile::tempdir().unwrap();
    // A 0-byte file named like a CloudTrail delivery, a gzip stream holding
    // nothing, and whitespace only: each is named with its own reason.
    write(
        dir.path(),
        "111122223333_CloudTrail_us-east-1_20240501T0000Z_a.json.gz",
        b"",
    );
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut gz, b"").unwrap();
    write(dir.path(), "empty-member.json.gz", &gz.finish().unwrap());
    write(dir.path(), "blank.json", b" \n\n ");
    let run = read(&[dir.path().to_path_buf()]);
    assert_eq!(
        run.accounting.files_skipped.get(&RejectKind::Empty),
        Some(&3)
    );
    assert_eq!(run.accounting.files_read, 0);
    let details: Vec<String> = run
        .rejections
        .iter()
        .map(|r| format!("{} {}", r.file.display(), r.detail))
        .collect();
    assert!(
        details
            .iter()
            .any(|d| d.contains("_a.json.gz") && d.contains("0 bytes")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.contains("empty-member") && d.contains("decompress to nothing")),
        "{details:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d.contains("blank.json") && d.contains("whitespace")),
        "{details:?}"
    );
    assert!(
        run.accounting.has_losses(),
        "an empty file is a loss under --strict"
    );
}

#[test]
fn a_missing_input_path_is_an_error() {
    let err = discover(&["/nonexistent/cloudtrail".into()], &|_| {}).unwrap_err();
    assert!(err.to_string().contains("/nonexistent/cloudtrail"));
}

#[test]
fn the_same_file_named_twice_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "one.json",
        record("Once", "2024-05-05T00:00:00Z").as_bytes(),
    );
    let run = read(&[path.clone(), path, dir.path().to_path_buf()]);
    assert_eq!(names(&run), ["Once"]);
}
