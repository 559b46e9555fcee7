//! `cloudcase report`: reports produced from a case.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args as ClapArgs, ValueEnum};
use cloudcase_evidence::Case;
use cloudcase_report::{Lang, OutputFormat, ReportKind, Reporter, ReporterOptions};
use jiff::Timestamp;

use super::time::parse_instant;

/// Report kinds.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Up to three pages for management: what happened, what is known and not yet known,
    /// impact, what was done, decisions needed now, next steps; versioned.
    Executive,
    /// The forensic report: intrusion path, timeline, charts, identities, resources,
    /// permission changes, data access with coverage, hunt findings, integrity, containment.
    Technical,
    /// The evidence record, a summary that prints in well under 50 A4 pages for any
    /// case: totals, objects per source group (root, log type, account, region, day —
    /// coarser when there are many) with counts, bytes, first and last acquisition and
    /// the SHA-256 of the group's manifest lines; the last verification and log
    /// validation; the analysis results the reports relied on; the custody chain head
    /// and entries per action. Every (object, source) pair goes to the listings written
    /// beside it, `evidence-listing.csv` and `evidence-listing.jsonl`, whose names, rows
    /// and hashes the record and its custody entry state; a case of at most 300 pairs
    /// also lists every object in the record.
    Evidence,
    /// The runbook for the next incident, built from what this case needed: what to
    /// preserve first with the exact cloudcase commands (the trail prefixes, accounts and
    /// regions of this case's evidence, the inventory, the attacker's volumes), the
    /// containment steps this case used with their evidence-preserving choices, the logging
    /// gaps to close with what each would have answered, the decisions and who takes them,
    /// and the first report's format of known versus not yet known.
    Runbook,
    /// All four.
    All,
}

impl Kind {
    /// The kinds a request stands for.
    fn expand(self) -> &'static [ReportKind] {
        match self {
            Kind::All => &[
                ReportKind::Executive,
                ReportKind::Technical,
                ReportKind::Evidence,
                ReportKind::Runbook,
            ],
            Kind::Executive => &[ReportKind::Executive],
            Kind::Technical => &[ReportKind::Technical],
            Kind::Evidence => &[ReportKind::Evidence],
            Kind::Runbook => &[ReportKind::Runbook],
        }
    }
}

/// Write reports of a case into its `reports/` folder (or `--out`), and record each —
/// with the hashes of what it read and wrote — in the custody log. Reports read the
/// latest `scope` and `hunt` results recorded in the case (`scope --case`, `hunt --case`)
/// as of `--as-of`; they never analyse the logs themselves.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Report kind (also accepted as --kind).
    #[arg(value_enum, value_name = "KIND")]
    pub kind: Option<Kind>,
    /// Report kind.
    #[arg(long = "kind", value_enum, value_name = "KIND")]
    pub kind_flag: Option<Kind>,
    /// Case folder.
    #[arg(long = "case", value_name = "DIR")]
    pub case: PathBuf,
    /// Language: en or ja.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    pub lang: Lang,
    /// Format: md, html or pdf (pdf needs Chromium installed; nothing is downloaded).
    #[arg(long, default_value = "html", value_parser = parse_format)]
    pub format: OutputFormat,
    /// Report the case as it stood at this time (RFC 3339 or a date, as every time flag): analysis results recorded
    /// later are ignored. Default: now.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub as_of: Option<Timestamp>,
    /// Output file (default: CASE/reports/<kind>….<lang>.<ext>); with --kind all, a folder.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
}

fn parse_format(s: &str) -> Result<OutputFormat, String> {
    match s.to_ascii_lowercase().as_str() {
        "pdf" => Ok(OutputFormat::Pdf),
        _ => s
            .parse()
            .map(OutputFormat::Doc)
            .map_err(|_| format!("expected a report format, md, html or pdf, found {s:?}")),
    }
}

/// Runs `cloudcase report`.
pub fn run(args: Args) -> Result<ExitCode> {
    let kind = match (args.kind, args.kind_flag) {
        (Some(a), Some(b)) if a != b => {
            bail!("the report kind is given twice, differently ({a:?} and {b:?})")
        }
        (Some(k), _) | (None, Some(k)) => k,
        (None, None) => bail!(
            "name the report kind: `cloudcase report --kind executive|technical|evidence|runbook|all --case DIR`"
        ),
    };
    if kind == Kind::All && args.out.as_ref().is_some_and(|p| !p.is_dir()) {
        bail!("with --kind all, --out must be an existing folder");
    }
    let case = Case::open(&args.case)?;
    let now = Timestamp::now();
    let reporter = Reporter::open(
        &case,
        ReporterOptions {
            lang: args.lang,
            format: args.format,
            as_of: args.as_of.unwrap_or(now),
            now,
            tool: format!("cloudcase {}", env!("CARGO_PKG_VERSION")),
        },
    )
    .context("cannot read the case's custody log and the analysis results recorded in it")?;
    for k in kind.expand() {
        let report = reporter.produce(*k, args.out.as_deref())?;
        eprintln!(
            "cloudcase: {} report written; recorded as custody entry {}",
            k.name(),
            report.custody_seq
        );
        println!("{}", report.path.display());
    }
    Ok(ExitCode::SUCCESS)
}
