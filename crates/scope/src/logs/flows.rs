//! VPC flow records, aggregated as read: every record counts toward the flow-log coverage, and
//! only records on the attacker's instances' interfaces or with an attacker address at either
//! end are kept, summed per (interface, address pair, service port, protocol).

use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

use cloudcase_event::detail::{Flow, FlowAction};
use cloudcase_event::Event;
use cloudcase_model::scope::FlowReason;

use super::{widen, Facts, FirstRefs, Span};
use crate::record::Ptr;

/// SKIPDATA windows kept per interface.
pub(super) const MAX_SKIPS: usize = 20;
/// Addresses whose direction votes are kept per interface.
const MAX_VOTES: usize = 8;
/// Flow groups kept per worker (a scanning instance makes one per target): records beyond are
/// counted in [`FlowCov`] as ungrouped.
const MAX_GROUPS: usize = 50_000;

/// One group of flows: the two addresses in order (`a < b`), so that both directions of a
/// conversation meet.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(super) struct FlowKey {
    pub interface: Box<str>,
    pub a: IpAddr,
    pub b: IpAddr,
    /// The lower of the two ports (the service side).
    pub port: Option<u16>,
    pub protocol: Option<u8>,
}

/// The sums of one group.
#[derive(Debug, Clone)]
pub(super) struct FlowSum {
    /// Bytes sent by `a`.
    pub from_a: u64,
    /// Bytes sent by `b`.
    pub from_b: u64,
    pub packets: u64,
    pub records: u64,
    pub span: Option<Span>,
    pub accept: bool,
    pub reject: bool,
    pub refs: FirstRefs,
    pub reason: FlowReason,
}

/// What the records of one interface say about itself.
#[derive(Debug, Default)]
pub(super) struct Iface {
    /// Its instance, when an attacker's.
    pub instance: Option<Box<str>>,
    /// Records (NODATA and SKIPDATA included).
    pub records: u64,
    pub span: Option<Span>,
    /// SKIPDATA windows, up to [`MAX_SKIPS`].
    pub skipdata: Vec<Span>,
    /// Records naming each address as the interface's own (`flow-direction`).
    pub votes: HashMap<IpAddr, u64>,
}

/// The flow-log coverage of the whole input.
#[derive(Debug, Default)]
pub(super) struct FlowCov {
    pub records: u64,
    pub in_window: u64,
    pub interfaces: HashSet<Box<str>>,
    pub span: Option<Span>,
    pub skipdata: u64,
    /// Records of the attacker's interfaces and addresses beyond [`MAX_GROUPS`].
    pub ungrouped_records: u64,
    /// Their bytes.
    pub ungrouped_bytes: u64,
}

/// The third pass's flow state.
#[derive(Debug, Default)]
pub(super) struct Flows {
    pub cov: FlowCov,
    pub ifaces: HashMap<Box<str>, Iface>,
    pub groups: HashMap<FlowKey, FlowSum>,
}

/// The attacker instance an interface or record belongs to.
fn attacker_instance<'f>(facts: &'f Facts, iface: &str, f: &Flow) -> Option<&'f str> {
    facts.interfaces.get(iface).map(String::as_str).or_else(|| {
        let id = f.instance_id.as_deref()?;
        facts.instances.get_key_value(id).map(|(k, _)| k.as_str())
    })
}

