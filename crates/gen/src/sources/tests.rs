//! Tests of the sources beside CloudTrail: each log read back by an
//! independent path (walk, gunzip, split) and checked against the
//! documented formats, the truth and the CloudTrail records.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::tests::Corpus;
use crate::{generate, Config, Scenario, Sources, Summary};

const ACCT: &str = "123456789012";

fn gen(dir: &Path, scenario: Scenario, seed: u64) -> Summary {
    generate(&Config {
        seed,
        out_dir: dir.to_path_buf(),
        target_bytes: 300_000,
        days: 3,
        scenario,
        sources: Sources::all(),
        threads: 1,
        ..Config::default()
    })
    .unwrap()
}

/// Every file under `dir`, relative path → content (gunzipped when `.gz`).
fn read_all(dir: &Path) -> BTreeMap<PathBuf, String> {
    fn walk(base: &Path, p: &Path, out: &mut BTreeMap<PathBuf, String>) {
        for e in std::fs::read_dir(p).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let text = if path.extension().is_some_and(|x| x == "gz") {
                let mut s = String::new();
                flate2::read::MultiGzDecoder::new(&bytes[..])
                    .read_to_string(&mut s)
                    .unwrap();
                s
            } else {
                String::from_utf8(bytes).unwrap()
            };
            out.insert(path.strip_prefix(base).unwrap().to_path_buf(), text);
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn under<'a>(
    all: &'a BTreeMap<PathBuf, String>,
    prefix: &str,
) -> impl Iterator<Item = (&'a PathBuf, &'a String)> {
    let prefix = prefix.to_string();
    all.iter().filter(move |(p, _)| p.starts_with(&prefix))
}

/// Splits an access-log line into fields: quoted and bracketed fields are
/// one field each.
fn access_fields(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        rest = rest.trim_start_matches(' ');
        let (field, tail) = match rest.as_bytes().first() {
            Some(b'"') => {
                let end = rest[1..].find('"').expect("closed quote") + 1;
                (&rest[1..end], &rest[end + 1..])
            }
            Some(b'[') => {
                let end = rest.find(']').expect("closed bracket");
                (&rest[1..end], &rest[end + 1..])
            }
            Some(_) => {
                let end = rest.find(' ').unwrap_or(rest.len());
                (&rest[..end], &rest[end..])
            }
            None => break,
        };
        out.push(field);
        rest = tail;
    }
    out
}

#[test]
fn access_log_lines_have_the_documented_fields_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let s = gen(dir.path(), Scenario::LeakedKey, 5);
    let a = s.sources.as_ref().unwrap().s3_access.as_ref().unwrap();
    let all = read_all(dir.path());
    let mut lines = 0;
    for (path, text) in under(&all, &a.log_bucket) {
        let name = path.file_name().unwrap().to_str().unwrap();
        let (stamp, unique) = name.split_at(20);
        assert_eq!(stamp.len(), 20, "{name}");
        assert!(
            stamp.as_bytes()[4] == b'-' && stamp.ends_with('-'),
            "{name}"
        );
        assert!(
            unique.len() == 16
                && unique
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)),
            "{name}"
        );
        let bucket = path
            .parent()
            .unwrap()
            .file_name()
            .unwrap()
            .to_str()
            .unwrap();
        assert!(a.buckets_logged.iter().any(|b| b == bucket));
        for line in text.lines() {
            let f = access_fields(line);
            assert_eq!(f.len(), 26, "{line}");
            assert!(f[0].len() == 64 && f[0].bytes().all(|b| b.is_ascii_hexdigit()));
            assert_eq!(f[1], bucket);
            assert!(f[2].ends_with(" +0000") && f[2].len() == 26, "{}", f[2]);
            assert!(f[3].parse::<std::net::Ipv4Addr>().is_ok(), "{}", f[3]);
            assert!(
                f[4] == "-"
                    || f[4].starts_with(&format!("arn:aws:iam::{ACCT}:user/"))
                    || f[4].starts_with(&format!("arn:aws:sts::{ACCT}:assumed-role/")),
                "{}",
                f[4]
            );
            assert_eq!(f[5].len(), 16);
            assert!(f[6].starts_with("REST."), "{}", f[6]);
            assert!(f[8].ends_with(" HTTP/1.1"));
            assert!(f[9].parse::<u16>().is_ok());
            for k in [11, 12, 13, 14] {
                assert!(f[k] == "-" || f[k].parse::<u64>().is_ok(), "{line}");
            }
            assert_eq!(f[19], if f[4] == "-" { "-" } else { "SigV4" });
            assert_eq!(
                f[22],
                format!("{bucket}.s3.{}.amazonaws.com", s.home_regions[0])
            );
            assert_eq!(f[23], "TLSv1.2");
            assert_eq!((f[24], f[25]), ("-", "-"));
            lines += 1;
        }
    }
    assert_eq!(lines, a.lines);
    assert!(lines > 500);
}

