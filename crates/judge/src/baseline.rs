//! A per-identity baseline: the first use of every network, client, user agent, region, hour
//! and compute environment, and its MFA and console sign-in history. Bounded (the earliest
//! first uses are kept: they are the ones a later departure is judged against) and mergeable
//! (workers each see part of the input).

use std::collections::BTreeMap;

use cloudcase_event::Event;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::behaviour::{base_name, tactic_of};
use crate::client::{Client, ExecEnv};
use crate::kind::{self, IdentityKind};
use crate::network::{network_of, wide_network_of};

/// Most networks kept.
const MAX_NETWORKS: usize = 512;
/// Most wide networks, countries and ASNs kept.
const MAX_WIDE: usize = 256;
/// Most client labels (family/OS) kept.
const MAX_CLIENTS: usize = 64;
/// Most exact user agents kept.
const MAX_AGENTS: usize = 128;
/// Most regions kept.
const MAX_REGIONS: usize = 64;
/// Most days with events kept.
const MAX_DAYS: usize = 400;
/// Most console sign-in failures kept.
const MAX_FAILURES: usize = 256;
/// Most distinct calls of a tactic (persistence, discovery, …) kept.
const MAX_CALLS: usize = 512;

const DAY_MS: i64 = 86_400_000;
const HOUR_MS: i64 = 3_600_000;

/// First uses of values, the earliest `cap` kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FirstUses<K: Ord> {
    map: BTreeMap<K, i64>,
}

impl<K: Ord> Default for FirstUses<K> {
    fn default() -> Self {
        FirstUses {
            map: BTreeMap::new(),
        }
    }
}

impl<K: Ord + Clone> FirstUses<K> {
    /// Records a use of `k` at `ms`.
    pub fn add(&mut self, k: K, ms: i64, cap: usize) {
        let e = self.map.entry(k).or_insert(ms);
        *e = (*e).min(ms);
        if self.map.len() > cap {
            if let Some(latest) = self
                .map
                .iter()
                .max_by_key(|(_, t)| **t)
                .map(|(k, _)| k.clone())
            {
                self.map.remove(&latest);
            }
        }
    }

    /// Merges another set of first uses.
    pub fn merge(&mut self, other: &FirstUses<K>, cap: usize) {
        for (k, t) in &other.map {
            self.add(k.clone(), *t, cap);
        }
    }

    /// The first use of `k`.
    pub fn first<Q>(&self, k: &Q) -> Option<i64>
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.map.get(k).copied()
    }

    /// Whether `k` was used before `ms`.
    pub fn known_before<Q>(&self, k: &Q, ms: i64) -> bool
    where
        K: std::borrow::Borrow<Q>,
        Q: Ord + ?Sized,
    {
        self.first(k).is_some_and(|t| t < ms)
    }

    /// How many values were first used before `ms`.
    pub fn count_before(&self, ms: i64) -> usize {
        self.map.values().filter(|t| **t < ms).count()
    }

    /// The values first used before `ms`.
    pub fn before(&self, ms: i64) -> impl Iterator<Item = &K> {
        self.map
            .iter()
            .filter(move |(_, t)| **t < ms)
            .map(|(k, _)| k)
    }

    /// Every value and its first use.
    pub fn iter(&self) -> impl Iterator<Item = (&K, i64)> {
        self.map.iter().map(|(k, t)| (k, *t))
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// How a console sign-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignIn {
    /// `ConsoleLogin` succeeded.
    Success,
    /// `ConsoleLogin` failed.
    Failure,
}

/// One call as the baseline sees it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Observation<'a> {
    /// Event time, ms.
    pub ms: i64,
    /// `sourceIPAddress`.
    pub source_ip: Option<&'a str>,
    /// `userAgent`.
    pub user_agent: Option<&'a str>,
    /// `awsRegion`.
    pub region: Option<&'a str>,
    /// `sessionContext.attributes.mfaAuthenticated` (or `MFAUsed` of a console sign-in).
    pub mfa: Option<bool>,
    /// A console sign-in's outcome.
    pub sign_in: Option<SignIn>,
    /// Country of the source (with a lookup).
    pub country: Option<&'a str>,
    /// ASN of the source (with a lookup).
    pub asn: Option<u32>,
    /// The call: service (`iam`) and event name, for the behaviour the identity already shows.
    pub call: Option<(&'a str, &'a str)>,
    /// Whether the call failed.
    pub failed: bool,
}

