//! `--format table`: aligned columns for reading in a terminal.

use cloudcase_event::Event;

use super::{Clock, LineFormat};
use cloudcase_util::sanitize::terminal_safe;

/// Columns: width and how to read the cell. The last column is not padded.
const LAYOUT: &[(&str, usize)] = &[
    ("TIME", 29),
    ("REGION", 14),
    ("EVENT", 38),
    ("SOURCE IP", 18),
    ("ACCESS KEY", 20),
    ("ERROR", 16),
    ("PRINCIPAL", 0),
];

/// Fixed-width columns (streaming output cannot measure widths first);
/// overlong cells are cut with `…`, and every cell is terminal-safe.
pub(crate) struct Table {
    pub(crate) clock: Clock,
}

fn push_cell(out: &mut Vec<u8>, text: &str, width: usize) {
    let safe = terminal_safe(text);
    if width == 0 {
        out.extend_from_slice(safe.as_bytes());
        return;
    }
    let count = safe.chars().count();
    if count > width {
        let cut: String = safe.chars().take(width - 1).collect();
        out.extend_from_slice(cut.as_bytes());
        out.extend_from_slice("…".as_bytes());
    } else {
        out.extend_from_slice(safe.as_bytes());
        out.resize(out.len() + width - count, b' ');
    }
    out.push(b' ');
}

impl LineFormat for Table {
    fn header(&self) -> Option<String> {
        let mut out = Vec::new();
        for (name, width) in LAYOUT {
            push_cell(&mut out, name, *width);
        }
        out.push(b'\n');
        Some(String::from_utf8_lossy(&out).into_owned())
    }

    fn write_line(&self, e: &Event, out: &mut Vec<u8>) {
        let event = format!("{}:{}", e.service(), e.event_name);
        let cells = [
            self.clock.render(e.time),
            e.region.clone().unwrap_or_default(),
            event,
            e.source_ip.clone().unwrap_or_default(),
            e.identity.access_key_id.clone().unwrap_or_default(),
            e.error_code.clone().unwrap_or_default(),
            e.identity.display_name().unwrap_or("-").to_owned(),
        ];
        for (cell, (_, width)) in cells.iter().zip(LAYOUT) {
            push_cell(out, cell, *width);
        }
        out.push(b'\n');
    }
}
