//! Rules for logs beyond CloudTrail, evaluated on events read by
//! `cloudcase-read` from files in their delivered shapes: each rule runs on
//! its own log only, and `gt`/`gte`/`lt`/`lte` compare the JSON numbers of
//! flow records and GuardDuty findings numerically.

mod common;

use cloudcase_event::LogSource;
use cloudcase_sigma::{EventRecord, RuleSet};

const RULES: &str = r#"
title: Big flow
id: big-flow
logsource: {product: aws, service: vpcflowlogs}
detection:
    s: {bytes|gt: 100000, dstport|lte: 1024, packets|gte: 10}
    condition: s
---
title: Quiet flow
id: quiet-flow
logsource: {product: aws, service: vpc_flow}
detection:
    s: {bytes|lt: 100, action: ACCEPT}
    condition: s
---
title: Severe finding
id: severe
logsource: {product: aws, service: guardduty}
detection:
    s: {severity|gte: 7.5}
    condition: s
---
title: Any accepted thing in CloudTrail
id: trail-accept
logsource: {product: aws, service: cloudtrail}
detection:
    s: {eventName: ACCEPT}
    condition: s
"#;

const FLOWS: &str = "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
2 111122223333 eni-0c3f7a9e21b4d5c68 10.0.1.15 198.51.100.44 49153 443 6 900 1210000 1780308100 1780308160 ACCEPT OK
2 111122223333 eni-0c3f7a9e21b4d5c68 10.0.1.15 198.51.100.44 49154 8443 6 900 1210000 1780308200 1780308260 ACCEPT OK
2 111122223333 eni-0c3f7a9e21b4d5c68 10.0.1.15 198.51.100.44 49155 443 6 1 60 1780308300 1780308360 ACCEPT OK
2 111122223333 eni-0c3f7a9e21b4d5c68 10.0.1.15 198.51.100.44 49156 443 6 9 100001 1780308400 1780308460 ACCEPT OK
";

fn finding(id: &str, severity: f64) -> String {
    serde_json::json!({"schemaVersion": "2.0", "accountId": "111122223333", "region": "us-east-1",
        "partition": "aws", "id": id,
        "arn": format!("arn:aws:guardduty:us-east-1:111122223333:detector/12abc34d567e8fa901bc2d34e56789f0/finding/{id}"),
        "type": "Recon:IAMUser/MaliciousIPCaller",
        "resource": {"resourceType": "AccessKey", "accessKeyDetails": {"accessKeyId": "AKIAIOSFODNN7EXAMPLE", "userName": "bob"}},
        "service": {"serviceName": "guardduty", "archived": false, "count": 1,
            "eventFirstSeen": "2026-06-01T10:00:00Z", "eventLastSeen": "2026-06-01T10:00:00Z"},
        "severity": severity, "createdAt": "2026-06-01T10:00:00Z", "updatedAt": "2026-06-01T10:00:00Z",
        "title": "Reconnaissance API called from a known malicious IP address."})
    .to_string()
}

#[test]
fn numeric_modifiers_compare_json_numbers_of_each_log() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path()
            .join("111122223333_vpcflowlogs_us-east-1_fl-1234abcd_20260601T1000Z_ab12cd34.log"),
        FLOWS,
    )
    .unwrap();
    let findings = [finding("a1", 7.4), finding("a2", 7.5), finding("a3", 8.9)];
    std::fs::write(
        dir.path().join("findings.jsonl"),
        findings.join("\n") + "\n",
    )
    .unwrap();
    let events = common::read_events(&[dir.path().to_path_buf()]);
    assert_eq!(events.len(), 7, "every flow and finding is read");

    let mut set = RuleSet::new();
    assert!(set.add_yaml("mem", RULES).is_empty());
    let (engine, problems) = set.compile();
    assert!(problems.is_empty(), "{problems:?}");
    let mut fired = Vec::new();
    for e in &events {
        let ids: Vec<&str> = engine
            .matches(&EventRecord::new(e))
            .map(|r| r.id().unwrap_or_default())
            .collect();
        fired.push((e.source, e.provenance.record, ids.join(",")));
    }
    fired.sort();
    assert_eq!(
        fired,
        [
            (LogSource::VpcFlow, 0, "big-flow".to_owned()),
            (LogSource::VpcFlow, 1, String::new()),
            (LogSource::VpcFlow, 2, "quiet-flow".to_owned()),
            (LogSource::VpcFlow, 3, String::new()),
            (LogSource::GuardDuty, 0, String::new()),
            (LogSource::GuardDuty, 1, "severe".to_owned()),
            (LogSource::GuardDuty, 2, "severe".to_owned()),
        ]
    );
}
