//! Rates and bursts: many calls of a kind by one principal in a short window.
//!
//! Windows are fixed (tumbling) buckets of time, so state is a count per
//! (analytic, principal, bucket) that merges across workers in any order. A
//! window keeps its counts and where its earliest call is, without a witness:
//! the few windows that become findings have their record read again at the
//! end.
//!
//! Windows grow with time and principals (at 20 GB of a busy account, 75,000
//! of them held 48 MB with their witnesses), so each worker keeps them within a
//! budget: past it, the windows held are written to the external sort
//! (`cloudcase_timeline::sort`), keyed by principal, analytic and bucket, and
//! the tables start again empty. The judgement merges what was written and
//! reads each principal's windows of one analytic together (module `judge`).

mod entry;
mod judge;
#[cfg(test)]
mod tests;

use std::hash::{BuildHasher, RandomState};
use std::io;
use std::mem::size_of;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use cloudcase_event::Event;
use cloudcase_sigma::Level;
use cloudcase_timeline::sort::LineKey;

use super::at::At;
use super::names::Names;
use super::written::Written;
use super::{Candidate, Spec};
use crate::FastMap;
use entry::WindowEntry;

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

/// Which window: the analytic, the principal (an id of the worker's [`Names`])
/// and the window's index since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    burst: u8,
    who: u32,
    bucket: i64,
}

/// One principal's calls of one kind in one window, and where its earliest
/// call is.
#[derive(Debug, Clone, Copy)]
struct Window {
    calls: u64,
    first: At,
}

/// The distinct values of a window whose analytic counts them: hashes, kept
/// sorted (only the regions of launches are kept as text, for the report).
#[derive(Debug, Default)]
struct Values {
    hashes: Vec<u64>,
    labels: Vec<Box<str>>,
}

impl Values {
    /// Adds `hash`; true if it was not there yet.
    fn insert(&mut self, hash: u64) -> bool {
        entry::insert_sorted(&mut self.hashes, hash)
    }
}

/// Bytes a held window is counted as: its key and counts, with the hash
/// table's spare room (a table is between half and seven eighths full).
const WINDOW_BYTES: usize = 2 * (size_of::<Key>() + size_of::<Window>());
/// Bytes a window's first distinct value is counted as (its table entry).
const VALUES_BYTES: usize = 2 * (size_of::<Key>() + size_of::<Values>());

/// What every worker's burst state of one hunt shares.
#[derive(Debug)]
struct Shared {
    /// Hashes distinct values, the same way in every worker, so that they merge.
    hasher: RandomState,
    /// Principal ids that hold across workers and spills: the keys of spilled windows.
    names: Mutex<Names>,
}

/// Burst state of one worker (mergeable).
pub struct Bursts {
    windows: FastMap<Key, Window>,
    /// Distinct values, for the windows of analytics that count them.
    values: FastMap<Key, Values>,
    /// Principal names of the windows held, as the ids keys hold.
    names: Names,
    shared: Arc<Shared>,
    /// Windows written out (this worker's and, once merged, others').
    written: Written,
    /// Estimated bytes held in `windows` and `values`.
    held: usize,
    budget: usize,
}

impl std::fmt::Debug for Bursts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bursts")
            .field("windows", &self.windows.len())
            .field("held", &self.held)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

impl Bursts {
    /// Empty state keeping windows within `budget` bytes, writing them past it
    /// to anonymous files in `temp_dir` (the system's temporary directory if
    /// `None`).
    pub fn new(budget: usize, temp_dir: Option<PathBuf>) -> Self {
        let shared = Arc::new(Shared {
            hasher: RandomState::new(),
            names: Mutex::new(Names::default()),
        });
        Bursts::with(shared, Written::new(budget / 2, temp_dir), budget)
    }

    /// Another worker's empty state of the same hunt, with the same budget: its
    /// windows merge with this one's, and what it writes out shares this one's
    /// pool of temporary files.
    pub fn share(&self) -> Self {
        Bursts::with(
            Arc::clone(&self.shared),
            self.written.share(self.budget / 2),
            self.budget,
        )
    }

