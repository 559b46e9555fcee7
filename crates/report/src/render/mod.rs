//! Rendering a [`Document`](crate::Document) to a file format.

mod html;
mod markdown;

use std::str::FromStr;

use crate::Document;

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Markdown (CommonMark with pipe tables).
    Markdown,
    /// One self-contained HTML file, printable on A4.
    Html,
}

impl Format {
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Markdown => "md",
            Format::Html => "html",
        }
    }

    /// Renders `doc` in this format.
    pub fn render(self, doc: &Document) -> String {
        match self {
            Format::Markdown => markdown::render(doc),
            Format::Html => html::render(doc),
        }
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "md" | "markdown" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            other => Err(format!(
                "expected a report format, md or html, found {other:?}"
            )),
        }
    }
}
