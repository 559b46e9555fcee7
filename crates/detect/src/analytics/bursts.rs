//! Rates and bursts: many calls of a kind by one principal in a short window.
//!
//! Windows are fixed (tumbling) buckets of time, so state is a count per
//! (analytic, principal, bucket) that merges across workers in any order.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;

use cloudcase_event::Event;
use cloudcase_sigma::Level;

use super::{Candidate, Spec};
use crate::finding::Pointer;

/// What a burst counts within its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Measure {
    /// Matching calls.
    Calls,
    /// Distinct event names among matching calls.
    DistinctEvents,
    /// Distinct regions among matching calls.
    DistinctRegions,
}

/// One burst analytic.
struct Burst {
    spec: Spec,
    matches: fn(&Event) -> bool,
    measure: Measure,
    window_minutes: i64,
    threshold: u64,
}

fn denied(e: &Event) -> bool {
    e.error_code
        .as_deref()
        .is_some_and(|c| c.contains("AccessDenied") || c.contains("Unauthorized"))
}

fn enumeration(e: &Event) -> bool {
    ["List", "Describe", "Get"]
        .iter()
        .any(|p| e.event_name.starts_with(p))
}

/// The burst analytics, as data.
const BURSTS: &[Burst] = &[
    Burst {
        spec: Spec {
            id: "cloudcase.analytics.access-denied-burst",
            title: "Burst of access-denied errors by one principal",
            level: Level::Medium,
            tactics: &["discovery"],
            techniques: &["T1580"],
        },
        matches: denied,
        measure: Measure::Calls,
        window_minutes: 5,
        threshold: 10,
    },
    Burst {
        spec: Spec {
            id: "cloudcase.analytics.enumeration-burst",
            title: "Enumeration burst: many different List/Describe/Get calls by one principal",
            level: Level::Medium,
            tactics: &["discovery"],
            techniques: &["T1580", "T1087.004"],
        },
        matches: enumeration,
        measure: Measure::DistinctEvents,
        window_minutes: 10,
        threshold: 30,
    },
    Burst {
        spec: Spec {
            id: "cloudcase.analytics.run-instances-many-regions",
            title: "Instances launched in several regions within an hour",
            level: Level::High,
            tactics: &["impact"],
            techniques: &["T1496"],
        },
        matches: |e| e.event_name == "RunInstances" && e.error_code.is_none(),
        measure: Measure::DistinctRegions,
        window_minutes: 60,
        threshold: 4,
    },
    Burst {
        spec: Spec {
            id: "cloudcase.analytics.run-instances-burst",
            title: "Many instance launches by one principal within an hour",
            level: Level::Medium,
            tactics: &["impact"],
            techniques: &["T1496"],
        },
        matches: |e| e.event_name == "RunInstances",
        measure: Measure::Calls,
        window_minutes: 60,
        threshold: 10,
    },
    Burst {
        spec: Spec {
            id: "cloudcase.analytics.secrets-burst",
            title: "Burst of secret and parameter reads by one principal",
            level: Level::Medium,
            tactics: &["credential-access"],
            techniques: &["T1555.006"],
        },
        matches: |e| {
            matches!(
                e.event_name.as_str(),
                "GetSecretValue"
                    | "BatchGetSecretValue"
                    | "GetParameter"
                    | "GetParameters"
                    | "GetParametersByPath"
            )
        },
        measure: Measure::Calls,
        window_minutes: 10,
        threshold: 10,
    },
    Burst {
        spec: Spec {
            id: "cloudcase.analytics.object-read-burst",
            title: "Burst of S3 object reads by one principal (data events)",
            level: Level::Medium,
            tactics: &["collection", "exfiltration"],
            techniques: &["T1530"],
        },
        matches: |e| e.event_name == "GetObject",
        measure: Measure::Calls,
        window_minutes: 10,
        threshold: 500,
    },
];

/// One principal's calls of one kind in one window. Distinct values are kept
/// as hashes (only the regions of launches are kept as text, for the report).
#[derive(Debug)]
struct Bucket {
    calls: u64,
    distinct: HashSet<u64>,
    labels: Vec<Box<str>>,
    first: Pointer,
}

/// Burst state of one worker (mergeable).
#[derive(Debug)]
pub struct Bursts {
    buckets: HashMap<(u8, Arc<str>, i64), Bucket>,
    /// Principal names shared by all their buckets.
    names: HashMap<String, Arc<str>>,
    /// One hasher for distinct values, shared by every worker's state so
    /// hashes merge.
    hasher: RandomState,
}

impl Bursts {
    /// Empty state whose distinct-value hashes are compatible with `hasher`'s.
    pub fn new(hasher: RandomState) -> Self {
        Bursts {
            buckets: HashMap::new(),
            names: HashMap::new(),
            hasher,
        }
    }
}

