//! The two passes on small trails in CloudTrail's shape, read through `cloudcase-read`.

use std::collections::HashSet;
use std::ops::Deref;
use std::sync::Arc;

use cloudcase_event::{Event, EventTime, SourceFile};
use cloudcase_model::scope::StoreKind;
use cloudcase_read::EventSink;
use serde_json::json;

use super::*;
use crate::net::Cidr;
use crate::stores::Access;
use crate::test_trail::{assumed_role, call, events, history, iam_user, listed, object_read, with};

const KEY: &str = "AKIALEAKED0000000001";
const OTHER_KEY: &str = "AKIAOTHER00000000001";
const HOME: &str = "198.51.100.10";
const ATTACKER: &str = "203.0.113.5";
/// The first attacker event of the pass-2 tests.
const T0: &str = "2024-03-03T20:00:00Z";

fn ms(time: &str) -> i64 {
    EventTime::parse(time).expect("a test time").millis()
}

fn pass1(subject: &Subject, events: impl IntoIterator<Item = Event>) -> Pass1 {
    let mut sink = Pass1Sink {
        subject,
        state: Pass1::default(),
    };
    for ev in events {
        sink.accept(ev);
    }
    sink.state
}

/// One worker's pass-2 state and candidates, before any merge.
fn pass2_worker(
    subject: &Subject,
    attacker_ips: &HashSet<String>,
    events: Vec<Event>,
    spool: CandidateSpool,
) -> (Pass2, CandidateSpool) {
    pass2_worker_from(Pass2::default(), subject, attacker_ips, events, spool)
}

/// [`pass2_worker`], starting from `state` (with its own budgets).
fn pass2_worker_from(
    state: Pass2,
    subject: &Subject,
    attacker_ips: &HashSet<String>,
    events: Vec<Event>,
    spool: CandidateSpool,
) -> (Pass2, CandidateSpool) {
    let mut sink = Pass2Sink {
        subject,
        subject_key: KEY,
        t0: ms(T0),
        attacker_ips,
        state,
        spool,
    };
    for ev in events {
        sink.accept(ev);
    }
    (sink.state, sink.spool)
}

/// A merged pass 2 and the run's input list its entries find their files in.
struct Window {
    pass2: Pass2,
    files: Vec<Arc<SourceFile>>,
}

impl Deref for Window {
    type Target = Pass2;

    fn deref(&self) -> &Pass2 {
        &self.pass2
    }
}

/// Merges workers' states as the scan does; `files` is the input list they read.
fn merged(
    workers: Vec<(Pass2, CandidateSpool)>,
    coverage: Coverage,
    baseline: hourly::BaselineCounts,
    files: Vec<Arc<SourceFile>>,
) -> Window {
    let (parts, spools) = workers.into_iter().unzip();
    let pass2 =
        Pass2::merge_all(parts, spools, coverage, baseline, ms(T0)).expect("candidates merge");
    Window { pass2, files }
}

/// The window's candidates, read back.
fn candidates(window: &Window) -> Vec<Candidate> {
    let all = window.candidates.iter(&window.files).collect();
    assert!(window.candidates.take_failure().is_none());
    all
}

/// Pass 2 as one worker gives it to the builders (merged, candidates in order), with the
/// coverage pass 1 counts over the same events.
fn pass2(subject: &Subject, attacker_ips: &HashSet<String>, events: Vec<Event>) -> Window {
    let files = listed(&events);
    let history = pass1(subject, events.clone());
    let baseline = history
        .profiles
        .get(KEY)
        .map(|p| p.hourly.before_hour_of(ms(T0)))
        .unwrap_or_default();
    let worker = pass2_worker(subject, attacker_ips, events, CandidateSpool::default());
    merged(vec![worker], history.coverage, baseline, files)
}

fn attacker_ips() -> HashSet<String> {
    HashSet::from([ATTACKER.to_owned()])
}

