//! How much a first use from a new network says: graded by the grains the identity and the
//! account already use (cloudcase-judge's network grains, shared with `scope`), and raised when
//! behaviour from that network agrees.
//!
//! * A /24 (/64) never used, inside a /16 (/48) the identity used before: home ISPs with
//!   dynamic addresses and mobile networks move like this — informational.
//! * A /24 many of the account's identities use (office, CI or cloud egress) — informational.
//! * Neither: the analytic's own level, or low when the identity already used
//!   [`ROAMING_WIDE`] or more /16s (/48s) before.
//! * Whatever the grade, a persistence, privilege-escalation, defence-evasion or
//!   resource-hijacking call by the same identity from that network within an hour of its
//!   first use raises it to medium (high when it was medium already).

use crate::FastMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use cloudcase_event::{Event, EventTime};
use cloudcase_judge::behaviour::{tactic_of, Tactic};
use cloudcase_judge::network::wide_network_of;
use cloudcase_sigma::Level;

/// Identities of the account using one /24 that make it a shared network.
pub const SHARED_ACTORS: usize = 3;

/// An identity that already used this many /16s (/48s) roams: a new one is at most low.
pub const ROAMING_WIDE: usize = 3;

/// How close after the first use from a network behaviour must come to agree (1 h).
pub const AGREEMENT_MS: i64 = 3_600_000;

/// Calls that confirm a new network, by the judge's tactic, and how details name them.
struct Agreeing {
    tactic: Tactic,
    name: &'static str,
}

/// The tactics whose calls confirm novelty (discovery and data reads do not: owners do them
/// from everywhere).
const AGREEING: &[Agreeing] = &[
    Agreeing {
        tactic: Tactic::Persistence,
        name: "persistence",
    },
    Agreeing {
        tactic: Tactic::PrivilegeEscalation,
        name: "privilege escalation",
    },
    Agreeing {
        tactic: Tactic::DefenceEvasion,
        name: "defence evasion",
    },
    Agreeing {
        tactic: Tactic::ResourceHijacking,
        name: "resource hijacking",
    },
];

/// Where a record sits in the input, for "earliest" (time, file, record).
pub type OrderKey = (EventTime, u64, u64);

fn order_key(event: &Event) -> OrderKey {
    (
        event.time,
        event.provenance.file.ordinal,
        event.provenance.record,
    )
}

/// The earliest call from one network that agrees with an intrusion.
#[derive(Debug, Clone)]
pub struct Agreement {
    key: OrderKey,
    event_name: String,
    tactic: &'static str,
}

/// What kind of agreeing call `event` is, if any. Refused attempts count: trying to stop
/// the logs from a network never used is as telling as succeeding.
fn agreeing(event: &Event) -> Option<&'static str> {
    let service = event.event_source.trim_end_matches(".amazonaws.com");
    let tactic = tactic_of(service, &event.event_name)?;
    AGREEING.iter().find(|a| a.tactic == tactic).map(|a| a.name)
}

/// One identity's use of networks at the grains that grade its new ones.
#[derive(Debug, Clone, Default)]
pub struct NetworkUse {
    /// Earliest use per /16 (/48).
    wide: FastMap<String, OrderKey>,
    /// Per /24 (/64): the earliest agreeing call from it.
    agree: FastMap<String, Agreement>,
}

fn keep_min<K: std::hash::Hash + Eq, V>(
    map: &mut FastMap<K, V>,
    k: K,
    v: V,
    key: impl Fn(&V) -> OrderKey,
) {
    match map.get_mut(&k) {
        Some(mine) if key(&v) < key(mine) => *mine = v,
        Some(_) => {}
        None => {
            map.insert(k, v);
        }
    }
}

impl NetworkUse {
    /// Adds one call from `network` (a /24 or /64) at address `ip`.
    pub fn observe(&mut self, event: &Event, ip: &str, network: &str) {
        let key = order_key(event);
        if let Some(wide) = wide_network_of(ip) {
            keep_min(&mut self.wide, wide, key, |k| *k);
        }
        if let Some(tactic) = agreeing(event) {
            let agreement = Agreement {
                key,
                event_name: event.event_name.clone(),
                tactic,
            };
            keep_min(&mut self.agree, network.to_owned(), agreement, |a| a.key);
        }
    }

