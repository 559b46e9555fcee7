//! `--format csv`.

use cloudcase_event::Event;

use super::columns::{COLUMNS, COLUMN_NAMES};
use super::{Clock, LineFormat};
use cloudcase_util::sanitize::push_csv_cell;

/// RFC 4180 CSV: a header, then one row per event; every cell formula- and terminal-safe.
pub(crate) struct Csv {
    pub(crate) clock: Clock,
}

impl LineFormat for Csv {
    /// The request parameters are a column.
    fn reads_bodies(&self) -> bool {
        true
    }

    fn header(&self) -> Option<String> {
        Some(format!("{}\n", COLUMN_NAMES.join(",")))
    }

    fn write_line(&self, event: &Event, out: &mut Vec<u8>) {
        push_csv_cell(out, &self.clock.render(event.time));
        for (_, get) in COLUMNS {
            out.push(b',');
            if let Some(v) = get(event) {
                push_csv_cell(out, &v);
            }
        }
        out.push(b'\n');
    }
}
