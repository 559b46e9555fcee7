//! Both reports, in both languages, say only what the scope result establishes: a document
//! that attributes nothing to an attacker never claims attacker activity, and a claimed
//! intrusion says how sure it is and on which signals it rests.

use cloudcase_model::ScopeResult;
use serde_json::json;

use crate::{executive_summary, fixtures, technical_report, Format, Lang};

/// The executive summary and the technical report of `scope` in `lang`, as Markdown.
fn reports(scope: &ScopeResult, lang: Lang) -> (String, String) {
    let a = fixtures::analysis(scope.clone());
    let as_of = "2026-01-02T00:00:00Z";
    let exec = fixtures::document_options(lang, as_of);
    let tech = fixtures::document_options(lang, as_of);
    let (doc, _) = executive_summary(&a, &fixtures::first_version(), &exec);
    let md = Format::Markdown.render(&doc);
    (
        md,
        Format::Markdown.render(&technical_report(&a, &[], &tech)),
    )
}

const WHY: &str = "access key AKIAEXAMPLE: 40 events, and none departs from its history";

/// A named key with no departure: its own activity, unattributed.
fn unattributed() -> ScopeResult {
    let mut instance = fixtures::instance("i-0ci", "us-east-1");
    instance["launched"] = json!("2026-01-01T03:00:00Z");
    fixtures::scope(json!({
        "subject": fixtures::named_subject("AKIAEXAMPLE", 40, "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"),
        "intrusion": fixtures::no_departure(WHY),
        "attribution": "unattributed",
        "attacker_sources": [fixtures::source("198.51.100.7", &["aws-cli/2"])],
        "identities": fixtures::identities(
            vec![fixtures::user("ci-deployer", "2026-01-01T02:00:00Z")],
            vec![fixtures::key("AKIACI")], vec![]),
        "permission_changes": [fixtures::permission_change("AttachUserPolicy", "ci-deployer")],
        "resources": [instance],
        "cost": fixtures::cost(3.0, 0),
        "data_access": [fixtures::data_access("s3_bucket", "builds", "UNKNOWN")],
        "activity": {"bucket_ms": 86400000, "buckets": ["2026-01-01T00:00:00Z"],
            "by_region": [{"region": "us-east-1", "attacker": [5], "other": [1]}],
            "by_identity": [{"identity": "ci-deployer", "attacker": true, "counts": [5]}]},
    }))
}

/// Every "attack" in `md` is part of "not attributed to an attacker" (or its Japanese).
fn claims_no_attacker(md: &str, lang: Lang) {
    let (word, denial) = match lang {
        Lang::En => ("attack", "attributed to an attacker"),
        Lang::Ja => ("攻撃", "攻撃者によるものと"),
    };
    let lines: Vec<&str> = md
        .lines()
        .filter(|l| l.matches(word).count() != l.matches(denial).count())
        .collect();
    assert!(
        lines.is_empty(),
        "{lang:?} claims attacker activity: {lines:#?}"
    );
}

