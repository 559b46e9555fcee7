//! The containment plan and the open questions.

use cloudcase_model::ScopeResult;

use super::headers;
use crate::analysis::{code, opt, text, wire};
use crate::i18n::{t, Lang};
use crate::scope_read::plan_steps;
use crate::{Block, Cell};

pub(super) fn containment(lang: Lang, s: &ScopeResult, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.containment").into()));
    let yes_no = |v: bool| t(lang, if v { "yes" } else { "no" }).to_owned();
    let rows: Vec<Vec<Cell>> = plan_steps(s)
        .iter()
        .map(|x| {
            vec![
                text(x.order.to_string()),
                code(wire(&x.phase)),
                code(&x.target),
                text(&x.action),
                text(yes_no(x.reversible)),
                text(yes_no(x.destroys_evidence)),
            ]
        })
        .collect();
    if rows.is_empty() {
        let error = s.containment.as_ref().map_or("", |c| opt(&c.error));
        blocks.push(Block::Paragraph(format!(
            "{} {error}",
            t(lang, "tech.containment.none"),
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
    let risks: Vec<Vec<Cell>> = s
        .containment
        .iter()
        .filter_map(|c| c.plan.as_ref())
        .flat_map(|p| &p.residual_risks)
        .map(|r| vec![text(r)])
        .collect();
    if !risks.is_empty() {
        blocks.push(Block::Table {
            headers: headers(lang, &["col.residual"]),
            rows: risks,
        });
    }
}

pub(super) fn unknowns(lang: Lang, s: &ScopeResult, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "exec.unknown").into()));
    let rows = s
        .unknowns
        .iter()
        .map(|u| vec![text(&u.question), text(&u.why), text(&u.would_resolve)])
        .collect();
    blocks.push(Block::Table {
        headers: headers(lang, &["col.question", "col.why", "col.would_resolve"]),
        rows,
    });
}
