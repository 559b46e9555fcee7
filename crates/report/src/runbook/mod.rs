//! The runbook: this account's procedure for the next incident, built from what this case
//! needed — what to preserve first and with which commands (from the manifest's sources and
//! the scope result), the containment steps this case used with their evidence-preserving
//! choices, the logging gaps to close, the decisions and who takes them, and the first
//! report's format of known versus not yet known.

mod contain;
mod decisions;
mod first_report;
mod gaps;
pub(crate) mod i18n;
mod preserve;
mod sources;

use cloudcase_evidence::results::AnalysisKind;
use cloudcase_evidence::Case;
use cloudcase_model::scope::StoreKind;

use crate::analysis::Analysis;
use crate::i18n::{t, tf, Lang};
use crate::{Block, Document, DocumentOptions, ReportError};
pub use sources::CaseSources;

/// A data store's kind in words (its code when the table has no words for it).
fn store_kind(lang: Lang, kind: StoreKind) -> String {
    let key = format!("store.{}", kind.as_str());
    match t(lang, &key) {
        same if same == key => kind.as_str().to_owned(),
        words => words.to_owned(),
    }
}

/// Builds the runbook from the case's manifest and its recorded analysis.
pub fn runbook(
    case: &Case,
    analysis: &Analysis,
    opts: &DocumentOptions,
) -> Result<Document, ReportError> {
    let sources = CaseSources::read(case)?;
    Ok(build(analysis, &sources, opts))
}

/// The document, from sources already read.
fn build(analysis: &Analysis, sources: &CaseSources, opts: &DocumentOptions) -> Document {
    let lang = opts.lang;
    let scope = analysis.scope.as_ref().map(|s| &s.result);
    let hunt = analysis.hunt.as_ref().map(|h| h.result.as_slice());
    let mut head = opts.head_rows(analysis);
    head.push(opts.tool_row());
    let mut blocks = vec![Block::KeyValues(head)];
    blocks.push(Block::Paragraph(t(lang, "rb.intro").into()));
    if scope.is_none() {
        blocks.push(Block::Paragraph(tf(
            lang,
            "report.no_scope.text",
            &[&opts.as_of, AnalysisKind::Scope.command()],
        )));
    }
    preserve::section(lang, scope, sources, &opts.case_name, &mut blocks);
    contain::section(lang, scope, &mut blocks);
    gaps::section(lang, scope, sources, &mut blocks);
    decisions::section(lang, scope, &mut blocks);
    first_report::section(lang, scope, hunt, &mut blocks);
    Document {
        title: format!("{} — {}", t(lang, "rb.title"), opts.case_name),
        lang: lang.tag(),
        blocks,
    }
}

#[cfg(test)]
mod tests;
