//! S3 server access logs decide bucket verdicts: the lines of a bucket make it covered for the
//! time they span, and reads by attacker identities or from attacker addresses make it
//! ACCESSED with the objects, bytes, requester and address.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use cloudcase_event::detail::S3Request;
use cloudcase_event::{Event, SourceFile};
use cloudcase_model::scope::{
    DataAccess, LogReader, LogReaderMatch, ScopeResult, StoreCoverage, StoreKind, Unknown,
    UnknownTopic, Verdict, WindowSpan,
};

use super::{widen, Facts, FirstRefs, Span};
use crate::build::Wording;
use crate::record::{time, Ptr};
use crate::scan::Earliest;
use crate::stores::StoreSpec;

/// Operations that read a bucket's content: object GET and HEAD, listings, the source of a
/// copy, Select, torrents.
const READS: &[&str] = &[
    "REST.GET.OBJECT",
    "REST.HEAD.OBJECT",
    "REST.GET.BUCKET",
    "REST.GET.BUCKETVERSIONS",
    "REST.COPY.OBJECT_GET",
    "REST.COPY.PART_GET",
    "REST.POST.SELECT",
    "REST.GET.TORRENT",
];

/// Log files named per bucket.
const MAX_FILES: usize = 20;
/// Keys named per reader.
const MAX_KEYS: usize = 20;
/// Operations named per reader.
const MAX_OPS: usize = 8;

/// Whether a logged request read the bucket's content and succeeded.
fn successful_read(r: &S3Request, ev: &Event) -> bool {
    READS.contains(&r.operation.as_str())
        && ev.error_code.is_none()
        && r.http_status.is_none_or(|s| (200..300).contains(&s))
}

/// A bucket's access-log lines.
#[derive(Debug, Default)]
struct BucketLog {
    /// Files (by ordinal) holding its lines.
    files: HashSet<u64>,
    /// The first few of them.
    named: BTreeMap<u64, Arc<SourceFile>>,
    lines: u64,
    in_window: u64,
    span: Option<Span>,
    /// Its first lines.
    refs: FirstRefs,
    /// Hours (ms / 3 600 000) with a line.
    hours: BTreeSet<i64>,
}

/// An hour, ms.
const HOUR_MS: i64 = 3_600_000;
/// The longest a bucket's log may fall short of the window's ends and still span it.
const MAX_QUIET_MS: i64 = 24 * HOUR_MS;

impl BucketLog {
    /// The longest time between two consecutive lines, to the hour, ms.
    fn longest_quiet(&self) -> i64 {
        let hours: Vec<i64> = self.hours.iter().copied().collect();
        hours
            .windows(2)
            .map(|w| (w[1] - w[0]) * HOUR_MS)
            .max()
            .unwrap_or(0)
    }

    /// How much of `[t0, end]` the lines span; each end may fall short by the bucket's
    /// longest quiet stretch (at least an hour, at most a day).
    fn window(&self, t0: i64, end: i64) -> WindowSpan {
        let slack = self.longest_quiet().clamp(HOUR_MS, MAX_QUIET_MS);
        match self.span {
            Some(s) if s.last < t0 || s.first > end => WindowSpan::None,
            Some(s) if s.first <= t0 + slack && s.last >= end - slack => WindowSpan::Whole,
            Some(_) => WindowSpan::Partial,
            None => WindowSpan::None,
        }
    }
}

/// (bucket, requester, address, why).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct ReaderKey {
    bucket: Box<str>,
    requester: Option<Box<str>>,
    ip: Box<str>,
    matched: LogReaderMatch,
}

/// One attacker reader of a bucket.
#[derive(Debug, Default)]
struct ReaderUse {
    requests: u64,
    operations: Earliest,
    keys: Earliest,
    /// Hashes of the distinct keys read (the count, without the keys' text).
    distinct: HashSet<u64>,
    bytes: u64,
    span: Option<Span>,
    refs: FirstRefs,
}

/// The access logs of every bucket, and the attacker's reads.
#[derive(Debug, Default)]
pub(super) struct AccessLogs {
    buckets: HashMap<Box<str>, BucketLog>,
    readers: HashMap<ReaderKey, ReaderUse>,
}

/// Why a request is the attacker's, if it is.
fn attacker_match(facts: &Facts, ev: &Event, r: &S3Request) -> Option<LogReaderMatch> {
    let ip = ev.source_ip.as_deref().unwrap_or("");
    let by = r.requester.as_deref().unwrap_or("");
    if facts.attacker_identity(by) {
        Some(LogReaderMatch::AttackerIdentity)
    } else if ip
        .parse()
        .ok()
        .and_then(|a| facts.attacker_address(&a))
        .is_some()
    {
        Some(LogReaderMatch::AttackerAddress)
    } else if facts.compromised_principal(by) && !facts.usual_address(ip) {
        Some(LogReaderMatch::CompromisedPrincipal)
    } else {
        None
    }
}

