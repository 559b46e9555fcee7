//! `cloudcase hunt --import FILE --case DIR`: findings computed elsewhere (the SQL of
//! `rules sql` on Spark, DuckDB or Athena, or another hunt's JSON Lines), checked against
//! the case's raw records and recorded as a hunt result.

use std::io::BufWriter;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use cloudcase_detect::{import_findings, ImportOptions, JsonlSink, LineRejection, Tee};
use cloudcase_evidence::results::AnalysisKind;
use cloudcase_util::sanitize::terminal_safe;
use serde_json::json;

use super::{load_rules, resolve_format, Args, HuntFormat, Output};
use crate::cmd::input::{discover_inputs, RejectReporter};
use crate::cmd::record::record_analysis;
use crate::cmd::time::parse_tz;

/// Runs `hunt --import FILE --case DIR`.
pub fn run(args: &Args, file: &Path) -> Result<ExitCode> {
    let Some(case) = &args.input.case else {
        anyhow::bail!("--import needs --case DIR: the findings are checked against its evidence");
    };
    if !args.input.inputs.is_empty() {
        anyhow::bail!("--import reads the evidence of the case only; give no INPUT");
    }
    let tz = parse_tz(&args.tz)?;
    let engine = load_rules(args)?;
    let source = std::fs::read(file)
        .with_context(|| format!("cannot read --import file {}", file.display()))?;
    let source_sha256 = cloudcase_util::hex::sha256_hex(&source);
    let reporter = RejectReporter::new(&args.input)?;
    let inputs = discover_inputs(&args.input, &reporter)?;
    let format = resolve_format(args)?;
    let opts = ImportOptions {
        engine: &engine,
        files: &inputs.files,
        limits: args.input.limits(),
        min_level: args.min_level,
        statuses: &args.statuses,
        threads: args.input.threads(),
    };
    let mut printed = 0u64;
    let mut on_reject = |r: &LineRejection| {
        if printed < args.input.max_reject_lines {
            eprintln!(
                "cloudcase: import: {}: {}",
                terminal_safe(&file.display().to_string()),
                terminal_safe(&r.to_string())
            );
            printed += 1;
        }
    };
    let mut shown = Output::new(
        args,
        format,
        BufWriter::with_capacity(1 << 20, std::io::stdout().lock()),
        tz.clone(),
    );
    let mut tee = Tee::new(
        shown.sink(),
        JsonlSink::new(Vec::new(), jiff::tz::TimeZone::UTC),
    );
    let outcome = import_findings(&source, &opts, &mut on_reject, &mut tee)
        .with_context(|| format!("cannot import {}", file.display()))?;
    let recorded = tee.into_parts().second.into_inner();
    drop(shown);
    let acc = &outcome.accounting;
    if acc.read == 0 {
        anyhow::bail!("{}: no findings to import", file.display());
    }
    let rejected: serde_json::Map<String, serde_json::Value> = acc
        .rejected
        .iter()
        .map(|(r, n)| (r.as_str().to_owned(), json!(n)))
        .collect();
    let tally = &outcome.summary.tally;
    let summary = json!({
        "findings": tally.total,
        "by_level": tally.by_level,
        "imported_from": {
            "file": std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf()),
            "sha256": source_sha256,
            "bytes": source.len(),
            "format": outcome.format.as_str(),
            "read": acc.read,
            "imported": acc.imported,
            "below_min_level_or_status": acc.below,
            "rejected": rejected,
        },
    });
    record_analysis(case, AnalysisKind::Hunt, "import", &recorded, summary)?;
    if format != HuntFormat::Table {
        eprint!("{}", outcome.summary.to_text(&tz));
    }
    if !args.input.quiet {
        eprintln!(
            "cloudcase: {} ({}, SHA-256 {source_sha256})",
            acc,
            outcome.format.as_str()
        );
    }
    if args.input.strict && acc.rejected_total() > 0 {
        eprintln!("cloudcase: --strict: lines were rejected; exiting with status 1");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}
