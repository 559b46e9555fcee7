//! Stateful evaluation of correlation rules over events fed in time order.
//!
//! Semantics (those of pySigma's SQL correlation backends): every event
//! matched by a referenced rule, whose group-by fields are all present, is an
//! anchor; its window is `[time − timespan, time]` (both ends included) over
//! the events of the same group (group values compare ignoring case). The
//! metric is the number of events (`event_count`), of distinct non-null field
//! values, ignoring case (`value_count`), or of distinct referenced rules
//! (`temporal`; `temporal_ordered` also needs them in the listed order, each
//! strictly later than the previous). An anchor whose metric satisfies the
//! condition yields one [`CorrelationMatch`]; anchors of one group at the same
//! time yield one match, emitted once no more events of that time can come.
//!
//! Events slightly out of order are tolerated: a late event is placed in time
//! order and its own window evaluated at once; windows are only complete if
//! no event is later than the others by more than the timespan.

use std::collections::{HashMap, VecDeque};

use crate::correlation::{Correlation, CorrelationKind};
use crate::engine::Engine;
use crate::ids::{CorrelationId, RuleId};
use crate::record::{FieldPath, Record};
use crate::value::leaf_text;
use crate::wildcard::lower;

/// At most this many evidence events are kept in one match (the most recent).
pub const MAX_EVIDENCE: usize = 1000;

/// A correlation rule's condition held for one group at one time.
#[derive(Debug, Clone, PartialEq)]
pub struct CorrelationMatch {
    /// Which correlation.
    pub correlation: CorrelationId,
    /// The group-by fields and their (lowercased) values.
    pub group: Vec<(String, String)>,
    /// Start of the window, in milliseconds since the epoch.
    pub window_start: i64,
    /// End of the window: the time of the anchoring event(s).
    pub window_end: i64,
    /// The count the condition was tested on.
    pub metric: u64,
    /// The caller's references of the events in the window (for
    /// `temporal_ordered`, of the ordered sequence), oldest first, at most
    /// [`MAX_EVIDENCE`].
    pub events: Vec<u64>,
}

#[derive(Debug, Clone)]
struct Entry {
    time: i64,
    slot: usize,
    value: Option<Box<str>>,
    event: u64,
}

#[derive(Debug)]
struct Group {
    entries: VecDeque<Entry>,
    latest: i64,
}

impl Group {
    fn new() -> Self {
        Group {
            entries: VecDeque::new(),
            latest: i64::MIN,
        }
    }
}

#[derive(Debug, Default)]
struct State {
    groups: HashMap<String, Group>,
    values: HashMap<String, Vec<String>>,
    /// Group keys with anchors at `pending_time`, not yet evaluated.
    pending: Vec<String>,
    pending_time: i64,
    events_since_sweep: u32,
}

/// Feeds correlation rules; create one per pass over the events.
pub struct Correlator<'e> {
    engine: &'e Engine,
    states: Vec<State>,
    /// For each rule: the correlations and slots it feeds.
    feeds: Vec<Vec<(usize, usize)>>,
    /// The earliest time with pending anchors, if any.
    earliest_pending: Option<i64>,
    /// Matched events skipped because a group-by field was absent.
    missing_group: u64,
    late: u64,
}

impl<'e> Correlator<'e> {
    /// Prepares state for every correlation of `engine`.
    pub fn new(engine: &'e Engine) -> Self {
        let mut feeds = vec![Vec::new(); engine.rules().len()];
        for (c, corr) in engine.correlations().iter().enumerate() {
            for (s, slot) in corr.slots.iter().enumerate() {
                feeds[slot.rule.index()].push((c, s));
            }
        }
        Correlator {
            engine,
            states: engine
                .correlations()
                .iter()
                .map(|_| State::default())
                .collect(),
            feeds,
            earliest_pending: None,
            missing_group: 0,
            late: 0,
        }
    }

