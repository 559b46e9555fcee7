//! The evidence record: a printable summary of what was collected, its
//! hashes and its chain of custody, with the complete listing beside it.
//!
//! The record stays short whatever the size of the case: objects are
//! summarised per source group (see [`groups`]), the custody log per action,
//! and every (object, source) pair goes to the listings written next to the
//! report (see [`listing`]). Both come from one streaming pass over the
//! manifest (see [`scan`]) and one over the custody log (see
//! [`custody_summary`]), so memory does not grow with the number of objects.
//! A small case (at most [`scan::SMALL_CASE_PAIRS`] pairs) also lists every
//! object in the record itself.

pub mod custody_summary;
pub mod grouper;
pub mod groups;
pub mod listing;
pub mod scan;
mod sections;
mod trusted;

use std::path::PathBuf;

use cloudcase_evidence::results::{all_recorded, details_of, CheckOutcome};
use cloudcase_evidence::{Action, Case, CustodyEntry};
use serde_json::Value;

pub use custody_summary::CustodyDigest;
pub use listing::{ListingInfo, PendingListing};

use crate::i18n::{headers, t, tf, Lang};
use crate::{Block, Cell, Document, ReportError};

/// The most rows each part of the record may have, so that the record stays
/// under 50 A4 pages for any case. Measured with headless Chromium on a
/// case of 300 objects with 190-character sources, the small-case group
/// budget full, 40 reports and 40 analysis results in custody: about 40
/// pages; a large case (no per-object table) with the group budget full:
/// about 25 pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RowBudget {
    /// Source groups plus the source roots they name, when the record does
    /// not list every object.
    pub groups: usize,
    /// The same when it does (at most [`scan::SMALL_CASE_PAIRS`] pairs):
    /// the per-object tables take most of the pages.
    pub groups_small_case: usize,
    /// Custody entries other than `acquired` listed one by one (the newest).
    pub custody_listed: usize,
    /// Recorded analysis results listed (the newest).
    pub analysis: usize,
    /// Rows of the per-action custody counts.
    pub actions: usize,
}

/// The budget the record uses.
pub const ROW_BUDGET: RowBudget = RowBudget {
    groups: 200,
    groups_small_case: 50,
    custody_listed: 40,
    analysis: 20,
    actions: 20,
};

/// Details keys shown in the custody table, in this order; other keys are
/// left to the custody log itself.
const DETAIL_KEYS: &[&str] = &[
    "object",
    "source",
    "status",
    "ok",
    "objects_checked",
    "problem_count",
    "kind",
    "lang",
    "output",
    "output_sha256",
    "name",
];

/// What the record states besides the case's own content.
#[derive(Debug, Clone)]
pub struct EvidenceRecordOptions {
    /// Language.
    pub lang: Lang,
    /// When the report is produced, RFC 3339 UTC.
    pub generated: String,
    /// Tool name and version producing it.
    pub tool: String,
    /// Folder the listings are written to: the report's own folder.
    pub listing_dir: PathBuf,
}

/// The record and its listings, written and synced but not yet in place:
/// place them with [`PendingListing::persist`] once the record is rendered.
#[derive(Debug)]
pub struct EvidenceRecord {
    /// The record.
    pub document: Document,
    /// The CSV and JSON Lines listings.
    pub listings: Vec<PendingListing>,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn code(s: impl Into<String>) -> Cell {
    Cell::Code(s.into())
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A one-line summary of an entry's details: the keys of [`DETAIL_KEYS`] it has.
fn detail_summary(details: &Value) -> String {
    DETAIL_KEYS
        .iter()
        .filter_map(|k| details.get(k).map(|v| format!("{k}={}", scalar(v))))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The last entry recording `action`, summarised as "time: outcome (facts)".
fn last_result(entries: &[CustodyEntry], action: &Action, lang: Lang, never: &str) -> Cell {
    let Some(e) = entries.iter().rev().find(|e| &e.action == action) else {
        return text(t(lang, never));
    };
    let outcome = match details_of::<CheckOutcome>(e).and_then(|o| o.ok) {
        Some(true) => t(lang, "integrity.intact"),
        Some(false) => t(lang, "integrity.problems"),
        None => "?",
    };
    text(format!(
        "{} — {outcome} ({}) [#{}]",
        e.time,
        detail_summary(&e.details),
        e.seq
    ))
}

/// The newest `max` of `items`, and how many older ones were left out.
fn newest<T>(items: &[T], max: usize) -> (&[T], usize) {
    let skip = items.len().saturating_sub(max);
    (&items[skip..], skip)
}

/// The recorded analysis results (what the other reports rely on): the
/// result file, its SHA-256, the command that produced it and the tool.
fn analysis_results(lang: Lang, entries: &[CustodyEntry], blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "analysis").into()));
    let recorded = all_recorded(entries);
    if recorded.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "analysis.none").into()));
        return;
    }
    let (shown, left_out) = newest(&recorded, ROW_BUDGET.analysis);
    let rows = shown
        .iter()
        .map(|r| {
            let d = &r.details;
            vec![
                text(r.entry.seq.to_string()),
                text(&d.recorded),
                code(&d.kind),
                code(&d.output),
                code(&d.output_sha256),
                code(d.command.join(" ")),
                text(&r.entry.tool),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.seq",
                "col.time",
                "col.kind",
                "col.output",
                "col.sha256",
                "col.command",
                "col.tool",
            ],
        ),
        rows,
    });
    if left_out > 0 {
        blocks.push(Block::Paragraph(tf(
            lang,
            "analysis.more",
            &[&shown.len().to_string(), &recorded.len().to_string()],
        )));
    }
}

