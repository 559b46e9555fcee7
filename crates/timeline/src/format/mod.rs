//! Output formats. Each turns one event into one line of bytes, so lines can
//! be produced on worker threads and merged in time order afterwards.

mod columns;
mod csv;
mod jsonl;
mod table;
mod timesketch;

use cloudcase_event::{Event, EventTime};
use jiff::tz::TimeZone;

pub use columns::COLUMN_NAMES;

/// The formats `timeline --format` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Aligned columns for people, terminal-safe.
    Table,
    /// RFC 4180 CSV with a header, formula-safe.
    Csv,
    /// One JSON object per line: the original record plus a `cloudcase` key.
    Jsonl,
    /// JSON Lines with Timesketch's `message`, `datetime`, `timestamp_desc`.
    Timesketch,
}

impl OutputFormat {
    /// The formatter for this format, rendering times in `tz`.
    pub fn formatter(self, tz: TimeZone) -> Box<dyn LineFormat> {
        let clock = Clock { tz };
        match self {
            OutputFormat::Table => Box::new(table::Table { clock }),
            OutputFormat::Csv => Box::new(csv::Csv { clock }),
            OutputFormat::Jsonl => Box::new(jsonl::Jsonl { clock }),
            OutputFormat::Timesketch => Box::new(timesketch::Timesketch { clock }),
        }
    }
}

/// Renders events as lines.
pub trait LineFormat: Send + Sync {
    /// Text written once before the first event (a header), if any.
    fn header(&self) -> Option<String>;
    /// Appends one event as one line, newline included.
    fn write_line(&self, event: &Event, out: &mut Vec<u8>);
    /// Whether lines show the events' JSON bodies (`request_parameters`, …)
    /// as fields of their own; when not, the reader does not copy them.
    fn reads_bodies(&self) -> bool;
}

/// Time rendering in the display zone: RFC 3339, offset always shown.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    tz: TimeZone,
}

impl Clock {
    pub(crate) fn render(&self, t: EventTime) -> String {
        t.to_zoned_string(&self.tz)
    }
}