#[test]
fn an_unattributed_document_says_no_intrusion_was_established_in_both_reports() {
    let scope = unattributed();
    let (exec, tech) = reports(&scope, Lang::En);
    for md in [&exec, &tech] {
        claims_no_attacker(md, Lang::En);
        assert!(md.contains("ci-deployer"), "{md}");
    }
    assert!(tech.contains("i-0ci"));
    assert!(exec.contains(&format!(
        "No intrusion was established for the named credential AKIAEXAMPLE: nothing departs from its history. Why: {WHY}."
    )), "{exec}");
    assert!(exec.contains("(40 event(s) from 2026-01-01T00:00:00Z to 2026-01-03T00:00:00Z)"));
    let unknown = exec.find("## What is not yet known").unwrap();
    let misuse = exec.find("not proof that it was not misused").unwrap();
    assert!(misuse > unknown && misuse < exec.find("## Business impact").unwrap());
    assert!(exec
        .contains("### Identities the named credential created (not attributed to an attacker)"));
    assert!(
        exec.contains("**First event of the named credential (UTC)**: 2026-01-01T00:00:00Z")
            || exec.contains("First event of the named credential (UTC)")
    );
    for title in [
        "Resource inventory",
        "Timeline of key events",
        "Permission changes",
        "Identity graph",
        "Sources",
    ] {
        assert!(
            tech.contains(&format!(
                "{title}: activity of the named credential (not attributed to an attacker)"
            )),
            "{title}: {tech}"
        );
    }
    assert!(tech.contains(WHY) && tech.contains("not proof that it was not misused"));
    assert!(
        tech.contains("| named credential |") && tech.contains("(named credential)"),
        "{tech}"
    );
    assert!(tech.contains("First event of the named credential"));
    let (exec, tech) = reports(&scope, Lang::Ja);
    for md in [&exec, &tech] {
        claims_no_attacker(md, Lang::Ja);
        assert!(md.contains("指定された認証情報"), "{md}");
    }
    assert!(exec.contains("侵入は確認されませんでした") && exec.contains(WHY));
    let unknown = exec.find("まだ分からないこと").unwrap();
    assert!(
        exec.find("不正利用がなかったことの証明にはなりません")
            .unwrap()
            > unknown
    );
    assert!(tech.contains(
        "リソース一覧: 指定された認証情報の操作 (攻撃者によるものとは判定されていません)"
    ));
}

#[test]
fn a_no_departure_document_without_attribution_attributes_nothing_either() {
    // Written before `attribution` existed: no first attacker event, so nothing is claimed.
    let scope = fixtures::scope(json!({
        "subject": fixtures::named_subject("AKIAEXAMPLE", 40, "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"),
        "intrusion": fixtures::no_departure(WHY),
    }));
    for lang in [Lang::En, Lang::Ja] {
        let (exec, tech) = reports(&scope, lang);
        claims_no_attacker(&exec, lang);
        claims_no_attacker(&tech, lang);
    }
    // `--auto` with no candidate: no credential to name.
    let mut auto = fixtures::subject("x");
    auto["kind"] = json!("auto");
    auto["value"] = json!(null);
    let scope = fixtures::scope(json!({
        "subject": auto,
        "intrusion": fixtures::no_departure("--auto: no identity departs from its history"),
        "attribution": "unattributed",
    }));
    let (exec, _) = reports(&scope, Lang::En);
    assert!(exec.contains("No intrusion was established: --auto: no identity departs from its history. Nothing is attributed to an attacker."), "{exec}");
}

/// A claim without a baseline, low confidence, with a signal for the owner.
fn low_confidence() -> ScopeResult {
    let signals = [
        (
            "persistence",
            3,
            "CreateUser backdoor-admin from 203.0.113.9",
        ),
        (
            "owner_roams",
            -2,
            "the owner moves between home and office /24s",
        ),
        ("new_network", 2, "first use of 203.0.113.0/24."),
        ("unusual_hour", 1, "active at 03:00 UTC"),
    ];
    let mut subject = fixtures::subject("AKIAEXAMPLE");
    subject["auto_ranking"] = (0..7)
        .map(|i| {
            fixtures::candidate(
                &format!("arn:aws:iam::1:user/u{i}"),
                "long_term_key",
                9 - i,
                Some("low"),
            )
        })
        .collect();
    fixtures::scope(json!({
        "subject": subject,
        "intrusion": fixtures::judged("behaviour", "low", &signals),
        "attribution": "attacker",
    }))
}