#[test]
fn pass1_keeps_first_last_and_count_per_source_and_caps_user_agents() {
    let me = iam_user("ci", KEY);
    let mut records = Vec::new();
    for (i, hour) in (10..17).enumerate() {
        records.push(with(
            call(
                &format!("2024-03-01T{hour}:00:00Z"),
                "s3",
                "ListBuckets",
                HOME,
                &me,
            ),
            json!({"userAgent": format!("agent-{i}")}),
        ));
    }
    records.push(call(
        "2024-03-02T08:00:00Z",
        "ec2",
        "DescribeInstances",
        ATTACKER,
        &me,
    ));
    records.push(call(
        "2024-03-02T09:00:00Z",
        "s3",
        "ListBuckets",
        HOME,
        &iam_user("app", OTHER_KEY),
    ));
    let subject = Subject::AccessKey(KEY.into());
    // Newest first: what is kept must not depend on arrival order.
    let history = pass1(&subject, events(&records).into_iter().rev());

    assert_eq!(history.profiles.len(), 1, "only the subject is profiled");
    let profile = &history.profiles[KEY];
    assert_eq!(profile.count, 8);
    assert_eq!(
        profile.first.as_ref().map(|p| p.ms),
        Some(ms("2024-03-01T10:00:00Z"))
    );
    let home = &profile.ips[HOME];
    assert_eq!(home.count, 7);
    assert_eq!(home.first.ms, ms("2024-03-01T10:00:00Z"));
    assert_eq!(home.first.record, 0);
    assert_eq!(home.last_ms, ms("2024-03-01T16:00:00Z"));
    assert_eq!(
        home.uas.to_strings(),
        ["agent-0", "agent-1", "agent-2", "agent-3", "agent-4"],
        "the five user agents seen first, in order"
    );
    assert_eq!(profile.ips[ATTACKER].count, 1);
    assert_eq!(
        history.span,
        Some((ms("2024-03-01T10:00:00Z"), ms("2024-03-02T09:00:00Z")))
    );
}

#[test]
fn session_calls_keep_only_the_role_session_name_source_identity_and_issued_key() {
    let assume = with(
        call(T0, "sts", "AssumeRole", ATTACKER, &iam_user("ci", KEY)),
        json!({
            "requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/ops", "roleSessionName": "s1",
                                  "durationSeconds": 3600, "externalId": "secret-external-id", "sourceIdentity": "admin"},
            "responseElements": {"credentials": {"accessKeyId": "ASIASESSION000000001", "sessionToken": "TOKEN-SECRET",
                                                 "expiration": "Mar 3, 2024, 9:00:00 PM"},
                                 "assumedRoleUser": {"assumedRoleId": "AROAEXAMPLE:s1",
                                                     "arn": "arn:aws:sts::111122223333:assumed-role/ops/s1"},
                                 "sourceIdentity": "admin", "packedPolicySize": 12},
        }),
    );
    let by_service = with(
        call(
            "2024-03-03T20:01:00Z",
            "sts",
            "AssumeRole",
            "ec2.amazonaws.com",
            &json!({"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}),
        ),
        json!({"requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/ec2", "roleSessionName": "i-1"}}),
    );
    let window = pass2(
        &Subject::AccessKey(KEY.into()),
        &HashSet::new(),
        events(&[assume, by_service]),
    );

    let kept = candidates(&window);
    assert_eq!(kept.len(), 1, "sessions AWS services open are not kept");
    let session = &kept[0];
    assert_eq!(
        session.req_json(),
        json!({"roleArn": "arn:aws:iam::111122223333:role/ops", "roleSessionName": "s1",
               "sourceIdentity": "admin"})
    );
    assert_eq!(
        session.resp_json(),
        json!({"accessKeyId": "ASIASESSION000000001"})
    );
    assert!(!session.resp_json().to_string().contains("TOKEN-SECRET"));
    assert!(!session.request_text().contains("secret-external-id"));
    assert!(session.subject);
}