/// What the access logs show of the attacker on one bucket.
#[derive(Debug, Default)]
struct Seen {
    objects: BTreeSet<String>,
    gets: u64,
    lists: u64,
    object_bytes: u64,
}

/// Attacker lines per bucket: (objects, gets, lists, object bytes).
fn attacker_lines(
    all: &BTreeMap<PathBuf, String>,
    log_bucket: &str,
    ips: &[String],
) -> BTreeMap<String, Seen> {
    let mut out: BTreeMap<String, Seen> = BTreeMap::new();
    for (_, text) in under(all, log_bucket) {
        for line in text.lines() {
            let f = access_fields(line);
            if !ips.iter().any(|ip| ip == f[3]) {
                continue;
            }
            let e = out.entry(f[1].to_string()).or_default();
            match f[6] {
                "REST.GET.OBJECT" => {
                    e.objects.insert(f[7].to_string());
                    e.gets += 1;
                    e.object_bytes += f[11].parse::<u64>().unwrap();
                }
                "REST.GET.BUCKET" => e.lists += 1,
                _ => {}
            }
        }
    }
    out
}

#[test]
fn attacker_reads_in_access_logs_match_the_truth() {
    for (scenario, ips_of) in [(Scenario::LeakedKey, 0), (Scenario::InstanceCredential, 1)] {
        let dir = tempfile::tempdir().unwrap();
        let s = gen(dir.path(), scenario, 8);
        let ips = match ips_of {
            0 => s.incident.as_ref().unwrap().attacker_ips.clone(),
            _ => vec![s.credential.as_ref().unwrap().attacker_ip.clone()],
        };
        let a = s.sources.as_ref().unwrap().s3_access.as_ref().unwrap();
        let all = read_all(dir.path());
        let seen = attacker_lines(&all, &a.log_bucket, &ips);
        assert_eq!(seen.len(), a.accessed.len(), "{scenario}");
        assert!(
            !a.accessed.is_empty(),
            "{scenario}: the attacker reads a bucket"
        );
        for b in &a.accessed {
            let got = &seen[&b.bucket];
            let want: BTreeSet<String> = b.objects.iter().cloned().collect();
            assert_eq!(got.objects, want);
            assert_eq!(got.gets, b.get_requests);
            assert_eq!(got.lists, b.list_requests);
            assert_eq!(got.object_bytes, b.object_bytes_sent);
            assert!(b.get_requests > 0 && b.object_bytes_sent > 0);
        }
        for b in &a.logged_not_accessed {
            assert!(!seen.contains_key(b), "{b} has attacker lines");
        }
        if scenario == Scenario::LeakedKey {
            let leaked = s.incident.as_ref().unwrap();
            assert_eq!(
                a.accessed[0].bucket,
                format!("{}-prod-data", a.log_bucket.split('-').next().unwrap())
            );
            assert_eq!(
                a.attacker_principals,
                vec![format!("arn:aws:iam::{ACCT}:user/{}", leaked.user_name)]
            );
            assert!(a.accessed[0].first_time > leaked.first_attacker_event_time);
        } else {
            let c = s.credential.as_ref().unwrap();
            assert_eq!(a.accessed[0].bucket, c.buckets_read[0]);
            let want: BTreeSet<&String> = c.objects_read.iter().collect();
            assert_eq!(a.accessed[0].objects.iter().collect::<BTreeSet<_>>(), want);
        }
    }
}

#[test]
fn scenarios_without_data_reads_leave_no_attacker_lines() {
    let dir = tempfile::tempdir().unwrap();
    let s = gen(dir.path(), Scenario::LambdaCredential, 4);
    let a = s.sources.as_ref().unwrap().s3_access.as_ref().unwrap();
    assert!(a.accessed.is_empty() && a.attacker_principals.is_empty());
    assert_eq!(a.logged_not_accessed, a.buckets_logged);
    let ip = s.credential.as_ref().unwrap().attacker_ip.clone();
    assert!(attacker_lines(&read_all(dir.path()), &a.log_bucket, &[ip]).is_empty());
}

/// RunInstances' instance → (eni, private ip), from the CloudTrail corpus.
fn launched_nics(dir: &Path) -> BTreeMap<String, (String, String)> {
    let corpus = Corpus::read(&dir.join("AWSLogs").join(ACCT).join("CloudTrail"));
    let mut out = BTreeMap::new();
    for r in corpus
        .records()
        .filter(|r| r["eventName"] == "RunInstances")
    {
        for it in r["responseElements"]["instancesSet"]["items"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let ni = &it["networkInterfaceSet"]["items"][0];
            assert_eq!(ni["privateIpAddress"], it["privateIpAddress"]);
            out.insert(
                it["instanceId"].as_str().unwrap().to_string(),
                (
                    ni["networkInterfaceId"].as_str().unwrap().to_string(),
                    it["privateIpAddress"].as_str().unwrap().to_string(),
                ),
            );
        }
    }
    out
}

