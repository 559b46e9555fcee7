//! The `network` section from the flow aggregates: each group oriented from the interface's
//! own address (bytes out are the bytes it sent), one entry per attacker instance with its
//! flow-log coverage, and the exfiltration statement.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::IpAddr;

use cloudcase_model::scope::{
    Exfiltration, ExfiltrationDestination, ExfiltrationVerdict, FlowGroup, FlowLogCoverage,
    FlowLogState, InstanceTraffic, Network, Unknown, UnknownTopic, Window,
};

use super::flows::{FlowKey, FlowSum, Flows};
use super::{window_span, Facts, Span};
use crate::build::Wording;
use crate::record::time;

/// The protocol's name (`tcp`, `udp`, `icmp`, `icmpv6`), else its IANA number.
fn protocol_name(p: Option<u8>) -> String {
    match p {
        Some(6) => "tcp".to_owned(),
        Some(17) => "udp".to_owned(),
        Some(1) => "icmp".to_owned(),
        Some(58) => "icmpv6".to_owned(),
        Some(n) => n.to_string(),
        None => "-".to_owned(),
    }
}

/// Whether an address is private (RFC 1918, link-local, unique-local): an interface's own.
fn private(a: &IpAddr) -> bool {
    match a {
        IpAddr::V4(v) => v.is_private() || v.is_link_local(),
        IpAddr::V6(v) => {
            (v.segments()[0] & 0xfe00) == 0xfc00 || (v.segments()[0] & 0xffc0) == 0xfe80
        }
    }
}

/// Which of `a` and `b` is the interface's own address, by the first rule that tells: the
/// instance's private addresses from RunInstances, the records' `flow-direction`, the other end
/// of an attacker address, the address common to the interface's groups, a private address.
fn local_of(
    facts: &Facts,
    key: &FlowKey,
    flows: &Flows,
    common: &HashMap<(&str, IpAddr), u64>,
) -> Option<IpAddr> {
    let (a, b) = (key.a, key.b);
    let pick = |sa: bool, sb: bool| match (sa, sb) {
        (true, false) => Some(a),
        (false, true) => Some(b),
        _ => None,
    };
    let votes = |x: &IpAddr| {
        flows
            .ifaces
            .get(&key.interface)
            .and_then(|i| i.votes.get(x).copied())
            .unwrap_or(0)
    };
    let seen = |x: IpAddr| common.get(&(&*key.interface, x)).copied().unwrap_or(0);
    pick(
        facts.private.contains_key(&a),
        facts.private.contains_key(&b),
    )
    .or_else(|| pick(votes(&a) > votes(&b), votes(&b) > votes(&a)))
    .or_else(|| {
        pick(
            facts.attacker_address(&b).is_some(),
            facts.attacker_address(&a).is_some(),
        )
    })
    .or_else(|| pick(seen(a) > seen(b), seen(b) > seen(a)))
    .or_else(|| pick(private(&a), private(&b)))
}

/// One group as the document writes it.
fn group(key: &FlowKey, sum: &FlowSum, local: Option<IpAddr>, instance: Option<&str>) -> FlowGroup {
    let (remote, out, inn) = match local {
        Some(l) if l == key.b => (key.a, sum.from_b, sum.from_a),
        _ => (key.b, sum.from_a, sum.from_b),
    };
    let span = sum.span.unwrap_or(Span { first: 0, last: 0 });
    let mut actions = Vec::new();
    if sum.accept {
        actions.push("ACCEPT".to_owned());
    }
    if sum.reject {
        actions.push("REJECT".to_owned());
    }
    FlowGroup {
        interface_id: key.interface.to_string(),
        instance_id: instance.map(str::to_owned),
        local_address: local.map(|l| l.to_string()),
        remote_address: remote.to_string(),
        port: key.port,
        protocol: protocol_name(key.protocol),
        reason: sum.reason,
        bytes_in: inn,
        bytes_out: out,
        packets: sum.packets,
        records: sum.records,
        first: time(span.first),
        last: time(span.last),
        actions,
        refs: sum.refs.refs(),
    }
}

/// The flow groups, oriented, in order of interface and first record.
fn groups(facts: &Facts, flows: &Flows) -> Vec<FlowGroup> {
    let mut common: HashMap<(&str, IpAddr), u64> = HashMap::new();
    for k in flows.groups.keys() {
        *common.entry((&*k.interface, k.a)).or_default() += 1;
        *common.entry((&*k.interface, k.b)).or_default() += 1;
    }
    let mut out: Vec<FlowGroup> = flows
        .groups
        .iter()
        .map(|(k, s)| {
            let instance = flows
                .ifaces
                .get(&k.interface)
                .and_then(|i| i.instance.as_deref());
            group(k, s, local_of(facts, k, flows, &common), instance)
        })
        .collect();
    out.sort_by(|x, y| {
        (&x.interface_id, &x.first, &x.remote_address, x.port).cmp(&(
            &y.interface_id,
            &y.first,
            &y.remote_address,
            y.port,
        ))
    });
    out
}

