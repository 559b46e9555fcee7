//! The rules of the logs beyond CloudTrail, on constructed events: bucket verdicts from access
//! logs, flow direction and exfiltration, GuardDuty joins, resolver queries, and that these
//! records never reach the CloudTrail passes.

use cloudcase_event::Event;
use cloudcase_model::scope::{
    ExfiltrationVerdict, FlowLogState, FlowReason, JoinKind, LogReaderMatch, ScopeResult,
    StoreCoverage, Verdict, WindowSpan,
};
use cloudcase_read::EventSink;
use serde_json::json;

use super::test_events::{charge, finding, flow, flow_mut, in_file, ms, query, s3_line};
use super::{apply, Facts, InstanceNet, Pass3};
use crate::test_doc::window_doc;

const T0: &str = "2024-03-04T10:00:00Z";
const END: &str = "2024-03-06T00:00:00Z";
const BACKDOOR: &str = "arn:aws:iam::111122223333:user/backdoor";
const COMPROMISED: &str = "arn:aws:iam::111122223333:user/ci-deploy";
const ATTACKER_IP: &str = "198.51.100.7";

/// The attacker: one address, a created user, the compromised user (used before from
/// 192.0.2.10), and instance i-1 on eni-1 at 10.0.1.5.
fn facts() -> Facts {
    let mut f = Facts {
        t0: ms(T0),
        end: ms(END),
        addresses: [(ATTACKER_IP.parse().unwrap(), ATTACKER_IP.to_owned())].into(),
        users: [BACKDOOR.to_owned()].into(),
        compromised: [COMPROMISED.to_owned()].into(),
        usual: ["192.0.2.10".to_owned()].into(),
        keys: ["AKIALEAKED0000000001".to_owned()].into(),
        ..Facts::default()
    };
    let net = InstanceNet {
        interfaces: vec!["eni-1".to_owned()],
        addresses: vec!["10.0.1.5".parse().unwrap()],
    };
    f.instances.insert("i-1".to_owned(), net);
    f.interfaces.insert("eni-1".to_owned(), "i-1".to_owned());
    f.private
        .insert("10.0.1.5".parse().unwrap(), "i-1".to_owned());
    f
}

/// A document whose CloudTrail side left `customer-data` UNKNOWN (no data events).
fn doc() -> ScopeResult {
    window_doc(|d| {
        d["data_access"] = json!([{"store": "s3_bucket", "name": "customer-data", "region": "us-east-1",
            "verdict": "UNKNOWN", "basis": "no data events", "readers": [], "attacker_failed_reads": 0,
            "coverage": {"logging": "data_events", "data_events": 0, "data_events_in_window": 0,
                         "data_events_first": null, "data_events_last": null},
            "refs": []}]);
        d["unknowns"] = json!([{"question": "S3 object reads on bucket customer-data", "why": "w", "would_resolve": "r"}]);
    })
}

fn run(facts: &Facts, events: &[Event]) -> ScopeResult {
    let mut pass = Pass3::default();
    for ev in events {
        pass.add(facts, ev);
    }
    let mut d = doc();
    apply(&mut d, facts, pass);
    d
}

/// The unknowns about buckets.
fn bucket_unknowns(d: &ScopeResult) -> Vec<&cloudcase_model::scope::Unknown> {
    d.unknowns
        .iter()
        .filter(|u| u.question.contains("bucket"))
        .collect()
}

/// Owner lines over the whole window, so the bucket's logs span it.
fn owner_lines() -> Vec<Event> {
    [
        "2024-03-04T08:00:00Z",
        "2024-03-05T12:00:00Z",
        "2024-03-05T23:40:00Z",
    ]
    .iter()
    .map(|t| {
        in_file(
            s3_line(
                t,
                "customer-data",
                "app/config.json",
                "REST.GET.OBJECT",
                Some(COMPROMISED),
                "192.0.2.10",
                100,
            ),
            7,
        )
    })
    .collect()
}

