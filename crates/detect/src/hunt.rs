//! One streaming, parallel pass: every rule, every analytic, then correlations.

use std::io;
use std::path::PathBuf;

use cloudcase_event::Event;
use cloudcase_read::{
    read_files_tracked, Accounting, EventSink, FileFinder, Files, Limits, Progress, Rejection,
};
use cloudcase_sigma::{
    AttackTag, Correlator, Engine, EventRecord, Level, Metadata, RuleId, Status,
};
use cloudcase_timeline::sort::{merge_within, LineKey, RunBuilder, Runs};

use crate::analytics::{Analytics, Geo};
use crate::finding::{Finding, FindingView, Origin, RuleInfo, Witness};
use crate::routine::Routine;
use crate::sink::{FindingSink, SinkError};
use crate::spool::{self, Replay};
use crate::summary::HuntSummary;
use crate::tally::Tally;

/// Default memory for findings held for time ordering and the burst analytics' windows, in all
/// workers together (8 MiB: on 20 GB of a busy account, 32 MiB peaked at 81 MB and 8 MiB at
/// 56 MB, in the same time, 27–28 s).
pub const DEFAULT_SORT_MEMORY: usize = 8 << 20;

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
    /// Bytes of findings and of burst windows kept in memory (all workers
    /// together, half for each) before sorted runs spill to temporary files
    /// ([`DEFAULT_SORT_MEMORY`] unless asked otherwise).
    pub sort_memory: usize,
    /// Where spilled runs go (the system temporary directory if `None`).
    pub temp_dir: Option<PathBuf>,
    /// Runs once every file is read, before findings are written (e.g. to
    /// clear a progress display).
    pub after_read: &'g (dyn Fn() + Sync),
}

/// What a hunt found. The findings themselves went to the sink, in time order.
#[derive(Debug)]
pub struct HuntOutcome {
    /// Counts of the findings reported, as handed to the sink's `finish`.
    pub summary: HuntSummary,
    /// The reader's accounting.
    pub accounting: Accounting,
    /// Events that matched a rule feeding a correlation.
    pub correlated_events: u64,
}

