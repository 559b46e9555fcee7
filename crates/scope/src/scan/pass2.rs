//! Pass 2: the attacker window — candidate events, key and store use, and what the inputs cover
//! (stores, regions, categories, hours, the subject's baseline).

use std::collections::{BTreeMap, HashSet};

use cloudcase_event::{Category, Event, LogSource};
use cloudcase_model::scope::StoreKind;
use cloudcase_read::EventSink;

use super::candidate::interesting;
use super::request::store_request;
use super::strings::Strings;
use super::{bump, merge_map, widen, widen_span, Candidate, FastMap, KeySource, Ptr, Subject, Use};
use crate::activity::Activity;
use crate::net::ua_family;
use crate::stores::{Access, StoreSpec};

/// What the logs show of one data store in the whole input: how often it is
/// named, and when — the basis of its coverage.
#[derive(Debug, Default, Clone)]
pub struct StoreCov {
    /// Events naming the store (any category).
    pub mentions: u64,
    /// First event naming it.
    pub first_mention: Option<Ptr>,
    /// Region of the first event naming it.
    pub region: Option<Box<str>>,
    /// Data events on it.
    pub data_events: u64,
    /// Data events on it at or after the first attacker event.
    pub data_in_window: u64,
    /// First and last data event time.
    pub data_span: Option<(i64, i64)>,
}

impl StoreCov {
    fn merge(&mut self, c: StoreCov) {
        self.mentions += c.mentions;
        let (a, b) = (self.first_mention.take(), c.first_mention);
        let (ra, rb) = (self.region.take(), c.region);
        (self.first_mention, self.region) = match (a, b) {
            (Some(a), Some(b)) if b.key() < a.key() => (Some(b), rb),
            (Some(a), _) => (Some(a), ra),
            (None, b) => (b, rb),
        };
        self.data_events += c.data_events;
        self.data_in_window += c.data_in_window;
        widen_span(&mut self.data_span, c.data_span);
    }
}

/// Per-region counts.
#[derive(Debug, Default, Clone)]
pub struct RegionCov {
    /// Events.
    pub events: u64,
    /// First and last time.
    pub span: Option<(i64, i64)>,
}

/// A data store: its kind (bucket, table, …) and its name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct StoreId {
    /// Its kind.
    pub kind: StoreKind,
    /// Its name.
    pub name: Box<str>,
}

/// One way a store was accessed in the window.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccessId {
    /// The store.
    pub store: StoreId,
    /// The access key used.
    pub key: Box<str>,
    /// The source address.
    pub ip: Box<str>,
    /// Whether the call succeeded.
    pub succeeded: bool,
    /// What the call does to the store.
    pub access: Access,
}

/// Pass 2 state.
#[derive(Debug, Default)]
pub struct Pass2 {
    /// Candidate events in the window.
    pub candidates: Vec<Candidate>,
    /// (access key, source) → use, in the window.
    pub key_use: FastMap<KeySource, Use>,
    /// Accesses to data stores (reads, exposures, openings), in the window.
    pub store_access: FastMap<AccessId, Use>,
    /// (access key, source) → ListBuckets calls, in the window.
    pub list_buckets: FastMap<KeySource, Use>,
    /// (long-term key, source) pairs seen before the first attacker event; kept only when the
    /// subject is an address range (keys used from it are then followed by source novelty).
    pub key_ip_before: HashSet<KeySource>,
    /// Data stores named in any event.
    pub stores: FastMap<StoreId, StoreCov>,
    /// Events per category.
    pub categories: BTreeMap<String, u64>,
    /// Management events that were read-only / mutating.
    pub mgmt_read: u64,
    /// Mutating management events.
    pub mgmt_write: u64,
    /// Read-only management events in the window, per region.
    pub mgmt_read_in_window: FastMap<Box<str>, u64>,
    /// Regions.
    pub regions: FastMap<Box<str>, RegionCov>,
    /// Events per hour by region and identity (the charts).
    pub activity: Activity,
    /// Hours (ms / 3 600 000) in which any event happened.
    pub hours: HashSet<i64>,
    /// Subject events before the first attacker event: hour-of-day histogram (UTC).
    pub baseline_hours: [u64; 24],
    /// … regions.
    pub baseline_regions: BTreeMap<String, u64>,
    /// … user-agent families.
    pub baseline_families: BTreeMap<String, u64>,
    /// … events.
    pub baseline_events: u64,
}

/// The pass-2 sink of one worker.
pub struct Pass2Sink<'a> {
    /// The subject.
    pub subject: &'a Subject,
    /// Which profile is the subject's.
    pub subject_key: &'a str,
    /// First attacker event, ms.
    pub t0: i64,
    /// Attacker sources known from pass 1.
    pub attacker_ips: &'a HashSet<String>,
    /// The state.
    pub state: Pass2,
    /// The strings the worker's candidates share.
    pub strings: Strings,
}