#[test]
fn access_logs_make_a_bucket_accessed_naming_the_requester() {
    let mut events = owner_lines();
    events.push(in_file(
        s3_line(
            "2024-03-04T11:00:00Z",
            "customer-data",
            "",
            "REST.GET.BUCKET",
            Some(BACKDOOR),
            ATTACKER_IP,
            900,
        ),
        8,
    ));
    events.push(in_file(
        s3_line(
            "2024-03-04T11:01:00Z",
            "customer-data",
            "exports/a.csv",
            "REST.GET.OBJECT",
            Some(BACKDOOR),
            ATTACKER_IP,
            5000,
        ),
        8,
    ));
    events.push(in_file(
        s3_line(
            "2024-03-04T11:02:00Z",
            "customer-data",
            "exports/b.csv",
            "REST.GET.OBJECT",
            Some(BACKDOOR),
            ATTACKER_IP,
            7000,
        ),
        8,
    ));
    events.push(in_file(
        s3_line(
            "2024-03-04T11:03:00Z",
            "customer-data",
            "exports/b.csv",
            "REST.GET.OBJECT",
            Some(BACKDOOR),
            ATTACKER_IP,
            7000,
        ),
        8,
    ));
    // A write is not a read; a read before the first attacker event is not the attacker's.
    events.push(in_file(
        s3_line(
            "2024-03-04T11:04:00Z",
            "customer-data",
            "x",
            "REST.PUT.OBJECT",
            Some(BACKDOOR),
            ATTACKER_IP,
            0,
        ),
        8,
    ));
    events.push(in_file(
        s3_line(
            "2024-03-04T09:00:00Z",
            "customer-data",
            "early",
            "REST.GET.OBJECT",
            Some(BACKDOOR),
            ATTACKER_IP,
            10,
        ),
        8,
    ));
    let d = run(&facts(), &events);
    let b = &d.data_access[0];
    assert_eq!(b.verdict, Verdict::Accessed);
    assert!(b.basis.contains(BACKDOOR), "{}", b.basis);
    let reads = b.access_log_reads.as_ref().expect("reads");
    assert_eq!(reads.len(), 1);
    let r = &reads[0];
    assert_eq!(r.requester.as_deref(), Some(BACKDOOR));
    assert_eq!(
        (r.ip.as_str(), r.matched),
        (ATTACKER_IP, LogReaderMatch::AttackerIdentity)
    );
    assert_eq!((r.requests, r.objects, r.bytes_sent), (4, 3, 19_900));
    assert_eq!(r.keys, ["", "exports/a.csv", "exports/b.csv"]);
    assert_eq!(r.first, "2024-03-04T11:00:00.000Z");
    assert!(!r.refs.is_empty());
    match &b.coverage {
        Some(StoreCoverage::S3AccessLog {
            files,
            lines,
            lines_in_window,
            window,
            ..
        }) => {
            assert_eq!(
                (*files, *lines, *lines_in_window, *window),
                (2, 9, 7, WindowSpan::Whole)
            );
        }
        other => panic!("access-log coverage expected, got {other:?}"),
    }
    assert!(
        bucket_unknowns(&d).is_empty(),
        "the bucket's unknown is answered"
    );
}

#[test]
fn covered_with_no_attacker_read_is_not_observed() {
    let d = run(&facts(), &owner_lines());
    let b = &d.data_access[0];
    assert_eq!(b.verdict, Verdict::NotObserved, "{}", b.basis);
    assert!(
        b.basis
            .contains("covering the whole of the attacker window"),
        "{}",
        b.basis
    );
    assert_eq!(b.access_log_reads.as_deref(), Some(&[][..]));
    assert!(bucket_unknowns(&d).is_empty());
}

#[test]
fn logs_spanning_part_of_the_window_never_say_not_observed() {
    let lines: Vec<Event> = ["2024-03-05T06:00:00Z", "2024-03-05T23:50:00Z"]
        .iter()
        .map(|t| {
            in_file(
                s3_line(
                    t,
                    "customer-data",
                    "k",
                    "REST.GET.OBJECT",
                    Some(COMPROMISED),
                    "192.0.2.10",
                    1,
                ),
                7,
            )
        })
        .collect();
    let d = run(&facts(), &lines);
    let b = &d.data_access[0];
    assert_eq!(b.verdict, Verdict::Unknown);
    assert!(
        b.basis.contains("only part of the attacker window"),
        "{}",
        b.basis
    );
    assert!(matches!(
        b.coverage,
        Some(StoreCoverage::S3AccessLog {
            window: WindowSpan::Partial,
            ..
        })
    ));
    let unknowns = bucket_unknowns(&d);
    assert_eq!(unknowns.len(), 1, "{unknowns:?}");
    assert!(unknowns[0].why.contains("only part"), "{}", unknowns[0].why);
}