/// The custody summary: the chain head, counts per action, and the entries
/// other than acquisitions (the newest, oldest first).
fn custody(lang: Lang, d: &CustodyDigest, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "custody").into()));
    let mut kv = vec![
        (t(lang, "summary.custody").into(), text(d.total.to_string())),
        (
            t(lang, "summary.head").into(),
            code(d.head.as_deref().unwrap_or("—")),
        ),
    ];
    if d.unparsable > 0 || d.torn_tail_bytes > 0 {
        kv.push((
            t(lang, "custody.unreadable").into(),
            text(format!("{} / {}", d.unparsable, d.torn_tail_bytes)),
        ));
    }
    blocks.push(Block::KeyValues(kv));
    blocks.push(Block::Heading(3, t(lang, "custody.by_action").into()));
    let (actions, more_actions) = newest(&d.actions, ROW_BUDGET.actions);
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.action",
                "col.count",
                "col.first_seq",
                "col.first",
                "col.last_seq",
                "col.last",
            ],
        ),
        rows: actions
            .iter()
            .map(|a| {
                vec![
                    code(&a.action),
                    text(a.count.to_string()),
                    text(a.first_seq.to_string()),
                    text(&a.first_time),
                    text(a.last_seq.to_string()),
                    text(&a.last_time),
                ]
            })
            .collect(),
    });
    if more_actions > 0 {
        blocks.push(Block::Paragraph(tf(
            lang,
            "custody.more_actions",
            &[&more_actions.to_string()],
        )));
    }
    blocks.push(Block::Heading(3, t(lang, "custody.others").into()));
    blocks.push(Block::Paragraph(t(lang, "custody.others.text").into()));
    let (shown, left_out) = newest(&d.entries, ROW_BUDGET.custody_listed);
    if left_out > 0 {
        blocks.push(Block::Paragraph(tf(
            lang,
            "custody.left_out",
            &[&left_out.to_string(), &d.total.to_string()],
        )));
    }
    blocks.push(Block::Table {
        headers: headers(
            lang,
            &[
                "col.seq",
                "col.time",
                "col.actor",
                "col.host",
                "col.action",
                "col.details",
                "col.hash",
            ],
        ),
        rows: shown
            .iter()
            .map(|e| {
                vec![
                    text(e.seq.to_string()),
                    text(&e.time),
                    text(&e.actor),
                    text(&e.host),
                    code(e.action.as_str()),
                    text(detail_summary(&e.details)),
                    code(&e.hash),
                ]
            })
            .collect(),
    });
}

/// The case facts.
fn case_facts(lang: Lang, case: &Case, opts: &EvidenceRecordOptions) -> Block {
    let info = case.info();
    Block::KeyValues(vec![
        (t(lang, "case.name").into(), text(&info.name)),
        (t(lang, "case.id").into(), code(&info.case_id)),
        (t(lang, "case.examiner").into(), text(&info.examiner)),
        (t(lang, "case.created").into(), text(&info.created)),
        (t(lang, "case.tz").into(), text(&info.tz)),
        (t(lang, "report.generated").into(), text(&opts.generated)),
        (t(lang, "report.tool").into(), text(&opts.tool)),
    ])
}

/// The last verification and log validation.
fn integrity(lang: Lang, entries: &[CustodyEntry]) -> Block {
    Block::KeyValues(vec![
        (
            t(lang, "integrity.verify").into(),
            last_result(entries, &Action::Verified, lang, "integrity.never_verified"),
        ),
        (
            t(lang, "integrity.validate").into(),
            last_result(
                entries,
                &Action::Validated,
                lang,
                "integrity.never_validated",
            ),
        ),
    ])
}

/// Builds the evidence record of `case` from one pass over its manifest,
/// writing the listings (to temporary files in `opts.listing_dir`) on the way.
/// `custody` is the case's custody log as read for this run.
pub fn evidence_record(
    case: &Case,
    custody_log: &CustodyDigest,
    opts: &EvidenceRecordOptions,
) -> Result<EvidenceRecord, ReportError> {
    let lang = opts.lang;
    let scanned = scan::scan(case, &opts.listing_dir, &ROW_BUDGET)?;
    let infos: Vec<ListingInfo> = scanned.listings.iter().map(|l| l.info.clone()).collect();
    let mut blocks = vec![
        Block::Heading(2, t(lang, "case").into()),
        case_facts(lang, case, opts),
        Block::Heading(2, t(lang, "summary").into()),
        Block::KeyValues(sections::totals(lang, &scanned.totals, &scanned.groups)),
    ];
    sections::listings(lang, &infos, &mut blocks);
    sections::groups(lang, &scanned.groups, &mut blocks);
    sections::objects(
        lang,
        scanned.small.as_deref(),
        scanned.totals.pairs,
        &scanned.groups.roots,
        &mut blocks,
    );
    blocks.push(Block::Heading(2, t(lang, "integrity").into()));
    blocks.push(integrity(lang, &custody_log.entries));
    trusted::trusted_timestamps(lang, &custody_log.entries, &mut blocks);
    analysis_results(lang, &custody_log.entries, &mut blocks);
    custody(lang, custody_log, &mut blocks);
    blocks.push(Block::Heading(2, t(lang, "method").into()));
    for key in ["method.text", "method.groups", "method.listings"] {
        blocks.push(Block::Paragraph(t(lang, key).into()));
    }
    Ok(EvidenceRecord {
        document: Document {
            title: format!("{} — {}", t(lang, "evidence.title"), case.info().name),
            lang: lang.tag(),
            blocks,
        },
        listings: scanned.listings,
    })
}

#[cfg(test)]
#[path = "record_tests.rs"]
mod tests;
