//! `cloudcase hunt`: every rule and analytic over the logs in one pass.

use std::collections::HashMap;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, ValueEnum};
use cloudcase_detect::{
    add_builtin, hunt, write_leads_table, CsvSink, FindingSink, Geo, HuntOptions, HuntOutcome,
    JsonlSink, LeadSink, MmdbGeo, TableSink, Tee,
};
use cloudcase_event::LogSource;
use cloudcase_evidence::results::AnalysisKind;
use cloudcase_read::{Progress, Rejection};
use cloudcase_sigma::{Engine, Level, LoadProblem, RuleSet, Severity, Status};
use cloudcase_util::sanitize::terminal_safe;
use serde_json::json;

use super::input::{discover_inputs, finish_run, InputArgs, RejectReporter};
use super::record::record_analysis;
use super::time::parse_tz;
use crate::progress::ProgressLine;

mod import;

/// Output formats of `hunt`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum HuntFormat {
    /// Aligned columns and a summary (default on a terminal).
    Table,
    /// One JSON object per finding (default when piped); the summary goes to standard error.
    Jsonl,
    /// CSV with a header row; the summary goes to standard error.
    Csv,
    /// With --leads: the ranked leads as one JSON array, best first.
    Json,
}

/// Run the built-in rule pack, any Sigma rules given with --rules, and the
/// stateful analytics (first use of a network, address or client by a key or
/// user, first use of a region, bursts of denials, enumeration, launches,
/// secret and object reads, requesters new to an S3 bucket) over the logs in
/// one streaming pass. Each rule runs on the log its logsource names
/// (product aws, service cloudtrail, s3_access, vpc_flow, guardduty,
/// route53_resolver or billing). Each finding points to its raw record (file
/// and record index). With --leads, the findings are grouped by identity into
/// ranked leads instead.
///
/// With --import FILE --case DIR, findings computed elsewhere (the SQL of `rules sql` on
/// Spark, DuckDB or Athena) are recorded in the case instead, as this hunt would have: each
/// line is checked against the case's raw records and rebuilt from them.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// A directory (searched recursively) or file of Sigma rules to run as well (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Do not run the built-in rule pack.
    #[arg(long)]
    pub no_builtin: bool,
    /// Do not run the stateful analytics.
    #[arg(long)]
    pub no_analytics: bool,
    /// Report findings at or above this level (those below are counted).
    #[arg(long, default_value = "low", value_parser = parse_level)]
    pub min_level: Level,
    /// Run only rules with this status (repeatable; default: all).
    #[arg(long = "status", value_parser = parse_status)]
    pub statuses: Vec<Status>,
    /// Output format.
    #[arg(long, value_enum)]
    pub format: Option<HuntFormat>,
    /// Group the findings by identity (an IAM user with its keys and console sessions, a
    /// role session, root; unauthenticated activity by source address) and print the
    /// ranked leads, each with the reasons for its place, instead of the findings.
    #[arg(long)]
    pub leads: bool,
    /// With --leads: how many leads to print.
    #[arg(long, default_value_t = 20, value_name = "N", requires = "leads")]
    pub top: usize,
    /// Time zone for display.
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,
    /// A MaxMind-format country database (.mmdb; GeoLite2 Country, or
    /// ip-location-db's geo-whois-asn-country): enables first use from a new
    /// country and impossible travel (two countries within an hour).
    #[arg(long, value_name = "FILE")]
    pub geoip: Option<PathBuf>,
    /// Print every rule load problem (by default: refused rules, and a count of the rest).
    #[arg(long)]
    pub verbose_rules: bool,
    /// Memory, in MiB, for findings held for time ordering and for the analytics' burst windows
    /// and compute sessions (half each; the analytics' half three quarters for the windows and a
    /// quarter for the sessions) before sorted runs spill to disk.
    #[arg(long, default_value_t = cloudcase_detect::DEFAULT_SORT_MEMORY >> 20, value_name = "MIB")]
    pub sort_memory: usize,
    /// Directory for spilled sort runs (default: the system temporary directory).
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<PathBuf>,
    /// Instead of hunting, record these findings in the case (needs --case): JSON Lines as
    /// `hunt --format jsonl` writes them, or the columns `rules sql` returns (rule_id, …,
    /// file, record) as JSON Lines or CSV with a header, detected by content. A line is kept
    /// only if its rule is loaded (built-in pack, --rules), its file is an evidence object of
    /// the case, the record exists, its eventID is the one given and the rule matches it; the
    /// finding is rebuilt from the rule and the raw record, origin "imported". Rejected lines
    /// are listed with their line number and reason; the custody entry records the file's
    /// SHA-256.
    #[arg(long, value_name = "FILE", requires = "case", conflicts_with = "leads")]
    pub import: Option<PathBuf>,
}