#[test]
fn flow_records_follow_their_header_and_the_attacker_eni_is_run_instances() {
    for scenario in [Scenario::LeakedKey, Scenario::RootConsole] {
        let dir = tempfile::tempdir().unwrap();
        let s = gen(dir.path(), scenario, 12);
        let f = s.sources.as_ref().unwrap().vpc_flow.as_ref().unwrap();
        let nics = launched_nics(dir.path());
        assert!(!f.attacker_instances.is_empty());
        assert_eq!(f.attacker_instances.len(), nics.len());
        for x in &f.attacker_instances {
            assert_eq!(
                nics[&x.instance_id],
                (x.network_interface_id.clone(), x.private_ip.clone())
            );
        }
        let all = read_all(dir.path());
        let mut out_bytes: BTreeMap<&str, u64> = BTreeMap::new();
        let mut ssh_in = BTreeSet::new();
        let mut pool = BTreeSet::new();
        let mut headers = BTreeSet::new();
        let mut records = 0;
        for (path, text) in under(&all, &format!("AWSLogs/{ACCT}/vpcflowlogs")) {
            let name = path.file_name().unwrap().to_str().unwrap();
            assert!(
                name.starts_with(&format!("{ACCT}_vpcflowlogs_")) && name.ends_with(".log.gz"),
                "{name}"
            );
            let mut lines = text.lines();
            let header: Vec<&str> = lines.next().unwrap().split(' ').collect();
            assert_eq!(
                header[..14],
                super::flow::V2.iter().map(|x| x.name()).collect::<Vec<_>>()[..]
            );
            headers.insert(header.len());
            for line in lines {
                let v: Vec<&str> = line.split(' ').collect();
                assert_eq!(v.len(), header.len(), "{line}");
                let get = |k: &str| v[header.iter().position(|h| *h == k).unwrap()];
                assert_eq!(get("account-id"), ACCT);
                records += 1;
                if get("log-status") == "NODATA" {
                    assert_eq!(get("srcaddr"), "-");
                    continue;
                }
                assert!(get("start").parse::<i64>().unwrap() <= get("end").parse::<i64>().unwrap());
                for x in &f.attacker_instances {
                    if get("interface-id") != x.network_interface_id {
                        continue;
                    }
                    if get("srcaddr") == x.private_ip && get("dstaddr") == x.attacker_ip {
                        *out_bytes.entry(&x.instance_id).or_default() +=
                            get("bytes").parse::<u64>().unwrap();
                    }
                    if get("srcaddr") == x.attacker_ip && get("dstport") == "22" {
                        ssh_in.insert(&x.instance_id);
                    }
                    if get("dstaddr") == x.pool_ip && get("dstport") == x.pool_port.to_string() {
                        pool.insert(&x.instance_id);
                    }
                }
            }
        }
        assert_eq!(records, f.records);
        assert!(headers.contains(&14), "the default format is written");
        let custom = f
            .flow_logs
            .iter()
            .filter(|l| l.format.split(' ').count() > 14);
        assert!(
            custom.count() <= 1,
            "one flow log at most has the custom format"
        );
        for x in &f.attacker_instances {
            assert_eq!(
                out_bytes.get(x.instance_id.as_str()),
                Some(&x.bytes_out_to_attacker),
                "{}",
                x.instance_id
            );
            assert!(
                x.bytes_out_to_attacker > 3_000_000,
                "several MB leave for the attacker"
            );
            assert!(ssh_in.contains(&x.instance_id) && pool.contains(&x.instance_id));
        }
    }
}

