//! The evidence record: what was collected, its hashes, and its chain of custody.

use cloudcase_evidence::{Action, Case, CustodyEntry};
use serde_json::Value;

use crate::case_records::all_recorded;
use crate::i18n::{t, Lang};
use crate::{Block, Cell, Document, ReportError};

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
    let ok = e.details.get("ok").and_then(Value::as_bool);
    let outcome = match ok {
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

/// The recorded analysis results (what the other reports rely on): the
/// result file, its SHA-256, the command that produced it and the tool.
fn analysis_results(lang: Lang, entries: &[CustodyEntry], blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, "analysis").into()));
    let recorded = all_recorded(entries);
    if recorded.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "analysis.none").into()));
        return;
    }
    let field = |e: &CustodyEntry, k: &str| e.details.get(k).map(scalar).unwrap_or_default();
    let rows = recorded
        .iter()
        .map(|e| {
            let command: Vec<String> = e
                .details
                .get("command")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(scalar).collect())
                .unwrap_or_default();
            vec![
                text(e.seq.to_string()),
                text(field(e, "recorded")),
                code(field(e, "kind")),
                code(field(e, "output")),
                code(field(e, "output_sha256")),
                code(command.join(" ")),
                text(&e.tool),
            ]
        })
        .collect();
    let headers = [
        "col.seq",
        "col.time",
        "col.kind",
        "col.output",
        "col.sha256",
        "col.command",
        "col.tool",
    ];
    blocks.push(Block::Table {
        headers: headers.iter().map(|h| t(lang, h).to_owned()).collect(),
        rows,
    });
}

/// Builds the evidence record of `case`.
pub fn evidence_record(case: &Case, opts: &EvidenceRecordOptions) -> Result<Document, ReportError> {
    let lang = opts.lang;
    let info = case.info();
    let objects = case.evidence_objects()?;
    let entries = case.custody().entries()?;
    let mut blocks = vec![
        Block::Heading(2, t(lang, "case").into()),
        Block::KeyValues(vec![
            (t(lang, "case.name").into(), text(&info.name)),
            (t(lang, "case.id").into(), code(&info.case_id)),
            (t(lang, "case.examiner").into(), text(&info.examiner)),
            (t(lang, "case.created").into(), text(&info.created)),
            (t(lang, "case.tz").into(), text(&info.tz)),
            (t(lang, "report.generated").into(), text(&opts.generated)),
            (t(lang, "report.tool").into(), text(&opts.tool)),
        ]),
        Block::Heading(2, t(lang, "summary").into()),
        Block::KeyValues(vec![
            (
                t(lang, "summary.objects").into(),
                text(objects.len().to_string()),
            ),
            (
                t(lang, "summary.bytes").into(),
                text(objects.iter().map(|o| o.size).sum::<u64>().to_string()),
            ),
            (
                t(lang, "summary.sources").into(),
                text(
                    objects
                        .iter()
                        .map(|o| o.sources.len())
                        .sum::<usize>()
                        .to_string(),
                ),
            ),
            (
                t(lang, "summary.custody").into(),
                text(entries.len().to_string()),
            ),
            (
                t(lang, "summary.head").into(),
                code(entries.last().map_or("", |e| e.hash.as_str())),
            ),
        ]),
        Block::Heading(2, t(lang, "integrity").into()),
        Block::KeyValues(vec![
            (
                t(lang, "integrity.verify").into(),
                last_result(
                    &entries,
                    &Action::Verified,
                    lang,
                    "integrity.never_verified",
                ),
            ),
            (
                t(lang, "integrity.validate").into(),
                last_result(
                    &entries,
                    &Action::Validated,
                    lang,
                    "integrity.never_validated",
                ),
            ),
        ]),
        Block::Heading(2, t(lang, "objects").into()),
    ];
    if objects.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "objects.none").into()));
    } else {
        let headers = [
            "col.no",
            "col.sha256",
            "col.size",
            "col.source",
            "col.acquired",
            "col.examiner",
        ];
        let rows = objects
            .iter()
            .enumerate()
            .flat_map(|(i, o)| {
                o.sources.iter().map(move |s| {
                    vec![
                        text((i + 1).to_string()),
                        code(&o.sha256),
                        text(o.size.to_string()),
                        code(&s.uri),
                        text(&s.acquired),
                        text(&s.examiner),
                    ]
                })
            })
            .collect();
        blocks.push(Block::Table {
            headers: headers.iter().map(|h| t(lang, h).to_owned()).collect(),
            rows,
        });
    }
    analysis_results(lang, &entries, &mut blocks);
    blocks.push(Block::Heading(2, t(lang, "custody").into()));
    let headers = [
        "col.seq",
        "col.time",
        "col.actor",
        "col.host",
        "col.action",
        "col.details",
        "col.hash",
    ];
    blocks.push(Block::Table {
        headers: headers.iter().map(|h| t(lang, h).to_owned()).collect(),
        rows: entries
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
    blocks.push(Block::Heading(2, t(lang, "method").into()));
    blocks.push(Block::Paragraph(t(lang, "method.text").into()));
    Ok(Document {
        title: format!("{} — {}", t(lang, "evidence.title"), info.name),
        lang: lang.tag(),
        blocks,
    })
}
