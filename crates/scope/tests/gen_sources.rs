//! `scope` on the generator's leaked-key incident with every log source beside CloudTrail,
//! checked against the generator's ground truth: bucket verdicts from S3 server access logs,
//! the attacker's flows and the bytes its instances sent, resolver queries of mining pools,
//! GuardDuty findings of the attack, and the attacker instances' actual cost.

use std::collections::BTreeSet;
use std::path::Path;

use cloudcase_gen::{generate, Config, Scenario, Sources, SourcesTruth, Summary};
use cloudcase_scope::Subject;
use serde_json::Value;

mod common;

fn corpus(dir: &Path, seed: u64) -> Summary {
    generate(&Config {
        seed,
        out_dir: dir.to_path_buf(),
        target_bytes: 1_500_000,
        days: 12,
        scenario: Scenario::LeakedKey,
        sources: Sources::all(),
        threads: 1,
        ..Config::default()
    })
    .expect("generated")
}

fn entries<'a>(d: &'a Value, key: &str) -> &'a [Value] {
    d[key].as_array().map_or(&[], Vec::as_slice)
}

fn bucket<'a>(d: &'a Value, name: &str) -> &'a Value {
    entries(d, "data_access")
        .iter()
        .find(|b| b["store"] == "s3_bucket" && b["name"] == name)
        .unwrap_or_else(|| panic!("bucket {name} has a verdict"))
}

fn check_buckets(d: &Value, truth: &SourcesTruth, seed: u64) {
    let s3 = truth.s3_access.as_ref().expect("access-log truth");
    for a in &s3.accessed {
        let b = bucket(d, &a.bucket);
        assert_eq!(
            b["verdict"], "ACCESSED",
            "seed {seed} {}: {}",
            a.bucket, b["basis"]
        );
        let reads = entries(b, "access_log_reads");
        let requesters: BTreeSet<&str> = reads
            .iter()
            .filter_map(|r| r["requester"].as_str())
            .collect();
        let ips: BTreeSet<&str> = reads.iter().filter_map(|r| r["ip"].as_str()).collect();
        for p in &a.principals {
            assert!(
                requesters.contains(p.as_str()),
                "seed {seed}: {p} not named in {reads:?}"
            );
        }
        for ip in &a.source_ips {
            assert!(ips.contains(ip.as_str()), "seed {seed}: {ip} not named");
        }
        let objects: u64 = reads.iter().filter_map(|r| r["objects"].as_u64()).sum();
        assert!(
            objects >= a.objects.len() as u64,
            "seed {seed}: {objects} objects"
        );
        let bytes: u64 = reads.iter().filter_map(|r| r["bytes_sent"].as_u64()).sum();
        assert!(bytes >= a.object_bytes_sent, "seed {seed}: {bytes} bytes");
    }
    for name in &s3.logged_not_accessed {
        let b = bucket(d, name);
        assert_eq!(
            b["verdict"], "NOT_OBSERVED",
            "seed {seed} {name}: {}",
            b["basis"]
        );
        assert_eq!(b["coverage"]["logging"], "s3_access_log");
    }
}

fn check_network(d: &Value, truth: &SourcesTruth, seed: u64) {
    let flow = truth.vpc_flow.as_ref().expect("flow truth");
    let net = &d["network"];
    let flows = entries(net, "flows");
    let mut to_attacker: std::collections::BTreeMap<&str, u64> = Default::default();
    for t in &flow.attacker_instances {
        let inst = entries(net, "instances")
            .iter()
            .find(|i| i["instance_id"] == t.instance_id.as_str())
            .unwrap_or_else(|| panic!("seed {seed}: {} listed", t.instance_id));
        assert_eq!(inst["interfaces"][0], t.network_interface_id.as_str());
        assert_eq!(inst["flow_logs"], "logged");
        let group = |remote: &str| {
            flows
                .iter()
                .find(|g| {
                    g["interface_id"] == t.network_interface_id.as_str()
                        && g["remote_address"] == remote
                })
                .unwrap_or_else(|| panic!("seed {seed}: a flow of {} with {remote}", t.instance_id))
        };
        let ssh = group(&t.attacker_ip);
        assert_eq!(ssh["local_address"], t.private_ip.as_str());
        assert_eq!(
            ssh["bytes_out"], t.bytes_out_to_attacker,
            "seed {seed} {}",
            t.instance_id
        );
        assert_eq!(
            ssh["bytes_in"], t.bytes_in_from_attacker,
            "seed {seed} {}",
            t.instance_id
        );
        let pool = group(&t.pool_ip);
        assert_eq!(pool["port"], t.pool_port);
        assert_eq!(
            pool["bytes_out"], t.bytes_out_to_pool,
            "seed {seed} {}",
            t.instance_id
        );
        *to_attacker.entry(t.attacker_ip.as_str()).or_default() += t.bytes_out_to_attacker;
    }
    let exfil = &net["exfiltration"];
    assert_eq!(exfil["verdict"], "OBSERVED");
    for (ip, bytes) in to_attacker {
        let dest = entries(exfil, "destinations")
            .iter()
            .find(|x| x["address"] == ip)
            .unwrap_or_else(|| panic!("seed {seed}: {ip} a destination"));
        assert!(dest["bytes"].as_u64() >= Some(bytes), "seed {seed}: {dest}");
    }
}

fn check_findings_dns_cost(d: &Value, truth: &SourcesTruth, seed: u64) {
    let dns = truth.route53_resolver.as_ref().expect("dns truth");
    let queries = entries(&d["dns"], "queries");
    for name in &dns.mining_domains {
        let q = queries
            .iter()
            .find(|q| {
                q["query_name"].as_str().map(|n| n.trim_end_matches('.'))
                    == Some(name.trim_end_matches('.'))
            })
            .unwrap_or_else(|| panic!("seed {seed}: {name} listed"));
        for i in common::string_values(&q["instances"]) {
            assert!(dns.querying_instances.contains(&i), "seed {seed}: {i}");
        }
    }
    let gd = truth.guardduty.as_ref().expect("guardduty truth");
    let attack: BTreeSet<&str> = gd
        .findings
        .iter()
        .filter(|f| f.attack)
        .map(|f| f.id.as_str())
        .collect();
    let joined: BTreeSet<&str> = entries(&d["guardduty"], "findings")
        .iter()
        .filter_map(|f| f["id"].as_str())
        .collect();
    assert_eq!(
        joined, attack,
        "seed {seed}: joined findings are the attack's"
    );
    assert_eq!(
        d["guardduty"]["not_joined"],
        (gd.findings.len() - attack.len()) as u64
    );
    let billing = truth.billing.as_ref().expect("billing truth");
    let actual = &d["cost"]["actual"];
    let total = actual["totals"][0]["cost"]
        .as_f64()
        .expect("an actual total");
    let expected = billing.attacker_cost_micro_usd as f64 / 1e6;
    assert!(
        (total - expected).abs() < 0.01,
        "seed {seed}: {total} vs {expected}"
    );
}

#[test]
fn the_other_sources_agree_with_the_generators_truth() {
    for seed in [3, 11] {
        let dir = tempfile::tempdir().expect("a directory");
        let summary = corpus(dir.path(), seed);
        let incident = summary.incident.as_ref().expect("an incident");
        let truth = summary.sources.as_ref().expect("sources written");
        let result = common::scope_dir(
            dir.path(),
            Subject::AccessKey(incident.access_key_id.clone()),
        );
        let d = common::to_json(&result);
        check_buckets(&d, truth, seed);
        check_network(&d, truth, seed);
        check_findings_dns_cost(&d, truth, seed);
    }
}
