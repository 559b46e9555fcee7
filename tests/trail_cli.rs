//! `cloudcase trail validate` end to end: synthetic trails signed in AWS's exact format
//! (test key in crates/trail/tests/fixtures), tampered in the ways an intruder would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cloudcase_trail::testkit::{build_trail, BuiltTrail, Signer, TrailSpec};

const KEY: &str = include_str!("../crates/trail/tests/fixtures/test-rsa-2048.pem");

/// A real key from aws-cli's `list-public-keys` example: valid, but not the signer.
const OTHER_KEYS: &str = r#"{"PublicKeyList":[{"ValidityStartTime":1453076702.0,"ValidityEndTime":1455668702.0,"Value":"MIIBCgKCAQEAlSS3cl92HDycr/MTj0moOhas8habjrraXw+KzlWF0axSI2tcF+3iJ9BKQAVSKxGwxwu3m0wG3J+kUl1xboEcEPHYoIYMbgfSw7KGnuDKwkLzsQWhUJ0cIbOHASox1vv/5fNXkrHhGbDCHeVXm804c83nvHUEFYThr1PfyP/8HwrCtR3FX5OANtQCP61C1nJtSSkC8JSQUOrIP4CuwJjc+4WGDk+BGH5m9iuiAKkipEHWmUl8/P7XpfpWQuk4h8g3pXZOrNXr08lbh4d39svj7UqdhvOXoBISp9t/EXYuePGEtBdrKD9Dz+VHwyUPtBQvYr9BnkF88qBnaPNhS44rzwIDAQAB","Fingerprint":"7f3f401420072e50a65a141430817ab3"}]}"#;

struct Case {
    dir: tempfile::TempDir,
    trail: BuiltTrail,
}

impl Case {
    fn new() -> Case {
        let dir = tempfile::tempdir().expect("tempdir");
        let signer = Signer::from_pkcs1_pem(KEY).expect("fixture key");
        let trail = build_trail(&dir.path().join("bucket"), &TrailSpec::default(), &signer)
            .expect("fixture");
        std::fs::write(dir.path().join("keys.json"), signer.public_keys_json()).expect("keys");
        trail
            .write_signature_map(&dir.path().join("signatures.json"))
            .expect("map");
        Case { dir, trail }
    }

    fn keys(&self) -> PathBuf {
        self.dir.path().join("keys.json")
    }

    fn sigs(&self) -> PathBuf {
        self.dir.path().join("signatures.json")
    }

    fn run(&self, extra: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cloudcase"));
        cmd.args(["trail", "validate"])
            .arg(&self.trail.root)
            .arg("--public-keys")
            .arg(self.keys());
        cmd.args(extra);
        cmd.output().expect("runs")
    }

    fn run_signed(&self, extra: &[&str]) -> Output {
        let sigs = self.sigs();
        let mut args = vec!["--signatures", sigs.to_str().expect("utf8 path")];
        args.extend_from_slice(extra);
        self.run(&args)
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stdout(o)))
}