/// Records the data stores an event names: coverage always, accesses in the window.
fn record_stores(st: &mut Pass2, ev: &Event, in_window: bool, key: &str, ip: &str) {
    let mut specs = StoreSpec::of_service(ev.service()).peekable();
    if specs.peek().is_none() {
        return;
    }
    let Some(raw) = ev.request_parameters.as_deref() else {
        return;
    };
    let Some(req) = store_request(ev.service(), raw) else {
        return;
    };
    let data = ev.category == Category::Data;
    let data_read = data && ev.read_only != Some(false);
    let ms = ev.time.millis();
    for spec in specs {
        for name in spec.names(&req) {
            let id = StoreId {
                kind: spec.kind,
                name: name.into(),
            };
            let cov = match st.stores.get_mut(&id) {
                Some(cov) => cov,
                None => st.stores.entry(id.clone()).or_default(),
            };
            cov.mentions += 1;
            // The earliest mention and its region, as `StoreCov::merge` keeps them.
            if cov
                .first_mention
                .as_ref()
                .is_none_or(|f| Ptr::key_of(ev) < f.key())
            {
                cov.first_mention = Some(Ptr::of(ev));
                cov.region = ev.region.as_deref().map(Into::into);
            }
            if data {
                cov.data_events += 1;
                widen(&mut cov.data_span, ms);
                cov.data_in_window += u64::from(in_window);
            }
            let access = spec.access(ev.event_name.as_str(), data_read, &req);
            // Stores listed only when the attacker named them need every access; the others
            // need only reads, exposures and openings.
            if in_window && (access != Access::Other || !spec.list_all) {
                let ok = ev.error_code.is_none();
                bump(
                    &mut st.store_access,
                    AccessId {
                        store: id,
                        key: key.into(),
                        ip: ip.into(),
                        succeeded: ok,
                        access,
                    },
                    ev,
                );
            }
        }
    }
}

/// Adds one to `name`'s count, allocating the key only the first time it is seen.
fn count(map: &mut BTreeMap<String, u64>, name: &str) {
    match map.get_mut(name) {
        Some(n) => *n += 1,
        None => {
            map.insert(name.to_owned(), 1);
        }
    }
}

impl EventSink for Pass2Sink<'_> {
    fn accept(&mut self, ev: Event) {
        // S3 access lines are CloudTrail-shaped data events: counted here they would pass for
        // data-event coverage and reads. They and the other logs are read by `crate::logs`.
        if ev.source != LogSource::CloudTrail {
            return;
        }
        let st = &mut self.state;
        let ms = ev.time.millis();
        let in_window = ms >= self.t0;
        count(&mut st.categories, ev.category.as_str());
        if ev.category == Category::Management {
            if ev.read_only == Some(true) {
                st.mgmt_read += 1;
            } else {
                st.mgmt_write += 1;
            }
        }
        if let Some(r) = ev.region.as_deref() {
            let rc = match st.regions.get_mut(r) {
                Some(rc) => rc,
                None => st.regions.entry(r.into()).or_default(),
            };
            rc.events += 1;
            widen(&mut rc.span, ms);
        }
        st.hours.insert(ms.div_euclid(3_600_000));
        let subject = self.subject.is_profile(&ev, self.subject_key);
        if subject && !in_window {
            st.baseline_events += 1;
            st.baseline_hours[(ms.div_euclid(3_600_000).rem_euclid(24)) as usize] += 1;
            count(&mut st.baseline_regions, ev.region.as_deref().unwrap_or(""));
            count(
                &mut st.baseline_families,
                &ua_family(ev.user_agent.as_deref().unwrap_or("")),
            );
        }
        let key: Box<str> = ev.identity.access_key_id.as_deref().unwrap_or("").into();
        let ip: Box<str> = ev.source_ip.as_deref().unwrap_or("").into();
        let svc = ev.service();
        if in_window && ev.category == Category::Management && ev.read_only == Some(true) {
            let region = ev.region.as_deref().unwrap_or("");
            match st.mgmt_read_in_window.get_mut(region) {
                Some(n) => *n += 1,
                None => {
                    st.mgmt_read_in_window.insert(region.into(), 1);
                }
            }
        }
        record_stores(st, &ev, in_window, &key, &ip);
        st.activity.add(&ev, in_window, &key, &ip);
        if !in_window {
            if matches!(self.subject, Subject::Ip(_)) && key.starts_with("AKIA") {
                st.key_ip_before.insert(KeySource { key, ip });
            }
            return;
        }
        let used = KeySource { key, ip };
        if svc == "s3" && ev.event_name == "ListBuckets" {
            bump(&mut st.list_buckets, used.clone(), &ev);
        }
        bump(&mut st.key_use, used, &ev);
        let from_attacker = ev
            .source_ip
            .as_deref()
            .is_some_and(|ip| self.attacker_ips.contains(ip));
        if from_attacker || interesting(&ev) {
            st.candidates
                .push(Candidate::interned(&ev, subject, &mut self.strings));
        }
    }
}

impl Pass2 {
    /// Merges the workers' states.
    pub fn merge_all(parts: Vec<Pass2>) -> Pass2 {
        let mut out = Pass2::default();
        for p in parts {
            out.candidates.extend(p.candidates);
            merge_map(&mut out.key_use, p.key_use);
            merge_map(&mut out.store_access, p.store_access);
            merge_map(&mut out.list_buckets, p.list_buckets);
            out.key_ip_before.extend(p.key_ip_before);
            for (id, c) in p.stores {
                out.stores.entry(id).or_default().merge(c);
            }
            for (r, n) in p.mgmt_read_in_window {
                *out.mgmt_read_in_window.entry(r).or_default() += n;
            }
            for (k, n) in p.categories {
                *out.categories.entry(k).or_default() += n;
            }
            out.mgmt_read += p.mgmt_read;
            out.mgmt_write += p.mgmt_write;
            for (r, c) in p.regions {
                let o = out.regions.entry(r).or_default();
                o.events += c.events;
                widen_span(&mut o.span, c.span);
            }
            out.hours.extend(p.hours);
            out.activity.merge(p.activity);
            for i in 0..24 {
                out.baseline_hours[i] += p.baseline_hours[i];
            }
            for (k, n) in p.baseline_regions {
                *out.baseline_regions.entry(k).or_default() += n;
            }
            for (k, n) in p.baseline_families {
                *out.baseline_families.entry(k).or_default() += n;
            }
            out.baseline_events += p.baseline_events;
        }
        out.candidates.sort_by_key(|c| c.ptr.key());
        out
    }
}
