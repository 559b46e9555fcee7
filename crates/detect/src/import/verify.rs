//! Checking claims against the case: the rule is loaded, the file is an evidence object of
//! the case, the record exists in it, its `eventID` is the one claimed, and the rule matches
//! it. Each object named is read once (its named records only), objects on several threads.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use cloudcase_event::{Event, SourceFile};
use cloudcase_read::{read_records, Files, Limits};
use cloudcase_sigma::{Engine, EventRecord, RuleId};

use super::claim::Claim;
use super::objects::CaseObjects;
use super::reason::{LineRejection, Reason};

/// A claim that holds: rule (by index into the engine's rules) on an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Accepted {
    /// The rule's index in [`Engine::rules`].
    pub rule: usize,
    /// The event's index in [`Verified::events`].
    pub event: usize,
}

/// The outcome of checking claims.
#[derive(Debug, Default)]
pub(crate) struct Verified {
    /// The records re-read, as events.
    pub events: Vec<Event>,
    /// The claims that hold.
    pub accepted: Vec<Accepted>,
    /// The claims that do not.
    pub rejected: Vec<LineRejection>,
}

/// A claim whose rule and object are known, waiting for its record.
struct Pending {
    line: u64,
    rule: usize,
    record: u64,
    event_id: String,
}

/// The pending claims on one object.
struct Group<'f> {
    file: &'f Arc<SourceFile>,
    claims: Vec<Pending>,
}

/// What checking one object's claims gave.
#[derive(Default)]
struct GroupOutcome {
    events: Vec<Event>,
    /// (rule, index into `events`).
    accepted: Vec<(usize, usize)>,
    rejected: Vec<LineRejection>,
}

fn rejection(line: u64, reason: Reason, detail: String) -> LineRejection {
    LineRejection {
        line,
        reason,
        detail,
    }
}

/// The rules reported on their own, by id (the first rule of an id wins, as in SQL).
fn rules_by_id(engine: &Engine) -> HashMap<&str, usize> {
    let mut ids = HashMap::new();
    for (i, r) in engine.rules().iter().enumerate() {
        if r.is_standalone() {
            ids.entry(r.id().unwrap_or(r.title())).or_insert(i);
        }
    }
    ids
}

/// Checks `claims` against `files` (the case's objects) with `engine`'s rules, reading on
/// `threads` threads.
pub(crate) fn verify(
    claims: Vec<Claim>,
    engine: &Engine,
    files: &dyn Files,
    limits: Limits,
    threads: usize,
) -> Verified {
    let ids = rules_by_id(engine);
    let objects = CaseObjects::new(files);
    let mut out = Verified::default();
    let mut seen = HashSet::new();
    let mut groups: BTreeMap<u64, Group<'_>> = BTreeMap::new();
    for c in claims {
        if !matches!(c.origin.as_str(), "" | "rule" | "imported") {
            let detail = format!("{} finding of {}", c.origin, c.rule_id);
            out.rejected
                .push(rejection(c.line, Reason::NotARuleFinding, detail));
            continue;
        }
        let Some(&rule) = ids.get(c.rule_id.as_str()) else {
            let detail = format!("no rule {:?} among the rules loaded", c.rule_id);
            out.rejected
                .push(rejection(c.line, Reason::UnknownRule, detail));
            continue;
        };
        let Some(file) = objects.resolve(&c.file) else {
            let detail = format!("{:?} is no evidence object of the case", c.file);
            out.rejected
                .push(rejection(c.line, Reason::FileNotInCase, detail));
            continue;
        };
        let sha = file.sha256.as_deref().unwrap_or("");
        if !c.sha256.is_empty() && c.sha256 != sha {
            let detail = format!("sha256 {} given, the object is {sha}", c.sha256);
            out.rejected
                .push(rejection(c.line, Reason::FileNotInCase, detail));
            continue;
        }
        if !seen.insert((rule, file.ordinal, c.record)) {
            let detail = format!("{} on record {} of {}", c.rule_id, c.record, c.file);
            out.rejected
                .push(rejection(c.line, Reason::Duplicate, detail));
            continue;
        }
        groups
            .entry(file.ordinal)
            .or_insert_with(|| Group {
                file,
                claims: Vec::new(),
            })
            .claims
            .push(Pending {
                line: c.line,
                rule,
                record: c.record,
                event_id: c.event_id,
            });
    }
    let groups: Vec<Group<'_>> = groups.into_values().collect();
    for outcome in check_groups(&groups, engine, limits, threads) {
        let base = out.events.len();
        out.accepted
            .extend(outcome.accepted.into_iter().map(|(rule, event)| Accepted {
                rule,
                event: base + event,
            }));
        out.events.extend(outcome.events);
        out.rejected.extend(outcome.rejected);
    }
    out.rejected.sort_by_key(|r| r.line);
    out
}

/// Checks every group, each object read once, on up to `threads` threads; outcomes in
/// group order.
fn check_groups(
    groups: &[Group<'_>],
    engine: &Engine,
    limits: Limits,
    threads: usize,
) -> Vec<GroupOutcome> {
    let next = AtomicUsize::new(0);
    let done: Mutex<Vec<(usize, GroupOutcome)>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..threads.clamp(1, groups.len().max(1)) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(group) = groups.get(i) else { break };
                let outcome = check_group(group, engine, limits);
                if let Ok(mut d) = done.lock() {
                    d.push((i, outcome));
                }
            });
        }
    });
    let mut done = done.into_inner().unwrap_or_else(|e| e.into_inner());
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, o)| o).collect()
}

/// Reads the records `group` names from its object and checks each claim on them.
fn check_group(group: &Group<'_>, engine: &Engine, limits: Limits) -> GroupOutcome {
    let mut wanted: Vec<u64> = group.claims.iter().map(|c| c.record).collect();
    wanted.sort_unstable();
    wanted.dedup();
    let events = read_records(group.file, limits, &wanted);
    let at: HashMap<u64, usize> = events
        .iter()
        .enumerate()
        .map(|(i, e)| (e.provenance.record, i))
        .collect();
    let mut hits: HashMap<usize, Vec<RuleId>> = HashMap::new();
    let mut out = GroupOutcome::default();
    let path = group.file.path.display();
    for c in &group.claims {
        let Some(&i) = at.get(&c.record) else {
            let detail = format!("{path} has no record {}", c.record);
            out.rejected
                .push(rejection(c.line, Reason::NoSuchRecord, detail));
            continue;
        };
        let event = &events[i];
        let actual = event.event_id.as_deref().unwrap_or("");
        if !c.event_id.is_empty() && c.event_id != actual {
            let detail = format!(
                "claimed {:?}, record {} of {path} has {actual:?}",
                c.event_id, c.record
            );
            out.rejected
                .push(rejection(c.line, Reason::EventIdMismatch, detail));
            continue;
        }
        let matched = hits.entry(i).or_insert_with(|| {
            let mut h = Vec::new();
            engine.evaluate(&EventRecord::new(event), &mut h);
            h
        });
        if !matched.iter().any(|id| id.index() == c.rule) {
            let rule = engine.rules()[c.rule].title();
            let detail = format!("{rule:?} does not match record {} of {path}", c.record);
            out.rejected
                .push(rejection(c.line, Reason::RuleDoesNotMatch, detail));
            continue;
        }
        out.accepted.push((c.rule, i));
    }
    out.events = events;
    out
}
