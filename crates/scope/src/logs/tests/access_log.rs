//! Bucket verdicts from S3 server access logs.

use super::*;

#[test]
fn access_logs_make_a_bucket_accessed_naming_the_requester() {
    // A request by the backdoor user from the attacker's address, in file 8.
    let by_backdoor = |time: &str, key: &str, operation: &str, bytes: u64| {
        let line = s3_line(
            time,
            "customer-data",
            key,
            operation,
            Some(BACKDOOR),
            ATTACKER_IP,
            bytes,
        );
        in_file(line, 8)
    };
    let mut events = owner_lines();
    events.extend([
        by_backdoor("2024-03-04T11:00:00Z", "", "REST.GET.BUCKET", 900),
        by_backdoor(
            "2024-03-04T11:01:00Z",
            "exports/a.csv",
            "REST.GET.OBJECT",
            5000,
        ),
        by_backdoor(
            "2024-03-04T11:02:00Z",
            "exports/b.csv",
            "REST.GET.OBJECT",
            7000,
        ),
        by_backdoor(
            "2024-03-04T11:03:00Z",
            "exports/b.csv",
            "REST.GET.OBJECT",
            7000,
        ),
        // A write is not a read; a read before the first attacker event is not the attacker's.
        by_backdoor("2024-03-04T11:04:00Z", "x", "REST.PUT.OBJECT", 0),
        by_backdoor("2024-03-04T09:00:00Z", "early", "REST.GET.OBJECT", 10),
    ]);
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

/// A log has lines only when requests come: an end short of the window by no more than the
/// bucket's longest quiet stretch still spans it; a log that falls silent for longer does not.
#[test]
fn a_log_spans_the_window_within_its_usual_quiet_stretch() {
    let lines = |every_h: i64, stop: &str| -> Vec<Event> {
        let (from, to) = (ms("2024-03-04T06:00:00Z"), ms(stop));
        (0..)
            .map(|i| from + i * every_h * 3_600_000)
            .take_while(|t| *t <= to)
            .map(|t| {
                let at = cloudcase_event::EventTime::from_millis(t).to_utc_string();
                s3_line(
                    &at,
                    "customer-data",
                    "k",
                    "REST.GET.OBJECT",
                    Some(COMPROMISED),
                    "192.0.2.10",
                    1,
                )
            })
            .collect()
    };
    // Every three hours, the last line 3 h before the end: within its quiet stretch.
    let d = run(&facts(), &lines(3, "2024-03-05T21:00:00Z"));
    assert_eq!(
        d.data_access[0].verdict,
        Verdict::NotObserved,
        "{}",
        d.data_access[0].basis
    );
    match &d.data_access[0].coverage {
        Some(StoreCoverage::S3AccessLog {
            longest_quiet_hours,
            ..
        }) => assert_eq!(*longest_quiet_hours, 3),
        other => panic!("access-log coverage expected, got {other:?}"),
    }
    // Every hour, then silent for the last five: only part of the window.
    let d = run(&facts(), &lines(1, "2024-03-05T19:00:00Z"));
    assert_eq!(
        d.data_access[0].verdict,
        Verdict::Unknown,
        "{}",
        d.data_access[0].basis
    );
}
