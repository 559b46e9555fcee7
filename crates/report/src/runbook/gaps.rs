//! The logging gaps to close, each with what it would have answered in this case: data events
//! on the stores scope left UNKNOWN, digest files, regions the attacker used without trail
//! logs, silent hours, flow logs, GuardDuty, retention, and the scope's other open questions.

use cloudcase_model::scope::{Coverage, UnknownTopic, Verdict};
use cloudcase_model::ScopeResult;

use super::sources::CaseSources;
use crate::analysis::{code, opt, text};
use crate::i18n::{headers, t, tf, Lang};
use crate::scope_read::first_event;
use crate::{Block, Cell};

/// One gap: what to turn on, and the question of this case it would have answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// What to turn on or keep (the setting).
    pub close: String,
    /// A name the setting is about (a store, a region), shown fixed-width; may be empty.
    pub about: String,
    /// What it would have answered.
    pub answers: String,
}

fn gap(close: String, about: &str, answers: String) -> Gap {
    Gap {
        close,
        about: about.to_owned(),
        answers,
    }
}

/// Gaps the trail's own settings leave: digests, regions, silent hours, retention.
fn trail_gaps(lang: Lang, s: &ScopeResult, sources: &CaseSources, out: &mut Vec<Gap>) {
    if !sources.trails.is_empty() && !sources.has_digests() {
        out.push(gap(
            t(lang, "rb.gap.digest").into(),
            "",
            t(lang, "rb.ans.digest").into(),
        ));
    }
    let logged = sources.regions();
    if let (Some(a), false) = (&s.activity, logged.is_empty()) {
        for r in a
            .by_region
            .iter()
            .filter(|r| r.attacker.iter().any(|n| *n > 0))
        {
            if !logged.contains(&r.region) {
                out.push(gap(
                    t(lang, "rb.gap.region").into(),
                    &r.region,
                    tf(lang, "rb.ans.region", &[&r.region]),
                ));
            }
        }
    }
    if let Coverage::Window(w) = &s.coverage {
        for g in &w.gaps_over_6h {
            let hours = g.hours.to_string();
            out.push(gap(
                t(lang, "rb.gap.silent").into(),
                &format!("{} – {}", g.from, g.to),
                tf(lang, "rb.ans.silent", &[&hours]),
            ));
        }
        let first = first_event(&s.intrusion);
        let logs_from = opt(&w.first_event);
        if !first.is_empty() && first.get(..10) == logs_from.get(..10) {
            out.push(gap(
                t(lang, "rb.gap.retention").into(),
                logs_from,
                t(lang, "rb.ans.retention").into(),
            ));
        }
    }
}

/// Every gap of the case, in order: stores, trail settings, network, GuardDuty, the rest.
pub fn gaps(lang: Lang, s: &ScopeResult, sources: &CaseSources) -> Vec<Gap> {
    let mut out: Vec<Gap> = s
        .data_access
        .iter()
        .filter(|d| d.verdict == Verdict::Unknown)
        .map(|d| {
            gap(
                tf(
                    lang,
                    "rb.gap.data_events",
                    &[&super::store_kind(lang, d.store)],
                ),
                &d.name,
                tf(lang, "rb.ans.data_events", &[&d.name]),
            )
        })
        .collect();
    trail_gaps(lang, s, sources, &mut out);
    let exfiltration = s
        .unknowns
        .iter()
        .any(|u| u.about == Some(UnknownTopic::Exfiltration));
    if exfiltration {
        out.push(gap(
            t(lang, "rb.gap.flow").into(),
            "",
            t(lang, "rb.ans.flow").into(),
        ));
    }
    if s.guardduty.is_none() {
        out.push(gap(
            t(lang, "rb.gap.guardduty").into(),
            "",
            t(lang, "rb.ans.guardduty").into(),
        ));
    }
    out.extend(
        s.unknowns
            .iter()
            .filter(|u| u.about.is_none())
            .map(|u| gap(u.would_resolve.clone(), "", u.question.clone())),
    );
    out
}

/// The section.
pub fn section(
    lang: Lang,
    scope: Option<&ScopeResult>,
    sources: &CaseSources,
    blocks: &mut Vec<Block>,
) {
    blocks.push(Block::Heading(2, t(lang, "rb.gaps").into()));
    let Some(s) = scope else {
        blocks.push(Block::Paragraph(t(lang, "rb.gaps.no_scope").into()));
        return;
    };
    let rows: Vec<Vec<Cell>> = gaps(lang, s, sources)
        .into_iter()
        .enumerate()
        .map(|(i, g)| {
            vec![
                text((i + 1).to_string()),
                text(g.close),
                code(g.about),
                text(g.answers),
            ]
        })
        .collect();
    if rows.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "rb.gaps.none").into()));
        return;
    }
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &["col.no", "rb.col.close", "rb.col.about", "rb.col.answers"],
        ),
        rows,
    });
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::fixtures;

    /// A scope whose logs begin on the attack's day, with an eight-hour silence, and whose
    /// attacker was active in a region the trail roots do not hold.
    fn scope() -> ScopeResult {
        fixtures::scope(json!({
            "coverage": {
                "first_event": "2026-01-01T00:00:00Z", "last_event": "2026-01-03T00:00:00Z",
                "attacker_window": {"from": "2026-01-01T00:10:00Z", "to": "2026-01-03T00:00:00Z"},
                "categories": {"Management": 10}, "management_read_events": 5,
                "management_write_events": 5, "data_event_buckets": [], "data_event_stores": [],
                "regions": [],
                "gaps_over_6h": [{"from": "2026-01-02T00:00:00Z", "to": "2026-01-02T08:00:00Z", "hours": 8}],
                "gaps_note": "", "inventory": [],
            },
            "activity": {"bucket_ms": 3_600_000, "buckets": ["2026-01-01T00:00:00Z"],
                "by_region": [{"region": "sa-east-1", "attacker": [3], "other": [0]},
                              {"region": "us-east-1", "attacker": [2], "other": [9]}],
                "by_identity": []},
            "guardduty": {"findings": [], "not_joined": 0, "note": ""},
        }))
    }

    #[test]
    fn trail_settings_regions_silences_and_retention_are_named_with_their_question() {
        let mut sources = CaseSources::default();
        let t = "2026-01-04T00:00:00Z";
        sources.add(
            "s3://b/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/a.json.gz",
            t,
        );
        let found = gaps(Lang::En, &scope(), &sources);
        let about: Vec<&str> = found.iter().map(|g| g.about.as_str()).collect();
        assert!(
            about.contains(&"sa-east-1") && !about.contains(&"us-east-1"),
            "{found:?}"
        );
        assert!(about.contains(&"2026-01-02T00:00:00Z – 2026-01-02T08:00:00Z"));
        assert!(found.iter().any(|g| g.answers.contains("these 8 hours")));
        assert!(found
            .iter()
            .any(|g| g.close.starts_with("Longer trail retention")));
        assert!(found
            .iter()
            .any(|g| g.close.starts_with("Log file validation")));
        assert!(
            !found.iter().any(|g| g.close.starts_with("GuardDuty")),
            "GuardDuty was read"
        );
        sources.add(
            "s3://b/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/01/01/d.json.gz",
            t,
        );
        sources.add(
            "s3://b/AWSLogs/111122223333/CloudTrail/sa-east-1/2026/01/01/a.json.gz",
            t,
        );
        let found = gaps(Lang::En, &scope(), &sources);
        assert!(
            !found
                .iter()
                .any(|g| g.close.starts_with("Log file validation")),
            "{found:?}"
        );
        assert!(!found.iter().any(|g| g.about == "sa-east-1"));
    }
}
