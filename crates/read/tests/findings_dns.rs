//! GuardDuty findings and Route 53 Resolver query logs, in the forms AWS
//! delivers them (fixtures under `tests/fixtures/guardduty` and
//! `tests/fixtures/route53_resolver`, in the shapes of AWS's documentation),
//! read beside CloudTrail records and among bad records.

mod common;

use std::path::Path;

use cloudcase_event::detail::{DnsQuery, Finding};
use cloudcase_event::{Category, Detail, Event, LogSource};
use cloudcase_read::{Limits, RejectKind};

use common::{fixture, gzip, write, Run};

/// Reads the folder `dir` with `limits`; the events by file and record.
fn read_with(dir: &Path, limits: Limits) -> Run {
    let mut run = common::read_with(&[dir.to_path_buf()], limits);
    (run.events).sort_by_key(|e| (e.provenance.file.path.clone(), e.provenance.record));
    run
}

/// Reads the folder `dir` with the default limits (see [`read_with`]).
fn read(dir: &Path) -> Run {
    read_with(dir, Limits::default())
}
use serde_json::Value;

fn finding(ev: &Event) -> &Finding {
    match ev.detail.as_deref() {
        Some(Detail::Finding(f)) => f,
        other => panic!("{} has no finding: {other:?}", ev.event_name),
    }
}

fn query(ev: &Event) -> &DnsQuery {
    match ev.detail.as_deref() {
        Some(Detail::DnsQuery(q)) => q,
        other => panic!("{} has no query: {other:?}", ev.event_name),
    }
}

fn raw(ev: &Event) -> Value {
    serde_json::from_str(&ev.raw).expect("raw is JSON")
}

const BITCOIN: &str = "CryptoCurrency:EC2/BitcoinTool.B!DNS";
const EXFIL: &str = "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS";
const PROBE: &str = "Recon:EC2/PortProbeUnprotectedPort";

