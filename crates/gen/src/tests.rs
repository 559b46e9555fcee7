//! End-to-end tests of `generate`: they read the written corpus back with an
//! independent path (walk + gunzip + serde_json) and compare it with the
//! returned ground truth.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::*;
use crate::world::REGIONS;

fn cfg(dir: &Path, target: u64) -> Config {
    Config {
        seed: 42,
        out_dir: dir.to_path_buf(),
        target_bytes: target,
        days: 3,
        threads: 2,
        ..Config::default()
    }
}

/// Every file under `dir`, sorted, relative path -> bytes.
pub(crate) fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(base: &Path, p: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in std::fs::read_dir(p).unwrap() {
            let e = e.unwrap();
            let path = e.path();
            if e.file_type().unwrap().is_dir() {
                walk(base, &path, out);
            } else {
                out.insert(
                    path.strip_prefix(base).unwrap().to_path_buf(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

pub(crate) struct Corpus {
    /// (relative path, decompressed size, compressed size, records)
    pub(crate) files: Vec<(PathBuf, usize, usize, Vec<Value>)>,
}

impl Corpus {
    pub(crate) fn read(dir: &Path) -> Corpus {
        let mut files_out = Vec::new();
        for (path, gz) in files(dir) {
            if path.extension().is_some_and(|e| e == "gz") {
                let raw = gunzip(&gz);
                assert!(!raw.contains(&b'\n'), "one line per file: {path:?}");
                let v: Value = serde_json::from_slice(&raw)
                    .unwrap_or_else(|e| panic!("{path:?} is not JSON: {e}"));
                let obj = v.as_object().unwrap();
                assert_eq!(obj.len(), 1, "only a Records key");
                let recs = v["Records"].as_array().unwrap().clone();
                files_out.push((path, raw.len(), gz.len(), recs));
            }
        }
        Corpus { files: files_out }
    }

    pub(crate) fn records(&self) -> impl Iterator<Item = &Value> {
        self.files.iter().flat_map(|f| f.3.iter())
    }
}

pub(crate) fn parse_time(s: &str) -> i64 {
    assert_eq!(s.len(), 20, "{s}");
    assert!(s.ends_with('Z') && &s[10..11] == "T", "{s}");
    let d: Date = s[..10].parse().unwrap();
    let h: i64 = s[11..13].parse().unwrap();
    let m: i64 = s[14..16].parse().unwrap();
    let sec: i64 = s[17..19].parse().unwrap();
    d.unix_seconds() + h * 3600 + m * 60 + sec
}

pub(crate) fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && parts.iter().all(|p| {
            p.bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        })
}

/// Checks one path against CloudTrail's S3 layout; returns (region, file time).
pub(crate) fn check_layout(path: &Path, acct: &str, org: Option<&str>) -> (String, i64) {
    let comps: Vec<String> = path
        .iter()
        .map(|c| c.to_string_lossy().into_owned())
        .collect();
    let mut i = 0;
    assert_eq!(comps[i], "AWSLogs");
    i += 1;
    if let Some(org) = org {
        assert_eq!(comps[i], org);
        i += 1;
    }
    assert_eq!(comps[i], acct);
    assert_eq!(comps[i + 1], "CloudTrail");
    let region = &comps[i + 2];
    assert!(REGIONS.iter().any(|(r, _)| r == region), "{region}");
    let (y, m, d) = (&comps[i + 3], &comps[i + 4], &comps[i + 5]);
    assert!(y.len() == 4 && m.len() == 2 && d.len() == 2);
    let name = &comps[i + 6];
    assert_eq!(comps.len(), i + 7, "{path:?}");
    // <acct>_CloudTrail_<region>_<YYYYMMDD>T<HHMM>Z_<16 alnum>.json.gz
    let stem = name.strip_suffix(".json.gz").expect("ends with .json.gz");
    let fields: Vec<&str> = stem.split('_').collect();
    assert_eq!(fields.len(), 5, "{name}");
    assert_eq!(fields[0], acct);
    assert_eq!(fields[1], "CloudTrail");
    assert_eq!(fields[2], region);
    let ts = fields[3];
    assert_eq!(ts.len(), 14, "{ts}");
    assert!(ts[..8].bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(&ts[8..9], "T");
    assert!(ts[9..13].bytes().all(|b| b.is_ascii_digit()));
    assert_eq!(&ts[13..], "Z");
    assert_eq!(&ts[..8], format!("{y}{m}{d}"), "directory date = file date");
    let u = fields[4];
    assert!(
        u.len() == 16 && u.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{u}"
    );
    let t = parse_time(&format!(
        "{}-{}-{}T{}:{}:00Z",
        &ts[..4],
        &ts[4..6],
        &ts[6..8],
        &ts[9..11],
        &ts[11..13]
    ));
    (region.clone(), t)
}

const REQUIRED: &[&str] = &[
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "requestParameters",
    "responseElements",
    "eventID",
    "readOnly",
    "eventType",
    "managementEvent",
    "recipientAccountId",
    "eventCategory",
];

#[test]
fn output_is_identical_across_thread_counts_and_differs_across_seeds() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let c = tempfile::tempdir().unwrap();
    let mut ca = cfg(a.path(), 400_000);
    ca.incident = true;
    ca.data_events = true;
    ca.sources = Sources::all();
    ca.threads = 1;
    let mut cb = ca.clone();
    cb.out_dir = b.path().to_path_buf();
    cb.threads = 4;
    let sa = generate(&ca).unwrap();
    let sb = generate(&cb).unwrap();
    assert_eq!(sa, sb);
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(fa.len() > 10);
    assert_eq!(fa.keys().collect::<Vec<_>>(), fb.keys().collect::<Vec<_>>());
    assert!(fa == fb, "file contents differ between 1 and 4 threads");
    let extra = |f: &BTreeMap<PathBuf, Vec<u8>>| {
        f.keys()
            .filter(|p| !p.to_string_lossy().contains("CloudTrail"))
            .count()
    };
    assert!(extra(&fa) > 100, "every source is written");

    let mut cc = ca.clone();
    cc.out_dir = c.path().to_path_buf();
    cc.seed = 43;
    generate(&cc).unwrap();
    let fc = files(c.path());
    assert!(fa.keys().collect::<BTreeSet<_>>() != fc.keys().collect::<BTreeSet<_>>());
}

#[test]
fn layout_records_and_summary_agree() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cfg(dir.path(), 600_000);
    c.incident = true;
    let s = generate(&c).unwrap();
    let corpus = Corpus::read(dir.path());

    // Layout, and delivery after the events, files ordered in time per region.
    let mut last_file_time: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_region: BTreeMap<String, u64> = BTreeMap::new();
    let mut inversions = 0usize;
    let mut pairs = 0usize;
    for (path, _, _, recs) in &corpus.files {
        let (region, ft) = check_layout(path, "123456789012", None);
        assert!(!recs.is_empty());
        let times: Vec<i64> = recs
            .iter()
            .map(|r| parse_time(r["eventTime"].as_str().unwrap()))
            .collect();
        let max = *times.iter().max().unwrap();
        assert!(ft >= max - 60, "{path:?} delivered before its events");
        assert!(
            ft - times.iter().min().unwrap() < 20 * 60,
            "{path:?} spans too long"
        );
        for r in recs {
            assert_eq!(r["awsRegion"], region.as_str(), "{path:?}");
        }
        let prev = last_file_time.entry(region.clone()).or_insert(i64::MIN);
        assert!(ft >= *prev, "files of {region} not in time order");
        *prev = ft;
        *by_region.entry(region).or_default() += recs.len() as u64;
        pairs += times.len().saturating_sub(1);
        inversions += times.windows(2).filter(|w| w[0] > w[1]).count();
    }
    assert!(
        inversions * 10 < pairs.max(1),
        "{inversions} of {pairs} out of order"
    );

    // Every record has the required fields with the right types and forms.
    let mut recount: BTreeMap<String, u64> = BTreeMap::new();
    let (mut first, mut last) = (i64::MAX, i64::MIN);
    let start = c.start.unix_seconds();
    let end = start + c.days as i64 * 86_400;
    for r in corpus.records() {
        for k in REQUIRED {
            assert!(r.get(k).is_some(), "missing {k}: {r}");
        }
        let name = r["eventName"].as_str().unwrap();
        *recount.entry(name.to_string()).or_default() += 1;
        let t = parse_time(r["eventTime"].as_str().unwrap());
        assert!(t >= start && t < end);
        first = first.min(t);
        last = last.max(t);
        assert!(["1.08", "1.09"].contains(&r["eventVersion"].as_str().unwrap()));
        assert!(r["eventSource"]
            .as_str()
            .unwrap()
            .ends_with(".amazonaws.com"));
        assert!(is_uuid(r["eventID"].as_str().unwrap()));
        assert!(r["readOnly"].is_boolean() && r["managementEvent"].is_boolean());
        assert_eq!(r["recipientAccountId"], "123456789012");
        assert_eq!(r["eventCategory"], "Management", "no data events requested");
        let ty = r["eventType"].as_str().unwrap();
        if name == "ConsoleLogin" {
            assert_eq!(ty, "AwsConsoleSignIn");
        } else {
            assert_eq!(ty, "AwsApiCall");
            assert!(r["requestID"].is_string(), "{r}");
        }
        if r.get("errorCode").is_some() {
            assert!(r["responseElements"].is_null());
        }
        let id = &r["userIdentity"];
        match id["type"].as_str().unwrap() {
            "IAMUser" => {
                assert!(
                    id["userName"].is_string() && id["arn"].as_str().unwrap().contains(":user/")
                );
                if name != "ConsoleLogin" {
                    let key = id["accessKeyId"].as_str().unwrap();
                    assert!(
                        key.len() == 20 && (key.starts_with("AKIA") || key.starts_with("ASIA"))
                    );
                }
            }
            "AssumedRole" => {
                let key = id["accessKeyId"].as_str().unwrap();
                assert!(key.starts_with("ASIA") && key.len() == 20);
                let arn = id["arn"].as_str().unwrap();
                assert!(arn.starts_with("arn:aws:sts::123456789012:assumed-role/"));
                let issuer = &id["sessionContext"]["sessionIssuer"];
                assert_eq!(issuer["type"], "Role");
                let role = issuer["userName"].as_str().unwrap();
                assert!(arn.contains(&format!("/{role}/")));
                assert_eq!(
                    id["sessionContext"]["attributes"]["mfaAuthenticated"],
                    "false"
                );
                let created = parse_time(
                    id["sessionContext"]["attributes"]["creationDate"]
                        .as_str()
                        .unwrap(),
                );
                assert!(created <= t);
            }
            "AWSService" => {
                assert!(id["invokedBy"]
                    .as_str()
                    .unwrap()
                    .ends_with(".amazonaws.com"));
                assert_eq!(r["sourceIPAddress"], id["invokedBy"]);
            }
            "Root" => assert!(id["arn"].as_str().unwrap().ends_with(":root")),
            other => panic!("unexpected identity type {other}"),
        }
    }

    // Summary = recount.
    assert_eq!(s.event_counts, recount);
    assert_eq!(s.records, corpus.records().count() as u64);
    assert_eq!(s.files, corpus.files.len() as u64);
    assert_eq!(
        s.uncompressed_bytes,
        corpus.files.iter().map(|f| f.1 as u64).sum::<u64>()
    );
    assert_eq!(
        s.compressed_bytes,
        corpus.files.iter().map(|f| f.2 as u64).sum::<u64>()
    );
    assert_eq!(
        (s.first_event_time, s.last_event_time),
        (Some(first), Some(last))
    );
    assert!(
        s.event_counts.len() >= 35,
        "varied APIs: {}",
        s.event_counts.len()
    );

    // Home regions carry the traffic; other regions only sparse noise (+ attack).
    let total: u64 = by_region.values().sum();
    let home: u64 = s
        .home_regions
        .iter()
        .map(|r| by_region.get(r).copied().unwrap_or(0))
        .sum();
    assert!(home as f64 > 0.9 * total as f64, "{by_region:?}");
    assert!(
        by_region.len() > s.home_regions.len(),
        "some noise regions present"
    );

    // truth.json round-trips as JSON with the same counts.
    let truth = dir.path().join("truth.json");
    s.write_json(&truth).unwrap();
    let v: Value = serde_json::from_slice(&std::fs::read(&truth).unwrap()).unwrap();
    assert_eq!(v["records"], s.records);
    assert_eq!(
        v["event_counts"]["CreateUser"],
        s.event_counts["CreateUser"]
    );
    assert_eq!(
        v["incident"]["access_key_id"],
        s.incident.as_ref().unwrap().access_key_id.as_str()
    );
}

#[test]
fn size_target_is_roughly_met() {
    for (target, data) in [(300_000u64, false), (1_500_000, true)] {
        let dir = tempfile::tempdir().unwrap();
        let mut c = cfg(dir.path(), target);
        c.data_events = data;
        c.days = 2;
        let s = generate(&c).unwrap();
        let ratio = s.uncompressed_bytes as f64 / target as f64;
        assert!(
            (0.85..1.15).contains(&ratio),
            "target {target}: ratio {ratio}"
        );
        assert!(
            s.compressed_bytes * 10 < s.uncompressed_bytes * 7,
            "gzip works: {} -> {}",
            s.uncompressed_bytes,
            s.compressed_bytes
        );
        if data {
            let d = s.event_counts.get("GetObject").copied().unwrap_or(0)
                + s.event_counts.get("PutObject").copied().unwrap_or(0);
            assert!(d * 3 > s.records, "data events dominate when enabled");
            let corpus = Corpus::read(dir.path());
            for r in corpus.records() {
                let is_data =
                    ["GetObject", "PutObject"].contains(&r["eventName"].as_str().unwrap());
                assert_eq!(r["eventCategory"] == "Data", is_data);
                assert_eq!(r["managementEvent"] == false, is_data);
                if is_data {
                    assert!(r["resources"].as_array().unwrap().len() == 2);
                }
            }
        } else {
            assert!(!s.event_counts.contains_key("GetObject"));
        }
    }
}

#[test]
fn incident_truth_matches_written_records() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = cfg(dir.path(), 250_000);
    c.incident = true;
    c.organization_id = Some("o-a1b2c3d4e5".to_string());
    let s = generate(&c).unwrap();
    let truth = s.incident.clone().unwrap();
    let corpus = Corpus::read(dir.path());
    for f in &corpus.files {
        check_layout(&f.0, "123456789012", Some("o-a1b2c3d4e5"));
    }
    assert_eq!(truth.user_name, "deploy-bot");
    assert!(truth.access_key_id.starts_with("AKIA"));
    assert_eq!(truth.attacker_ips.len(), 3);

    let key_of = |r: &Value| {
        r["userIdentity"]["accessKeyId"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    let from_attacker = |r: &Value| {
        truth
            .attacker_ips
            .iter()
            .any(|ip| r["sourceIPAddress"] == ip.as_str())
    };
    let mut attacker_times = Vec::new();
    let mut names = BTreeSet::new();
    let mut legit_bot = 0;
    let mut launched: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut terminated = BTreeSet::new();
    let mut denied = 0;
    for r in corpus.records() {
        let t = parse_time(r["eventTime"].as_str().unwrap());
        let name = r["eventName"].as_str().unwrap().to_string();
        if from_attacker(r) {
            let key = key_of(r);
            assert!(
                key == truth.access_key_id || truth.created_access_keys.contains(&key),
                "attacker IP with an unexpected key: {r}"
            );
            assert_eq!(r["userAgent"], truth.attacker_user_agent.as_str());
            attacker_times.push(t);
            names.insert(name.clone());
            if r.get("errorCode").is_some() {
                denied += 1;
            }
            if name == "RunInstances" && r.get("errorCode").is_none() {
                let itype = r["requestParameters"]["instanceType"].as_str().unwrap();
                for it in r["responseElements"]["instancesSet"]["items"]
                    .as_array()
                    .unwrap()
                {
                    launched.insert(
                        it["instanceId"].as_str().unwrap().to_string(),
                        (
                            r["awsRegion"].as_str().unwrap().to_string(),
                            itype.to_string(),
                        ),
                    );
                }
            }
            if name == "CreateUser" {
                assert_eq!(
                    r["requestParameters"]["userName"],
                    truth.created_users[0].as_str()
                );
            }
            if name == "CreateRole" {
                assert_eq!(
                    r["requestParameters"]["roleName"],
                    truth.created_roles[0].as_str()
                );
                let doc = r["requestParameters"]["assumeRolePolicyDocument"]
                    .as_str()
                    .unwrap();
                assert!(doc.contains(&truth.external_account_id));
            }
            if name == "AuthorizeSecurityGroupIngress" {
                assert!(r.to_string().contains("0.0.0.0/0"));
            }
        } else if key_of(r) == truth.access_key_id {
            legit_bot += 1;
            assert_eq!(r["userIdentity"]["userName"], "deploy-bot");
        }
        // The responder's own key (their SSO session shares the office address).
        if name == "TerminateInstances"
            && r["sourceIPAddress"] == truth.responder_ip.as_str()
            && r["userIdentity"]["userName"] == truth.responder_user_name.as_str()
        {
            for it in r["requestParameters"]["instancesSet"]["items"]
                .as_array()
                .unwrap()
            {
                terminated.insert(it["instanceId"].as_str().unwrap().to_string());
            }
        }
        if name == "UpdateAccessKey"
            && r["requestParameters"]["accessKeyId"] == truth.access_key_id.as_str()
        {
            assert_eq!(r["sourceIPAddress"], truth.responder_ip.as_str());
            assert_eq!(
                r["userIdentity"]["userName"],
                truth.responder_user_name.as_str()
            );
            assert_eq!(t, truth.containment_time + 58);
        }
    }
    assert_eq!(attacker_times.len() as u64, truth.attacker_events);
    assert_eq!(
        attacker_times.iter().min().copied(),
        Some(truth.first_attacker_event_time)
    );
    assert_eq!(
        attacker_times.iter().max().copied(),
        Some(truth.last_attacker_event_time)
    );
    assert!(legit_bot > 0, "the leaked key is also used legitimately");
    assert!(denied >= 10, "AccessDenied burst");
    for n in [
        "GetCallerIdentity",
        "ListBuckets",
        "ListUsers",
        "CreateUser",
        "CreateLoginProfile",
        "CreateAccessKey",
        "AttachUserPolicy",
        "CreateRole",
        "RunInstances",
        "ImportKeyPair",
        "AuthorizeSecurityGroupIngress",
        "StopLogging",
    ] {
        assert!(names.contains(n), "attacker never called {n}");
    }
    let expected: BTreeMap<String, (String, String)> = truth
        .instances
        .iter()
        .map(|i| {
            (
                i.instance_id.clone(),
                (i.region.clone(), i.instance_type.clone()),
            )
        })
        .collect();
    assert_eq!(launched, expected);
    assert_eq!(terminated, expected.keys().cloned().collect());
    for i in &truth.instances {
        assert!(truth.attacker_regions.contains(&i.region));
        assert!(!s.home_regions.contains(&i.region));
    }
    assert!(truth.containment_time > truth.last_attacker_event_time);
}

#[test]
fn without_incident_there_is_no_attacker() {
    let dir = tempfile::tempdir().unwrap();
    let s = generate(&cfg(dir.path(), 200_000)).unwrap();
    assert!(s.incident.is_none());
    let corpus = Corpus::read(dir.path());
    for r in corpus.records() {
        let ip = r["sourceIPAddress"].as_str().unwrap();
        assert!(
            !(ip.starts_with("203.0.113.")
                || ip.starts_with("198.51.100.")
                || ip.starts_with("192.0.2.")),
            "{ip}"
        );
    }
    assert!(!s.event_counts.contains_key("StopLogging"));
}

/// A CI job's role session runs on one runner: each GitHub Actions session key comes from one
/// address, while the role as a whole uses several.
#[test]
fn a_ci_session_key_is_used_from_one_runner() {
    let dir = tempfile::tempdir().unwrap();
    generate(&cfg(dir.path(), 2_000_000)).unwrap();
    let corpus = Corpus::read(dir.path());
    let mut by_key: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in corpus.records() {
        let arn = r["userIdentity"]["arn"].as_str().unwrap_or("");
        if arn.ends_with("assumed-role/github-actions-deploy/GitHubActions") {
            let key = r["userIdentity"]["accessKeyId"]
                .as_str()
                .unwrap()
                .to_owned();
            let ip = r["sourceIPAddress"].as_str().unwrap().to_owned();
            by_key.entry(key).or_default().insert(ip);
        }
    }
    assert!(by_key.len() > 3, "{by_key:?}");
    assert!(by_key.values().all(|ips| ips.len() == 1), "{by_key:?}");
    let runners: BTreeSet<&String> = by_key.values().flatten().collect();
    assert!(runners.len() > 1, "{runners:?}");
}

#[test]
fn invalid_configs_are_rejected_and_empty_corpus_is_fine() {
    let dir = tempfile::tempdir().unwrap();
    let base = cfg(dir.path(), 1000);
    for bad in [
        Config {
            account_id: "12345".into(),
            ..base.clone()
        },
        Config {
            organization_id: Some("org-1".into()),
            ..base.clone()
        },
        Config {
            days: 0,
            ..base.clone()
        },
        Config {
            compression_level: 10,
            ..base.clone()
        },
    ] {
        assert!(
            matches!(generate(&bad), Err(GenError::Config(_))),
            "{bad:?}"
        );
    }
    let s = generate(&Config {
        target_bytes: 0,
        ..base
    })
    .unwrap();
    assert_eq!((s.files, s.records, s.first_event_time), (0, 0, None));
}
