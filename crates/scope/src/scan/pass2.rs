//! Pass 2: the attacker window — candidate events, key and store use. What the inputs cover and
//! the subject's baseline were counted by pass 1 (`Coverage`, `Hourly`), so pass 2 reads only the
//! files that reach the hour of the first attacker event.

use std::collections::HashSet;

use cloudcase_event::{Category, Event, LogSource};
use cloudcase_read::EventSink;

use super::candidate::interesting;
use super::coverage::{Coverage, StoreId};
use super::hourly::{hour_start, BaselineCounts};
use super::request::store_request;
use super::{Candidate, FastMap, KeySource, Subject};
use super::{CandidateSpool, Candidates, KeyUses, StoreAccesses};
use crate::net::ua_family;
use crate::stores::{Access, StoreSpec};

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
    /// Candidate events in the window, in record order (filled by [`Pass2::merge_all`]; each
    /// worker's are in its [`Pass2Sink::spool`]).
    pub candidates: Candidates,
    /// (access key, source) → use, in the window, within a memory budget.
    pub key_use: KeyUses,
    /// Accesses to data stores (reads, exposures, openings), in the window, within a memory
    /// budget.
    pub store_access: StoreAccesses,
    /// (access key, source) → ListBuckets calls, in the window, within a memory budget.
    pub list_buckets: KeyUses,
    /// (long-term key, source) pairs seen before the first attacker event; kept only when the
    /// subject is an address range (keys used from it are then followed by source novelty).
    pub key_ip_before: HashSet<KeySource>,
    /// Read-only management events in the window, per region.
    pub mgmt_read_in_window: FastMap<Box<str>, u64>,
    /// What the inputs cover (from pass 1), with the window's data events per store and the
    /// window's hourly activity per (key, source) added by pass 2.
    pub coverage: Coverage,
    /// The subject's events before the first attacker event (pass 1's hours before its hour,
    /// and pass 2's part of that hour).
    pub baseline: BaselineCounts,
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
    /// The worker's candidate events, encoded as they are found.
    pub spool: CandidateSpool,
}

/// Records the window's accesses to the data stores an event names, and its data events per
/// store (pass 1 counted the rest of their coverage).
fn record_stores(st: &mut Pass2, ev: &Event, key: &str, ip: &str) {
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
    for spec in specs {
        for name in spec.names(&req) {
            let id = StoreId {
                kind: spec.kind,
                name: name.into(),
            };
            if data {
                match st.coverage.stores.get_mut(&id) {
                    Some(cov) => cov.data_in_window += 1,
                    None => {
                        st.coverage
                            .stores
                            .entry(id.clone())
                            .or_default()
                            .data_in_window = 1
                    }
                }
            }
            let access = spec.access(ev.event_name.as_str(), data_read, &req);
            // Stores listed only when the attacker named them need every access; the others
            // need only reads, exposures and openings.
            if access != Access::Other || !spec.list_all {
                let ok = ev.error_code.is_none();
                let id = AccessId {
                    store: id,
                    key: key.into(),
                    ip: ip.into(),
                    succeeded: ok,
                    access,
                };
                st.store_access.bump(id, ev);
            }
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
        let ms = ev.time.millis();
        let subject = self.subject.is_profile(&ev, self.subject_key);
        if ms < self.t0 {
            // Earlier hours' baseline was counted by pass 1.
            if subject && ms >= hour_start(self.t0) {
                let region = ev.region.as_deref().unwrap_or("");
                let family = ua_family(ev.user_agent.as_deref().unwrap_or(""));
                self.state.baseline.add(ms, region, &family);
            }
            return;
        }
        let st = &mut self.state;
        let key = ev.identity.access_key_id.as_deref().unwrap_or("");
        let ip = ev.source_ip.as_deref().unwrap_or("");
        if ev.category == Category::Management && ev.read_only == Some(true) {
            let region = ev.region.as_deref().unwrap_or("");
            match st.mgmt_read_in_window.get_mut(region) {
                Some(n) => *n += 1,
                None => {
                    st.mgmt_read_in_window.insert(region.into(), 1);
                }
            }
        }
        record_stores(st, &ev, key, ip);
        st.coverage.activity.add_window(&ev, key, ip);
        let used = KeySource::new(key, ip);
        if ev.service() == "s3" && ev.event_name == "ListBuckets" {
            st.list_buckets.bump(used.clone(), &ev);
        }
        st.key_use.bump(used, &ev);
        let from_attacker = ev
            .source_ip
            .as_deref()
            .is_some_and(|ip| self.attacker_ips.contains(ip));
        if from_attacker || interesting(&ev) {
            self.spool.push(&Candidate::of(&ev, subject));
        }
    }
}

impl Pass2 {
    /// Merges the workers' states and their candidates' `spools`, and adds what pass 1
    /// counted: the `coverage` and the subject's `baseline` before the hour of `t0`, the first
    /// attacker event. Fails only if the candidates' temporary storage does.
    pub fn merge_all(
        mut parts: Vec<Pass2>,
        spools: Vec<CandidateSpool>,
        coverage: Coverage,
        baseline: BaselineCounts,
        t0: i64,
    ) -> std::io::Result<Pass2> {
        let mut out = take_largest(&mut parts);
        out.candidates = Candidates::merge(spools)?;
        for p in parts {
            out.absorb(p);
        }
        out.key_ip_before = coverage
            .key_ip_first
            .iter()
            .filter(|(_, first)| **first < t0)
            .map(|(pair, _)| pair.clone())
            .collect();
        out.coverage.merge(coverage);
        out.baseline.merge(&baseline);
        out.store_access.finish()?;
        out.key_use.finish()?;
        out.list_buckets.finish()?;
        out.coverage.activity.finish_window()?;
        Ok(out)
    }
}

/// The largest worker's state (by store accesses and key uses), taken out of `parts`: the
/// others are merged into its allocations instead of all into new ones, which at 20 GB held
/// 70,000 store accesses twice over.
fn take_largest(parts: &mut Vec<Pass2>) -> Pass2 {
    let largest = parts
        .iter()
        .enumerate()
        .max_by_key(|(_, p)| p.store_access.held() + p.key_use.held())
        .map(|(i, _)| i);
    largest.map_or_else(Pass2::default, |i| parts.swap_remove(i))
}

impl Pass2 {
    /// Adds another worker's state.
    fn absorb(&mut self, p: Pass2) {
        self.key_use.absorb(p.key_use);
        self.store_access.absorb(p.store_access);
        self.list_buckets.absorb(p.list_buckets);
        for (r, n) in p.mgmt_read_in_window {
            *self.mgmt_read_in_window.entry(r).or_default() += n;
        }
        self.coverage.merge(p.coverage);
        self.baseline.merge(&p.baseline);
    }
}
