//! The compute-credential analytic: what it finds, and that sessions merged across workers
//! and written out past the budget give the same findings.

use super::*;
use crate::analytics::fixtures::{at, files_of, read_trail, role_call, with_agent};

const T0: &str = "2024-03-01T10:00:00Z";
const LAMBDA: &str = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.10.209-219.811.amzn2.x86_64 exec-env/AWS_Lambda_python3.12";
const LAPTOP: &str = "aws-cli/2.17.28 ua/2.0 os/windows#10 md/arch#amd64";
const SERVER: &str = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.61-85.141.amzn2023.x86_64";

fn found(records: Vec<serde_json::Value>) -> Vec<Candidate> {
    let trail = read_trail(records);
    let mut c = Credentials::new(1 << 20, None);
    for e in &trail.events {
        c.observe(e);
    }
    c.candidates(&trail.files()).expect("candidates")
}

#[test]
fn a_lambda_key_used_by_a_laptop_is_found_at_its_first_such_call() {
    let call = |s: i64, ip: &str, ua: &str| {
        with_agent(
            role_call("billing", "billing-fn", &at(T0, s), "ListBuckets", ip),
            ua,
        )
    };
    let hits = found(vec![
        call(0, "18.183.191.113", LAMBDA),
        call(600, "193.102.207.88", LAPTOP),
        call(300, "193.102.207.88", LAPTOP),
    ]);
    assert_eq!(hits.len(), 1, "{hits:#?}");
    assert_eq!(
        (hits[0].pointer.record, hits[0].spec.level),
        (2, Level::High)
    );
    assert!(
        hits[0].detail.contains("aws-cli/windows"),
        "{}",
        hits[0].detail
    );
    // Only compute: nothing.
    assert!(found(vec![call(0, "18.183.191.113", LAMBDA)]).is_empty());
}

#[test]
fn an_instance_session_is_found_from_a_desktop_not_from_its_server() {
    let call = |s: i64, ua: &str| {
        with_agent(
            role_call(
                "app",
                "i-02a1af9fabd645722",
                &at(T0, s),
                "ListBuckets",
                "91.207.190.143",
            ),
            ua,
        )
    };
    assert!(found(vec![call(0, SERVER)]).is_empty());
    let mac = "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64";
    let hits = found(vec![call(0, SERVER), call(60, mac)]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].pointer.record, 1);
    // A person's SSO session from a laptop is no compute credential.
    let sso = with_agent(
        role_call(
            "AWSReservedSSO_Admin_1",
            "ann@example.com",
            T0,
            "ListBuckets",
            "198.51.100.7",
        ),
        mac,
    );
    assert!(found(vec![sso]).is_empty());
}

#[test]
fn sessions_sharing_a_key_stay_apart_and_workers_merge_to_the_same_findings() {
    // The fixtures' sessions all carry one example key: a Lambda's session used from a
    // laptop, and a person's session of another role from the same laptop, interleaved.
    let lambda = |s: i64, ip: &str, ua: &str| {
        with_agent(
            role_call("billing", "billing-fn", &at(T0, s), "ListBuckets", ip),
            ua,
        )
    };
    let person = |s: i64| {
        with_agent(
            role_call(
                "ReadOnly",
                "ann",
                &at(T0, s),
                "ListBuckets",
                "193.102.207.88",
            ),
            LAPTOP,
        )
    };
    let records = vec![
        person(0),
        lambda(10, "18.183.191.113", LAMBDA),
        person(20),
        lambda(900, "193.102.207.88", LAPTOP),
        lambda(300, "193.102.207.88", LAPTOP),
        person(30),
    ];
    let trail = read_trail(records);
    let mut one = Credentials::new(1 << 20, None);
    let mut odd = Credentials::new(1 << 20, None);
    let mut even = odd.share();
    for (i, e) in trail.events.iter().enumerate() {
        one.observe(e);
        if i % 2 == 1 { &mut odd } else { &mut even }.observe(e);
    }
    odd.merge(even);
    let files = trail.files();
    let digest = |c: Credentials| -> Vec<(u64, String)> {
        let hits = c.candidates(&files).expect("candidates");
        hits.into_iter()
            .map(|h| (h.pointer.record, h.detail))
            .collect()
    };
    let hits = digest(one);
    assert_eq!(hits, digest(odd));
    assert_eq!(hits.len(), 1, "only the Lambda's session: {hits:?}");
    assert_eq!(hits[0].0, 4, "its first call off compute");
}

#[test]
fn sessions_written_out_past_the_budget_give_the_same_findings() {
    // 2,000 Lambda sessions of one role, each also used by a laptop (every fifth) or only from
    // its function, met again after the smallest budget has written the table out many times.
    let mut records = Vec::new();
    for round in 0..2 {
        for k in 0..2_000 {
            let session = format!("fn-{k}");
            let (ip, ua) = match (round, k % 5) {
                (1, 0) => ("193.102.207.88", LAPTOP),
                _ => ("18.183.191.113", LAMBDA),
            };
            let mut call = role_call(
                "worker",
                &session,
                &at(T0, k * 3 + round),
                "ListBuckets",
                ip,
            );
            call["userIdentity"]["accessKeyId"] = format!("ASIAWORKER{k:010}").into();
            records.push(with_agent(call, ua));
        }
    }
    let trail = read_trail(records);
    let files = files_of(&trail.events);
    let run = |budget: usize| {
        let mut first = Credentials::new(budget, None);
        let mut second = first.share();
        for (i, e) in trail.events.iter().enumerate() {
            if i % 3 == 0 { &mut second } else { &mut first }.observe(e);
        }
        first.merge(second);
        first
    };
    let digest = |c: Credentials| -> Vec<(u64, u64, String)> {
        let hits = c.candidates(&files).expect("candidates");
        hits.into_iter()
            .map(|h| (h.pointer.file.ordinal, h.pointer.record, h.detail))
            .collect()
    };
    let small = run(0);
    assert!(
        small.keys.len() < 2_000,
        "the smallest budget wrote sessions out"
    );
    assert!(
        small.written.spilled(),
        "the second worker's sessions reached its temporary files"
    );
    let held = digest(run(1 << 30));
    assert_eq!(
        held.len(),
        400,
        "every fifth session was used off its compute"
    );
    assert!(held.windows(2).all(|w| w[0].2 < w[1].2), "in key order");
    assert_eq!(digest(small), held);
}

#[test]
fn a_session_store_that_cannot_be_written_is_an_error() {
    let missing = std::env::temp_dir().join("cloudcase-no-such-dir/deeper");
    let mut c = Credentials::new(0, Some(missing));
    // More sessions than the sort's smallest buffer holds, so that it writes to its directory.
    let records = (0..3_000)
        .map(|k| {
            let mut call = role_call("billing", "fn", &at(T0, k), "ListBuckets", "18.183.191.113");
            call["userIdentity"]["accessKeyId"] = format!("ASIABILLING{k:09}").into();
            with_agent(call, LAMBDA)
        })
        .collect();
    let trail = read_trail(records);
    for e in &trail.events {
        c.observe(e);
    }
    assert!(c.candidates(&trail.files()).is_err());
}
