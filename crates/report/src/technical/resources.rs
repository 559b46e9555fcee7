//! The resource inventory, permission changes and data-access verdicts.

use serde_json::Value;

use super::{by_arn, headers};
use crate::analysis::{code, text};
use crate::executive::verdict;
use crate::facts::{items, str_at};
use crate::i18n::{t, tf, Lang};
use crate::refs::Refs;
use crate::Block;

pub(super) fn inventory(lang: Lang, s: &Value, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.resources").into()));
    let yes_no = |v: Option<&Value>| match v.and_then(Value::as_bool) {
        Some(true) => t(lang, "yes").to_owned(),
        Some(false) => t(lang, "no").to_owned(),
        None => String::new(),
    };
    let (instances, others): (Vec<&Value>, Vec<&Value>) = items(s, "/resources")
        .iter()
        .partition(|r| str_at(r, "/kind") == "instance");
    let rows = instances
        .iter()
        .map(|r| {
            vec![
                code(str_at(r, "/instance_id")),
                code(str_at(r, "/region")),
                code(str_at(r, "/instance_type")),
                text(str_at(r, "/launched")),
                text(format!(
                    "{}{}",
                    str_at(r, "/terminated"),
                    str_at(r, "/stopped")
                )),
                text(yes_no(r.get("exists_at_end_of_logs"))),
                refs.cite(r),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.instance",
                "col.region",
                "col.type",
                "col.launched",
                "col.ended",
                "col.exists",
                "col.ref",
            ],
        ),
        rows,
    });
    if !others.is_empty() {
        let rows = others
            .iter()
            .map(|r| {
                let id = [str_at(r, "/group_id"), str_at(r, "/name"), str_at(r, "/id")].concat();
                vec![
                    code(str_at(r, "/kind")),
                    code(id),
                    code(str_at(r, "/region")),
                    text(str_at(r, "/time")),
                    refs.cite(r),
                ]
            })
            .collect();
        blocks.push(Block::Table {
            headers: headers(
                lang,
                &["col.kind", "col.name", "col.region", "col.time", "col.ref"],
            ),
            rows,
        });
    }
}

pub(super) fn permissions(lang: Lang, s: &Value, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.permissions").into()));
    let rows = items(s, "/permission_changes")
        .iter()
        .map(|p| {
            vec![
                text(str_at(p, "/time")),
                code(str_at(p, "/event")),
                code(str_at(p, "/target")),
                text(str_at(p, "/attribution")),
                code(by_arn(p)),
                code(str_at(p, "/error")),
                refs.cite(p),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.time",
                "col.event",
                "col.target",
                "col.attribution",
                "col.by",
                "col.error",
                "col.ref",
            ],
        ),
        rows,
    });
}

pub(super) fn data_access(lang: Lang, s: &Value, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.data").into()));
    let rows = items(s, "/data_access")
        .iter()
        .map(|d| {
            let cov = d
                .pointer("/coverage/data_events_in_window")
                .map_or(String::new(), Value::to_string);
            vec![
                code(str_at(d, "/store")),
                code(str_at(d, "/name")),
                text(verdict(lang, str_at(d, "/verdict"))),
                text(str_at(d, "/basis")),
                text(cov),
                refs.cite(d),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.store_kind",
                "col.store",
                "col.verdict",
                "col.basis",
                "col.coverage",
                "col.ref",
            ],
        ),
        rows,
    });
    let gaps = items(s, "/coverage/gaps_over_6h").len();
    blocks.push(Block::Paragraph(tf(
        lang,
        "tech.coverage",
        &[
            str_at(s, "/coverage/first_event"),
            str_at(s, "/coverage/last_event"),
            &gaps.to_string(),
        ],
    )));
}
