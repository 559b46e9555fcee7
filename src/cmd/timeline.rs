//! `cloudcase timeline`: events in time order, filtered.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use clap::{Args as ClapArgs, ValueEnum};
use cloudcase_event::{EventTime, LogSource};
use cloudcase_read::Progress;
use cloudcase_timeline::{
    parse_log_source, write_timeline, Filter, Glob, IpFilter, OutputFormat, TimelineOptions,
};

use super::input::{discover_inputs, finish_run, InputArgs, RejectReporter};
use super::time::{parse_event_time, parse_tz};
use crate::progress::ProgressLine;

/// Output formats of `timeline`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatArg {
    /// Aligned columns, with the log source and a one-line detail of non-CloudTrail records (default on a terminal).
    Table,
    /// CSV with a header row; formula-safe.
    Csv,
    /// One JSON object per line: the original record plus a `cloudcase` key (default when piped).
    Jsonl,
    /// JSON Lines with Timesketch's message, datetime and timestamp_desc.
    Timesketch,
}

/// Print events in time order: CloudTrail, and the other logs read (S3 access, VPC flow,
/// GuardDuty, Route 53 Resolver, billing), each row naming its log source.
///
/// Filters of different kinds must all match; repeating one flag gives
/// alternatives. Output streams; ordering large inputs spills sorted runs to
/// temporary files, so memory stays bounded.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Only events at or after this time (RFC 3339, or a date YYYY-MM-DD meaning 00:00 UTC).
    #[arg(long, value_name = "TIME", value_parser = parse_event_time)]
    pub from: Option<EventTime>,
    /// Only events before this time (exclusive; same forms as --from).
    #[arg(long, value_name = "TIME", value_parser = parse_event_time)]
    pub to: Option<EventTime>,
    /// Only calls made with this access key id (repeatable).
    #[arg(long = "access-key", value_name = "KEY")]
    pub access_keys: Vec<String>,
    /// Only calls by this principal: ARN, user name, role name or role session name (repeatable).
    #[arg(long = "principal", value_name = "ARN|NAME")]
    pub principals: Vec<String>,
    /// Only calls from this address or CIDR block (repeatable); a service name such as ec2.amazonaws.com matches as text.
    #[arg(long = "ip", value_name = "IP|CIDR", value_parser = IpFilter::parse)]
    pub ips: Vec<IpFilter>,
    /// Only events in this region (repeatable).
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Only events whose name matches this pattern; `*` and `?` are wildcards (repeatable).
    #[arg(long = "event", value_name = "NAME")]
    pub events: Vec<String>,
    /// Only events from this source: `iam` or `iam.amazonaws.com`, wildcards allowed (repeatable).
    #[arg(long = "source", value_name = "SOURCE")]
    pub sources: Vec<String>,
    /// Only events read from these kinds of log: cloudtrail, s3_access, vpc_flow, guardduty,
    /// route53_resolver, billing (comma-separated or repeated).
    #[arg(long = "log-source", value_name = "NAME[,NAME…]", value_delimiter = ',', value_parser = parse_log_source)]
    pub log_sources: Vec<LogSource>,
    /// Only failed calls (with an errorCode).
    #[arg(long)]
    pub errors_only: bool,
    /// Leave out read-only calls.
    #[arg(long)]
    pub exclude_read_only: bool,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
    /// Time zone for display, e.g. Asia/Tokyo or UTC; offsets are always shown.
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,
    /// Memory for sorting before spilling runs to disk, in MiB.
    #[arg(long, default_value_t = 128, value_name = "MIB")]
    pub sort_memory: usize,
    /// Directory for spilled sort runs (default: the system temporary directory).
    #[arg(long, value_name = "DIR")]
    pub temp_dir: Option<PathBuf>,
}

impl Args {
    fn filter(&self) -> Filter {
        Filter {
            from: self.from,
            to: self.to,
            access_keys: self.access_keys.clone(),
            principals: self.principals.clone(),
            ips: self.ips.clone(),
            regions: self.regions.clone(),
            events: self.events.iter().map(|e| Glob::new(e)).collect(),
            sources: self.sources.iter().map(|s| Glob::new(s)).collect(),
            log_sources: self.log_sources.clone(),
            errors_only: self.errors_only,
            exclude_read_only: self.exclude_read_only,
        }
    }

    fn output_format(&self) -> OutputFormat {
        let chosen = self.format.unwrap_or(if std::io::stdout().is_terminal() {
            FormatArg::Table
        } else {
            FormatArg::Jsonl
        });
        match chosen {
            FormatArg::Table => OutputFormat::Table,
            FormatArg::Csv => OutputFormat::Csv,
            FormatArg::Jsonl => OutputFormat::Jsonl,
            FormatArg::Timesketch => OutputFormat::Timesketch,
        }
    }
}

/// Runs `timeline`.
pub fn run(args: Args) -> Result<ExitCode> {
    let tz = parse_tz(&args.tz)?;
    let reporter = RejectReporter::new(&args.input)?;
    let inputs = discover_inputs(&args.input, &reporter)?;
    let progress = Arc::new(Progress::default());
    let line = ProgressLine::for_inputs(Arc::clone(&progress), &inputs);
    let opts = TimelineOptions {
        filter: args.filter(),
        format: args.output_format(),
        tz,
        sort_memory: args.sort_memory.saturating_mul(1 << 20),
        temp_dir: args.temp_dir.clone(),
        threads: args.input.threads(),
        limits: args.input.limits(),
        progress: Arc::clone(&progress),
    };
    let stdout = std::io::stdout();
    let mut lock = stdout.lock();
    let summary = write_timeline(
        &inputs.files,
        &opts,
        &mut lock,
        &|r| reporter.report(r),
        &|| line.finish(),
    );
    drop(line);
    let summary = summary?;
    reporter.finish()?;
    let mut accounting = inputs.accounting;
    accounting.merge(&summary.accounting);
    Ok(finish_run(
        &args.input,
        &accounting,
        &format!("; events: {} shown", summary.shown),
    ))
}
