//! `cloudcase acquire` from AWS, against moto's server mode (and a LookupEvents
//! stub, which moto lacks) on 127.0.0.1. Never contacts AWS: dummy credentials,
//! no instance metadata, and every call goes to the local endpoint.
//!
//! Without python3, moto and boto3 the tests print `SKIPPED: moto not installed`
//! and pass, unless CLOUDCASE_REQUIRE_MOTO=1 (as in CI), where they fail.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;
use sha2::{Digest, Sha256};

mod common;
use common::aws::{cloudcase_cmd, run_checked, DUMMY_ENV};
use common::server::{free_port, moto_available, start_moto, wait_listening, Server};

fn support(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name)
}

/// Starts the LookupEvents stub serving `events` (region → records).
fn start_lookup_stub(dir: &Path, events: &Value) -> Server {
    let file = dir.join("events.json");
    std::fs::write(&file, events.to_string()).expect("write events");
    let port = free_port();
    let mut child = Command::new("python3")
        .arg(support("lookup_stub.py"))
        .arg(port.to_string())
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start lookup stub");
    let mut line = String::new();
    if let Some(out) = child.stdout.take() {
        BufReader::new(out)
            .read_line(&mut line)
            .expect("stub output");
    }
    assert_eq!(line.trim(), "listening", "stub did not start");
    wait_listening(port, &mut child);
    Server {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    }
}