#[test]
fn session_calls_keep_string_fields_only() {
    let federation = with(
        call(
            T0,
            "sts",
            "GetFederationToken",
            ATTACKER,
            &iam_user("ci", KEY),
        ),
        json!({
            "requestParameters": {"name": "fed", "roleArn": 7, "roleSessionName": ["x"]},
            "responseElements": {"credentials": {"accessKeyId": {"not": "a string"}}},
        }),
    );
    let window = pass2(
        &Subject::AccessKey(KEY.into()),
        &HashSet::new(),
        events(&[federation]),
    );
    let [session] = &candidates(&window)[..] else {
        panic!("one candidate");
    };
    assert_eq!(session.req_json(), json!({"name": "fed"}));
    assert_eq!(session.request_text(), r#"{"name":"fed"}"#);
    assert_eq!(session.resp_json(), json!({}));
}

#[test]
fn mutating_calls_are_captured_in_the_window_only() {
    let someone = iam_user("admin", OTHER_KEY);
    let records = vec![
        // Before the first attacker event: never a candidate.
        with(
            call("2024-03-03T19:00:00Z", "iam", "CreateUser", HOME, &someone),
            json!({"requestParameters": {"userName": "early"}}),
        ),
        with(
            call("2024-03-03T20:05:00Z", "iam", "CreateUser", HOME, &someone),
            json!({"requestParameters": {"userName": "late"}}),
        ),
        call("2024-03-03T20:06:00Z", "iam", "ListUsers", HOME, &someone),
        call(
            "2024-03-03T20:07:00Z",
            "ec2",
            "RunInstances",
            HOME,
            &someone,
        ),
        call("2024-03-03T20:08:00Z", "ec2", "CreateTags", HOME, &someone),
        with(
            call(
                "2024-03-03T20:09:00Z",
                "s3",
                "PutBucketPolicy",
                HOME,
                &someone,
            ),
            json!({"requestParameters": {"bucketName": "b"}}),
        ),
        // Every call from an attacker address is kept, reads included.
        call(
            "2024-03-03T20:10:00Z",
            "ec2",
            "DescribeInstances",
            ATTACKER,
            &iam_user("ci", KEY),
        ),
    ];
    let mut window = events(&records);
    window.reverse();
    let window = pass2(&Subject::AccessKey(KEY.into()), &attacker_ips(), window);

    let all = candidates(&window);
    let kept: Vec<&str> = all.iter().map(|c| &*c.name).collect();
    assert_eq!(
        kept,
        [
            "CreateUser",
            "RunInstances",
            "PutBucketPolicy",
            "DescribeInstances"
        ]
    );
    assert_eq!(all[0].req_json()["userName"], "late");
    assert_eq!(all[3].ip.as_deref(), Some(ATTACKER));
    assert!(all[3].subject && !all[0].subject);
}

/// A long attacker window: `n` calls from the attacker address, every third a session call,
/// one a hostile request, in reverse time order.
fn long_window(n: usize) -> Vec<Event> {
    let me = iam_user("ci", KEY);
    let role = assumed_role("ops", "s1", "ASIASESSION000000001");
    let records: Vec<_> = (0..n)
        .rev()
        .map(|i| {
            let time = format!("2024-03-03T2{}:{:02}:{:02}Z", i / 3600 % 4, i / 60 % 60, i % 60);
            match i % 3 {
                0 => with(
                    call(&time, "sts", "AssumeRole", ATTACKER, &role),
                    json!({"requestParameters": {"roleArn": format!("arn:aws:iam::1:role/r{i}"),
                            "roleSessionName": "s"},
                           "responseElements": {"credentials": {"accessKeyId": format!("ASIA{i:016}")}}}),
                ),
                1 => with(
                    call(&time, "iam", "CreateUser", ATTACKER, &me),
                    json!({"requestParameters": {"userName": format!("u{i}\u{0}\"\u{202e}{}", "x".repeat(i % 700))}}),
                ),
                _ => call(&time, "ec2", "DescribeInstances", ATTACKER, &me),
            }
        })
        .collect();
    events(&records)
}

#[test]
fn candidates_past_the_memory_budget_are_spilled_and_read_back_identically_in_order() {
    let all = long_window(3_000);
    let files = listed(&all);
    let subject = Subject::AccessKey(KEY.into());
    let ips = attacker_ips();
    let digest = |p: &Window| -> Vec<String> {
        candidates(p)
            .iter()
            .map(|c| format!("{:?} {} {}", c, c.req_json(), c.resp_json()))
            .collect()
    };
    let in_memory = pass2_worker(&subject, &ips, all.clone(), CandidateSpool::default());
    let in_memory = merged(
        vec![in_memory],
        Coverage::default(),
        Default::default(),
        files.clone(),
    );
    assert!(!in_memory.candidates.spilled());
    // The smallest budget the external sort takes spills every couple of hundred candidates;
    // two workers share one pool of runs.
    let first = CandidateSpool::new(1, None);
    let second = first.share(1);
    let (odd, even): (Vec<Event>, Vec<Event>) = all
        .into_iter()
        .partition(|ev| ev.provenance.record % 2 == 1);
    let spilled = merged(
        vec![
            pass2_worker(&subject, &ips, odd, first),
            pass2_worker(&subject, &ips, even, second),
        ],
        Coverage::default(),
        Default::default(),
        files,
    );
    assert!(spilled.candidates.spilled());
    let (want, got) = (digest(&in_memory), digest(&spilled));
    assert_eq!(want.len(), 3_000);
    assert!(want == got, "spilled candidates differ");
    let times: Vec<i64> = candidates(&spilled).iter().map(|c| c.ptr.ms).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "record order");
    // Two readings at once do not disturb each other.
    let mut a = spilled.candidates.iter(&spilled.files);
    let mut b = spilled.candidates.iter(&spilled.files);
    for _ in 0..5 {
        assert_eq!(a.next().map(|c| c.ptr.key()), b.next().map(|c| c.ptr.key()));
    }
    assert_eq!(a.count(), 2_995);
}

