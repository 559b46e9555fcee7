//! `cloudcase harden`: least-privilege policies from the activity the evidence shows.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use clap::{Args as ClapArgs, ValueEnum};
use cloudcase_event::EventTime;
use cloudcase_harden::{
    build, document, Collector, Context, Exclusion, HardenOptions, HardenResult, Inventory,
};
use cloudcase_report::{Analysis, Format, Lang};
use cloudcase_util::sanitize::terminal_safe;

use super::input::{finish_run, read_all, InputArgs};
use super::time::parse_event_time;

/// Output formats of `harden`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum HardenFormat {
    /// A summary per principal and the lists, for reading.
    Table,
    /// The whole result: principals with policies, remove, rotate, CI keys, secrets.
    Json,
    /// The policy-design document in Markdown.
    Md,
    /// The policy-design document as one HTML file.
    Html,
}

/// Least-privilege IAM policies from observed use: per principal (user, role with its
/// sessions, root) and long-term key, the actions and resources it used, minus the events the
/// case's recorded scope result attributes to the attacker; plus identities to remove, keys to
/// rotate, CI keys that could be role sessions and secrets to move to Secrets Manager.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Only this principal (ARN, user or role name, or the calls of one access key); repeatable.
    #[arg(long = "principal", value_name = "P")]
    pub principals: Vec<String>,
    /// Only events at or after this time (RFC 3339 or a date).
    #[arg(long, value_name = "TIME", value_parser = parse_event_time)]
    pub since: Option<EventTime>,
    /// Principals and keys unused this many days are listed for removal, keys older for rotation.
    #[arg(long, default_value_t = 90, value_name = "N")]
    pub unused_days: i64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = HardenFormat::Table)]
    pub format: HardenFormat,
    /// Language of the md/html document.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    pub lang: Lang,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
}

/// The attacker's part from the case's latest recorded scope result, or none.
fn exclusion(args: &Args) -> Result<Exclusion> {
    let Some(dir) = &args.input.case else {
        return Ok(Exclusion::none());
    };
    let case = cloudcase_evidence::Case::open(dir)?;
    let entries = case
        .custody()
        .entries()
        .with_context(|| format!("cannot read the custody log of {}", dir.display()))?;
    let analysis = Analysis::load(&case, &entries, jiff::Timestamp::now())
        .with_context(|| format!("cannot read the scope result recorded in {}", dir.display()))?;
    Ok(analysis
        .scope
        .map_or_else(Exclusion::none, |s| Exclusion::from_scope(&s.result)))
}

/// The case's latest `aws:iam` inventory snapshot, when it has one.
fn inventory(args: &Args) -> Result<Option<Inventory>> {
    let Some(dir) = &args.input.case else {
        return Ok(None);
    };
    let paths = super::inventory::case_snapshot_paths(dir)?;
    let mut latest: Option<Inventory> = None;
    for p in paths {
        let snapshot = super::inventory::read_snapshot(&p)?;
        let newer = latest
            .as_ref()
            .is_none_or(|l| l.snapshot.taken < snapshot.taken);
        if snapshot.iam.is_some() && newer {
            latest = Some(Inventory {
                file: p.display().to_string(),
                snapshot,
            });
        }
    }
    Ok(latest)
}

fn print_table(r: &HardenResult) {
    println!("{}", terminal_safe(&r.exclusion.note));
    for p in &r.principals {
        println!(
            "{}  {} actions, {} excluded attacker events, SourceIp: {}, MFA: {}",
            terminal_safe(&p.principal),
            p.used_actions.len(),
            p.excluded_attacker_events,
            p.source_ip.as_ref().map_or("-".to_owned(), |n| n.join(",")),
            if p.require_mfa { "required" } else { "-" },
        );
    }
    for i in &r.remove {
        let who = i
            .principal
            .as_deref()
            .or(i.access_key.as_deref())
            .unwrap_or("");
        println!(
            "remove  {}: {}",
            terminal_safe(who),
            terminal_safe(&i.reason)
        );
    }
    for i in &r.rotate {
        println!("rotate  {}: {}", i.access_key, terminal_safe(&i.reason));
    }
    for f in r.ci_keys.iter().chain(&r.secrets) {
        let who = f.access_key.as_deref().unwrap_or(&f.principal);
        println!(
            "review  {}: {}",
            terminal_safe(who),
            terminal_safe(&f.reason)
        );
    }
}

/// Runs `harden`.
pub fn run(args: Args) -> Result<ExitCode> {
    let exclusion = exclusion(&args)?;
    let inventory = inventory(&args)?;
    let ctx = Arc::new(Context::new(
        exclusion,
        args.principals.clone(),
        args.since.map(EventTime::millis),
    )?);
    let (sinks, all) = read_all(&args.input, || Collector::new(Arc::clone(&ctx)))?;
    let mut total = Collector::new(Arc::clone(&ctx));
    for worker in sinks {
        total.merge(worker);
    }
    let result = build(
        &total,
        HardenOptions {
            unused_days: args.unused_days,
            inventory: inventory.as_ref(),
        },
    )?;
    match args.format {
        HardenFormat::Json => println!("{}", serde_json::to_string_pretty(&result)?),
        HardenFormat::Table => print_table(&result),
        HardenFormat::Md => print!("{}", Format::Markdown.render(&document(&result, args.lang))),
        HardenFormat::Html => print!("{}", Format::Html.render(&document(&result, args.lang))),
    }
    Ok(finish_run(&args.input, &all, ""))
}