    /// Whether any correlation is loaded (if not, `observe` does nothing).
    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// Matched events not counted because a group-by field was absent.
    pub fn events_missing_group(&self) -> u64 {
        self.missing_group
    }

    /// Matched events older than one already seen in their group (counted
    /// once per correlation they feed).
    pub fn late_events(&self) -> u64 {
        self.late
    }

    /// Feeds one event: `time` in milliseconds, `hits` from
    /// [`Engine::evaluate`], `event` a reference of the caller's (returned in
    /// evidence). Matches whose window has closed are appended to `out`.
    pub fn observe(
        &mut self,
        time: i64,
        record: &dyn Record,
        hits: &[RuleId],
        event: u64,
        out: &mut Vec<CorrelationMatch>,
    ) {
        if self.earliest_pending.is_some_and(|t| t < time) {
            self.flush_before(time, out);
        }
        let mut done: Vec<usize> = Vec::new();
        for hit in hits {
            let Some(feeds) = self.feeds.get(hit.index()) else {
                continue;
            };
            for &(c, s) in feeds {
                let corr = &self.engine.correlations()[c];
                // An event counts once per event_count / value_count correlation.
                let once = matches!(
                    corr.kind,
                    CorrelationKind::EventCount | CorrelationKind::ValueCount
                );
                if once && done.contains(&c) {
                    continue;
                }
                let slot = &corr.slots[s];
                let Some((key, values)) = group_key(record, &slot.group) else {
                    self.missing_group += 1;
                    continue;
                };
                done.push(c);
                let value = slot
                    .field
                    .as_ref()
                    .and_then(|f| first_text(record, f))
                    .map(|v| lower(&v).into_boxed_str());
                let state = &mut self.states[c];
                let group = state.groups.entry(key.clone()).or_insert_with(Group::new);
                let entry = Entry {
                    time,
                    slot: s,
                    value,
                    event,
                };
                if time >= group.latest {
                    group.latest = time;
                    group.entries.push_back(entry);
                } else {
                    self.late += 1;
                    let at = group.entries.partition_point(|e| e.time <= time);
                    group.entries.insert(at, entry);
                }
                state.values.entry(key.clone()).or_insert(values);
                if time >= state.pending_time || state.pending.is_empty() {
                    if state.pending_time != time {
                        // Anchors still pending at an earlier time are complete.
                        flush_state(corr, c, state, out);
                        state.pending_time = time;
                    }
                    if !state.pending.contains(&key) {
                        state.pending.push(key);
                    }
                    self.earliest_pending =
                        Some(self.earliest_pending.map_or(time, |t| t.min(time)));
                } else {
                    // Late: its window is complete as far as it will ever be.
                    if let Some(m) = evaluate(corr, CorrelationId(c as u32), state, &key, time) {
                        out.push(m);
                    }
                }
            }
        }
    }

    /// Evaluates every pending window (call after the last event).
    pub fn finish(&mut self, out: &mut Vec<CorrelationMatch>) {
        self.flush_before(i64::MAX, out);
    }

    fn flush_before(&mut self, time: i64, out: &mut Vec<CorrelationMatch>) {
        let mut earliest = None;
        for (c, state) in self.states.iter_mut().enumerate() {
            if state.pending.is_empty() {
                continue;
            }
            if state.pending_time >= time {
                earliest =
                    Some(earliest.map_or(state.pending_time, |t: i64| t.min(state.pending_time)));
                continue;
            }
            let corr = &self.engine.correlations()[c];
            flush_state(corr, c, state, out);
            state.events_since_sweep += 1;
            if state.events_since_sweep >= 4096 {
                state.events_since_sweep = 0;
                sweep(state, corr.timespan_ms);
            }
        }
        self.earliest_pending = earliest;
    }
}

/// Evaluates the anchors pending in one correlation's state.
fn flush_state(corr: &Correlation, c: usize, state: &mut State, out: &mut Vec<CorrelationMatch>) {
    let t = state.pending_time;
    for key in std::mem::take(&mut state.pending) {
        if let Some(m) = evaluate(corr, CorrelationId(c as u32), state, &key, t) {
            out.push(m);
        }
    }
}

