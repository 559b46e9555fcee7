//! What the inputs cover, whoever the attacker turns out to be: events per category, region and
//! hour, the data stores events name, and the hourly activity of every identity. Counted in
//! pass 1, so that pass 2 needs to parse only the attacker window and the subject's history.

use std::collections::{BTreeMap, HashSet};

use cloudcase_event::{Category, Event};
use cloudcase_model::scope::StoreKind;

use super::request::store_request;
use super::{widen, widen_span, FastMap, KeySource, Ptr};
use crate::activity::Activity;
use crate::stores::StoreSpec;

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
    /// Data events on it at or after the first attacker event (counted by pass 2).
    pub data_in_window: u64,
    /// First and last data event time.
    pub data_span: Option<(i64, i64)>,
}

impl StoreCov {
    /// Adds another count of the same store (another worker's, or pass 2's window count).
    pub(crate) fn merge(&mut self, c: StoreCov) {
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

/// The coverage counts of one worker, then of the whole input.
#[derive(Debug, Default)]
pub struct Coverage {
    /// Data stores named in any event.
    pub stores: FastMap<StoreId, StoreCov>,
    /// Events per category.
    pub categories: BTreeMap<String, u64>,
    /// Read-only management events.
    pub mgmt_read: u64,
    /// Mutating management events.
    pub mgmt_write: u64,
    /// Regions.
    pub regions: FastMap<Box<str>, RegionCov>,
    /// Hours (ms / 3 600 000) in which any event happened.
    pub hours: HashSet<i64>,
    /// Events per hour by region and identity, over the whole input.
    pub activity: Activity,
    /// (long-term key, source) pairs and the time of their first use; kept only when the
    /// subject is an address range (see `Pass2::key_ip_before`).
    pub key_ip_first: FastMap<KeySource, i64>,
}

/// Adds one to `name`'s count, allocating the key only the first time it is seen.
pub(crate) fn count(map: &mut BTreeMap<String, u64>, name: &str) {
    match map.get_mut(name) {
        Some(n) => *n += 1,
        None => {
            map.insert(name.to_owned(), 1);
        }
    }
}

impl Coverage {
    /// Counts one CloudTrail event; `key_sources` when the subject is an address range.
    pub(crate) fn add(&mut self, ev: &Event, key_sources: bool) {
        let ms = ev.time.millis();
        count(&mut self.categories, ev.category.as_str());
        if ev.category == Category::Management {
            if ev.read_only == Some(true) {
                self.mgmt_read += 1;
            } else {
                self.mgmt_write += 1;
            }
        }
        if let Some(r) = ev.region.as_deref() {
            let rc = match self.regions.get_mut(r) {
                Some(rc) => rc,
                None => self.regions.entry(r.into()).or_default(),
            };
            rc.events += 1;
            widen(&mut rc.span, ms);
        }
        self.hours.insert(ms.div_euclid(3_600_000));
        self.activity.add(ev);
        self.add_stores(ev);
        let key = ev.identity.access_key_id.as_deref().unwrap_or("");
        if key_sources && key.starts_with("AKIA") {
            let ip = ev.source_ip.as_deref().unwrap_or("");
            let pair = KeySource::new(key, ip);
            let first = self.key_ip_first.entry(pair).or_insert(ms);
            *first = (*first).min(ms);
        }
    }

    /// Counts the data stores an event names.
    fn add_stores(&mut self, ev: &Event) {
        let mut specs = StoreSpec::of_service(ev.service()).peekable();
        if specs.peek().is_none() {
            return;
        }
        let Some(req) = ev
            .request_parameters
            .as_deref()
            .and_then(|raw| store_request(ev.service(), raw))
        else {
            return;
        };
        let data = ev.category == Category::Data;
        let ms = ev.time.millis();
        for spec in specs {
            for name in spec.names(&req) {
                let cov = self.store(spec.kind, &name);
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
                }
            }
        }
    }

    /// The count of one store, created empty the first time.
    fn store(&mut self, kind: StoreKind, name: &str) -> &mut StoreCov {
        let id = StoreId {
            kind,
            name: name.into(),
        };
        self.stores.entry(id).or_default()
    }

    /// Merges another worker's counts.
    pub(crate) fn merge(&mut self, o: Coverage) {
        for (id, c) in o.stores {
            self.stores.entry(id).or_default().merge(c);
        }
        for (k, n) in o.categories {
            *self.categories.entry(k).or_default() += n;
        }
        self.mgmt_read += o.mgmt_read;
        self.mgmt_write += o.mgmt_write;
        for (r, c) in o.regions {
            let mine = self.regions.entry(r).or_default();
            mine.events += c.events;
            widen_span(&mut mine.span, c.span);
        }
        self.hours.extend(o.hours);
        self.activity.merge(o.activity);
        for (pair, ms) in o.key_ip_first {
            let first = self.key_ip_first.entry(pair).or_insert(ms);
            *first = (*first).min(ms);
        }
    }
}