#[test]
fn dns_findings_and_costs_agree_with_the_truth() {
    let dir = tempfile::tempdir().unwrap();
    let s = gen(dir.path(), Scenario::LeakedKey, 21);
    let src = s.sources.as_ref().unwrap();
    let all = read_all(dir.path());
    let inc = s.incident.as_ref().unwrap();

    let dns = src.route53_resolver.as_ref().unwrap();
    let mut mining = BTreeSet::new();
    let mut n = 0;
    for (_, text) in under(&all, &format!("AWSLogs/{ACCT}/vpcdnsquerylogs")) {
        for line in text.lines() {
            let q: Value = serde_json::from_str(line).unwrap();
            n += 1;
            let keys: Vec<&String> = q.as_object().unwrap().keys().collect();
            assert_eq!(keys.len(), 14, "{line}");
            let name = q["query_name"].as_str().unwrap().trim_end_matches('.');
            if dns.mining_domains.iter().any(|d| d == name) {
                mining.insert(q["srcids"]["instance"].as_str().unwrap().to_string());
            }
        }
    }
    assert_eq!(n, dns.records);
    let want: BTreeSet<String> = inc
        .instances
        .iter()
        .map(|i| i.instance_id.clone())
        .collect();
    assert_eq!(mining, want);

    let gd = src.guardduty.as_ref().unwrap();
    let mut ids = BTreeSet::new();
    for (_, text) in under(&all, &format!("AWSLogs/{ACCT}/GuardDuty")) {
        for line in text.lines() {
            let v: Value = serde_json::from_str(line).unwrap();
            ids.insert(v["id"].as_str().unwrap().to_string());
            if v["type"] == "CryptoCurrency:EC2/BitcoinTool.B!DNS" {
                let id = v["resource"]["instanceDetails"]["instanceId"]
                    .as_str()
                    .unwrap();
                assert!(want.contains(id));
            }
        }
    }
    assert_eq!(ids, gd.findings.iter().map(|f| f.id.clone()).collect());
    assert!(gd
        .findings
        .iter()
        .any(|f| f.attack && f.resource == inc.access_key_id));
    assert!(gd.findings.iter().any(|f| !f.attack));

    let cur = src.billing.as_ref().unwrap();
    let (path, text) = all
        .iter()
        .find(|(p, _)| {
            p.to_string_lossy().ends_with(".csv.gz") && p.to_string_lossy().contains("/cur/")
        })
        .unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        super::cur::COLUMNS.join(","),
        "{path:?}"
    );
    let mut cost: BTreeMap<String, u64> = BTreeMap::new();
    for line in lines {
        let v: Vec<&str> = line.split(',').collect();
        assert_eq!(v.len(), super::cur::COLUMNS.len());
        let (units, micro) = v[16].split_once('.').unwrap();
        *cost.entry(v[13].to_string()).or_default() +=
            units.parse::<u64>().unwrap() * 1_000_000 + micro.parse::<u64>().unwrap();
    }
    for c in &cur.attacker_costs {
        assert_eq!(cost[&c.resource_id], c.cost_micro_usd, "{}", c.resource_id);
        assert!(c.usage_type.ends_with(&format!(
            "BoxUsage:{}",
            inc.instances
                .iter()
                .find(|i| i.instance_id == c.resource_id)
                .unwrap()
                .instance_type
        )));
    }
    assert!(cur.attacker_cost_micro_usd > 1_000_000);
}

#[test]
fn sources_parse_from_the_command_line_form() {
    let s: Sources = "s3_access,vpc_flow".parse().unwrap();
    assert_eq!(s.to_string(), "cloudtrail,s3_access,vpc_flow");
    assert!(s.any_extra());
    assert_eq!("all".parse::<Sources>().unwrap(), Sources::all());
    assert!(!"cloudtrail".parse::<Sources>().unwrap().any_extra());
    assert!("s3,flow".parse::<Sources>().is_err());
}

#[test]
fn with_data_events_the_trail_shows_the_leaked_keys_reads_as_the_access_logs_do() {
    let dir = tempfile::tempdir().unwrap();
    let s = generate(&Config {
        seed: 31,
        out_dir: dir.path().to_path_buf(),
        target_bytes: 300_000,
        days: 3,
        scenario: Scenario::LeakedKey,
        data_events: true,
        sources: "s3_access".parse().unwrap(),
        threads: 1,
        ..Config::default()
    })
    .unwrap();
    let inc = s.incident.as_ref().unwrap();
    let corpus = Corpus::read(&dir.path().join("AWSLogs").join(ACCT).join("CloudTrail"));
    let trail: BTreeSet<String> = corpus
        .records()
        .filter(|r| {
            r["userIdentity"]["accessKeyId"] == inc.access_key_id.as_str()
                && inc
                    .attacker_ips
                    .iter()
                    .any(|ip| r["sourceIPAddress"] == ip.as_str())
                && matches!(r["eventName"].as_str(), Some("GetObject" | "ListObjects"))
        })
        .map(|r| r["requestID"].as_str().unwrap().to_string())
        .collect();
    let a = s.sources.as_ref().unwrap().s3_access.as_ref().unwrap();
    let mut logged = BTreeSet::new();
    for (_, text) in under(&read_all(dir.path()), &a.log_bucket) {
        for line in text.lines() {
            let f = access_fields(line);
            if inc.attacker_ips.iter().any(|ip| ip == f[3]) {
                logged.insert(f[5].to_string());
            }
        }
    }
    assert!(!trail.is_empty());
    assert_eq!(trail, logged);
    let b = &a.accessed[0];
    assert_eq!(trail.len() as u64, b.get_requests + b.list_requests);
}