#[test]
fn a_temporary_directory_that_cannot_be_written_is_an_error_not_a_shorter_window() {
    let missing = std::env::temp_dir().join("cloudcase-no-such-dir/inner");
    let subject = Subject::AccessKey(KEY.into());
    let ips = attacker_ips();
    let spool = CandidateSpool::new(1, Some(missing.clone()));
    let (state, spool) = pass2_worker(&subject, &ips, long_window(3_000), spool);
    let merged = Pass2::merge_all(
        vec![state],
        vec![spool],
        Coverage::default(),
        Default::default(),
        ms(T0),
    );
    let err = merged.expect_err("the candidates could not be spilled");
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound, "{err}");

    let mut accesses = StoreAccesses::new(1, false, Some(missing));
    let reads = (0..600).map(|i| {
        let time = format!("2024-03-03T21:{:02}:{:02}Z", i / 60, i % 60);
        object_read(&time, &format!("b{i}"), "o", ATTACKER, &iam_user("ci", KEY))
    });
    for (i, ev) in events(&reads.collect::<Vec<_>>()).iter().enumerate() {
        let id = AccessId {
            store: StoreId {
                kind: StoreKind::S3Bucket,
                name: format!("b{i}").into(),
            },
            key: KEY.into(),
            ip: ATTACKER.into(),
            succeeded: true,
            access: Access::Read,
        };
        accesses.bump(id, ev);
    }
    assert!(
        accesses.finish().is_err(),
        "the accesses could not be spilled"
    );
}

/// Pass 2 over `records` as one worker with the largest budget, and as two workers (records
/// alternating between them) with the smallest: `state` gives a worker's state for a budget.
fn held_and_spilled(
    records: &[serde_json::Value],
    state: impl Fn(usize) -> Pass2,
) -> (Window, Window) {
    let all = events(records);
    let files = listed(&all);
    let subject = Subject::AccessKey(KEY.into());
    let ips = attacker_ips();
    let worker = |part: Vec<Event>, budget: usize| {
        pass2_worker_from(
            state(budget),
            &subject,
            &ips,
            part,
            CandidateSpool::default(),
        )
    };
    let held = merged(
        vec![worker(all.clone(), 1 << 30)],
        Coverage::default(),
        Default::default(),
        files.clone(),
    );
    let (odd, even): (Vec<Event>, Vec<Event>) = all
        .into_iter()
        .partition(|ev| ev.provenance.record % 2 == 1);
    let spilled = merged(
        vec![worker(odd, 1), worker(even, 1)],
        Coverage::default(),
        Default::default(),
        files,
    );
    (held, spilled)
}