fn parse_level(s: &str) -> Result<Level, String> {
    s.parse()
        .map_err(|e: cloudcase_sigma::UnknownName| e.to_string())
}

fn parse_status(s: &str) -> Result<Status, String> {
    s.parse()
        .map_err(|e: cloudcase_sigma::UnknownName| e.to_string())
}

/// Rules loaded and compiled, with what loading and compiling said about them.
pub(crate) struct Compiled {
    /// The compiled rules.
    pub(crate) engine: Engine,
    /// Every rule refused, not applicable or warned about, in load order.
    pub(crate) problems: Vec<LoadProblem>,
    /// Rules loaded before compiling.
    pub(crate) loaded: usize,
}

/// Loads the built-in pack (unless `no_builtin`) and every `--rules` path, and compiles them: the
/// one loader `hunt` and `rules sql` share, so both see the same rules.
pub(crate) fn compile_rules(no_builtin: bool, rules: &[PathBuf]) -> Result<Compiled> {
    let mut set = RuleSet::new();
    let mut problems = Vec::new();
    if !no_builtin {
        problems.extend(add_builtin(&mut set));
    }
    for path in rules {
        if !path.exists() {
            anyhow::bail!("--rules {}: no such file or directory", path.display());
        }
        problems.extend(set.add_path(path));
    }
    let loaded = set.rules().len();
    let (engine, more) = set.compile();
    problems.extend(more);
    Ok(Compiled {
        engine,
        problems,
        loaded,
    })
}

/// Loads the rules and compiles them, reporting every refused rule by name.
fn load_rules(args: &Args) -> Result<Engine> {
    let Compiled {
        engine,
        problems,
        loaded,
    } = compile_rules(args.no_builtin, &args.rules)?;
    let mut counts: HashMap<Severity, u64> = HashMap::new();
    for p in &problems {
        *counts.entry(p.severity).or_default() += 1;
        if p.severity == Severity::Refused || args.verbose_rules {
            eprintln!("cloudcase: rules: {}", terminal_safe(&p.to_string()));
        }
    }
    let n = |s| counts.get(&s).copied().unwrap_or(0);
    let per_log: Vec<String> = LogSource::ALL
        .into_iter()
        .filter(|l| engine.rules_for(*l) > 0)
        .map(|l| format!("{} {}", engine.rules_for(l), l.as_str()))
        .collect();
    let per_log = if per_log.is_empty() {
        String::new()
    } else {
        format!(": {}", per_log.join(", "))
    };
    eprintln!(
        "cloudcase: rules: {loaded} loaded ({} run{per_log}; {} correlations), {} refused, {} for logs cloudcase does not read, {} warnings{}",
        engine.rules().len(),
        engine.correlations().len(),
        n(Severity::Refused),
        n(Severity::NotApplicable),
        n(Severity::Warning),
        if args.verbose_rules { "" } else { " (--verbose-rules lists them)" }
    );
    if engine.rules().is_empty() && args.no_analytics {
        anyhow::bail!("nothing to hunt with: no rules loaded and --no-analytics given");
    }
    Ok(engine)
}

/// Where the findings of the pass go: shown as they come, or grouped into leads.
enum Output<'w> {
    /// Findings shown in a format.
    Findings(Box<dyn FindingSink + 'w>),
    /// Findings grouped into leads, printed once the pass is done.
    Leads(LeadSink),
}

impl<'w> Output<'w> {
    /// The output for `args` in `format` on `out`, times in `tz`.
    fn new(args: &Args, format: HuntFormat, out: impl Write + 'w, tz: jiff::tz::TimeZone) -> Self {
        if args.leads {
            return Output::Leads(LeadSink::new());
        }
        Output::Findings(match format {
            HuntFormat::Table => Box::new(TableSink::new(out, tz)),
            HuntFormat::Jsonl | HuntFormat::Json => Box::new(JsonlSink::new(out, tz)),
            HuntFormat::Csv => Box::new(CsvSink::new(out, tz)),
        })
    }

    fn sink(&mut self) -> &mut dyn FindingSink {
        match self {
            Output::Findings(sink) => sink,
            Output::Leads(sink) => sink,
        }
    }
}