impl AccessLogs {
    pub(super) fn add(&mut self, facts: &Facts, ev: &Event, r: &S3Request) {
        let ms = ev.time.millis();
        let in_window = ms >= facts.t0;
        let file = &ev.provenance.file;
        let log = self.buckets.entry(r.bucket.as_str().into()).or_default();
        log.lines += 1;
        log.in_window += u64::from(in_window);
        widen(&mut log.span, ms, ms);
        log.refs.add(Ptr::of(ev));
        log.hours.insert(ms.div_euclid(HOUR_MS));
        if log.files.insert(file.ordinal) {
            log.named.insert(file.ordinal, Arc::clone(file));
            if log.named.len() > MAX_FILES {
                log.named.pop_last();
            }
        }
        if !in_window || !successful_read(r, ev) {
            return;
        }
        let Some(matched) = attacker_match(facts, ev, r) else {
            return;
        };
        let key = ReaderKey {
            bucket: r.bucket.as_str().into(),
            requester: r.requester.as_deref().map(Into::into),
            ip: ev.source_ip.as_deref().unwrap_or("").into(),
            matched,
        };
        let p = Ptr::of(ev);
        let at = p.key();
        let u = self.readers.entry(key).or_default();
        u.requests += 1;
        u.operations.add(&r.operation, at, MAX_OPS);
        if let Some(k) = r.key.as_deref() {
            u.keys.add(k, at, MAX_KEYS);
            let mut h = DefaultHasher::new();
            k.hash(&mut h);
            u.distinct.insert(h.finish());
        }
        u.bytes += r.bytes_sent.unwrap_or(0);
        widen(&mut u.span, ms, ms);
        u.refs.add(p);
    }

    pub(super) fn merge(&mut self, o: AccessLogs) {
        for (b, l) in o.buckets {
            let m = self.buckets.entry(b).or_default();
            m.files.extend(l.files);
            m.named.extend(l.named);
            while m.named.len() > MAX_FILES {
                m.named.pop_last();
            }
            m.lines += l.lines;
            m.in_window += l.in_window;
            if let Some(s) = l.span {
                widen(&mut m.span, s.first, s.last);
            }
            m.refs.merge(l.refs);
            m.hours.extend(l.hours);
        }
        for (k, r) in o.readers {
            let m = self.readers.entry(k).or_default();
            m.requests += r.requests;
            m.operations.merge(&r.operations, MAX_OPS);
            m.keys.merge(&r.keys, MAX_KEYS);
            m.distinct.extend(r.distinct);
            m.bytes += r.bytes;
            if let Some(s) = r.span {
                widen(&mut m.span, s.first, s.last);
            }
            m.refs.merge(r.refs);
        }
    }
}

/// The reads of one bucket, in order of first read.
fn readers_of(readers: &mut HashMap<ReaderKey, ReaderUse>, bucket: &str) -> Vec<LogReader> {
    let keys: Vec<ReaderKey> = readers
        .keys()
        .filter(|k| &*k.bucket == bucket)
        .cloned()
        .collect();
    let mut out: Vec<(i64, LogReader)> = keys
        .into_iter()
        .filter_map(|k| readers.remove(&k).map(|u| (k, u)))
        .map(|(k, u)| {
            let span = u.span.unwrap_or(Span { first: 0, last: 0 });
            let reader = LogReader {
                requester: k.requester.as_deref().map(str::to_owned),
                ip: k.ip.to_string(),
                matched: k.matched,
                requests: u.requests,
                operations: u.operations.to_strings(),
                objects: u.distinct.len() as u64,
                keys: u.keys.to_strings(),
                bytes_sent: u.bytes,
                first: time(span.first),
                last: time(span.last),
                refs: u.refs.refs(),
            };
            (span.first, reader)
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.1.ip).cmp(&(b.0, &b.1.ip)));
    out.into_iter().map(|(_, r)| r).collect()
}

/// One sentence of what the attacker's reads in the access logs were.
fn reads_sentence(readers: &[LogReader]) -> String {
    let requests: u64 = readers.iter().map(|r| r.requests).sum();
    let objects: u64 = readers.iter().map(|r| r.objects).sum();
    let bytes: u64 = readers.iter().map(|r| r.bytes_sent).sum();
    let mut who: Vec<String> = readers
        .iter()
        .map(|r| {
            format!(
                "{} from {}",
                r.requester.as_deref().unwrap_or("an anonymous requester"),
                r.ip
            )
        })
        .collect();
    who.dedup();
    format!(
        "the S3 server access logs show {requests} successful read request(s) of {objects} object(s), {bytes} byte(s) sent, by {}",
        who.join(", ")
    )
}

/// The data-event count in the window of a verdict's former coverage.
fn data_events_in_window(cov: Option<&StoreCoverage>) -> u64 {
    match cov {
        Some(StoreCoverage::DataEvents {
            data_events_in_window,
            ..
        }) => *data_events_in_window,
        _ => 0,
    }
}

