use cloudcase_event::Event;
use cloudcase_sigma::Level;

use super::Bursts;
use crate::analytics::fixtures::{
    at, failed, files_of, in_region, read_trail, role_call, via_service,
};
use crate::analytics::Candidate;

/// A budget no test's windows come near: everything stays in memory.
const ROOMY: usize = 64 << 20;

const T0: &str = "2024-03-01T10:00:00Z";
const ROLE_ARN: &str = "arn:aws:iam::111122223333:role/ci-deploy";

fn call(seconds: i64, name: &str) -> serde_json::Value {
    role_call("ci-deploy", "run-1", &at(T0, seconds), name, "198.51.100.7")
}

fn denied(seconds: i64) -> serde_json::Value {
    failed(
        call(seconds, "DescribeInstances"),
        "Client.UnauthorizedOperation",
    )
}

/// The candidates of `events` counted within `budget` bytes.
fn candidates_within(events: &[Event], budget: usize) -> Vec<Candidate> {
    let mut bursts = Bursts::new(budget, None);
    for e in events {
        bursts.observe(e);
    }
    bursts.candidates(&files_of(events)).expect("candidates")
}

/// What a test compares of a candidate: analytic, level, record and detail.
fn summary(found: &[Candidate]) -> Vec<(&str, Level, u64, &str)> {
    found
        .iter()
        .map(|c| (c.spec.id, c.spec.level, c.pointer.record, c.detail.as_str()))
        .collect()
}

/// The candidates of `events`, checked to be the same when every event's
/// windows are written out at once (no budget at all).
fn candidates_of(events: &[Event]) -> Vec<Candidate> {
    let found = candidates_within(events, ROOMY);
    let written = candidates_within(events, 0);
    assert_eq!(summary(&found), summary(&written), "held and written out");
    found
}

fn with_id<'a>(found: &'a [Candidate], id: &str) -> Vec<&'a Candidate> {
    found.iter().filter(|c| c.spec.id == id).collect()
}

#[test]
fn nothing_is_found_in_no_events() {
    assert!(Bursts::new(ROOMY, None)
        .candidates(&Vec::new())
        .expect("candidates")
        .is_empty());
}

/// One denial in each of the two windows before 10:00, as routine.
fn quiet_denials() -> Vec<serde_json::Value> {
    vec![denied(-900), denied(-600)]
}

#[test]
fn ten_denials_in_five_minutes_are_a_burst_and_nine_are_not() {
    let mut nine = quiet_denials();
    nine.extend((0..9).map(|i| denied(i * 20)));
    let nine = read_trail(nine);
    assert!(candidates_of(&nine.events).is_empty());

    let mut ten = quiet_denials();
    ten.extend((0..10).map(|i| denied(i * 20)));
    let ten = read_trail(ten);
    let found = candidates_of(&ten.events);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].spec.id, "cloudcase.analytics.access-denied-burst");
    assert_eq!(found[0].spec.level, Level::Medium);
    assert_eq!(found[0].pointer.record, 2);
    assert_eq!(
        found[0].detail,
        format!("10 calls by {ROLE_ARN} within 5 minutes (threshold 10; its median window: 1)")
    );
}

#[test]
fn a_principal_whose_only_window_is_a_burst_is_its_own_routine() {
    // The median of one window is that window: reported, at informational level.
    let ten = read_trail((0..10).map(|i| denied(i * 20)).collect());
    let found = candidates_of(&ten.events);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].spec.level, Level::Informational);
}

#[test]
fn a_burst_split_by_a_window_boundary_is_two_quiet_windows() {
    // 10:04:00 … 10:04:45 and 10:05:00 … 10:05:45: five in each window.
    let trail = read_trail(
        (0..5)
            .map(|i| denied(240 + i * 10))
            .chain((0..5).map(|i| denied(300 + i * 10)))
            .collect(),
    );
    assert!(candidates_of(&trail.events).is_empty());
}

#[test]
fn sessions_of_one_role_add_up_and_service_calls_do_not_count() {
    let other_session = |s: i64| {
        failed(
            role_call(
                "ci-deploy",
                "run-2",
                &at(T0, s),
                "DescribeInstances",
                "198.51.100.8",
            ),
            "AccessDenied",
        )
    };
    let mut records: Vec<_> = (0..5).map(denied).collect();
    records.extend((0..4).map(other_session));
    records.push(via_service(denied(30), "cloudformation.amazonaws.com"));
    let nine = read_trail(records.clone());
    assert!(candidates_of(&nine.events).is_empty());

    records.push(other_session(40));
    let ten = read_trail(records);
    let found = candidates_of(&ten.events);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].detail.contains(ROLE_ARN), "{}", found[0].detail);
}

#[test]
fn enumeration_counts_different_calls_not_repeats() {
    let names: Vec<String> = (0..30).map(|i| format!("DescribeThing{i:02}")).collect();
    // 29 different calls, each many times.
    let repeated = read_trail(
        (0..120)
            .map(|i| call(i * 4, &names[(i % 29) as usize]))
            .collect(),
    );
    assert!(with_id(
        &candidates_of(&repeated.events),
        "cloudcase.analytics.enumeration-burst"
    )
    .is_empty());

    let thirty = read_trail((0..30).map(|i| call(i * 4, &names[i as usize])).collect());
    let found = candidates_of(&thirty.events);
    let found = with_id(&found, "cloudcase.analytics.enumeration-burst");
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .detail
            .starts_with("30 different calls (30 in all)"),
        "{}",
        found[0].detail
    );
}

