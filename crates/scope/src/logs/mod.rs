//! Logs beyond CloudTrail — S3 server access logs, VPC flow logs, GuardDuty findings, Route 53
//! Resolver queries, Cost and Usage Reports — read in a third pass once the CloudTrail passes have found the attacker,
//! and matched against it: bucket verdicts from access logs, the `network`, `guardduty` and
//! `dns` sections, the actual cost. The intrusion and the attacker's identities rest on CloudTrail alone.
//!
//! Only the files the first pass saw such records in are read again, and every aggregate is
//! bounded by what it is matched against (the attacker's addresses, identities and instances)
//! or by the number of buckets and interfaces, never by the number of records.

mod access_log;
mod billing;
mod dns;
mod facts;
mod flows;
mod guardduty;
mod network;
#[cfg(test)]
mod test_events;

use cloudcase_event::{Detail, Event};
use cloudcase_model::scope::{RecordRef, ScopeResult};
use cloudcase_read::{read_files_tracked, EventSink, Files, Limits, Progress, Selection};

pub use facts::{launch_networks, Facts, InstanceNet, Known};

use crate::record::{reference, Ptr};
use crate::scan::Ordinals;

/// Records kept per group for `refs`.
const MAX_REFS: usize = 5;

/// The earliest few records of a group, for its `refs`.
#[derive(Debug, Clone, Default)]
pub(crate) struct FirstRefs(Vec<Ptr>);

impl FirstRefs {
    /// Records `p`.
    pub(crate) fn add(&mut self, p: Ptr) {
        if self.0.len() >= MAX_REFS && self.0.last().is_some_and(|l| l.key() <= p.key()) {
            return;
        }
        let at = self.0.partition_point(|q| q.key() < p.key());
        self.0.insert(at, p);
        self.0.truncate(MAX_REFS);
    }

    /// Merges another group's records.
    pub(crate) fn merge(&mut self, o: FirstRefs) {
        for p in o.0 {
            self.add(p);
        }
    }

    /// As record references.
    pub(crate) fn refs(&self) -> Vec<RecordRef> {
        self.0.iter().map(reference).collect()
    }
}

/// A first and last time, ms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    /// The first, ms.
    pub first: i64,
    /// The last, ms.
    pub last: i64,
}

/// Widens an optional span by `[first, last]`.
pub(crate) fn widen(span: &mut Option<Span>, first: i64, last: i64) {
    *span = Some(match *span {
        Some(s) => Span {
            first: s.first.min(first),
            last: s.last.max(last),
        },
        None => Span { first, last },
    });
}

/// How much of `[t0, end]` a span of records covers; a log delivered every few minutes may
/// start or end up to an hour away from the window's edges and still span it.
pub(crate) fn window_span(
    span: Option<Span>,
    t0: i64,
    end: i64,
) -> cloudcase_model::scope::WindowSpan {
    use cloudcase_model::scope::WindowSpan;
    const SLACK_MS: i64 = 3_600_000;
    match span {
        Some(s) if s.last < t0 || s.first > end => WindowSpan::None,
        Some(s) if s.first <= t0 + SLACK_MS && s.last >= end - SLACK_MS => WindowSpan::Whole,
        Some(_) => WindowSpan::Partial,
        None => WindowSpan::None,
    }
}

/// The third pass's state.
#[derive(Debug, Default)]
pub struct Pass3 {
    access: access_log::AccessLogs,
    flows: flows::Flows,
    findings: guardduty::Findings,
    queries: dns::Queries,
    charges: billing::Charges,
}

impl Pass3 {
    fn merge_all(parts: Vec<Pass3>) -> Pass3 {
        let mut out = Pass3::default();
        for p in parts {
            out.access.merge(p.access);
            out.flows.merge(p.flows);
            out.findings.merge(p.findings);
            out.queries.merge(p.queries);
            out.charges.merge(p.charges);
        }
        out
    }

    /// Adds one record (used by the sink and by tests).
    fn add(&mut self, facts: &Facts, ev: &Event) {
        match ev.detail.as_deref() {
            Some(Detail::S3Request(r)) => self.access.add(facts, ev, r),
            Some(Detail::Flow(f)) => self.flows.add(facts, ev, f),
            Some(Detail::Finding(f)) => self.findings.add(facts, ev, f),
            Some(Detail::DnsQuery(q)) => self.queries.add(facts, ev, q),
            Some(Detail::Charge(c)) => self.charges.add(facts, c),
            None => {}
        }
    }
}

/// The third pass's sink of one worker.
struct Pass3Sink<'a> {
    facts: &'a Facts,
    state: Pass3,
}

impl EventSink for Pass3Sink<'_> {
    fn accept(&mut self, ev: Event) {
        self.state.add(self.facts, &ev);
    }
}

/// Reads the files the first pass saw other logs in.
pub fn read(
    files: &dyn Files,
    which: &Ordinals,
    facts: &Facts,
    limits: Limits,
    threads: usize,
) -> Pass3 {
    if which.is_empty() {
        return Pass3::default();
    }
    let chosen = Selection::of(files, |f| which.contains(f.ordinal));
    let sinks: Vec<_> = (0..threads.max(1))
        .map(|_| Pass3Sink {
            facts,
            state: Pass3::default(),
        })
        .collect();
    let (sinks, _) = read_files_tracked(&chosen, limits, sinks, &|_| {}, &Progress::default());
    Pass3::merge_all(sinks.into_iter().map(|s| s.state).collect())
}

/// Adds what the other logs show to the document: bucket verdicts from access logs, the
/// `network`, `guardduty` and `dns` sections and `cost.actual`, with their unknowns.
pub fn apply(doc: &mut ScopeResult, facts: &Facts, pass: Pass3) {
    access_log::apply(doc, facts, pass.access);
    let w = crate::build::Wording::of(doc.attribution);
    doc.network = network::build(facts, pass.flows, &mut doc.unknowns, w);
    doc.guardduty = pass.findings.build();
    guardduty::corroborate(doc);
    doc.dns = pass.queries.build();
    pass.charges.apply(doc, facts);
}

#[cfg(test)]
mod tests;
