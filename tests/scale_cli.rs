//! Real scale under stock limits: a month of one account's trail in the S3
//! layout (about 52,000 log and digest files, signed and chained) goes
//! through every command of the job under `ulimit -n 256` (macOS's default),
//! and every command's accounting adds up. One 0-byte `.json.gz` is among
//! the logs, as a truncated delivery would be.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cloudcase_trail::testkit::{build_trail, BuiltTrail, Signer, TrailSpec};

const KEY: &str = include_str!("../crates/trail/tests/fixtures/test-rsa-2048.pem");
/// The open-file limit every command runs under.
const FD_LIMIT: u32 = 256;
/// Regions of the account, each delivering its own logs and digests.
const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-central-1",
    "eu-north-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-southeast-1",
    "sa-east-1",
];
/// Thirty days of hourly digests.
const HOURS: usize = 30 * 24;
const LOGS_PER_HOUR: usize = 5;
const EMPTY_NAME: &str = "111122223333_CloudTrail_us-east-1_20240315T0000Z_truncated.json.gz";

/// Runs `cloudcase ARGS` with its open-file limit lowered to [`FD_LIMIT`].
fn limited(args: &[&str]) -> Output {
    limited_to(FD_LIMIT, args)
}

/// Runs `cloudcase ARGS` with its open-file limit lowered to `limit`.
fn limited_to(limit: u32, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_cloudcase"))
        .args(args)
        .output()
        .expect("run cloudcase under a lowered open-file limit")
}

/// Runs and requires success; returns (stdout, stderr).
fn ok(args: &[&str]) -> (String, String) {
    let out = limited(args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "cloudcase {args:?} failed under ulimit -n {FD_LIMIT}: {:?}\nstdout (end): {}\nstderr (end): {}",
        out.status,
        tail(&stdout),
        tail(&stderr)
    );
    (stdout, stderr)
}

fn tail(s: &str) -> &str {
    let start = s.len().saturating_sub(3000);
    let start = (start..s.len())
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(s.len());
    &s[start..]
}

/// The run's accounting line (`cloudcase: files: … seen, … read, …`), which
/// ends standard error after any listed rejections.
fn accounting(stderr: &str) -> &str {
    stderr
        .lines()
        .rfind(|l| l.starts_with("cloudcase: files:"))
        .unwrap_or_else(|| panic!("expected an accounting line in {}", tail(stderr)))
}

/// The number before the last `label` in `text` (e.g. `123 seen`).
fn number_before(text: &str, label: &str) -> u64 {
    let at = text
        .rfind(label)
        .unwrap_or_else(|| panic!("expected {label:?} in {}", tail(text)));
    text[..at]
        .split(|c: char| !c.is_ascii_digit())
        .rfind(|w| !w.is_empty())
        .and_then(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("expected a number before {label:?}"))
}

struct Month {
    dir: tempfile::TempDir,
    trails: Vec<BuiltTrail>,
}

impl Month {
    fn build() -> Month {
        let dir = tempfile::tempdir().expect("tempdir");
        let signer = Signer::from_pkcs1_pem(KEY).expect("fixture key");
        let trails = REGIONS
            .iter()
            .map(|region| {
                let spec = TrailSpec {
                    region: (*region).to_owned(),
                    hours: HOURS,
                    logs_per_hour: LOGS_PER_HOUR,
                    ..TrailSpec::default()
                };
                build_trail(&dir.path().join("bucket"), &spec, &signer).expect("trail")
            })
            .collect::<Vec<_>>();
        let logs = dir
            .path()
            .join("bucket/AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/15");
        std::fs::create_dir_all(&logs).expect("mkdir");
        std::fs::write(logs.join(EMPTY_NAME), b"").expect("empty file");
        std::fs::write(dir.path().join("keys.json"), signer.public_keys_json()).expect("keys");
        let mut sigs = serde_json::Map::new();
        for trail in &trails {
            for d in &trail.digests {
                sigs.insert(d.key.clone(), d.signature_hex.clone().into());
            }
        }
        std::fs::write(
            dir.path().join("signatures.json"),
            serde_json::Value::Object(sigs).to_string(),
        )
        .expect("signatures");
        Month { dir, trails }
    }

    fn path(&self, rel: &str) -> String {
        self.dir.path().join(rel).to_string_lossy().into_owned()
    }

    fn digests(&self) -> u64 {
        self.trails.iter().map(|t| t.digests.len() as u64).sum()
    }

