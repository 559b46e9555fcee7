//! Markdown rendering.

use std::fmt::Write;

use crate::chart::Chart;
use crate::escape::{markdown, markdown_code};
use crate::{Block, Cell, Document};

fn cell(c: &Cell) -> String {
    match c {
        Cell::Text(s) => markdown(s),
        Cell::Code(s) if s.is_empty() => String::new(),
        Cell::Code(s) => markdown_code(s),
        Cell::Ref(n) => format!("[\\[{n}\\]](#ref-{n})"),
        Cell::Anchor(n) => format!("<a id=\"ref-{n}\"></a>{n}"),
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
            Block::Chart(chart) => chart_table(chart, &mut out),
        }
    }
    out
}

/// A chart as a table: one row per time bucket with any activity, one
/// column per series, the attacker's series marked `▲` as in the SVG legend.
fn chart_table(chart: &Chart, out: &mut String) {
    let _ = writeln!(out, "**{}**\n", markdown(&chart.title));
    let head: Vec<String> = chart
        .series
        .iter()
        .map(|s| {
            let mark = if s.attacker { "▲ " } else { "" };
            format!("{mark}{}", markdown_code(&s.name))
        })
        .collect();
    let _ = writeln!(out, "| | {} |", head.join(" | "));
    let _ = writeln!(out, "|---|{}", "---:|".repeat(chart.series.len()));
    for (i, label) in chart.x_labels.iter().enumerate() {
        let values: Vec<u64> = chart
            .series
            .iter()
            .map(|s| s.values.get(i).copied().unwrap_or(0))
            .collect();
        if values.iter().all(|v| *v == 0) {
            continue;
        }
        let cells: Vec<String> = values.iter().map(u64::to_string).collect();
        let _ = writeln!(out, "| {} | {} |", markdown(label), cells.join(" | "));
    }
    out.push('\n');
}
