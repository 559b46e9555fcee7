//! `cloudcase demo`: a bundled incident, generated and investigated end to end.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use cloudcase_detect::{add_builtin, hunt, FindingFormat, FindingWriter, HuntOptions};
use cloudcase_gen::{Config, Date, Summary};
use cloudcase_read::{discover, human_bytes, Limits, Progress};
use cloudcase_sigma::{Level, RuleSet};
use cloudcase_timeline::{write_timeline, Filter, IpFilter, OutputFormat, TimelineOptions};

use super::timeline::parse_tz;

/// Generate a small, realistic incident — three weeks of a company's
/// CloudTrail with a leaked access key used to create a backdoor user and
/// role and to launch GPU instances in unused regions — and walk through it.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Where to write the demo logs (default: a fresh directory under the system temporary directory).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Time zone for display.
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,
    /// Seed of the generated incident (the same seed gives the same logs).
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
}

fn generate(out: PathBuf, seed: u64) -> Result<Summary> {
    let cfg = Config {
        seed,
        out_dir: out,
        target_bytes: 3_000_000,
        start: Date {
            year: 2024,
            month: 5,
            day: 6,
        },
        days: 21,
        account_id: "111122223333".into(),
        incident: true,
        ..Config::default()
    };
    cloudcase_gen::generate(&cfg).context("generating the demo incident")
}

/// Hunts with the built-in pack and analytics, showing medium and above as a table.
fn hunt_step(
    files: &[std::sync::Arc<cloudcase_event::SourceFile>],
    tz: &jiff::tz::TimeZone,
) -> Result<()> {
    let mut rules = RuleSet::new();
    add_builtin(&mut rules);
    let (engine, _) = rules.compile();
    let opts = HuntOptions {
        min_level: Level::Medium,
        statuses: Vec::new(),
        analytics: true,
        geo: None,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
        limits: Limits::default(),
        writer: FindingWriter {
            format: FindingFormat::Table,
            tz: tz.clone(),
        },
        sort_memory: 64 << 20,
        temp_dir: None,
        after_read: &|| {},
    };
    let stdout = std::io::stdout();
    let outcome = hunt(
        files,
        &engine,
        &engine.feeding_rules(),
        &opts,
        &|r| eprintln!("cloudcase: warning: {r}"),
        &Progress::default(),
        &mut stdout.lock(),
    )?;
    println!(
        "   {} findings at medium or above; {} more below (see: cloudcase hunt … --min-level low)",
        outcome.tally.total, outcome.below_threshold
    );
    Ok(())
}

/// Runs `demo`.
pub fn run(args: Args) -> Result<ExitCode> {
    let tz = parse_tz(&args.tz)?;
    let out = match args.out {
        Some(dir) => dir,
        None => std::env::temp_dir().join(format!("cloudcase-demo-{}", std::process::id())),
    };
    let summary = generate(out.clone(), args.seed)?;
    let truth = summary
        .incident
        .as_ref()
        .context("the demo corpus has no incident")?;
    println!(
        "== cloudcase demo: {} CloudTrail events in {} files ({} uncompressed) under {}",
        summary.records,
        summary.files,
        human_bytes(summary.uncompressed_bytes),
        out.join("AWSLogs").display()
    );
    let inputs = discover(std::slice::from_ref(&out), &|r| {
        eprintln!("cloudcase: warning: {r}")
    })?;
    println!(
        "== The bill tripled. Step 1, hunt: the built-in rules and analytics over everything, medium and above\n   (same as: cloudcase hunt {} --min-level medium):\n",
        out.display()
    );
    hunt_step(&inputs.files, &tz)?;
    println!(
        "\n== The findings point at access key {} of IAM user {}, used from new networks.",
        truth.access_key_id, truth.user_name
    );
    let ip_flags: String = truth
        .attacker_ips
        .iter()
        .map(|ip| format!(" --ip {ip}"))
        .collect();
    println!(
        "\n== Step 2, timeline: everything done from the attacker's addresses, in time order\n   (same as: cloudcase timeline {}{ip_flags} --format table):\n",
        out.display()
    );
    let opts = TimelineOptions {
        filter: Filter {
            ips: truth
                .attacker_ips
                .iter()
                .map(|ip| IpFilter::parse(ip).map_err(anyhow::Error::msg))
                .collect::<Result<_>>()?,
            ..Filter::default()
        },
        format: OutputFormat::Table,
        tz,
        sort_memory: 64 << 20,
        temp_dir: None,
        threads: std::thread::available_parallelism().map_or(1, usize::from),
        limits: Limits::default(),
        progress: std::sync::Arc::new(Progress::default()),
    };
    let stdout = std::io::stdout();
    let summary_run = write_timeline(
        &inputs.files,
        &opts,
        &mut stdout.lock(),
        &|r| eprintln!("cloudcase: warning: {r}"),
        &|| {},
    )?;
    println!(
        "\n== The key was used by its owner before and after; the attacker created {} and {}, and launched {} instances in {}.",
        truth.created_users.join(", "),
        truth.created_roles.join(", "),
        truth.instances.len(),
        truth.attacker_regions.join(", ")
    );
    println!(
        "== Try: cloudcase stats {dir}\n        cloudcase timeline {dir} --access-key {key} --tz Asia/Tokyo\n        cloudcase timeline {dir} --event 'Create*' --event RunInstances --format csv",
        dir = out.display(),
        key = truth.access_key_id
    );
    eprintln!(
        "cloudcase: {}; events: {} shown",
        summary_run.accounting, summary_run.shown
    );
    Ok(ExitCode::SUCCESS)
}
