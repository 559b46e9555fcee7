use std::borrow::Cow;

use cloudcase_event::EventTime;
use cloudcase_model::LeadKind;
use cloudcase_sigma::Level;

use super::*;
use crate::finding::Origin;
use crate::sink::testing::{source, view};

const T0: i64 = 1_715_000_000_000;

/// A finding of `rule` (level, tactics) by `principal` at `T0 + minutes`.
struct Spec {
    rule: &'static str,
    level: Level,
    tactics: &'static str,
    principal: &'static str,
    key: Option<&'static str>,
    event: &'static str,
    minutes: i64,
}

fn feed(sink: &mut LeadSink, specs: &[Spec]) {
    let file = source();
    for s in specs {
        let mut f = view(&file);
        f.rule_id = s.rule;
        f.title = s.rule;
        f.level = s.level;
        f.origin = if s.rule.starts_with("cloudcase.analytics.") {
            Origin::Analytic
        } else {
            Origin::Rule
        };
        f.tactics = Cow::Borrowed(s.tactics);
        f.principal = Some(s.principal);
        f.access_key = s.key;
        f.event_name = s.event;
        f.time = EventTime::from_millis(T0 + s.minutes * 60_000);
        sink.finding(&f).unwrap();
    }
}

fn spec(rule: &'static str, level: Level, tactics: &'static str, who: &'static str) -> Spec {
    Spec {
        rule,
        level,
        tactics,
        principal: who,
        key: Some("AKIAEXAMPLE"),
        event: "CreateUser",
        minutes: 0,
    }
}

fn at(mut s: Spec, minutes: i64, event: &'static str) -> Spec {
    s.minutes = minutes;
    s.event = event;
    s
}

const NETWORK: &str = "cloudcase.analytics.new-network";

#[test]
fn many_routine_findings_saturate_and_broad_behaviour_wins() {
    let mut sink = LeadSink::new();
    let routine: Vec<Spec> = (0..40)
        .map(|i| {
            at(
                spec(
                    "root-activity",
                    Level::Medium,
                    "initial-access persistence",
                    "busy",
                ),
                i * 600,
                "ConsoleLogin",
            )
        })
        .collect();
    feed(&mut sink, &routine);
    feed(
        &mut sink,
        &[
            at(
                spec("admin", Level::High, "privilege-escalation", "eve"),
                5,
                "AttachUserPolicy",
            ),
            at(
                spec("gpu", Level::High, "impact execution", "eve"),
                9,
                "RunInstances",
            ),
            at(
                spec("gpu", Level::High, "impact execution", "eve"),
                10,
                "RunInstances",
            ),
        ],
    );
    let leads = sink.leads();
    assert_eq!(leads[0].principal, "eve", "{leads:#?}");
    assert_eq!(leads[0].findings.high, 3);
    assert_eq!(
        leads[0].tactics,
        ["privilege escalation", "impact / resource hijacking"]
    );
    assert!(leads[0]
        .reasons
        .iter()
        .any(|r| r.starts_with("3 high findings: privilege escalation (AttachUserPolicy), impact / resource hijacking (RunInstances ×2)")), "{:#?}", leads[0].reasons);
    assert!(leads[0]
        .reasons
        .iter()
        .any(|r| r.starts_with("behaviour across 2 tactics")));
    let busy = &leads[1];
    assert_eq!((busy.rank, busy.score, busy.findings.medium), (2, 30, 40));
    assert!(
        busy.reasons
            .iter()
            .any(|r| r.contains("40 medium findings of \"root-activity\" count as 3")),
        "{:#?}",
        busy.reasons
    );
}

#[test]
fn novelty_confirmed_by_behaviour_within_the_hour_weighs_more_than_both() {
    let lone = |gap: i64| {
        let mut sink = LeadSink::new();
        feed(
            &mut sink,
            &[
                at(
                    spec(NETWORK, Level::Low, "initial-access", "alice"),
                    0,
                    "GetCallerIdentity",
                ),
                at(
                    spec("user-created", Level::Medium, "persistence", "alice"),
                    gap,
                    "CreateUser",
                ),
            ],
        );
        sink.leads().remove(0)
    };
    let close = lone(7);
    let far = lone(61);
    assert!(close.score > far.score, "{close:#?} {far:#?}");
    assert!(
        close.reasons.iter().any(|r| r
            == "first use of a network never seen in its history (198.51.100.7) followed by persistence within 7 min"),
        "{:#?}",
        close.reasons
    );
    assert!(!far.reasons.iter().any(|r| r.contains("followed")));
    // Behaviour first, then the novelty, is the same coincidence told the other way.
    let mut sink = LeadSink::new();
    feed(
        &mut sink,
        &[
            at(
                spec("user-created", Level::Medium, "persistence", "bob"),
                0,
                "CreateUser",
            ),
            at(
                spec(NETWORK, Level::Low, "initial-access", "bob"),
                30,
                "ListUsers",
            ),
        ],
    );
    let lead = sink.leads().remove(0);
    assert!(
        lead.reasons
            .iter()
            .any(|r| r.starts_with("persistence followed within 30 min by first use of a network")),
        "{:#?}",
        lead.reasons
    );
    // Discovery does not confirm novelty.
    let mut sink = LeadSink::new();
    feed(
        &mut sink,
        &[
            at(
                spec(NETWORK, Level::Low, "initial-access", "carol"),
                0,
                "ListUsers",
            ),
            at(
                spec("enum", Level::Medium, "discovery", "carol"),
                1,
                "ListRoles",
            ),
        ],
    );
    assert_eq!(sink.leads()[0].score, 12);
}

#[test]
fn equal_leads_rank_by_identity_and_unauthenticated_ones_by_address() {
    let mut sink = LeadSink::new();
    feed(
        &mut sink,
        &[
            spec("x", Level::Medium, "persistence", "zed"),
            spec("x", Level::Medium, "persistence", "amy"),
            Spec {
                key: None,
                ..spec(
                    "x",
                    Level::Medium,
                    "persistence",
                    "HIDDEN_DUE_TO_SECURITY_REASONS",
                )
            },
        ],
    );
    let leads = sink.leads();
    let order: Vec<(LeadKind, &str)> = leads
        .iter()
        .map(|l| (l.kind, l.principal.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            (LeadKind::User, "amy"),
            (LeadKind::User, "zed"),
            (LeadKind::Address, "unauthenticated")
        ]
    );
    assert_eq!(leads[2].sources, ["198.51.100.7"]);
    assert_eq!(leads[2].access_key, None);
    assert_eq!(leads[0].access_key.as_deref(), Some("AKIAEXAMPLE"));
    assert!(leads[2]
        .reasons
        .last()
        .is_some_and(|r| r.starts_with("unauthenticated activity")));
    assert_eq!(leads.iter().map(|l| l.rank).collect::<Vec<_>>(), [1, 2, 3]);
}

#[test]
fn the_table_is_ranked_rows_with_reasons_and_shows_no_controls() {
    let mut sink = LeadSink::new();
    feed(
        &mut sink,
        &[spec(
            "x",
            Level::High,
            "persistence",
            "eve\u{1b}]0;owned\u{7}",
        )],
    );
    let leads = sink.leads();
    let mut out = Vec::new();
    write_leads_table(&mut out, &leads, 3).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.starts_with("RANK SCORE  FINDINGS         PRINCIPAL"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}') && text.contains("eve\\u{1b}"),
        "{text:?}"
    );
    assert!(
        text.contains("      - 1 high finding: persistence (CreateUser)\n"),
        "{text}"
    );
    assert!(text.contains("1 of 3 leads shown"), "{text}");
}