/// Drops entries that no future window can include, and empty groups.
fn sweep(state: &mut State, span: i64) {
    let latest = state
        .groups
        .values()
        .map(|g| g.latest)
        .max()
        .unwrap_or(i64::MIN);
    state.groups.retain(|_, g| {
        prune(g, span);
        !g.entries.is_empty() && g.latest >= latest.saturating_sub(span)
    });
    let groups = &state.groups;
    state.values.retain(|k, _| groups.contains_key(k));
}

fn prune(g: &mut Group, span: i64) {
    let horizon = g.latest.saturating_sub(span);
    while g.entries.front().is_some_and(|e| e.time < horizon) {
        g.entries.pop_front();
    }
}

fn first_text(record: &dyn Record, path: &FieldPath) -> Option<String> {
    let mut out = None;
    let mut buf = String::new();
    record.visit(path, &mut |v| {
        out = leaf_text(v, &mut buf).map(str::to_owned);
        out.is_some()
    });
    out
}

/// The group key (values joined by U+001F) and the values, or `None` when a
/// group-by field is absent or null.
fn group_key(record: &dyn Record, fields: &[FieldPath]) -> Option<(String, Vec<String>)> {
    let mut key = String::new();
    let mut values = Vec::with_capacity(fields.len());
    for (i, f) in fields.iter().enumerate() {
        let v = lower(&first_text(record, f)?);
        if i > 0 {
            key.push('\u{1f}');
        }
        key.push_str(&v);
        values.push(v);
    }
    Some((key, values))
}

fn evaluate(
    corr: &Correlation,
    id: CorrelationId,
    state: &mut State,
    key: &str,
    t: i64,
) -> Option<CorrelationMatch> {
    let group = state.groups.get_mut(key)?;
    // Entries before `latest - span` cannot be in this or any later window
    // of an in-order stream.
    if t == group.latest {
        prune(group, corr.timespan_ms);
    }
    let start = t.saturating_sub(corr.timespan_ms);
    let lo = group.entries.partition_point(|e| e.time < start);
    let hi = group.entries.partition_point(|e| e.time <= t);
    let window = group.entries.range(lo..hi);
    let (metric, evidence): (u64, Vec<u64>) = match corr.kind {
        CorrelationKind::EventCount => ((hi - lo) as u64, window.map(|e| e.event).collect()),
        CorrelationKind::ValueCount => {
            let mut seen: Vec<&str> = Vec::new();
            let mut ev = Vec::new();
            for e in window {
                ev.push(e.event);
                if let Some(v) = e.value.as_deref() {
                    if !seen.contains(&v) {
                        seen.push(v);
                    }
                }
            }
            (seen.len() as u64, ev)
        }
        CorrelationKind::Temporal => {
            let mut present = vec![false; corr.slots.len()];
            let mut ev = Vec::new();
            for e in window {
                present[e.slot] = true;
                ev.push(e.event);
            }
            (present.iter().filter(|p| **p).count() as u64, ev)
        }
        CorrelationKind::TemporalOrdered => {
            let entries: Vec<&Entry> = window.collect();
            return ordered(corr, id, &entries, state.values.get(key), start, t);
        }
    };
    if !corr.satisfied(metric as f64) {
        return None;
    }
    Some(CorrelationMatch {
        correlation: id,
        group: named_group(corr, state.values.get(key)),
        window_start: start,
        window_end: t,
        metric,
        events: cap(evidence),
    })
}

fn cap(mut v: Vec<u64>) -> Vec<u64> {
    if v.len() > MAX_EVIDENCE {
        v.drain(..v.len() - MAX_EVIDENCE);
    }
    v
}

