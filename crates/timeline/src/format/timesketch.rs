//! `--format timesketch`: JSON Lines ready for Timesketch import.

use cloudcase_event::Event;

use super::columns::COLUMNS;
use super::{Clock, LineFormat};
use cloudcase_util::sanitize::push_json_string;

/// Timesketch's required `message`, `datetime` (ISO 8601) and
/// `timestamp_desc`, its `timestamp` (microseconds), then every flat column.
pub(crate) struct Timesketch {
    pub(crate) clock: Clock,
}

/// The one-line summary Timesketch shows: who did what, from where, and how it ended.
fn message(e: &Event) -> String {
    let who = e.identity.display_name().unwrap_or("unknown principal");
    let from = e.source_ip.as_deref().unwrap_or("unknown source");
    let outcome = match &e.error_code {
        Some(code) => format!(" failed: {code}"),
        None => String::new(),
    };
    format!(
        "{who} called {}:{} from {from}{outcome}",
        e.service(),
        e.event_name
    )
}

impl LineFormat for Timesketch {
    fn header(&self) -> Option<String> {
        None
    }

    fn write_line(&self, event: &Event, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"message\":");
        push_json_string(out, &message(event));
        out.extend_from_slice(b",\"datetime\":");
        push_json_string(out, &self.clock.render(event.time));
        out.extend_from_slice(format!(",\"timestamp\":{}", event.time.millis() * 1000).as_bytes());
        out.extend_from_slice(b",\"timestamp_desc\":\"Event Time\"");
        for (name, get) in COLUMNS {
            if let Some(v) = get(event) {
                out.extend_from_slice(format!(",\"{name}\":").as_bytes());
                push_json_string(out, &v);
            }
        }
        out.extend_from_slice(b"}\n");
    }
}
