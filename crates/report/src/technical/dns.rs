//! Route 53 Resolver queries by the attacker's instances: names, types, which instance asked,
//! how often and when.

use cloudcase_model::ScopeResult;

use super::{more, section_title, voiced_headers};
use crate::amount::grouped;
use crate::analysis::{code, opt, text};
use crate::i18n::{tv, tvf, Lang};
use crate::refs::Refs;
use crate::scope_read::voice;
use crate::Block;

/// Most query names shown.
const MAX_NAMES: usize = 50;

/// The DNS section, or (no resolver query logs in the inputs) what would answer.
pub(super) fn dns(lang: Lang, s: &ScopeResult, refs: &mut Refs, blocks: &mut Vec<Block>) {
    let voice = voice(s);
    blocks.push(Block::Heading(2, section_title(lang, s, "tech.dns")));
    let Some(d) = &s.dns else {
        blocks.push(Block::Paragraph(tv(lang, voice, "dns.none").into()));
        return;
    };
    blocks.push(Block::Paragraph(tvf(
        lang,
        voice,
        "dns.coverage",
        &[&grouped(d.records), opt(&d.first), opt(&d.last)],
    )));
    if d.queries.is_empty() {
        blocks.push(Block::Paragraph(tv(lang, voice, "dns.empty").into()));
        return;
    }
    let rows = d
        .queries
        .iter()
        .take(MAX_NAMES)
        .map(|q| {
            vec![
                code(&q.query_name),
                code(q.query_types.join(" ")),
                code(q.instances.join(" ")),
                text(grouped(q.count)),
                text(&q.first),
                text(&q.last),
                refs.cite(&q.refs),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: voiced_headers(
            lang,
            voice,
            &[
                "col.query_name",
                "col.query_types",
                "col.asked_by",
                "col.queries",
                "col.first",
                "col.last",
                "col.ref",
            ],
        ),
        rows,
    });
    more(lang, d.queries.len(), MAX_NAMES, "dns.more", blocks);
}
