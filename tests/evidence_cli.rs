//! `cloudcase case init`, `acquire` and `verify` from the command line: exit
//! codes, named problems, idempotence, and recovery from crashes, including
//! `kill -9` of a real acquisition at random points.

mod common;
use common::cloudcase;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("test paths are UTF-8")
}

/// A small deterministic pseudo-random generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn seeded() -> Self {
        let nanos = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        Rng(nanos | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&self.next().to_le_bytes());
        }
        out.truncate(len);
        out
    }
}

struct Env {
    _dir: tempfile::TempDir,
    case: PathBuf,
    src: PathBuf,
}

impl Env {
    fn case(&self) -> &str {
        path_str(&self.case)
    }
    fn src(&self) -> &str {
        path_str(&self.src)
    }
    fn acquire(&self, extra: &[&str]) -> Output {
        let mut args = vec!["acquire", "--case", self.case()];
        args.extend_from_slice(extra);
        cloudcase(&args)
    }
    fn verify_json(&self) -> (i32, Value) {
        let o = cloudcase(&["verify", "--case", self.case(), "--json"]);
        let v: Value = serde_json::from_slice(&o.stdout)
            .unwrap_or_else(|e| panic!("verify --json output is JSON ({e}): {}", text(&o.stdout)));
        (code(&o), v)
    }
    fn objects(&self) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let root = self.case.join("evidence/objects/sha256");
        for shard in fs::read_dir(root).expect("objects dir").flatten() {
            for obj in fs::read_dir(shard.path()).expect("shard").flatten() {
                out.push(obj.path());
            }
        }
        out.sort();
        out
    }
    fn custody_lines(&self) -> Vec<String> {
        fs::read_to_string(self.case.join("custody.jsonl"))
            .expect("custody")
            .lines()
            .map(str::to_owned)
            .collect()
    }
    fn write_custody(&self, lines: &[String]) {
        fs::write(self.case.join("custody.jsonl"), lines.join("\n") + "\n").expect("write");
    }
    /// How many manifest lines name each source.
    fn manifest_sources(&self) -> HashMap<String, usize> {
        let mut n = HashMap::new();
        for line in fs::read_to_string(self.case.join("manifest.jsonl"))
            .expect("manifest")
            .lines()
        {
            let v: Value = serde_json::from_str(line).expect("manifest line");
            *n.entry(v["source"].as_str().expect("source").to_owned())
                .or_default() += 1;
        }
        n
    }
}

/// A case and a source tree: 4 files with distinct content and one duplicate.
fn env() -> Env {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("logs");
    fs::create_dir_all(src.join("2024/05")).expect("mkdir");
    let mut rng = Rng(42);
    fs::write(src.join("2024/05/one.json.gz"), rng.bytes(700_000)).expect("write");
    fs::write(src.join("2024/05/two.json.gz"), rng.bytes(1_300_000)).expect("write");
    fs::write(src.join("2024/three.json"), b"{\"Records\":[]}").expect("write");
    fs::write(src.join("empty"), b"").expect("write");
    fs::write(src.join("copy-of-three.json"), b"{\"Records\":[]}").expect("write");
    let case = dir.path().join("case");
    let o = cloudcase(&[
        "case",
        "init",
        path_str(&case),
        "--name",
        "IR-2024-05",
        "--examiner",
        "alice",
        "--tz",
        "Europe/Berlin",
    ]);
    assert_eq!(code(&o), 0, "init: {}", text(&o.stderr));
    assert!(text(&o.stdout).contains("IR-2024-05"));
    Env {
        _dir: dir,
        case,
        src,
    }
}

/// The problems of a verify report as (kind, entry) pairs.
fn problems(v: &Value) -> Vec<(String, Option<u64>)> {
    v["problems"]
        .as_array()
        .expect("problems array")
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().expect("kind").to_owned(),
                p["entry"].as_u64(),
            )
        })
        .collect()
}

