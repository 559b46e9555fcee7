//! The activity charts and the identity graph.

use cloudcase_model::scope::{Activity, RecordRef};
use cloudcase_model::ScopeResult;

use super::{by_arn, headers, section_title, MAX_IDENTITY_SERIES};
use crate::analysis::{code, opt, text, wire};
use crate::chart::{Chart, Series};
use crate::i18n::{t, tv, Lang};
use crate::refs::Refs;
use crate::scope_read::voice;
use crate::Block;

/// The activity charts. A result without an `activity` section (no departure found) gets
/// the heading and two empty charts.
pub(super) fn charts(lang: Lang, s: &ScopeResult, blocks: &mut Vec<Block>) {
    let none = Activity {
        bucket_ms: 0,
        buckets: Vec::new(),
        by_region: Vec::new(),
        by_identity: Vec::new(),
    };
    let act = s.activity.as_ref().unwrap_or(&none);
    let voice = voice(s);
    let daily = act.bucket_ms >= 86_400_000;
    let x_labels: Vec<String> = act
        .buckets
        .iter()
        .map(|b| {
            if daily {
                b.get(..10).unwrap_or(b).to_owned()
            } else {
                b.get(5..16).unwrap_or(b).replace('T', " ")
            }
        })
        .collect();
    blocks.push(Block::Heading(2, section_title(lang, s, "tech.activity")));
    let mut series = Vec::new();
    for r in &act.by_region {
        for (values, attacker) in [(&r.attacker, true), (&r.other, false)] {
            if values.iter().any(|v| *v > 0) {
                let who = if attacker {
                    tv(lang, voice, "chart.attacker")
                } else {
                    t(lang, "chart.other")
                };
                series.push(Series {
                    name: format!("{} ({who})", r.region),
                    attacker,
                    values: values.clone(),
                });
            }
        }
    }
    blocks.push(Block::Chart(Chart {
        title: tv(lang, voice, "chart.by_region").into(),
        x_labels: x_labels.clone(),
        series,
    }));
    let mut idents: Vec<Series> = act
        .by_identity
        .iter()
        .map(|i| Series {
            name: i.identity.clone(),
            attacker: i.attacker,
            values: i.counts.clone(),
        })
        .collect();
    idents.sort_by_key(|x| (!x.attacker, std::cmp::Reverse(x.values.iter().sum::<u64>())));
    idents.truncate(MAX_IDENTITY_SERIES);
    blocks.push(Block::Chart(Chart {
        title: t(lang, "chart.by_identity").into(),
        x_labels,
        series: idents,
    }));
}

pub(super) fn identity_graph(
    lang: Lang,
    s: &ScopeResult,
    refs: &mut Refs,
    blocks: &mut Vec<Block>,
) {
    blocks.push(Block::Heading(2, section_title(lang, s, "tech.graph")));
    let mut rows = Vec::new();
    let mut edge = |from: &str, rel: &str, to: String, item: &[RecordRef]| {
        rows.push(vec![
            code(from),
            text(t(lang, rel)),
            code(to),
            refs.cite(item),
        ]);
    };
    let ids = &s.identities;
    for u in &ids.users {
        edge(by_arn(&u.by), "rel.created_user", u.name.clone(), &u.refs);
        for p in &u.policies {
            edge(&u.name, "rel.policy", p.policy.clone(), &p.refs);
        }
    }
    for k in &ids.access_keys {
        edge(&k.user, "rel.key", k.access_key.clone(), &k.refs);
    }
    for r in &ids.roles {
        let trust = r
            .trust
            .as_ref()
            .map_or(String::new(), |t| t.principals.join(", "));
        edge(
            by_arn(&r.by),
            "rel.role",
            format!("{} ({})", r.name, wire(&r.origin)),
            &r.refs,
        );
        edge(&r.name, "rel.trusts", trust, &r.refs);
    }
    for x in &s.sessions {
        edge(
            by_arn(&x.by),
            "rel.assumed",
            format!("{} {}", opt(&x.role_arn), opt(&x.role_session_name)),
            &x.refs,
        );
    }
    if rows.is_empty() {
        blocks.push(Block::Paragraph(
            tv(lang, voice(s), "exec.identities.none").into(),
        ));
    } else {
        blocks.push(Block::Table {
            headers: headers(lang, &["col.from", "col.relation", "col.to", "col.ref"]),
            rows,
        });
    }
}
