//! Helpers shared by the CLI integration tests (each test file includes this
//! module and uses only what it needs).
#![allow(dead_code)]

pub mod aws;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `cloudcase` binary with `args`.
pub fn cloudcase(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudcase"))
        .args(args)
        .output()
        .expect("run cloudcase")
}

/// Runs the `cloudcase` binary with `args`, which must succeed; its output.
pub fn ok(args: &[&str]) -> String {
    let out = cloudcase(args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Creates the case folder `case` named `name`, examined by `examiner`.
pub fn init_case(case: &str, name: &str, examiner: &str) {
    ok(&["case", "init", case, "--name", name, "--examiner", examiner]);
}

/// Scopes the logs of `case` from the access key `key` and records the result; its JSON.
pub fn scope_access_key(case: &str, key: &str) -> String {
    ok(&[
        "scope",
        "--case",
        case,
        "--access-key",
        key,
        "--format",
        "json",
    ])
}

/// `../shared/<rel>` beside the repository, or `None` after printing
/// `SKIPPED: ../shared not found` — unless CI requires it
/// (`CLOUDCASE_REQUIRE_SHARED`), where a missing folder fails the test.
pub fn shared(rel: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var("CLOUDCASE_REQUIRE_SHARED").is_err(),
        "CLOUDCASE_REQUIRE_SHARED is set but {} is missing",
        path.display()
    );
    println!("SKIPPED: ../shared not found");
    None
}

/// Writes the generated incident the SQL, export and Spark tests compare on (seed 7, 5 MB,
/// 3 days, every log source) into `logs`, and returns it.
pub fn all_source_incident(logs: &Path) -> PathBuf {
    cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 7,
        out_dir: logs.to_path_buf(),
        target_bytes: 5_000_000,
        days: 3,
        incident: true,
        sources: cloudcase_gen::Sources::all(),
        ..cloudcase_gen::Config::default()
    })
    .expect("generate the incident");
    logs.to_path_buf()
}
