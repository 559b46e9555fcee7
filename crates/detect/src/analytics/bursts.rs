//! Rates and bursts: many calls of a kind by one principal in a short window.
//!
//! Windows are fixed (tumbling) buckets of time, so state is a count per
//! (analytic, principal, bucket) that merges across workers in any order.

use std::collections::{HashMap, HashSet};

use cloudcase_event::Event;
use cloudcase_sigma::Level;

use super::Spec;
use crate::finding::{Finding, Witness};

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
        threshold: 20,
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
        threshold: 3,
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

#[derive(Debug)]
struct Bucket {
    calls: u64,
    distinct: HashSet<String>,
    first: Witness,
}

/// Burst state of one worker (mergeable).
#[derive(Debug, Default)]
pub struct Bursts {
    buckets: HashMap<(usize, String, i64), Bucket>,
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
            let bucket = event
                .time
                .millis()
                .div_euclid(burst.window_minutes * 60_000);
            let key = (i, who.to_owned(), bucket);
            let entry = self.buckets.entry(key).or_insert_with(|| Bucket {
                calls: 0,
                distinct: HashSet::new(),
                first: Witness::of(event),
            });
            entry.calls += 1;
            let order = (
                event.time,
                event.provenance.file.ordinal,
                event.provenance.record,
            );
            if order < entry.first.order_key() {
                entry.first = Witness::of(event);
            }
            let value = match burst.measure {
                Measure::Calls => None,
                Measure::DistinctEvents => Some(&event.event_name),
                Measure::DistinctRegions => event.region.as_ref(),
            };
            if let Some(v) = value {
                if !entry.distinct.contains(v) {
                    entry.distinct.insert(v.clone());
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
                    mine.first.keep_earliest(theirs.first);
                }
                None => {
                    self.buckets.insert(key, theirs);
                }
            }
        }
    }

    /// The findings: buckets at or over their threshold.
    pub fn findings(&self) -> Vec<Finding> {
        let mut out: Vec<Finding> = self
            .buckets
            .iter()
            .filter_map(|((i, who, _), b)| {
                let burst = &BURSTS[*i];
                let (n, what) = match burst.measure {
                    Measure::Calls => (b.calls, "calls".to_owned()),
                    Measure::DistinctEvents => (
                        b.distinct.len() as u64,
                        format!("different calls ({} in all)", b.calls),
                    ),
                    Measure::DistinctRegions => {
                        let mut regions: Vec<&str> =
                            b.distinct.iter().map(String::as_str).collect();
                        regions.sort_unstable();
                        (
                            b.distinct.len() as u64,
                            format!("regions ({})", regions.join(", ")),
                        )
                    }
                };
                (n >= burst.threshold).then(|| {
                    burst.spec.finding(
                        b.first.clone(),
                        format!(
                            "{n} {what} by {who} within {} minutes (threshold {})",
                            burst.window_minutes, burst.threshold
                        ),
                    )
                })
            })
            .collect();
        out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        out
    }
}