    /// Adds another worker's view of the same identity.
    pub fn merge(&mut self, other: NetworkUse) {
        for (k, v) in other.wide {
            keep_min(&mut self.wide, k, v, |k| *k);
        }
        for (k, v) in other.agree {
            keep_min(&mut self.agree, k, v, |a| a.key);
        }
    }
}

/// Per /24 (/64) of the account: some of the identities that used it (hashed), up to
/// [`SHARED_ACTORS`].
#[derive(Debug, Default)]
pub struct SharedNetworks {
    actors: FastMap<String, Vec<u64>>,
}

/// Who an event's caller is for counting a network's users: a user or root by ARN, a role
/// session by its role.
fn actor(event: &Event) -> Option<u64> {
    let id = &event.identity;
    let who = match id.kind.as_deref() {
        Some("AssumedRole") => id.session_issuer_arn.as_deref(),
        _ => id.arn.as_deref(),
    }?;
    let mut h = DefaultHasher::new();
    who.hash(&mut h);
    Some(h.finish())
}

impl SharedNetworks {
    /// Counts `event`'s caller as a user of `network`.
    pub fn observe(&mut self, event: &Event, network: &str) {
        let Some(actor) = actor(event) else { return };
        match self.actors.get_mut(network) {
            Some(seen) => {
                if seen.len() < SHARED_ACTORS && !seen.contains(&actor) {
                    seen.push(actor);
                }
            }
            None => {
                self.actors.insert(network.to_owned(), vec![actor]);
            }
        }
    }

    /// Adds another worker's counts.
    pub fn merge(&mut self, other: SharedNetworks) {
        for (network, theirs) in other.actors {
            let mine = self.actors.entry(network).or_default();
            for a in theirs {
                if mine.len() < SHARED_ACTORS && !mine.contains(&a) {
                    mine.push(a);
                }
            }
        }
    }

    fn is_shared(&self, network: &str) -> bool {
        self.actors
            .get(network)
            .is_some_and(|a| a.len() >= SHARED_ACTORS)
    }
}

/// A new value's level and what the grading adds to its detail.
pub struct Graded {
    /// The level after grading.
    pub level: Level,
    /// Appended to the detail (empty, or starting with `; `).
    pub note: String,
}

/// Grades the first use of `network` (a /24 or /64 as CIDR) at `first` by an identity with
/// `usage`, its level `level` so far; `confirm` says whether agreeing behaviour may raise it.
pub fn grade(
    usage: &NetworkUse,
    shared: &SharedNetworks,
    network: &str,
    first: OrderKey,
    level: Level,
    confirm: bool,
) -> Graded {
    let address = network.split('/').next().unwrap_or(network);
    let wide = wide_network_of(address);
    let mut note = String::new();
    let mut level = level;
    if let Some(wide) = wide.filter(|w| usage.wide.get(w).is_some_and(|k| *k < first)) {
        note.push_str(&format!("; inside {wide}, which it used before"));
        level = level.min(Level::Informational);
    } else if shared.is_shared(network) {
        note.push_str(&format!(
            "; a network at least {SHARED_ACTORS} identities of the account use"
        ));
        level = level.min(Level::Informational);
    } else {
        let roamed = usage.wide.values().filter(|k| **k < first).count();
        if roamed >= ROAMING_WIDE {
            note.push_str(&format!("; it already used {roamed} /16 (/48) networks"));
            level = level.min(Level::Low);
        }
    }
    let agreement = usage
        .agree
        .get(network)
        .filter(|a| confirm && a.key.0.millis() - first.0.millis() <= AGREEMENT_MS);
    if let Some(a) = agreement {
        let minutes = (a.key.0.millis() - first.0.millis()) / 60_000;
        note.push_str(&format!(
            "; followed {minutes} min later by {} ({}) from that network",
            a.event_name, a.tactic
        ));
        level = if level < Level::Medium {
            Level::Medium
        } else {
            level.max(Level::High)
        };
    }
    Graded { level, note }
}
