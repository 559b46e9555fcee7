//! `cloudcase demo`: a bundled incident, generated and investigated end to end with the same
//! commands a responder runs — preserve, hunt, scope, timeline, report.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use cloudcase_evidence::Case;
use cloudcase_gen::{Config, Date, Summary};
use cloudcase_read::human_bytes;
use cloudcase_report::Analysis;

/// Generate a small, realistic incident — three weeks of a company's CloudTrail with a leaked
/// access key used to create a backdoor user and role and to launch GPU instances in unused
/// regions — and investigate it: preserve the logs in a case, hunt, scope the compromised key
/// (`--auto`), show the attacker's timeline, and write the reports in English and Japanese. Each
/// step prints the command it runs.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Where to write the demo logs and case (default: a fresh directory under the system
    /// temporary directory).
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

/// Prints a step and runs its command in this process.
fn step(title: &str, args: &[String]) -> Result<()> {
    let shown: Vec<String> = args
        .iter()
        .map(|a| {
            if a.contains(' ') {
                format!("'{a}'")
            } else {
                a.clone()
            }
        })
        .collect();
    if !title.is_empty() {
        println!("\n== {title}");
    }
    let shown = shown.join(" ");
    println!("   $ cloudcase {shown}\n");
    let code = crate::cli::run_args(args)?;
    if code != ExitCode::SUCCESS {
        bail!("`cloudcase {shown}` ended with a non-zero status");
    }
    Ok(())
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// The attacker sources of the scope result just recorded in the case.
fn attacker_sources(case_dir: &Path) -> Result<Vec<String>> {
    let case = Case::open(case_dir)?;
    let entries = case.custody().entries()?;
    let analysis = Analysis::load(&case, &entries, jiff::Timestamp::now())?;
    let scope = analysis
        .scope
        .context("scope recorded no result in the demo case")?;
    Ok(scope
        .result
        .attacker_sources
        .into_iter()
        .map(|s| s.ip)
        .collect())
}

/// Runs `cloudcase demo`.
pub fn run(args: Args) -> Result<ExitCode> {
    let out = match args.out {
        Some(dir) => dir,
        None => std::env::temp_dir().join(format!("cloudcase-demo-{}", std::process::id())),
    };
    let summary = generate(out.clone(), args.seed)?;
    let logs = out.join("AWSLogs").display().to_string();
    let case = out.join("case").display().to_string();
    println!(
        "== cloudcase demo: the bill tripled. {} CloudTrail events in {} files ({} uncompressed) under {logs}",
        summary.records,
        summary.files,
        human_bytes(summary.uncompressed_bytes),
    );
    step(
        "Step 1, preserve: a case folder, then the logs copied into it with SHA-256 and custody",
        &strings(&[
            "case",
            "init",
            &case,
            "--name",
            "Demo: bill tripled after a leaked access key",
            "--examiner",
            "demo",
        ]),
    )?;
    step(
        "",
        &strings(&["acquire", "--case", &case, &logs, "--quiet"]),
    )?;
    step(
        "Step 2, hunt: the built-in rules and analytics over the evidence, medium and above",
        &strings(&[
            "hunt",
            "--case",
            &case,
            "--min-level",
            "medium",
            "--format",
            "table",
            "--tz",
            &args.tz,
        ]),
    )?;
    step(
        "Step 3, scope: which key, since when, from where, what was created, was data touched, cost, containment",
        &strings(&["scope", "--case", &case, "--auto", "--tz", &args.tz]),
    )?;
    let mut timeline = strings(&[
        "timeline", "--case", &case, "--format", "table", "--tz", &args.tz,
    ]);
    for ip in attacker_sources(Path::new(&case))? {
        timeline.extend(["--ip".to_owned(), ip]);
    }
    step(
        "Step 4, timeline: everything done from the attacker's addresses that scope found",
        &timeline,
    )?;
    for lang in ["en", "ja"] {
        step(
            &format!(
                "Step 5, reports ({lang}): executive summary, technical report, evidence record, runbook"
            ),
            &strings(&[
                "report", "--case", &case, "--kind", "all", "--lang", lang, "--format", "html",
            ]),
        )?;
    }
    println!(
        "\n== Reports are in {case}/reports/. Try:\n   cloudcase scope --case {case} --auto --format json\n   cloudcase report --case {case} --kind executive --lang ja --format pdf\n   cloudcase verify --case {case}"
    );
    Ok(ExitCode::SUCCESS)
}