fn named_group(corr: &Correlation, values: Option<&Vec<String>>) -> Vec<(String, String)> {
    corr.group_by
        .iter()
        .cloned()
        .zip(values.cloned().unwrap_or_default())
        .collect()
}

/// The earliest strictly increasing sequence through `slots` (in order)
/// within the window: the chosen entries, or `None`.
fn sequence<'a>(
    entries: &[&'a Entry],
    slots: &[usize],
    skip_absent: bool,
) -> Option<Vec<&'a Entry>> {
    let mut chosen: Vec<&Entry> = Vec::new();
    for &s in slots {
        let after = chosen.last().map(|e| e.time);
        let present = entries.iter().any(|e| e.slot == s);
        match entries
            .iter()
            .find(|e| e.slot == s && after.is_none_or(|a| e.time > a))
        {
            Some(e) => chosen.push(e),
            None if skip_absent && !present => {}
            None => return None,
        }
    }
    Some(chosen)
}

fn combinations(n: usize, k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    if k > n {
        return Vec::new();
    }
    let mut out = Vec::new();
    for first in 0..n {
        for mut rest in combinations(n - first - 1, k - 1) {
            rest.iter_mut().for_each(|r| *r += first + 1);
            rest.insert(0, first);
            out.push(rest);
        }
    }
    out
}

