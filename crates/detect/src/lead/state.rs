//! What a lead keeps of its findings (counts and bounded samples), its score and its
//! reasons.

use std::collections::{BTreeMap, HashMap};

use cloudcase_event::EventTime;
use cloudcase_model::{Lead, LeadKind, LevelCounts};
use cloudcase_sigma::Level;

use super::weights::{
    category_of, novelty_of, points, BREADTH_POINTS, CATEGORIES, COINCIDENCE_POINTS,
    COINCIDENCE_WINDOW_MS, CONFIRMING_LEVEL, NOVELTY, RULE_CAP,
};
use super::who::Who;
use crate::finding::FindingView;

/// Distinct source addresses counted per lead at most; more are not listed.
const SOURCES_TRACKED: usize = 4096;
/// Distinct access keys counted per lead at most.
const KEYS_TRACKED: usize = 256;
/// Distinct event names kept per rule of a lead, for reasons.
const EVENTS_TRACKED: usize = 8;
/// Sources listed in a lead.
const SOURCES_SHOWN: usize = 5;
/// Access keys listed in a lead.
const KEYS_SHOWN: usize = 10;
/// Kinds of finding named per level in a reason, and events named per kind.
const GROUPS_SHOWN: usize = 4;
/// Saturated rules named in reasons.
const SATURATED_SHOWN: usize = 2;

/// Values counted, up to a number of distinct values.
#[derive(Debug)]
struct Counter {
    counts: HashMap<String, u64>,
    limit: usize,
}

impl Counter {
    fn new(limit: usize) -> Self {
        Counter {
            counts: HashMap::new(),
            limit,
        }
    }

    fn add(&mut self, value: &str) {
        if let Some(n) = self.counts.get_mut(value) {
            *n += 1;
        } else if self.counts.len() < self.limit {
            self.counts.insert(value.to_owned(), 1);
        }
    }

    /// Values, most counted first, then by value.
    fn ranked(&self) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self.counts.iter().map(|(k, n)| (k.as_str(), *n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }
}

/// What a rule's findings are, in reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Label {
    /// A behaviour category (index into [`CATEGORIES`]).
    Category(usize),
    /// A novelty analytic (index into [`NOVELTY`]).
    Novelty(usize),
    /// Neither (e.g. initial access alone).
    Other,
}

impl Label {
    fn of(f: &FindingView<'_>) -> Self {
        if let Some(n) = novelty_of(f.rule_id) {
            Label::Novelty(n)
        } else if let Some(c) = category_of(&f.tactics) {
            Label::Category(c)
        } else {
            Label::Other
        }
    }

    fn name(self) -> &'static str {
        match self {
            Label::Category(c) => CATEGORIES[c].name,
            Label::Novelty(n) => NOVELTY[n].kind,
            Label::Other => "other",
        }
    }
}

/// One rule's findings in a lead.
#[derive(Debug)]
struct RuleTally {
    title: String,
    label: Label,
    top: Level,
    count: u64,
    points: u64,
    events: Counter,
}

/// A novelty or confirming behaviour finding, remembered to find the other close in time.
#[derive(Debug, Clone)]
struct Mark {
    time: EventTime,
    /// Index into [`NOVELTY`] or [`CATEGORIES`].
    index: usize,
    source: Option<String>,
}

/// The first novelty and behaviour findings of the lead that fell close together.
#[derive(Debug)]
struct Coincidence {
    novelty: Mark,
    behaviour: Mark,
}

/// The findings of one lead, as counts and bounded samples.
#[derive(Debug)]
pub(crate) struct LeadState {
    counts: LevelCounts,
    first: EventTime,
    last: EventTime,
    rules: HashMap<String, RuleTally>,
    keys: Counter,
    sources: Counter,
    last_novelty: Option<Mark>,
    last_behaviour: Option<Mark>,
    coincidence: Option<Coincidence>,
}

/// A lead's score and what ranks equal scores.
#[derive(Debug, Clone)]
pub(crate) struct Scored {
    /// Points.
    pub score: u64,
    /// Highest level of its findings.
    pub top_level: Level,
    /// Number of findings.
    pub total: u64,
    /// Earliest finding.
    pub first: EventTime,
}

fn bump(counts: &mut LevelCounts, level: Level) {
    let slot = match level {
        Level::Critical => &mut counts.critical,
        Level::High => &mut counts.high,
        Level::Medium => &mut counts.medium,
        Level::Low => &mut counts.low,
        Level::Informational => &mut counts.informational,
    };
    *slot += 1;
}

fn count_at(counts: &LevelCounts, level: Level) -> u64 {
    match level {
        Level::Critical => counts.critical,
        Level::High => counts.high,
        Level::Medium => counts.medium,
        Level::Low => counts.low,
        Level::Informational => counts.informational,
    }
}

