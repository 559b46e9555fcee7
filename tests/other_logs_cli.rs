//! `timeline`, `stats` and `hunt` over logs beyond CloudTrail: VPC flow logs,
//! Route 53 Resolver query logs, GuardDuty findings and S3 server access logs,
//! written here in the shapes AWS delivers them, beside one CloudTrail record.

mod common;
use common::cloudcase;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Output;

use serde_json::{json, Value};

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).expect("utf-8 errors")
}

const FLOW_HEADER: &str =
    "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";

/// Flow records (v2; records count from 0 after the header): 0 a Stratum-port
/// flow, 1 a 1.21 GB upload, 2 the Stratum port to a private peer, 3 just
/// under 1 GB, 4 an inbound download.
const FLOWS: &[&str] = &[
    "2 111122223333 eni-0c3f7a9e21b4d5c68 10.0.1.15 203.0.113.50 49152 3333 6 42 6120 1780308000 1780308060 ACCEPT OK",
    "2 111122223333 eni-0c3f7a9e21b4d5c68 10.0.1.15 198.51.100.44 49153 443 6 812345 1210000000 1780308100 1780308700 ACCEPT OK",
    "2 111122223333 eni-0c3f7a9e21b4d5c68 10.0.1.15 10.0.7.20 49154 3333 6 42 6120 1780308200 1780308260 ACCEPT OK",
    "2 111122223333 eni-0c3f7a9e21b4d5c68 10.0.1.15 198.51.100.44 49155 443 6 712345 999000000 1780308300 1780308900 ACCEPT OK",
    "2 111122223333 eni-0c3f7a9e21b4d5c68 198.51.100.44 10.0.1.15 443 49156 6 812345 1210000000 1780308400 1780309000 ACCEPT OK",
];

fn dns(name: &str, time: &str) -> Value {
    json!({"version": "1.100000", "account_id": "111122223333", "region": "us-east-1",
        "vpc_id": "vpc-0a1b2c3d4e5f67890", "query_timestamp": time, "query_name": name,
        "query_type": "A", "query_class": "IN", "rcode": "NOERROR",
        "answers": [{"Rdata": "203.0.113.80", "Type": "A", "Class": "IN"}],
        "srcaddr": "10.0.1.15", "srcport": "46712", "transport": "UDP",
        "srcids": {"instance": "i-0abcd1234ef567890"}})
}

fn finding(id: &str, severity: f64, archived: bool, time: &str) -> Value {
    json!({"schemaVersion": "2.0", "accountId": "111122223333", "region": "us-east-1",
        "partition": "aws", "id": id,
        "arn": format!("arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/{id}"),
        "type": "CryptoCurrency:EC2/BitcoinTool.B!DNS",
        "resource": {"resourceType": "Instance", "instanceDetails": {"instanceId": "i-0abcd1234ef567890"}},
        "service": {"serviceName": "guardduty", "detectorId": "12abc34d567e8fa901bc2d34e56789f0",
            "archived": archived, "count": 3, "eventFirstSeen": time, "eventLastSeen": time},
        "severity": severity, "createdAt": time, "updatedAt": time,
        "title": "EC2 instance querying a domain name associated with Bitcoin activity.",
        "description": "An EC2 instance is querying a domain name associated with cryptocurrency activity."})
}

const OWNER: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

fn access(minute: u32, requester: &str, status: u16, error: &str) -> String {
    format!("{OWNER} payroll-exports [01/Jun/2026:10:{minute:02}:00 +0000] 203.0.113.30 {requester} REQ{minute} REST.GET.OBJECT salaries.csv \"GET /payroll-exports/salaries.csv HTTP/1.1\" {status} {error} 48213 48213 41 12 \"-\" \"curl/8.5.0\" - hostid - TLS_AES_128_GCM_SHA256 - payroll-exports.s3.us-east-1.amazonaws.com TLSv1.3 - -")
}

