//! The format-independent shape of a report.

use std::borrow::Cow;

use crate::chart::Chart;

/// One table cell or value: plain text, or text shown in a fixed-width font
/// (hashes, identifiers, paths).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    /// Ordinary text.
    Text(String),
    /// Identifiers, hashes, paths: fixed-width, never wrapped into prose.
    Code(String),
    /// A link to raw-record reference `n` of the report's appendix
    /// (`#ref-n` in HTML), shown as `[n]`.
    Ref(u32),
    /// The appendix row of reference `n`: the target [`Cell::Ref`] links to.
    Anchor(u32),
}

impl Cell {
    /// The cell's text, whatever its style.
    pub fn text(&self) -> Cow<'_, str> {
        match self {
            Cell::Text(s) | Cell::Code(s) => Cow::Borrowed(s),
            Cell::Ref(n) | Cell::Anchor(n) => Cow::Owned(format!("[{n}]")),
        }
    }
}

/// A building block of a report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A section heading; level 1 is the document title.
    Heading(u8, String),
    /// A paragraph of text.
    Paragraph(String),
    /// Labelled values, one per line.
    KeyValues(Vec<(String, Cell)>),
    /// A table with a header row.
    Table {
        /// Column titles.
        headers: Vec<String>,
        /// Rows, each as long as `headers`.
        rows: Vec<Vec<Cell>>,
    },
    /// A chart over time buckets: inline SVG in HTML, a small table in Markdown.
    Chart(Chart),
}

/// A whole report: its title, language tag and blocks, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The title (also the first heading when rendered).
    pub title: String,
    /// BCP 47 language tag (`en`, `ja`).
    pub lang: &'static str,
    /// The content.
    pub blocks: Vec<Block>,
}
