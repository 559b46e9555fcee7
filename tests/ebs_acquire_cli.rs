//! `cloudcase acquire aws:ebs-snapshot/…` against moto's server mode on
//! 127.0.0.1, which implements the EBS direct APIs (StartSnapshot,
//! PutSnapshotBlock, CompleteSnapshot, ListSnapshotBlocks, GetSnapshotBlock)
//! and DescribeSnapshots. Snapshots are seeded with boto3; moto reports a
//! block size of 512 bytes, so a 1 GiB volume has 2,097,152 blocks.
//!
//! Without python3, moto and boto3 the tests print `SKIPPED: moto not
//! installed` and pass, unless CLOUDCASE_REQUIRE_MOTO=1, where they fail.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod common;
use common::aws::{cloudcase_cmd, run_checked, DUMMY_ENV};
use common::server::{free_port, moto_available, start_python, Server};

/// Seeds a 1 GiB snapshot: argv = endpoint, number of random blocks, seed.
/// Random blocks at spread indexes (the first and last included), one block
/// of zeros that is present, the rest absent. Prints the snapshot id, the
/// SHA-256 of the whole image and the blocks written.
const SEED: &str = r#"
import base64, hashlib, json, random, sys, boto3
endpoint, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
ebs = boto3.client("ebs", endpoint_url=endpoint, region_name="us-east-1")
snap = ebs.start_snapshot(VolumeSize=1, Description="seeded", Tags=[{"Key": "case", "Value": "IR-7"}])
sid, bs = snap["SnapshotId"], snap["BlockSize"]
total = (1 << 30) // bs
indexes = sorted(set([0, total - 1] + rng.sample(range(1, total - 1), count - 2)))
blocks = {i: rng.randbytes(bs) for i in indexes}
blocks[indexes[len(indexes) // 2]] = bytes(bs)
for i, data in blocks.items():
    ebs.put_snapshot_block(SnapshotId=sid, BlockIndex=i, BlockData=data, DataLength=bs,
        Checksum=base64.b64encode(hashlib.sha256(data).digest()).decode(), ChecksumAlgorithm="SHA256")
ebs.complete_snapshot(SnapshotId=sid, ChangedBlocksCount=len(blocks))
h, zero, pos = hashlib.sha256(), bytes(1 << 20), 0
for i in sorted(blocks):
    gap = i * bs - pos
    while gap > 0:
        n = min(gap, len(zero)); h.update(zero[:n]); gap -= n
    h.update(blocks[i]); pos = (i + 1) * bs
gap = (1 << 30) - pos
while gap > 0:
    n = min(gap, len(zero)); h.update(zero[:n]); gap -= n
print(json.dumps({"snapshot_id": sid, "block_size": bs, "sha256": h.hexdigest(), "indexes": sorted(blocks)}))
"#;

/// moto's server with two fixes. moto 5.2.1 keeps block indexes as the URL's
/// strings and answers ListSnapshotBlocks with `"BlockIndex": "5"`, which the
/// Rust SDK rightly refuses (EBS sends an integer). And a snapshot made by EC2
/// CreateSnapshot has no EBS-direct view in moto: it gets an empty one (a
/// volume never written has no blocks). argv = host, port.
const MOTO: &str = r#"
import sys
from moto.ebs import models
from moto.server import main
put, get = models.EBSSnapshot.put_block, models.EBSBackend.get_snapshot_block
models.EBSSnapshot.put_block = lambda self, i, *a: put(self, int(i), *a)
models.EBSBackend.get_snapshot_block = lambda self, snapshot_id, block_index: get(self, snapshot_id, int(block_index))
listed = models.EBSBackend.list_snapshot_blocks
def list_blocks(self, snapshot_id):
    if snapshot_id not in self.snapshots:
        view = models.EBSSnapshot(self.account_id, self.ec2_backend.get_snapshot(snapshot_id))
        view.status = "completed"
        self.snapshots[snapshot_id] = view
    return listed(self, snapshot_id)
models.EBSBackend.list_snapshot_blocks = list_blocks
main(["-H", sys.argv[1], "-p", sys.argv[2]])
"#;

/// Starts moto's server, with the fixes above, on a free port of 127.0.0.1.
fn start_moto() -> Server {
    let port = free_port();
    start_python(&["-c", MOTO, "127.0.0.1", &port.to_string()], port)
}

/// The seeded snapshot.
struct Seeded {
    id: String,
    block_size: u64,
    sha256: String,
    indexes: Vec<u64>,
}

fn seed(endpoint: &str, blocks: usize, seed: u64) -> Seeded {
    let out = Command::new("python3")
        .args(["-c", SEED, endpoint, &blocks.to_string(), &seed.to_string()])
        .envs(DUMMY_ENV.iter().copied())
        .output()
        .expect("run the seeding snippet");
    assert!(
        out.status.success(),
        "seeding failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("seed output is JSON");
    Seeded {
        id: v["snapshot_id"].as_str().expect("id").to_owned(),
        block_size: v["block_size"].as_u64().expect("block size"),
        sha256: v["sha256"].as_str().expect("sha").to_owned(),
        indexes: v["indexes"]
            .as_array()
            .expect("indexes")
            .iter()
            .filter_map(Value::as_u64)
            .collect(),
    }
}

/// Standard output and error of a run that must succeed.
fn ok(args: &[&str]) -> String {
    let out = run_checked(args);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "cloudcase {args:?} failed: {text}");
    text
}

fn new_case(dir: &Path, name: &str) -> PathBuf {
    let case = dir.join(name);
    let s = case.to_str().expect("utf-8 path");
    ok(&[
        "case",
        "init",
        s,
        "--name",
        "ebs test",
        "--examiner",
        "tester",
    ]);
    case
}

/// The manifest record of `source`.
fn record(case: &Path, source: &str) -> Value {
    let text = std::fs::read_to_string(case.join("manifest.jsonl")).expect("manifest");
    text.lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("manifest line is JSON"))
        .find(|v| v["source"] == source)
        .unwrap_or_else(|| panic!("{source} not in the manifest:\n{text}"))
}

fn acquire_args<'a>(case: &'a str, uri: &'a str, endpoint: &'a str) -> Vec<&'a str> {
    vec![
        "acquire",
        "--case",
        case,
        uri,
        "--endpoint-url",
        endpoint,
        "--regions",
        "us-east-1",
    ]
}