/// Every log in its own file under `dir`.
fn write_logs(dir: &Path) {
    let flows = format!("{FLOW_HEADER}\n{}\n", FLOWS.join("\n"));
    std::fs::write(
        dir.join("111122223333_vpcflowlogs_us-east-1_fl-1234abcd_20260601T1000Z_ab12cd34.log"),
        flows,
    )
    .unwrap();
    let queries = [
        dns("xmr-eu1.nanopool.org.", "2026-06-01T10:00:03Z"),
        dns("nanopool.org.internal.example.com.", "2026-06-01T10:00:04Z"),
    ];
    let lines: Vec<String> = queries.iter().map(Value::to_string).collect();
    std::fs::write(dir.join("resolver.log"), lines.join("\n") + "\n").unwrap();
    let findings = [
        finding(
            "0a0000000000000000000000000000a1",
            8.0,
            false,
            "2026-06-01T10:01:00Z",
        ),
        finding(
            "0a0000000000000000000000000000a2",
            9.2,
            false,
            "2026-06-01T10:02:00Z",
        ),
        finding(
            "0a0000000000000000000000000000a3",
            5.0,
            false,
            "2026-06-01T10:03:00Z",
        ),
        finding(
            "0a0000000000000000000000000000a4",
            8.0,
            true,
            "2026-06-01T10:04:00Z",
        ),
    ];
    let lines: Vec<String> = findings.iter().map(Value::to_string).collect();
    std::fs::write(dir.join("findings.jsonl"), lines.join("\n") + "\n").unwrap();
    let lines = [
        access(5, "-", 200, "-"),
        access(6, "arn:aws:iam::111122223333:role/payroll-app", 200, "-"),
        access(7, "-", 403, "AccessDenied"),
    ];
    std::fs::write(
        dir.join("access-2026-06-01-10-05-00-3E57427F3EXAMPLE"),
        lines.join("\n") + "\n",
    )
    .unwrap();
    let trail = json!({"Records": [{"eventVersion": "1.09",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": "arn:aws:iam::111122223333:user/alice",
            "accountId": "111122223333", "accessKeyId": "AKIAIOSFODNN7EXAMPLE", "userName": "alice"},
        "eventTime": "2026-06-01T09:59:00Z", "eventSource": "sts.amazonaws.com", "eventName": "GetCallerIdentity",
        "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.7", "userAgent": "aws-cli/2.17.0",
        "requestParameters": null, "responseElements": null, "requestID": "6b1c8a42-1d2e-4f3a-9b8c-7d6e5f4a3b2c",
        "eventID": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0", "readOnly": true, "eventType": "AwsApiCall",
        "managementEvent": true, "recipientAccountId": "111122223333", "eventCategory": "Management"}]});
    std::fs::write(
        dir.join("111122223333_CloudTrail_us-east-1_20260601T1000Z_x.json"),
        trail.to_string(),
    )
    .unwrap();
}

fn logs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_logs(dir.path());
    dir
}

