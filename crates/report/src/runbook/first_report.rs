//! The first report's format: what is known apart from what is not yet known, as the
//! executive summary separates them, filled with this case's facts as the example.

use cloudcase_model::scope::Verdict;
use cloudcase_model::{HuntFinding, ScopeResult};

use crate::analysis::{code, text};
use crate::i18n::{t, tf, Lang};
use crate::scope_read::{first_event, last_event};
use crate::{Block, Cell, Facts};

/// Longest list a template row shows.
const TOP: usize = 5;

/// `items` joined, at most [`TOP`], the rest counted; "none" for no item.
fn joined(lang: Lang, items: &[String]) -> String {
    if items.is_empty() {
        return t(lang, "exec.none").to_owned();
    }
    let mut out = items
        .iter()
        .take(TOP)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > TOP {
        out.push(' ');
        out.push_str(&tf(lang, "exec.more", &[&(items.len() - TOP).to_string()]));
    }
    out
}

/// Hunt findings per level, `high 3, medium 1`.
fn levels(findings: &[HuntFinding]) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for f in findings {
        *counts.entry(f.level.as_str()).or_default() += 1;
    }
    counts
        .iter()
        .map(|(l, n)| format!("{l} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn known(lang: Lang, s: &ScopeResult, hunt: Option<&[HuntFinding]>) -> Block {
    let facts = Facts::from_scope(s);
    let accessed: Vec<String> = s
        .data_access
        .iter()
        .filter(|d| d.verdict == Verdict::Accessed)
        .map(|d| d.name.clone())
        .collect();
    let sources: Vec<String> = s.attacker_sources.iter().map(|a| a.ip.clone()).collect();
    let row = |k: &str, v: Cell| (t(lang, k).to_owned(), v);
    let mut rows = vec![
        row("rb.fr.credential", code(&facts.compromised)),
        row("rb.fr.first", text(first_event(&s.intrusion))),
        row("rb.fr.last", text(last_event(&s.intrusion))),
        row("rb.fr.sources", code(joined(lang, &sources))),
        row("rb.fr.identities", code(joined(lang, &facts.identities))),
        row("rb.fr.instances", code(joined(lang, &facts.instances))),
        row("rb.fr.accessed", code(joined(lang, &accessed))),
    ];
    if let Some(h) = hunt {
        rows.push(row("rb.fr.findings", text(levels(h))));
    }
    Block::KeyValues(rows)
}

fn not_known(lang: Lang, s: &ScopeResult) -> Block {
    let mut rows: Vec<Vec<Cell>> = s
        .data_access
        .iter()
        .filter(|d| d.verdict == Verdict::Unknown)
        .map(|d| {
            vec![
                text(tf(
                    lang,
                    "exec.unknown.store",
                    &[&super::store_kind(lang, d.store), &d.name],
                )),
                text(t(lang, "exec.unknown.store_resolve")),
            ]
        })
        .collect();
    rows.extend(
        s.unknowns
            .iter()
            .filter(|u| u.about.is_none())
            .map(|u| vec![text(&u.question), text(&u.would_resolve)]),
    );
    if rows.len() > TOP {
        let more = rows.len() - TOP;
        rows.truncate(TOP);
        rows.push(vec![
            text(tf(lang, "exec.more", &[&more.to_string()])),
            text(""),
        ]);
    }
    Block::Table {
        headers: vec![
            t(lang, "col.question").into(),
            t(lang, "col.would_resolve").into(),
        ],
        rows,
    }
}

/// The section.
pub fn section(
    lang: Lang,
    scope: Option<&ScopeResult>,
    hunt: Option<&[HuntFinding]>,
    blocks: &mut Vec<Block>,
) {
    blocks.push(Block::Heading(2, t(lang, "rb.first").into()));
    blocks.push(Block::Paragraph(t(lang, "rb.first.note").into()));
    blocks.push(Block::KeyValues(
        ["rb.fr.as_of", "rb.fr.next_update", "rb.fr.contact"]
            .iter()
            .map(|k| (t(lang, k).to_owned(), text("____")))
            .collect(),
    ));
    let Some(s) = scope else { return };
    blocks.push(Block::Heading(3, t(lang, "exec.known").into()));
    blocks.push(Block::Paragraph(t(lang, "rb.first.known").into()));
    blocks.push(known(lang, s, hunt));
    blocks.push(Block::Heading(3, t(lang, "exec.unknown").into()));
    blocks.push(Block::Paragraph(t(lang, "rb.first.unknown").into()));
    blocks.push(not_known(lang, s));
}