/// The verdict and basis once the access logs are known.
fn decide(
    d: &DataAccess,
    readers: &[LogReader],
    cov: &StoreCoverage,
    w: Wording,
) -> (Verdict, String) {
    let StoreCoverage::S3AccessLog {
        first,
        last,
        lines_in_window,
        window,
        ..
    } = cov
    else {
        return (d.verdict, d.basis.clone());
    };
    let (first, last) = (
        first.as_deref().unwrap_or("?"),
        last.as_deref().unwrap_or("?"),
    );
    if !readers.is_empty() {
        let logs = reads_sentence(readers);
        return match d.verdict {
            Verdict::Accessed => (Verdict::Accessed, format!("{}; {logs}", d.basis)),
            _ => (Verdict::Accessed, logs),
        };
    }
    let span = format!("server access logs of the bucket span {first} to {last} ({lines_in_window} line(s) in {window})", window = w.window);
    match (d.verdict, window) {
        (Verdict::Accessed, _) => (Verdict::Accessed, d.basis.clone()),
        (Verdict::NotObserved, _) => (
            Verdict::NotObserved,
            format!("{}; {span}, none a read by {}", d.basis, w.identities),
        ),
        (Verdict::Unknown, WindowSpan::Whole) => (
            Verdict::NotObserved,
            format!(
                "{span}, covering the whole of {}; no read by {}",
                w.window, w.identities
            ),
        ),
        (Verdict::Unknown, WindowSpan::Partial) => (
            Verdict::Unknown,
            format!(
                "{span}: only part of {}; no read by {} in that part, and the rest is not covered",
                w.window, w.identities
            ),
        ),
        (Verdict::Unknown, WindowSpan::None) => (
            Verdict::Unknown,
            format!("{span}: none of {}; no data events for it either", w.window),
        ),
    }
}

/// Applies the access logs to the bucket verdicts; buckets seen only in access logs are added.
pub(super) fn apply(doc: &mut ScopeResult, facts: &Facts, mut logs: AccessLogs) {
    let Some(spec) = StoreSpec::of_kind(StoreKind::S3Bucket) else {
        return;
    };
    let mut names: Vec<Box<str>> = logs.buckets.keys().cloned().collect();
    names.sort();
    for name in names {
        let Some(log) = logs.buckets.remove(&name) else {
            continue;
        };
        let readers = readers_of(&mut logs.readers, &name);
        let at = doc
            .data_access
            .iter()
            .position(|d| d.store == StoreKind::S3Bucket && *d.name == *name);
        let at = at.unwrap_or_else(|| {
            doc.data_access.push(new_bucket(&name));
            doc.data_access.len() - 1
        });
        let d = &mut doc.data_access[at];
        let cov = StoreCoverage::S3AccessLog {
            files: log.files.len() as u64,
            file_names: log
                .named
                .values()
                .map(|f| f.path.display().to_string())
                .collect(),
            first: log.span.map(|s| time(s.first)),
            last: log.span.map(|s| time(s.last)),
            lines: log.lines,
            lines_in_window: log.in_window,
            window: log.window(facts.t0, facts.end),
            longest_quiet_hours: (log.longest_quiet() / HOUR_MS) as u64,
            data_events_in_window: data_events_in_window(d.coverage.as_ref()),
        };
        let (verdict, basis) = decide(d, &readers, &cov, Wording::of(doc.attribution));
        let question = format!("{} {name}", spec.reads_what);
        match readers.first() {
            Some(r) if d.verdict != Verdict::Accessed => d.refs = r.refs.clone(),
            None if d.refs.is_empty() => d.refs = log.refs.refs(),
            _ => {}
        }
        d.verdict = verdict;
        d.basis = basis.clone();
        d.coverage = Some(cov);
        d.access_log_reads = Some(readers);
        let topic = UnknownTopic::DataStore {
            store: d.store,
            name: d.name.clone(),
        };
        let existing = doc
            .unknowns
            .iter()
            .position(|u| u.about.as_ref() == Some(&topic));
        match (verdict, existing) {
            (Verdict::Unknown, Some(i)) => doc.unknowns[i].why = basis,
            (Verdict::Unknown, None) => doc.unknowns.push(Unknown {
                about: Some(topic),
                question,
                why: basis,
                would_resolve: spec.would_resolve.to_owned(),
                refs: None,
            }),
            (_, Some(i)) => {
                doc.unknowns.remove(i);
            }
            (_, None) => {}
        }
    }
}

/// A bucket named only in access logs.
fn new_bucket(name: &str) -> DataAccess {
    DataAccess {
        store: StoreKind::S3Bucket,
        name: name.to_owned(),
        region: None,
        verdict: Verdict::Unknown,
        basis: String::new(),
        readers: Some(Vec::new()),
        attacker_failed_reads: Some(0),
        coverage: None,
        access_log_reads: None,
        refs: Vec::new(),
    }
}
