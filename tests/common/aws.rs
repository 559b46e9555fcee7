//! Running `cloudcase` against a local AWS emulator: dummy credentials that can only ever reach
//! the local endpoint, and a check that no secret is ever printed.

use std::process::{Command, Output};

/// Credentials and settings that can only ever reach the local endpoint (no profile, no
/// instance metadata, no configuration files).
pub const DUMMY_ENV: &[(&str, &str)] = &[
    ("AWS_ACCESS_KEY_ID", "testing"),
    ("AWS_SECRET_ACCESS_KEY", "testing-secret-never-printed"),
    ("AWS_SESSION_TOKEN", "testing-token-never-printed"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
    ("AWS_REGION", "us-east-1"),
    ("AWS_CONFIG_FILE", "/nonexistent/cloudcase-test-config"),
    (
        "AWS_SHARED_CREDENTIALS_FILE",
        "/nonexistent/cloudcase-test-credentials",
    ),
];

/// The `cloudcase` command with `args` and the dummy environment.
pub fn cloudcase_cmd(args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cloudcase"));
    c.args(args)
        .envs(DUMMY_ENV.iter().copied())
        .env_remove("AWS_PROFILE");
    c
}

/// Runs `cloudcase` with `args` and the dummy environment; fails if a secret was printed.
pub fn run_checked(args: &[&str]) -> Output {
    let out = cloudcase_cmd(args).output().expect("run cloudcase");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !all.contains("never-printed"),
        "a secret was printed: {all}"
    );
    out
}
