//! `cloudcase stats`: what is in these logs, counted in one pass.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args as ClapArgs, ValueEnum};
use cloudcase_event::{Detail, Event, EventTime, LogSource};
use cloudcase_read::{Accounting, EventSink};
use cloudcase_util::sanitize::terminal_safe;
use foldhash::fast::RandomState;
use serde_json::{json, Value};

use super::input::{finish_run, read_all, InputArgs};
use super::time::parse_tz;

/// Output formats of `stats`.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatsFormat {
    /// Top entries per dimension, for reading.
    Table,
    /// Every count, as one JSON object.
    Json,
}

/// Count events by log source, name, event source, region, account, principal and error
/// code in one streaming pass (no sorting): the quickest way to see what a set of logs
/// holds and which period and regions it covers. Caller dimensions (principal, access key,
/// error code) count CloudTrail and S3 access events only; buckets, DNS query names and
/// flow destinations count the logs that have them.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(flatten)]
    pub input: InputArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = StatsFormat::Table)]
    pub format: StatsFormat,
    /// Entries shown per dimension in the table (JSON has all).
    #[arg(long, default_value_t = 15, value_name = "N")]
    pub top: usize,
    /// Time zone for display.
    #[arg(long, default_value = "UTC", value_name = "ZONE")]
    pub tz: String,
}

/// Reads one dimension's value from an event.
type Read = for<'a> fn(&'a Event) -> Option<Cow<'a, str>>;

/// One counted dimension.
struct Dimension {
    /// Key in the JSON output.
    key: &'static str,
    /// Title in the table.
    title: &'static str,
    /// The logs whose events have this dimension (others are not counted in it).
    logs: &'static [LogSource],
    /// How to read the value.
    read: Read,
}

/// Every log.
const ALL: &[LogSource] = &LogSource::ALL;
/// Logs whose records name a caller (principal, key, error).
const CALLERS: &[LogSource] = &[LogSource::CloudTrail, LogSource::S3Access];

fn text(v: Option<&str>) -> Option<Cow<'_, str>> {
    v.map(Cow::Borrowed)
}

/// The dimensions counted, in output order.
const DIMENSIONS: &[Dimension] = &[
    Dimension {
        key: "by_log_source",
        title: "log source",
        logs: ALL,
        read: |e| Some(Cow::Borrowed(e.source.as_str())),
    },
    Dimension {
        key: "by_event_name",
        title: "event name",
        logs: ALL,
        read: |e| Some(Cow::Borrowed(&e.event_name)),
    },
    Dimension {
        key: "by_event_source",
        title: "event source",
        logs: ALL,
        read: |e| Some(Cow::Borrowed(&e.event_source)),
    },
    Dimension {
        key: "by_region",
        title: "region",
        logs: ALL,
        read: |e| text(e.region.as_deref()),
    },
    Dimension {
        key: "by_account",
        title: "recipient account",
        logs: ALL,
        read: |e| text(e.recipient_account.as_deref()),
    },
    Dimension {
        key: "by_principal",
        title: "principal",
        logs: CALLERS,
        read: |e| text(e.identity.display_name()),
    },
    Dimension {
        key: "by_access_key",
        title: "access key",
        logs: CALLERS,
        read: |e| text(e.identity.access_key_id.as_deref()),
    },
    Dimension {
        key: "by_source_ip",
        title: "source IP",
        logs: ALL,
        read: |e| text(e.source_ip.as_deref()),
    },
    Dimension {
        key: "by_error_code",
        title: "error code",
        logs: CALLERS,
        read: |e| text(e.error_code.as_deref()),
    },
    Dimension {
        key: "by_bucket",
        title: "S3 bucket (access logs)",
        logs: &[LogSource::S3Access],
        read: |e| match e.detail.as_deref() {
            Some(Detail::S3Request(r)) => Some(Cow::Borrowed(&r.bucket)),
            _ => None,
        },
    },
    Dimension {
        key: "by_query_name",
        title: "DNS query name",
        logs: &[LogSource::Route53Resolver],
        read: |e| match e.detail.as_deref() {
            Some(Detail::DnsQuery(q)) => Some(Cow::Borrowed(&q.query_name)),
            _ => None,
        },
    },
    Dimension {
        key: "by_flow_destination",
        title: "flow destination (address:port)",
        logs: &[LogSource::VpcFlow],
        read: |e| match e.detail.as_deref() {
            Some(Detail::Flow(f)) => {
                let addr = f.dst_addr.map_or_else(|| "-".to_owned(), |a| a.to_string());
                let port = f.dst_port.map_or_else(|| "-".to_owned(), |p| p.to_string());
                Some(Cow::Owned(format!("{addr}:{port}")))
            }
            _ => None,
        },
    },
    Dimension {
        key: "by_finding_severity",
        title: "GuardDuty finding severity",
        logs: &[LogSource::GuardDuty],
        read: |e| match e.detail.as_deref() {
            Some(Detail::Finding(f)) => Some(Cow::Borrowed(severity_band(f.severity))),
            _ => None,
        },
    },
];

