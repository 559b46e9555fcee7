//! The technical forensic report: intrusion path, timeline, activity charts,
//! identity graph, resource inventory, permission changes, data-access
//! verdicts with coverage (and the S3 server access logs behind them), network
//! flows and exfiltration, GuardDuty findings, DNS queries, cost (billed and
//! estimated), hunt findings by ATT&CK tactic, log integrity, containment plan,
//! and an appendix of the raw records everything rests on.

mod access_logs;
mod cost;
mod dns;
mod findings;
mod graph;
mod guardduty;
mod intrusion;
mod judgement;
mod network;
mod plan;
mod resources;

pub(crate) use access_logs::{requester, span_words};
pub(crate) use cost::{billed, estimate};
pub(crate) use judgement::method_words;
pub(crate) use network::flow_coverage;

use cloudcase_evidence::results::AnalysisKind;
use cloudcase_evidence::CustodyEntry;
use cloudcase_model::scope::Caller;
use cloudcase_model::ScopeResult;

use crate::analysis::{basis, opt, Analysis};
use crate::i18n::{headers, t, tf, tv, Lang, Voice};
use crate::refs::Refs;
use crate::scope_read::voice;
use crate::{Block, Document, DocumentOptions};

/// Most timeline rows shown.
const MAX_TIMELINE: usize = 300;
/// Most findings shown per tactic.
const MAX_FINDINGS_PER_TACTIC: usize = 40;
/// Most identities charted.
const MAX_IDENTITY_SERIES: usize = 8;

/// Column titles from message keys, each in `voice` (see [`tv`]).
fn voiced_headers(lang: Lang, voice: Voice, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| tv(lang, voice, k).to_owned()).collect()
}

/// Under a table cut at `max` rows of `total`, a sentence (message `key`) counting the rest.
fn more(lang: Lang, total: usize, max: usize, key: &str, blocks: &mut Vec<Block>) {
    if total > max {
        blocks.push(Block::Paragraph(tf(
            lang,
            key,
            &[&(total - max).to_string()],
        )));
    }
}

/// A section's title: for a document that attributes nothing to an attacker, said to list
/// the activity of the named credential.
fn section_title(lang: Lang, s: &ScopeResult, key: &str) -> String {
    match voice(s) {
        Voice::Attacker => t(lang, key).to_owned(),
        Voice::Named => tf(lang, "tech.named.section", &[tv(lang, Voice::Named, key)]),
    }
}

/// Who did it: the caller's ARN.
fn by_arn(by: &Caller) -> &str {
    opt(&by.arn)
}