impl<'a> Observation<'a> {
    /// The observation of an event (without country or ASN).
    pub fn of_event(ev: &'a Event) -> Observation<'a> {
        let bodies = (ev.event_name == "ConsoleLogin").then(|| SignInBodies::of(ev));
        let sign_in = bodies.as_ref().map(|b| b.outcome(ev));
        let mfa_used = bodies.as_ref().and_then(SignInBodies::mfa);
        Observation {
            ms: ev.time.millis(),
            source_ip: ev.source_ip.as_deref(),
            user_agent: ev.user_agent.as_deref(),
            region: ev.region.as_deref(),
            mfa: mfa_used.or(ev.identity.mfa_authenticated),
            sign_in,
            country: None,
            asn: None,
            call: Some((ev.service(), ev.event_name.as_str())),
            failed: ev.error_code.is_some(),
        }
    }
}

/// A console sign-in's `responseElements` and `additionalEventData` as JSON
/// text: the event's own when the reader kept them, otherwise read from the
/// record text, since a sink may read the record text without the bodies
/// (`cloudcase_read::EventSink::wants_bodies`; `hunt` does).
#[derive(Debug, Default, Deserialize)]
struct SignInBodies<'a> {
    #[serde(rename = "responseElements", borrow)]
    response: Option<&'a RawValue>,
    #[serde(rename = "additionalEventData", borrow)]
    extra: Option<&'a RawValue>,
}

impl<'a> SignInBodies<'a> {
    fn of(ev: &'a Event) -> SignInBodies<'a> {
        let kept = SignInBodies {
            response: ev.response_elements.as_deref(),
            extra: ev.additional_event_data.as_deref(),
        };
        if kept.response.is_some() || kept.extra.is_some() || ev.raw.is_empty() {
            return kept;
        }
        serde_json::from_str(&ev.raw).unwrap_or_default()
    }

    fn outcome(&self, ev: &Event) -> SignIn {
        let failed = ev.error_message.is_some()
            || self
                .response
                .is_some_and(|r| r.get().contains("\"Failure\""));
        if failed {
            SignIn::Failure
        } else {
            SignIn::Success
        }
    }

    fn mfa(&self) -> Option<bool> {
        let extra = self.extra?.get();
        if extra.contains("\"MFAUsed\":\"Yes\"") {
            Some(true)
        } else if extra.contains("\"MFAUsed\":\"No\"") {
            Some(false)
        } else {
            None
        }
    }
}

/// The baseline of one identity.
#[derive(Debug, Clone, Default)]
pub struct Baseline {
    /// Its kind, merged over its calls.
    pub kind: Option<IdentityKind>,
    /// First event, ms.
    pub first_ms: Option<i64>,
    /// Events per day (days since the epoch), the earliest days kept.
    days: BTreeMap<i64, u64>,
    /// Networks (/24, /64).
    pub networks: FirstUses<String>,
    /// Wide networks (/16, /48).
    pub wide: FirstUses<String>,
    /// Countries.
    pub countries: FirstUses<String>,
    /// Autonomous systems.
    pub asns: FirstUses<u32>,
    /// Client family/OS labels.
    pub clients: FirstUses<String>,
    /// Exact user agents.
    pub user_agents: FirstUses<String>,
    /// Regions.
    pub regions: FirstUses<String>,
    /// First use of each hour of day (UTC).
    pub hours: [Option<i64>; 24],
    /// Compute environments named by its clients.
    pub exec_envs: FirstUses<ExecEnv>,
    /// First call with MFA.
    pub mfa_first: Option<i64>,
    /// Console sign-in failures, ms (the earliest kept).
    pub sign_in_failures: Vec<i64>,
    /// Successful calls of a tactic (persistence, privilege escalation, discovery, …) by
    /// event name without version suffix: the behaviour the identity already shows.
    pub calls: FirstUses<String>,
}

fn min_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

impl Baseline {
    /// Records one call (the identity's kind is merged in separately: [`Baseline::observe_event`]).
    pub fn observe(&mut self, o: &Observation<'_>) {
        let ms = o.ms;
        self.first_ms = min_opt(self.first_ms, Some(ms));
        *self.days.entry(ms.div_euclid(DAY_MS)).or_default() += 1;
        if self.days.len() > MAX_DAYS {
            self.days.pop_last();
        }
        if let Some(ip) = o.source_ip {
            if let Some(n) = network_of(ip) {
                self.networks.add(n, ms, MAX_NETWORKS);
            }
            if let Some(w) = wide_network_of(ip) {
                self.wide.add(w, ms, MAX_WIDE);
            }
        }
        if let Some(c) = o.country {
            self.countries.add(c.to_owned(), ms, MAX_WIDE);
        }
        if let Some(a) = o.asn {
            self.asns.add(a, ms, MAX_WIDE);
        }
        if let Some(ua) = o.user_agent.filter(|u| !u.is_empty()) {
            let client = Client::parse(ua);
            self.clients.add(client.label(), ms, MAX_CLIENTS);
            self.user_agents.add(ua.to_owned(), ms, MAX_AGENTS);
            if let Some(env) = client.exec_env {
                self.exec_envs.add(env, ms, 8);
            }
        }
        if let Some(r) = o.region {
            self.regions.add(r.to_owned(), ms, MAX_REGIONS);
        }
        let hour = (ms.div_euclid(HOUR_MS)).rem_euclid(24) as usize;
        self.hours[hour] = min_opt(self.hours[hour], Some(ms));
        if o.mfa == Some(true) {
            self.mfa_first = min_opt(self.mfa_first, Some(ms));
        }
        if let Some((service, name)) = o.call.filter(|_| !o.failed) {
            if tactic_of(service, name).is_some() {
                self.calls.add(base_name(name).to_owned(), ms, MAX_CALLS);
            }
        }
        if o.sign_in == Some(SignIn::Failure) {
            self.sign_in_failures.push(ms);
            self.sign_in_failures.sort_unstable();
            self.sign_in_failures.truncate(MAX_FAILURES);
        }
    }

