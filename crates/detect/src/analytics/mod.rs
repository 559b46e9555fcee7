//! Stateful analytics: what single-event rules cannot express.
//!
//! * novelty: an identity's first use of a network, address, country or client,
//!   and an account's first use of a region, after a day of history
//!   (module `novelty`);
//! * bursts: access-denied storms, enumeration, launches across regions,
//!   secret reads, object reads (module `bursts`);
//! * compute credentials (instance, Lambda, ECS sessions) used off their compute
//!   (module `credential`);
//! * S3 access logs: a requester new to a bucket after its learning day, and
//!   newcomers reading many objects (module `readers`).
//!
//! Which logs each analytic learns from is a table ([`FEEDS`]): identity
//! analytics learn from CloudTrail and from S3 access lines (whose requesters
//! are principals); flow, DNS, GuardDuty and billing records name no caller,
//! and their regions and accounts are not the caller's, so they feed none.
//!
//! All state is order-independent and mergeable, so it is computed in the same
//! parallel pass that evaluates rules, with no sorting of events.

mod at;
mod bursts;
mod credential;
mod fetch;
#[cfg(test)]
mod fixtures;
mod geo;
mod grain;
mod identity;
mod names;
mod novelty;
mod readers;
mod written;

use std::net::IpAddr;

use cloudcase_event::{Event, LogSource};
use cloudcase_sigma::Level;

use std::io;
use std::path::PathBuf;

use cloudcase_read::{Files, Limits};

use crate::finding::{Finding, Origin};
use crate::pointer::Pointer;

pub use geo::{GeoError, MmdbGeo};

/// Country lookup for IP addresses (an offline database); analytics that need
/// it are skipped without one, and the output says so.
pub trait Geo: Sync {
    /// ISO country code of `ip`, if known.
    fn country(&self, ip: IpAddr) -> Option<String>;

    /// What the countries come from (a database's own description), for the
    /// hunt summary.
    fn description(&self) -> &str {
        "a geo-IP database"
    }
}

/// Identity of an analytic.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spec {
    /// Stable id, `cloudcase.analytics.…`.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// Severity.
    pub level: Level,
    /// ATT&CK tactics.
    pub tactics: &'static [&'static str],
    /// ATT&CK techniques.
    pub techniques: &'static [&'static str],
}

/// A finding before its witness is fetched: the analytic, the record it rests on, what was seen.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    /// The analytic (its level possibly adjusted).
    pub spec: Spec,
    /// The record.
    pub pointer: Pointer,
    /// What was observed.
    pub detail: String,
}

/// Which analytics learn from the events of one log.
struct Feeds {
    source: LogSource,
    /// Novelty, bursts and compute credentials: the caller's history.
    identity: bool,
    /// Bucket readers.
    readers: bool,
}

/// The logs each analytic learns from; a log not listed feeds none.
const FEEDS: &[Feeds] = &[
    Feeds {
        source: LogSource::CloudTrail,
        identity: true,
        readers: false,
    },
    Feeds {
        source: LogSource::S3Access,
        identity: true,
        readers: true,
    },
];

/// All analytics state of one worker.
#[derive(Debug)]
pub struct Analytics {
    novelty: novelty::Novelty,
    bursts: bursts::Bursts,
    credentials: credential::Credentials,
    readers: readers::BucketReaders,
}

impl Analytics {
    /// Empty state of one worker, keeping the burst windows and the compute
    /// sessions it counts within about `memory` bytes (three quarters and a
    /// quarter) before writing them to anonymous files in `temp_dir` (the
    /// system's temporary directory if `None`). The other workers of the run
    /// are made with [`Analytics::share`], so their states merge.
    pub fn new(memory: usize, temp_dir: Option<PathBuf>) -> Self {
        Analytics::with(
            bursts::Bursts::new(memory / 4 * 3, temp_dir.clone()),
            credential::Credentials::new(memory / 4, temp_dir),
        )
    }

    /// Another worker's empty state of the same run, with the same budget.
    pub fn share(&self) -> Self {
        Analytics::with(self.bursts.share(), self.credentials.share())
    }

    fn with(bursts: bursts::Bursts, credentials: credential::Credentials) -> Self {
        Analytics {
            novelty: novelty::Novelty::default(),
            bursts,
            credentials,
            readers: readers::BucketReaders::default(),
        }
    }

    /// Adds one event to the analytics that learn from its log.
    pub fn observe(&mut self, event: &Event, geo: Option<&dyn Geo>) {
        let Some(feeds) = FEEDS.iter().find(|f| f.source == event.source) else {
            return;
        };
        if feeds.identity {
            self.novelty.observe(event, geo);
            self.bursts.observe(event);
            self.credentials.observe(event);
        }
        if feeds.readers {
            self.readers.observe(event);
        }
    }

    /// Adds another worker's state.
    pub fn merge(&mut self, other: Analytics) {
        self.novelty.merge(other.novelty);
        self.bursts.merge(other.bursts);
        self.credentials.merge(other.credentials);
        self.readers.merge(other.readers);
    }

