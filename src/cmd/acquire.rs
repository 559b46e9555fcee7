//! `cloudcase acquire`: copy files and directories into a case's evidence.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args as ClapArgs;
use cloudcase_evidence::{AcquireOptions, Case, ItemStatus, Outcome};
use cloudcase_timeline::sanitize::terminal_safe;

/// Copy files and directories (recursively) into a case's evidence store,
/// hashing while copying (one read of each source). Each distinct content is
/// stored once, read-only, under its SHA-256; every (object, source) pair is
/// recorded in the manifest and the custody log. Re-running is safe: content
/// already held is reported as such, and an interrupted run is completed.
///
/// Exit status: 0 all acquired, 1 some sources failed (the rest is recorded),
/// 2 error.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Case folder (created with `cloudcase case init`).
    #[arg(long = "case", value_name = "DIR")]
    pub case: PathBuf,
    /// Files or directories to acquire.
    #[arg(required = true, value_name = "SRC")]
    pub sources: Vec<PathBuf>,
    /// Examiner doing this acquisition (default: the case's examiner).
    #[arg(long)]
    pub examiner: Option<String>,
    /// Worker threads (default: one per core, plus one).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Print one line per item: status, SHA-256, source.
    #[arg(long, short)]
    pub verbose: bool,
    /// Print only failures and the summary.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
}

/// Runs `cloudcase acquire`.
pub fn run(args: Args) -> Result<ExitCode> {
    let case = Case::open(&args.case)?;
    let options = AcquireOptions {
        examiner: args.examiner.clone(),
        threads: args.threads,
        ..AcquireOptions::default()
    };
    let s = case.acquire_paths(&args.sources, &options)?;

    if !args.quiet {
        for r in &s.repairs {
            eprintln!("repaired: {}", terminal_safe(r));
        }
        for t in &s.cleaned_temp_files {
            eprintln!(
                "removed leftover of an interrupted run: evidence/tmp/{}",
                terminal_safe(t)
            );
        }
        if s.recovered_entries > 0 {
            eprintln!(
                "recorded {} manifest entries an interrupted run left unrecorded",
                s.recovered_entries
            );
        }
        for (src, why) in s.skipped() {
            eprintln!("skipped: {}: {}", terminal_safe(src), terminal_safe(why));
        }
    }
    for (_, err) in s.failures() {
        eprintln!("failed: {}", terminal_safe(&err.to_string()));
    }
    if args.verbose {
        for item in &s.items {
            if let Outcome::Acquired(a) = &item.outcome {
                println!(
                    "{:<12} {} {:>12} {}",
                    a.status.as_str(),
                    a.sha256,
                    a.size,
                    terminal_safe(&item.source)
                );
            }
        }
    }
    let failed = s.failures().count();
    println!(
        "{} items: {} new, {} already held, {} new sources of held content, {} skipped, {} failed",
        s.items.len(),
        s.count(ItemStatus::New),
        s.count(ItemStatus::AlreadyHeld),
        s.count(ItemStatus::NewSource),
        s.skipped().count(),
        failed
    );
    println!(
        "read {:.1} MB in {:.2} s ({:.1} MB/s), stored {:.1} MB new",
        s.bytes_read as f64 / 1e6,
        s.elapsed.as_secs_f64(),
        s.mb_per_s(),
        s.bytes_stored as f64 / 1e6
    );
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