#[test]
fn a_seeded_snapshot_is_acquired_with_the_seeded_image_hash_and_verified() {
    if !moto_available() {
        return;
    }
    let moto = start_moto();
    let seeded = seed(&moto.endpoint, 300, 11);
    let dir = tempfile::tempdir().expect("tempdir");
    let case = new_case(dir.path(), "case");
    let case_s = case.to_str().expect("utf-8 path");
    let uri = format!("aws:ebs-snapshot/{}", seeded.id);
    let started = Instant::now();
    let out = ok(&acquire_args(case_s, &uri, &moto.endpoint));
    let unlimited = started.elapsed();
    assert!(
        out.contains("region us-east-1 (the configured region)"),
        "{out}"
    );
    assert!(out.contains("3 items: 3 new"), "{out}");

    let image = record(&case, &format!("{uri}?region=us-east-1"));
    assert_eq!(
        image["sha256"],
        seeded.sha256.as_str(),
        "image hash differs from the seeded bytes"
    );
    assert_eq!(image["size"], 1u64 << 30);
    assert_eq!(image["source_kind"], "aws-ebs-snapshot");
    let meta = &image["metadata"];
    assert_eq!(
        meta["blocks_present"],
        seeded.indexes.len().to_string().as_str()
    );
    assert_eq!(
        meta["blocks_total"],
        ((1u64 << 30) / seeded.block_size).to_string().as_str()
    );
    assert_eq!(meta["tags"], r#"{"case":"IR-7"}"#);
    assert!(
        meta["volume_id"]
            .as_str()
            .is_some_and(|v| v.starts_with("vol-")),
        "{meta}"
    );
    assert!(
        meta["start_time"].is_string() && meta["owner_id"].is_string(),
        "{meta}"
    );

    // The image is sparse in the store: absent blocks are holes.
    let object = case.join(image["object"].as_str().expect("object"));
    let allocated =
        std::os::unix::fs::MetadataExt::blocks(&std::fs::metadata(&object).expect("stat")) * 512;
    assert!(
        allocated < 64 << 20,
        "{allocated} bytes allocated for a 1 GiB image of 300 blocks"
    );

    // The block manifest proves each block; the metadata object holds DescribeSnapshots.
    let blocks = record(&case, &format!("{uri}/blocks.jsonl?region=us-east-1"));
    assert_eq!(meta["block_manifest_sha256"], blocks["sha256"]);
    let lines = std::fs::read_to_string(case.join(blocks["object"].as_str().expect("object")))
        .expect("read");
    let present: Vec<u64> = lines
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("block line"))
        .filter(|l| l["present"] == true)
        .filter_map(|l| l["index"].as_u64())
        .collect();
    assert_eq!(present, seeded.indexes);
    let described = record(&case, &format!("{uri}/metadata.json?region=us-east-1"));
    let described: Value = serde_json::from_slice(
        &std::fs::read(case.join(described["object"].as_str().expect("object"))).expect("read"),
    )
    .expect("metadata JSON");
    assert_eq!(
        described["describe_snapshots"]["snapshot_id"],
        seeded.id.as_str()
    );
    assert_eq!(described["describe_snapshots"]["encrypted"], false);

    assert!(
        !case
            .join("work/images")
            .read_dir()
            .is_ok_and(|mut d| d.next().is_some()),
        "stage removed"
    );
    let verified = ok(&["verify", "--case", case_s]);
    assert!(verified.contains("INTACT"), "{verified}");
    // Acquiring again holds everything already.
    let again = ok(&acquire_args(case_s, &uri, &moto.endpoint));
    assert!(again.contains("3 already held"), "{again}");

    // --max-rate spaces the block reads: 100 blocks of 512 bytes at 0.0128 MB/s take 4 s, far
    // longer than the same number of blocks without it (a third of the 300 read above; comparing
    // with all 300 failed once on a loaded machine, where those took 3.4 s).
    let slow = seed(&moto.endpoint, 100, 5);
    let uri = format!("aws:ebs-snapshot/{}?region=us-east-1", slow.id);
    let mut args = acquire_args(case_s, &uri, &moto.endpoint);
    args.extend(["--max-rate", "0.0128"]);
    let started = Instant::now();
    ok(&args);
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(3900) && took > unlimited / 3 + Duration::from_secs(2),
        "--max-rate not kept: {took:?} (300 blocks unlimited: {unlimited:?})"
    );
    assert_eq!(
        record(&case, &uri)["sha256"],
        slow.sha256.as_str(),
        "a second snapshot in the same case"
    );
}

