//! Route 53 Resolver queries by the attacker's instances (`srcids.instance`, or the source
//! address is one of their private addresses), grouped by name.

use std::collections::HashMap;
use std::net::IpAddr;

use cloudcase_event::detail::DnsQuery;
use cloudcase_event::Event;
use cloudcase_model::scope::{Dns, DnsName};

use super::{widen, Facts, FirstRefs, Span};
use crate::record::{time, Ptr};
use crate::scan::Earliest;

/// Record types and instances named per query name.
const MAX_LISTED: usize = 8;

/// The queries for one name.
#[derive(Debug, Default)]
struct NameUse {
    types: Earliest,
    instances: Earliest,
    count: u64,
    span: Option<Span>,
    refs: FirstRefs,
}

/// The third pass's resolver state.
#[derive(Debug, Default)]
pub(super) struct Queries {
    names: HashMap<Box<str>, NameUse>,
    records: u64,
    span: Option<Span>,
}

/// The attacker instance that asked, if one did.
fn asker<'f>(facts: &'f Facts, q: &DnsQuery) -> Option<&'f str> {
    if let Some((id, _)) = q
        .instance_id
        .as_deref()
        .and_then(|i| facts.instances.get_key_value(i))
    {
        return Some(id);
    }
    let addr: IpAddr = q.src_addr.as_deref()?.parse().ok()?;
    facts.private.get(&addr).map(String::as_str)
}

impl Queries {
    pub(super) fn add(&mut self, facts: &Facts, ev: &Event, q: &DnsQuery) {
        let ms = ev.time.millis();
        self.records += 1;
        widen(&mut self.span, ms, ms);
        let Some(instance) = asker(facts, q) else {
            return;
        };
        let p = Ptr::of(ev);
        let at = p.key();
        let u = self.names.entry(q.query_name.as_str().into()).or_default();
        if let Some(t) = q.query_type.as_deref() {
            u.types.add(t, at, MAX_LISTED);
        }
        u.instances.add(instance, at, MAX_LISTED);
        u.count += 1;
        widen(&mut u.span, ms, ms);
        u.refs.add(p);
    }

    pub(super) fn merge(&mut self, o: Queries) {
        self.records += o.records;
        if let Some(s) = o.span {
            widen(&mut self.span, s.first, s.last);
        }
        for (n, u) in o.names {
            let m = self.names.entry(n).or_default();
            m.types.merge(&u.types, MAX_LISTED);
            m.instances.merge(&u.instances, MAX_LISTED);
            m.count += u.count;
            if let Some(s) = u.span {
                widen(&mut m.span, s.first, s.last);
            }
            m.refs.merge(u.refs);
        }
    }

    /// The section; `None` when the inputs hold no resolver query log.
    pub(super) fn build(self) -> Option<Dns> {
        if self.records == 0 {
            return None;
        }
        let mut queries: Vec<DnsName> = self
            .names
            .into_iter()
            .map(|(name, u)| {
                let span = u.span.unwrap_or(Span { first: 0, last: 0 });
                DnsName {
                    query_name: name.to_string(),
                    query_types: u.types.to_strings(),
                    instances: u.instances.to_strings(),
                    count: u.count,
                    first: time(span.first),
                    last: time(span.last),
                    refs: u.refs.refs(),
                }
            })
            .collect();
        queries.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.query_name.cmp(&b.query_name))
        });
        Some(Dns {
            queries,
            records: self.records,
            first: self.span.map(|s| time(s.first)),
            last: self.span.map(|s| time(s.last)),
        })
    }
}