#[test]
fn store_accesses_past_the_memory_budget_are_spilled_and_merged_identically() {
    // Reads of 40 buckets by 30 session keys from two sources, each pair read several times,
    // spread over the window so that every access is met again after a spill.
    let mut records = Vec::new();
    for round in 0..3 {
        for k in 0..30 {
            let role = assumed_role("app", &format!("s{k}"), &format!("ASIAREADER{k:010}"));
            for b in 0..40 {
                let time = format!("2024-03-03T2{round}:{:02}:{:02}Z", k, b);
                let ip = if (k + b) % 2 == 0 { ATTACKER } else { HOME };
                let object = format!("o{round}-{}", "é\u{0}".repeat(b % 3));
                records.push(object_read(
                    &time,
                    &format!("bucket-{b}"),
                    &object,
                    ip,
                    &role,
                ));
            }
        }
    }
    // The smallest budget holds a few hundred accesses: both workers spill several times.
    let (held, spilled) = held_and_spilled(&records, |budget| Pass2 {
        store_access: StoreAccesses::new(budget, false, None),
        ..Pass2::default()
    });
    let digest = |p: &Window| {
        let mut lines: Vec<String> = p
            .store_access
            .all(&p.files)
            .iter()
            .map(|(a, u)| format!("{a:?} {} {:?}", use_digest(u), u.first.event_id))
            .collect();
        lines.sort();
        lines
    };
    assert_eq!(digest(&held).len(), 1_200);
    assert!(digest(&held) == digest(&spilled), "spilled accesses differ");
    let attackers = spilled
        .store_access
        .collect(&spilled.files, |a| &*a.ip == ATTACKER)
        .unwrap();
    assert_eq!(attackers.len(), 600);
    assert!(attackers
        .values()
        .all(|u| u.count == 3 && u.names.first() == Some("GetObject")));
}

#[test]
fn key_uses_past_the_memory_budget_are_spilled_and_merged_identically() {
    // 400 session keys, each used from three sources with agents and calls of their own, met
    // again after every spill; a few of them list buckets.
    let mut records = Vec::new();
    for round in 0..3 {
        for k in 0..400 {
            let role = assumed_role("app", "s", &format!("ASIAWORKER{k:010}"));
            let ip = ["198.51.100.7", ATTACKER, "192.0.2.9"][(k + round) % 3];
            let time = format!("2024-03-03T2{round}:{:02}:{:02}Z", k / 60, k % 60);
            let name = ["ListUsers", "GetCallerIdentity", "ListBuckets"][round];
            let service = ["iam", "sts", "s3"][round];
            let agent = format!("agent/{}", (k * 7 + round) % 11);
            records.push(with(
                call(&time, service, name, ip, &role),
                json!({"userAgent": agent}),
            ));
        }
    }
    // The smallest budget holds 256 uses: both workers spill several times.
    let (held, spilled) = held_and_spilled(&records, |budget| Pass2 {
        key_use: KeyUses::new(budget, true, None),
        list_buckets: KeyUses::new(budget, true, None),
        ..Pass2::default()
    });
    assert_eq!(held.key_use.all(&held.files).len(), 1_200);
    assert_eq!(held.list_buckets.all(&held.files).len(), 400);
    assert_eq!(pass2_digest(&held), pass2_digest(&spilled));
    assert!(spilled.key_use.held() < 1_200, "some uses were spilled");
    // Every pair is met when the keys are walked, spilled ones once per part they were in.
    let mut walked = HashSet::new();
    let mut met = 0;
    spilled
        .key_use
        .for_each_key(|k| {
            met += 1;
            walked.insert(k.clone());
        })
        .unwrap();
    assert_eq!(walked.len(), 1_200);
    assert!(met >= 1_200);
    let attackers = spilled
        .key_use
        .collect(&spilled.files, |k| &*k.ip == ATTACKER)
        .unwrap();
    assert_eq!(attackers.len(), 400);
    assert!(attackers
        .values()
        .all(|u| u.count == 1 && u.uas.first().is_some_and(|a| a.starts_with("agent/"))));
}