fn kinds(v: &serde_json::Value) -> Vec<String> {
    v["problems"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["kind"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn valid_trail_exits_zero_with_validate_logs_summary() {
    let c = Case::new();
    let o = c.run_signed(&[]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(
        text.contains("Results found for 2024-03-01T00:17:28Z to 2024-03-01T06:17:28Z:"),
        "{text}"
    );
    assert!(text.contains("6/6 digest files valid"), "{text}");
    assert!(text.contains("12/12 log files valid"), "{text}");
    let v = c.run_signed(&["--verbose"]);
    let text = stdout(&v);
    assert_eq!(
        text.matches("Digest file    s3://case-bucket/").count(),
        6,
        "{text}"
    );
    assert_eq!(text.matches("\tvalid").count(), 18, "{text}");
}

#[test]
fn json_has_stable_keys() {
    let c = Case::new();
    let o = c.run_signed(&["--json"]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    for key in [
        "ok",
        "signatures_checked",
        "digests",
        "logs",
        "gaps",
        "problems",
        "chains",
        "requested",
        "found",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["ok"], true);
    assert_eq!(v["digests"]["valid"], 6);
    assert_eq!(v["logs"]["valid"], 12);
    for key in ["valid", "modified", "deleted", "uncovered"] {
        assert!(v["logs"].get(key).is_some(), "logs.{key}");
    }
    assert!(v.get("files").is_none());
    let v = json(&c.run_signed(&["--json", "--verbose"]));
    assert_eq!(v["files"].as_array().map(Vec::len), Some(18));
}

#[test]
fn modified_log_exits_one_and_names_the_file() {
    let c = Case::new();
    let victim = &c.trail.digests[1].logs[0];
    std::fs::write(&victim.path, b"{\"Records\":[]}").expect("tamper");
    let o = c.run_signed(&[]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains(&format!(
            "Log file       s3://case-bucket/{}\tINVALID: hash value doesn't match",
            victim.key
        )),
        "{text}"
    );
    assert_eq!(json(&c.run_signed(&["--json"]))["logs"]["modified"], 1);
}

#[test]
fn deleted_log_exits_one() {
    let c = Case::new();
    let victim = &c.trail.digests[3].logs[1];
    std::fs::remove_file(&victim.path).expect("delete");
    let o = c.run_signed(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains(&format!(
        "s3://case-bucket/{}\tINVALID: not found",
        victim.key
    )));
    let v = json(&c.run_signed(&["--json"]));
    assert_eq!(v["logs"]["deleted"], 1);
    assert_eq!(kinds(&v), vec!["log_deleted"]);
}

#[test]
fn one_digest_removed() {
    let c = Case::new();
    std::fs::remove_file(&c.trail.digests[2].path).expect("delete");
    let o = c.run_signed(&[]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains(&format!(
            "s3://case-bucket/{}\tINVALID: not found",
            c.trail.digests[2].key
        )),
        "{text}"
    );
    let v = json(&c.run_signed(&["--json"]));
    assert_eq!(v["digests"]["missing"], 1);
    assert_eq!(v["gaps"][0]["reason"], "digests_missing");
    assert_eq!(v["gaps"][0]["from"], "2024-03-01T02:17:28Z");
    assert_eq!(v["gaps"][0]["to"], "2024-03-01T03:17:28Z");
}

#[test]
fn two_consecutive_digests_removed() {
    let c = Case::new();
    std::fs::remove_file(&c.trail.digests[2].path).expect("delete");
    std::fs::remove_file(&c.trail.digests[3].path).expect("delete");
    let o = c.run_signed(&[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("about 2 consecutive hourly digest files missing"),
        "{}",
        stdout(&o)
    );
    let v = json(&c.run_signed(&["--json"]));
    assert_eq!(v["digests"]["missing"], 2);
    assert_eq!(v["gaps"].as_array().map(Vec::len), Some(1));
    assert_eq!(v["gaps"][0]["missing_digests"], 2);
    assert_eq!(v["gaps"][0]["from"], "2024-03-01T02:17:28Z");
    assert_eq!(v["gaps"][0]["to"], "2024-03-01T04:17:28Z");
}

#[test]
fn altered_signature_in_a_sidecar_directory() {
    let c = Case::new();
    let dir = c.dir.path().join("sigs");
    std::fs::create_dir(&dir).expect("mkdir");
    let head = c.trail.head().expect("head");
    let name = head
        .path
        .file_name()
        .and_then(|n| n.to_str())
        .expect("name");
    let mut bad = head.signature_hex.clone();
    bad.replace_range(10..12, if &bad[10..12] == "00" { "01" } else { "00" });
    std::fs::write(dir.join(format!("{name}.sig")), &bad).expect("write");
    let o = c.run(&["--signatures", dir.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("INVALID: signature verification failed"),
        "{}",
        stdout(&o)
    );
    // The same signature, unaltered, as head-object output: valid.
    std::fs::remove_file(dir.join(format!("{name}.sig"))).expect("rm");
    std::fs::write(
        dir.join(format!("{name}.head.json")),
        format!(r#"{{"ContentType":"application/json","Metadata":{{"signature":"{}","signature-algorithm":"SHA256withRSA"}}}}"#, head.signature_hex),
    )
    .expect("write");
    let o = c.run(&["--signatures", dir.to_str().expect("utf8")]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn public_key_missing() {
    let c = Case::new();
    let other = c.dir.path().join("other-keys.json");
    std::fs::write(&other, OTHER_KEYS).expect("write");
    let o = Command::new(env!("CARGO_BIN_EXE_cloudcase"))
        .args(["trail", "validate"])
        .arg(&c.trail.root)
        .arg("--public-keys")
        .arg(&other)
        .arg("--signatures")
        .arg(c.sigs())
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    let fp = Signer::from_pkcs1_pem(KEY).expect("key").fingerprint();
    assert!(
        stdout(&o).contains(&format!(
            "INVALID: public key not found for fingerprint {fp}"
        )),
        "{}",
        stdout(&o)
    );
}

#[test]
fn no_signatures_given_says_so() {
    let c = Case::new();
    let o = c.run(&[]);
    assert_eq!(o.status.code(), Some(1));
    let text = stdout(&o);
    assert!(
        text.contains("Signatures were NOT checked for 1 digest file"),
        "{text}"
    );
    assert!(text.contains("no --signatures were given"), "{text}");
    let v = json(&c.run(&["--json"]));
    assert_eq!(v["signatures_checked"], false);
    assert_eq!(v["digests"]["unchecked"], 1);
    assert_eq!(
        v["digests"]["valid"], 5,
        "older digests are verified through the chain"
    );
    assert_eq!(
        v["logs"]["valid"].as_u64().unwrap_or(0) + v["logs"]["unverified"].as_u64().unwrap_or(0),
        12
    );
}

#[test]
fn period_and_time_zone() {
    let c = Case::new();
    let o = c.run_signed(&[
        "--from",
        "2024-03-01T02:30:00Z",
        "--to",
        "2024-03-01T04:00:00Z",
        "--tz",
        "Asia/Tokyo",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let text = stdout(&o);
    assert!(
        text.contains(
            "Results requested for 2024-03-01T11:30:00+09:00 to 2024-03-01T13:00:00+09:00"
        ),
        "{text}"
    );
    assert!(text.contains("2/2 digest files valid"), "{text}");
}

#[test]
fn usage_and_input_errors_exit_two() {
    let c = Case::new();
    let root = c.trail.root.to_str().expect("utf8").to_string();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_cloudcase"))
            .args(args)
            .output()
            .expect("runs")
    };
    assert_eq!(
        run(&["trail", "validate", &root]).status.code(),
        Some(2),
        "--public-keys is required"
    );
    let keys = c.keys();
    let keys = keys.to_str().expect("utf8");
    assert_eq!(
        run(&[
            "trail",
            "validate",
            &root,
            "--public-keys",
            keys,
            "--from",
            "yesterday"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        run(&[
            "trail",
            "validate",
            &root,
            "--public-keys",
            keys,
            "--tz",
            "Nowhere/Else"
        ])
        .status
        .code(),
        Some(2)
    );
    assert_eq!(
        run(&[
            "trail",
            "validate",
            "/nonexistent/cloudcase",
            "--public-keys",
            keys
        ])
        .status
        .code(),
        Some(2)
    );
    let not_keys = Path::new(&root).join("..").join("signatures.json");
    let o = run(&[
        "trail",
        "validate",
        &root,
        "--public-keys",
        not_keys.to_str().expect("utf8"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("list-public-keys"));
}

// ---- `trail validate --case`: a case's evidence, located by where it was acquired from.

fn cloudcase(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudcase"))
        .args(args)
        .output()
        .expect("runs")
}

/// `cloudcase case init` + `cloudcase acquire --case` of `src`; returns the case folder.
fn acquire_case(c: &Case, src: &Path) -> PathBuf {
    let case = c.dir.path().join("case");
    let o = cloudcase(&[
        "case".as_ref(),
        "init".as_ref(),
        case.as_os_str(),
        "--name".as_ref(),
        "IR-7".as_ref(),
        "--examiner".as_ref(),
        "alice".as_ref(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = cloudcase(&[
        "acquire".as_ref(),
        "--case".as_ref(),
        case.as_os_str(),
        src.as_os_str(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    case
}

fn validate_case(case: &Path, keys: &Path, extra: &[&str]) -> Output {
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "trail".as_ref(),
        "validate".as_ref(),
        "--case".as_ref(),
        case.as_os_str(),
        "--public-keys".as_ref(),
        keys.as_os_str(),
    ];
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    cloudcase(&args)
}

fn last_custody_entry(case: &Path) -> serde_json::Value {
    let log = std::fs::read_to_string(case.join("custody.jsonl")).expect("custody log");
    let line = log.lines().last().expect("an entry");
    serde_json::from_str(line).expect("entry is JSON")
}

/// `cloudcase verify --case` says the evidence is intact.
fn assert_intact(case: &Path) {
    let o = cloudcase(&["verify".as_ref(), "--case".as_ref(), case.as_os_str()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).starts_with("INTACT"), "{}", stdout(&o));
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn case_evidence_validates_and_is_recorded_in_custody() {
    let c = Case::new();
    // Signatures travel with the evidence as sidecars acquired into the case.
    c.trail.write_sidecars().expect("sidecars");
    let case = acquire_case(&c, &c.trail.root);

    let o = validate_case(&case, &c.keys(), &[]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(text.contains("6/6 digest files valid"), "{text}");
    assert!(text.contains("12/12 log files valid"), "{text}");
    assert!(text.contains("RESULT: OK"), "{text}");

    let entry = last_custody_entry(&case);
    let seq = entry["seq"].as_u64().expect("seq");
    assert!(
        text.contains(&format!("result recorded as custody entry {seq}")),
        "{text}"
    );
    assert_eq!(entry["action"], "validated");
    let d = &entry["details"];
    assert_eq!(d["ok"], true);
    assert_eq!(d["signatures_checked"], true);
    assert_eq!(d["digests"]["valid"], 6);
    assert_eq!(d["digests"]["invalid"], 0);
    assert_eq!(d["digests"]["missing"], 0);
    assert_eq!(d["logs"]["valid"], 12);
    for k in ["modified", "deleted", "uncovered"] {
        assert_eq!(d["logs"][k], 0, "logs.{k}");
    }
    assert_eq!(d["gap_count"], 0);
    assert_eq!(d["problem_count"], 0);
    assert_eq!(
        d["digests"]["signatures_supplied"], 6,
        "the acquired sidecars"
    );
    let key_bytes = std::fs::read(c.keys()).expect("keys");
    assert_eq!(d["public_keys"][0]["sha256"], sha256_hex(&key_bytes));
    let command: Vec<&str> = d["command"]
        .as_array()
        .expect("command is an array")
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert_eq!(
        command.get(1..3),
        Some(&["trail", "validate"][..]),
        "{command:?}"
    );
    assert!(command.contains(&"--case"), "{command:?}");

    // Validation only reads the evidence.
    assert_intact(&case);
}

#[test]
fn case_with_a_log_modified_before_acquisition_names_its_original_path() {
    let c = Case::new();
    let victim = &c.trail.digests[2].logs[1];
    std::fs::write(&victim.path, b"{\"Records\":[]}").expect("tamper");
    let original = std::fs::canonicalize(&victim.path).expect("canonical path");
    let case = acquire_case(&c, &c.trail.root);
    let sigs = c.sigs();
    let sigs = sigs.to_str().expect("utf8");

    let o = validate_case(&case, &c.keys(), &["--signatures", sigs]);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "Log file       s3://case-bucket/{}\tINVALID: hash value doesn't match",
            victim.key
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("(local: {}, stored as ", original.display())),
        "{text}"
    );
    assert!(text.contains("result recorded as custody entry"), "{text}");
    let d = &last_custody_entry(&case)["details"];
    assert_eq!(d["ok"], false);
    assert_eq!(d["logs"]["modified"], 1);
    assert_eq!(d["problems_by_kind"]["log_modified"], 1);

    // JSON names the original location and the stored object, and the custody entry.
    let o = validate_case(
        &case,
        &c.keys(),
        &["--signatures", sigs, "--json", "--verbose"],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["logs"]["modified"], 1);
    let bad: Vec<&serde_json::Value> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["status"] == "modified")
        .collect();
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0]["local"], original.to_str().expect("utf8"));
    let stored = bad[0]["stored"].as_str().expect("stored");
    assert!(
        Path::new(stored).starts_with(case.join("evidence").join("objects")),
        "{stored}"
    );
    assert_eq!(
        v["custody_entry"],
        last_custody_entry(&case)["seq"],
        "the JSON names the entry"
    );

    assert_intact(&case);
}

#[test]
fn case_and_logs_together_and_neither() {
    let c = Case::new();
    // Digests in the case, log files given as LOGS.
    let digests_only = c.dir.path().join("digests");
    for d in &c.trail.digests {
        let to = digests_only.join(&d.key);
        std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&d.path, &to).expect("copy");
    }
    let case = acquire_case(&c, &digests_only);
    let logs = c.dir.path().join("logs");
    for d in &c.trail.digests {
        for l in &d.logs {
            let to = logs.join(&l.key);
            std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
            std::fs::copy(&l.path, &to).expect("copy");
        }
    }
    let sigs = c.sigs();
    let o = validate_case(
        &case,
        &c.keys(),
        &[
            "--signatures",
            sigs.to_str().expect("utf8"),
            logs.to_str().expect("utf8"),
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("12/12 log files valid"),
        "{}",
        stdout(&o)
    );

    let keys = c.keys();
    let o = cloudcase(&[
        "trail".as_ref(),
        "validate".as_ref(),
        "--public-keys".as_ref(),
        keys.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(2), "LOGS or --case is required");
    let o = validate_case(&c.dir.path().join("no-case"), &keys, &[]);
    assert_eq!(o.status.code(), Some(2), "not a case");
}
