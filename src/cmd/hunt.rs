//! `cloudcase hunt`: every rule and analytic over the logs in one pass.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, ValueEnum};
use cloudcase_detect::{add_builtin, hunt, Finding, HuntOptions};
use cloudcase_read::{Progress, Rejection};
use cloudcase_sigma::{Engine, Level, RuleSet, Severity, Status};
use cloudcase_timeline::sanitize::{push_csv_cell, push_json_string, terminal_safe};

use super::input::{discover_inputs, finish_run, InputArgs, RejectReporter};
use super::timeline::parse_tz;
use crate::progress::ProgressLine;

/// Output formats of `hunt`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum HuntFormat {
    /// Aligned columns and a summary (default on a terminal).
    Table,
    /// One JSON object per finding (default when piped); the summary goes to standard error.
    Jsonl,
    /// CSV with a header row; the summary goes to standard error.
    Csv,
}

/// Run the built-in rule pack, any Sigma rules given with --rules, and the
/// stateful analytics (first use of a network, address or client by a key or
/// user, first use of a region, bursts of denials, enumeration, launches,
/// secret and object reads) over the logs in one streaming pass. Each finding
/// points to its raw record (file and record index).
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
    /// Time zone for display.
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,
    /// Print every rule load problem (by default: refused rules, and a count of the rest).
    #[arg(long)]
    pub verbose_rules: bool,
}

fn parse_level(s: &str) -> Result<Level, String> {
    s.parse()
        .map_err(|e: cloudcase_sigma::UnknownName| e.to_string())
}

fn parse_status(s: &str) -> Result<Status, String> {
    s.parse()
        .map_err(|e: cloudcase_sigma::UnknownName| e.to_string())
}

/// Loads the rules and compiles them, reporting every refused rule by name.
fn load_rules(args: &Args) -> Result<Engine> {
    let mut set = RuleSet::new();
    let mut problems = Vec::new();
    if !args.no_builtin {
        problems.extend(add_builtin(&mut set));
    }
    for path in &args.rules {
        if !path.exists() {
            anyhow::bail!("--rules {}: no such file or directory", path.display());
        }
        problems.extend(set.add_path(path));
    }
    let loaded = set.rules().len();
    let (engine, more) = set.compile();
    problems.extend(more);
    let mut counts: HashMap<Severity, u64> = HashMap::new();
    for p in &problems {
        *counts.entry(p.severity).or_default() += 1;
        if p.severity == Severity::Refused || args.verbose_rules {
            eprintln!("cloudcase: rules: {}", terminal_safe(&p.to_string()));
        }
    }
    let n = |s| counts.get(&s).copied().unwrap_or(0);
    eprintln!(
        "cloudcase: rules: {loaded} loaded ({} run on CloudTrail, {} correlations), {} refused, {} not for CloudTrail, {} warnings{}",
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

struct Columns<'a> {
    f: &'a Finding,
    time: String,
}

impl Columns<'_> {
    /// Column names and values, one table for CSV and JSON.
    fn cells(&self) -> Vec<(&'static str, String)> {
        let f = self.f;
        let w = &f.witness;
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        vec![
            ("time", self.time.clone()),
            ("level", f.level.as_str().to_owned()),
            ("rule_id", f.rule_id.clone()),
            ("rule_title", f.title.clone()),
            ("origin", f.origin.as_str().to_owned()),
            ("tactics", f.tactics.join(" ")),
            ("techniques", f.techniques.join(" ")),
            ("principal", opt(&w.principal)),
            ("access_key", opt(&w.access_key)),
            ("source_ip", opt(&w.source_ip)),
            ("region", opt(&w.region)),
            ("account", opt(&w.account)),
            ("event_source", w.event_source.clone()),
            ("event_name", w.event_name.clone()),
            ("error_code", opt(&w.error_code)),
            ("event_id", opt(&w.event_id)),
            ("detail", opt(&f.detail)),
            ("file", w.file.path.to_string_lossy().into_owned()),
            ("sha256", opt(&w.file.sha256)),
            ("origin_path", opt(&w.file.origin)),
            ("record", w.record.to_string()),
        ]
    }
}

fn write_findings(
    findings: &[Finding],
    format: HuntFormat,
    tz: &jiff::tz::TimeZone,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut buf = Vec::with_capacity(1 << 16);
    if format == HuntFormat::Table {
        writeln!(
            out,
            "{:<29} {:<13} {:<52} {:<28} {:<16} {:<14} EVENT",
            "TIME", "LEVEL", "RULE", "PRINCIPAL", "SOURCE IP", "REGION"
        )?;
    }
    for (i, f) in findings.iter().enumerate() {
        let cols = Columns {
            f,
            time: f.witness.time.to_zoned_string(tz),
        };
        let cells = cols.cells();
        buf.clear();
        match format {
            HuntFormat::Jsonl => {
                buf.push(b'{');
                for (j, (k, v)) in cells.iter().enumerate() {
                    if j > 0 {
                        buf.push(b',');
                    }
                    buf.extend_from_slice(format!("\"{k}\":").as_bytes());
                    if *k == "record" {
                        buf.extend_from_slice(v.as_bytes());
                    } else {
                        push_json_string(&mut buf, v);
                    }
                }
                buf.extend_from_slice(b"}\n");
            }
            HuntFormat::Csv => {
                if i == 0 {
                    let names: Vec<&str> = cells.iter().map(|(k, _)| *k).collect();
                    writeln!(out, "{}", names.join(","))?;
                }
                for (j, (_, v)) in cells.iter().enumerate() {
                    if j > 0 {
                        buf.push(b',');
                    }
                    push_csv_cell(&mut buf, v);
                }
                buf.push(b'\n');
            }
            HuntFormat::Table => {
                let w = &f.witness;
                let cut = |s: &str, n: usize| -> String {
                    let s = terminal_safe(s);
                    if s.chars().count() > n {
                        format!("{}…", s.chars().take(n - 1).collect::<String>())
                    } else {
                        s.into_owned()
                    }
                };
                let line = format!(
                    "{:<29} {:<13} {:<52} {:<28} {:<16} {:<14} {}:{}\n",
                    cols.time,
                    f.level.as_str(),
                    cut(&f.title, 52),
                    cut(w.principal.as_deref().unwrap_or("-"), 28),
                    cut(w.source_ip.as_deref().unwrap_or("-"), 16),
                    cut(w.region.as_deref().unwrap_or("-"), 14),
                    cut(w.event_source.trim_end_matches(".amazonaws.com"), 20),
                    cut(&w.event_name, 40),
                );
                buf.extend_from_slice(line.as_bytes());
            }
        }
        out.write_all(&buf)?;
    }
    Ok(())
}