#[test]
fn s3_reads_are_counted_per_bucket_key_and_source() {
    let me = iam_user("ci", KEY);
    let app = iam_user("app", OTHER_KEY);
    let records = vec![
        object_read("2024-03-03T10:00:00Z", "data", "early.csv", HOME, &me),
        object_read("2024-03-03T20:01:00Z", "data", "a.csv", ATTACKER, &me),
        object_read("2024-03-03T20:02:00Z", "data", "b.csv", ATTACKER, &me),
        object_read("2024-03-03T20:03:00Z", "data", "a.csv", HOME, &me),
        object_read("2024-03-03T20:04:00Z", "data", "a.csv", ATTACKER, &app),
        object_read("2024-03-03T20:05:00Z", "other", "x.csv", ATTACKER, &me),
        with(
            object_read("2024-03-03T20:06:00Z", "data", "c.csv", ATTACKER, &me),
            json!({"errorCode": "AccessDenied", "errorMessage": "Access Denied"}),
        ),
    ];
    let window = pass2(
        &Subject::AccessKey(KEY.into()),
        &attacker_ips(),
        events(&records),
    );

    let reads = |bucket: &str, key: &str, ip: &str, succeeded: bool| {
        let id = AccessId {
            store: StoreId {
                kind: StoreKind::S3Bucket,
                name: bucket.into(),
            },
            key: key.into(),
            ip: ip.into(),
            succeeded,
            access: Access::Read,
        };
        window
            .store_access
            .all(&window.files)
            .get(&id)
            .map(|u| (u.count, u.first.ms, u.last_ms))
    };
    let (first, second) = (ms("2024-03-03T20:01:00Z"), ms("2024-03-03T20:02:00Z"));
    assert_eq!(reads("data", KEY, ATTACKER, true), Some((2, first, second)));
    assert_eq!(reads("data", KEY, HOME, true).map(|r| r.0), Some(1));
    assert_eq!(
        reads("data", OTHER_KEY, ATTACKER, true).map(|r| r.0),
        Some(1)
    );
    assert_eq!(reads("other", KEY, ATTACKER, true).map(|r| r.0), Some(1));
    assert_eq!(reads("data", KEY, ATTACKER, false).map(|r| r.0), Some(1));
    assert_eq!(
        window.store_access.all(&window.files).len(),
        5,
        "the read before the window is not an access"
    );
    let data = &window.coverage.stores[&StoreId {
        kind: StoreKind::S3Bucket,
        name: "data".into(),
    }];
    assert_eq!((data.data_events, data.data_in_window), (6, 5));
    assert_eq!(
        data.data_span,
        Some((ms("2024-03-03T10:00:00Z"), ms("2024-03-03T20:06:00Z")))
    );
}

/// A comparable summary of pass 1: one line per aggregate, sorted.
fn pass1_digest(p: &Pass1) -> Vec<String> {
    let mut out = vec![format!("span {:?}", p.span)];
    for (key, prof) in &p.profiles {
        out.push(format!(
            "{key} count={} first={:?} last={} arns={:?} accounts={:?} kind={:?} role={:?}",
            prof.count,
            prof.first.as_ref().map(Ptr::key),
            prof.last_ms,
            prof.arns.to_strings(),
            prof.accounts.to_strings(),
            prof.kind,
            prof.role
        ));
        out.extend(prof.clusters.iter().map(|(n, c)| {
            format!(
                "{key} cluster {n} {:?} {} {:?}",
                c.first.key(),
                c.first_ip,
                c.activity().behaviour
            )
        }));
        out.extend(
            prof.baseline
                .networks
                .iter()
                .map(|(n, t)| format!("{key} network {n} {t}")),
        );
        out.extend(
            prof.ips
                .iter()
                .map(|(ip, u)| format!("{key} ip {ip} {}", use_digest(u))),
        );
        out.extend(
            prof.families
                .iter()
                .map(|(f, p)| format!("{key} family {f} {:?}", p.key())),
        );
        out.extend(
            prof.regions
                .iter()
                .map(|(r, t)| format!("{key} region {r} {t}")),
        );
    }
    out.sort();
    out
}