    /// Records one event and merges its caller's kind.
    pub fn observe_event(&mut self, ev: &Event) {
        let k = kind::of_event(&ev.identity, ev.user_agent.as_deref());
        self.kind = Some(self.kind.map_or(k, |mine| mine.merge(k)));
        self.observe(&Observation::of_event(ev));
    }

    /// Merges another worker's baseline of the same identity.
    pub fn merge(&mut self, o: &Baseline) {
        self.kind = match (self.kind, o.kind) {
            (Some(a), Some(b)) => Some(a.merge(b)),
            (a, b) => a.or(b),
        };
        self.first_ms = min_opt(self.first_ms, o.first_ms);
        for (d, n) in &o.days {
            *self.days.entry(*d).or_default() += n;
        }
        while self.days.len() > MAX_DAYS {
            self.days.pop_last();
        }
        self.networks.merge(&o.networks, MAX_NETWORKS);
        self.wide.merge(&o.wide, MAX_WIDE);
        self.countries.merge(&o.countries, MAX_WIDE);
        self.asns.merge(&o.asns, MAX_WIDE);
        self.clients.merge(&o.clients, MAX_CLIENTS);
        self.user_agents.merge(&o.user_agents, MAX_AGENTS);
        self.regions.merge(&o.regions, MAX_REGIONS);
        for (h, t) in self.hours.iter_mut().zip(o.hours) {
            *h = min_opt(*h, t);
        }
        self.exec_envs.merge(&o.exec_envs, 8);
        self.calls.merge(&o.calls, MAX_CALLS);
        self.mfa_first = min_opt(self.mfa_first, o.mfa_first);
        self.sign_in_failures.extend(&o.sign_in_failures);
        self.sign_in_failures.sort_unstable();
        self.sign_in_failures.truncate(MAX_FAILURES);
    }

    /// Events on whole days before the day of `ms` (a lower bound of the events before `ms`).
    pub fn events_before(&self, ms: i64) -> u64 {
        let day = ms.div_euclid(DAY_MS);
        self.days.range(..day).map(|(_, n)| n).sum()
    }

    /// How long the identity had been seen at `ms`, ms (0 when it had not).
    pub fn history_ms(&self, ms: i64) -> i64 {
        self.first_ms.map_or(0, |f| (ms - f).max(0))
    }

    /// Console sign-in failures in the `window_ms` before `ms`.
    pub fn failures_before(&self, ms: i64, window_ms: i64) -> usize {
        self.sign_in_failures
            .iter()
            .filter(|t| **t < ms && ms - **t <= window_ms)
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = HOUR_MS;

    fn obs(ms: i64, ip: &'static str, ua: &'static str) -> Observation<'static> {
        Observation {
            ms,
            source_ip: Some(ip),
            user_agent: Some(ua),
            region: Some("us-east-1"),
            ..Observation::default()
        }
    }