/// `within N min` / `within N h`, rounded up.
fn within(ms: i64) -> String {
    let minutes = (ms.max(0) + 59_999) / 60_000;
    if minutes <= 1 {
        "within a minute".to_owned()
    } else if minutes < 60 {
        format!("within {minutes} min")
    } else {
        format!("within {} h", (minutes + 59) / 60)
    }
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl LeadState {
    /// A lead whose first finding is at `time`.
    pub fn new(time: EventTime) -> Self {
        LeadState {
            counts: LevelCounts::default(),
            first: time,
            last: time,
            rules: HashMap::new(),
            keys: Counter::new(KEYS_TRACKED),
            sources: Counter::new(SOURCES_TRACKED),
            last_novelty: None,
            last_behaviour: None,
            coincidence: None,
        }
    }

    /// Adds one finding (findings come in time order).
    pub fn add(&mut self, f: &FindingView<'_>) {
        bump(&mut self.counts, f.level);
        self.first = self.first.min(f.time);
        self.last = self.last.max(f.time);
        if let Some(key) = f.access_key.filter(|k| !k.is_empty()) {
            self.keys.add(key);
        }
        if let Some(source) = f.source_ip.filter(|s| !s.is_empty()) {
            self.sources.add(source);
        }
        let label = Label::of(f);
        let rule = self
            .rules
            .entry(f.rule_id.to_owned())
            .or_insert_with(|| RuleTally {
                title: f.title.to_owned(),
                label,
                top: f.level,
                count: 0,
                points: 0,
                events: Counter::new(EVENTS_TRACKED),
            });
        rule.top = rule.top.max(f.level);
        rule.count += 1;
        rule.points += points(f.level);
        rule.events.add(f.event_name);
        self.coincide(f, label);
    }

    /// Remembers novelty and confirming behaviour, and their first coincidence.
    fn coincide(&mut self, f: &FindingView<'_>, label: Label) {
        let mark = |index| Mark {
            time: f.time,
            index,
            source: f.source_ip.map(str::to_owned),
        };
        let close = |m: &Mark| (f.time.millis() - m.time.millis()).abs() <= COINCIDENCE_WINDOW_MS;
        match label {
            Label::Novelty(n) => {
                if self.coincidence.is_none() {
                    if let Some(b) = self.last_behaviour.as_ref().filter(|b| close(b)) {
                        self.coincidence = Some(Coincidence {
                            novelty: mark(n),
                            behaviour: b.clone(),
                        });
                    }
                }
                // Of novelty findings on one record, the strongest is remembered.
                let stronger = self
                    .last_novelty
                    .as_ref()
                    .is_none_or(|m| m.time < f.time || n < m.index);
                if stronger {
                    self.last_novelty = Some(mark(n));
                }
            }
            Label::Category(c) if CATEGORIES[c].confirms && f.level >= CONFIRMING_LEVEL => {
                if self.coincidence.is_none() {
                    if let Some(n) = self.last_novelty.as_ref().filter(|n| close(n)) {
                        self.coincidence = Some(Coincidence {
                            novelty: n.clone(),
                            behaviour: mark(c),
                        });
                    }
                }
                self.last_behaviour = Some(mark(c));
            }
            _ => {}
        }
    }

    /// Behaviour categories of findings at or above `level`, strongest first.
    fn categories(&self, level: Level) -> Vec<usize> {
        let mut cats: Vec<usize> = self
            .rules
            .values()
            .filter(|r| r.top >= level)
            .filter_map(|r| match r.label {
                Label::Category(c) => Some(c),
                _ => None,
            })
            .collect();
        cats.sort_unstable();
        cats.dedup();
        cats
    }

    fn top_level(&self) -> Level {
        Level::ALL
            .into_iter()
            .rev()
            .find(|l| count_at(&self.counts, *l) > 0)
            .unwrap_or(Level::Informational)
    }

    /// Weighted findings (each rule capped), breadth and coincidence.
    pub fn score(&self) -> Scored {
        let findings: u64 = self
            .rules
            .values()
            .map(|r| r.points.min(RULE_CAP * points(r.top)))
            .sum();
        let breadth = self.categories(Level::Medium).len().saturating_sub(1) as u64;
        let coincidence = if self.coincidence.is_some() {
            COINCIDENCE_POINTS
        } else {
            0
        };
        Scored {
            score: findings + breadth * BREADTH_POINTS + coincidence,
            top_level: self.top_level(),
            total: self.rules.values().map(|r| r.count).sum(),
            first: self.first,
        }
    }

    /// One sentence per level that matters: its count and what its findings were.
    fn level_reasons(&self) -> Vec<String> {
        let top = self.top_level();
        let mut out = Vec::new();
        for level in [Level::Critical, Level::High, Level::Medium, Level::Low] {
            let n = count_at(&self.counts, level);
            // Low findings are only worth a sentence when nothing weighs more.
            if n == 0 || (level == Level::Low && top > Level::Low) {
                continue;
            }
            let mut groups: BTreeMap<Label, BTreeMap<&str, u64>> = BTreeMap::new();
            for rule in self.rules.values().filter(|r| r.top == level) {
                let events = groups.entry(rule.label).or_default();
                for (event, count) in rule.events.ranked() {
                    *events.entry(event).or_default() += count;
                }
            }
            let parts: Vec<String> = groups
                .iter()
                .take(GROUPS_SHOWN)
                .map(|(label, events)| {
                    let mut events: Vec<(&str, u64)> =
                        events.iter().map(|(e, c)| (*e, *c)).collect();
                    events.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                    let named: Vec<String> = events
                        .iter()
                        .take(GROUPS_SHOWN)
                        .map(|(e, c)| {
                            if *c > 1 {
                                format!("{e} ×{c}")
                            } else {
                                (*e).to_owned()
                            }
                        })
                        .collect();
                    let more = if events.len() > GROUPS_SHOWN {
                        ", …"
                    } else {
                        ""
                    };
                    format!("{} ({}{more})", label.name(), named.join(", "))
                })
                .collect();
            out.push(format!(
                "{} {}: {}",
                n,
                if n == 1 {
                    format!("{} finding", level.as_str())
                } else {
                    format!("{} findings", level.as_str())
                },
                parts.join(", ")
            ));
        }
        out
    }

    /// Why the lead ranks where it does, most telling first.
    fn reasons(&self, who: &Who) -> Vec<String> {
        let top = self.top_level();
        let mut out = self.level_reasons();
        if let Some(c) = &self.coincidence {
            let phrase = NOVELTY[c.novelty.index].phrase;
            let from = c
                .novelty
                .source
                .as_deref()
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            let behaviour = CATEGORIES[c.behaviour.index].name;
            let gap = within((c.behaviour.time.millis() - c.novelty.time.millis()).abs());
            out.push(if c.novelty.time <= c.behaviour.time {
                format!("{phrase}{from} followed by {behaviour} {gap}")
            } else {
                format!("{behaviour} followed {gap} by {phrase}{from}")
            });
        }
        let cats = self.categories(Level::Medium);
        if cats.len() > 1 {
            let names: Vec<&str> = cats.iter().map(|c| CATEGORIES[*c].name).collect();
            out.push(format!(
                "behaviour across {} tactics: {}",
                cats.len(),
                names.join(", ")
            ));
        }
        let mut saturated: Vec<&RuleTally> = self
            .rules
            .values()
            .filter(|r| r.points > RULE_CAP * points(r.top) && r.top == top)
            .collect();
        saturated.sort_by(|a, b| b.count.cmp(&a.count).then(a.title.cmp(&b.title)));
        for r in saturated.into_iter().take(SATURATED_SHOWN) {
            out.push(format!(
                "{} of \"{}\" count as {RULE_CAP} (findings of one kind saturate)",
                plural(r.count, &format!("{} finding", r.top.as_str())),
                r.title
            ));
        }
        if who.kind == LeadKind::Address {
            out.push("unauthenticated activity or a host's own records (no principal or access key: unsigned calls, flows, DNS queries), grouped by its source address".to_owned());
        }
        out
    }

    /// The lead at `rank`.
    pub fn lead(&self, who: &Who, scored: Scored, rank: u32) -> Lead {
        let keys = self.keys.ranked();
        let access_key = keys
            .iter()
            .find(|(k, _)| k.starts_with("AKIA"))
            .or(keys.first())
            .map(|(k, _)| (*k).to_owned());
        let sources = self.sources.ranked();
        Lead {
            rank,
            score: scored.score,
            kind: who.kind,
            principal: who.principal().to_owned(),
            account: who.account.clone(),
            access_key,
            access_keys: keys
                .iter()
                .take(KEYS_SHOWN)
                .map(|(k, _)| (*k).to_owned())
                .collect(),
            sources: sources
                .iter()
                .take(SOURCES_SHOWN)
                .map(|(s, _)| (*s).to_owned())
                .collect(),
            other_sources: sources.len().saturating_sub(SOURCES_SHOWN) as u64,
            first: self.first.to_utc_string(),
            last: self.last.to_utc_string(),
            findings: self.counts,
            tactics: self
                .categories(Level::Informational)
                .iter()
                .map(|c| CATEGORIES[*c].name.to_owned())
                .collect(),
            reasons: self.reasons(who),
        }
    }
}
