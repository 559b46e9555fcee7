//! Command-line definition and dispatch.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::cmd;

/// AWS incident response and cloud forensics.
///
/// Typical order of work: preserve logs into a case, validate their integrity,
/// build a timeline, hunt, scope, contain, report.
#[derive(Parser, Debug)]
#[command(name = "cloudcase", version, about, long_about = None, max_term_width = 110)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// One subcommand per job; each lives in its own module under `cmd/`.
#[derive(Subcommand, Debug)]
enum Command {
    /// Generate a small bundled incident and walk through it.
    Demo(cmd::demo::Args),
    /// Create a case folder: evidence store, custody log, work and reports folders.
    Case(cmd::case::Args),
    /// Copy logs into a case's evidence store, hashing while copying.
    Acquire(cmd::acquire::Args),
    /// Re-hash every evidence object and check the custody chain.
    Verify(cmd::verify::Args),
    /// Time-stamp the custody chain head with an RFC 3161 TSA (third-party proof of time).
    Timestamp(cmd::timestamp::Args),
    /// Print CloudTrail events in time order, filtered.
    Timeline(cmd::timeline::Args),
    /// Validate CloudTrail log-file integrity offline: digest signatures, digest chain, log hashes.
    Trail(cmd::trail::Args),
    /// Write reports of a case — executive summary, technical report, evidence record — in English or Japanese.
    Report(cmd::report::Args),
    /// Run Sigma rules (built-in pack and your own) and stateful analytics over the logs.
    Hunt(cmd::hunt::Args),
    /// Scope an intrusion from one indicator: first attacker event, identities, resources, data access, cost, containment.
    Scope(cmd::scope::Args),
    /// Count events by name, source, region and principal in one pass (no sorting).
    Stats(cmd::stats::Args),
    /// Write every event as Hive-partitioned Parquet (cloudtrail or OCSF schema) for DuckDB, Spark and Athena.
    Export(cmd::export::Args),
    /// Least-privilege IAM policies from observed use, minus the attacker's activity; identities to remove, keys to rotate.
    Harden(cmd::harden::Args),
    /// The rules outside cloudcase: compile them into SQL for Spark, DuckDB and Trino/Athena.
    Rules(cmd::rules::Args),
    /// Monitoring as code: EventBridge rules, CIS alarms, GuardDuty and the trail settings closing the case's gaps.
    Monitor(cmd::monitor::Args),
}

/// Parses the command line, runs the subcommand, and maps its outcome to an exit code:
/// 0 success, 1 a finding that requires a non-zero exit (e.g. `--strict` rejections),
/// 2 an error.
pub fn run() -> ExitCode {
    match execute(Cli::parse().command) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("cloudcase: error: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// Parses `args` (without the program name) as a command line and runs it in this process: how
/// `demo` runs the very commands it shows.
pub fn run_args(args: &[String]) -> anyhow::Result<ExitCode> {
    let argv = std::iter::once("cloudcase".to_owned()).chain(args.iter().cloned());
    execute(Cli::try_parse_from(argv)?.command)
}

fn execute(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Demo(args) => cmd::demo::run(args),
        Command::Case(args) => cmd::case::run(args),
        Command::Acquire(args) => cmd::acquire::run(args),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Timestamp(args) => cmd::timestamp::run(args),
        Command::Report(args) => cmd::report::run(args),
        Command::Timeline(args) => cmd::timeline::run(args),
        Command::Stats(args) => cmd::stats::run(args),
        Command::Export(args) => cmd::export::run(args),
        Command::Hunt(args) => cmd::hunt::run(args),
        Command::Scope(args) => cmd::scope::run(args),
        Command::Trail(args) => cmd::trail::run(args),
        Command::Rules(args) => cmd::rules::run(args),
        Command::Monitor(args) => cmd::monitor::run(args),
        Command::Harden(args) => cmd::harden::run(args),
    }
}
