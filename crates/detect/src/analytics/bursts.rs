//! Rates and bursts: many calls of a kind by one principal in a short window.
//!
//! Windows are fixed (tumbling) buckets of time, so state is a count per
//! (analytic, principal, bucket) that merges across workers in any order.

use crate::FastMap;
use std::collections::hash_map::Entry;
use std::hash::{BuildHasher, RandomState};

use cloudcase_event::Event;
use cloudcase_sigma::Level;

use super::names::Names;
use super::{Candidate, Spec};
use crate::pointer::Pointer;

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

/// Which window: the analytic, the principal (an id of [`Names`]) and the
/// window's index since the epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    burst: u8,
    who: u32,
    bucket: i64,
}

/// One principal's calls of one kind in one window, and its earliest call
/// (its witness held within the analytics' budget, so a small input is read
/// once; beyond the budget the record is read again at the end).
#[derive(Debug)]
struct Window {
    calls: u64,
    first: Pointer,
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
        match self.hashes.binary_search(&hash) {
            Ok(_) => false,
            Err(at) => {
                self.hashes.insert(at, hash);
                true
            }
        }
    }

    /// Adds another worker's values of the same window.
    fn merge(&mut self, theirs: Values) {
        for hash in theirs.hashes {
            self.insert(hash);
        }
        for label in theirs.labels {
            if !self.labels.contains(&label) {
                self.labels.push(label);
            }
        }
    }
}

/// Burst state of one worker (mergeable).
#[derive(Debug)]
pub struct Bursts {
    windows: FastMap<Key, Window>,
    /// Distinct values, for the windows of analytics that count them.
    values: FastMap<Key, Values>,
    /// Principal names, as the ids keys hold.
    names: Names,
    /// One hasher for distinct values, shared by every worker's state so
    /// hashes merge.
    hasher: RandomState,
}

impl Bursts {
    /// Empty state whose distinct-value hashes are compatible with `hasher`'s.
    pub fn new(hasher: RandomState) -> Self {
        Bursts {
            windows: FastMap::default(),
            values: FastMap::default(),
            names: Names::default(),
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
            match self.windows.get_mut(&key) {
                Some(w) => {
                    w.calls += 1;
                    w.first.keep_earliest_of(event);
                }
                None => {
                    let first = Pointer::of(event);
                    self.windows.insert(key, Window { calls: 1, first });
                }
            }
            let value = match burst.measure {
                Measure::Calls => None,
                Measure::DistinctEvents => Some(event.event_name.as_str()),
                Measure::DistinctRegions => event.region.as_deref(),
            };
            if let Some(v) = value {
                let values = self.values.entry(key).or_default();
                let fresh = values.insert(self.hasher.hash_one(v));
                if fresh && burst.measure == Measure::DistinctRegions {
                    values.labels.push(v.into());
                }
            }
        }
    }

    /// Adds another worker's state.
    pub fn merge(&mut self, other: Bursts) {
        let ids: Vec<u32> = other
            .names
            .names()
            .map(|name| self.names.id(name))
            .collect();
        let rekey = |k: Key| Key {
            who: ids.get(k.who as usize).copied().unwrap_or(u32::MAX),
            ..k
        };
        for (key, theirs) in other.windows {
            match self.windows.entry(rekey(key)) {
                Entry::Occupied(mut mine) => {
                    let mine = mine.get_mut();
                    mine.calls += theirs.calls;
                    mine.first.keep_earliest(theirs.first);
                }
                Entry::Vacant(slot) => {
                    slot.insert(theirs);
                }
            }
        }
        for (key, theirs) in other.values {
            match self.values.entry(rekey(key)) {
                Entry::Occupied(mut mine) => mine.get_mut().merge(theirs),
                Entry::Vacant(slot) => {
                    slot.insert(theirs);
                }
            }
        }
    }

    /// What a window measured, and how to say it.
    fn measure(&self, key: &Key, w: &Window) -> (u64, String) {
        let values = self.values.get(key);
        let distinct = values.map_or(0, |v| v.hashes.len() as u64);
        match BURSTS[usize::from(key.burst)].measure {
            Measure::Calls => (w.calls, "calls".to_owned()),
            Measure::DistinctEvents => (distinct, format!("different calls ({} in all)", w.calls)),
            Measure::DistinctRegions => {
                let mut regions: Vec<&str> = values
                    .map(|v| v.labels.iter().map(|l| &**l).collect())
                    .unwrap_or_default();
                regions.sort_unstable();
                (distinct, format!("regions ({})", regions.join(", ")))
            }
        }
    }