#[test]
fn launches_in_four_regions_within_an_hour_are_found_and_three_are_not() {
    let launch = |s: i64, region: &str| in_region(call(s, "RunInstances"), region);
    let three = vec![
        launch(-7200, "us-east-1"),
        launch(-3600, "us-east-1"),
        launch(0, "us-east-1"),
        launch(600, "eu-west-1"),
        launch(1200, "ap-southeast-1"),
        failed(launch(1800, "sa-east-1"), "Client.InstanceLimitExceeded"),
    ];
    let trail = read_trail(three.clone());
    let found = candidates_of(&trail.events);
    assert!(with_id(&found, "cloudcase.analytics.run-instances-many-regions").is_empty());

    let mut four = three;
    four.push(launch(2400, "sa-east-1"));
    let trail = read_trail(four);
    let found = candidates_of(&trail.events);
    let regions = with_id(&found, "cloudcase.analytics.run-instances-many-regions");
    assert_eq!(regions.len(), 1, "{found:#?}");
    assert_eq!(regions[0].spec.level, Level::High);
    assert!(
        regions[0]
            .detail
            .starts_with("4 regions (ap-southeast-1, eu-west-1, sa-east-1, us-east-1)"),
        "{}",
        regions[0].detail
    );
    // Five launches, failed one included, are below the launch count.
    assert!(with_id(&found, "cloudcase.analytics.run-instances-burst").is_empty());
}

/// Secret reads by the role: `per_window[i]` reads in the i-th ten-minute window.
fn secret_windows(per_window: &[i64]) -> Vec<serde_json::Value> {
    per_window
        .iter()
        .enumerate()
        .flat_map(|(w, n)| (0..*n).map(move |i| call(w as i64 * 600 + i, "GetSecretValue")))
        .collect()
}

#[test]
fn a_burst_four_times_the_routine_keeps_its_level() {
    let trail = read_trail(secret_windows(&[3, 3, 12]));
    let found = candidates_of(&trail.events);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].spec.id, "cloudcase.analytics.secrets-burst");
    assert_eq!(found[0].spec.level, Level::Medium);
    assert_eq!(found[0].pointer.record, 6);
}

#[test]
fn a_burst_under_four_times_the_routine_is_informational() {
    let trail = read_trail(secret_windows(&[4, 4, 12]));
    let found = candidates_of(&trail.events);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].spec.level, Level::Informational);
    assert!(
        found[0]
            .detail
            .ends_with("(threshold 10; its median window: 4); within this principal's routine"),
        "{}",
        found[0].detail
    );
}

#[test]
fn merged_workers_count_calls_and_distinct_values_once() {
    let names: Vec<String> = (0..30).map(|i| format!("ListThing{i:02}")).collect();
    // Every call twice: each worker alone sees 30 different calls once,
    // merged they are still 30 different calls, 60 in all.
    let trail = read_trail(
        (0..60)
            .map(|i| call(i * 2, &names[(i % 30) as usize]))
            .collect(),
    );
    let mut first = Bursts::new(ROOMY, None);
    let mut second = first.share();
    for e in &trail.events {
        if e.provenance.record < 30 {
            first.observe(e);
        } else {
            second.observe(e);
        }
    }
    first.merge(second);
    let found = first.candidates(&trail.files()).expect("candidates");
    let found = with_id(&found, "cloudcase.analytics.enumeration-burst");
    assert_eq!(found.len(), 1);
    assert!(
        found[0]
            .detail
            .starts_with("30 different calls (60 in all)"),
        "{}",
        found[0].detail
    );
    assert_eq!(found[0].pointer.record, 0);
}

#[test]
fn object_reads_need_five_hundred_in_a_window() {
    let read = |i: i64| call(i / 2, "GetObject");
    let below = read_trail((0..499).map(read).collect());
    assert!(candidates_of(&below.events).is_empty());
    let at_threshold = read_trail((0..500).map(read).collect());
    let found = candidates_of(&at_threshold.events);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].spec.id, "cloudcase.analytics.object-read-burst");
}

#[test]
fn windows_spilled_to_temporary_files_by_two_workers_give_the_same_findings() {
    // Secret reads by two roles, one in each ten-minute window for three weeks,
    // and a burst of twelve at the end: thousands of windows, more than the
    // sort keeps in memory at the smallest budget, so runs are written to files.
    let quiet = 3_000;
    let read =
        |role: &str, s: i64| role_call(role, "run-1", &at(T0, s), "GetSecretValue", "198.51.100.7");
    let mut records: Vec<_> = (0..quiet)
        .flat_map(|w| [read("ci-deploy", w * 600), read("app", w * 600 + 1)])
        .collect();
    records.extend((0..12).map(|i| read("ci-deploy", quiet * 600 + i)));
    let trail = read_trail(records);
    let files = trail.files();
    let whole = candidates_within(&trail.events, ROOMY);
    assert_eq!(whole.len(), 1, "{whole:#?}");
    assert_eq!(whole[0].spec.level, Level::Medium);
    assert!(
        whole[0].detail.contains("its median window: 1)"),
        "{}",
        whole[0].detail
    );

    let mut first = Bursts::new(0, None);
    let mut second = first.share();
    for e in &trail.events {
        if e.provenance.record % 2 == 0 {
            first.observe(e);
        } else {
            second.observe(e);
        }
    }
    first.merge(second);
    assert!(
        first.written.spilled(),
        "the second worker wrote runs to files"
    );
    let split = first.candidates(&files).expect("candidates");
    assert_eq!(summary(&split), summary(&whole));
}

#[test]
fn a_temporary_directory_that_cannot_be_written_fails_the_judgement() {
    let records: Vec<_> = (0..3_000)
        .map(|w| call(w * 600, "GetSecretValue"))
        .collect();
    let trail = read_trail(records);
    let mut bursts = Bursts::new(0, Some("/nonexistent/cloudcase-temp".into()));
    for e in &trail.events {
        bursts.observe(e);
    }
    assert!(bursts.candidates(&trail.files()).is_err());
}