    fn logs(&self) -> u64 {
        let per_trail = |t: &BuiltTrail| t.digests.iter().map(|d| d.logs.len() as u64).sum::<u64>();
        self.trails.iter().map(per_trail).sum()
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    walk(dir)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("list") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_month_of_one_account_goes_through_every_command_under_256_open_files() {
    let month = Month::build();
    let (logs, digests) = (month.logs(), month.digests());
    let files = logs + digests + 1;
    assert_eq!(
        files_under(&month.dir.path().join("bucket")).len() as u64,
        files
    );
    assert!(files > 50_000, "{files} files");
    let case = month.path("case");
    ok(&["case", "init", &case, "--name", "Scale", "--examiner", "A"]);

    let (out, err) = ok(&["acquire", "--case", &case, &month.path("bucket"), "-q"]);
    assert!(
        out.contains(&format!(
            "{files} items: {files} new, 0 already held, 0 new sources of held content, 0 skipped, 0 failed, 1 empty"
        )),
        "{out}"
    );
    assert!(
        err.contains(EMPTY_NAME) && err.contains("0 bytes"),
        "{}",
        tail(&err)
    );

    let (out, _) = ok(&["verify", "--case", &case]);
    assert!(out.contains("INTACT"), "{}", tail(&out));

    // Every digest and every listed log checks out; the empty file, which no
    // digest lists, is named, and makes the run fail as it should.
    let out = limited(&[
        "trail",
        "validate",
        "--case",
        &case,
        "--public-keys",
        &month.path("keys.json"),
        "--signatures",
        &month.path("signatures.json"),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{}", tail(&text));
    assert!(
        text.contains(&format!("{digests}/{digests} digest files valid")),
        "{}",
        tail(&text)
    );
    assert!(
        text.contains(&format!("{logs}/{logs} log files valid")),
        "{}",
        tail(&text)
    );
    assert!(
        text.contains("1 log file covered by no digest"),
        "{}",
        tail(&text)
    );
    assert!(
        text.contains(EMPTY_NAME),
        "the uncovered file is named: {}",
        tail(&text)
    );

    // One record per log file; the digests and the empty file are skipped,
    // each with its reason, and everything seen is accounted for.
    let (_, err) = ok(&["hunt", "--case", &case, "--format", "jsonl"]);
    assert!(err.contains(EMPTY_NAME), "the empty file is named");
    let (files_part, records_part) = accounting(&err)
        .split_once("; records:")
        .expect("files, then records");
    let err = files_part;
    assert_eq!(number_before(err, " seen"), files, "{err}");
    assert_eq!(number_before(err, " read,"), logs);
    assert_eq!(number_before(err, " CloudTrail digest file"), digests);
    assert_eq!(number_before(err, " empty file"), 1);
    assert_eq!(number_before(records_part, " parsed"), logs);

    let (_, err) = ok(&[
        "scope",
        "--case",
        &case,
        "--principal",
        "alice",
        "--format",
        "json",
    ]);
    assert_eq!(number_before(accounting(&err), " parsed"), logs);

    let (out, _) = ok(&[
        "report", "--kind", "all", "--case", &case, "--format", "html",
    ]);
    assert_eq!(out.lines().count(), 4, "four reports: {out}");
    let (out, _) = ok(&["verify", "--case", &case]);
    assert!(out.contains("INTACT"), "{}", tail(&out));
}

#[test]
fn an_open_file_limit_that_is_hit_is_named_and_the_next_run_finishes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let signer = Signer::from_pkcs1_pem(KEY).expect("fixture key");
    let spec = TrailSpec {
        hours: 60,
        logs_per_hour: 5,
        ..TrailSpec::default()
    };
    let bucket = dir.path().join("bucket");
    build_trail(&bucket, &spec, &signer).expect("trail");
    let files = files_under(&bucket).len();
    let case = dir.path().join("case").to_string_lossy().into_owned();
    let bucket = bucket.to_string_lossy().into_owned();
    ok(&["case", "init", &case, "--name", "Limit", "--examiner", "A"]);
    // A limit too low for sixteen workers' files, yet high enough to open
    // the case: the run stops at the first failure, names the limit, and
    // records what it completed. Sixteen workers, whatever the machine's
    // cores, so the limit is hit on two cores as on sixty-four; the lowest
    // limits fail before the run starts and are passed over.
    let mut tried = Vec::new();
    let stopped = (6..=24).find_map(|limit| {
        let out = limited_to(
            limit,
            &["acquire", "--case", &case, &bucket, "-q", "--threads", "16"],
        );
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        let started = err.starts_with("failed: ");
        tried.push(format!("limit {limit}: {:?}: {}", out.status, tail(&err)));
        assert!(
            !out.status.success(),
            "a limit of {limit} should stop sixteen workers; tried {tried:#?}"
        );
        (started && out.status.code() == Some(1) && err.contains("open-file limit (`ulimit -n`)"))
            .then_some(err)
    });
    let err = stopped.unwrap_or_else(|| panic!("no limit stopped the run mid-way: {tried:#?}"));
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("failed: ") && first.contains("Too many open files"),
        "the error that stopped the run comes first: {err}"
    );
    let (out, _) = ok(&["acquire", "--case", &case, &bucket, "-q"]);
    assert!(out.contains(&format!("{files} items: ")), "{out}");
    assert!(out.contains(" 0 failed"), "{out}");
    let (out, _) = ok(&["verify", "--case", &case]);
    assert!(out.contains(&format!("INTACT: {files} objects")), "{out}");
}
