//! Clusters of a subject's activity: per network (/24 or /64) it called from, what it did in
//! its first days there (behaviour per tactic with the first record of each, user agents,
//! regions, hours, MFA, console sign-ins, session keys). Each cluster is a candidate departure
//! judged by `cloudcase-judge` against the subject's baseline before it.

use std::collections::{BTreeMap, BTreeSet};

use cloudcase_event::Event;
use cloudcase_judge::behaviour::{tactic_of, Call};
use cloudcase_judge::{Behaviour, Tactic};

use super::{Earliest, Ptr};

/// Days of a cluster's activity kept (its earliest): a departure is judged by what it did first.
pub const CLUSTER_DAYS: usize = 2;
/// User agents kept per cluster day.
const MAX_UAS: usize = 5;
/// Regions and session keys kept per cluster day.
const MAX_SMALL: usize = 16;
const DAY_MS: i64 = 86_400_000;

/// What a cluster did on one day.
#[derive(Debug, Clone, Default)]
pub struct ClusterDay {
    /// Events.
    pub events: u64,
    /// Behaviour counts.
    pub behaviour: Behaviour,
    /// The first record of each tactic.
    pub tactic_first: BTreeMap<Tactic, Ptr>,
    /// User agents, first seen earliest.
    pub uas: Earliest,
    /// Regions.
    pub regions: BTreeSet<Box<str>>,
    /// Successful launches per region.
    pub launch_regions: BTreeMap<Box<str>, u32>,
    /// Hours of day (UTC) as a bit set.
    pub hours: u32,
    /// Whether calls with MFA, and without, were seen.
    pub mfa_seen: bool,
    /// Whether a call without MFA (`mfaAuthenticated` false, or a sign-in with `MFAUsed: No`) was seen.
    pub no_mfa_seen: bool,
    /// The first successful console sign-in.
    pub sign_in: Option<Ptr>,
    /// Temporary (`ASIA…`) keys used.
    pub keys: BTreeSet<Box<str>>,
}

fn keep_first(map: &mut BTreeMap<Tactic, Ptr>, t: Tactic, p: &Ptr) {
    match map.get_mut(&t) {
        Some(q) if p.key() < q.key() => *q = p.clone(),
        Some(_) => {}
        None => {
            map.insert(t, p.clone());
        }
    }
}

fn earlier(a: Option<Ptr>, b: Option<Ptr>) -> Option<Ptr> {
    match (a, b) {
        (Some(x), Some(y)) => Some(Ptr::min(x, y)),
        (x, y) => x.or(y),
    }
}

/// Adds `value` to a set that keeps its `MAX_SMALL` smallest values: the same set whatever the
/// order events arrive in or how workers split the inputs.
fn insert_capped(set: &mut BTreeSet<Box<str>>, value: &str) {
    if set.len() >= MAX_SMALL && set.last().is_some_and(|last| **last <= *value) {
        return;
    }
    if !set.contains(value) {
        set.insert(value.into());
        if set.len() > MAX_SMALL {
            set.pop_last();
        }
    }
}

fn instance_type(ev: &Event) -> Option<String> {
    let req = ev.request_parameters.as_deref()?;
    let v: serde_json::Value = serde_json::from_str(req.get()).ok()?;
    v.get("instanceType")?.as_str().map(str::to_owned)
}

impl ClusterDay {
    fn add(&mut self, ev: &Event, p: &Ptr) {
        self.events += 1;
        let service = ev.service();
        let name = ev.event_name.as_str();
        let itype = (name == "RunInstances")
            .then(|| instance_type(ev))
            .flatten();
        self.behaviour.observe(&Call {
            service,
            name,
            error_code: ev.error_code.as_deref(),
            instance_type: itype.as_deref(),
            new_region: false,
        });
        if let Some(t) = tactic_of(service, name) {
            if ev.error_code.is_none() {
                keep_first(&mut self.tactic_first, t, p);
            }
        }
        if let Some(ua) = ev.user_agent.as_deref() {
            self.uas.add(ua, p.key(), MAX_UAS);
        }
        if let Some(r) = ev.region.as_deref() {
            insert_capped(&mut self.regions, r);
            if ev.error_code.is_none()
                && tactic_of(service, name) == Some(Tactic::ResourceHijacking)
            {
                *self.launch_regions.entry(r.into()).or_default() += 1;
            }
        }
        self.hours |= 1 << (p.ms.div_euclid(3_600_000).rem_euclid(24));
        let obs = cloudcase_judge::Observation::of_event(ev);
        match obs.mfa {
            Some(true) => self.mfa_seen = true,
            Some(false) => self.no_mfa_seen = true,
            None => {}
        }
        if obs.sign_in == Some(cloudcase_judge::baseline::SignIn::Success) {
            self.sign_in = earlier(self.sign_in.take(), Some(p.clone()));
        }
        if let Some(k) = ev.identity.access_key_id.as_deref() {
            if k.starts_with("ASIA") {
                insert_capped(&mut self.keys, k);
            }
        }
    }

