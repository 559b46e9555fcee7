//! The technical forensic report: intrusion path, timeline, activity charts,
//! identity graph, resource inventory, permission changes, data-access
//! verdicts with coverage, hunt findings by ATT&CK tactic, log integrity,
//! containment plan, and an appendix of the raw records everything rests on.

mod findings;
mod graph;
mod intrusion;
mod plan;
mod resources;

use cloudcase_evidence::results::{AnalysisKind, Recorded};
use cloudcase_evidence::CustodyEntry;
use serde_json::Value;

use crate::analysis::{code, text, Analysis};
use crate::facts::str_at;
use crate::i18n::{t, tf, Lang};
use crate::refs::Refs;
use crate::{Block, Document};

/// Most timeline rows shown.
const MAX_TIMELINE: usize = 300;
/// Most findings shown per tactic.
const MAX_FINDINGS_PER_TACTIC: usize = 40;
/// Most identities charted.
const MAX_IDENTITY_SERIES: usize = 8;

/// What the report states besides the analysis.
#[derive(Debug, Clone)]
pub struct TechnicalOptions {
    /// Language.
    pub lang: Lang,
    /// Case name.
    pub case_name: String,
    /// The as-of time, RFC 3339 UTC.
    pub as_of: String,
    /// When it is produced, RFC 3339 UTC.
    pub generated: String,
    /// Tool name and version.
    pub tool: String,
}

/// Column titles from message keys.
fn headers(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(lang, k).to_owned()).collect()
}

/// Who did it: the `by.arn` of a scope item.
fn by_arn(v: &Value) -> &str {
    str_at(v, "/by/arn")
}

/// Builds the technical report from the recorded analysis and the custody log.
pub fn technical_report(
    analysis: &Analysis,
    entries: &[CustodyEntry],
    opts: &TechnicalOptions,
) -> Document {
    let lang = opts.lang;
    let title = format!("{} — {}", t(lang, "tech.title"), opts.case_name);
    let basis = |r: Option<&Recorded>, none: &str| match r {
        Some(r) => code(format!("{} (SHA-256 {})", r.rel, r.sha256)),
        None => text(t(lang, none)),
    };
    let mut blocks = vec![Block::KeyValues(vec![
        (t(lang, "case.name").into(), text(&opts.case_name)),
        (t(lang, "report.as_of").into(), text(&opts.as_of)),
        (t(lang, "report.generated").into(), text(&opts.generated)),
        (
            t(lang, "report.basis").into(),
            basis(analysis.scope.as_ref().map(|(r, _)| r), "report.no_scope"),
        ),
        (
            t(lang, "report.hunt_basis").into(),
            basis(
                analysis.hunt.as_ref().map(|(r, _)| r),
                "report.no_hunt.short",
            ),
        ),
        (t(lang, "report.tool").into(), text(&opts.tool)),
    ])];
    let mut refs = Refs::default();
    match &analysis.scope {
        Some((_, s)) => {
            intrusion::intrusion(lang, s, &mut refs, &mut blocks);
            intrusion::timeline(lang, s, &mut refs, &mut blocks);
            graph::charts(lang, s, &mut blocks);
            graph::identity_graph(lang, s, &mut refs, &mut blocks);
            resources::inventory(lang, s, &mut refs, &mut blocks);
            resources::permissions(lang, s, &mut refs, &mut blocks);
            resources::data_access(lang, s, &mut refs, &mut blocks);
        }
        None => blocks.push(Block::Paragraph(tf(
            lang,
            "report.no_scope.text",
            &[&opts.as_of, AnalysisKind::Scope.command()],
        ))),
    }
    findings::findings(lang, analysis, &mut refs, &mut blocks);
    findings::integrity(lang, entries, &mut blocks);
    if let Some((_, s)) = &analysis.scope {
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
    use crate::Format;
    use cloudcase_model::HuntFinding;
    use serde_json::json;

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
        let scope = json!({
            "subject": {"kind": "access_key", "value": "AKIAEXAMPLE"},
            "intrusion": {"first_attacker_event": "2026-01-01T00:10:00Z", "refs": r(1)},
            "attacker_sources": [{"ip": "203.0.113.9", "user_agents": ["<script>alert(1)</script>"], "refs": r(1)}],
            "identities": {"users": [{"name": "evil", "created": "2026-01-01T00:20:00Z", "by": {"arn": "arn:x"}, "refs": r(2)}]},
            "resources": [{"kind": "instance", "instance_id": "i-0abc", "region": "sa-east-1", "launched": "2026-01-01T00:30:00Z", "refs": r(3)}],
            "activity": {"bucket_ms": 86400000, "buckets": ["2026-01-01T00:00:00Z"],
                "by_region": [{"region": "sa-east-1", "attacker": [5], "other": [0]}],
                "by_identity": [{"identity": "evil", "attacker": true, "counts": [5]}]},
        });
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
            scope: Some((recorded(AnalysisKind::Scope), scope)),
            hunt: Some((recorded(AnalysisKind::Hunt), findings)),
        };
        let opts = TechnicalOptions {
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
