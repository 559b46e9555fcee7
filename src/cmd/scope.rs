//! `cloudcase scope`: from one indicator to the intrusion, the attacker's identities and
//! resources, data-access verdicts with coverage, cost and a containment plan.

use std::io::{BufWriter, Write};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::{Args as ClapArgs, ValueEnum};
use std::path::PathBuf;

use cloudcase_detect::{Geo, MmdbGeo};
use cloudcase_inventory::Snapshot;
use cloudcase_model::scope::{RecordRef, StartedFrom};
use cloudcase_read::{Progress, Rejection};
use cloudcase_report::AnalysisKind;
use cloudcase_scope::{find_launch, render_markdown, render_table, scope, Cidr, Options, Subject};
use serde_json::json;

use super::input::{discover_inputs, finish_run, InputArgs, RejectReporter};
use super::time::parse_tz;
use crate::progress::ProgressLine;

/// Output formats of `scope`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeFormat {
    /// A human summary (times in --tz).
    Table,
    /// One JSON object (times in UTC); the schema is in crates/scope/README.md.
    Json,
    /// A Markdown summary (times in --tz).
    Md,
}

/// Scope an intrusion from one indicator: the first attacker event (the first departure from
/// the credential's history), attacker sources, the identities, sessions and resources the
/// attacker created (followed transitively), the permission-change timeline, responder actions
/// kept apart, data-access verdicts (ACCESSED / NOT OBSERVED / UNKNOWN) with the coverage
/// behind them, the cost of attacker instances, a containment plan, and what the logs cannot
/// answer. Reads the inputs twice; never calls AWS.
#[derive(ClapArgs, Debug)]
#[command(group(clap::ArgGroup::new("start").required(true).args(["access_key", "principal", "ip", "instance", "auto"])))]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Start from this access key id (AKIA… or ASIA…).
    #[arg(long, value_name = "KEY")]
    pub access_key: Option<String>,
    /// Start from this principal: ARN, user name, role name or role session name.
    #[arg(long, value_name = "ARN|NAME")]
    pub principal: Option<String>,
    /// Start from this source address or range: its first event is the first attacker event.
    #[arg(long, value_name = "IP|CIDR", value_parser = Cidr::parse)]
    pub ip: Option<Cidr>,
    /// Start from this EC2 instance (`i-…`): scope the access key that launched it (its
    /// RunInstances record is found first and shown in `subject.started_from`); for an instance
    /// launched before the logs, its instance-profile sessions (named after it).
    #[arg(long, value_name = "ID")]
    pub instance: Option<String>,
    /// Rank every identity (long-term keys, root, user and role sessions, instance/Lambda/ECS
    /// sessions, SSO users) by the shared judge's signals and scope the top claim.
    #[arg(long)]
    pub auto: bool,
    /// The owner's or responder's known addresses (repeatable): never attacker sources; their
    /// changes are responder actions.
    #[arg(long = "owner-ip", value_name = "IP|CIDR", value_parser = Cidr::parse)]
    pub owner_ip: Vec<Cidr>,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: ScopeFormat,
    /// Time zone for the table and Markdown summaries.
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,
    /// Offline MaxMind-format country database (.mmdb): adds the country of every attacker
    /// source (else listed under unknowns).
    #[arg(long, value_name = "FILE")]
    pub geoip: Option<PathBuf>,
    /// Memory for the attacker window's candidate events (calls that change something, session
    /// calls, every call from an attacker address), its accesses to data stores, its (access
    /// key, source) uses and its activity counts per key and source before they are spilled to
    /// disk, in MiB: half for the candidates (in sorted runs), a sixth each for the accesses,
    /// the uses and the activity counts. The window's part of scope's memory then stays level
    /// however long the window is.
    #[arg(long, default_value_t = cloudcase_scope::DEFAULT_CANDIDATE_MEMORY >> 20, value_name = "MIB")]
    pub sort_memory: usize,
    /// Directory for the spilled candidates, accesses, uses and activity counts (default: the
    /// system temporary directory).
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<PathBuf>,
    /// Inventory snapshot files (`cloudcase acquire aws:iam|aws:ec2`; repeatable), besides those
    /// in the case: say whether attacker identities and resources exist now.
    #[arg(long, value_name = "FILE")]
    pub inventory: Vec<PathBuf>,
}

/// The inventory snapshots of the case (objects acquired from `aws:iam` / `aws:ec2`) and of
/// `--inventory`, parsed.
fn load_inventory(args: &Args) -> Result<Vec<Snapshot>> {
    let mut paths: Vec<PathBuf> = args.inventory.clone();
    if let Some(dir) = &args.input.case {
        paths.extend(super::inventory::case_snapshot_paths(dir)?);
    }
    paths
        .iter()
        .map(|p| super::inventory::read_snapshot(p))
        .collect()
}