/// Lines in the case's (single) image stage journal, 0 when there is none yet.
fn journal_lines(case: &Path) -> usize {
    let Ok(stages) = case.join("work/images").read_dir() else {
        return 0;
    };
    stages
        .filter_map(Result::ok)
        .filter_map(|s| std::fs::read_to_string(s.path().join("journal.txt")).ok())
        .map(|t| t.lines().count())
        .sum()
}

#[test]
fn a_killed_acquisition_resumes_to_the_same_hash_and_a_tampered_block_is_named() {
    if !moto_available() {
        return;
    }
    let moto = start_moto();
    let seeded = seed(&moto.endpoint, 2500, 23);
    let dir = tempfile::tempdir().expect("tempdir");
    let case = new_case(dir.path(), "case");
    let case_s = case.to_str().expect("utf-8 path");
    let uri = format!("aws:ebs-snapshot/{}?region=us-east-1", seeded.id);
    let mut args = acquire_args(case_s, &uri, &moto.endpoint);
    args.extend(["--ebs-concurrency", "2"]);

    // kill -9 once blocks are journaled, before all are: twice, at growing depths.
    let mut killed_at = Vec::new();
    for depth in [300, 1200] {
        let mut child = cloudcase_cmd(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn acquire");
        let deadline = Instant::now() + Duration::from_secs(120);
        while journal_lines(&case) < depth && Instant::now() < deadline {
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        killed_at.push(journal_lines(&case));
    }
    assert!(
        killed_at.iter().all(|&n| n > 0 && n < seeded.indexes.len()),
        "every kill landed mid-download: {killed_at:?} of {}",
        seeded.indexes.len()
    );
    assert!(
        std::fs::read_to_string(case.join("manifest.jsonl"))
            .unwrap_or_default()
            .is_empty(),
        "nothing recorded before the image is complete"
    );
    let out = ok(&args);
    let resumed = killed_at[1];
    assert!(
        out.contains(&format!(
            "{} blocks read, {resumed} already read by an interrupted run",
            seeded.indexes.len() - resumed
        )),
        "only the missing blocks are fetched ({killed_at:?}): {out}"
    );
    let image = record(
        &case,
        &format!("aws:ebs-snapshot/{}?region=us-east-1", seeded.id),
    );
    assert_eq!(
        image["sha256"],
        seeded.sha256.as_str(),
        "resumed image differs from the seeded bytes"
    );
    let verified = ok(&["verify", "--case", case_s]);
    assert!(verified.contains("INTACT"), "{verified}");

    // Flip bytes of one present block in the stored image (made writable here only).
    let object = case.join(image["object"].as_str().expect("object"));
    let bad = seeded.indexes[seeded.indexes.len() / 3];
    let offset = bad * seeded.block_size + 17;
    let mut perms = std::fs::metadata(&object).expect("stat").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o644);
    std::fs::set_permissions(&object, perms).expect("chmod");
    let f = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&object)
        .expect("open");
    let mut byte = [0u8; 2];
    std::os::unix::fs::FileExt::read_exact_at(&f, &mut byte, offset).expect("read");
    std::os::unix::fs::FileExt::write_all_at(&f, &[!byte[0], !byte[1]], offset).expect("tamper");
    drop(f);
    let out = run_checked(&["verify", "--case", case_s]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let named = format!("block {bad} at offset {}", bad * seeded.block_size);
    assert!(text.contains(&named), "verify names {named}: {text}");
    assert_eq!(
        text.matches("differs from its block manifest").count(),
        1,
        "{text}"
    );
}

#[test]
fn a_volume_is_read_only_with_create_snapshot_which_custody_records() {
    if !moto_available() {
        return;
    }
    let moto = start_moto();
    let dir = tempfile::tempdir().expect("tempdir");
    let case = new_case(dir.path(), "case");
    let case_s = case.to_str().expect("utf-8 path");
    let out = run_checked(&acquire_args(
        case_s,
        "aws:ebs-volume/vol-0123?region=us-east-1",
        &moto.endpoint,
    ));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("expected --create-snapshot"), "{err}");
    let custody = std::fs::read_to_string(case.join("custody.jsonl")).expect("custody");
    assert!(!custody.contains("snapshot_created"), "nothing was created");

    // With --create-snapshot: CreateSnapshot is recorded in custody, then the snapshot is read.
    let out = Command::new("python3")
        .args([
            "-c",
            "import boto3, sys; print(boto3.client('ec2', endpoint_url=sys.argv[1], region_name='us-east-1')\
             .create_volume(Size=1, AvailabilityZone='us-east-1a')['VolumeId'])",
            &moto.endpoint,
        ])
        .envs(DUMMY_ENV.iter().copied())
        .output()
        .expect("create a volume");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let volume = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let uri = format!("aws:ebs-volume/{volume}");
    let mut args = acquire_args(case_s, &uri, &moto.endpoint);
    args.push("--create-snapshot");
    let out = ok(&args);
    assert!(out.contains("(recorded in custody)"), "{out}");
    let entry: Value = std::fs::read_to_string(case.join("custody.jsonl"))
        .expect("custody")
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("custody line"))
        .find(|e| e["action"] == "snapshot_created")
        .expect("a snapshot_created entry");
    let details = &entry["details"];
    assert_eq!(details["call"], "ec2:CreateSnapshot");
    assert_eq!(details["volume_id"], volume.as_str());
    assert_eq!(details["outcome"], "created");
    let snapshot = details["snapshot_id"].as_str().expect("snapshot id");
    let image = record(
        &case,
        &format!("aws:ebs-snapshot/{snapshot}?region=us-east-1"),
    );
    assert_eq!(image["metadata"]["volume_id"], volume.as_str());
    assert_eq!(image["metadata"]["blocks_present"], "0");
    // 1 GiB of zeros.
    assert_eq!(
        image["sha256"],
        "49bc20df15e412a64472421e13fe86ff1c5165e18b2afccf160d4dc19fe68a14"
    );
}