    #[test]
    fn first_uses_and_merge_agree_with_one_pass() {
        let all = [
            obs(5 * H, "198.51.100.7", "aws-cli/2.15 os/macos"),
            obs(H, "198.51.100.9", "aws-cli/2.15 os/macos"),
            obs(30 * H, "203.0.113.5", "boto3/1.34 os/linux"),
        ];
        let mut one = Baseline::default();
        all.iter().for_each(|o| one.observe(o));
        let (mut a, mut b) = (Baseline::default(), Baseline::default());
        a.observe(&all[0]);
        b.observe(&all[1]);
        b.observe(&all[2]);
        a.merge(&b);
        assert_eq!(a.networks, one.networks);
        assert_eq!(a.first_ms, Some(H));
        assert_eq!(a.networks.first("198.51.100.0/24"), Some(H));
        assert!(a.wide.known_before("203.0.0.0/16", 31 * H));
        assert!(!a.wide.known_before("203.0.0.0/16", 30 * H));
        assert_eq!(a.clients.count_before(30 * H), 1);
        assert_eq!(a.hours[1], Some(H));
        assert_eq!(a.events_before(30 * H), 2);
        assert_eq!(a.history_ms(30 * H), 29 * H);
    }

    #[test]
    fn bounded_keeps_the_earliest() {
        let mut f = FirstUses::default();
        for i in 0..10 {
            f.add(format!("n{i}"), 100 - i, 3);
        }
        assert_eq!(f.iter().count(), 3);
        assert_eq!(f.first("n9"), Some(91));
        assert_eq!(f.first("n0"), None);
    }

    /// A console sign-in record, with its bodies kept or (as `hunt` reads)
    /// only in the record text.
    fn console_login(response: &str, extra: &str, bodies_kept: bool) -> Event {
        use cloudcase_event::{
            Category, EventTime, LogSource, OtherRecord, Provenance, SourceFile,
        };
        let raw = format!(
            r#"{{"eventName":"ConsoleLogin","responseElements":{response},"additionalEventData":{extra}}}"#
        );
        let mut ev = Event::other(OtherRecord {
            source: LogSource::CloudTrail,
            time: EventTime::parse("2024-05-01T00:00:00Z").unwrap(),
            time_field: Event::EVENT_TIME,
            event_source: "signin.amazonaws.com".into(),
            event_name: "ConsoleLogin".into(),
            category: Category::Management,
            raw: raw.into(),
            detail: None,
            provenance: Provenance::first_of(SourceFile::plain("t.json")),
        });
        if bodies_kept {
            ev.response_elements = serde_json::from_str(response).unwrap();
            ev.additional_event_data = serde_json::from_str(extra).unwrap();
        }
        ev
    }

    #[test]
    fn console_sign_ins_read_the_same_with_or_without_their_bodies_kept() {
        let cases = [
            (
                r#"{"ConsoleLogin":"Failure"}"#,
                r#"{"MFAUsed":"No"}"#,
                SignIn::Failure,
                Some(false),
            ),
            (
                r#"{"ConsoleLogin":"Success"}"#,
                r#"{"MFAUsed":"Yes"}"#,
                SignIn::Success,
                Some(true),
            ),
            ("null", "null", SignIn::Success, None),
        ];
        for (response, extra, outcome, mfa) in cases {
            for kept in [true, false] {
                let ev = console_login(response, extra, kept);
                let o = Observation::of_event(&ev);
                assert_eq!(
                    (o.sign_in, o.mfa),
                    (Some(outcome), mfa),
                    "{response} {kept}"
                );
            }
        }
    }

    #[test]
    fn mfa_and_sign_in_failures() {
        let mut b = Baseline::default();
        b.observe(&Observation {
            ms: 10,
            mfa: Some(true),
            ..Observation::default()
        });
        for t in [100, 200, 300] {
            b.observe(&Observation {
                ms: t,
                sign_in: Some(SignIn::Failure),
                ..Observation::default()
            });
        }
        assert_eq!(b.mfa_first, Some(10));
        assert_eq!(b.failures_before(350, 200), 2);
        assert_eq!(b.failures_before(50, 200), 0);
    }
}
