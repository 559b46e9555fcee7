//! The two streaming passes. Each worker keeps compact aggregates and pointers (time, file,
//! record, event id), never whole events; workers' states are merged at the end.

use std::collections::HashMap;
use std::sync::Arc;

use cloudcase_event::{Event, SourceFile};

mod cand;
mod pass1;
mod pass2;

pub use cand::Cand;
pub(crate) use cand::{is_resource_policy_change, SESSION_CALLS};
pub use pass1::{Pass1, Pass1Sink, Profile, Subject};
pub use pass2::{AccessId, Pass2, Pass2Sink, RegionCov, StoreCov, StoreId};

/// Where a record is, and when it happened.
#[derive(Debug, Clone)]
pub struct Ptr {
    /// Event time, ms since the epoch (UTC).
    pub ms: i64,
    /// Input file.
    pub file: Arc<SourceFile>,
    /// Record index in the file.
    pub record: u64,
    /// `eventID`.
    pub event_id: Option<Box<str>>,
}

impl Ptr {
    pub(crate) fn of(ev: &Event) -> Ptr {
        Ptr {
            ms: ev.time.millis(),
            file: Arc::clone(&ev.provenance.file),
            record: ev.provenance.record,
            event_id: ev.event_id.as_deref().map(Into::into),
        }
    }

    /// Total order: time, then input order, then record.
    pub fn key(&self) -> (i64, u64, u64) {
        (self.ms, self.file.ordinal, self.record)
    }

    /// The earlier of two pointers.
    pub(crate) fn min(a: Ptr, b: Ptr) -> Ptr {
        if b.key() < a.key() {
            b
        } else {
            a
        }
    }
}

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

const MAX_UAS: usize = 5;

/// Repeated use of something (a key from an address, a bucket by a key…).
#[derive(Debug, Clone)]
pub struct Use {
    /// The first record.
    pub first: Ptr,
    /// The last time, ms.
    pub last_ms: i64,
    /// Number of events.
    pub count: u64,
    /// Up to five distinct user agents.
    pub uas: Vec<Box<str>>,
    /// Event names seen (for reads), up to eight.
    pub names: Vec<Box<str>>,
}

impl Use {
    fn new(ev: &Event) -> Use {
        let mut u = Use {
            first: Ptr::of(ev),
            last_ms: ev.time.millis(),
            count: 0,
            uas: Vec::new(),
            names: Vec::new(),
        };
        u.add(ev);
        u
    }

    fn add(&mut self, ev: &Event) {
        let ms = ev.time.millis();
        if ms < self.first.ms {
            self.first = Ptr::of(ev);
        }
        self.last_ms = self.last_ms.max(ms);
        self.count += 1;
        if let Some(ua) = ev.user_agent.as_deref() {
            if self.uas.len() < MAX_UAS && !self.uas.iter().any(|u| &**u == ua) {
                self.uas.push(ua.into());
            }
        }
        if self.names.len() < 8 && !self.names.iter().any(|n| **n == *ev.event_name) {
            self.names.push(ev.event_name.as_str().into());
        }
    }

    fn merge(&mut self, o: Use) {
        self.first = Ptr::min(self.first.clone(), o.first);
        self.last_ms = self.last_ms.max(o.last_ms);
        self.count += o.count;
        for ua in o.uas {
            if self.uas.len() < MAX_UAS && !self.uas.contains(&ua) {
                self.uas.push(ua);
            }
        }
        for n in o.names {
            if self.names.len() < 8 && !self.names.contains(&n) {
                self.names.push(n);
            }
        }
    }
}

fn bump<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Use>, k: K, ev: &Event) {
    match map.get_mut(&k) {
        Some(u) => u.add(ev),
        None => {
            map.insert(k, Use::new(ev));
        }
    }
}

fn merge_map<K: std::hash::Hash + Eq>(into: &mut HashMap<K, Use>, from: HashMap<K, Use>) {
    for (k, u) in from {
        match into.get_mut(&k) {
            Some(v) => v.merge(u),
            None => {
                into.insert(k, u);
            }
        }
    }
}

fn widen(span: &mut Option<(i64, i64)>, ms: i64) {
    *span = Some(match *span {
        Some((a, b)) => (a.min(ms), b.max(ms)),
        None => (ms, ms),
    });
}

fn widen_span(span: &mut Option<(i64, i64)>, o: Option<(i64, i64)>) {
    if let Some((a, b)) = o {
        widen(span, a);
        widen(span, b);
    }
}
