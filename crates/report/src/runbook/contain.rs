//! The containment steps this case used, in the plan's order, each with the choice that keeps
//! evidence, and the rules those choices follow.

use cloudcase_model::contain::Step;
use cloudcase_model::ScopeResult;

use crate::analysis::{code, text, wire};
use crate::i18n::{headers, t, Lang};
use crate::scope_read::plan_steps;
use crate::{Block, Cell};

/// The evidence-preserving rules, as message keys: what to do instead of what.
const RULES: &[&str] = &[
    "rb.rule.deactivate",
    "rb.rule.shrink",
    "rb.rule.snapshot",
    "rb.rule.quarantine",
    "rb.rule.keep_created",
    "rb.rule.script",
];

/// The choice a step makes, as a message key: destructive steps wait for the preservation
/// above; reversible ones say they can be undone.
fn choice(step: &Step) -> &'static str {
    match (step.destroys_evidence, step.reversible) {
        (true, _) => "rb.choice.destroys",
        (false, true) => "rb.choice.reversible",
        (false, false) => "rb.choice.final",
    }
}

/// The section.
pub fn section(lang: Lang, scope: Option<&ScopeResult>, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "rb.contain").into()));
    blocks.push(Block::Table {
        headers: vec![t(lang, "rb.col.rule").into()],
        rows: RULES.iter().map(|k| vec![text(t(lang, k))]).collect(),
    });
    let steps = scope.map_or(&[][..], plan_steps);
    if steps.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "rb.contain.none").into()));
        return;
    }
    blocks.push(Block::Paragraph(t(lang, "rb.contain.note").into()));
    let rows: Vec<Vec<Cell>> = steps
        .iter()
        .map(|s| {
            vec![
                text(s.order.to_string()),
                code(wire(&s.phase)),
                code(&s.target),
                text(&s.action),
                text(t(lang, choice(s))),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.no",
                "col.phase",
                "col.target",
                "col.action",
                "rb.col.choice",
            ],
        ),
        rows,
    });
}