/// One attacker instance's interfaces and their coverage.
fn instance(facts: &Facts, id: &str, flows: &Flows, groups: &[FlowGroup]) -> InstanceTraffic {
    let net = facts.instances.get(id).cloned().unwrap_or_default();
    let mut interfaces: BTreeSet<String> = net.interfaces.iter().cloned().collect();
    interfaces.extend(
        flows
            .ifaces
            .iter()
            .filter(|(_, i)| i.instance.as_deref() == Some(id))
            .map(|(k, _)| k.to_string()),
    );
    let ifaces: Vec<_> = interfaces
        .iter()
        .filter_map(|e| flows.ifaces.get(e.as_str()))
        .collect();
    let records: u64 = ifaces.iter().map(|i| i.records).sum();
    let mut span = None;
    let mut skipdata: Vec<Span> = Vec::new();
    for i in &ifaces {
        if let Some(s) = i.span {
            super::widen(&mut span, s.first, s.last);
        }
        skipdata.extend(i.skipdata.iter().copied());
    }
    skipdata.sort_by_key(|s| (s.first, s.last));
    skipdata.truncate(super::flows::MAX_SKIPS);
    let mine: Vec<&FlowGroup> = groups
        .iter()
        .filter(|g| interfaces.contains(&g.interface_id))
        .collect();
    let remotes: BTreeSet<&str> = mine.iter().map(|g| g.remote_address.as_str()).collect();
    let (bytes_out, bytes_in) = mine
        .iter()
        .fold((0, 0), |(o, i), g| (o + g.bytes_out, i + g.bytes_in));
    let state = if records > 0 {
        FlowLogState::Logged
    } else {
        FlowLogState::Unknown
    };
    let basis = match state {
        FlowLogState::Logged => format!(
            "{records} flow record(s) of its interface(s) from {} to {}: {bytes_out} byte(s) sent to {} remote address(es), {} SKIPDATA window(s)",
            span.map_or_else(String::new, |s: Span| time(s.first)),
            span.map_or_else(String::new, |s: Span| time(s.last)),
            remotes.len(),
            skipdata.len()
        ),
        FlowLogState::Unknown => {
            let which = if interfaces.is_empty() {
                "its interfaces (not in the RunInstances response)".to_owned()
            } else {
                interfaces.iter().cloned().collect::<Vec<_>>().join(", ")
            };
            format!("no flow record of {which}: what it sent is UNKNOWN")
        }
    };
    InstanceTraffic {
        instance_id: id.to_owned(),
        interfaces: interfaces.into_iter().collect(),
        private_addresses: net.addresses.iter().map(IpAddr::to_string).collect(),
        flow_logs: state,
        records,
        first: span.map(|s| time(s.first)),
        last: span.map(|s| time(s.last)),
        skipdata: skipdata
            .iter()
            .map(|s| Window {
                from: time(s.first),
                to: time(s.last),
            })
            .collect(),
        bytes_out,
        bytes_in,
        remote_addresses: remotes.len() as u64,
        basis,
    }
}

/// One unknown naming every attacker instance without flow records.
fn unlogged_unknown(instances: &[InstanceTraffic], w: Wording, unknowns: &mut Vec<Unknown>) {
    let unlogged: Vec<&str> = instances
        .iter()
        .filter(|i| i.flow_logs == FlowLogState::Unknown)
        .map(|i| i.instance_id.as_str())
        .collect();
    if unlogged.is_empty() {
        return;
    }
    unknowns.push(Unknown {
        about: None,
        question: format!("what instance(s) {} sent and to whom", unlogged.join(", ")),
        why: "no VPC flow record of their interfaces in the inputs".to_owned(),
        would_resolve: format!(
            "VPC Flow Logs of their VPCs, subnets or interfaces for {} (CloudWatch Logs or S3), or traffic mirroring",
            w.window
        ),
        refs: None,
    });
}