/// Builds the technical report from the recorded analysis and the custody log.
pub fn technical_report(
    analysis: &Analysis,
    entries: &[CustodyEntry],
    opts: &DocumentOptions,
) -> Document {
    let lang = opts.lang;
    let title = format!("{} — {}", t(lang, "tech.title"), opts.case_name);
    let mut head = opts.head_rows(analysis);
    head.push((
        t(lang, "report.hunt_basis").into(),
        basis(
            lang,
            analysis.hunt.as_ref().map(|h| &h.record),
            "report.no_hunt.short",
        ),
    ));
    head.push(opts.tool_row());
    let mut blocks = vec![Block::KeyValues(head)];
    let mut refs = Refs::default();
    let scope = analysis.scope.as_ref().map(|s| &s.result);
    match scope {
        Some(s) => {
            intrusion::intrusion(lang, s, &mut refs, &mut blocks);
            intrusion::timeline(lang, s, &mut refs, &mut blocks);
            graph::charts(lang, s, &mut blocks);
            graph::identity_graph(lang, s, &mut refs, &mut blocks);
            resources::inventory(lang, s, &mut refs, &mut blocks);
            resources::permissions(lang, s, &mut refs, &mut blocks);
            resources::data_access(lang, s, &mut refs, &mut blocks);
            access_logs::access_logs(lang, s, &mut refs, &mut blocks);
            network::network(lang, s, &mut refs, &mut blocks);
            guardduty::guardduty(lang, s, &mut refs, &mut blocks);
            dns::dns(lang, s, &mut refs, &mut blocks);
            cost::cost(lang, s, &mut blocks);
        }
        None => blocks.push(Block::Paragraph(tf(
            lang,
            "report.no_scope.text",
            &[&opts.as_of, AnalysisKind::Scope.command()],
        ))),
    }
    findings::findings(lang, analysis, &mut refs, &mut blocks);
    findings::integrity(lang, entries, &mut blocks);
    if let Some(s) = scope {
        plan::containment(lang, s, &mut blocks);
        plan::unknowns(lang, s, &mut blocks);
    }
    blocks.push(Block::Heading(2, t(lang, "tech.appendix").into()));
    blocks.push(Block::Table {
        headers: headers(lang, &["col.ref", "col.file", "col.record", "col.event_id"]),
        rows: refs.rows(),
    });
    Document {
        title,
        lang: lang.tag(),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Loaded;
    use crate::{fixtures, Format};
    use cloudcase_evidence::results::Recorded;
    use cloudcase_model::HuntFinding;
    use serde_json::{json, Value};

    fn recorded(kind: AnalysisKind) -> Recorded {
        Recorded {
            kind,
            path: "/c/x".into(),
            rel: "analysis/x".into(),
            sha256: "cd".repeat(32),
            recorded: "2026-01-01T00:00:00Z".into(),
            seq: 1,
            command: vec![],
            summary: Value::Null,
            content: vec![],
        }
    }

    #[test]
    fn events_link_to_the_appendix_and_findings_group_by_tactic() {
        let r =
            |n: u64| json!([{"file": "logs/a.json.gz", "record": n, "event_id": format!("e{n}")}]);
        let with_refs = |mut v: Value, n: u64| {
            v["refs"] = r(n);
            v
        };
        let mut instance = with_refs(fixtures::instance("i-0abc", "sa-east-1"), 3);
        instance["launched"] = json!("2026-01-01T00:30:00Z");
        let scope = fixtures::scope(json!({
            "intrusion": with_refs(fixtures::departure("2026-01-01T00:10:00Z"), 1),
            "attacker_sources": [with_refs(fixtures::source("203.0.113.9", &["<script>alert(1)</script>"]), 1)],
            "identities": fixtures::identities(
                vec![with_refs(fixtures::user("evil", "2026-01-01T00:20:00Z"), 2)], vec![], vec![]),
            "resources": [instance],
            "activity": {"bucket_ms": 86400000, "buckets": ["2026-01-01T00:00:00Z"],
                "by_region": [{"region": "sa-east-1", "attacker": [5], "other": [0]}],
                "by_identity": [{"identity": "evil", "attacker": true, "counts": [5]}]},
        }));
        let finding = |time: &str, tactics: &str, title: &str, file: &str, record| HuntFinding {
            time: time.into(),
            tactics: tactics.into(),
            rule_title: title.into(),
            file: file.into(),
            record,
            ..HuntFinding::default()
        };
        let findings = vec![
            finding("t1", "persistence", "User created", "logs/a.json.gz", 2),
            finding(
                "t2",
                "discovery persistence",
                "Enumeration",
                "logs/b.json.gz",
                9,
            ),
        ];
        let analysis = Analysis {
            scope: Some(Loaded {
                record: recorded(AnalysisKind::Scope),
                result: scope,
            }),
            hunt: Some(Loaded {
                record: recorded(AnalysisKind::Hunt),
                result: findings,
            }),
        };
        let opts = DocumentOptions {
            lang: Lang::En,
            case_name: "c".into(),
            as_of: "T".into(),
            generated: "T".into(),
            tool: "cloudcase test".into(),
        };
        let doc = technical_report(&analysis, &[], &opts);
        let html = Format::Html.render(&doc);
        assert!(html.contains("<a href=\"#ref-1\">[1]</a>"));
        for n in 1..=4 {
            assert!(html.contains(&format!("id=\"ref-{n}\"")), "ref-{n}");
        }
        assert!(!html.contains("id=\"ref-5\""));
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !html.contains("<script>")
        );
        assert!(html.contains("i-0abc") && html.contains("<svg"));
        let md = Format::Markdown.render(&doc);
        let persistence = md.find("### Persistence (1)").unwrap();
        let discovery = md.find("### Discovery (1)").unwrap();
        assert!(persistence < discovery, "matrix order");
        assert!(md.contains("| 2026-01-01 | 5 |"), "{md}");
        assert!(md.contains("▲ `evil`"), "{md}");
    }
}
