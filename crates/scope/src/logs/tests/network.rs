//! The network section from VPC flow records.

use super::*;
use crate::logs::test_events::{flow, flow_mut};

/// Bytes on an attacker instance's interface: out from its own address, in to it.
#[test]
fn flow_bytes_are_out_from_the_interface_address_and_in_to_it() {
    let events = [
        flow(
            "eni-1",
            "10.0.1.5:40000",
            &format!("{ATTACKER_IP}:443"),
            5_000,
            "2024-03-04T11:00:00Z",
            "2024-03-04T11:01:00Z",
        ),
        flow(
            "eni-1",
            &format!("{ATTACKER_IP}:443"),
            "10.0.1.5:40000",
            700,
            "2024-03-04T11:00:00Z",
            "2024-03-04T11:01:00Z",
        ),
        flow(
            "eni-1",
            "10.0.1.5:40001",
            "192.0.2.200:3333",
            2_000,
            "2024-03-04T12:00:00Z",
            "2024-03-04T12:01:00Z",
        ),
    ];
    let d = run(&facts(), &events);
    let n = d.network.expect("a network section");
    assert_eq!(n.flows.len(), 2);
    let g = &n.flows[0];
    assert_eq!(
        (g.interface_id.as_str(), g.instance_id.as_deref()),
        ("eni-1", Some("i-1"))
    );
    assert_eq!(
        (g.local_address.as_deref(), g.remote_address.as_str()),
        (Some("10.0.1.5"), ATTACKER_IP)
    );
    assert_eq!(
        (g.port, g.protocol.as_str(), g.reason),
        (Some(443), "tcp", FlowReason::AttackerInstance)
    );
    assert_eq!((g.bytes_out, g.bytes_in, g.records), (5_000, 700, 2));
    assert_eq!(g.actions, ["ACCEPT"]);
    let pool = &n.flows[1];
    assert_eq!(
        (pool.remote_address.as_str(), pool.port, pool.bytes_out),
        ("192.0.2.200", Some(3333), 2_000)
    );
    let i = &n.instances[0];
    assert_eq!(
        (i.flow_logs, i.bytes_out, i.bytes_in, i.remote_addresses),
        (FlowLogState::Logged, 7_000, 700, 2)
    );
    assert_eq!(n.exfiltration.verdict, ExfiltrationVerdict::Observed);
    assert_eq!(n.exfiltration.bytes_to_attacker, 5_000);
    assert_eq!(n.exfiltration.destinations[0].address, ATTACKER_IP);
}

/// Another interface talking to an attacker address: its own address is the other end, or
/// the one `flow-direction` names.
#[test]
fn flows_with_attacker_addresses_on_other_interfaces_and_ipv6() {
    let mut f = facts();
    f.addresses
        .insert("2001:db8::bad".parse().unwrap(), "2001:db8::bad".to_owned());
    let mut v6 = flow(
        "eni-6",
        "[2001:db8:1::10]:51000",
        "[2001:db8:0:0:0:0:0:bad]:22",
        1_234,
        "2024-03-04T13:00:00Z",
        "2024-03-04T13:01:00Z",
    );
    flow_mut(&mut v6).flow_direction = Some("egress".to_owned());
    let events = [
        flow(
            "eni-9",
            &format!("{ATTACKER_IP}:50000"),
            "10.0.0.4:22",
            300,
            "2024-03-04T11:00:00Z",
            "2024-03-04T11:01:00Z",
        ),
        flow(
            "eni-9",
            "10.0.0.4:22",
            &format!("{ATTACKER_IP}:50000"),
            9_000,
            "2024-03-04T11:00:00Z",
            "2024-03-04T11:01:00Z",
        ),
        // Before the first attacker event: not listed.
        flow(
            "eni-9",
            "10.0.0.4:22",
            &format!("{ATTACKER_IP}:50000"),
            1,
            "2024-03-03T11:00:00Z",
            "2024-03-03T11:01:00Z",
        ),
        v6,
    ];
    let d = run(&f, &events);
    let n = d.network.expect("a network section");
    let eni9 = n
        .flows
        .iter()
        .find(|g| g.interface_id == "eni-9")
        .expect("eni-9");
    assert_eq!(
        (eni9.local_address.as_deref(), eni9.port),
        (Some("10.0.0.4"), Some(22))
    );
    assert_eq!(
        (eni9.bytes_out, eni9.bytes_in, eni9.reason),
        (9_000, 300, FlowReason::AttackerAddress)
    );
    let v6 = n
        .flows
        .iter()
        .find(|g| g.interface_id == "eni-6")
        .expect("eni-6");
    assert_eq!(
        (v6.local_address.as_deref(), v6.remote_address.as_str()),
        (Some("2001:db8:1::10"), "2001:db8::bad")
    );
    assert_eq!(v6.bytes_out, 1_234);
    let to: Vec<_> = n
        .exfiltration
        .destinations
        .iter()
        .map(|d| (d.address.as_str(), d.bytes))
        .collect();
    assert_eq!(to, [("198.51.100.7", 9_000), ("2001:db8::bad", 1_234)]);
    assert_eq!(n.coverage.records, 4);
    assert_eq!(n.coverage.records_in_window, 3);
}

#[test]
fn an_instance_without_flow_records_is_unknown() {
    let events = [flow(
        "eni-9",
        "10.0.0.4:443",
        "192.0.2.1:50000",
        10,
        "2024-03-04T11:00:00Z",
        "2024-03-04T11:01:00Z",
    )];
    let d = run(&facts(), &events);
    let n = d.network.expect("a network section");
    assert!(n.flows.is_empty());
    assert_eq!(n.instances[0].flow_logs, FlowLogState::Unknown);
    assert_eq!(n.exfiltration.verdict, ExfiltrationVerdict::NotObserved);
    assert!(
        n.exfiltration.basis.contains("UNKNOWN for i-1"),
        "{}",
        n.exfiltration.basis
    );
    assert!(d
        .unknowns
        .iter()
        .any(|u| u.question.contains("i-1") && u.would_resolve.contains("VPC Flow Logs")));
    // No flow logs at all: the exfiltration itself is unknown.
    let d = run(&facts(), &[]);
    let n = d.network.expect("a section for the attacker's instance");
    assert_eq!(n.exfiltration.verdict, ExfiltrationVerdict::Unknown);
    assert!(d
        .unknowns
        .iter()
        .any(|u| u.question.contains("left the account")));
    // Nothing launched and no flow logs: no section.
    assert!(run(&Facts::default(), &[]).network.is_none());
}

/// A scan from the attacker's instance makes one group per target: beyond the bound, records
/// are counted, and the exfiltration basis says so.
#[test]
fn a_scan_beyond_the_group_bound_is_counted_not_grouped() {
    let mut pass = Pass3::default();
    let f = facts();
    for i in 0..50_010u32 {
        let [_, b, c, d] = i.to_be_bytes();
        let target = format!("100.{b}.{c}.{d}:445");
        pass.add(
            &f,
            &flow(
                "eni-1",
                "10.0.1.5:40000",
                &target,
                60,
                "2024-03-04T11:00:00Z",
                "2024-03-04T11:01:00Z",
            ),
        );
    }
    let mut d = doc();
    apply(&mut d, &f, pass);
    let n = d.network.expect("a network section");
    assert_eq!(n.flows.len(), 50_000);
    assert_eq!(
        (n.coverage.ungrouped_records, n.coverage.ungrouped_bytes),
        (10, 600)
    );
    assert!(
        n.exfiltration.basis.contains("10 record(s)"),
        "{}",
        n.exfiltration.basis
    );
}
