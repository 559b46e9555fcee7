//! One streaming, parallel pass: every rule, every analytic, then correlations.

use std::sync::Arc;

use cloudcase_event::{Event, SourceFile};
use cloudcase_read::{read_files_tracked, Accounting, EventSink, Limits, Progress, Rejection};
use cloudcase_sigma::{
    AttackTag, Correlator, Engine, EventRecord, Level, Metadata, RuleId, Status,
};

use crate::analytics::{Analytics, Geo};
use crate::finding::{Finding, Origin, Witness};

/// What to report.
pub struct HuntOptions<'g> {
    /// Findings below this level are counted but not reported.
    pub min_level: Level,
    /// Only rules with one of these statuses run (all when empty).
    pub statuses: Vec<Status>,
    /// Run the stateful analytics.
    pub analytics: bool,
    /// Country lookup for analytics, when a database was given.
    pub geo: Option<&'g dyn Geo>,
    /// Worker threads.
    pub threads: usize,
    /// Reader limits.
    pub limits: Limits,
}

/// What a hunt found.
#[derive(Debug)]
pub struct HuntOutcome {
    /// Findings at or above the minimum level, in time order.
    pub findings: Vec<Finding>,
    /// Findings below the minimum level, by level (not reported individually).
    pub below_threshold: u64,
    /// The reader's accounting.
    pub accounting: Accounting,
    /// Events that matched a rule feeding a correlation.
    pub correlated_events: u64,
}

/// ATT&CK tactics and techniques of a rule's tags.
pub fn attack_of(meta: &Metadata) -> (Vec<String>, Vec<String>) {
    let mut tactics = Vec::new();
    let mut techniques = Vec::new();
    for tag in &meta.attack {
        match tag {
            AttackTag::Tactic(t) => tactics.push(t.clone()),
            AttackTag::Technique(t) => techniques.push(t.clone()),
            _ => {}
        }
    }
    (tactics, techniques)
}

fn rule_finding(
    meta: &Metadata,
    origin: Origin,
    witness: Witness,
    detail: Option<String>,
) -> Finding {
    let (tactics, techniques) = attack_of(meta);
    Finding {
        rule_id: meta.id.clone().unwrap_or_else(|| meta.title.clone()),
        title: meta.title.clone(),
        level: meta.level.unwrap_or(Level::Medium),
        origin,
        tactics,
        techniques,
        detail,
        witness,
    }
}

struct HuntSink<'a> {
    engine: &'a Engine,
    opts: &'a HuntOptions<'a>,
    runs: &'a [bool],
    feeds: &'a [bool],
    hits: Vec<RuleId>,
    findings: Vec<Finding>,
    below: u64,
    analytics: Analytics,
    correlated: Vec<(Event, Vec<RuleId>)>,
}

impl EventSink for HuntSink<'_> {
    fn accept(&mut self, event: Event) {
        if self.opts.analytics {
            self.analytics.observe(&event, self.opts.geo);
        }
        self.hits.clear();
        self.engine
            .evaluate(&EventRecord::new(&event), &mut self.hits);
        self.hits.retain(|id| self.runs[id.index()]);
        if self.hits.is_empty() {
            return;
        }
        for id in &self.hits {
            let rule = self.engine.rule(*id);
            if !rule.is_standalone() {
                continue;
            }
            if rule.level().unwrap_or(Level::Medium) < self.opts.min_level {
                self.below += 1;
                continue;
            }
            self.findings.push(rule_finding(
                rule.meta(),
                Origin::Rule,
                Witness::of(&event),
                None,
            ));
        }
        if self.hits.iter().any(|id| self.feeds[id.index()]) {
            let hits = self.hits.clone();
            self.correlated.push((event, hits));
        }
    }
}

/// Runs every rule of `engine` and the analytics over `files` in one pass.
pub fn hunt(
    files: &[Arc<SourceFile>],
    engine: &Engine,
    feeds: &[bool],
    opts: &HuntOptions<'_>,
    on_reject: &(dyn Fn(Rejection) + Sync),
    progress: &Progress,
) -> HuntOutcome {
    let runs: Vec<bool> = engine
        .rules()
        .iter()
        .map(|r| opts.statuses.is_empty() || r.status().is_some_and(|s| opts.statuses.contains(&s)))
        .collect();
    let sinks: Vec<HuntSink<'_>> = (0..opts.threads.max(1))
        .map(|_| HuntSink {
            engine,
            opts,
            runs: &runs,
            feeds,
            hits: Vec::new(),
            findings: Vec::new(),
            below: 0,
            analytics: Analytics::default(),
            correlated: Vec::new(),
        })
        .collect();
    let (sinks, accounting) = read_files_tracked(files, opts.limits, sinks, on_reject, progress);
    let mut findings = Vec::new();
    let mut below = 0;
    let mut analytics = Analytics::default();
    let mut correlated = Vec::new();
    for sink in sinks {
        findings.extend(sink.findings);
        below += sink.below;
        analytics.merge(sink.analytics);
        correlated.extend(sink.correlated);
    }
    for f in analytics.findings() {
        if f.level >= opts.min_level {
            findings.push(f);
        } else {
            below += 1;
        }
    }
    let correlated_events = correlated.len() as u64;
    for f in correlate(engine, correlated) {
        if f.level >= opts.min_level {
            findings.push(f);
        } else {
            below += 1;
        }
    }
    findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    HuntOutcome {
        findings,
        below_threshold: below,
        accounting,
        correlated_events,
    }
}

/// Feeds the events that matched correlation rules to the correlator in time
/// order and turns its matches into findings on their first event.
fn correlate(engine: &Engine, mut events: Vec<(Event, Vec<RuleId>)>) -> Vec<Finding> {
    if engine.correlations().is_empty() || events.is_empty() {
        return Vec::new();
    }
    events.sort_by_key(|(e, _)| (e.time, e.provenance.file.ordinal, e.provenance.record));
    let mut correlator = Correlator::new(engine);
    let mut matches = Vec::new();
    for (i, (event, hits)) in events.iter().enumerate() {
        correlator.observe(
            event.time.millis(),
            &EventRecord::new(event),
            hits,
            i as u64,
            &mut matches,
        );
    }
    correlator.finish(&mut matches);
    matches
        .into_iter()
        .filter_map(|m| {
            let first = events.get(usize::try_from(*m.events.first()?).ok()?)?;
            let corr = engine.correlation(m.correlation);
            let group: Vec<String> = m.group.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let detail = format!(
                "{} events between {} and {} ({})",
                m.metric,
                cloudcase_event::EventTime::from_millis(m.window_start),
                cloudcase_event::EventTime::from_millis(m.window_end),
                group.join(", ")
            );
            Some(rule_finding(
                corr.meta(),
                Origin::Correlation,
                Witness::of(&first.0),
                Some(detail),
            ))
        })
        .collect()
}