#[test]
fn buckets_only_in_access_logs_and_the_compromised_principal_from_a_new_address() {
    let events = [
        // The compromised user from its usual address: the owner.
        in_file(
            s3_line(
                "2024-03-04T12:00:00Z",
                "backups",
                "db.dump",
                "REST.GET.OBJECT",
                Some(COMPROMISED),
                "192.0.2.10",
                50,
            ),
            9,
        ),
        // The same user from an address it never used: the attacker.
        in_file(
            s3_line(
                "2024-03-04T12:05:00Z",
                "backups",
                "db.dump",
                "REST.HEAD.OBJECT",
                Some(COMPROMISED),
                "203.0.113.77",
                0,
            ),
            9,
        ),
        // Anyone from an attacker address.
        in_file(
            s3_line(
                "2024-03-04T12:06:00Z",
                "backups",
                "db2.dump",
                "REST.GET.OBJECT",
                None,
                ATTACKER_IP,
                64,
            ),
            9,
        ),
    ];
    let d = run(&facts(), &events);
    let b = d
        .data_access
        .iter()
        .find(|b| b.name == "backups")
        .expect("listed");
    assert_eq!(b.verdict, Verdict::Accessed);
    let reads = b.access_log_reads.as_ref().expect("reads");
    let matched: Vec<_> = reads.iter().map(|r| (r.ip.as_str(), r.matched)).collect();
    assert_eq!(
        matched,
        [
            ("203.0.113.77", LogReaderMatch::CompromisedPrincipal),
            (ATTACKER_IP, LogReaderMatch::AttackerAddress),
        ]
    );
}

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

#[test]
fn guardduty_findings_join_on_key_instance_and_address() {
    let events = [
        finding("f-key", 5.0, |f| {
            f.access_key_id = Some("AKIALEAKED0000000001".to_owned())
        }),
        finding("f-inst", 8.0, |f| {
            f.instance_id = Some("i-1".to_owned());
            f.remote_ips = vec![ATTACKER_IP.to_owned()];
        }),
        finding("f-other", 9.0, |f| {
            f.instance_id = Some("i-other".to_owned())
        }),
    ];
    let d = run(&facts(), &events);
    let g = d.guardduty.clone().expect("a guardduty section");
    let ids: Vec<_> = g.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids, ["f-inst", "f-key"], "joined, most severe first");
    let on: Vec<_> = g.findings[0].joined_on.iter().map(|j| j.on).collect();
    assert_eq!(on, [JoinKind::Instance, JoinKind::Address]);
    assert_eq!(g.findings[1].joined_on[0].on, JoinKind::AccessKey);
    assert_eq!(g.not_joined, 1);
    let basis = &d.network.as_ref().expect("network").instances[0].basis;
    assert!(
        basis.contains("GuardDuty finding Recon:EC2/PortProbeUnprotectedPort (f-inst"),
        "{basis}"
    );
    assert!(run(&facts(), &[]).guardduty.is_none());
}

#[test]
fn resolver_queries_of_attacker_instances_grouped_by_name() {
    let events = [
        query(
            "2024-03-04T11:00:00Z",
            "pool.minexmr.com.",
            "10.0.1.5",
            None,
        ),
        query(
            "2024-03-04T11:05:00Z",
            "pool.minexmr.com.",
            "10.0.9.9",
            Some("i-1"),
        ),
        query("2024-03-04T11:06:00Z", "evil.example.", "10.0.1.5", None),
        query(
            "2024-03-04T11:07:00Z",
            "intranet.example.",
            "10.0.0.4",
            Some("i-other"),
        ),
    ];
    let d = run(&facts(), &events);
    let dns = d.dns.expect("a dns section");
    let names: Vec<_> = dns
        .queries
        .iter()
        .map(|q| (q.query_name.as_str(), q.count))
        .collect();
    assert_eq!(names, [("pool.minexmr.com.", 2), ("evil.example.", 1)]);
    assert_eq!(dns.queries[0].instances, ["i-1"]);
    assert_eq!(dns.queries[0].first, "2024-03-04T11:00:00.000Z");
    assert_eq!(dns.records, 4);
}