fn ordered(
    corr: &Correlation,
    id: CorrelationId,
    entries: &[&Entry],
    values: Option<&Vec<String>>,
    start: i64,
    t: i64,
) -> Option<CorrelationMatch> {
    let n = corr.slots.len();
    let mut present = vec![false; n];
    entries.iter().for_each(|e| present[e.slot] = true);
    let metric = present.iter().filter(|p| **p).count() as u64;
    let (op, value) = *corr.conditions.first()?;
    use crate::condition::AggOp;
    let chosen = if matches!(op, AggOp::Gt | AggOp::Gte) {
        // Some `required` of the rules, in the listed order.
        let required = if op == AggOp::Gt {
            value.floor() as usize + 1
        } else {
            value.ceil().max(0.0) as usize
        };
        combinations(n, required)
            .into_iter()
            .find_map(|slots| sequence(entries, &slots, false))?
    } else {
        // Every rule present must fit the order.
        sequence(entries, &(0..n).collect::<Vec<_>>(), true)?
    };
    if !op.holds(metric as f64, value) {
        return None;
    }
    Some(CorrelationMatch {
        correlation: id,
        group: named_group(corr, values),
        window_start: start,
        window_end: t,
        metric,
        events: cap(chosen.iter().map(|e| e.event).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::RuleSet;
    use crate::record::JsonRecord;
    use serde_json::json;

    const BASE: &str = "title: Denied\nid: denied\nname: denied\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {errorCode: AccessDenied}, condition: s}\n---\ntitle: Login\nname: login\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: ConsoleLogin}, condition: s}\n---\ntitle: Key\nname: key\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: CreateAccessKey}, condition: s}\n";

    fn run(correlation: &str, events: &[(i64, serde_json::Value)]) -> Vec<CorrelationMatch> {
        let mut set = RuleSet::new();
        let p = set.add_yaml("c.yml", &format!("{BASE}---\n{correlation}"));
        assert!(p.is_empty(), "{p:?}");
        let (engine, p) = set.compile();
        assert!(p.is_empty(), "{p:?}");
        let mut c = Correlator::new(&engine);
        let mut out = Vec::new();
        let mut hits = Vec::new();
        for (i, (t, ev)) in events.iter().enumerate() {
            let rec = JsonRecord::new(ev);
            hits.clear();
            engine.evaluate(&rec, &mut hits);
            c.observe(*t * 1000, &rec, &hits, i as u64, &mut out);
        }
        c.finish(&mut out);
        out
    }

    fn denied(user: &str) -> serde_json::Value {
        json!({"eventName": "GetObject", "errorCode": "AccessDenied", "userIdentity": {"arn": user}, "sourceIPAddress": format!("1.1.1.{}", user.len())})
    }

    #[test]
    fn event_count_per_group_with_sliding_windows() {
        let corr = "title: Storm\ncorrelation:\n  type: event_count\n  rules: [denied]\n  group-by: [userIdentity.arn]\n  timespan: 60s\n  condition: {gte: 3}\n";
        let ev = [
            (0, denied("A")),
            (10, denied("a")),
            (20, denied("B")),
            (30, denied("A")),
            (100, denied("A")),
            (100, denied("A")),
            (150, denied("A")),
        ];
        let out = run(corr, &ev);
        let got: Vec<(i64, u64, String)> = out
            .iter()
            .map(|m| (m.window_end / 1000, m.metric, m.group[0].1.clone()))
            .collect();
        assert_eq!(got, vec![(30, 3, "a".to_owned()), (150, 3, "a".to_owned())]);
        assert_eq!(out[0].events, vec![0, 1, 3]);
        assert_eq!(out[1].events, vec![4, 5, 6]);
    }

    #[test]
    fn equal_times_are_one_window_and_lt_conditions_wait_for_it() {
        let corr = "title: Few\ncorrelation:\n  type: event_count\n  rules: [denied]\n  group-by: [userIdentity.arn]\n  timespan: 60s\n  condition: {lt: 2}\n";
        let ev = [(0, denied("A")), (0, denied("A")), (200, denied("A"))];
        let out = run(corr, &ev);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].window_end, 200_000);
    }

    #[test]
    fn late_events_within_the_timespan_count() {
        let corr = "title: Storm\ncorrelation:\n  type: event_count\n  rules: [denied]\n  group-by: [userIdentity.arn]\n  timespan: 60s\n  condition: {gte: 3}\n";
        let ordered = run(
            corr,
            &[(0, denied("A")), (10, denied("A")), (20, denied("A"))],
        );
        let late = run(
            corr,
            &[(0, denied("A")), (20, denied("A")), (10, denied("A"))],
        );
        assert_eq!(ordered.len(), 1);
        assert_eq!(late.len(), 1);
        assert_eq!(ordered[0].window_end, late[0].window_end);
        assert_eq!(late[0].events, vec![0, 2, 1]);
        let before_1970 = run(
            corr,
            &[(-30, denied("A")), (-20, denied("A")), (-10, denied("A"))],
        );
        assert_eq!(before_1970.len(), 1);
    }

    #[test]
    fn value_count_counts_distinct_values() {
        let corr = "title: Spray\ncorrelation:\n  type: value_count\n  rules: [denied]\n  group-by: [eventName]\n  timespan: 1m\n  condition: {field: userIdentity.arn, gt: 2}\n";
        let ev = [
            (0, denied("A")),
            (1, denied("a")),
            (2, denied("B")),
            (3, denied("CC")),
            (4, denied("CC")),
        ];
        let out = run(corr, &ev);
        assert_eq!(
            out.iter()
                .map(|m| (m.window_end / 1000, m.metric))
                .collect::<Vec<_>>(),
            vec![(3, 3), (4, 3)]
        );
    }

    #[test]
    fn temporal_any_order_and_ordered() {
        let login = |u: &str| json!({"eventName": "ConsoleLogin", "userIdentity": {"arn": u}});
        let key = |u: &str| json!({"eventName": "CreateAccessKey", "userIdentity": {"arn": u}});
        let t = "title: T\ncorrelation:\n  type: temporal\n  rules: [login, key]\n  group-by: [userIdentity.arn]\n  timespan: 10m\n";
        let ev = [
            (0, key("u")),
            (60, login("u")),
            (70, login("v")),
            (2000, login("u")),
        ];
        let out = run(t, &ev);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].window_end, out[0].metric), (60_000, 2));
        let o = "title: O\ncorrelation:\n  type: temporal_ordered\n  rules: [login, key]\n  group-by: [userIdentity.arn]\n  timespan: 10m\n";
        assert!(run(o, &ev).is_empty());
        let ev = [(0, login("u")), (60, key("u"))];
        let out = run(o, &ev);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].events, vec![0, 1]);
    }

    #[test]
    fn aliases_map_group_fields_per_rule() {
        let t = "title: T\ncorrelation:\n  type: temporal\n  rules: [login, key]\n  group-by: [who]\n  timespan: 10m\n  aliases:\n    who:\n      login: userIdentity.arn\n      key: requestParameters.userName\n";
        let ev = [
            (
                0,
                json!({"eventName": "ConsoleLogin", "userIdentity": {"arn": "bob"}}),
            ),
            (
                5,
                json!({"eventName": "CreateAccessKey", "requestParameters": {"userName": "Bob"}}),
            ),
        ];
        let out = run(t, &ev);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].group, vec![("who".to_owned(), "bob".to_owned())]);
    }

    #[test]
    fn referenced_rules_are_hidden_unless_generate() {
        let mut set = RuleSet::new();
        set.add_yaml("c.yml", &format!("{BASE}---\ntitle: C\ncorrelation:\n  type: event_count\n  rules: [denied]\n  group-by: [x]\n  timespan: 1m\n  condition: {{gt: 1}}\n"));
        let (engine, _) = set.compile();
        assert!(!engine.rules()[0].is_standalone());
        assert!(engine.rules()[1].is_standalone());
        let mut set = RuleSet::new();
        set.add_yaml("c.yml", &format!("{BASE}---\ntitle: C\ncorrelation:\n  type: event_count\n  generate: true\n  rules: [denied]\n  group-by: [x]\n  timespan: 1m\n  condition: {{gt: 1}}\n"));
        let (engine, _) = set.compile();
        assert!(engine.rules()[0].is_standalone());
    }

    #[test]
    fn unknown_and_chained_references_are_refused() {
        let mut set = RuleSet::new();
        set.add_yaml("c.yml", &format!("{BASE}---\ntitle: C\nid: c1\ncorrelation:\n  type: event_count\n  rules: [nope]\n  group-by: [x]\n  timespan: 1m\n  condition: {{gt: 1}}\n---\ntitle: D\ncorrelation:\n  type: event_count\n  rules: [c1]\n  group-by: [x]\n  timespan: 1m\n  condition: {{gt: 1}}\n"));
        let (engine, p) = set.compile();
        assert!(engine.correlations().is_empty());
        assert_eq!(p.len(), 2);
        assert!(p[0].to_string().contains("nope"));
        assert!(p[1].to_string().contains("correlations of correlations"));
        // The rules of a refused correlation still run on their own.
        assert!(engine.rules()[0].is_standalone());
    }

    #[test]
    fn obsolete_count_aggregation_runs_as_event_count() {
        let mut set = RuleSet::new();
        let p = set.add_yaml("a.yml", "title: Enum\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: 'list*'}, timeframe: 10m, condition: s | count() by sourceIPAddress > 2}\n");
        assert!(p.is_empty());
        let (engine, _) = set.compile();
        let mut c = Correlator::new(&engine);
        let mut out = Vec::new();
        for i in 0..4 {
            let ev = json!({"eventName": "ListUsers", "sourceIPAddress": "1.2.3.4"});
            let rec = JsonRecord::new(&ev);
            let mut hits = Vec::new();
            engine.evaluate(&rec, &mut hits);
            assert!(engine.matches(&rec).next().is_none());
            c.observe(i * 1000, &rec, &hits, i as u64, &mut out);
        }
        c.finish(&mut out);
        assert_eq!(out.iter().map(|m| m.metric).collect::<Vec<_>>(), [3, 4]);
    }

    #[test]
    fn combinations_enumerate_in_order() {
        assert_eq!(combinations(3, 2), vec![vec![0, 1], vec![0, 2], vec![1, 2]]);
        assert_eq!(combinations(2, 3), Vec::<Vec<usize>>::new());
    }
}
