use serde_json::json;

use super::*;
use crate::fixtures;
use crate::Format;

const HOSTILE: &str = "<script>window.__xss=1</script>";

fn opts(lang: Lang) -> DocumentOptions {
    DocumentOptions {
        lang,
        case_name: format!("c {HOSTILE}"),
        as_of: "2026-01-02T00:00:00Z".into(),
        generated: "2026-01-02T00:00:00Z".into(),
        tool: "cloudcase test".into(),
    }
}

fn step(
    order: u32,
    phase: &str,
    target: &str,
    reversible: bool,
    destroys: bool,
) -> serde_json::Value {
    json!({"order": order, "phase": phase, "target": target, "action": format!("act {target}"),
           "why": "w", "reversible": reversible, "destroys_evidence": destroys,
           "commands": [], "rollback": []})
}

fn analysis() -> Analysis {
    fixtures::analysis(fixtures::scope(json!({
        "identities": fixtures::identities(vec![fixtures::user(HOSTILE, "t")], vec![], vec![]),
        "resources": [fixtures::instance("i-0abc", "ap-northeast-1")],
        "data_access": [
            fixtures::data_access("s3_bucket", &format!("bkt{HOSTILE}"), "UNKNOWN"),
            fixtures::data_access("secret", "db-pass", "ACCESSED"),
        ],
        "unknowns": [fixtures::unknown("Did the owner run this?", "ask the owner")],
        "containment": {
            "findings": {"case_id": "c", "account_id": "111122223333", "now_ms": 0,
                "instances": [{"id": "i-0abc", "region": "ap-northeast-1",
                               "origin": "attacker_launched", "volumes": ["vol-0def"]}]},
            "plan": {"case_id": "c", "account_id": "111122223333", "token_issued_before": "t",
                "steps": [step(1, "preserve", "vol-0def", true, false),
                          step(2, "contain", "AKIAEXAMPLE", true, false),
                          step(3, "eradicate", "i-0abc", false, true)],
                "residual_risks": []},
        },
    })))
}

fn sources() -> CaseSources {
    let mut s = CaseSources::default();
    let t = "2026-01-02T00:00:00Z";
    s.add(
        "s3://trail/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/a.json.gz",
        t,
    );
    s
}

#[test]
fn every_section_is_filled_from_the_case_in_both_languages() {
    let md = Format::Markdown.render(&build(&analysis(), &sources(), &opts(Lang::En)));
    let sections = [
        "## 1. Preserve first",
        "## 2. Containment",
        "## 3. Logging gaps",
        "## 4. Decisions",
        "## 5. First report",
    ];
    let at: Vec<usize> = sections
        .iter()
        .map(|h| md.find(h).unwrap_or(usize::MAX))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{md}");
    assert!(md.contains("s3://trail/AWSLogs/ --account 111122223333 --region us-east-1"));
    assert!(
        md.contains("aws:lookup-events --regions ap-northeast-1`"),
        "the attacker's regions, not every region of the trail: {md}"
    );
    assert!(md.contains("aws:ebs-volume/vol-0def?region=ap-northeast-1 --create-snapshot"));
    assert!(md.contains("Destroys evidence"));
    assert!(
        !md.contains("SNAPSHOT-OF"),
        "the instance's volume is known"
    );
    assert!(md.contains("CloudTrail data events on this S3 bucket"));
    assert!(md.contains("Log file validation"), "no digests acquired");
    assert!(md.contains("Did the owner run this?"));
    assert!(md.contains("Incident commander"));
    assert!(md.contains("db-pass"));
    assert!(!md.contains("rb."), "every key translated: {md}");
    let ja = Format::Markdown.render(&build(&analysis(), &sources(), &opts(Lang::Ja)));
    for h in [
        "## 1. 最初に保全するもの",
        "## 3. 解消すべきログの欠落",
        "## 5. 第一報",
    ] {
        assert!(ja.contains(h), "{h}: {ja}");
    }
    assert!(!ja.contains("rb."), "{ja}");
}

#[test]
fn attacker_strings_stay_inert_in_html_and_markdown() {
    for lang in [Lang::En, Lang::Ja] {
        let doc = build(&analysis(), &sources(), &opts(lang));
        let html = Format::Html.render(&doc);
        assert!(!html.contains("<script>window"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        let md = Format::Markdown.render(&doc);
        assert!(md.contains("&lt;script&gt;"), "escaped in text: {md}");
        for line in md.lines() {
            for (at, _) in line.match_indices("<script>") {
                let ticks = line[..at].matches('`').count();
                assert!(ticks % 2 == 1, "raw markup outside a code span: {line}");
            }
        }
    }
}

#[test]
fn without_a_scope_result_the_runbook_still_says_what_to_preserve() {
    let md = Format::Markdown.render(&build(&Analysis::default(), &sources(), &opts(Lang::En)));
    assert!(md.contains("No scope result is recorded"), "{md}");
    assert!(md.contains("s3://trail/AWSLogs/"));
    assert!(md.contains("Without a recorded scope result"));
}
