//! `cloudcase scope` end to end on a small incident written in AWS's own formats
//! (`tests/fixtures/scope_incident`): CloudTrail (a leaked key creates a user with an access
//! key, which launches an instance with one interface and names the customer bucket), S3 server
//! access logs of two buckets, VPC flow logs of the attacker's interface and of a web server,
//! GuardDuty findings, Route 53 Resolver query logs and a Cost and Usage Report.
//!
//! The bar: the customer-data bucket ACCESSED from the server access logs, naming the
//! attacker's user; the attacker's flows on its instance's interface, with the bytes it sent.

mod common;
use common::cloudcase;

use serde_json::Value;

const FIXTURE: &str = "tests/fixtures/scope_incident";
const LEAKED: &str = "AKIAQ3EGCIDEPLOY0001";
const BACKDOOR: &str = "arn:aws:iam::111122223333:user/svc-backup";
const ATTACKER: &str = "198.51.100.7";
const INSTANCE: &str = "i-0c0ffee5badc0de01";
const ENI: &str = "eni-0a77ac4e2f1d3b901";

fn scope(format: &str) -> String {
    let fixture = format!("{}/{FIXTURE}", env!("CARGO_MANIFEST_DIR"));
    let out = cloudcase(&[
        "scope",
        &fixture,
        "--access-key",
        LEAKED,
        "--format",
        format,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

fn bucket<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["data_access"]
        .as_array()
        .expect("data_access")
        .iter()
        .find(|d| d["name"] == name)
        .unwrap_or_else(|| panic!("{name} has a verdict"))
}

#[test]
fn access_logs_and_flow_logs_decide_the_bucket_and_network_sections() {
    let text = scope("json");
    let doc: Value = serde_json::from_str(&text).expect("one JSON object");
    // The typed result reads it back (every new section denies unknown fields) and writes it
    // the same.
    let typed: cloudcase_model::scope::ScopeResult =
        serde_json::from_str(&text).expect("the typed result reads the document");
    assert_eq!(serde_json::to_value(&typed).expect("writes"), doc);
    // The intrusion stays CloudTrail's: the leaked key's first call from the new network.
    assert_eq!(
        doc["intrusion"]["first_attacker_event"],
        "2024-03-21T02:10:05.000Z"
    );
    assert_eq!(doc["attacker_sources"][0]["ip"], ATTACKER);
    assert_eq!(
        doc["attacker_sources"].as_array().map(Vec::len),
        Some(1),
        "access-log and flow records add no attacker source"
    );
    // No CloudTrail data events: the access-log lines are not counted as such.
    assert!(doc["coverage"]["categories"].get("Data").is_none());

    let customer = bucket(&doc, "customer-data");
    assert_eq!(customer["verdict"], "ACCESSED");
    assert!(
        customer["basis"].as_str().unwrap().contains(BACKDOOR),
        "{}",
        customer["basis"]
    );
    let reads = &customer["access_log_reads"][0];
    assert_eq!(reads["requester"], BACKDOOR);
    assert_eq!(reads["ip"], ATTACKER);
    assert_eq!(reads["matched"], "attacker_identity");
    // The list, two GETs and a HEAD; the denied GET is not a read.
    assert_eq!(reads["requests"], 4);
    assert_eq!(reads["objects"], 3);
    assert_eq!(reads["bytes_sent"], 4211 + 73_400_320 + 51_200_000);
    assert_eq!(reads["keys"][0], "exports/customers-2024-q1.csv");
    let cov = &customer["coverage"];
    assert_eq!(cov["logging"], "s3_access_log");
    assert_eq!(cov["files"], 3);
    assert_eq!(cov["window"], "whole");
    assert_eq!(cov["first"], "2024-03-20T23:00:05.000Z");

    assert!(
        customer["basis"]
            .as_str()
            .unwrap()
            .contains("GuardDuty finding Exfiltration:S3/AnomalousBehavior"),
        "a finding naming the bucket corroborates its verdict: {}",
        customer["basis"]
    );

    let marketing = bucket(&doc, "marketing-assets");
    assert_eq!(
        marketing["verdict"], "NOT_OBSERVED",
        "{}",
        marketing["basis"]
    );
    assert_eq!(marketing["access_log_reads"], serde_json::json!([]));

    let net = &doc["network"];
    let flows = net["flows"].as_array().expect("flows");
    let ssh = flows
        .iter()
        .find(|g| g["remote_address"] == ATTACKER)
        .expect("the attacker's flows");
    assert_eq!(ssh["interface_id"], ENI);
    assert_eq!(ssh["instance_id"], INSTANCE);
    assert_eq!(ssh["local_address"], "10.0.1.25");
    assert_eq!(
        (ssh["port"].as_u64(), ssh["protocol"].as_str()),
        (Some(22), Some("tcp"))
    );
    assert_eq!(ssh["bytes_out"], 22_100 + 52_428_800);
    assert_eq!(ssh["bytes_in"], 15_600 + 468_000);
    assert_eq!(ssh["reason"], "attacker_instance");
    assert!(
        flows.iter().all(|g| g["interface_id"] == ENI),
        "the web server's flows are not the attacker's"
    );
    let rejected = flows
        .iter()
        .find(|g| g["port"] == 3389)
        .expect("the rejected probe");
    assert_eq!(rejected["actions"], serde_json::json!(["REJECT"]));

    let inst = &net["instances"][0];
    assert_eq!(inst["instance_id"], INSTANCE);
    assert_eq!(inst["interfaces"], serde_json::json!([ENI]));
    assert_eq!(inst["flow_logs"], "logged");
    assert_eq!(inst["bytes_out"], 22_100 + 52_428_800 + 120_000);
    assert_eq!(inst["skipdata"].as_array().map(Vec::len), Some(1));

    let exfil = &net["exfiltration"];
    assert_eq!(exfil["verdict"], "OBSERVED");
    assert_eq!(exfil["bytes_to_attacker"], 22_100 + 52_428_800);
    assert_eq!(exfil["destinations"][0]["address"], ATTACKER);
    assert_eq!(net["coverage"]["interfaces"], 2);
    assert_eq!(net["coverage"]["skipdata_records"], 1);

    let gd = &doc["guardduty"];
    let types: Vec<&str> = gd["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["finding_type"].as_str())
        .collect();
    assert_eq!(
        types,
        [
            "Exfiltration:S3/AnomalousBehavior",
            "CryptoCurrency:EC2/BitcoinTool.B!DNS",
            "UnauthorizedAccess:IAMUser/MaliciousIPCaller"
        ]
    );
    assert_eq!(gd["not_joined"], 1);
    let on: Vec<&str> = gd["findings"][2]["joined_on"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|j| j["on"].as_str())
        .collect();
    assert_eq!(on, ["access_key", "principal", "address"]);
    let dns = &doc["dns"]["queries"];
    assert_eq!(dns[0]["query_name"], "pool.minexmr.com.");
    assert_eq!(dns[0]["count"], 2);
    let actual = &doc["cost"]["actual"];
    assert_eq!(actual["covers_window"], true, "{}", actual["basis"]);
    assert_eq!(actual["items"][0]["resource_id"], INSTANCE);
    assert_eq!(actual["items"][0]["usage_type"], "BoxUsage:c5.4xlarge");
    assert_eq!(actual["items"][0]["line_items"], 31);
    let total = actual["totals"][0]["cost"].as_f64().expect("a total");
    assert!((total - (31.0 * 0.68 + 0.004401)).abs() < 1e-6, "{total}");
    assert_eq!(
        dns.as_array().map(Vec::len),
        Some(2),
        "the web server's query is not listed"
    );
}

#[test]
fn the_table_shows_the_new_sections() {
    let table = scope("table");
    for heading in [
        "== bucket reads in S3 server access logs",
        "== network (VPC flow logs)",
        "== guardduty findings",
        "== dns queries of attacker instances",
    ] {
        assert!(table.contains(heading), "{heading} missing:\n{table}");
    }
    assert!(table.contains("exfiltration OBSERVED"), "{table}");
    let md = scope("md");
    assert!(md.contains("## network (VPC flow logs)"), "{md}");
}