/// Access-log lines look like S3 data events: the CloudTrail passes must not count them.
#[test]
fn other_logs_never_reach_the_cloudtrail_passes() {
    let line = in_file(
        s3_line(
            "2024-03-04T11:00:00Z",
            "customer-data",
            "k",
            "REST.GET.OBJECT",
            Some(BACKDOOR),
            ATTACKER_IP,
            1,
        ),
        4,
    );
    let subject = crate::scan::Subject::Auto;
    let mut p1 = crate::scan::Pass1Sink {
        subject: &subject,
        state: Default::default(),
    };
    p1.accept(line.clone());
    assert!(p1.state.profiles.is_empty() && p1.state.span.is_none());
    assert!(p1.state.other_files.contains(4) && !p1.state.cloudtrail_files.contains(4));
    let ips = Default::default();
    let mut p2 = crate::scan::Pass2Sink {
        subject: &subject,
        subject_key: "x",
        t0: 0,
        attacker_ips: &ips,
        state: Default::default(),
    };
    p2.accept(line);
    assert!(
        p2.state.categories.is_empty()
            && p2.state.stores.is_empty()
            && p2.state.store_access.is_empty()
    );
}

/// A document with the list-price estimate, for `cost.actual`.
fn with_cost(facts: &Facts, events: &[Event]) -> ScopeResult {
    let mut pass = Pass3::default();
    for ev in events {
        pass.add(facts, ev);
    }
    let mut d = window_doc(|d| {
        d["cost"] = json!({"currency": "USD", "instances": [], "by_region": [], "by_type": [],
                           "total_hours": 0.0, "total_usd": 0.0, "unpriced_runs": 0, "assumptions": []});
    });
    apply(&mut d, facts, pass);
    d
}

#[test]
fn the_cost_and_usage_report_gives_the_attacker_instances_actual_cost() {
    let hour = |h: u32| format!("2024-03-{:02}T{:02}:00:00Z", 4 + h / 24, h % 24);
    let mut events: Vec<Event> = (0..50)
        .map(|h| charge("i-1", "BoxUsage:c5.4xlarge", &hour(h), &hour(h + 1), 0.68))
        .collect();
    events.push(charge(
        "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
        "EBS:VolumeUsage.gp3",
        &hour(0),
        &hour(50),
        0.5,
    ));
    events.push(charge(
        "i-owner",
        "BoxUsage:t3.micro",
        &hour(0),
        &hour(1),
        0.01,
    ));
    let d = with_cost(&facts(), &events);
    let actual = d.cost.and_then(|c| c.actual).expect("cost.actual");
    assert!(actual.covers_window, "{}", actual.basis);
    assert_eq!(actual.line_items, 52);
    let box_usage = &actual.items[0];
    assert_eq!(
        (box_usage.resource_id.as_str(), box_usage.line_items),
        ("i-1", 50)
    );
    assert!((box_usage.cost - 34.0).abs() < 1e-9);
    assert_eq!(
        actual.items[1].usage_type.as_deref(),
        Some("EBS:VolumeUsage.gp3")
    );
    assert!((actual.totals[0].cost - 34.5).abs() < 1e-9);
    assert!(!d
        .unknowns
        .iter()
        .any(|u| u.question.contains("actual cost")));
    // A report ending before the window does: a lower bound, and an unknown.
    let d = with_cost(&facts(), &events[..20]);
    let actual = d.cost.and_then(|c| c.actual).expect("cost.actual");
    assert!(!actual.covers_window);
    assert!(actual.basis.contains("lower bound"), "{}", actual.basis);
    assert!(d
        .unknowns
        .iter()
        .any(|u| u.question.contains("actual cost")));
    // No report: no `actual`.
    assert!(with_cost(&facts(), &[])
        .cost
        .and_then(|c| c.actual)
        .is_none());
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

/// With no departure the document follows the named credential: the sentences say so.
#[test]
fn an_unattributed_document_words_its_statements_for_the_named_credential() {
    let mut pass = Pass3::default();
    let f = facts();
    for ev in owner_lines() {
        pass.add(&f, &ev);
    }
    let mut d = doc();
    d.attribution = cloudcase_model::scope::SectionsAttribution::Unattributed;
    apply(&mut d, &f, pass);
    let b = &d.data_access[0];
    assert!(b.basis.contains("the named credential"), "{}", b.basis);
    assert!(!b.basis.contains("attacker"), "{}", b.basis);
    let n = d.network.expect("a section for the launched instance");
    assert!(
        n.exfiltration.basis.contains("the window of its activity"),
        "{}",
        n.exfiltration.basis
    );
}
