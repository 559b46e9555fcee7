//! End-to-end tests of the busy shape: the written corpus is read back
//! (walk, gunzip, serde_json) and checked against CloudTrail's delivery
//! layout, the shape's sizes and the returned ground truth.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::tests::{check_layout, files, parse_time, Corpus};
use crate::{generate, Config, GenError, Scenario, Shape};

const ORG: &str = "o-a1b2c3d4e5";

fn busy(dir: &Path, target: u64) -> Config {
    Config {
        seed: 42,
        out_dir: dir.to_path_buf(),
        target_bytes: target,
        days: 3,
        threads: 2,
        shape: Shape::Busy,
        ..Config::default()
    }
}

/// The account a delivery path belongs to (`AWSLogs/[<org>/]<account>/…`).
fn account_of(path: &Path, org: Option<&str>) -> String {
    let skip = if org.is_some() { 2 } else { 1 };
    path.iter()
        .nth(skip)
        .map(|c| c.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// One file of a busy corpus, checked: layout, one gzip member, 0.2–5 MB,
/// its records all of its account, region and one 5-minute window, delivered
/// after the window. Returns (account, region, window start).
fn check_file(
    path: &Path,
    gz: &[u8],
    raw: usize,
    recs: &[Value],
    org: Option<&str>,
) -> (String, String, i64) {
    let acct = account_of(path, org);
    let (region, delivered) = check_layout(path, &acct, org);
    assert!(
        (200_000..=5_000_000).contains(&raw),
        "{path:?}: {raw} bytes uncompressed"
    );
    let (mut one, mut all) = (Vec::new(), Vec::new());
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut one)
        .unwrap();
    flate2::read::MultiGzDecoder::new(gz)
        .read_to_end(&mut all)
        .unwrap();
    assert_eq!(one.len(), all.len(), "{path:?}: one gzip member");
    let times: Vec<i64> = recs
        .iter()
        .map(|r| parse_time(r["eventTime"].as_str().unwrap()))
        .collect();
    let window = times.iter().min().unwrap() / 300 * 300;
    assert!(
        times.iter().all(|&t| t < window + 300),
        "{path:?}: records of more than one 5-minute window"
    );
    assert!(
        delivered >= window + 300 - 60 && delivered < window + 300 + 600,
        "{path:?}: delivered {delivered} for the window at {window}"
    );
    for r in recs {
        assert_eq!(r["awsRegion"], region.as_str(), "{path:?}");
        assert_eq!(r["recipientAccountId"], acct.as_str(), "{path:?}");
    }
    (acct, region, window)
}

#[test]
fn busy_files_are_sized_named_per_window_and_agree_with_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let target = 14_000_000;
    let s = generate(&busy(dir.path(), target)).unwrap();
    let corpus = Corpus::read(dir.path());
    let raw = files(dir.path());
    assert!(corpus.files.len() >= 8, "{} files", corpus.files.len());

    let mut seen = BTreeSet::new();
    let mut by_region: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (path, size, _, recs) in &corpus.files {
        let key = check_file(path, &raw[path], *size, recs, None);
        by_region.entry(key.1.clone()).or_default().push(*size);
        assert!(seen.insert(key.clone()), "two files for {key:?}");
    }
    // The primary home region writes the largest files.
    let mean = |v: &Vec<usize>| v.iter().sum::<usize>() as f64 / v.len() as f64;
    let primary = mean(&by_region[&s.home_regions[0]]);
    for (region, sizes) in &by_region {
        assert!(mean(sizes) <= primary, "{region} above the primary region");
    }
    assert!(
        by_region.len() > s.home_regions.len(),
        "quiet regions write too"
    );

    // Records: about 1.3 KB on average with a long tail of large responses.
    let mut sizes: Vec<usize> = corpus
        .records()
        .map(|r| serde_json::to_vec(r).unwrap().len())
        .collect();
    sizes.sort_unstable();
    let avg = s.uncompressed_bytes as f64 / s.records as f64;
    assert!((1100.0..1700.0).contains(&avg), "average record {avg:.0} B");
    assert!(*sizes.last().unwrap() > 20_000, "a long tail");
    let big = sizes.iter().filter(|&&b| b > 5_000).count();
    assert!(
        big * 200 > sizes.len() && big * 20 < sizes.len(),
        "{big} large"
    );
    for name in [
        "DescribeInstances",
        "DescribeSecurityGroups",
        "ListObjects",
        "GetObject",
    ] {
        assert!(s.event_counts.contains_key(name), "no {name}");
    }
    let di = corpus
        .records()
        .find(|r| r["eventName"] == "DescribeInstances" && r["errorCode"].is_null())
        .unwrap();
    let inst = &di["responseElements"]["reservationSet"]["items"][0]["instancesSet"]["items"][0];
    assert!(inst["instanceId"].as_str().unwrap().starts_with("i-0"));
    assert!(inst["networkInterfaceSet"]["items"][0]["networkInterfaceId"].is_string());
    assert!(inst["blockDeviceMapping"]["items"][0]["ebs"]["volumeId"].is_string());
    assert!(inst["tagSet"]["items"][0]["key"].is_string());
    let service = corpus
        .records()
        .find(|r| r["userIdentity"]["type"] == "AWSService" && r["eventName"] == "Decrypt")
        .unwrap();
    assert!(service["sharedEventID"].is_string());

    // Summary = recount; the size bounds the total.
    assert_eq!(s.files, corpus.files.len() as u64);
    assert_eq!(s.records, corpus.records().count() as u64);
    let total: u64 = corpus.files.iter().map(|f| f.1 as u64).sum();
    assert_eq!(s.uncompressed_bytes, total);
    assert!(
        total <= target && total > target * 8 / 10,
        "{total} for {target}"
    );
    let v: Value = serde_json::from_str(&s.to_json()).unwrap();
    assert_eq!(v["shape"], "busy");
    assert_eq!(v["accounts"][0], "123456789012");
}

