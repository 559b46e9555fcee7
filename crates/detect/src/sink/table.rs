//! Findings as a table for people, followed by the summary.

use std::io::Write;

use cloudcase_util::sanitize::terminal_safe;

use super::{FindingSink, SinkError};
use crate::finding::FindingView;
use crate::summary::HuntSummary;

/// One column of the table: its title and width (0: the last column, not padded).
struct Column {
    title: &'static str,
    width: usize,
}

/// The table's columns, in order.
const COLUMNS: &[Column] = &[
    Column {
        title: "TIME",
        width: 29,
    },
    Column {
        title: "LEVEL",
        width: 13,
    },
    Column {
        title: "RULE",
        width: 52,
    },
    Column {
        title: "PRINCIPAL",
        width: 28,
    },
    Column {
        title: "SOURCE IP",
        width: 16,
    },
    Column {
        title: "REGION",
        width: 14,
    },
    Column {
        title: "EVENT",
        width: 0,
    },
];

/// Writes fixed-width columns (TIME, LEVEL, RULE, PRINCIPAL, SOURCE IP,
/// REGION, EVENT) and, at the end, the hunt summary. Control, escape and bidi
/// characters are shown as `\u{…}`; long cells are cut with `…`.
pub struct TableSink<W: Write> {
    out: W,
    tz: jiff::tz::TimeZone,
    line: Vec<u8>,
    started: bool,
}

/// Appends `text` made terminal-safe, padded or cut to `width` columns, and a
/// separating space (no padding and no space when `width` is 0).
pub(crate) fn push_cell(out: &mut Vec<u8>, text: &str, width: usize) {
    let safe = terminal_safe(text);
    let n = safe.chars().count();
    if width == 0 {
        out.extend_from_slice(safe.as_bytes());
    } else if n > width {
        let cut: String = safe.chars().take(width - 1).collect();
        out.extend_from_slice(cut.as_bytes());
        out.extend_from_slice("…".as_bytes());
        out.push(b' ');
    } else {
        out.extend_from_slice(safe.as_bytes());
        out.resize(out.len() + width - n + 1, b' ');
    }
}

/// Appends `f` as one table row, times in `tz`.
fn push_row(out: &mut Vec<u8>, f: &FindingView<'_>, tz: &jiff::tz::TimeZone) {
    let time = f.time.to_zoned_string(tz);
    let event = format!(
        "{}:{}",
        f.event_source.trim_end_matches(".amazonaws.com"),
        f.event_name
    );
    let cells = [
        time.as_str(),
        f.level.as_str(),
        f.title,
        f.principal.unwrap_or("-"),
        f.source_ip.unwrap_or("-"),
        f.region.unwrap_or("-"),
        &event,
    ];
    for (cell, column) in cells.iter().zip(COLUMNS) {
        push_cell(out, cell, column.width);
    }
    out.push(b'\n');
}

impl<W: Write> TableSink<W> {
    /// A sink writing to `out`, times shown in `tz`.
    pub fn new(out: W, tz: jiff::tz::TimeZone) -> Self {
        TableSink {
            out,
            tz,
            line: Vec::new(),
            started: false,
        }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn start(&mut self) -> Result<(), SinkError> {
        if !self.started {
            self.started = true;
            let mut header = Vec::new();
            for column in COLUMNS {
                push_cell(&mut header, column.title, column.width);
            }
            header.push(b'\n');
            self.out.write_all(&header)?;
        }
        Ok(())
    }
}

impl<W: Write> FindingSink for TableSink<W> {
    fn finding(&mut self, f: &FindingView<'_>) -> Result<(), SinkError> {
        self.start()?;
        self.line.clear();
        push_row(&mut self.line, f, &self.tz);
        Ok(self.out.write_all(&self.line)?)
    }

    /// Writes the header if there was no finding, then the summary, and flushes.
    fn finish(&mut self, summary: &HuntSummary) -> Result<(), SinkError> {
        self.start()?;
        self.out.write_all(summary.to_text(&self.tz).as_bytes())?;
        Ok(self.out.flush()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::testing::*;

    fn table(f: &FindingView<'_>) -> String {
        let mut sink = TableSink::new(Vec::new(), jiff::tz::TimeZone::UTC);
        sink.finding(f).unwrap();
        sink.finish(&summary_of(f)).unwrap();
        String::from_utf8(sink.into_inner()).unwrap()
    }

    #[test]
    fn fixed_columns_then_the_summary() {
        let file = source();
        let out = table(&view(&file));
        let mut lines = out.lines();
        let header = lines.next().unwrap();
        assert!(header.starts_with("TIME                          LEVEL         RULE "));
        assert!(header.ends_with("REGION         EVENT"), "{header:?}");
        let row = lines.next().unwrap();
        assert_eq!(row.find("high"), header.find("LEVEL"));
        assert_eq!(row.find("alice"), header.find("PRINCIPAL"));
        assert!(row.ends_with("us-east-1      iam:CreateUser"), "{row:?}");
        assert!(out.contains("\n== hunt summary\nfindings: 1 (1 high); 2 below --min-level low\n"));
    }

    #[test]
    fn long_cells_are_cut_and_controls_shown_not_run() {
        let file = source();
        let mut f = view(&file);
        let title = "T".repeat(60);
        f.title = &title;
        f.principal = Some("eve\u{1b}]0;owned\u{7}");
        let out = table(&f);
        let row = out.lines().nth(1).unwrap();
        assert!(row.contains(&format!("{}… ", "T".repeat(51))), "{row}");
        assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
        assert!(row.contains("eve\\u{1b}"), "{row}");
    }

    #[test]
    fn no_finding_gives_the_header_and_summary() {
        let file = source();
        let f = view(&file);
        let mut sink = TableSink::new(Vec::new(), jiff::tz::TimeZone::UTC);
        let mut summary = summary_of(&f);
        summary.tally = crate::tally::Tally::default();
        sink.finish(&summary).unwrap();
        let out = String::from_utf8(sink.into_inner()).unwrap();
        assert!(out.starts_with("TIME "));
        assert!(out.contains("findings: 0 (none)"), "{out}");
    }
}