/// GuardDuty's severity bands, highest first: lower bound and name.
const SEVERITY_BANDS: &[(f64, &str)] = &[
    (9.0, "critical"),
    (7.0, "high"),
    (4.0, "medium"),
    (0.0, "low"),
];

fn severity_band(severity: f64) -> &'static str {
    SEVERITY_BANDS
        .iter()
        .find(|(low, _)| severity >= *low)
        .map_or("low", |(_, name)| name)
}

/// One dimension's counts by value, hashed with foldhash: much cheaper than
/// SipHash on these short keys. The values are the logs' (attacker-written)
/// but the seed is random per run and never shown, and a run answers no
/// queries an attacker could time.
type Tally = HashMap<String, u64, RandomState>;

/// One worker's counts.
#[derive(Default)]
struct Counts {
    total: u64,
    first: Option<EventTime>,
    last: Option<EventTime>,
    by: Vec<Tally>,
}

impl Counts {
    fn new() -> Self {
        Counts {
            by: vec![Tally::default(); DIMENSIONS.len()],
            ..Counts::default()
        }
    }

    fn add(&mut self, e: &Event) {
        self.total += 1;
        self.first = Some(self.first.map_or(e.time, |t| t.min(e.time)));
        self.last = Some(self.last.map_or(e.time, |t| t.max(e.time)));
        for (dim, map) in DIMENSIONS.iter().zip(&mut self.by) {
            if !dim.logs.contains(&e.source) {
                continue;
            }
            let value = (dim.read)(e);
            let key = value.as_deref().unwrap_or("-");
            match map.get_mut(key) {
                Some(n) => *n += 1,
                None => {
                    map.insert(key.to_owned(), 1);
                }
            }
        }
    }

    fn merge(&mut self, other: Counts) {
        self.total += other.total;
        self.first = [self.first, other.first].into_iter().flatten().min();
        self.last = [self.last, other.last].into_iter().flatten().max();
        for (mine, theirs) in self.by.iter_mut().zip(other.by) {
            for (k, v) in theirs {
                *mine.entry(k).or_default() += v;
            }
        }
    }
}

impl EventSink for Counts {
    fn accept(&mut self, event: Event) {
        self.add(&event);
    }

    /// Every dimension reads typed fields only.
    fn wants_text(&self) -> bool {
        false
    }
}

fn sorted(map: &Tally) -> Vec<(&str, u64)> {
    let mut v: Vec<(&str, u64)> = map.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v
}

fn accounting_json(a: &Accounting) -> Value {
    let by_kind = |m: &BTreeMap<cloudcase_read::RejectKind, u64>| -> Value {
        m.iter()
            .map(|(k, n)| (k.code().to_owned(), json!(n)))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    json!({
        "files_seen": a.files_seen,
        "files_read": a.files_read,
        "files_skipped": by_kind(&a.files_skipped),
        "records_parsed": a.records_parsed,
        "records_rejected": by_kind(&a.rejected),
        "bytes_read": a.bytes_read,
        "bytes_decompressed": a.bytes_decompressed,
        "formats": a.formats,
    })
}

fn print_json(counts: &Counts, accounting: &Accounting) {
    let mut obj = serde_json::Map::new();
    obj.insert("events".into(), json!(counts.total));
    obj.insert(
        "first".into(),
        json!(counts.first.map(|t| t.to_utc_string())),
    );
    obj.insert("last".into(), json!(counts.last.map(|t| t.to_utc_string())));
    for (dim, map) in DIMENSIONS.iter().zip(&counts.by) {
        let m: serde_json::Map<String, Value> = sorted(map)
            .into_iter()
            .map(|(k, n)| (k.to_owned(), json!(n)))
            .collect();
        obj.insert(dim.key.into(), Value::Object(m));
    }
    obj.insert("accounting".into(), accounting_json(accounting));
    println!("{}", Value::Object(obj));
}

fn print_table(counts: &Counts, top: usize, tz: &jiff::tz::TimeZone) {
    let when = |t: Option<EventTime>| t.map_or_else(|| "-".to_owned(), |t| t.to_zoned_string(tz));
    println!("events: {}", counts.total);
    println!("first:  {}", when(counts.first));
    println!("last:   {}", when(counts.last));
    for (dim, map) in DIMENSIONS.iter().zip(&counts.by) {
        let rows = sorted(map);
        if rows.is_empty() && dim.logs != ALL {
            continue;
        }
        let title = dim.title;
        println!("\nby {title} ({} distinct):", rows.len());
        for (k, n) in rows.iter().take(top) {
            println!("  {n:>12}  {}", terminal_safe(k));
        }
        if rows.len() > top {
            println!(
                "  {:>12}  … {} more (--top or --format json)",
                "",
                rows.len() - top
            );
        }
    }
}

/// Runs `stats`.
pub fn run(args: Args) -> Result<ExitCode> {
    let tz = parse_tz(&args.tz)?;
    let (sinks, all) = read_all(&args.input, Counts::new)?;
    let mut totals = Counts::new();
    for worker in sinks {
        totals.merge(worker);
    }
    match args.format {
        StatsFormat::Json => print_json(&totals, &all),
        StatsFormat::Table => print_table(&totals, args.top, &tz),
    }
    Ok(finish_run(&args.input, &all, ""))
}
