//! Reports produced from a case.
//!
//! A report is first built as a [`Document`] (headings, paragraphs, key/value
//! lists, tables) in one language, then rendered to Markdown or to one
//! self-contained HTML file. Every string that came from logs or from the case
//! is escaped by the renderer, so attacker-controlled text (user agents, user
//! names, request parameters) stays inert in every format.
#![deny(missing_docs)]

pub mod analysis;
pub mod case_records;
pub mod chart;
pub mod chromium;
pub mod document;
pub(crate) use cloudcase_util::escape;
pub mod evidence_record;
pub mod executive;
pub mod facts;
pub mod i18n;
pub mod refs;
pub mod render;
pub mod tactics;
pub mod technical;
pub mod versions;

pub use document::{Block, Cell, Document};
pub use i18n::Lang;
pub use render::Format;

/// Errors while gathering what a report shows.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The case could not be read.
    #[error("cannot read the case: {0}")]
    Case(#[from] cloudcase_evidence::Error),
    /// A file of the case could not be written.
    #[error("cannot write {}", .0.display())]
    Write(std::path::PathBuf, #[source] std::io::Error),
    /// A file of the case could not be read.
    #[error("cannot read {}", .0.display())]
    Read(std::path::PathBuf, #[source] std::io::Error),
    /// A recorded analysis result does not match its custody entry.
    #[error("recorded analysis result (custody entry {0}) is not usable: {1}")]
    BadRecord(u64, String),
}