#[test]
fn a_claim_says_how_sure_it_is_and_lists_its_signals() {
    let (exec, tech) = reports(&low_confidence(), Lang::En);
    assert!(exec.contains("The logs support this with low confidence only: the activity could still be the owner's own. Strongest evidence: CreateUser backdoor-admin from 203.0.113.9. Next strongest: first use of 203.0.113.0/24."), "{exec}");
    assert!(!exec.contains("active at 03:00") && !exec.contains("moves between"));
    assert!(exec.contains("The access key AKIAEXAMPLE may have been used by someone other than its owner from 2026-01-01T00:10:00Z on, from 0 source address(es). The logs begin too close to the activity for a baseline; judged by what was done."), "{exec}");
    let known = exec.find("## What is known").unwrap();
    let unknown = exec.find("## What is not yet known").unwrap();
    let sure = exec.find("How sure the finding is").unwrap();
    assert!(known < sure && sure < unknown);
    assert!(exec[unknown..].contains("the finding rests on low-confidence signals"));
    assert!(tech.contains("| `persistence` | \\+3 | CreateUser backdoor-admin from 203.0.113.9 | [\\[1\\]](#ref-1) |"), "{tech}");
    assert!(tech.contains("| `owner_roams` | \\-2 |"));
    assert!(tech.contains("judged by what was done"));
    assert!(
        tech.contains("| `logs/a.json.gz` | `13` | `s13` |"),
        "signal refs reach the appendix"
    );
    assert!(tech.contains("The 5 highest-ranked of 7 candidates are shown."));
    assert!(tech.contains("`arn:aws:iam::1:user/u4`") && !tech.contains("user/u5"));
    assert!(tech.contains("| 1 | `arn:aws:iam::1:user/u0` | `long_term_key` | 9 | low | 2026-01-01T00:10:00Z | new network; persistence |"), "{tech}");
    let (exec, tech) = reports(&low_confidence(), Lang::Ja);
    assert!(
        exec.contains("この判断の確度は低く")
            && exec.contains("主な根拠: CreateUser backdoor-admin")
    );
    assert!(exec[exec.find("まだ分からないこと").unwrap()..].contains("確度の低い兆候"));
    assert!(
        tech.contains("判断の根拠となった兆候")
            && tech.contains("行われた操作の内容で判断しました")
    );
}

#[test]
fn a_document_without_signals_states_no_confidence() {
    // Written before confidence existed: it reads as high, and the reports do not say so.
    let scope = fixtures::scope(json!({}));
    let (exec, tech) = reports(&scope, Lang::En);
    assert!(
        !exec.contains("How sure") && !exec.contains("confidence"),
        "{exec}"
    );
    assert!(!tech.contains("Signals behind") && !tech.contains("How sure"));
    assert!(!tech.contains("named credential") && exec.contains("First attacker event"));
    let high = fixtures::scope(json!({
        "intrusion": fixtures::judged("credential_misuse", "high", &[("compute_credential_off_compute", 5, "an instance credential used from a macOS laptop")]),
    }));
    let (exec, tech) = reports(&high, Lang::En);
    assert!(exec.contains("The access key AKIAEXAMPLE was used by someone other than its owner from 2026-01-01T00:10:00Z on, from 0 source address(es). A credential used against its nature"), "{exec}");
    let mut root = high.clone();
    root.subject.kind = cloudcase_model::scope::SubjectKind::Principal;
    root.subject.value = Some("root:111122223333".into());
    let (root_exec, _) = reports(&root, Lang::Ja);
    assert!(
        root_exec.contains("ID root:111122223333 が、2026-01-01T00:10:00Z 以降"),
        "{root_exec}"
    );
    assert!(root_exec.contains("侵害された ID") && !root_exec.contains("漏えいしたアクセスキー"));
    assert!(exec.contains("The logs support this with high confidence. Strongest evidence: an instance credential used from a macOS laptop."), "{exec}");
    assert!(!exec.contains("low-confidence"));
    assert!(tech.contains("a compute credential used away from its compute"));
}

/// A bucket whose access logs span only part of the window (UNKNOWN), one they span whole
/// (NOT_OBSERVED), and flow logs of the given exfiltration verdict.
fn logged_verdicts(exfiltration: &str) -> ScopeResult {
    fixtures::scope(json!({
        "data_access": [
            fixtures::logged_bucket("half-logged", "UNKNOWN", "partial", vec![]),
            fixtures::logged_bucket("fully-logged", "NOT_OBSERVED", "whole", vec![]),
        ],
        "network": fixtures::network(exfiltration, vec![], "whole"),
    }))
}