    fn with(shared: Arc<Shared>, written: Written, budget: usize) -> Self {
        Bursts {
            windows: FastMap::default(),
            values: FastMap::default(),
            names: Names::default(),
            shared,
            written,
            held: 0,
            budget,
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
        let mut id = None;
        for (i, burst) in BURSTS.iter().enumerate() {
            if !(burst.matches)(event) {
                continue;
            }
            let who = *id.get_or_insert_with(|| self.names.id(who));
            let key = Key {
                burst: i as u8,
                who,
                bucket: event
                    .time
                    .millis()
                    .div_euclid(burst.window_minutes * 60_000),
            };
            let at = At::of(event);
            match self.windows.get_mut(&key) {
                Some(w) => {
                    w.calls += 1;
                    w.first = w.first.min(at);
                }
                None => {
                    self.windows.insert(
                        key,
                        Window {
                            calls: 1,
                            first: at,
                        },
                    );
                    self.held += WINDOW_BYTES;
                }
            }
            let value = match burst.measure {
                Measure::Calls => None,
                Measure::DistinctEvents => Some(event.event_name.as_str()),
                Measure::DistinctRegions => event.region.as_deref(),
            };
            if let Some(v) = value {
                self.add_value(key, burst.measure, v);
            }
        }
        if self.held > self.budget {
            self.write_out();
        }
    }

    /// Adds a distinct value of the window at `key`.
    fn add_value(&mut self, key: Key, measure: Measure, v: &str) {
        let hash = self.shared.hasher.hash_one(v);
        let values = self.values.entry(key).or_insert_with(|| {
            self.held += VALUES_BYTES;
            Values::default()
        });
        if values.insert(hash) {
            self.held += 2 * size_of::<u64>();
            if measure == Measure::DistinctRegions {
                values.labels.push(v.into());
                self.held += v.len() + 2 * size_of::<Box<str>>();
            }
        }
    }

    /// Writes every window held to the sort, under ids that hold across
    /// workers, and empties the tables. A failure is kept for
    /// [`Bursts::candidates`]; later windows are then dropped, since the
    /// result could not be complete anyway.
    fn write_out(&mut self) {
        let ids: Vec<u32> = {
            let mut global = self
                .shared
                .names
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            self.names.names().map(|n| global.id(n)).collect()
        };
        let mut line = Vec::new();
        for (key, window) in self.windows.drain() {
            if self.written.failed() {
                break;
            }
            let who = ids.get(key.who as usize).copied().unwrap_or(u32::MAX);
            let values = self.values.get(&key);
            line.clear();
            WindowEntry::encode(who, key.burst, key.bucket, window, values, &mut line);
            let sort_key = LineKey::ordered(
                i64::from(who),
                u64::from(key.burst),
                entry::bucket_order(key.bucket),
            );
            self.written
                .push(sort_key, |out| out.extend_from_slice(&line));
        }
        self.values.clear();
        self.names = Names::default();
        self.held = 0;
    }

    /// Adds another worker's state.
    pub fn merge(&mut self, mut other: Bursts) {
        other.write_out();
        self.written.absorb(other.written);
    }

    /// The findings to be: windows at or over their threshold. A window
    /// within the principal's own routine — less than four times its median
    /// window — is reported at informational level: an app server reading its
    /// secrets every minute is not an incident, its first burst from a new
    /// principal may be. `files` are the hunt's inputs, by ordinal.
    pub fn candidates(mut self, files: &dyn cloudcase_read::Files) -> io::Result<Vec<Candidate>> {
        self.write_out();
        let names = self
            .shared
            .names
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut judge = judge::Judge::new(&names, files);
        self.written.judge(self.budget, &mut judge)?;
        let mut out = judge.finish();
        out.sort_by(|a, b| {
            a.pointer
                .order_key()
                .cmp(&b.pointer.order_key())
                .then(a.spec.id.cmp(b.spec.id))
        });
        Ok(out)
    }
}
