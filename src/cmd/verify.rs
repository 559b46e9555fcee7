//! `cloudcase verify`: is a case's evidence and custody record intact?

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args as ClapArgs;
use cloudcase_evidence::{Case, VerifyOptions};
use cloudcase_util::sanitize::terminal_safe;

/// Re-hash every evidence object and check the custody chain, the manifest and
/// the case file; name each problem (modified or missing object, stray or
/// leftover file, broken custody entry, unrecorded manifest entry, …). The
/// result is recorded in the custody log.
///
/// Exit status: 0 intact, 1 problems found, 2 error.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Case folder.
    #[arg(long = "case", value_name = "DIR")]
    pub case: PathBuf,
    /// Print the report as JSON: {ok, objects_checked, problems: [{kind, object,
    /// entry, path, expected, actual, detail}], …}.
    #[arg(long)]
    pub json: bool,
    /// Worker threads for re-hashing (default: one per core).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
}

/// Runs `cloudcase verify`.
pub fn run(args: Args) -> Result<ExitCode> {
    let case = Case::open(&args.case)?;
    let report = case.verify_with(&VerifyOptions {
        threads: args.threads,
        ..VerifyOptions::default()
    })?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        for p in &report.problems {
            println!("PROBLEM {}", terminal_safe(&p.to_string()));
        }
        let verdict = if report.ok {
            "INTACT".to_owned()
        } else {
            format!("NOT INTACT: {} problems", report.problems.len())
        };
        println!(
            "{verdict}: {} objects ({:.1} MB) re-hashed, {} custody entries, {} manifest entries",
            report.objects_checked,
            report.bytes_checked as f64 / 1e6,
            report.custody_entries,
            report.manifest_entries
        );
        if let Some(head) = &report.custody_head {
            println!("custody head (record it outside the case): {head}");
        }
        if let Some(seq) = report.recorded_as {
            println!("result recorded as custody entry {seq}");
        }
    }
    Ok(if report.ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