fn jsonl(out: &str) -> Vec<Value> {
    out.lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn sources_of(lines: &[Value]) -> Vec<String> {
    lines
        .iter()
        .map(|v| v["cloudcase"]["source"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[test]
fn every_log_is_read_and_the_log_source_filter_selects_logs() {
    let dir = logs();
    let path = dir.path().to_str().unwrap();
    let all = cloudcase(&["timeline", path, "--format", "jsonl", "--strict"]);
    assert!(all.status.success(), "{}", stderr(&all));
    let lines = jsonl(&stdout(&all));
    let kinds: BTreeSet<String> = sources_of(&lines).into_iter().collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "cloudtrail",
            "guardduty",
            "route53_resolver",
            "s3_access",
            "vpc_flow"
        ]
    );
    assert_eq!(lines.len(), 1 + FLOWS.len() + 2 + 4 + 3);

    let some = cloudcase(&[
        "timeline",
        path,
        "--format",
        "jsonl",
        "--log-source",
        "vpc_flow,route53_resolver",
    ]);
    assert!(some.status.success(), "{}", stderr(&some));
    let picked = sources_of(&jsonl(&stdout(&some)));
    assert_eq!(picked.len(), FLOWS.len() + 2);
    assert!(
        picked
            .iter()
            .all(|s| s == "vpc_flow" || s == "route53_resolver"),
        "{picked:?}"
    );

    let repeated = cloudcase(&[
        "timeline",
        path,
        "--format",
        "jsonl",
        "--log-source",
        "guardduty",
        "--log-source",
        "cloudtrail",
        "--event",
        "GetCallerIdentity",
    ]);
    assert_eq!(sources_of(&jsonl(&stdout(&repeated))), ["cloudtrail"]);
}

#[test]
fn an_unknown_log_source_is_refused_naming_the_valid_ones() {
    let dir = logs();
    let out = cloudcase(&[
        "timeline",
        dir.path().to_str().unwrap(),
        "--log-source",
        "vpcflow",
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("unknown log source \"vpcflow\"; valid: cloudtrail, s3_access, vpc_flow, guardduty, route53_resolver, billing"),
        "{err}"
    );
}

#[test]
fn every_format_names_the_source_and_details_other_logs() {
    let dir = logs();
    let path = dir.path().to_str().unwrap();
    let csv = stdout(&cloudcase(&[
        "timeline",
        path,
        "--format",
        "csv",
        "--log-source",
        "vpc_flow",
    ]));
    let mut rows = csv.lines();
    let header: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert_eq!(&header[..3], ["event_time", "source", "event_source"]);
    let detail = header
        .iter()
        .position(|h| *h == "detail")
        .expect("detail column");
    let first: Vec<&str> = rows.next().unwrap().split(',').collect();
    assert_eq!(first[1], "vpc_flow");
    assert_eq!(
        first[detail],
        "10.0.1.15:49152 → 203.0.113.50:3333 tcp 6.1 KB ACCEPT eni-0c3f7a9e21b4d5c68"
    );

    let sketch = stdout(&cloudcase(&[
        "timeline",
        path,
        "--format",
        "timesketch",
        "--log-source",
        "route53_resolver",
    ]));
    let first = &jsonl(&sketch)[0];
    assert_eq!(first["source"], "route53_resolver");
    assert_eq!(
        first["message"],
        "[route53_resolver] xmr-eu1.nanopool.org. A NOERROR i-0abcd1234ef567890 → 203.0.113.80 from 10.0.1.15"
    );

    let table = stdout(&cloudcase(&["timeline", path, "--format", "table"]));
    let header = table.lines().next().unwrap();
    assert!(header.starts_with("TIME"), "{header}");
    let col = |name: &str| {
        header
            .find(name)
            .unwrap_or_else(|| panic!("{name} in {header}"))
    };
    let finding = table
        .lines()
        .find(|l| l.contains("severity 9.2"))
        .expect("the critical finding's row");
    assert_eq!(finding.find("guardduty "), Some(col("SOURCE ")));
    // Columns line up in characters (a cut cell ends in a 3-byte `…`).
    let detail: String = finding
        .chars()
        .skip(header[..col("DETAIL")].chars().count())
        .collect();
    assert_eq!(
        detail,
        "CryptoCurrency:EC2/BitcoinTool.B!DNS severity 9.2 (critical) i-0abcd1234ef567890"
    );
    let trail = table
        .lines()
        .find(|l| l.contains("GetCallerIdentity"))
        .unwrap();
    assert_eq!(trail.find("cloudtrail "), Some(col("SOURCE ")));
    assert!(trail.trim_end().ends_with("alice"), "{trail}");
}

#[test]
fn stats_count_per_log_and_keep_caller_dimensions_to_callers() {
    let dir = logs();
    let out = cloudcase(&["stats", dir.path().to_str().unwrap(), "--format", "json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        v["by_log_source"],
        json!({"vpc_flow": 5, "guardduty": 4, "s3_access": 3, "route53_resolver": 2, "cloudtrail": 1})
    );
    assert_eq!(v["events"], 15);
    // Principals come from CloudTrail and S3 access lines only (1 + 3), not from flows or findings.
    let principals: u64 = v["by_principal"]
        .as_object()
        .unwrap()
        .values()
        .map(|n| n.as_u64().unwrap())
        .sum();
    assert_eq!(principals, 4, "{}", v["by_principal"]);
    assert_eq!(v["by_event_source"]["vpc-flow-logs"], 5);
    assert_eq!(v["by_event_name"]["ResolverQuery"], 2);
    assert_eq!(v["by_bucket"], json!({"payroll-exports": 3}));
    assert_eq!(v["by_query_name"]["xmr-eu1.nanopool.org."], 1);
    assert_eq!(v["by_flow_destination"]["198.51.100.44:443"], 2);
    assert_eq!(
        v["by_finding_severity"],
        json!({"high": 2, "critical": 1, "medium": 1})
    );

    let table = stdout(&cloudcase(&["stats", dir.path().to_str().unwrap()]));
    let section = table
        .split("by log source (5 distinct):")
        .nth(1)
        .expect("log source section");
    let rows: Vec<&str> = section.lines().skip(1).take(5).map(str::trim).collect();
    assert_eq!(
        rows,
        [
            "5  vpc_flow",
            "4  guardduty",
            "3  s3_access",
            "2  route53_resolver",
            "1  cloudtrail"
        ]
    );
}

#[test]
fn each_rule_for_other_logs_fires_on_its_record_and_not_on_the_near_miss() {
    let dir = logs();
    let out = cloudcase(&[
        "hunt",
        dir.path().to_str().unwrap(),
        "--format",
        "jsonl",
        "--min-level",
        "informational",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let mut fired: BTreeSet<(String, String, u64)> = BTreeSet::new();
    for f in jsonl(&stdout(&out)) {
        if f["origin"] != "rule" {
            continue;
        }
        let file = Path::new(f["file"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let kind = if file.contains("_vpcflowlogs_") {
            "flows".to_owned()
        } else if file.contains("_CloudTrail_") {
            "trail".to_owned()
        } else {
            file.split(['-', '.']).next().unwrap_or_default().to_owned()
        };
        fired.insert((
            f["rule_title"].as_str().unwrap().to_owned(),
            kind,
            f["record"].as_u64().unwrap(),
        ));
    }
    let expected: BTreeSet<(String, String, u64)> = [
        ("AWS VPC Flow To A Mining Pool Stratum Port", "flows", 0),
        (
            "AWS VPC Flow Large Outbound Transfer To A Public Address",
            "flows",
            1,
        ),
        (
            "AWS Route53 Resolver Query For A Cryptocurrency Mining Pool",
            "resolver",
            0,
        ),
        ("AWS GuardDuty High Severity Finding", "findings", 0),
        ("AWS GuardDuty Critical Severity Finding", "findings", 1),
        ("AWS S3 Object Read Anonymously", "access", 0),
        ("AWS STS Caller Identity Checked", "trail", 0),
    ]
    .into_iter()
    .map(|(t, k, r)| (t.to_owned(), k.to_owned(), r))
    .collect();
    assert_eq!(fired, expected);
}