#[test]
fn guardduty_findings_in_every_form_they_are_delivered_in() {
    let dir = tempfile::tempdir().unwrap();
    let export = fixture("guardduty/export.jsonl");
    write(
        dir.path(),
        "a/AWSLogs/111122223333/GuardDuty/us-east-1/2024/08/18/0b7a1f2e-3c4d-35e6-9f70-8a9b0c1d2e3f.jsonl.gz",
        &gzip(export.as_bytes()),
    );
    for name in ["eventbridge.json", "array.json", "get-findings.json"] {
        let text = fixture(&format!("guardduty/{name}"));
        write(dir.path(), &format!("b/{name}"), text.as_bytes());
    }
    let run = read(dir.path());
    assert_eq!(run.rejections, vec![]);
    let types: Vec<&str> = run.events.iter().map(|e| e.event_name.as_str()).collect();
    // a/…jsonl.gz, b/array.json, b/eventbridge.json, b/get-findings.json
    assert_eq!(types, [BITCOIN, EXFIL, BITCOIN, PROBE, EXFIL, EXFIL, PROBE]);
    assert_eq!(run.accounting.formats.get("guardduty-findings"), Some(&1));
    assert_eq!(run.accounting.formats.get("json-array"), Some(&1));
    assert_eq!(run.accounting.formats.get("json-lines"), Some(&2));

    let bitcoin = &run.events[0];
    assert_eq!(bitcoin.source, LogSource::GuardDuty);
    assert_eq!(bitcoin.event_source, "guardduty.amazonaws.com");
    assert_eq!(bitcoin.category, Category::Other("Finding".into()));
    assert_eq!(bitcoin.time_field, "service.eventFirstSeen");
    assert_eq!(bitcoin.time.to_utc_string(), "2024-08-18T09:41:40.000Z");
    assert_eq!(bitcoin.region.as_deref(), Some("us-east-1"));
    assert_eq!(bitcoin.recipient_account.as_deref(), Some("111122223333"));
    assert_eq!(
        bitcoin.event_id.as_deref(),
        Some("16afba5c5c43e07c9e3e5e2e544e95df")
    );
    assert_eq!(bitcoin.source_ip, None);
    let f = finding(bitcoin);
    assert_eq!(f.severity, 8.0);
    assert_eq!(f.domains, ["xmr.pool.minergate.com"]);
    assert_eq!(f.instance_id.as_deref(), Some("i-0a1b2c3d4e5f60718"));
    assert_eq!(f.resource_type.as_deref(), Some("Instance"));
    assert_eq!(f.count, Some(4));
    assert_eq!(
        f.last_seen.map(|t| t.to_utc_string()).as_deref(),
        Some("2024-08-18T10:41:40.000Z")
    );
    assert!(bitcoin
        .raw
        .starts_with(r#"{"logSource":"guardduty","schemaVersion":"2.0""#));

    let exfil = &run.events[1];
    assert_eq!(exfil.source_ip.as_deref(), Some("203.0.113.66"));
    let who = &exfil.identity;
    assert_eq!(who.access_key_id.as_deref(), Some("ASIAQEXAMPLEEXFIL001"));
    assert_eq!(who.user_name.as_deref(), Some("web-app-role"));
    assert_eq!(
        who.principal_id.as_deref(),
        Some("AROAQEXAMPLEROLEID01:i-0a1b2c3d4e5f60718")
    );
    assert_eq!(who.kind.as_deref(), Some("AssumedRole"));
    assert_eq!(finding(exfil).remote_ips, ["203.0.113.66"]);

    let probe = &run.events[3];
    assert_eq!(finding(probe).remote_ips, ["192.0.2.44", "192.0.2.45"]);
    assert!(finding(probe).archived);

    // The EventBridge envelope is unwrapped, and get-findings' PascalCase is
    // read as the same finding, kept in GuardDuty's own spelling.
    let from_bridge = raw(&run.events[4]);
    assert!(from_bridge.get("detail-type").is_none());
    assert_eq!(from_bridge["logSource"], "guardduty");
    assert_eq!(raw(&run.events[5]), from_bridge);
    assert_eq!(raw(exfil), from_bridge);
    assert_eq!(run.events[5].identity, exfil.identity);
    assert_eq!(finding(&run.events[5]), finding(exfil));
}

#[test]
fn resolver_queries_from_s3_and_cloudwatch_logs() {
    let dir = tempfile::tempdir().unwrap();
    let log = fixture("route53_resolver/vpcdnsquerylogs.log");
    write(
        dir.path(),
        "a/AWSLogs/111122223333/vpcdnsquerylogs/vpc-0abc1234def567890/2024/08/18/vpc-0abc1234def567890_vpcdnsquerylogs_111122223333_20240818T0940Z_5f1e2d3c.log.gz",
        &gzip(log.as_bytes()),
    );
    let events = fixture("route53_resolver/filter-log-events.json");
    write(dir.path(), "b/filter-log-events.json", events.as_bytes());
    let run = read(dir.path());
    assert_eq!(run.rejections, vec![]);
    assert_eq!(run.events.len(), 7);
    assert_eq!(run.accounting.formats.get("cloudwatch-logs"), Some(&1));
    assert!(run
        .events
        .iter()
        .all(|e| e.source == LogSource::Route53Resolver
            && e.event_source == "route53resolver.amazonaws.com"
            && e.event_name == "ResolverQuery"
            && e.time_field == "query_timestamp"
            && e.category == Category::Other("Network".into())));

    let doc = &run.events[0];
    assert_eq!(doc.time.to_utc_string(), "2021-02-04T17:51:55.000Z");
    assert_eq!(doc.source_ip.as_deref(), Some("4.5.64.102"));
    assert_eq!(doc.recipient_account.as_deref(), Some("111122223333"));
    assert_eq!(doc.region.as_deref(), Some("us-east-1"));
    let q = query(doc);
    assert_eq!(
        (q.query_name.as_str(), q.query_type.as_deref()),
        ("15.3.4.32.in-addr.arpa.", Some("PTR"))
    );
    assert_eq!(q.instance_id.as_deref(), Some("i-0d15cd0d3example"));
    assert_eq!(q.vpc_id.as_deref(), Some("vpc-7example"));
    assert_eq!(raw(doc)["firewall_rule_action"], "BLOCK");
    assert_eq!(raw(doc)["logSource"], "route53_resolver");

    let nx = query(&run.events[2]);
    assert_eq!(nx.rcode.as_deref(), Some("NXDOMAIN"));
    assert!(nx.answers.is_empty());
    let v6 = &run.events[3];
    assert_eq!(
        v6.source_ip.as_deref(),
        Some("2600:1f18:4a3:6902:9d3e:2b4c:7a1e:1f2b")
    );
    assert_eq!(
        query(v6).answers,
        ["s3-1-w.amazonaws.com.", "2600:1fa0:8000::1"]
    );
    let via_endpoint = query(&run.events[4]);
    assert_eq!(via_endpoint.instance_id, None);
    assert_eq!(via_endpoint.src_addr.as_deref(), Some("10.0.200.10"));

    // The CloudWatch Logs events hold the same records as messages: their
    // events are those records, not the CloudWatch wrappers.
    assert_eq!(raw(&run.events[5]), raw(&run.events[1]));
    assert_eq!(raw(&run.events[6]), raw(&run.events[2]));
    assert!(raw(&run.events[5]).get("ingestionTime").is_none());
}

/// A CloudTrail record as AWS writes it.
fn cloudtrail(name: &str, time: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","principalId":"AIDAEXAMPLE","arn":"arn:aws:iam::111122223333:user/deploy-bot","accountId":"111122223333","accessKeyId":"AKIAEXAMPLEKEY000001","userName":"deploy-bot"}},"eventTime":"{time}","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.66","userAgent":"aws-cli/2.17.0","requestParameters":null,"responseElements":null,"requestID":"r-1","eventID":"e-{name}","readOnly":true,"eventType":"AwsApiCall","managementEvent":true,"recipientAccountId":"111122223333","eventCategory":"Management"}}"#
    )
}

#[test]
fn a_file_mixing_cloudtrail_findings_queries_and_bad_records_is_read_record_by_record() {
    let dir = tempfile::tempdir().unwrap();
    let export = fixture("guardduty/export.jsonl");
    let (bitcoin, exfil) = export.split_once('\n').unwrap();
    let log = fixture("route53_resolver/vpcdnsquerylogs.log");
    let nx = log.lines().nth(2).unwrap();
    let lines = [
        cloudtrail("ListBuckets", "2024-08-18T10:02:11Z"),
        exfil.trim().to_owned(),
        nx.to_owned(),
        bitcoin.replace(r#""severity":8,"#, ""),
        nx.replace(r#""query_name":"c2.nonexistent-domain.example.","#, ""),
        nx.replace("2024-08-18T09:42:03Z", "18/Aug/2024:09:42:03"),
        bitcoin.replace(
            r#""instanceType":"m5.xlarge""#,
            &format!(
                r#""instanceType":{}1{}"#,
                "[".repeat(100_000),
                "]".repeat(100_000)
            ),
        ),
        format!(
            r#"{{"SchemaVersion":"2.0","Id":"f","Type":"T","Severity":1,"Resource":{{"Tags":{}{}}}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        ),
        "\u{1}\u{2}junk that is not JSON".to_owned(),
        nx.replace(r#""query_type":"A""#, r#""query_type":["A"]"#),
        cloudtrail("GetObject", "2024-08-18T10:03:00Z"),
    ];
    write(dir.path(), "mixed.jsonl", lines.join("\n").as_bytes());
    let run = read(dir.path());
    let names: Vec<(u64, &str)> = (run.events.iter())
        .map(|e| (e.provenance.record, e.event_name.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (0, "ListBuckets"),
            (1, EXFIL),
            (2, "ResolverQuery"),
            (6, BITCOIN),
            (10, "GetObject")
        ]
    );
    // Deep nesting where nothing is read is kept raw, as in CloudTrail records;
    // where the finding must be re-spelled, it is refused, never a crash.
    assert_eq!(
        finding(&run.events[3]).id,
        "16afba5c5c43e07c9e3e5e2e544e95df"
    );
    let sources: Vec<LogSource> = run.events.iter().map(|e| e.source).collect();
    assert_eq!(
        sources,
        [
            LogSource::CloudTrail,
            LogSource::GuardDuty,
            LogSource::Route53Resolver,
            LogSource::GuardDuty,
            LogSource::CloudTrail
        ]
    );
    let got: Vec<(Option<u64>, RejectKind)> =
        run.rejections.iter().map(|r| (r.record, r.kind)).collect();
    assert_eq!(
        got,
        [
            (Some(3), RejectKind::MissingField),
            (Some(4), RejectKind::MissingField),
            (Some(5), RejectKind::InvalidTime),
            (Some(7), RejectKind::TooDeep),
            (Some(8), RejectKind::MalformedJson),
            (Some(9), RejectKind::WrongType),
        ]
    );
    let detail = |i: usize| run.rejections[i].detail.as_str();
    assert_eq!(detail(0), "GuardDuty finding without severity");
    assert_eq!(detail(1), "Route 53 Resolver query without query_name");
    assert!(
        detail(2).contains("query_timestamp") && detail(2).contains("18/Aug/2024:09:42:03"),
        "{}",
        detail(2)
    );
    assert!(detail(5).starts_with("query_type:"), "{}", detail(5));
    // Offsets point at each rejected record's first byte.
    let text = lines.join("\n");
    for r in &run.rejections {
        let at = r.offset.expect("an offset") as usize;
        let line = r.record.expect("a record") as usize;
        assert!(text[at..].starts_with(&lines[line][..20]), "{r}");
    }
}

#[test]
fn huge_findings_and_queries_are_skipped_and_the_next_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let log = fixture("route53_resolver/vpcdnsquerylogs.log");
    let first = log.lines().next().unwrap();
    let huge = first.replace(
        "15.3.4.32.in-addr.arpa.",
        &format!("{}.example.", "a".repeat(20_000)),
    );
    write(dir.path(), "q.log", format!("{huge}\n{first}\n").as_bytes());
    let limits = Limits {
        max_record_bytes: 4096,
        ..Limits::default()
    };
    let run = read_with(dir.path(), limits);
    assert_eq!(run.events.len(), 1);
    assert_eq!(run.events[0].provenance.record, 1);
    let got: Vec<(Option<u64>, RejectKind)> =
        run.rejections.iter().map(|r| (r.record, r.kind)).collect();
    assert_eq!(got, [(Some(0), RejectKind::TooLarge)]);
}

#[test]
fn cloudwatch_logs_subscription_events_are_read_by_their_message() {
    let dir = tempfile::tempdir().unwrap();
    let trail = serde_json::to_string(&cloudtrail("GetObject", "2024-08-18T10:03:00Z")).unwrap();
    let delivery = format!(
        r#"{{"messageType":"DATA_MESSAGE","owner":"111122223333","logGroup":"aws-cloudtrail-logs","logStream":"111122223333_CloudTrail_us-east-1","subscriptionFilters":["all"],"logEvents":[{{"id":"1","timestamp":1723975380000,"message":{trail}}},{{"id":"2","timestamp":1723975381000,"message":"CWL CONTROL MESSAGE: Checking health of destination Firehose."}},{{"id":"3","timestamp":1723975382000,"message":{{"not":"text"}}}}]}}"#
    );
    write(dir.path(), "firehose-delivery", &gzip(delivery.as_bytes()));
    let run = read(dir.path());
    assert_eq!(run.accounting.formats.get("cloudwatch-logs"), Some(&1));
    let names: Vec<(&str, LogSource)> = (run.events.iter())
        .map(|e| (e.event_name.as_str(), e.source))
        .collect();
    assert_eq!(names, [("GetObject", LogSource::CloudTrail)]);
    assert_eq!(run.events[0].time_field, "eventTime");
    let got: Vec<(Option<u64>, RejectKind, &str)> = (run.rejections.iter())
        .map(|r| (r.record, r.kind, r.detail.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                Some(1),
                RejectKind::NotCloudTrail,
                "a CloudWatch Logs event whose message is not a JSON record: \"CWL CONTROL MESSAGE: Checking health of destination Firehose.\""
            ),
            (
                Some(2),
                RejectKind::NotCloudTrail,
                "a CloudWatch Logs event whose message is an object, not a log line"
            )
        ]
    );
}

#[test]
fn resolver_queries_and_cloudtrail_records_exported_from_cloudwatch_logs_to_s3() {
    let dir = tempfile::tempdir().unwrap();
    // An export task writes `<task>/<log stream>/000000.gz`, each line the
    // event's time, a space, then the message: here the JSON record.
    let export = fixture("route53_resolver/cloudwatch-export-000000");
    let stream =
        "exported/5f1e2d3c-0a1b-4c2d-8e3f-0123456789ab/vpc-0abc1234def567890_i-0a1b2c3d4e5f60718";
    write(
        dir.path(),
        &format!("{stream}/000000.gz"),
        &gzip(export.as_bytes()),
    );
    let first = export.lines().next().unwrap();
    let bad = [
        "2024-08-18T09:44:00.000Z {\"note\":\"not a record\"}",
        "2024-08-18T09:44:01.000Z {\"query_name\":",
        "18/08/2024 {\"query_name\":\"x.\"}",
    ];
    let mixed = format!("{first}\n{}\n{first}\n", bad.join("\n"));
    write(dir.path(), &format!("{stream}/000001"), mixed.as_bytes());
    let run = read(dir.path());

    assert_eq!(run.accounting.formats.get("cloudwatch-export"), Some(&2));
    let names: Vec<&str> = run.events.iter().map(|e| e.event_name.as_str()).collect();
    assert_eq!(
        names,
        [
            "ResolverQuery",
            "ResolverQuery",
            "ListUsers",
            "ResolverQuery",
            "ResolverQuery"
        ]
    );
    // The records are read as from a log of their own, times and all.
    let resolver = fixture("route53_resolver/vpcdnsquerylogs.log");
    let direct: Vec<Value> = resolver
        .lines()
        .skip(1)
        .take(2)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(raw(&run.events[0])["query_name"], direct[0]["query_name"]);
    assert_eq!(
        run.events[0].time.to_utc_string(),
        "2024-08-18T09:41:39.812Z"
    );
    assert_eq!(query(&run.events[1]).rcode.as_deref(), Some("NXDOMAIN"));
    let trail = &run.events[2];
    assert_eq!(
        (trail.source, trail.event_id.as_deref()),
        (LogSource::CloudTrail, Some("e-export-1"))
    );
    assert_eq!(trail.time.to_utc_string(), "2024-08-18T09:42:30.000Z");
    // Each bad line is rejected at its own offset, and the line after it read.
    let offsets: Vec<Option<u64>> = run.rejections.iter().map(|r| r.offset).collect();
    let line_at = |i: usize| {
        Some((first.len() + 1 + bad[..i].iter().map(|l| l.len() + 1).sum::<usize>()) as u64)
    };
    assert_eq!(offsets, [line_at(0), line_at(1), line_at(2)]);
    let kinds: Vec<RejectKind> = run.rejections.iter().map(|r| r.kind).collect();
    assert_eq!(kinds[2], RejectKind::MalformedLine, "{:?}", run.rejections);
    assert!(run
        .rejections
        .iter()
        .all(|r| r.detail.starts_with("CloudWatch Logs export: ")));
    assert_eq!(run.events[4].provenance.offset, line_at(3).unwrap(),);
}