#[test]
fn unknown_is_never_rendered_as_not_accessed_or_not_observed() {
    use crate::sources_tests::{executive, technical};
    let scope = logged_verdicts("UNKNOWN");
    for lang in [Lang::En, Lang::Ja] {
        let denials = [
            crate::i18n::t(lang, "verdict.not_observed"),
            crate::i18n::t(lang, "exfil.not_observed"),
            "not accessed",
            "Not observed",
            "確認されず",
        ];
        let exec = executive(&scope, lang, Format::Markdown);
        let tech = technical(&scope, lang, Format::Markdown);
        for md in [&exec, &tech] {
            for line in md.lines().filter(|l| l.contains("half-logged")) {
                assert!(
                    !denials.iter().any(|d| line.contains(d)),
                    "{lang:?}: UNKNOWN read as a denial: {line}"
                );
            }
        }
        // No flow record in the window: the network question is open, never answered "no".
        let unknown = exec
            .find(&format!("## {}", crate::i18n::t(lang, "exec.unknown")))
            .expect("open questions");
        let asked = exec
            .find(crate::i18n::t(lang, "exec.unknown.network"))
            .expect("the network question is asked");
        assert!(asked > unknown, "{lang:?}: {exec}");
        assert!(!exec.contains(&format!("### {}", crate::i18n::t(lang, "exec.q.network"))));
        assert!(!exec.contains(crate::i18n::t(lang, "exfil.not_observed")));
        assert!(tech.contains(crate::i18n::t(lang, "exfil.unknown")));
    }
}

#[test]
fn not_observed_always_comes_with_its_coverage() {
    use crate::sources_tests::{executive, technical};
    let scope = logged_verdicts("NOT_OBSERVED");
    let (first, last) = ("2026-01-01T00:00:00Z", "2026-01-02T23:00:00Z");
    let (flows_first, flows_last) = ("2026-01-01T01:00:00Z", "2026-01-02T08:00:00Z");
    for lang in [Lang::En, Lang::Ja] {
        let said = crate::i18n::t(lang, "verdict.not_observed");
        let exec = executive(&scope, lang, Format::Markdown);
        let rows: Vec<&str> = exec
            .lines()
            .filter(|l| l.contains("fully-logged") && l.contains(said))
            .collect();
        assert_eq!(rows.len(), 1, "{lang:?}: {exec}");
        assert!(
            rows[0].contains(first) && rows[0].contains(last),
            "{lang:?}: {}",
            rows[0]
        );
        let heading = format!("### {}", crate::i18n::t(lang, "exec.q.network"));
        let answer = exec[exec.find(&heading).expect("answered")..]
            .lines()
            .nth(2)
            .unwrap_or_default();
        assert!(
            answer.contains(flows_first) && answer.contains(flows_last),
            "{lang:?}: {answer}"
        );
        let tech = technical(&scope, lang, Format::Markdown);
        let coverage = tech
            .lines()
            .find(|l| l.starts_with("| `fully-logged`") && l.contains(first))
            .expect("the bucket's coverage row");
        assert!(
            coverage.contains(last) && coverage.contains(said),
            "{coverage}"
        );
        let flows = tech
            .lines()
            .find(|l| l.contains(crate::i18n::t(lang, "net.coverage")))
            .expect("the flow-log coverage");
        assert!(flows.contains(flows_first) && flows.contains(flows_last));
    }
}

#[test]
fn an_unattributed_document_with_every_source_still_attributes_nothing() {
    use crate::sources_tests::every_source;
    let mut scope = unattributed();
    let sources = every_source(3);
    scope.data_access = sources.data_access;
    scope.network = sources.network;
    scope.guardduty = sources.guardduty;
    scope.dns = sources.dns;
    scope.cost = sources.cost;
    for lang in [Lang::En, Lang::Ja] {
        let (exec, tech) = reports(&scope, lang);
        claims_no_attacker(&exec, lang);
        claims_no_attacker(&tech, lang);
        assert!(tech.contains("pool.minexmr.com.") && exec.contains("customer-data"));
    }
}