    /// The findings to be: windows at or over their threshold. A window
    /// within the principal's own routine — less than four times its median
    /// window — is reported at informational level: an app server reading its
    /// secrets every minute is not an incident, its first burst from a new
    /// principal may be.
    pub fn candidates(&self) -> Vec<Candidate> {
        let mut per_principal: FastMap<(u8, u32), Vec<u64>> = FastMap::default();
        for (key, w) in &self.windows {
            per_principal
                .entry((key.burst, key.who))
                .or_default()
                .push(self.measure(key, w).0);
        }
        let medians: FastMap<(u8, u32), u64> = per_principal
            .into_iter()
            .map(|(k, mut v)| {
                v.sort_unstable();
                (k, v[v.len() / 2])
            })
            .collect();
        let mut out: Vec<Candidate> = self
            .windows
            .iter()
            .filter_map(|(key, w)| {
                let burst = &BURSTS[usize::from(key.burst)];
                let (n, what) = self.measure(key, w);
                if n < burst.threshold {
                    return None;
                }
                let median = medians.get(&(key.burst, key.who)).copied().unwrap_or(0);
                let who = self.names.name(key.who);
                let mut spec = burst.spec;
                let mut detail = format!(
                    "{n} {what} by {who} within {} minutes (threshold {}; its median window: {median})",
                    burst.window_minutes, burst.threshold
                );
                if n < median.saturating_mul(4) {
                    spec.level = Level::Informational;
                    detail.push_str("; within this principal's routine");
                }
                Some(Candidate { spec, pointer: w.first.clone(), detail })
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

#[cfg(test)]
mod tests {
    use std::hash::RandomState;

    use cloudcase_event::Event;
    use cloudcase_sigma::Level;

    use super::Bursts;
    use crate::analytics::fixtures::{at, failed, in_region, read_trail, role_call, via_service};
    use crate::analytics::Candidate;

    const T0: &str = "2024-03-01T10:00:00Z";
    const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/ci-deploy";

    fn call(seconds: i64, name: &str) -> serde_json::Value {
        role_call("ci-deploy", "run-1", &at(T0, seconds), name, "198.51.100.7")
    }

    fn denied(seconds: i64) -> serde_json::Value {
        failed(
            call(seconds, "DescribeInstances"),
            "Client.UnauthorizedOperation",
        )
    }

    fn candidates_of(events: &[Event]) -> Vec<Candidate> {
        let mut bursts = Bursts::new(RandomState::new());
        for e in events {
            bursts.observe(e);
        }
        bursts.candidates()
    }

    fn with_id<'a>(found: &'a [Candidate], id: &str) -> Vec<&'a Candidate> {
        found.iter().filter(|c| c.spec.id == id).collect()
    }

    #[test]
    fn nothing_is_found_in_no_events() {
        assert!(Bursts::new(RandomState::new()).candidates().is_empty());
    }

    /// One denial in each of the two windows before 10:00, as routine.
    fn quiet_denials() -> Vec<serde_json::Value> {
        vec![denied(-900), denied(-600)]
    }

    #[test]
    fn ten_denials_in_five_minutes_are_a_burst_and_nine_are_not() {
        let mut nine = quiet_denials();
        nine.extend((0..9).map(|i| denied(i * 20)));
        let nine = read_trail(nine);
        assert!(candidates_of(&nine.events).is_empty());

        let mut ten = quiet_denials();
        ten.extend((0..10).map(|i| denied(i * 20)));
        let ten = read_trail(ten);
        let found = candidates_of(&ten.events);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].spec.id, "cloudcase.analytics.access-denied-burst");
        assert_eq!(found[0].spec.level, Level::Medium);
        assert_eq!(found[0].pointer.record, 2);
        assert_eq!(
            found[0].detail,
            format!("10 calls by {ROLE_ARN} within 5 minutes (threshold 10; its median window: 1)")
        );
    }

