//! First use of a network, address, country or client by an identity, and of
//! a region by an account — relative to their own history in the logs.
//!
//! State is order-independent: for every (subject, value) pair only the
//! earliest event is kept, so workers can read files in any order and merge.

use std::collections::HashMap;

use cloudcase_event::{Event, EventTime};
use cloudcase_sigma::Level;

use super::identity::{source_address, subjects, Subject};
use super::{Candidate, Geo, Spec};
use crate::finding::Pointer;

/// A history shorter than this gives no baseline: novelty is not reported.
pub const BASELINE_MS: i64 = 24 * 3600 * 1000;

/// An identity whose baseline already spans more values than this is
/// itinerant: its new values are reported one level lower.
const SETTLED_MAX: usize = 3;

type Extract = fn(&Event, Option<&dyn Geo>) -> Option<String>;

/// Novelty dimensions: what is new, and how it is read from an event.
const DIMENSIONS: &[(Spec, Extract)] = &[
    (
        Spec {
            id: "cloudcase.analytics.new-network",
            title: "Identity used from a network (/24) never seen in its history",
            level: Level::Medium,
            tactics: &["initial-access"],
            techniques: &["T1078.004"],
        },
        |e, _| {
            e.source_ip
                .as_deref()
                .and_then(cloudcase_event::network::network_of)
        },
    ),
    (
        Spec {
            id: "cloudcase.analytics.new-source-ip",
            title: "Identity used from an IP address never seen in its history",
            level: Level::Low,
            tactics: &["initial-access"],
            techniques: &["T1078.004"],
        },
        |e, _| source_address(e).map(|ip| ip.to_string()),
    ),
    (
        Spec {
            id: "cloudcase.analytics.new-country",
            title: "Identity used from a country never seen in its history",
            level: Level::High,
            tactics: &["initial-access"],
            techniques: &["T1078.004"],
        },
        |e, geo| geo.and_then(|g| g.country(source_address(e)?)),
    ),
    (
        Spec {
            id: "cloudcase.analytics.new-client",
            title: "Identity used with a client (user-agent family) never seen in its history",
            level: Level::Low,
            tactics: &["defense-evasion"],
            techniques: &["T1078.004"],
        },
        |e, _| source_address(e).map(|_| cloudcase_event::agent::family(e.user_agent.as_deref())),
    ),
];

const RAPID_COUNTRY_CHANGE: Spec = Spec {
    id: "cloudcase.analytics.rapid-country-change",
    title: "Identity used from two countries within an hour (impossible travel)",
    level: Level::Medium,
    tactics: &["initial-access"],
    techniques: &["T1078.004"],
};

/// Index of the country dimension in [`DIMENSIONS`].
const COUNTRY: usize = 2;

const NEW_REGION: Spec = Spec {
    id: "cloudcase.analytics.new-region",
    title: "Region used for the first time in the account",
    level: Level::Medium,
    tactics: &["defense-evasion"],
    techniques: &["T1535"],
};

/// Earliest event per value.
type FirstSeen = HashMap<String, Pointer>;

#[derive(Debug)]
struct History {
    first: Pointer,
    dims: Vec<FirstSeen>,
    /// Earliest event per (country, hour since the epoch), when countries are known.
    travel: HashMap<(String, i64), Pointer>,
}

/// Novelty state of one worker (mergeable).
#[derive(Debug, Default)]
pub struct Novelty {
    subjects: HashMap<Subject, History>,
    /// Per account: earliest event per region (calls made from IP addresses only).
    regions: HashMap<String, FirstSeen>,
}

fn note(map: &mut FirstSeen, value: &str, event: &Event) {
    match map.get_mut(value) {
        Some(p) => p.keep_earliest_of(event),
        None => {
            map.insert(value.to_owned(), Pointer::of(event));
        }
    }
}

fn merge_first_seen(into: &mut FirstSeen, from: FirstSeen) {
    for (k, w) in from {
        match into.get_mut(&k) {
            Some(mine) => mine.keep_earliest(w),
            None => {
                into.insert(k, w);
            }
        }
    }
}

impl Novelty {
    /// Adds one event's history.
    pub fn observe(&mut self, event: &Event, geo: Option<&dyn Geo>) {
        if source_address(event).is_none() || event.identity.invoked_by.is_some() {
            return;
        }
        let subjects = subjects(event);
        let values: Vec<Option<String>> = if subjects.is_empty() {
            Vec::new()
        } else {
            DIMENSIONS.iter().map(|(_, get)| get(event, geo)).collect()
        };
        for subject in subjects {
            let history = self.subjects.entry(subject).or_insert_with(|| History {
                first: Pointer::of(event),
                dims: vec![FirstSeen::new(); DIMENSIONS.len()],
                travel: HashMap::new(),
            });
            history.first.keep_earliest_of(event);
            for (dim, value) in history.dims.iter_mut().zip(&values) {
                if let Some(v) = value {
                    note(dim, v, event);
                }
            }
            if let Some(country) = &values[COUNTRY] {
                let hour = event.time.millis().div_euclid(3_600_000);
                match history.travel.get_mut(&(country.clone(), hour)) {
                    Some(p) => p.keep_earliest_of(event),
                    None => {
                        history
                            .travel
                            .insert((country.clone(), hour), Pointer::of(event));
                    }
                }
            }
        }
        if let (Some(account), Some(region)) =
            (event.recipient_account.as_deref(), event.region.as_deref())
        {
            let map = self.regions.entry(account.to_owned()).or_default();
            note(map, region, event);
        }
    }