    /// The findings at `min_level` or above, in time order: candidates from
    /// every analytic, their records read once more (each file once) to fill
    /// in the witnesses; those below are only counted, so that their records
    /// are not read again. `files` are the run's inputs, by ordinal. Fails
    /// only if the burst windows or sessions written to temporary files
    /// cannot be read back.
    pub fn findings(
        self,
        files: &dyn Files,
        limits: Limits,
        min_level: Level,
    ) -> io::Result<AnalyticFindings> {
        let mut candidates = self.novelty.candidates();
        candidates.extend(self.bursts.candidates(files)?);
        candidates.extend(self.credentials.candidates(files)?);
        candidates.extend(self.readers.candidates());
        let all = candidates.len();
        candidates.retain(|c| c.spec.level >= min_level);
        let below = (all - candidates.len()) as u64;
        let witnesses = fetch::fetch(candidates.iter().map(|c| &c.pointer), limits);
        let mut out: Vec<Finding> = candidates
            .into_iter()
            .filter_map(|c| {
                let witness = witnesses.get(&fetch::RecordKey::of(&c.pointer))?.clone();
                Some(Finding {
                    rule_id: c.spec.id.to_owned(),
                    title: c.spec.title.to_owned(),
                    level: c.spec.level,
                    origin: Origin::Analytic,
                    tactics: c.spec.tactics.iter().map(|t| (*t).to_owned()).collect(),
                    techniques: c.spec.techniques.iter().map(|t| (*t).to_owned()).collect(),
                    detail: Some(c.detail),
                    witness,
                })
            })
            .collect();
        out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Ok(AnalyticFindings {
            findings: out,
            below,
        })
    }
}

/// What the analytics found.
#[derive(Debug)]
pub struct AnalyticFindings {
    /// The findings at the level asked for or above, in time order.
    pub findings: Vec<Finding>,
    /// How many were below that level (counted, not reported).
    pub below: u64,
}

#[cfg(test)]
mod tests {

    use cloudcase_event::LogSource;
    use cloudcase_read::Limits;
    use cloudcase_sigma::Level;

    use super::fixtures::{at, failed, read_trail, role_call, user_call};
    use super::Analytics;
    use crate::finding::Origin;

    const T0: &str = "2024-03-01T10:00:00Z";

    #[test]
    fn findings_carry_their_analytic_and_record_in_time_order() {
        let key = "AKIAIOSFODNN7EXAMPLE";
        let mut records = vec![
            user_call(
                "alice",
                key,
                &at(T0, -86_400),
                "ListBuckets",
                "198.51.100.7",
            ),
            user_call("alice", key, &at(T0, 3_600), "ListBuckets", "203.0.113.9"),
        ];
        records.extend((0..12).map(|i| {
            failed(
                role_call(
                    "ci-deploy",
                    "run-1",
                    &at(T0, i),
                    "ListUsers",
                    "198.51.100.8",
                ),
                "AccessDenied",
            )
        }));
        let trail = read_trail(records);
        let mut analytics = Analytics::new(1 << 20, None);
        for e in &trail.events {
            analytics.observe(e, None);
        }
        let findings = analytics
            .findings(&trail.files(), Limits::default(), Level::Informational)
            .expect("findings")
            .findings;
        let summary: Vec<(&str, u64)> = findings
            .iter()
            .map(|f| (f.rule_id.as_str(), f.witness.record))
            .collect();
        assert_eq!(
            summary,
            [
                ("cloudcase.analytics.access-denied-burst", 2),
                ("cloudcase.analytics.new-network", 1),
                ("cloudcase.analytics.new-source-ip", 1),
            ]
        );
        let network = &findings[1];
        assert_eq!(network.origin, Origin::Analytic);
        assert_eq!(network.level, Level::Medium);
        assert_eq!(network.tactics, ["initial-access"]);
        assert_eq!(network.techniques, ["T1078.004"]);
        assert_eq!(network.witness.source_ip.as_deref(), Some("203.0.113.9"));
        assert_eq!(network.witness.access_key.as_deref(), Some(key));
        assert!(network
            .detail
            .as_deref()
            .is_some_and(|d| d.contains("203.0.113.0/24")));
    }

    #[test]
    fn logs_without_callers_feed_no_identity_analytic() {
        let key = "AKIAIOSFODNN7EXAMPLE";
        let records = vec![
            user_call(
                "alice",
                key,
                &at(T0, -86_400),
                "ListBuckets",
                "198.51.100.7",
            ),
            user_call("alice", key, &at(T0, 3_600), "ListBuckets", "203.0.113.9"),
        ];
        let trail = read_trail(records);
        let found = |source: LogSource| {
            let mut analytics = Analytics::new(1 << 20, None);
            for e in &trail.events {
                let mut e = e.clone();
                e.source = source;
                analytics.observe(&e, None);
            }
            analytics
                .findings(&trail.files(), Limits::default(), Level::Informational)
                .expect("findings")
                .findings
                .len()
        };
        assert_eq!(found(LogSource::CloudTrail), 2);
        for source in [
            LogSource::VpcFlow,
            LogSource::GuardDuty,
            LogSource::Route53Resolver,
            LogSource::Billing,
        ] {
            assert_eq!(found(source), 0, "{source:?}");
        }
    }

    #[test]
    fn no_events_no_findings() {
        let analytics = Analytics::new(1 << 20, None);
        assert!(analytics
            .findings(&Vec::new(), Limits::default(), Level::Informational)
            .expect("findings")
            .findings
            .is_empty());
    }
}