fn use_digest(u: &Use) -> String {
    format!(
        "first={:?} last={} count={} uas={:?} names={:?}",
        u.first.key(),
        u.last_ms,
        u.count,
        u.uas.to_strings(),
        u.names.to_strings()
    )
}

/// A comparable summary of pass 2: one line per aggregate, sorted (candidates in their order).
fn pass2_digest(p: &Window) -> Vec<String> {
    let mut out: Vec<String> = p
        .key_use
        .all(&p.files)
        .iter()
        .map(|(k, u)| format!("use {k:?} {}", use_digest(u)))
        .collect();
    out.extend(
        p.store_access
            .all(&p.files)
            .iter()
            .map(|(a, u)| format!("access {a:?} {}", use_digest(u))),
    );
    out.extend(
        p.list_buckets
            .all(&p.files)
            .iter()
            .map(|(k, u)| format!("list {k:?} {}", use_digest(u))),
    );
    out.extend(coverage_digest(&p.coverage));
    out.extend(
        p.mgmt_read_in_window
            .iter()
            .map(|(r, n)| format!("reads {r} {n}")),
    );
    out.sort();
    out.extend(
        candidates(p)
            .iter()
            .map(|c| format!("candidate {:?} {}", c.ptr.key(), c.name)),
    );
    out.push(format!("baseline={:?}", p.baseline));
    out
}

/// Every coverage count as sortable lines, to compare coverage merged in any order.
fn coverage_digest(c: &Coverage) -> Vec<String> {
    let mut out: Vec<String> = c
        .stores
        .iter()
        .map(|(id, c)| {
            format!(
                "store {id:?} mentions={} first={:?} region={:?} data={} in_window={} span={:?}",
                c.mentions,
                c.first_mention.as_ref().map(Ptr::key),
                c.region,
                c.data_events,
                c.data_in_window,
                c.data_span
            )
        })
        .collect();
    out.extend(
        c.regions
            .iter()
            .map(|(r, c)| format!("region {r} {} {:?}", c.events, c.span)),
    );
    out.extend(
        c.key_ip_first
            .iter()
            .map(|(k, ms)| format!("key-ip {k:?} {ms}")),
    );
    out.sort();
    out.push(format!(
        "categories={:?} read={} write={} hours={}",
        c.categories,
        c.mgmt_read,
        c.mgmt_write,
        c.hours.len()
    ));
    out
}

#[test]
fn two_workers_merged_equal_one() {
    let me = iam_user("ci", KEY);
    let mut records = history("s3", "ListBuckets", HOME, &me);
    records.extend([
        with(
            call(T0, "iam", "CreateUser", ATTACKER, &me),
            json!({"requestParameters": {"userName": "backup"}}),
        ),
        call("2024-03-03T20:01:00Z", "iam", "ListUsers", ATTACKER, &me),
        with(
            call("2024-03-03T20:02:00Z", "ec2", "RunInstances", ATTACKER, &me),
            json!({"awsRegion": "eu-west-1"}),
        ),
        with(
            call("2024-03-03T20:03:00Z", "ec2", "RunInstances", ATTACKER, &me),
            json!({"errorCode": "Client.UnauthorizedOperation"}),
        ),
        call(
            "2024-03-03T20:04:00Z",
            "s3",
            "ListBuckets",
            "192.0.2.1",
            &me,
        ),
        object_read("2024-03-03T20:05:00Z", "data", "a.csv", ATTACKER, &me),
        object_read("2024-03-03T20:06:00Z", "data", "b.csv", ATTACKER, &me),
        call(
            "2024-03-03T20:07:00Z",
            "sts",
            "AssumeRole",
            ATTACKER,
            &assumed_role("ops", "s1", "ASIASESSION000000001"),
        ),
    ]);
    let all = events(&records);
    let files = listed(&all);
    let subject = Subject::AccessKey(KEY.into());
    // Records alternate between the workers: each sees part of every aggregate.
    let (odd, even): (Vec<Event>, Vec<Event>) = all
        .iter()
        .cloned()
        .partition(|ev| ev.provenance.record % 2 == 1);

    let one = pass1(&subject, all.clone());
    let two = Pass1::merge_all(vec![
        pass1(&subject, odd.clone()),
        pass1(&subject, even.clone()),
    ]);
    assert_eq!(pass1_digest(&one), pass1_digest(&two));
    assert_eq!(
        coverage_digest(&one.coverage),
        coverage_digest(&two.coverage)
    );
    assert_eq!(one.file_last_ms, two.file_last_ms);

    let ips = attacker_ips();
    // One worker (records in time order) against two.
    let worker = |part| pass2_worker(&subject, &ips, part, CandidateSpool::default());
    let one = merged(
        vec![worker(all)],
        Coverage::default(),
        Default::default(),
        files.clone(),
    );
    let two = merged(
        vec![worker(odd), worker(even)],
        Coverage::default(),
        Default::default(),
        files,
    );
    assert_eq!(pass2_digest(&one), pass2_digest(&two));
    assert_eq!(
        candidates(&one).len(),
        7,
        "every window call from the attacker address"
    );
}

