//! A finding: one detection, pointing to the raw record that shows it.

use std::borrow::Cow;
use std::sync::Arc;

use cloudcase_event::{Event, EventTime, SourceFile};
use cloudcase_sigma::Level;

/// Where a finding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// A Sigma rule matched one event.
    Rule,
    /// A Sigma correlation rule matched a group of events.
    Correlation,
    /// A stateful analytic (novelty, bursts) fired.
    Analytic,
    /// A Sigma rule's finding computed elsewhere (SQL on Spark, DuckDB, Athena) and
    /// imported by `hunt --import`, checked against the raw record it names.
    Imported,
}

impl Origin {
    /// Lower-case name for output.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Rule => "rule",
            Origin::Correlation => "correlation",
            Origin::Analytic => "analytic",
            Origin::Imported => "imported",
        }
    }
}

/// The event a finding rests on: its pivots and its raw record's location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    /// Event time.
    pub time: EventTime,
    /// Principal display name.
    pub principal: Option<String>,
    /// `userIdentity.type` (`IAMUser`, `AssumedRole`, `Root`, …).
    pub principal_type: Option<String>,
    /// Access key id.
    pub access_key: Option<String>,
    /// Source IP address or service name.
    pub source_ip: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// Recipient account.
    pub account: Option<String>,
    /// `eventSource`.
    pub event_source: String,
    /// `eventName`.
    pub event_name: String,
    /// `errorCode`.
    pub error_code: Option<String>,
    /// `eventID`.
    pub event_id: Option<String>,
    /// The input file.
    pub file: Arc<SourceFile>,
    /// The record's index in the file.
    pub record: u64,
}

impl Witness {
    /// The pivots and location of `event`.
    pub fn of(event: &Event) -> Self {
        Witness {
            time: event.time,
            principal: event.identity.display_name().map(str::to_owned),
            principal_type: event.identity.kind.clone(),
            access_key: event.identity.access_key_id.clone(),
            source_ip: event.source_ip.clone(),
            region: event.region.clone(),
            account: event.recipient_account.clone(),
            event_source: event.event_source.clone(),
            event_name: event.event_name.clone(),
            error_code: event.error_code.clone(),
            event_id: event.event_id.clone(),
            file: Arc::clone(&event.provenance.file),
            record: event.provenance.record,
        }
    }

    /// Order for "earliest": time, then input position — deterministic.
    pub fn order_key(&self) -> (EventTime, u64, u64) {
        (self.time, self.file.ordinal, self.record)
    }

    /// Keeps the earlier of `self` and `other`.
    pub fn keep_earliest(&mut self, other: Witness) {
        if other.order_key() < self.order_key() {
            *self = other;
        }
    }
}

/// One detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Rule or analytic id (a UUID for Sigma rules, `cloudcase.analytics.…` for analytics).
    pub rule_id: String,
    /// Human title.
    pub title: String,
    /// Severity.
    pub level: Level,
    /// Where it came from.
    pub origin: Origin,
    /// ATT&CK tactics (`persistence`, `privilege-escalation`, …).
    pub tactics: Vec<String>,
    /// ATT&CK techniques (`T1098.001`, …).
    pub techniques: Vec<String>,
    /// What was observed, for analytics and correlations (counts, baselines).
    pub detail: Option<String>,
    /// The event that shows it (for groups: the first one).
    pub witness: Witness,
}

impl Finding {
    /// Order for output: time, then input position, then rule id.
    pub fn sort_key(&self) -> (EventTime, u64, u64, &str) {
        let (t, f, r) = self.witness.order_key();
        (t, f, r, &self.rule_id)
    }
}

/// A finding seen through borrowed fields: what output and counting need,
/// without copying an event's strings (a rule can fire on most events).
#[derive(Debug, Clone)]
pub struct FindingView<'a> {
    /// Rule or analytic id.
    pub rule_id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Severity.
    pub level: Level,
    /// Where it came from.
    pub origin: Origin,
    /// ATT&CK tactics, space-separated.
    pub tactics: Cow<'a, str>,
    /// ATT&CK techniques, space-separated.
    pub techniques: Cow<'a, str>,
    /// What was observed.
    pub detail: Option<&'a str>,
    /// Event time.
    pub time: EventTime,
    /// Principal display name.
    pub principal: Option<&'a str>,
    /// `userIdentity.type` (`IAMUser`, `AssumedRole`, `Root`, …).
    pub principal_type: Option<&'a str>,
    /// Access key id.
    pub access_key: Option<&'a str>,
    /// Source IP or service.
    pub source_ip: Option<&'a str>,
    /// Region.
    pub region: Option<&'a str>,
    /// Recipient account.
    pub account: Option<&'a str>,
    /// `eventSource`.
    pub event_source: &'a str,
    /// `eventName`.
    pub event_name: &'a str,
    /// `errorCode`.
    pub error_code: Option<&'a str>,
    /// `eventID`.
    pub event_id: Option<&'a str>,
    /// The input file.
    pub file: &'a SourceFile,
    /// The record's index in the file.
    pub record: u64,
}

/// What a rule contributes to each of its findings, prepared once per rule.
#[derive(Debug, Clone)]
pub(crate) struct RuleInfo {
    /// Rule id (or title when it has none).
    pub id: String,
    /// Title.
    pub title: String,
    /// Level (medium when the rule has none).
    pub level: Level,
    /// ATT&CK tactics, space-separated.
    pub tactics: String,
    /// ATT&CK techniques, space-separated.
    pub techniques: String,
}

impl<'a> FindingView<'a> {
    /// A finding of `rule` on `event`.
    pub(crate) fn of_rule(rule: &'a RuleInfo, event: &'a Event) -> Self {
        FindingView {
            rule_id: &rule.id,
            title: &rule.title,
            level: rule.level,
            origin: Origin::Rule,
            tactics: Cow::Borrowed(&rule.tactics),
            techniques: Cow::Borrowed(&rule.techniques),
            detail: None,
            time: event.time,
            principal: event.identity.display_name(),
            principal_type: event.identity.kind.as_deref(),
            access_key: event.identity.access_key_id.as_deref(),
            source_ip: event.source_ip.as_deref(),
            region: event.region.as_deref(),
            account: event.recipient_account.as_deref(),
            event_source: &event.event_source,
            event_name: &event.event_name,
            error_code: event.error_code.as_deref(),
            event_id: event.event_id.as_deref(),
            file: &event.provenance.file,
            record: event.provenance.record,
        }
    }
}

impl Finding {
    /// This finding as a view.
    pub fn view(&self) -> FindingView<'_> {
        let w = &self.witness;
        FindingView {
            rule_id: &self.rule_id,
            title: &self.title,
            level: self.level,
            origin: self.origin,
            tactics: Cow::Owned(self.tactics.join(" ")),
            techniques: Cow::Owned(self.techniques.join(" ")),
            detail: self.detail.as_deref(),
            time: w.time,
            principal: w.principal.as_deref(),
            principal_type: w.principal_type.as_deref(),
            access_key: w.access_key.as_deref(),
            source_ip: w.source_ip.as_deref(),
            region: w.region.as_deref(),
            account: w.account.as_deref(),
            event_source: &w.event_source,
            event_name: &w.event_name,
            error_code: w.error_code.as_deref(),
            event_id: w.event_id.as_deref(),
            file: &w.file,
            record: w.record,
        }
    }
}
