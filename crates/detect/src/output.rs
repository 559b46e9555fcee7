//! Findings as lines: a table for people, JSON Lines and CSV for tools.

use cloudcase_timeline::sanitize::{push_csv_cell, push_json_string, terminal_safe};

use crate::Finding;

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

type Column = fn(&Finding) -> String;

fn opt(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The columns of JSON and CSV output after `time`, as one table.
const COLUMNS: &[(&str, Column)] = &[
    ("level", |f| f.level.as_str().to_owned()),
    ("rule_id", |f| f.rule_id.clone()),
    ("rule_title", |f| f.title.clone()),
    ("origin", |f| f.origin.as_str().to_owned()),
    ("tactics", |f| f.tactics.join(" ")),
    ("techniques", |f| f.techniques.join(" ")),
    ("principal", |f| opt(&f.witness.principal)),
    ("access_key", |f| opt(&f.witness.access_key)),
    ("source_ip", |f| opt(&f.witness.source_ip)),
    ("region", |f| opt(&f.witness.region)),
    ("account", |f| opt(&f.witness.account)),
    ("event_source", |f| f.witness.event_source.clone()),
    ("event_name", |f| f.witness.event_name.clone()),
    ("error_code", |f| opt(&f.witness.error_code)),
    ("event_id", |f| opt(&f.witness.event_id)),
    ("detail", |f| opt(&f.detail)),
    ("file", |f| {
        f.witness.file.path.to_string_lossy().into_owned()
    }),
    ("sha256", |f| opt(&f.witness.file.sha256)),
    ("origin_path", |f| opt(&f.witness.file.origin)),
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
                    .chain(["record"])
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
    pub fn write(&self, f: &Finding, out: &mut Vec<u8>) {
        let time = f.witness.time.to_zoned_string(&self.tz);
        match self.format {
            FindingFormat::Jsonl => {
                out.extend_from_slice(b"{\"time\":");
                push_json_string(out, &time);
                for (name, get) in COLUMNS {
                    out.extend_from_slice(format!(",\"{name}\":").as_bytes());
                    push_json_string(out, &get(f));
                }
                out.extend_from_slice(format!(",\"record\":{}}}\n", f.witness.record).as_bytes());
            }
            FindingFormat::Csv => {
                push_csv_cell(out, &time);
                for (_, get) in COLUMNS {
                    out.push(b',');
                    push_csv_cell(out, &get(f));
                }
                out.extend_from_slice(format!(",{}\n", f.witness.record).as_bytes());
            }
            FindingFormat::Table => {
                let w = &f.witness;
                let event = format!(
                    "{}:{}",
                    w.event_source.trim_end_matches(".amazonaws.com"),
                    w.event_name
                );
                let cells = [
                    time.as_str(),
                    f.level.as_str(),
                    &f.title,
                    w.principal.as_deref().unwrap_or("-"),
                    w.source_ip.as_deref().unwrap_or("-"),
                    w.region.as_deref().unwrap_or("-"),
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