/// Who a burst is attributed to: the role for assumed-role sessions, else the ARN.
fn principal(e: &Event) -> Option<&str> {
    let id = &e.identity;
    if id.invoked_by.is_some() {
        return None;
    }
    match id.kind.as_deref() {
        Some("AssumedRole") => id.session_issuer_arn.as_deref().or(id.arn.as_deref()),
        _ => id.arn.as_deref().or(id.principal_id.as_deref()),
    }
}

impl Bursts {
    /// Counts one event into every burst it matches.
    pub fn observe(&mut self, event: &Event) {
        let Some(who) = principal(event) else { return };
        for (i, burst) in BURSTS.iter().enumerate() {
            if !(burst.matches)(event) {
                continue;
            }
            let name = match self.names.get(who) {
                Some(n) => Arc::clone(n),
                None => {
                    let n: Arc<str> = Arc::from(who);
                    self.names.insert(who.to_owned(), Arc::clone(&n));
                    n
                }
            };
            let bucket = event
                .time
                .millis()
                .div_euclid(burst.window_minutes * 60_000);
            let entry = self
                .buckets
                .entry((i as u8, name, bucket))
                .or_insert_with(|| Bucket {
                    calls: 0,
                    distinct: HashSet::new(),
                    labels: Vec::new(),
                    first: Pointer::of(event),
                });
            entry.calls += 1;
            entry.first.keep_earliest_of(event);
            let value = match burst.measure {
                Measure::Calls => None,
                Measure::DistinctEvents => Some(event.event_name.as_str()),
                Measure::DistinctRegions => event.region.as_deref(),
            };
            if let Some(v) = value {
                let fresh = entry.distinct.insert(self.hasher.hash_one(v));
                if fresh && burst.measure == Measure::DistinctRegions {
                    entry.labels.push(v.into());
                }
            }
        }
    }

    /// Adds another worker's state.
    pub fn merge(&mut self, other: Bursts) {
        for (key, theirs) in other.buckets {
            match self.buckets.get_mut(&key) {
                Some(mine) => {
                    mine.calls += theirs.calls;
                    mine.distinct.extend(theirs.distinct);
                    for label in theirs.labels {
                        if !mine.labels.contains(&label) {
                            mine.labels.push(label);
                        }
                    }
                    mine.first.keep_earliest(theirs.first);
                }
                None => {
                    self.buckets.insert(key, theirs);
                }
            }
        }
    }

    /// The findings to be: windows at or over their threshold. A window
    /// within the principal's own routine — less than four times its median
    /// window — is reported at informational level: an app server reading its
    /// secrets every minute is not an incident, its first burst from a new
    /// principal may be.
    pub fn candidates(&self) -> Vec<Candidate> {
        let mut per_principal: HashMap<(u8, &str), Vec<u64>> = HashMap::new();
        for ((i, who, _), b) in &self.buckets {
            per_principal
                .entry((*i, &**who))
                .or_default()
                .push(measure(&BURSTS[usize::from(*i)], b).0);
        }
        let medians: HashMap<(u8, &str), u64> = per_principal
            .into_iter()
            .map(|(k, mut v)| {
                v.sort_unstable();
                (k, v[v.len() / 2])
            })
            .collect();
        let mut out: Vec<Candidate> = self
            .buckets
            .iter()
            .filter_map(|((i, who, _), b)| {
                let burst = &BURSTS[usize::from(*i)];
                let (n, what) = measure(burst, b);
                if n < burst.threshold {
                    return None;
                }
                let median = medians.get(&(*i, &**who)).copied().unwrap_or(0);
                let mut spec = burst.spec;
                let mut detail = format!(
                    "{n} {what} by {who} within {} minutes (threshold {}; its median window: {median})",
                    burst.window_minutes, burst.threshold
                );
                if n < median.saturating_mul(4) {
                    spec.level = Level::Informational;
                    detail.push_str("; within this principal's routine");
                }
                Some(Candidate { spec, pointer: b.first.clone(), detail })
            })
            .collect();
        out.sort_by(|a, b| {
            a.pointer
                .order_key()
                .cmp(&b.pointer.order_key())
                .then(a.spec.id.cmp(b.spec.id))
        });
        out
    }
}

/// What a window measured, and how to say it.
fn measure(burst: &Burst, b: &Bucket) -> (u64, String) {
    match burst.measure {
        Measure::Calls => (b.calls, "calls".to_owned()),
        Measure::DistinctEvents => (
            b.distinct.len() as u64,
            format!("different calls ({} in all)", b.calls),
        ),
        Measure::DistinctRegions => {
            let mut regions: Vec<&str> = b.labels.iter().map(|l| &**l).collect();
            regions.sort_unstable();
            (
                b.distinct.len() as u64,
                format!("regions ({})", regions.join(", ")),
            )
        }
    }
}
