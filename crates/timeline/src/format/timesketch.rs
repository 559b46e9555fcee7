//! `--format timesketch`: JSON Lines ready for Timesketch import.

use cloudcase_event::{Event, LogSource};

use super::columns::COLUMNS;
use super::{Clock, LineFormat};
use cloudcase_util::sanitize::push_json_string;

/// Timesketch's required `message`, `datetime` (ISO 8601) and
/// `timestamp_desc`, its `timestamp` (microseconds), then every flat column.
pub(crate) struct Timesketch {
    pub(crate) clock: Clock,
}

/// The one-line summary Timesketch shows: who did what, from where, and how
/// it ended; for other logs, the source and what its record says.
fn message(e: &Event) -> String {
    if let Some(detail) = crate::describe(e) {
        let mut text = format!("[{}] {detail}", e.source.as_str());
        if let Some(who) = e.identity.display_name() {
            text.push_str(" by ");
            text.push_str(who);
        }
        // A flow's description already names both ends.
        if let (false, Some(ip)) = (e.source == LogSource::VpcFlow, &e.source_ip) {
            text.push_str(" from ");
            text.push_str(ip);
        }
        return text;
    }
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
    /// The request parameters are a field.
    fn reads_bodies(&self) -> bool {
        true
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::event_of;
    use cloudcase_event::detail::DnsQuery;
    use cloudcase_event::Detail;

    #[test]
    fn other_logs_get_their_source_and_detail_as_message_and_columns() {
        let q = DnsQuery {
            query_name: "pool.example.".into(),
            query_type: Some("A".into()),
            rcode: Some("NOERROR".into()),
            ..DnsQuery::default()
        };
        let mut e = event_of(LogSource::Route53Resolver, Detail::DnsQuery(q));
        e.source_ip = Some("10.0.0.5".into());
        let t = Timesketch {
            clock: Clock {
                tz: jiff::tz::TimeZone::UTC,
            },
        };
        let mut out = Vec::new();
        t.write_line(&e, &mut out);
        let v: serde_json::Value = serde_json::from_slice(&out).expect("json line");
        assert_eq!(
            v["message"],
            "[route53_resolver] pool.example. A NOERROR from 10.0.0.5"
        );
        assert_eq!(v["source"], "route53_resolver");
        assert_eq!(v["detail"], "pool.example. A NOERROR");
    }
}
