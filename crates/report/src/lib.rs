//! Reports produced from a case.
//!
//! A report is first built as a [`Document`] (headings, paragraphs, key/value
//! lists, tables) in one language, then rendered to Markdown or to one
//! self-contained HTML file. Every string that came from logs or from the case
//! is escaped by the renderer, so attacker-controlled text (user agents, user
//! names, request parameters) stays inert in every format.
#![deny(missing_docs)]

mod amount;
mod analysis;
mod chart;
pub mod chromium;
mod document;
pub(crate) use cloudcase_util::escape;
mod evidence_record;
mod executive;
mod facts;
#[cfg(test)]
mod fixtures;
mod header;
#[cfg(test)]
mod honesty_tests;
mod i18n;
mod produce;
mod refs;
mod render;
mod runbook;
mod scope_read;
#[cfg(test)]
mod sources_tests;
mod tactics;
mod technical;
mod versions;

pub use analysis::Analysis;
/// Which analysis a recorded result comes from (kept here for callers of this crate).
pub use cloudcase_evidence::results::AnalysisKind;
pub use document::{Block, Cell, Document};
pub use evidence_record::{
    evidence_record, CustodyDigest, EvidenceRecordOptions, ListingInfo, PendingListing,
};
pub use executive::executive_summary;
pub use facts::Facts;
pub use header::DocumentOptions;
pub use i18n::Lang;
pub use produce::{OutputFormat, ReportKind, Reporter, ReporterOptions};
pub use render::Format;
pub use runbook::runbook;
pub use technical::technical_report;
pub use versions::{place, read_index, Placement};

/// Errors while gathering what a report shows.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The case could not be read or written.
    #[error("cannot read the case: {0}")]
    Case(#[from] cloudcase_evidence::Error),
    /// A file of the case could not be written.
    #[error("cannot write {}", .0.display())]
    Write(std::path::PathBuf, #[source] std::io::Error),
    /// A file of the case could not be read.
    #[error("cannot read {}", .0.display())]
    Read(std::path::PathBuf, #[source] std::io::Error),
    /// No browser to print a PDF with.
    #[error("cannot write a PDF")]
    Pdf(#[source] chromium::ChromiumError),
    /// The browser failed to print a PDF.
    #[error("printing with {}", .0.display())]
    Print(std::path::PathBuf, #[source] chromium::ChromiumError),
    /// A recorded analysis result cannot be read as its analysis writes it.
    #[error("recorded analysis result (custody entry {0}) is not usable: {1}")]
    BadRecord(u64, String),
}