/// The output format: as asked, else a table on a terminal and JSON Lines otherwise.
fn resolve_format(args: &Args) -> Result<HuntFormat> {
    match (args.format, args.leads) {
        (Some(HuntFormat::Json), false) => anyhow::bail!(
            "--format json is the leads' format (add --leads); findings are --format jsonl"
        ),
        (Some(HuntFormat::Csv), true) => {
            anyhow::bail!("--leads prints a table, json or jsonl, not csv")
        }
        (Some(format), _) => Ok(format),
        (None, _) if std::io::stdout().is_terminal() => Ok(HuntFormat::Table),
        (None, _) => Ok(HuntFormat::Jsonl),
    }
}

/// Prints the `top` best leads in `format`: a table, a JSON array, or one lead per line.
fn print_leads(sink: &LeadSink, format: HuntFormat, top: usize) -> Result<()> {
    let mut leads = sink.leads();
    let total = leads.len();
    leads.truncate(top);
    let mut out = BufWriter::new(std::io::stdout().lock());
    let written = match format {
        HuntFormat::Table => write_leads_table(&mut out, &leads, total),
        HuntFormat::Json => serde_json::to_writer_pretty(&mut out, &leads)
            .map_err(std::io::Error::from)
            .and_then(|()| writeln!(out)),
        _ => leads.iter().try_for_each(|lead| {
            serde_json::to_writer(&mut out, lead).map_err(std::io::Error::from)?;
            writeln!(out)
        }),
    };
    match written.and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write the leads")
        }
        _ => Ok(()),
    }
}

/// Runs `hunt`.
pub fn run(args: Args) -> Result<ExitCode> {
    if let Some(file) = &args.import {
        return import::run(&args, file);
    }
    let tz = parse_tz(&args.tz)?;
    let engine = load_rules(&args)?;
    let reporter = RejectReporter::new(&args.input)?;
    let inputs = discover_inputs(&args.input, &reporter)?;
    let progress = Arc::new(Progress::default());
    let line = ProgressLine::for_inputs(Arc::clone(&progress), &inputs);
    let geo = match &args.geoip {
        Some(path) => Some(MmdbGeo::open(path)?),
        None => None,
    };
    let feeds = engine.feeding_rules();
    let format = resolve_format(&args)?;
    let opts = HuntOptions {
        min_level: args.min_level,
        statuses: args.statuses.clone(),
        analytics: !args.no_analytics,
        geo: geo.as_ref().map(|g| g as &dyn Geo),
        threads: args.input.threads(),
        limits: args.input.limits(),
        sort_memory: args.sort_memory.saturating_mul(1 << 20),
        temp_dir: args.temp_dir.clone(),
        after_read: &|| line.finish(),
    };
    let on_reject = |r: Rejection| reporter.report(r);
    let stdout = std::io::stdout();
    let mut shown = Output::new(
        &args,
        format,
        BufWriter::with_capacity(1 << 20, stdout.lock()),
        tz.clone(),
    );
    let run = |sink: &mut dyn FindingSink| {
        hunt(
            &inputs.files,
            &engine,
            &feeds,
            &opts,
            &on_reject,
            &progress,
            sink,
        )
    };
    // With a case, the same pass also records JSON Lines in UTC.
    let (outcome, recorded): (Result<HuntOutcome, _>, Option<Vec<u8>>) =
        if args.input.case.is_some() {
            let mut tee = Tee::new(
                shown.sink(),
                JsonlSink::new(Vec::new(), jiff::tz::TimeZone::UTC),
            );
            let outcome = run(&mut tee);
            (outcome, Some(tee.into_parts().second.into_inner()))
        } else {
            (run(shown.sink()), None)
        };
    drop(line);
    let outcome = outcome?;
    match shown {
        Output::Leads(sink) => print_leads(&sink, format, args.top)?,
        Output::Findings(sink) => drop(sink),
    }
    reporter.finish()?;
    if let (Some(dir), Some(findings)) = (&args.input.case, recorded) {
        let tally = &outcome.summary.tally;
        let summary = json!({"findings": tally.total, "by_level": tally.by_level});
        record_analysis(dir, AnalysisKind::Hunt, "", &findings, summary)?;
    }
    if format != HuntFormat::Table || args.leads {
        eprint!("{}", outcome.summary.to_text(&tz));
    }
    let mut accounting = inputs.accounting;
    accounting.merge(&outcome.accounting);
    Ok(finish_run(
        &args.input,
        &accounting,
        &format!("; findings: {}", outcome.summary.tally.total),
    ))
}