/// Top entries of a count map, most first.
fn top<'a>(counts: &HashMap<&'a str, u64>, n: usize) -> Vec<(&'a str, u64)> {
    let mut v: Vec<_> = counts.iter().map(|(k, c)| (*k, *c)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.truncate(n);
    v
}

fn summary(findings: &[Finding], below: u64, min_level: Level, tz: &jiff::tz::TimeZone) -> String {
    let mut by_level: HashMap<&str, u64> = HashMap::new();
    let mut by_rule: HashMap<&str, u64> = HashMap::new();
    let mut by_principal: HashMap<&str, u64> = HashMap::new();
    let mut by_ip: HashMap<&str, u64> = HashMap::new();
    for f in findings {
        *by_level.entry(f.level.as_str()).or_default() += 1;
        *by_rule.entry(f.title.as_str()).or_default() += 1;
        *by_principal
            .entry(f.witness.principal.as_deref().unwrap_or("-"))
            .or_default() += 1;
        *by_ip
            .entry(f.witness.source_ip.as_deref().unwrap_or("-"))
            .or_default() += 1;
    }
    let mut s = String::from("\n== hunt summary\n");
    let levels: Vec<String> = ["critical", "high", "medium", "low", "informational"]
        .iter()
        .filter_map(|l| by_level.get(l).map(|n| format!("{n} {l}")))
        .collect();
    s.push_str(&format!(
        "findings: {} ({}); {below} below --min-level {}\n",
        findings.len(),
        if levels.is_empty() {
            "none".to_owned()
        } else {
            levels.join(", ")
        },
        min_level.as_str()
    ));
    if let (Some(first), Some(last)) = (findings.first(), findings.last()) {
        s.push_str(&format!(
            "first detection: {}\nlast detection:  {}\n",
            first.witness.time.to_zoned_string(tz),
            last.witness.time.to_zoned_string(tz)
        ));
    }
    for (title, map, n) in [
        ("rules", &by_rule, 10),
        ("principals", &by_principal, 5),
        ("source IPs", &by_ip, 5),
    ] {
        if map.is_empty() {
            continue;
        }
        s.push_str(&format!("top {title}:\n"));
        for (k, c) in top(map, n) {
            s.push_str(&format!("  {c:>8}  {}\n", terminal_safe(k)));
        }
    }
    s.push_str("analytics: IP-based only (no offline geo-IP database is bundled); countries are not compared\n");
    s
}

/// Runs `hunt`.
pub fn run(args: Args) -> Result<ExitCode> {
    let tz = parse_tz(&args.tz)?;
    let engine = load_rules(&args)?;
    let reporter = RejectReporter::new(&args.input)?;
    let inputs = discover_inputs(&args.input, &reporter)?;
    let total_bytes = inputs
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    let progress = Arc::new(Progress::default());
    let line = ProgressLine::start(
        Arc::clone(&progress),
        inputs.files.len() as u64,
        total_bytes,
    );
    let feeds = engine.feeding_rules();
    let opts = HuntOptions {
        min_level: args.min_level,
        statuses: args.statuses.clone(),
        analytics: !args.no_analytics,
        geo: None,
        threads: args.input.threads(),
        limits: args.input.limits(),
    };
    let on_reject = |r: Rejection| reporter.report(r);
    let outcome = hunt(&inputs.files, &engine, &feeds, &opts, &on_reject, &progress);
    drop(line);
    reporter.finish()?;
    let format = args.format.unwrap_or(if std::io::stdout().is_terminal() {
        HuntFormat::Table
    } else {
        HuntFormat::Jsonl
    });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written =
        write_findings(&outcome.findings, format, &tz, &mut out).and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(e).context("cannot write the findings");
        }
    }
    let text = summary(
        &outcome.findings,
        outcome.below_threshold,
        args.min_level,
        &tz,
    );
    if format == HuntFormat::Table {
        print!("{text}");
    } else {
        eprint!("{text}");
    }
    let mut accounting = inputs.accounting;
    accounting.merge(&outcome.accounting);
    Ok(finish_run(
        &args.input,
        &accounting,
        &format!("; findings: {}", outcome.findings.len()),
    ))
}