/// The service port: the lower of the two (the other is the ephemeral side).
fn service_port(f: &Flow) -> Option<u16> {
    match (f.src_port, f.dst_port) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Flows {
    pub(super) fn add(&mut self, facts: &Facts, ev: &Event, f: &Flow) {
        let (first, last) = (f.start.millis(), f.end.millis());
        let cov = &mut self.cov;
        cov.records += 1;
        cov.in_window += u64::from(last >= facts.t0);
        widen(&mut cov.span, first, last);
        cov.skipdata += u64::from(f.action == FlowAction::SkipData);
        let Some(iface) = f.interface_id.as_deref() else {
            return;
        };
        if !cov.interfaces.contains(iface) {
            cov.interfaces.insert(iface.into());
        }
        let instance = attacker_instance(facts, iface, f);
        let attacker_end = [f.src_addr, f.dst_addr, f.pkt_src_addr, f.pkt_dst_addr]
            .iter()
            .flatten()
            .any(|a| facts.attacker_address(a).is_some());
        let reason = match instance {
            Some(_) => FlowReason::AttackerInstance,
            None if attacker_end && last >= facts.t0 => FlowReason::AttackerAddress,
            None => return,
        };
        let ifc = self.ifaces.entry(iface.into()).or_default();
        ifc.records += 1;
        widen(&mut ifc.span, first, last);
        if ifc.instance.is_none() {
            ifc.instance = instance.map(Into::into);
        }
        if f.action == FlowAction::SkipData && ifc.skipdata.len() < MAX_SKIPS {
            ifc.skipdata.push(Span { first, last });
        }
        let own = match f.flow_direction.as_deref() {
            Some("ingress") => f.dst_addr,
            Some("egress") => f.src_addr,
            _ => None,
        };
        if let Some(own) = own {
            if ifc.votes.len() < MAX_VOTES || ifc.votes.contains_key(&own) {
                *ifc.votes.entry(own).or_default() += 1;
            }
        }
        let (Some(src), Some(dst)) = (f.src_addr, f.dst_addr) else {
            return;
        };
        let (a, b) = if src <= dst { (src, dst) } else { (dst, src) };
        let key = FlowKey {
            interface: iface.into(),
            a,
            b,
            port: service_port(f),
            protocol: f.protocol,
        };
        let bytes = f.bytes.unwrap_or(0);
        if self.groups.len() >= MAX_GROUPS && !self.groups.contains_key(&key) {
            self.cov.ungrouped_records += 1;
            self.cov.ungrouped_bytes += bytes;
            return;
        }
        let sum = self.groups.entry(key).or_insert_with(|| FlowSum {
            from_a: 0,
            from_b: 0,
            packets: 0,
            records: 0,
            span: None,
            accept: false,
            reject: false,
            refs: FirstRefs::default(),
            reason,
        });
        if src == a {
            sum.from_a += bytes;
        } else {
            sum.from_b += bytes;
        }
        sum.packets += f.packets.unwrap_or(0);
        sum.records += 1;
        widen(&mut sum.span, first, last);
        sum.accept |= f.action == FlowAction::Accept;
        sum.reject |= f.action == FlowAction::Reject;
        sum.refs.add(Ptr::of(ev));
        sum.reason = sum.reason.min(reason);
    }

    pub(super) fn merge(&mut self, o: Flows) {
        let cov = &mut self.cov;
        cov.records += o.cov.records;
        cov.in_window += o.cov.in_window;
        cov.interfaces.extend(o.cov.interfaces);
        if let Some(s) = o.cov.span {
            widen(&mut cov.span, s.first, s.last);
        }
        cov.skipdata += o.cov.skipdata;
        cov.ungrouped_records += o.cov.ungrouped_records;
        cov.ungrouped_bytes += o.cov.ungrouped_bytes;
        for (k, i) in o.ifaces {
            let m = self.ifaces.entry(k).or_default();
            m.instance = m.instance.take().or(i.instance);
            m.records += i.records;
            if let Some(s) = i.span {
                widen(&mut m.span, s.first, s.last);
            }
            m.skipdata.extend(i.skipdata);
            m.skipdata.sort_by_key(|s| (s.first, s.last));
            m.skipdata.truncate(MAX_SKIPS);
            for (a, n) in i.votes {
                *m.votes.entry(a).or_default() += n;
            }
        }
        for (k, s) in o.groups {
            let full = self.groups.len() >= MAX_GROUPS;
            match self.groups.get_mut(&k) {
                Some(m) => {
                    m.from_a += s.from_a;
                    m.from_b += s.from_b;
                    m.packets += s.packets;
                    m.records += s.records;
                    if let Some(sp) = s.span {
                        widen(&mut m.span, sp.first, sp.last);
                    }
                    m.accept |= s.accept;
                    m.reject |= s.reject;
                    m.refs.merge(s.refs);
                    m.reason = m.reason.min(s.reason);
                }
                None if full => {
                    self.cov.ungrouped_records += s.records;
                    self.cov.ungrouped_bytes += s.from_a + s.from_b;
                }
                None => {
                    self.groups.insert(k, s);
                }
            }
        }
    }
}
