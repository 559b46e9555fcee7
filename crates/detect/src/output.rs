//! Findings as lines: a table for people, JSON Lines and CSV for tools.

use cloudcase_timeline::sanitize::{push_csv_cell, push_json_string, terminal_safe};

use crate::finding::FindingView;

/// Output formats of findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingFormat {
    /// Fixed-width columns, terminal-safe.
    Table,
    /// One JSON object per finding.
    Jsonl,
    /// CSV with a header; formula-safe.
    Csv,
}

/// Renders findings, times in a display zone.
#[derive(Debug, Clone)]
pub struct FindingWriter {
    /// The format.
    pub format: FindingFormat,
    /// Display zone.
    pub tz: jiff::tz::TimeZone,
}

type Column = for<'b> fn(&'b FindingView<'_>) -> &'b str;

/// The columns of JSON and CSV output after `time`, as one table.
const COLUMNS: &[(&str, Column)] = &[
    ("level", |f| f.level.as_str()),
    ("rule_id", |f| f.rule_id),
    ("rule_title", |f| f.title),
    ("origin", |f| f.origin.as_str()),
    ("tactics", |f| &f.tactics),
    ("techniques", |f| &f.techniques),
    ("principal", |f| f.principal.unwrap_or_default()),
    ("access_key", |f| f.access_key.unwrap_or_default()),
    ("source_ip", |f| f.source_ip.unwrap_or_default()),
    ("region", |f| f.region.unwrap_or_default()),
    ("account", |f| f.account.unwrap_or_default()),
    ("event_source", |f| f.event_source),
    ("event_name", |f| f.event_name),
    ("error_code", |f| f.error_code.unwrap_or_default()),
    ("event_id", |f| f.event_id.unwrap_or_default()),
    ("detail", |f| f.detail.unwrap_or_default()),
    ("sha256", |f| f.file.sha256.as_deref().unwrap_or_default()),
    ("origin_path", |f| {
        f.file.origin.as_deref().unwrap_or_default()
    }),
];

/// Table layout: title and width; the last column is not padded.
const TABLE: &[(&str, usize)] = &[
    ("TIME", 29),
    ("LEVEL", 13),
    ("RULE", 52),
    ("PRINCIPAL", 28),
    ("SOURCE IP", 16),
    ("REGION", 14),
    ("EVENT", 0),
];

fn push_cell(out: &mut Vec<u8>, text: &str, width: usize) {
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

impl FindingWriter {
    /// Text before the first finding (a header), if any.
    pub fn header(&self) -> Option<String> {
        match self.format {
            FindingFormat::Jsonl => None,
            FindingFormat::Csv => {
                let names: Vec<&str> = std::iter::once("time")
                    .chain(COLUMNS.iter().map(|(n, _)| *n))
                    .chain(["file", "record"])
                    .collect();
                Some(format!("{}\n", names.join(",")))
            }
            FindingFormat::Table => {
                let mut out = Vec::new();
                for (name, width) in TABLE {
                    push_cell(&mut out, name, *width);
                }
                out.push(b'\n');
                Some(String::from_utf8_lossy(&out).into_owned())
            }
        }
    }

    /// Appends one finding as one line.
    pub fn write(&self, f: &FindingView<'_>, out: &mut Vec<u8>) {
        let time = f.time.to_zoned_string(&self.tz);
        let file = f.file.path.to_string_lossy();
        match self.format {
            FindingFormat::Jsonl => {
                out.extend_from_slice(b"{\"time\":");
                push_json_string(out, &time);
                for (name, get) in COLUMNS {
                    out.extend_from_slice(b",\"");
                    out.extend_from_slice(name.as_bytes());
                    out.extend_from_slice(b"\":");
                    push_json_string(out, get(f));
                }
                out.extend_from_slice(b",\"file\":");
                push_json_string(out, &file);
                out.extend_from_slice(format!(",\"record\":{}}}\n", f.record).as_bytes());
            }
            FindingFormat::Csv => {
                push_csv_cell(out, &time);
                for (_, get) in COLUMNS {
                    out.push(b',');
                    push_csv_cell(out, get(f));
                }
                out.push(b',');
                push_csv_cell(out, &file);
                out.extend_from_slice(format!(",{}\n", f.record).as_bytes());
            }
            FindingFormat::Table => {
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
                for (cell, (_, width)) in cells.iter().zip(TABLE) {
                    push_cell(out, cell, *width);
                }
                out.push(b'\n');
            }
        }
    }
}
