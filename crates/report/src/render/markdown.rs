//! Markdown rendering.

use std::fmt::Write;

use crate::escape::{markdown, markdown_code};
use crate::{Block, Cell, Document};

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) => markdown(s),
        Cell::Code(s) if s.is_empty() => String::new(),
        Cell::Code(s) => markdown_code(s),
    }
}

/// Renders `doc` as Markdown; all text is escaped (see [`crate::escape`]).
pub(crate) fn render(doc: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", markdown(&doc.title));
    for block in &doc.blocks {
        match block {
            Block::Heading(level, text) => {
                let hashes = "#".repeat(usize::from((*level).clamp(2, 6)));
                let _ = writeln!(out, "{hashes} {}\n", markdown(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(out, "{}\n", markdown(text));
            }
            Block::KeyValues(pairs) => {
                for (k, v) in pairs {
                    let _ = writeln!(out, "- **{}**: {}", markdown(k), cell(v));
                }
                out.push('\n');
            }
            Block::Table { headers, rows } => {
                let head: Vec<String> = headers.iter().map(|h| markdown(h)).collect();
                let _ = writeln!(out, "| {} |", head.join(" | "));
                let _ = writeln!(out, "|{}", "---|".repeat(headers.len()));
                for row in rows {
                    let cells: Vec<String> = row.iter().map(cell).collect();
                    let _ = writeln!(out, "| {} |", cells.join(" | "));
                }
                out.push('\n');
            }
        }
    }
    out
}