fn case_id(subject: &str) -> String {
    let mut id: String = format!("scope-{subject}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    id.truncate(64);
    id
}

/// Runs `scope`.
pub fn run(args: Args) -> Result<ExitCode> {
    let tz = parse_tz(&args.tz)?;
    let reporter = RejectReporter::new(&args.input)?;
    let inputs = discover_inputs(&args.input, &reporter)?;
    let launch = args
        .instance
        .as_deref()
        .and_then(|id| find_launch(&inputs.files, id, args.input.limits(), args.input.threads()));
    let launcher = launch.as_ref().map(|l| {
        l.access_key
            .clone()
            .map(Subject::AccessKey)
            .or_else(|| l.principal_arn.clone().map(Subject::Principal))
    });
    // An instance launched before the logs: its instance-profile sessions are named after it.
    let profile_session = args.instance.as_ref().filter(|_| launch.is_none());
    let (subject, label) = if let Some(id) = profile_session {
        (Subject::Principal(id.clone()), id.clone())
    } else if let Some(started) = launcher {
        let subject = started
            .context("--instance: its RunInstances record names no access key or principal")?;
        let label = args.instance.clone().unwrap_or_default();
        (subject, label)
    } else if let Some(k) = &args.access_key {
        (Subject::AccessKey(k.clone()), k.clone())
    } else if let Some(p) = &args.principal {
        (Subject::Principal(p.clone()), p.clone())
    } else if let Some(c) = &args.ip {
        (Subject::Ip(c.clone()), c.to_string())
    } else {
        (Subject::Auto, "auto".to_owned())
    };
    let progress = Arc::new(Progress::default());
    let line = ProgressLine::for_inputs(Arc::clone(&progress), &inputs);
    let opts = Options {
        subject,
        owner: args.owner_ip.clone(),
        threads: args.input.threads(),
        limits: args.input.limits(),
        case_id: case_id(&label),
        inventory: load_inventory(&args)?,
        candidate_memory: args.sort_memory.saturating_mul(1 << 20),
        temp_dir: args.temp_dir.clone(),
    };
    let geo = match &args.geoip {
        Some(path) => {
            Some(MmdbGeo::open(path).with_context(|| format!("--geoip {}", path.display()))?)
        }
        None => None,
    };
    let on_reject = |r: Rejection| reporter.report(r);
    let outcome = scope(&inputs.files, &opts, &on_reject, &progress);
    drop(line);
    reporter.finish()?;
    let outcome = match profile_session {
        Some(id) => outcome.with_context(|| {
            format!("--instance {id}: no successful RunInstances in the inputs launched it, and no instance-profile session is named after it")
        })?,
        None => outcome?,
    };
    let mut result = outcome.result;
    let country = |ip: &str| {
        let addr = ip.parse().ok()?;
        geo.as_ref().and_then(|g| g.country(addr))
    };
    cloudcase_scope::annotate_countries(&mut result, geo.as_ref().map(|_| &country as _));
    if let Some(l) = &launch {
        result.subject.started_from = Some(StartedFrom {
            instance: l.instance_id.clone(),
            launched: l.time.to_utc_string(),
            access_key: l.access_key.clone(),
            principal: l.principal_arn.clone(),
            source_ip: l.source_ip.clone(),
            region: l.region.clone(),
            refs: vec![RecordRef {
                file: l.file.path.to_string_lossy().into_owned(),
                record: l.record,
                event_id: l.event_id.clone(),
            }],
        });
    }
    let mut recorded = None;
    if let Some(dir) = &args.input.case {
        let first = result.intrusion.first_attacker_event();
        let summary = json!({"subject": label, "first_attacker_event": first});
        let content = serde_json::to_string_pretty(&result)? + "\n";
        let bytes = content.as_bytes();
        super::record::record_analysis(dir, AnalysisKind::Scope, &label, bytes, summary)?;
        recorded = Some(content);
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    match (args.format, recorded) {
        (ScopeFormat::Json, Some(content)) => out.write_all(content.as_bytes())?,
        // Written as it is serialized: the document of a busy month runs to megabytes (8.5 MB
        // for `--auto` on the 20 GB busy corpus), and a string of it doubled as it grew.
        (ScopeFormat::Json, None) => {
            serde_json::to_writer_pretty(&mut out, &result)?;
            writeln!(out)?;
        }
        (ScopeFormat::Table, _) => out.write_all(render_table(&result, &tz).as_bytes())?,
        (ScopeFormat::Md, _) => out.write_all(render_markdown(&result, &tz).as_bytes())?,
    }
    out.flush()?;
    let mut accounting = inputs.accounting;
    accounting.merge(&outcome.accounting);
    Ok(finish_run(&args.input, &accounting, ""))
}