/// Runs the seeding script against `endpoint` and returns what it created.
fn seed(endpoint: &str, args: &[&str]) -> Value {
    let out = Command::new("python3")
        .arg(support("seed_moto.py"))
        .arg(endpoint)
        .args(args)
        .envs(DUMMY_ENV.iter().copied())
        .output()
        .expect("run seed_moto.py");
    assert!(
        out.status.success(),
        "seeding failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("seed output is JSON")
}

/// Credentials and settings that can only ever reach the local endpoint.
fn ok(args: &[&str]) -> String {
    let out = run_checked(args);
    assert!(
        out.status.success(),
        "cloudcase {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn new_case(dir: &Path, name: &str) -> PathBuf {
    let case = dir.join(name);
    ok(&[
        "case",
        "init",
        case.to_str().expect("utf-8 path"),
        "--name",
        "aws test",
        "--examiner",
        "tester",
    ]);
    case
}

/// Manifest lines by source URI.
fn manifest(case: &Path) -> BTreeMap<String, Value> {
    let text = std::fs::read_to_string(case.join("manifest.jsonl")).unwrap_or_default();
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("manifest line is JSON"))
        .map(|v| (v["source"].as_str().unwrap_or_default().to_owned(), v))
        .collect()
}

fn assert_verifies(case: &Path) {
    let out = ok(&["verify", "--case", case.to_str().expect("utf-8 path")]);
    assert!(out.contains("INTACT"), "verify: {out}");
}

fn sha256_file(path: &Path) -> String {
    let bytes = std::fs::read(path).expect("read object");
    Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The seeded objects: key → (SHA-256, key time, signature).
fn seeded_objects(seeded: &Value) -> Vec<(String, String, Option<String>, Option<String>)> {
    seeded["objects"]
        .as_array()
        .expect("objects")
        .iter()
        .map(|o| {
            (
                o["key"].as_str().expect("key").to_owned(),
                o["sha256"].as_str().expect("sha").to_owned(),
                o["time"].as_str().map(str::to_owned),
                o["signature"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// Every seeded object is held, under its own SHA-256, with its S3 metadata.
fn assert_complete(case: &Path, bucket: &str, seeded: &Value) {
    let records = manifest(case);
    for (key, sha, _, signature) in seeded_objects(seeded) {
        let uri = format!("s3://{bucket}/{key}");
        let r = records
            .get(&uri)
            .unwrap_or_else(|| panic!("{uri} missing from the manifest"));
        assert_eq!(r["sha256"], sha.as_str(), "{uri}");
        assert_eq!(r["source_kind"], "s3");
        assert!(r["metadata"]["etag"].is_string(), "{r}");
        assert!(r["metadata"]["last_modified"].is_string(), "{r}");
        assert_eq!(
            sha256_file(&case.join(r["object"].as_str().expect("object path"))),
            sha,
            "stored object of {uri} differs from the S3 content"
        );
        if let Some(sig) = signature {
            assert_eq!(r["metadata"]["x-amz-meta-signature"], sig.as_str());
            assert_eq!(
                r["metadata"]["x-amz-meta-signature-algorithm"],
                "SHA256withRSA"
            );
        }
    }
}

fn get_requests(stdout: &str) -> u64 {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("s3: ")?.strip_suffix(" GetObject requests"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no GetObject count in: {stdout}"))
}

#[test]
fn bucket_is_acquired_completely_hashes_match_and_replicates_with_a_hash_manifest() {
    if !moto_available() {
        return;
    }
    let moto = start_moto();
    let seeded = seed(&moto.endpoint, &["s3", "trail", "3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let case = new_case(dir.path(), "case");
    let case_s = case.to_str().expect("utf-8 path");
    let out = ok(&[
        "acquire",
        "--case",
        case_s,
        "s3://trail/",
        "--endpoint-url",
        &moto.endpoint,
        "--to",
        "s3://trail-replica/IR-1",
    ]);
    let n = seeded_objects(&seeded).len();
    assert!(
        out.contains(&format!("{n} items: ")) && out.contains(" 0 failed"),
        "expected {n} items, none failed: {out}"
    );
    assert_eq!(get_requests(&out), n as u64);
    let distinct: BTreeSet<String> = seeded_objects(&seeded)
        .into_iter()
        .map(|(_, sha, ..)| sha)
        .collect();
    let distinct = distinct.len();
    assert!(
        out.contains(&format!("{distinct} objects uploaded")),
        "one upload per distinct content: {out}"
    );
    assert_complete(&case, "trail", &seeded);
    assert_verifies(&case);

    // The replica's hash manifest names every object, and each uploaded copy matches it.
    let listing = Command::new("python3")
        .args([
            "-c",
            "import boto3,sys,hashlib; s3=boto3.client('s3',endpoint_url=sys.argv[1]);\n\
             sums=s3.get_object(Bucket='trail-replica',Key='IR-1/SHA256SUMS')['Body'].read().decode();\n\
             bad=[p for h,p in (l.split('  ',1) for l in sums.splitlines()) if hashlib.sha256(s3.get_object(Bucket='trail-replica',Key='IR-1/'+p)['Body'].read()).hexdigest()!=h];\n\
             print(len(sums.splitlines()), len(bad))",
            &moto.endpoint,
        ])
        .envs(DUMMY_ENV.iter().copied())
        .output()
        .expect("read the replica");
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert_eq!(
        listing.trim(),
        format!("{} 0", distinct + 3),
        "objects + case.json, manifest, custody; none differing"
    );

    // A second run downloads nothing and uploads nothing.
    let again = ok(&[
        "acquire",
        "--case",
        case_s,
        "s3://trail/",
        "--endpoint-url",
        &moto.endpoint,
        "--to",
        "s3://trail-replica/IR-1",
    ]);
    assert!(again.contains(&format!("{n} already held")), "{again}");
    assert_eq!(get_requests(&again), 0);
    assert!(again.contains("0 objects uploaded"), "{again}");
}

#[test]
fn killed_at_random_points_then_rerun_finishes_without_downloading_again() {
    if !moto_available() {
        return;
    }
    let moto = start_moto();
    // 10 days x 8 files + digests, every 7th padded to 400 KB: interruptions land mid-run.
    let seeded = seed(&moto.endpoint, &["s3", "big", "10", "400000"]);
    let n = seeded_objects(&seeded).len();
    let dir = tempfile::tempdir().expect("tempdir");
    let case = new_case(dir.path(), "case");
    let case_s = case.to_str().expect("utf-8 path").to_owned();
    let args = [
        "acquire",
        "--case",
        &case_s,
        "s3://big",
        "--endpoint-url",
        &moto.endpoint,
        "--threads",
        "2",
    ];
    // One whole run into a throwaway case times the acquisition, so that the kill points land
    // mid-run on a fast machine and a slow one alike.
    let probe = new_case(dir.path(), "probe");
    let probe_s = probe.to_str().expect("utf-8 path").to_owned();
    let mut probe_args = args;
    probe_args[2] = &probe_s;
    let started = Instant::now();
    ok(&probe_args);
    let full = started.elapsed();
    // Pseudo-random kill points from the clock (no RNG dependency), 5–70 % of a whole run.
    let mut state = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(7, |d| d.subsec_nanos() as u64 | 1);
    let mut held_counts = Vec::new();
    for _ in 0..4 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let delay = full.mul_f64((5 + state % 66) as f64 / 100.0);
        let mut child = cloudcase_cmd(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn acquire");
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        held_counts.push(manifest(&case).len());
    }
    assert!(
        held_counts.iter().any(|&h| h < n),
        "no kill interrupted the acquisition ({held_counts:?} of {n}): nothing was tested"
    );
    let held_before = manifest(&case).len();
    let out = ok(&args);
    println!("held after each kill: {held_counts:?}; final run: {out}");
    assert_eq!(
        get_requests(&out),
        (n - held_before) as u64,
        "only objects not yet recorded are downloaded again"
    );
    assert!(
        out.contains(&format!("{held_before} already held")),
        "{out}"
    );
    assert_complete(&case, "big", &seeded);
    assert_verifies(&case);
}

#[test]
fn since_and_until_select_exactly_the_keys_dated_in_range() {
    if !moto_available() {
        return;
    }
    let moto = start_moto();
    let seeded = seed(&moto.endpoint, &["s3", "ranged", "3"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let case = new_case(dir.path(), "case");
    let (since, until) = ("2024-05-17T15:00:00Z", "2024-05-18T15:10:00Z");
    let out = run_checked(&[
        "acquire",
        "--case",
        case.to_str().expect("utf-8 path"),
        "s3://ranged",
        "--endpoint-url",
        &moto.endpoint,
        "--since",
        since,
        "--until",
        until,
    ]);
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "skipped: s3://ranged/README.txt: --since/--until given but the key names no time"
        ),
        "{stderr}"
    );
    let expected: BTreeSet<String> = seeded_objects(&seeded)
        .into_iter()
        .filter(|(_, _, t, _)| t.as_deref().is_some_and(|t| t >= since && t < until))
        .map(|(k, ..)| format!("s3://ranged/{k}"))
        .collect();
    let got: BTreeSet<String> = manifest(&case).into_keys().collect();
    assert!(
        expected.len() > 4 && expected.len() < seeded_objects(&seeded).len() - 4,
        "the range must select some but not all: {}",
        expected.len()
    );
    assert_eq!(got, expected);
    assert_verifies(&case);
}

#[test]
fn lookup_events_for_two_regions_returns_every_seeded_event() {
    if !moto_available() {
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let record = |region: &str, i: usize| {
        serde_json::json!({
            "eventVersion": "1.08",
            "eventTime": format!("2026-11-{:02}T{:02}:{:02}:00Z", 1 + i % 20, i % 24, i % 60),
            "eventSource": "iam.amazonaws.com",
            "eventName": "CreateAccessKey",
            "awsRegion": region,
            "eventID": format!("{region}-{i}"),
            "recipientAccountId": "123456789012",
            "userIdentity": {"type": "IAMUser", "accessKeyId": "AKIAEXAMPLE"},
        })
    };
    let events = serde_json::json!({
        "us-east-1": (0..123).map(|i| record("us-east-1", i)).collect::<Vec<_>>(),
        "eu-west-1": (0..7).map(|i| record("eu-west-1", i)).collect::<Vec<_>>(),
        "ap-south-1": (0..5).map(|i| record("ap-south-1", i)).collect::<Vec<_>>(),
    });
    let stub = start_lookup_stub(dir.path(), &events);
    let case = new_case(dir.path(), "case");
    let case_s = case.to_str().expect("utf-8 path");
    let out = ok(&[
        "acquire",
        "--case",
        case_s,
        "aws:lookup-events",
        "--regions",
        "us-east-1,eu-west-1",
        "--until",
        "2026-11-30T00:00:00Z",
        "--endpoint-url",
        &stub.endpoint,
        "--lookup-rate",
        "20",
    ]);
    assert!(out.contains("2 items: 2 new"), "{out}");
    let records = manifest(&case);
    let mut ids = BTreeSet::new();
    for (uri, r) in &records {
        assert!(uri.starts_with("aws:lookup-events?region="), "{uri}");
        assert_eq!(r["source_kind"], "aws-lookup-events");
        let text = std::fs::read_to_string(case.join(r["object"].as_str().expect("object")))
            .expect("read object");
        for page in text.lines() {
            let page: Value = serde_json::from_str(page).expect("page is JSON");
            for e in page["Events"].as_array().expect("Events") {
                let inner: Value =
                    serde_json::from_str(e["CloudTrailEvent"].as_str().expect("str"))
                        .expect("CloudTrailEvent is JSON");
                ids.insert(inner["eventID"].as_str().expect("id").to_owned());
            }
        }
    }
    let expected: BTreeSet<String> = (0..123)
        .map(|i| format!("us-east-1-{i}"))
        .chain((0..7).map(|i| format!("eu-west-1-{i}")))
        .collect();
    assert_eq!(ids, expected);
    // The reader understands the saved pages: every event is counted.
    let stats = ok(&["stats", "--case", case_s, "--format", "json"]);
    assert!(
        stats.contains("130"),
        "stats must count 130 events: {stats}"
    );
    assert_verifies(&case);
}

#[test]
fn iam_and_ec2_snapshots_list_every_seeded_resource() {
    if !moto_available() {
        return;
    }
    let moto = start_moto();
    let seeded = seed(&moto.endpoint, &["inventory"]);
    let dir = tempfile::tempdir().expect("tempdir");
    let case = new_case(dir.path(), "case");
    let out = ok(&[
        "acquire",
        "--case",
        case.to_str().expect("utf-8 path"),
        "aws:iam",
        "aws:ec2",
        "--regions",
        "us-east-1,eu-west-1",
        "--endpoint-url",
        &moto.endpoint,
    ]);
    assert!(out.contains("2 items: 2 new"), "{out}");
    let records = manifest(&case);
    let mut snapshots = BTreeMap::new();
    for (uri, r) in &records {
        assert_eq!(r["source_kind"], "aws-inventory");
        assert!(uri.contains("?account=123456789012&taken="), "{uri}");
        let bytes = std::fs::read(case.join(r["object"].as_str().expect("object"))).expect("read");
        let snap = cloudcase_inventory::Snapshot::from_json(&bytes).expect("a snapshot");
        snapshots.insert(snap.kind.as_str(), snap);
    }
    let iam = snapshots["aws:iam"].iam.as_ref().expect("iam part");
    let ec2 = snapshots["aws:ec2"].ec2.as_ref().expect("ec2 part");
    assert_eq!(snapshots["aws:ec2"].regions, ["us-east-1", "eu-west-1"]);
    let names = |key: &str| -> BTreeSet<String> {
        seeded[key]
            .as_array()
            .expect("seeded list")
            .iter()
            .map(|v| v.as_str().expect("str").to_owned())
            .collect()
    };
    let has = |key: &str, got: BTreeSet<String>| {
        let want = names(key);
        assert!(
            want.is_subset(&got),
            "{key}: seeded {want:?}, snapshot {got:?}"
        );
    };
    has("users", iam.users.iter().map(|u| u.name.clone()).collect());
    has(
        "access_keys",
        iam.users
            .iter()
            .flat_map(|u| u.access_keys.iter().map(|k| k.id.clone()))
            .collect(),
    );
    has(
        "groups",
        iam.groups.iter().map(|g| g.name.clone()).collect(),
    );
    has("roles", iam.roles.iter().map(|r| r.name.clone()).collect());
    has(
        "policies",
        iam.policies.iter().map(|p| p.arn.clone()).collect(),
    );
    let user = |n: &str| iam.users.iter().find(|u| u.name == n).expect("user");
    assert!(user("alice").login_profile.is_some());
    assert!(user("bob").login_profile.is_none());
    assert_eq!(user("mallory").groups, ["admins"]);
    assert!(user("mallory").inline_policies.contains_key("inline-all"));
    assert_eq!(user("bob").attached_policies.len(), 1);
    let role = iam
        .roles
        .iter()
        .find(|r| r.name == "backdoor-role")
        .expect("role");
    assert_eq!(
        role.trust_policy.as_ref().expect("trust policy")["Statement"][0]["Principal"]["Service"],
        "ec2.amazonaws.com"
    );
    assert!(iam
        .credential_report
        .as_deref()
        .is_some_and(|r| r.contains("mallory")));
    has(
        "instances",
        ec2.instances.iter().map(|i| i.id.clone()).collect(),
    );
    has(
        "security_groups",
        ec2.security_groups.iter().map(|g| g.id.clone()).collect(),
    );
    has(
        "key_pairs",
        ec2.key_pairs.iter().map(|k| k.name.clone()).collect(),
    );
    has(
        "volumes",
        ec2.volumes.iter().map(|v| v.id.clone()).collect(),
    );
    has(
        "snapshots",
        ec2.snapshots.iter().map(|s| s.id.clone()).collect(),
    );
    has("images", ec2.images.iter().map(|i| i.id.clone()).collect());
    has(
        "spot_requests",
        ec2.spot_requests.iter().map(|s| s.id.clone()).collect(),
    );
    let open = ec2
        .security_groups
        .iter()
        .find(|g| g.name.as_deref() == Some("open-eu-west-1"))
        .expect("seeded group");
    assert_eq!(open.ingress[0].cidrs, ["0.0.0.0/0"]);
    assert!(ec2
        .snapshots
        .iter()
        .any(|s| s.create_volume_permissions == ["999988887777"]));
    assert!(ec2.images.iter().any(|i| i.launch_permissions == ["all"]));
    assert_verifies(&case);
}