#[test]
fn busy_output_is_identical_across_thread_counts() {
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let mut ca = busy(a.path(), 6_000_000);
    ca.accounts = 3;
    ca.organization_id = Some(ORG.into());
    ca.scenario = Scenario::LeakedKey;
    ca.threads = 1;
    let cb = Config {
        out_dir: b.path().to_path_buf(),
        threads: 3,
        ..ca.clone()
    };
    let (sa, sb) = (generate(&ca).unwrap(), generate(&cb).unwrap());
    assert_eq!(sa, sb);
    let (fa, fb) = (files(a.path()), files(b.path()));
    assert!(fa.len() > 5);
    assert!(fa == fb, "file bytes differ between 1 and 3 threads");
    let cc = Config {
        out_dir: c.path().to_path_buf(),
        seed: 43,
        ..ca
    };
    generate(&cc).unwrap();
    let fc = files(c.path());
    assert!(fa.keys().collect::<Vec<_>>() != fc.keys().collect::<Vec<_>>());
}

#[test]
fn organization_trail_holds_every_account_under_the_org() {
    let dir = tempfile::tempdir().unwrap();
    // Enough for whole windows: every account delivers in each.
    let mut c = busy(dir.path(), 30_000_000);
    c.accounts = 5;
    c.organization_id = Some(ORG.into());
    let s = generate(&c).unwrap();
    assert_eq!(s.accounts.len(), 5);
    assert_eq!(s.accounts[0], "123456789012");
    let distinct: BTreeSet<&String> = s.accounts.iter().collect();
    assert_eq!(distinct.len(), 5);
    let corpus = Corpus::read(dir.path());
    let raw = files(dir.path());
    let mut written = BTreeSet::new();
    for (path, size, _, recs) in &corpus.files {
        assert_eq!(path.iter().nth(1).unwrap(), ORG, "{path:?}");
        let (acct, _, _) = check_file(path, &raw[path], *size, recs, Some(ORG));
        for r in recs {
            let id = &r["userIdentity"];
            if id["type"] == "IAMUser" || id["type"] == "AssumedRole" {
                assert_eq!(id["accountId"], acct.as_str());
            }
        }
        written.insert(acct);
    }
    let expected: BTreeSet<String> = s.accounts.iter().cloned().collect();
    assert_eq!(written, expected, "every account delivers");
    assert!(s.uncompressed_bytes <= c.target_bytes);
    let root = PathBuf::from("AWSLogs").join(ORG);
    assert!(raw.keys().all(|p| p.starts_with(&root)));
}

#[test]
fn scenario_records_land_in_the_file_of_their_region_and_window() {
    for scenario in [
        Scenario::LeakedKey,
        Scenario::InstanceCredential,
        Scenario::RootConsole,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut c = busy(dir.path(), 8_000_000);
        c.scenario = scenario;
        c.accounts = 2;
        let s = generate(&c).unwrap();
        let first = match scenario {
            Scenario::LeakedKey => s.incident.as_ref().map(|i| i.first_attacker_event.clone()),
            Scenario::RootConsole => s.root.as_ref().map(|r| r.first_attacker_event.clone()),
            _ => s
                .credential
                .as_ref()
                .map(|x| x.first_attacker_event.clone()),
        }
        .unwrap();
        let corpus = Corpus::read(dir.path());
        let raw = files(dir.path());
        let mut found = 0;
        for (path, size, _, recs) in &corpus.files {
            let (acct, region, _) = check_file(path, &raw[path], *size, recs, None);
            for r in recs
                .iter()
                .filter(|r| r["eventID"] == first.event_id.as_str())
            {
                assert_eq!(acct, "123456789012", "{scenario}: primary account");
                assert_eq!(r["awsRegion"], region.as_str());
                assert_eq!(parse_time(r["eventTime"].as_str().unwrap()), first.time);
                found += 1;
            }
        }
        assert_eq!(found, 1, "{scenario}: the first attacker event once");
        if let Some(i) = &s.incident {
            let from_attacker = corpus
                .records()
                .filter(|r| {
                    i.attacker_ips
                        .iter()
                        .any(|ip| r["sourceIPAddress"] == ip.as_str())
                })
                .count() as u64;
            assert_eq!(from_attacker, i.attacker_events, "every attacker record");
        }
    }
}

#[test]
fn accounts_need_the_busy_shape() {
    let dir = tempfile::tempdir().unwrap();
    let standard = Config {
        accounts: 2,
        shape: Shape::Standard,
        ..busy(dir.path(), 1000)
    };
    assert!(matches!(generate(&standard), Err(GenError::Config(_))));
    let none = Config {
        accounts: 0,
        ..busy(dir.path(), 1000)
    };
    assert!(matches!(generate(&none), Err(GenError::Config(_))));
    assert_eq!("busy".parse::<Shape>().unwrap(), Shape::Busy);
    assert!("huge".parse::<Shape>().is_err());
    let empty = generate(&busy(dir.path(), 0)).unwrap();
    assert_eq!((empty.files, empty.records), (0, 0));
}