fn has(v: &Value, kind: &str, entry: Option<u64>) -> bool {
    problems(v)
        .iter()
        .any(|(k, e)| k == kind && (entry.is_none() || *e == entry))
}

fn acquired_env() -> Env {
    let e = env();
    let o = e.acquire(&[e.src()]);
    assert_eq!(code(&o), 0, "acquire: {}", text(&o.stderr));
    e
}

fn make_writable(path: &Path) {
    let mut perms = fs::metadata(path).expect("stat").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(path, perms).expect("chmod");
}

#[test]
fn untouched_case_verifies_with_stable_json() {
    let e = env();
    let o = e.acquire(&[e.src()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains(
            "5 items: 4 new, 0 already held, 1 new sources of held content, 0 skipped, 0 failed"
        ),
        "{out}"
    );
    assert!(out.contains("MB/s"), "{out}");
    assert_eq!(e.objects().len(), 4);

    let (c, v) = e.verify_json();
    assert_eq!(c, 0, "{v:#}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["objects_checked"], 4);
    assert_eq!(v["problems"], serde_json::json!([]));
    for key in [
        "bytes_checked",
        "custody_entries",
        "custody_head",
        "recorded_as",
    ] {
        assert!(v.get(key).is_some(), "{key} missing from {v:#}");
    }
    let o = cloudcase(&["verify", "--case", e.case()]);
    assert_eq!(code(&o), 0);
    assert!(text(&o.stdout).starts_with("INTACT"), "{}", text(&o.stdout));
}

#[test]
fn init_and_open_errors_are_clear() {
    let e = env();
    let o = cloudcase(&["case", "init", e.case(), "--name", "x", "--examiner", "y"]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o.stderr).contains("already a case folder"),
        "{}",
        text(&o.stderr)
    );
    let o = cloudcase(&["case", "init", e.src(), "--name", "x", "--examiner", "y"]);
    assert_eq!(code(&o), 2);
    assert!(text(&o.stderr).contains("empty"), "{}", text(&o.stderr));
    let fresh = e.case.with_file_name("fresh");
    let o = cloudcase(&[
        "case",
        "init",
        path_str(&fresh),
        "--name",
        "x",
        "--examiner",
        "y",
        "--tz",
        "Nowhere/Else",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o.stderr).contains("Nowhere/Else"),
        "{}",
        text(&o.stderr)
    );
    for args in [
        vec!["verify", "--case", e.src()],
        vec!["acquire", "--case", e.src(), e.src()],
    ] {
        let o = cloudcase(&args);
        assert_eq!(code(&o), 2);
        assert!(
            text(&o.stderr).contains("not a cloudcase case folder"),
            "{}",
            text(&o.stderr)
        );
    }
}

#[test]
fn flipped_byte_is_named_with_both_hashes() {
    let e = acquired_env();
    let target = e
        .objects()
        .into_iter()
        .max_by_key(|p| fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .expect("an object");
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .expect("name")
        .to_owned();
    make_writable(&target);
    let mut bytes = fs::read(&target).expect("read");
    bytes[12_345] ^= 0x40;
    fs::write(&target, bytes).expect("write");

    let (c, v) = e.verify_json();
    assert_eq!(c, 1);
    assert_eq!(v["ok"], false);
    let p = &v["problems"][0];
    assert_eq!(p["kind"], "object_modified");
    assert_eq!(p["object"], name.as_str());
    assert_eq!(p["expected"], name.as_str());
    assert_ne!(p["actual"], p["expected"]);
    let o = cloudcase(&["verify", "--case", e.case()]);
    assert_eq!(code(&o), 1);
    assert!(
        text(&o.stdout).contains("object_modified"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn deleted_object_and_extra_file_are_named() {
    let e = acquired_env();
    let victim = e.objects()[0].clone();
    let name = victim
        .file_name()
        .and_then(|n| n.to_str())
        .expect("name")
        .to_owned();
    fs::remove_file(&victim).expect("delete");
    fs::write(e.case.join("evidence/objects/sha256/notes.txt"), b"hi").expect("extra");
    let (c, v) = e.verify_json();
    assert_eq!(c, 1);
    let missing = v["problems"]
        .as_array()
        .expect("array")
        .iter()
        .find(|p| p["kind"] == "object_missing")
        .expect("object_missing");
    assert_eq!(missing["object"], name.as_str());
    let extra = v["problems"]
        .as_array()
        .expect("array")
        .iter()
        .find(|p| p["kind"] == "unexpected_file")
        .expect("unexpected_file");
    assert_eq!(extra["path"], "evidence/objects/sha256/notes.txt");
    assert_eq!(problems(&v).len(), 2, "{v:#}");
}

#[test]
fn custody_edit_delete_reorder_insert_are_each_named() {
    let e = acquired_env();
    let original = e.custody_lines();
    assert!(original.len() >= 6, "{original:?}");

    let mut edited = original.clone();
    edited[1] = edited[1].replacen("\"actor\":\"alice\"", "\"actor\":\"mallory\"", 1);
    assert_ne!(edited[1], original[1]);
    e.write_custody(&edited);
    let (c, v) = e.verify_json();
    assert_eq!(c, 1);
    assert!(has(&v, "custody_hash_mismatch", Some(2)), "{v:#}");
    assert!(has(&v, "custody_prev_mismatch", Some(3)), "{v:#}");

    let mut deleted = original.clone();
    deleted.remove(2);
    e.write_custody(&deleted);
    let (c, v) = e.verify_json();
    assert_eq!(c, 1);
    assert!(has(&v, "custody_prev_mismatch", Some(3)), "{v:#}");
    assert!(has(&v, "custody_bad_seq", Some(3)), "{v:#}");

    let mut reordered = original.clone();
    reordered.swap(1, 2);
    e.write_custody(&reordered);
    let (c, v) = e.verify_json();
    assert_eq!(c, 1);
    assert!(has(&v, "custody_bad_seq", Some(2)), "{v:#}");
    assert!(has(&v, "custody_prev_mismatch", Some(2)), "{v:#}");

    let mut inserted = original.clone();
    inserted.insert(3, original[2].clone());
    e.write_custody(&inserted);
    let (c, v) = e.verify_json();
    assert_eq!(c, 1);
    assert!(has(&v, "custody_prev_mismatch", Some(4)), "{v:#}");
    assert!(has(&v, "custody_bad_seq", Some(4)), "{v:#}");

    let mut garbage = original.clone();
    garbage[3] = "{not json".to_owned();
    e.write_custody(&garbage);
    let (c, v) = e.verify_json();
    assert_eq!(c, 1);
    assert!(has(&v, "custody_unparsable", Some(4)), "{v:#}");

    e.write_custody(&original);
    let (c, v) = e.verify_json();
    assert_eq!(c, 0, "restored log verifies: {v:#}");
}

#[test]
fn reacquiring_is_idempotent() {
    let e = acquired_env();
    let manifest = fs::read(e.case.join("manifest.jsonl")).expect("read");
    let o = e.acquire(&[e.src()]);
    assert_eq!(code(&o), 0);
    assert!(
        text(&o.stdout).contains("0 new, 5 already held, 0 new sources"),
        "{}",
        text(&o.stdout)
    );
    assert!(
        text(&o.stdout).contains("stored 0.0 MB new"),
        "{}",
        text(&o.stdout)
    );
    assert_eq!(
        fs::read(e.case.join("manifest.jsonl")).expect("read"),
        manifest
    );
    assert_eq!(e.objects().len(), 4);
    let (c, _) = e.verify_json();
    assert_eq!(c, 0);
}

#[test]
fn failed_source_is_named_and_exit_is_nonzero() {
    let e = env();
    let missing = e.src.join("does-not-exist.json");
    let o = e.acquire(&[path_str(&missing), e.src()]);
    assert_eq!(code(&o), 1);
    assert!(
        text(&o.stderr).contains("does-not-exist.json"),
        "{}",
        text(&o.stderr)
    );
    assert!(text(&o.stdout).contains("1 failed"), "{}", text(&o.stdout));
    assert_eq!(e.objects().len(), 4, "the other sources were acquired");
    let (c, _) = e.verify_json();
    assert_eq!(c, 0);
}

#[test]
fn simulated_crash_is_reported_then_completed_by_rerun() {
    let e = env();
    // An acquisition of part of the sources "crashed" leaving a temp copy, a
    // torn custody line and a torn manifest line.
    let o = e.acquire(&[path_str(&e.src.join("2024/05"))]);
    assert_eq!(code(&o), 0);
    fs::write(e.case.join("evidence/tmp/4242-7.partial"), b"half a copy").expect("temp");
    let mut c = fs::read(e.case.join("custody.jsonl")).expect("read");
    c.extend_from_slice(b"{\"seq\":9,\"time\":\"2024-");
    fs::write(e.case.join("custody.jsonl"), c).expect("torn custody");
    let mut m = fs::read(e.case.join("manifest.jsonl")).expect("read");
    m.extend_from_slice(b"{\"sha256\":\"00");
    fs::write(e.case.join("manifest.jsonl"), m).expect("torn manifest");

    let o = cloudcase(&["verify", "--case", e.case(), "--json"]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_slice(&o.stdout).expect("json");
    for kind in ["leftover_temp", "custody_torn_tail", "manifest_torn_tail"] {
        assert!(has(&v, kind, None), "{kind} not named: {v:#}");
    }
    assert!(!has(&v, "object_modified", None));

    let o = e.acquire(&[e.src()]);
    assert_eq!(code(&o), 0, "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("4242-7.partial"),
        "{}",
        text(&o.stderr)
    );
    assert!(text(&o.stderr).contains("repaired"), "{}", text(&o.stderr));
    let (c, v) = e.verify_json();
    assert_eq!(c, 0, "{v:#}");
    let sources = e.manifest_sources();
    assert_eq!(sources.len(), 5);
    assert!(sources.values().all(|&n| n == 1), "{sources:?}");
    assert!(fs::read_dir(e.case.join("evidence/tmp"))
        .expect("tmp")
        .next()
        .is_none());
}

/// Problems that an interrupted acquisition may legitimately leave; anything
/// else after a `kill -9` would mean a half-written state verify must reject
/// for the wrong reason, or worse, accept.
const CRASH_KINDS: &[&str] = &[
    "leftover_temp",
    "orphan_object",
    "custody_torn_tail",
    "manifest_torn_tail",
    "manifest_unrecorded",
];

/// Starts `acquire`, kills it with SIGKILL after `delay_ms`, and checks that
/// `verify` then reports nothing but an interrupted run's leftovers. Returns
/// whether the process was still running when killed.
fn kill_and_check(
    case: &str,
    src: &str,
    delay_ms: u64,
    seen: &mut HashMap<String, usize>,
    context: &str,
) -> bool {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cloudcase"))
        .args(["acquire", "--case", case, src])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn acquire");
    std::thread::sleep(Duration::from_millis(delay_ms));
    let running = matches!(child.try_wait(), Ok(None));
    child.kill().expect("SIGKILL"); // Child::kill sends SIGKILL on Unix
    let _ = child.wait();

    let o = cloudcase(&["verify", "--case", case, "--json"]);
    let v: Value = serde_json::from_slice(&o.stdout).expect("verify json");
    for (kind, entry) in problems(&v) {
        *seen.entry(kind.clone()).or_default() += 1;
        assert!(
            CRASH_KINDS.contains(&kind.as_str()),
            "{context}, killed after {delay_ms} ms: unexpected {kind} (entry {entry:?}): {v:#}"
        );
    }
    running
}

#[test]
fn kill_dash_nine_at_random_points_never_leaves_accepted_damage() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src");
    fs::create_dir_all(&src).expect("mkdir");
    let mut rng = Rng::seeded();
    let seed = rng.0;
    let mut contents = HashSet::new();
    // A mix of small files (synced in batches by the committer) and large ones
    // (synced one by one by the workers), with some duplicate content.
    for i in 0..60 {
        let size = if i % 3 == 0 {
            1_000 + rng.below(200_000) as usize
        } else {
            200_000 + rng.below(1_800_000) as usize
        };
        let data = if i % 10 == 9 {
            fs::read(src.join(format!("f{:02}.bin", i - 1))).expect("read")
        } else {
            rng.bytes(size)
        };
        contents.insert(data.clone());
        fs::write(src.join(format!("f{i:02}.bin")), data).expect("write");
    }
    let src_s = path_str(&src).to_owned();

    // How long does a whole acquisition take here?
    let probe = dir.path().join("probe");
    assert_eq!(
        code(&cloudcase(&[
            "case",
            "init",
            path_str(&probe),
            "--name",
            "p",
            "--examiner",
            "k"
        ])),
        0
    );
    let t = Instant::now();
    assert_eq!(
        code(&cloudcase(&["acquire", "--case", path_str(&probe), &src_s])),
        0
    );
    let full_ms = (t.elapsed().as_millis() as u64).max(20);

    let mut killed_running = 0;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let rounds = 16;
    for round in 0..rounds {
        // A fresh case each round, so every kill lands in a run with real work.
        let case = dir.path().join(format!("case{round}"));
        let case_s = path_str(&case).to_owned();
        let o = cloudcase(&["case", "init", &case_s, "--name", "kill", "--examiner", "k"]);
        assert_eq!(code(&o), 0);
        let context = format!("seed {seed}, round {round}");
        let delay = rng.below(full_ms);
        killed_running += usize::from(kill_and_check(&case_s, &src_s, delay, &mut seen, &context));
        if rng.below(2) == 0 {
            // Kill the recovering run too.
            let delay = rng.below(full_ms);
            kill_and_check(
                &case_s,
                &src_s,
                delay,
                &mut seen,
                &format!("{context} (recovery)"),
            );
        }

        let o = cloudcase(&["acquire", "--case", &case_s, &src_s]);
        assert_eq!(code(&o), 0, "{context}: {}", text(&o.stderr));
        let o = cloudcase(&["verify", "--case", &case_s, "--json"]);
        assert_eq!(code(&o), 0, "{context}: {}", text(&o.stdout));

        let manifest = fs::read_to_string(case.join("manifest.jsonl")).expect("manifest");
        let mut per_source: HashMap<String, usize> = HashMap::new();
        let mut shas = HashSet::new();
        for line in manifest.lines() {
            let v: Value = serde_json::from_str(line).expect("manifest line");
            *per_source
                .entry(v["source"].as_str().expect("source").to_owned())
                .or_default() += 1;
            shas.insert(v["sha256"].as_str().expect("sha").to_owned());
        }
        assert_eq!(per_source.len(), 60, "{context}");
        assert!(
            per_source.values().all(|&n| n == 1),
            "{context}: {per_source:?}"
        );
        assert_eq!(shas.len(), contents.len(), "{context}");
        let mut stored = 0;
        for shard in fs::read_dir(case.join("evidence/objects/sha256"))
            .expect("objects")
            .flatten()
        {
            stored += fs::read_dir(shard.path()).expect("shard").count();
        }
        assert_eq!(
            stored,
            contents.len(),
            "{context}: each content stored once"
        );
        fs::remove_dir_all(&case).ok();
    }
    eprintln!(
        "seed {seed}: full run {full_ms} ms, {killed_running}/{rounds} killed while running, crash leftovers seen: {seen:?}"
    );
    assert!(
        killed_running > 0,
        "seed {seed}: no acquisition was interrupted"
    );
}
