//! `cloudcase export`: the events as Hive-partitioned Parquet for DuckDB, Spark and Athena.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use clap::{Args as ClapArgs, ValueEnum};
use cloudcase_export::{export, guard::prepare_out, ExportOptions, SchemaKind};
use cloudcase_read::{Progress, Rejection};
use cloudcase_util::sanitize::terminal_safe;

use super::input::{discover_inputs, finish_run, InputArgs, RejectReporter};
use crate::progress::ProgressLine;

/// Output formats of `export`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// Apache Parquet, zstd-compressed.
    Parquet,
}

/// Tables `export` writes.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Schema {
    /// Flat typed columns (the Sigma pivot fields), the raw record and provenance.
    Cloudtrail,
    /// OCSF 1.1: API Activity, Authentication, Account Change (as Security Lake maps
    /// CloudTrail), Network Activity, DNS Activity, Detection Finding.
    Ocsf,
}

/// Write every event the logs hold (read exactly as hunt reads them) as one row of
/// Hive-partitioned Parquet, OUT/account=…/region=…/day=…/part-N.parquet, zstd-compressed, for
/// DuckDB, Spark or Athena. Memory stays bounded: rows are buffered per partition and written
/// as row groups, and a bounded number of part files is open at once. Part files appear under
/// their names only once complete. OUT must be new or empty and never inside a case's
/// evidence/.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Parquet)]
    pub format: ExportFormat,
    /// Output directory (created; must be empty if it exists).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The table written.
    #[arg(long, value_enum, default_value_t = Schema::Cloudtrail)]
    pub schema: Schema,
    /// Memory for buffered rows, in MiB, in all (row groups are written when a partition
    /// reaches 128 MiB or this is spent).
    #[arg(long, default_value_t = 64, value_name = "MIB")]
    pub memory: usize,
}

/// Runs `export`.
pub fn run(args: Args) -> Result<ExitCode> {
    let schema = match args.schema {
        Schema::Cloudtrail => SchemaKind::CloudTrail,
        Schema::Ocsf => SchemaKind::Ocsf,
    };
    let in_case = prepare_out(&args.out, args.input.case.as_deref())?;
    if let Some(root) = in_case {
        eprintln!(
            "cloudcase: note: --out is inside the case at {}; the export is derived data and is not recorded in its custody log",
            terminal_safe(&root.display().to_string())
        );
    }
    let reporter = RejectReporter::new(&args.input)?;
    let inputs = discover_inputs(&args.input, &reporter)?;
    let progress = Arc::new(Progress::default());
    let line = ProgressLine::for_inputs(Arc::clone(&progress), &inputs);
    let opts = ExportOptions {
        threads: args.input.threads(),
        limits: args.input.limits(),
        memory_bytes: args.memory.max(1).saturating_mul(1 << 20),
        ..ExportOptions::new(args.out.clone(), schema)
    };
    let on_reject = |r: Rejection| reporter.report(r);
    let outcome = export(&inputs.files, &opts, &on_reject, &progress);
    drop(line);
    reporter.finish()?;
    let outcome = outcome?;
    let mut accounting = inputs.accounting;
    accounting.merge(&outcome.accounting);
    Ok(finish_run(
        &args.input,
        &accounting,
        &outcome.summary(schema),
    ))
}