/// Errors that stop a hunt.
#[derive(Debug, thiserror::Error)]
pub enum HuntError {
    /// Spilling sorted findings to the temporary directory failed.
    #[error("cannot spill sorted findings to the temporary directory: {0}")]
    Spill(#[source] io::Error),
    /// The sink failed (other than its reader closing a pipe).
    #[error(transparent)]
    Output(SinkError),
    /// Held findings could not be read back from the sort.
    #[error("cannot read back the sorted findings: {0}")]
    Merge(#[source] io::Error),
    /// The analytics' burst windows could not be written to or read back from
    /// the temporary directory.
    #[error("cannot keep the burst analytics' windows in the temporary directory: {0}")]
    Windows(#[source] io::Error),
}

/// Findings of one worker, queued for time ordering (they are counted as they are
/// delivered, once routine findings have their level).
struct Collected {
    runs: RunBuilder,
    error: Option<io::Error>,
}

impl Collected {
    /// A queue whose spilled runs go to `runs`' pool (one pool per hunt, so the
    /// sort's open run files stay bounded however many workers spill).
    fn new(runs: RunBuilder) -> Self {
        Collected { runs, error: None }
    }

    fn push(&mut self, f: &FindingView<'_>) {
        if self.error.is_some() {
            return;
        }
        let key = LineKey::at(f.time, f.file.ordinal, f.record);
        if let Err(e) = self.runs.push_with(key, |buf| spool::encode(f, buf)) {
            self.error = Some(e);
        }
    }
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

/// What each rule contributes to its findings, prepared once.
pub fn rule_infos(engine: &Engine) -> Vec<RuleInfo> {
    engine
        .rules()
        .iter()
        .map(|r| {
            let (tactics, techniques) = attack_of(r.meta());
            RuleInfo {
                id: r.id().unwrap_or(r.title()).to_owned(),
                title: r.title().to_owned(),
                level: r.level().unwrap_or(Level::Medium),
                tactics: tactics.join(" "),
                techniques: techniques.join(" "),
            }
        })
        .collect()
}

struct HuntSink<'a> {
    engine: &'a Engine,
    opts: &'a HuntOptions<'a>,
    infos: &'a [RuleInfo],
    runs: &'a [bool],
    feeds: &'a [bool],
    hits: Vec<RuleId>,
    out: Collected,
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
            let info = &self.infos[id.index()];
            if info.level < self.opts.min_level {
                self.below += 1;
                continue;
            }
            self.out.push(&FindingView::of_rule(info, &event));
        }
        if self.hits.iter().any(|id| self.feeds[id.index()]) {
            let hits = self.hits.clone();
            self.correlated.push((event, hits));
        }
    }

    /// Rules and analytics read fields from the record text (the judge reads a
    /// console sign-in's bodies there too), so the bodies are not copied.
    fn wants_bodies(&self) -> bool {
        false
    }
}

/// Runs every rule of `engine` and the analytics over `files` in one pass,
/// and hands the findings to `sink` in time order, then the summary.
///
/// Each file is read once, whatever the sink. Memory stays bounded: findings
/// are sorted in runs that spill to temporary files past `sort_memory`; only
/// counts are kept for the summary. A sink closed by its reader ends the
/// output quietly.
pub fn hunt(
    files: &dyn Files,
    engine: &Engine,
    feeds: &[bool],
    opts: &HuntOptions<'_>,
    on_reject: &(dyn Fn(Rejection) + Sync),
    progress: &Progress,
    sink: &mut dyn FindingSink,
) -> Result<HuntOutcome, HuntError> {
    let runs: Vec<bool> = engine
        .rules()
        .iter()
        .map(|r| opts.statuses.is_empty() || r.status().is_some_and(|s| opts.statuses.contains(&s)))
        .collect();
    let threads = opts.threads.max(1);
    let infos = rule_infos(engine);
    let half = opts.sort_memory / 2;
    let budget = half / (threads + 1);
    let pool = RunBuilder::new(budget, opts.temp_dir.clone());
    let mut analytics = Analytics::new(half / threads, opts.temp_dir.clone());
    let sinks: Vec<HuntSink<'_>> = (0..threads)
        .map(|_| HuntSink {
            engine,
            opts,
            infos: &infos,
            runs: &runs,
            feeds,
            hits: Vec::new(),
            out: Collected::new(pool.share(budget)),
            below: 0,
            analytics: analytics.share(),
            correlated: Vec::new(),
        })
        .collect();
    let (sinks, accounting) = read_files_tracked(files, opts.limits, sinks, on_reject, progress);
    (opts.after_read)();
    let mut late = Collected::new(pool);
    let mut below = 0;
    let mut correlated = Vec::new();
    let mut all_runs: Vec<Runs> = Vec::new();
    for sink in sinks {
        if let Some(e) = sink.out.error {
            return Err(HuntError::Spill(e));
        }
        all_runs.push(sink.out.runs.finish());
        below += sink.below;
        analytics.merge(sink.analytics);
        correlated.extend(sink.correlated);
    }
    let correlated_events = correlated.len() as u64;
    let analytic = analytics
        .findings(files, opts.limits, opts.min_level)
        .map_err(HuntError::Windows)?;
    below += analytic.below;
    for f in analytic
        .findings
        .into_iter()
        .chain(correlate(engine, correlated))
    {
        if f.level >= opts.min_level {
            late.push(&f.view());
        } else {
            below += 1;
        }
    }
    if let Some(e) = late.error {
        return Err(HuntError::Spill(e));
    }
    all_runs.push(late.runs.finish());
    let summary = HuntSummary {
        tally: Tally::default(),
        below_threshold: below,
        min_level: opts.min_level,
        countries_from: opts.geo.map(|g| g.description().to_owned()),
    };
    let summary = deliver(files, all_runs, half, summary, sink)?;
    Ok(HuntOutcome {
        summary,
        accounting,
        correlated_events,
    })
}

/// Merges the sorted runs into `sink` through [`Routine`] (which sets routine findings'
/// levels and counts what is reported), reading spilled runs through `read_memory` bytes, then
/// finishes it with the summary: `base` with those counts.
fn deliver(
    files: &dyn Files,
    runs: Vec<Runs>,
    read_memory: usize,
    base: HuntSummary,
    sink: &mut dyn FindingSink,
) -> Result<HuntSummary, HuntError> {
    let mut routine = Routine::new(sink, base.min_level);
    let mut replay = Replay::new(FileFinder::new(files), &mut routine);
    let merged = merge_within(runs, read_memory, &mut replay).and_then(|_| replay.finish());
    let stopped = replay.error.take();
    match (merged, stopped) {
        (_, Some(e)) => return Err(HuntError::Output(e)),
        (Err(e), None) => return Err(HuntError::Merge(e)),
        (Ok(()), None) => {}
    }
    let summary = HuntSummary {
        tally: std::mem::take(&mut routine.tally),
        below_threshold: base.below_threshold + routine.below,
        ..base
    };
    match routine.finish_inner(&summary) {
        Ok(()) | Err(SinkError::Closed) => Ok(summary),
        Err(e) => Err(HuntError::Output(e)),
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
