//! The cost of the attacker's instances: what the bill (a Cost and Usage Report) says, with
//! its period, beside the list-price estimate; or the estimate alone, saying what would give
//! the billed figure.

use cloudcase_model::cost::{ActualCost, Cost};
use cloudcase_model::ScopeResult;

use super::{headers, more, section_title};
use crate::amount::{grouped, money};
use crate::analysis::{code, opt, text};
use crate::i18n::{t, tf, tv, Lang, Voice};
use crate::scope_read::voice;
use crate::Block;

/// Most bill lines shown.
const MAX_ITEMS: usize = 40;

/// The list-price estimate in words: `USD 20.84 for 30.6 instance-hours` (a lower bound
/// when runs have no price).
pub(crate) fn estimate(lang: Lang, c: &Cost) -> String {
    let mut s = tf(
        lang,
        "cost.estimate.value",
        &[
            &money(c.total_usd, &c.currency),
            &format!("{:.1}", c.total_hours),
        ],
    );
    if c.unpriced_runs > 0 {
        s.push_str(t(lang, "exec.cost.lower_bound"));
    }
    s
}

/// The billed totals, one per currency: `USD 21.08`.
pub(crate) fn billed(a: &ActualCost) -> String {
    a.totals
        .iter()
        .map(|x| money(x.cost, &x.currency))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The cost section; nothing when the document has no cost.
pub(super) fn cost(lang: Lang, s: &ScopeResult, blocks: &mut Vec<Block>) {
    let Some(c) = &s.cost else { return };
    let voice = voice(s);
    blocks.push(Block::Heading(2, section_title(lang, s, "tech.cost")));
    let mut rows = Vec::new();
    if let Some(a) = &c.actual {
        rows.push((t(lang, "cost.billed").to_owned(), text(billed(a))));
        rows.push((
            t(lang, "cost.period").to_owned(),
            text(tf(
                lang,
                "cost.period.value",
                &[opt(&a.period_from), opt(&a.period_to)],
            )),
        ));
        let spans = t(lang, if a.covers_window { "yes" } else { "no" });
        rows.push((tv(lang, voice, "cost.covers").to_owned(), text(spans)));
        rows.push((t(lang, "col.basis").to_owned(), text(&a.basis)));
    }
    rows.push((t(lang, "cost.estimate").to_owned(), text(estimate(lang, c))));
    blocks.push(Block::KeyValues(rows));
    match &c.actual {
        Some(a) => items(lang, voice, a, blocks),
        None => blocks.push(Block::Paragraph(t(lang, "cost.no_bill").into())),
    }
}

/// The bill's lines of the attacker's resources, after a word when the bill is partial.
fn items(lang: Lang, voice: Voice, a: &ActualCost, blocks: &mut Vec<Block>) {
    if !a.covers_window {
        blocks.push(Block::Paragraph(tv(lang, voice, "cost.partial").into()));
    }
    if a.items.is_empty() {
        return;
    }
    let rows = a
        .items
        .iter()
        .take(MAX_ITEMS)
        .map(|i| {
            vec![
                code(&i.resource_id),
                code(opt(&i.region)),
                code(opt(&i.usage_type)),
                text(money(i.cost, &i.currency)),
                text(format!("{:.4}", i.usage_amount)),
                text(grouped(i.line_items)),
                text(&i.from),
                text(&i.to),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.resource",
                "col.region",
                "col.usage_type",
                "col.cost",
                "col.usage_amount",
                "col.line_items",
                "col.from_time",
                "col.to_time",
            ],
        ),
        rows,
    });
    more(lang, a.items.len(), MAX_ITEMS, "cost.more", blocks);
}
