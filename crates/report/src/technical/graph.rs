//! The activity charts and the identity graph.

use serde_json::Value;

use super::{by_arn, headers, MAX_IDENTITY_SERIES};
use crate::analysis::{code, text};
use crate::chart::{Chart, Series};
use crate::facts::{items, str_at};
use crate::i18n::{t, Lang};
use crate::refs::Refs;
use crate::Block;

fn counts(v: &Value, ptr: &str) -> Vec<u64> {
    items(v, ptr)
        .iter()
        .map(|x| x.as_u64().unwrap_or(0))
        .collect()
}

/// The activity charts, when the scope result has an `activity` section.
pub(super) fn charts(lang: Lang, s: &Value, blocks: &mut Vec<Block>) {
    let Some(act) = s.get("activity") else { return };
    let daily = act.get("bucket_ms").and_then(Value::as_u64).unwrap_or(0) >= 86_400_000;
    let x_labels: Vec<String> = items(act, "/buckets")
        .iter()
        .map(|b| {
            let b = b.as_str().unwrap_or_default();
            if daily {
                b.get(..10).unwrap_or(b).to_owned()
            } else {
                b.get(5..16).unwrap_or(b).replace('T', " ")
            }
        })
        .collect();
    blocks.push(Block::Heading(2, t(lang, "tech.activity").into()));
    let mut series = Vec::new();
    for r in items(act, "/by_region") {
        let region = str_at(r, "/region");
        for (ptr, attacker) in [("/attacker", true), ("/other", false)] {
            let values = counts(r, ptr);
            if values.iter().any(|v| *v > 0) {
                let who = t(
                    lang,
                    if attacker {
                        "chart.attacker"
                    } else {
                        "chart.other"
                    },
                );
                series.push(Series {
                    name: format!("{region} ({who})"),
                    attacker,
                    values,
                });
            }
        }
    }
    blocks.push(Block::Chart(Chart {
        title: t(lang, "chart.by_region").into(),
        x_labels: x_labels.clone(),
        series,
    }));
    let mut idents: Vec<Series> = items(act, "/by_identity")
        .iter()
        .map(|i| Series {
            name: str_at(i, "/identity").to_owned(),
            attacker: i.get("attacker").and_then(Value::as_bool).unwrap_or(false),
            values: counts(i, "/counts"),
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

pub(super) fn identity_graph(lang: Lang, s: &Value, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.graph").into()));
    let mut rows = Vec::new();
    let mut edge = |from: &str, rel: &str, to: String, item: &Value| {
        rows.push(vec![
            code(from),
            text(t(lang, rel)),
            code(to),
            refs.cite(item),
        ]);
    };
    for u in items(s, "/identities/users") {
        edge(
            by_arn(u),
            "rel.created_user",
            str_at(u, "/name").to_owned(),
            u,
        );
        for p in items(u, "/policies") {
            edge(
                str_at(u, "/name"),
                "rel.policy",
                str_at(p, "/policy").to_owned(),
                p,
            );
        }
    }
    for k in items(s, "/identities/access_keys") {
        edge(
            str_at(k, "/user"),
            "rel.key",
            str_at(k, "/access_key").to_owned(),
            k,
        );
    }
    for r in items(s, "/identities/roles") {
        let trust: Vec<&str> = items(r, "/trust/principals")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        edge(
            by_arn(r),
            "rel.role",
            format!("{} ({})", str_at(r, "/name"), str_at(r, "/origin")),
            r,
        );
        edge(str_at(r, "/name"), "rel.trusts", trust.join(", "), r);
    }
    for x in items(s, "/sessions") {
        edge(
            by_arn(x),
            "rel.assumed",
            format!(
                "{} {}",
                str_at(x, "/role_arn"),
                str_at(x, "/role_session_name")
            ),
            x,
        );
    }
    if rows.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "exec.identities.none").into()));
    } else {
        blocks.push(Block::Table {
            headers: headers(lang, &["col.from", "col.relation", "col.to", "col.ref"]),
            rows,
        });
    }
}