/// Bytes sent to attacker addresses, per address.
fn destinations(facts: &Facts, groups: &[FlowGroup]) -> Vec<ExfiltrationDestination> {
    let mut by: BTreeMap<&str, ExfiltrationDestination> = BTreeMap::new();
    for g in groups.iter().filter(|g| g.bytes_out > 0) {
        let Some(addr) = g
            .remote_address
            .parse()
            .ok()
            .and_then(|a| facts.attacker_address(&a))
        else {
            continue;
        };
        let d = by.entry(addr).or_insert_with(|| ExfiltrationDestination {
            address: addr.to_owned(),
            bytes: 0,
            interfaces: Vec::new(),
            first: g.first.clone(),
            last: g.last.clone(),
        });
        d.bytes += g.bytes_out;
        if !d.interfaces.contains(&g.interface_id) {
            d.interfaces.push(g.interface_id.clone());
        }
        d.first = d.first.clone().min(g.first.clone());
        d.last = d.last.clone().max(g.last.clone());
    }
    by.into_values().collect()
}

/// The exfiltration statement, with the coverage it rests on.
fn exfiltration(
    facts: &Facts,
    flows: &Flows,
    groups: &[FlowGroup],
    instances: &[InstanceTraffic],
    unknowns: &mut Vec<Unknown>,
    w: Wording,
) -> Exfiltration {
    let destinations = destinations(facts, groups);
    let total: u64 = destinations.iter().map(|d| d.bytes).sum();
    let unlogged: Vec<&str> = instances
        .iter()
        .filter(|i| i.flow_logs == FlowLogState::Unknown)
        .map(|i| i.instance_id.as_str())
        .collect();
    let cov = &flows.cov;
    let span = |f: fn(&Span) -> i64| cov.span.as_ref().map_or_else(String::new, |s| time(f(s)));
    let mut partial = if unlogged.is_empty() {
        String::new()
    } else {
        format!(
            "; UNKNOWN for {}: no flow record of its interfaces",
            unlogged.join(", ")
        )
    };
    if cov.ungrouped_records > 0 {
        partial.push_str(&format!(
            "; {} record(s) ({} byte(s)) beyond the flow groups kept were counted, not attributed to a destination",
            cov.ungrouped_records, cov.ungrouped_bytes
        ));
    }
    let (verdict, basis) = if total > 0 {
        let to: Vec<String> = destinations
            .iter()
            .map(|d| format!("{} byte(s) to {}", d.bytes, d.address))
            .collect();
        (
            ExfiltrationVerdict::Observed,
            format!(
                "flow records show {total} byte(s) sent to {}: {}{partial}",
                w.sources,
                to.join(", ")
            ),
        )
    } else if cov.in_window > 0 {
        (ExfiltrationVerdict::NotObserved, format!(
            "no byte sent to {} in {} flow record(s) of {} interface(s) in {} (flow logs from {} to {}, {} SKIPDATA record(s)){partial}",
            w.sources,
            cov.in_window, cov.interfaces.len(), w.window, span(|s| s.first), span(|s| s.last), cov.skipdata
        ))
    } else {
        unknowns.push(Unknown {
            about: Some(UnknownTopic::Exfiltration),
            question: format!("whether data left the account for {}", w.sources),
            why: format!("no VPC flow record in the inputs covers {}", w.window),
            would_resolve: format!("VPC Flow Logs of the account's VPCs for {}", w.window),
            refs: None,
        });
        (
            ExfiltrationVerdict::Unknown,
            format!("no VPC flow record in {}: the logs cannot say", w.window),
        )
    };
    Exfiltration {
        verdict,
        basis,
        bytes_to_attacker: total,
        destinations,
    }
}

/// The `network` section; `None` when the inputs hold no flow logs and the attacker launched
/// no instance.
pub(super) fn build(
    facts: &Facts,
    flows: Flows,
    unknowns: &mut Vec<Unknown>,
    w: Wording,
) -> Option<Network> {
    if flows.cov.records == 0 && facts.instances.is_empty() {
        return None;
    }
    let groups = groups(facts, &flows);
    let instances: Vec<InstanceTraffic> = facts
        .instances
        .keys()
        .map(|id| instance(facts, id, &flows, &groups))
        .collect();
    unlogged_unknown(&instances, w, unknowns);
    let exfiltration = exfiltration(facts, &flows, &groups, &instances, unknowns, w);
    let cov = &flows.cov;
    let coverage = FlowLogCoverage {
        records: cov.records,
        records_in_window: cov.in_window,
        interfaces: cov.interfaces.len() as u64,
        first: cov.span.map(|s| time(s.first)),
        last: cov.span.map(|s| time(s.last)),
        skipdata_records: cov.skipdata,
        ungrouped_records: cov.ungrouped_records,
        ungrouped_bytes: cov.ungrouped_bytes,
        window: window_span(cov.span, facts.t0, facts.end),
    };
    Some(Network {
        flows: groups,
        instances,
        exfiltration,
        coverage,
    })
}