    /// Adds another worker's state.
    pub fn merge(&mut self, other: Novelty) {
        for (subject, theirs) in other.subjects {
            match self.subjects.get_mut(&subject) {
                Some(mine) => {
                    mine.first.keep_earliest(theirs.first);
                    for (m, t) in mine.dims.iter_mut().zip(theirs.dims) {
                        merge_first_seen(m, t);
                    }
                    for (k, p) in theirs.travel {
                        match mine.travel.get_mut(&k) {
                            Some(m) => m.keep_earliest(p),
                            None => {
                                mine.travel.insert(k, p);
                            }
                        }
                    }
                }
                None => {
                    self.subjects.insert(subject, theirs);
                }
            }
        }
        for (account, theirs) in other.regions {
            merge_first_seen(self.regions.entry(account).or_default(), theirs);
        }
    }

    /// The findings to be: values first seen after a day of history.
    pub fn candidates(&self) -> Vec<Candidate> {
        let mut out = Vec::new();
        let mut subjects: Vec<_> = self.subjects.iter().collect();
        subjects.sort_by(|a, b| a.0.cmp(b.0));
        for (subject, history) in subjects {
            for ((spec, _), seen) in DIMENSIONS.iter().zip(&history.dims) {
                out.extend(new_values(spec, &subject.label(), history.first.time, seen));
            }
            out.extend(country_changes(&subject.label(), &history.travel));
        }
        let mut accounts: Vec<_> = self.regions.iter().collect();
        accounts.sort_by(|a, b| a.0.cmp(b.0));
        for (account, seen) in accounts {
            let first = seen.values().map(|p| p.time).min();
            if let Some(first) = first {
                out.extend(new_values(
                    &NEW_REGION,
                    &format!("account {account}"),
                    first,
                    seen,
                ));
            }
        }
        dedupe(out)
    }
}

/// Uses from a different country than the previous use less than an hour
/// (the same or the adjacent clock hour) before: one per pair of countries and hour.
fn country_changes(who: &str, travel: &HashMap<(String, i64), Pointer>) -> Vec<Candidate> {
    let mut uses: Vec<(&str, &Pointer)> =
        travel.iter().map(|((c, _), p)| (c.as_str(), p)).collect();
    uses.sort_by_key(|(_, p)| p.order_key());
    uses.windows(2)
        .filter(|w| w[0].0 != w[1].0 && w[1].1.time.millis() - w[0].1.time.millis() < 3_600_000)
        .map(|w| Candidate {
            spec: RAPID_COUNTRY_CHANGE,
            pointer: w[1].1.clone(),
            detail: format!(
                "{who} used from {} at {} and from {} at {}",
                w[0].0, w[0].1.time, w[1].0, w[1].1.time
            ),
        })
        .collect()
}

fn days(ms: i64) -> f64 {
    ms as f64 / 86_400_000.0
}

/// Values of `seen` first used at least a baseline after `first`, when some
/// value was already known before that.
fn new_values(spec: &Spec, who: &str, first: EventTime, seen: &FirstSeen) -> Vec<Candidate> {
    let baseline_end = first.millis() + BASELINE_MS;
    let mut known: Vec<&str> = seen
        .iter()
        .filter(|(_, w)| w.time.millis() < baseline_end)
        .map(|(k, _)| k.as_str())
        .collect();
    if known.is_empty() {
        return Vec::new();
    }
    known.sort_unstable();
    let shown: Vec<&str> = known.iter().take(3).copied().collect();
    let more = if known.len() > 3 {
        format!(" and {} more", known.len() - 3)
    } else {
        String::new()
    };
    let mut new: Vec<(&String, &Pointer)> = seen
        .iter()
        .filter(|(_, w)| w.time.millis() >= baseline_end)
        .collect();
    new.sort_by_key(|(_, w)| w.order_key());
    let itinerant = known.len() > SETTLED_MAX;
    new.into_iter()
        .map(|(value, w)| {
            let mut spec = *spec;
            if itinerant {
                spec.level = lower(spec.level);
            }
            Candidate {
                spec,
                pointer: w.clone(),
                detail: format!(
                    "first use of {value} by {who}, after {:.1} days of history from {}{more}",
                    days(w.time.millis() - first.millis()),
                    shown.join(", ")
                ),
            }
        })
        .collect()
}

/// One level lower, down to informational.
fn lower(level: Level) -> Level {
    match level {
        Level::Critical => Level::High,
        Level::High => Level::Medium,
        Level::Medium => Level::Low,
        Level::Low | Level::Informational => Level::Informational,
    }
}

/// One finding per (analytic, event): the access-key and principal views of
/// the same first use say the same thing.
fn dedupe(mut found: Vec<Candidate>) -> Vec<Candidate> {
    found.sort_by(|a, b| {
        (a.pointer.order_key(), a.spec.id).cmp(&(b.pointer.order_key(), b.spec.id))
    });
    found.dedup_by(|b, a| a.spec.id == b.spec.id && a.pointer.order_key() == b.pointer.order_key());
    found
}