#[test]
fn a_session_keys_networks_are_its_first_four_whatever_the_order_and_split() {
    let role = assumed_role("ops", "s1", "ASIASESSION000000001");
    // Six networks, the latest first in the input.
    let records: Vec<_> = (0..6)
        .rev()
        .map(|i| {
            let time = format!("2024-03-03T1{i}:00:00Z");
            call(&time, "s3", "ListBuckets", &format!("203.0.{i}.5"), &role)
        })
        .collect();
    let all = events(&records);
    let networks = |p: &Pass1| -> Vec<Vec<String>> {
        p.profiles
            .values()
            .flat_map(|prof| prof.session_keys.values().map(Earliest::to_strings))
            .collect()
    };
    let first_four: Vec<String> = (0..4).map(|i| format!("203.0.{i}.0/24")).collect();
    let one = pass1(&Subject::Auto, all.clone());
    assert_eq!(networks(&one), vec![first_four.clone()]);
    let (odd, even): (Vec<Event>, Vec<Event>) = all
        .into_iter()
        .partition(|ev| ev.provenance.record % 2 == 1);
    let two = Pass1::merge_all(vec![
        pass1(&Subject::Auto, even),
        pass1(&Subject::Auto, odd),
    ]);
    assert_eq!(networks(&two), vec![first_four]);
}

#[test]
fn is_profile_agrees_with_profile_key_for_every_subject() {
    let root = json!({"type": "Root", "principalId": "123456789012", "arn": "arn:aws:iam::123456789012:root",
                      "accountId": "123456789012", "accessKeyId": "ASIAROOT0000000001"});
    let service = json!({"type": "AWSService", "invokedBy": "ec2.amazonaws.com"});
    let evs = events(&[
        call(T0, "s3", "ListBuckets", HOME, &iam_user("ci", KEY)),
        call(
            T0,
            "s3",
            "ListBuckets",
            ATTACKER,
            &iam_user("dev", OTHER_KEY),
        ),
        call(
            T0,
            "iam",
            "ListUsers",
            HOME,
            &assumed_role("ops", "alice", "ASIAOPS000000000001"),
        ),
        call(T0, "iam", "ListUsers", HOME, &root),
        call(T0, "sts", "AssumeRole", "ec2.amazonaws.com", &service),
    ]);
    let subjects = [
        Subject::Auto,
        Subject::AccessKey(KEY.to_owned()),
        Subject::Principal("ops".to_owned()),
        Subject::Principal("root".to_owned()),
        Subject::Ip(Cidr::parse("203.0.113.0/24").expect("a test range")),
    ];
    let mut matched = 0;
    for subject in &subjects {
        let keys: Vec<String> = evs
            .iter()
            .filter_map(|ev| subject.profile_key(ev))
            .collect();
        for key in keys
            .iter()
            .map(String::as_str)
            .chain(["nobody", "root:000000000000"])
        {
            for ev in &evs {
                let expected = subject.profile_key(ev).as_deref() == Some(key);
                assert_eq!(subject.is_profile(ev, key), expected, "{subject:?} {key}");
                matched += usize::from(expected);
            }
        }
    }
    // Auto names each of the four ranked callers; the others name one event each (root: one).
    assert!(matched >= 8, "{matched}");
}
