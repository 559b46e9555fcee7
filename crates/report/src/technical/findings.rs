//! Hunt findings by ATT&CK tactic, and the log-integrity checks of the case.

use std::collections::BTreeMap;

use cloudcase_evidence::results::{details_of, AnalysisKind, CheckOutcome};
use cloudcase_evidence::{Action, CustodyEntry};
use cloudcase_model::HuntFinding;

use super::{headers, MAX_FINDINGS_PER_TACTIC};
use crate::analysis::{code, text, Analysis, Loaded};
use crate::i18n::{t, tf, Lang};
use crate::refs::Refs;
use crate::tactics::tactic_name;
use crate::{Block, Cell};

pub(super) fn findings(lang: Lang, analysis: &Analysis, refs: &mut Refs, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.findings").into()));
    let Some(Loaded {
        record: rec,
        result: list,
    }) = &analysis.hunt
    else {
        blocks.push(Block::Paragraph(tf(
            lang,
            "report.no_hunt",
            &[AnalysisKind::Hunt.command()],
        )));
        return;
    };
    blocks.push(Block::Paragraph(tf(
        lang,
        "tech.findings.basis",
        &[&rec.rel, &rec.sha256, &list.len().to_string()],
    )));
    let mut groups: BTreeMap<(usize, String), Vec<&HuntFinding>> = BTreeMap::new();
    for f in list {
        let tactics = f.tactics.as_str();
        let first = tactics.split_whitespace().next().unwrap_or("");
        groups.entry(tactic_name(first)).or_default().push(f);
    }
    for ((_, tactic), fs) in groups {
        let name = if tactic.is_empty() {
            t(lang, "tech.no_tactic").to_owned()
        } else {
            tactic
        };
        blocks.push(Block::Heading(3, format!("{name} ({})", fs.len())));
        let rows = fs
            .iter()
            .take(MAX_FINDINGS_PER_TACTIC)
            .map(|f| {
                let r = refs.cite_record(&f.file, f.record, &f.event_id);
                vec![
                    text(&f.time),
                    text(&f.level),
                    text(&f.rule_title),
                    code(&f.principal),
                    code(&f.source_ip),
                    r,
                ]
            })
            .collect();
        blocks.push(Block::Table {
            headers: headers(
                lang,
                &[
                    "col.time",
                    "col.level",
                    "col.rule",
                    "col.principal",
                    "col.ip",
                    "col.ref",
                ],
            ),
            rows,
        });
        if fs.len() > MAX_FINDINGS_PER_TACTIC {
            blocks.push(Block::Paragraph(tf(
                lang,
                "exec.more",
                &[&(fs.len() - MAX_FINDINGS_PER_TACTIC).to_string()],
            )));
        }
    }
}

/// The last custody entry of `action`, summarised.
fn last_check(lang: Lang, entries: &[CustodyEntry], action: &Action, never: &str) -> Cell {
    match entries.iter().rev().find(|e| &e.action == action) {
        Some(e) => {
            let ok = match details_of::<CheckOutcome>(e).and_then(|o| o.ok) {
                Some(true) => t(lang, "integrity.intact"),
                Some(false) => t(lang, "integrity.problems"),
                None => "?",
            };
            text(format!("{} — {ok} [#{}]", e.time, e.seq))
        }
        None => text(t(lang, never)),
    }
}

pub(super) fn integrity(lang: Lang, entries: &[CustodyEntry], blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "tech.integrity").into()));
    blocks.push(Block::KeyValues(vec![
        (
            t(lang, "integrity.validate").into(),
            last_check(
                lang,
                entries,
                &Action::Validated,
                "integrity.never_validated",
            ),
        ),
        (
            t(lang, "integrity.verify").into(),
            last_check(lang, entries, &Action::Verified, "integrity.never_verified"),
        ),
    ]));
}
