//! The containment plan and the open questions.

use serde_json::Value;

use super::headers;
use crate::analysis::{code, text};
use crate::facts::{items, str_at};
use crate::i18n::{t, Lang};
use crate::{Block, Cell};

pub(super) fn containment(lang: Lang, s: &Value, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.containment").into()));
    let yes_no = |v: Option<&Value>| {
        t(
            lang,
            if v.and_then(Value::as_bool) == Some(true) {
                "yes"
            } else {
                "no"
            },
        )
        .to_owned()
    };
    let rows: Vec<Vec<Cell>> = items(s, "/containment/plan/steps")
        .iter()
        .map(|x| {
            vec![
                text(x.get("order").map_or(String::new(), Value::to_string)),
                code(str_at(x, "/phase")),
                code(str_at(x, "/target")),
                text(str_at(x, "/action")),
                text(yes_no(x.get("reversible"))),
                text(yes_no(x.get("destroys_evidence"))),
            ]
        })
        .collect();
    if rows.is_empty() {
        blocks.push(Block::Paragraph(format!(
            "{} {}",
            t(lang, "tech.containment.none"),
            str_at(s, "/containment/error")
        )));
        return;
    }
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.no",
                "col.phase",
                "col.target",
                "col.action",
                "col.reversible",
                "col.destroys",
            ],
        ),
        rows,
    });
    let risks: Vec<Vec<Cell>> = items(s, "/containment/plan/residual_risks")
        .iter()
        .map(|r| vec![text(r.as_str().unwrap_or_default())])
        .collect();
    if !risks.is_empty() {
        blocks.push(Block::Table {
            headers: headers(lang, &["col.residual"]),
            rows: risks,
        });
    }
}

pub(super) fn unknowns(lang: Lang, s: &Value, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "exec.unknown").into()));
    let rows = items(s, "/unknowns")
        .iter()
        .map(|u| {
            vec![
                text(str_at(u, "/question")),
                text(str_at(u, "/why")),
                text(str_at(u, "/would_resolve")),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(lang, &["col.question", "col.why", "col.would_resolve"]),
        rows,
    });
}
