//! `cloudcase monitor`: monitoring as code for the next incident — EventBridge rules from the
//! built-in Sigma pack, CIS metric filters and alarms, GuardDuty in every region, and the
//! CloudTrail settings that close the case's own gaps.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args as ClapArgs, ValueEnum};
use cloudcase_evidence::results::latest;
use cloudcase_evidence::{AnalysisKind, Case};
use cloudcase_model::ScopeResult;
use cloudcase_monitor::{plan, CaseFacts, DEFAULT_RETENTION_DAYS};
use jiff::Timestamp;

/// Output formats.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One CloudFormation template (JSON).
    Cloudformation,
    /// Terraform HCL for the AWS provider.
    Terraform,
    /// A JSON array of `{name, pattern, rule_id, title, level}`.
    EventbridgeJson,
}

/// `cloudcase monitor`.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// The case whose recorded scope result decides the regions and the data events
    /// (`cloudcase scope --case DIR` records it).
    #[arg(long, conflicts_with = "all", required_unless_present = "all")]
    pub case: Option<PathBuf>,
    /// No case: the generic baseline (management events, the default regions).
    #[arg(long)]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Format,
    /// Write here (atomically) instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Regions for GuardDuty, instead of the case's (repeatable).
    #[arg(long = "region")]
    pub regions: Vec<String>,
    /// CloudWatch Logs retention of the trail's log group, in days (a value CloudWatch accepts).
    #[arg(long, default_value_t = DEFAULT_RETENTION_DAYS)]
    pub retention_days: u32,
}

/// CloudWatch Logs' accepted retention values.
const RETENTIONS: &[u32] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

fn case_facts(dir: &Path) -> Result<CaseFacts> {
    let case =
        Case::open(dir).with_context(|| format!("cannot open the case at {}", dir.display()))?;
    let entries = case
        .custody()
        .entries()
        .context("cannot read the case's custody log")?;
    let Some(rec) = latest(&case, &entries, AnalysisKind::Scope, Timestamp::now())? else {
        bail!(
            "{}: expected a recorded scope result, found none; run `{}` first, or use --all for the generic baseline",
            dir.display(),
            AnalysisKind::Scope.command()
        );
    };
    let scope: ScopeResult = serde_json::from_slice(&rec.content)
        .with_context(|| format!("{}: expected a scope result document", rec.rel))?;
    Ok(CaseFacts::from_scope(&scope))
}

/// Runs `cloudcase monitor`.
pub fn run(args: Args) -> Result<ExitCode> {
    if !RETENTIONS.contains(&args.retention_days) {
        bail!(
            "--retention-days: expected one of {RETENTIONS:?}, found {}",
            args.retention_days
        );
    }
    let facts = match &args.case {
        Some(dir) => Some(case_facts(dir)?),
        None => None,
    };
    let p = plan(facts.as_ref(), &args.regions, args.retention_days)?;
    let text = match args.format {
        Format::Cloudformation => cloudcase_monitor::cloudformation(&p)?,
        Format::Terraform => cloudcase_monitor::terraform(&p)?,
        Format::EventbridgeJson => cloudcase_monitor::eventbridge_json(&p)?,
    };
    for r in &p.rules.refused {
        eprintln!(
            "cloudcase: refused {} ({:?}): {}",
            r.source, r.title, r.reason
        );
    }
    eprintln!(
        "cloudcase: {} event rules, {} rules refused, {} CIS alarms, GuardDuty in {} regions, data events on {} UNKNOWN stores",
        p.rules.rules.len(),
        p.rules.refused.len(),
        cloudcase_monitor::CIS_CONTROLS.len(),
        p.regions.len(),
        p.data_events.len()
    );
    match &args.out {
        Some(path) => cloudcase_util::fs::write_atomic(path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.write_all(b"\n"))
                .context("cannot write to standard output")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