    /// Adds another day's (or worker's) aggregate.
    pub fn merge(&mut self, o: &ClusterDay) {
        self.events += o.events;
        self.behaviour.merge(&o.behaviour);
        for (t, p) in &o.tactic_first {
            keep_first(&mut self.tactic_first, *t, p);
        }
        self.uas.merge(&o.uas, MAX_UAS);
        for r in &o.regions {
            insert_capped(&mut self.regions, r);
        }
        for (r, n) in &o.launch_regions {
            *self.launch_regions.entry(r.clone()).or_default() += n;
        }
        self.hours |= o.hours;
        self.mfa_seen |= o.mfa_seen;
        self.no_mfa_seen |= o.no_mfa_seen;
        self.sign_in = earlier(self.sign_in.take(), o.sign_in.clone());
        for k in &o.keys {
            insert_capped(&mut self.keys, k);
        }
    }
}

/// A subject's activity from one network.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Its first record.
    pub first: Ptr,
    /// The address of its first record.
    pub first_ip: Box<str>,
    /// Its earliest days' aggregates, by day since the epoch.
    days: BTreeMap<i64, ClusterDay>,
}

impl Cluster {
    /// A cluster starting with `ev`.
    pub(crate) fn new(ev: &Event, ip: &str) -> Cluster {
        let p = Ptr::of(ev);
        let mut c = Cluster {
            first: p.clone(),
            first_ip: ip.into(),
            days: BTreeMap::new(),
        };
        c.add_at(ev, &p, ip);
        c
    }

    /// Adds one event.
    pub(crate) fn add(&mut self, ev: &Event, ip: &str) {
        let p = Ptr::of(ev);
        self.add_at(ev, &p, ip);
    }

    fn add_at(&mut self, ev: &Event, p: &Ptr, ip: &str) {
        if p.key() < self.first.key() {
            self.first = p.clone();
            self.first_ip = ip.into();
        }
        let day = p.ms.div_euclid(DAY_MS);
        if self.days.len() >= CLUSTER_DAYS && !self.days.contains_key(&day) {
            match self.days.last_key_value() {
                Some((last, _)) if *last > day => {
                    self.days.pop_last();
                }
                _ => return,
            }
        }
        self.days.entry(day).or_default().add(ev, p);
    }

    /// Merges another worker's cluster of the same network.
    pub(crate) fn merge(&mut self, o: Cluster) {
        if o.first.key() < self.first.key() {
            self.first = o.first;
            self.first_ip = o.first_ip;
        }
        for (d, agg) in o.days {
            match self.days.get_mut(&d) {
                Some(mine) => mine.merge(&agg),
                None => {
                    self.days.insert(d, agg);
                }
            }
        }
        while self.days.len() > CLUSTER_DAYS {
            self.days.pop_last();
        }
    }

    /// What it did on its first days (the days kept).
    pub fn activity(&self) -> ClusterDay {
        let mut out = ClusterDay::default();
        for d in self.days.values() {
            out.merge(d);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_sets_keep_the_smallest_values_whatever_the_order() {
        let keys: Vec<String> = (0..40).map(|i| format!("ASIA{i:016}")).collect();
        let mut forward = BTreeSet::new();
        keys.iter().for_each(|k| insert_capped(&mut forward, k));
        let mut backward = BTreeSet::new();
        keys.iter()
            .rev()
            .for_each(|k| insert_capped(&mut backward, k));
        // Two workers, each its half, merged either way round.
        let (mut a, mut b) = (ClusterDay::default(), ClusterDay::default());
        keys[20..]
            .iter()
            .for_each(|k| insert_capped(&mut a.keys, k));
        keys[..20]
            .iter()
            .for_each(|k| insert_capped(&mut b.keys, k));
        let mut ab = a.clone();
        ab.merge(&b);
        let mut ba = b.clone();
        ba.merge(&a);
        assert_eq!(forward.len(), MAX_SMALL);
        assert_eq!(forward, backward);
        assert_eq!(ab.keys, forward);
        assert_eq!(ba.keys, forward);
        assert_eq!(forward.first().map(|k| &**k), Some("ASIA0000000000000000"));
    }
}
