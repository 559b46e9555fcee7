//! `cloudcase case`: create case folders.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args as ClapArgs, Subcommand};
use cloudcase_evidence::Case;
use cloudcase_util::sanitize::terminal_safe;

/// Manage case folders: where evidence, its custody log and everything derived
/// from it are kept.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: CaseCommand,
}

/// `case` subcommands.
#[derive(Subcommand, Debug)]
pub enum CaseCommand {
    /// Create a case folder (case.json, evidence/, custody.jsonl, manifest.jsonl,
    /// work/, reports/) and start its custody log.
    Init(InitArgs),
}

/// Arguments of `case init`.
#[derive(ClapArgs, Debug)]
pub struct InitArgs {
    /// Directory to create the case in (must be absent or empty).
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// Case name (incident or ticket), recorded in case.json.
    #[arg(long)]
    pub name: String,
    /// Examiner opening the case; the default actor of custody entries.
    #[arg(long)]
    pub examiner: String,
    /// Time zone for displaying times (IANA name); everything is stored in UTC.
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,
}

/// Runs `cloudcase case …`.
pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        CaseCommand::Init(a) => init(a),
    }
}

fn init(a: InitArgs) -> Result<ExitCode> {
    let case = Case::init(&a.dir, &a.name, &a.examiner, &a.tz)?;
    let info = case.info();
    println!(
        "created case {} (id {}) at {}",
        terminal_safe(&info.name),
        info.case_id,
        terminal_safe(&case.root().display().to_string())
    );
    println!(
        "examiner {}, display time zone {}, created {}",
        terminal_safe(&info.examiner),
        info.tz,
        info.created
    );
    println!(
        "next: cloudcase acquire --case {} <FILES or DIRS>…",
        terminal_safe(&case.root().display().to_string())
    );
    Ok(ExitCode::SUCCESS)
}