    #[test]
    fn a_principal_whose_only_window_is_a_burst_is_its_own_routine() {
        // The median of one window is that window: reported, at informational level.
        let ten = read_trail((0..10).map(|i| denied(i * 20)).collect());
        let found = candidates_of(&ten.events);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].spec.level, Level::Informational);
    }

    #[test]
    fn a_burst_split_by_a_window_boundary_is_two_quiet_windows() {
        // 10:04:00 … 10:04:45 and 10:05:00 … 10:05:45: five in each window.
        let trail = read_trail(
            (0..5)
                .map(|i| denied(240 + i * 10))
                .chain((0..5).map(|i| denied(300 + i * 10)))
                .collect(),
        );
        assert!(candidates_of(&trail.events).is_empty());
    }

    #[test]
    fn sessions_of_one_role_add_up_and_service_calls_do_not_count() {
        let other_session = |s: i64| {
            failed(
                role_call(
                    "ci-deploy",
                    "run-2",
                    &at(T0, s),
                    "DescribeInstances",
                    "198.51.100.8",
                ),
                "AccessDenied",
            )
        };
        let mut records: Vec<_> = (0..5).map(denied).collect();
        records.extend((0..4).map(other_session));
        records.push(via_service(denied(30), "cloudformation.amazonaws.com"));
        let nine = read_trail(records.clone());
        assert!(candidates_of(&nine.events).is_empty());

        records.push(other_session(40));
        let ten = read_trail(records);
        let found = candidates_of(&ten.events);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].detail.contains(ROLE_ARN), "{}", found[0].detail);
    }

    #[test]
    fn enumeration_counts_different_calls_not_repeats() {
        let names: Vec<String> = (0..30).map(|i| format!("DescribeThing{i:02}")).collect();
        // 29 different calls, each many times.
        let repeated = read_trail(
            (0..120)
                .map(|i| call(i * 4, &names[(i % 29) as usize]))
                .collect(),
        );
        assert!(with_id(
            &candidates_of(&repeated.events),
            "cloudcase.analytics.enumeration-burst"
        )
        .is_empty());

        let thirty = read_trail((0..30).map(|i| call(i * 4, &names[i as usize])).collect());
        let found = candidates_of(&thirty.events);
        let found = with_id(&found, "cloudcase.analytics.enumeration-burst");
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .detail
                .starts_with("30 different calls (30 in all)"),
            "{}",
            found[0].detail
        );
    }

    #[test]
    fn launches_in_four_regions_within_an_hour_are_found_and_three_are_not() {
        let launch = |s: i64, region: &str| in_region(call(s, "RunInstances"), region);
        let three = vec![
            launch(-7200, "us-east-1"),
            launch(-3600, "us-east-1"),
            launch(0, "us-east-1"),
            launch(600, "eu-west-1"),
            launch(1200, "ap-southeast-1"),
            failed(launch(1800, "sa-east-1"), "Client.InstanceLimitExceeded"),
        ];
        let trail = read_trail(three.clone());
        let found = candidates_of(&trail.events);
        assert!(with_id(&found, "cloudcase.analytics.run-instances-many-regions").is_empty());

        let mut four = three;
        four.push(launch(2400, "sa-east-1"));
        let trail = read_trail(four);
        let found = candidates_of(&trail.events);
        let regions = with_id(&found, "cloudcase.analytics.run-instances-many-regions");
        assert_eq!(regions.len(), 1, "{found:#?}");
        assert_eq!(regions[0].spec.level, Level::High);
        assert!(
            regions[0]
                .detail
                .starts_with("4 regions (ap-southeast-1, eu-west-1, sa-east-1, us-east-1)"),
            "{}",
            regions[0].detail
        );
        // Five launches, failed one included, are below the launch count.
        assert!(with_id(&found, "cloudcase.analytics.run-instances-burst").is_empty());
    }

    /// Secret reads by the role: `per_window[i]` reads in the i-th ten-minute window.
    fn secret_windows(per_window: &[i64]) -> Vec<serde_json::Value> {
        per_window
            .iter()
            .enumerate()
            .flat_map(|(w, n)| (0..*n).map(move |i| call(w as i64 * 600 + i, "GetSecretValue")))
            .collect()
    }

    #[test]
    fn a_burst_four_times_the_routine_keeps_its_level() {
        let trail = read_trail(secret_windows(&[3, 3, 12]));
        let found = candidates_of(&trail.events);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].spec.id, "cloudcase.analytics.secrets-burst");
        assert_eq!(found[0].spec.level, Level::Medium);
        assert_eq!(found[0].pointer.record, 6);
    }

    #[test]
    fn a_burst_under_four_times_the_routine_is_informational() {
        let trail = read_trail(secret_windows(&[4, 4, 12]));
        let found = candidates_of(&trail.events);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].spec.level, Level::Informational);
        assert!(
            found[0]
                .detail
                .ends_with("(threshold 10; its median window: 4); within this principal's routine"),
            "{}",
            found[0].detail
        );
    }

    #[test]
    fn merged_workers_count_calls_and_distinct_values_once() {
        let names: Vec<String> = (0..30).map(|i| format!("ListThing{i:02}")).collect();
        // Every call twice: each worker alone sees 30 different calls once,
        // merged they are still 30 different calls, 60 in all.
        let trail = read_trail(
            (0..60)
                .map(|i| call(i * 2, &names[(i % 30) as usize]))
                .collect(),
        );
        let hasher = RandomState::new();
        let mut first = Bursts::new(hasher.clone());
        let mut second = Bursts::new(hasher);
        for e in &trail.events {
            if e.provenance.record < 30 {
                first.observe(e);
            } else {
                second.observe(e);
            }
        }
        first.merge(second);
        let found = first.candidates();
        let found = with_id(&found, "cloudcase.analytics.enumeration-burst");
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .detail
                .starts_with("30 different calls (60 in all)"),
            "{}",
            found[0].detail
        );
        assert_eq!(found[0].pointer.record, 0);
    }

    #[test]
    fn object_reads_need_five_hundred_in_a_window() {
        let read = |i: i64| call(i / 2, "GetObject");
        let below = read_trail((0..499).map(read).collect());
        assert!(candidates_of(&below.events).is_empty());
        let at_threshold = read_trail((0..500).map(read).collect());
        let found = candidates_of(&at_threshold.events);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].spec.id, "cloudcase.analytics.object-read-burst");
    }
}
