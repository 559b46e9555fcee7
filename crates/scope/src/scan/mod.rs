//! The two streaming passes. Each worker keeps compact aggregates and pointers (time, file,
//! record, event id), never whole events; workers' states are merged at the end.

use std::collections::HashMap;
use std::hash::BuildHasher;

use cloudcase_event::Event;

mod candidate;
mod candidates;
mod cluster;
mod codec;
mod coverage;
mod entries;
mod files;
mod held_counts;
mod held_uses;
mod hourly;
mod pass1;
mod pass2;
mod request;
mod spill;
#[cfg(test)]
mod tests;

pub use candidate::Candidate;
pub(crate) use candidate::{is_resource_policy_change, SESSION_CALLS};
pub use candidates::{CandidateSpool, Candidates, DEFAULT_CANDIDATE_MEMORY};
pub use cluster::{Cluster, ClusterDay};
pub use coverage::{Coverage, StoreCov, StoreId};
pub use files::{LastTimes, Ordinals};
pub use held_counts::HeldCounts;
pub use held_uses::{KeyUses, StoreAccesses};
pub use hourly::hour_start;
pub use pass1::{Pass1, Pass1Sink, Profile, Subject};
pub use pass2::{AccessId, Pass2, Pass2Sink};

pub use crate::record::Ptr;

/// An access key used from a source address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeySource {
    /// The access key (empty when the event has none).
    pub key: Box<str>,
    /// The source address (empty when the event has none).
    pub ip: Box<str>,
}

impl KeySource {
    /// The pair for a key and an address.
    pub fn new(key: &str, ip: &str) -> KeySource {
        KeySource {
            key: key.into(),
            ip: ip.into(),
        }
    }
}

/// User agents kept per use.
const MAX_UAS: usize = 5;
/// Event names kept per use.
const MAX_NAMES: usize = 8;

/// A value and the record order key (time, file, record) of its first sighting.
#[derive(Debug, Clone)]
struct Sighting {
    at: (i64, u64, u64),
    value: Box<str>,
}

/// Up to `cap` distinct values: those first seen earliest, in order of first sighting. The
/// result does not depend on the order events arrive in or on how workers split the inputs.
#[derive(Debug, Clone, Default)]
pub struct Earliest {
    seen: Vec<Sighting>,
}

impl Earliest {
    /// Records `value` seen at `at`.
    pub(crate) fn add(&mut self, value: &str, at: (i64, u64, u64), cap: usize) {
        match self.seen.iter_mut().find(|s| &*s.value == value) {
            Some(s) if at < s.at => s.at = at,
            Some(_) => return,
            None => {
                // Most lists hold one value (a session key's one network): a first value gets
                // room for itself alone, instead of a first push's four.
                if self.seen.is_empty() {
                    self.seen.reserve_exact(1);
                }
                self.seen.push(Sighting {
                    at,
                    value: value.into(),
                });
            }
        }
        self.seen
            .sort_by(|a, b| (a.at, &a.value).cmp(&(b.at, &b.value)));
        self.seen.truncate(cap);
    }

    /// Merges another list into this one.
    pub(crate) fn merge(&mut self, other: &Earliest, cap: usize) {
        for s in &other.seen {
            self.add(&s.value, s.at, cap);
        }
    }

    /// The values, earliest first.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.seen.iter().map(|s| &*s.value)
    }

    /// The earliest value.
    pub fn first(&self) -> Option<&str> {
        self.iter().next()
    }

    /// The values as strings, earliest first.
    pub fn to_strings(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }
}

/// Repeated use of something (a key from an address, a bucket by a key…).
#[derive(Debug, Clone)]
pub struct Use {
    /// The first record.
    pub first: Ptr,
    /// The last time, ms.
    pub last_ms: i64,
    /// Number of events.
    pub count: u64,
    /// Up to five distinct user agents, first seen earliest (none for a data store's
    /// accesses, which are reported without them).
    pub uas: Earliest,
    /// Event names seen (for reads), up to eight, first seen earliest.
    pub names: Earliest,
    /// Whether `uas` is kept: a data store's accesses are reported without their agents, and
    /// at 20 GB there are tens of thousands of them (one per session key, source and store).
    agents: bool,
}

impl Use {
    fn new(ev: &Event) -> Use {
        Use::started(ev, true)
    }

    fn started(ev: &Event, agents: bool) -> Use {
        let mut u = Use {
            first: Ptr::of(ev),
            last_ms: ev.time.millis(),
            count: 0,
            uas: Earliest::default(),
            names: Earliest::default(),
            agents,
        };
        u.add(ev);
        u
    }

    fn add(&mut self, ev: &Event) {
        let at = Ptr::key_of(ev);
        if at < self.first.key() {
            self.first = Ptr::of(ev);
        }
        self.last_ms = self.last_ms.max(ev.time.millis());
        self.count += 1;
        if let Some(ua) = ev.user_agent.as_deref().filter(|_| self.agents) {
            self.uas.add(ua, at, MAX_UAS);
        }
        self.names.add(ev.event_name.as_str(), at, MAX_NAMES);
    }

    /// Merges another use of the same thing (or of the same address by another key).
    pub(crate) fn merge(&mut self, o: &Use) {
        if o.first.key() < self.first.key() {
            self.first = o.first.clone();
        }
        self.last_ms = self.last_ms.max(o.last_ms);
        self.count += o.count;
        self.uas.merge(&o.uas, MAX_UAS);
        self.names.merge(&o.names, MAX_NAMES);
    }
}

/// The maps pass 1 and pass 2 update per event: a fast hash (no output depends on their order).
pub type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

fn merge_map<K: std::hash::Hash + Eq, S: BuildHasher>(
    into: &mut HashMap<K, Use, S>,
    from: HashMap<K, Use, S>,
) {
    for (k, u) in from {
        match into.get_mut(&k) {
            Some(v) => v.merge(&u),
            None => {
                into.insert(k, u);
            }
        }
    }
}

/// Widens `span` (first and last time, ms) to include `ms`.
pub(crate) fn widen(span: &mut Option<(i64, i64)>, ms: i64) {
    *span = Some(match *span {
        Some((a, b)) => (a.min(ms), b.max(ms)),
        None => (ms, ms),
    });
}

/// Widens `span` to include the span `o`.
pub(crate) fn widen_span(span: &mut Option<(i64, i64)>, o: Option<(i64, i64)>) {
    if let Some((a, b)) = o {
        widen(span, a);
        widen(span, b);
    }
}
