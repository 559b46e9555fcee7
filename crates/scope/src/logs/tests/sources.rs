//! GuardDuty joins, resolver queries, the actual cost, and the CloudTrail passes.

use super::*;
use crate::logs::test_events::{charge, finding, query};

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
        finding("f-role", 3.0, |f| {
            f.user_name = Some("web-app-role".to_owned())
        }),
    ];
    let mut f = facts();
    f.compromised
        .insert("arn:aws:sts::111122223333:assumed-role/web-app-role/i-0abc".to_owned());
    let d = run(&f, &events);
    let g = d.guardduty.clone().expect("a guardduty section");
    let ids: Vec<_> = g.findings.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(
        ids,
        ["f-inst", "f-key", "f-role"],
        "joined, most severe first"
    );
    let on: Vec<_> = g.findings[0].joined_on.iter().map(|j| j.on).collect();
    assert_eq!(on, [JoinKind::Instance, JoinKind::Address]);
    assert_eq!(g.findings[1].joined_on[0].on, JoinKind::AccessKey);
    assert_eq!(g.findings[2].joined_on[0].on, JoinKind::Principal);
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
    assert!(p1.state.coverage.categories.is_empty() && p1.state.coverage.stores.is_empty());
    let ips = Default::default();
    let mut p2 = crate::scan::Pass2Sink {
        subject: &subject,
        subject_key: "x",
        t0: 0,
        attacker_ips: &ips,
        state: Default::default(),
        spool: Default::default(),
    };
    p2.accept(line);
    assert!(
        p2.state.coverage.categories.is_empty()
            && p2.state.coverage.stores.is_empty()
            && p2.state.store_access.all(&Vec::new()).is_empty()
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
    // Nothing launched: nothing to price, and nothing unknown about it.
    let mut none = facts();
    none.instances.clear();
    let d = with_cost(&none, &events[..20]);
    let actual = d.cost.and_then(|c| c.actual).expect("cost.actual");
    assert!(
        actual.basis.contains("nothing to price"),
        "{}",
        actual.basis
    );
    assert!(actual.items.is_empty());
    assert!(!d
        .unknowns
        .iter()
        .any(|u| u.question.contains("actual cost")));
    // No report: no `actual`.
    assert!(with_cost(&facts(), &[])
        .cost
        .and_then(|c| c.actual)
        .is_none());
}
