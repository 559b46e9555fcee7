//! `--format table`: aligned columns for reading in a terminal.

use cloudcase_event::Event;

use super::{Clock, LineFormat};
use cloudcase_util::sanitize::terminal_safe;

/// Columns and their widths. PRINCIPAL is padded only on rows that carry a
/// DETAIL (non-CloudTrail records), so CloudTrail rows keep whole ARNs;
/// DETAIL, the last column, is not padded.
const LAYOUT: &[(&str, usize)] = &[
    ("TIME", 29),
    ("SOURCE", 16),
    ("REGION", 14),
    ("EVENT", 38),
    ("SOURCE IP", 18),
    ("ACCESS KEY", 20),
    ("ERROR", 16),
    ("PRINCIPAL", PRINCIPAL_WIDTH),
    ("DETAIL", 0),
];

/// The width PRINCIPAL is padded or cut to when a DETAIL follows it.
const PRINCIPAL_WIDTH: usize = 36;

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
    /// The detail column describes bodies.
    fn reads_bodies(&self) -> bool {
        true
    }

    fn header(&self) -> Option<String> {
        let mut out = Vec::new();
        for (name, width) in LAYOUT {
            push_cell(&mut out, name, *width);
        }
        out.push(b'\n');
        Some(String::from_utf8_lossy(&out).trim_end().to_owned() + "\n")
    }

    fn write_line(&self, e: &Event, out: &mut Vec<u8>) {
        let event = format!("{}:{}", e.service(), e.event_name);
        let detail = crate::describe(e);
        let cells = [
            self.clock.render(e.time),
            e.source.as_str().to_owned(),
            e.region.clone().unwrap_or_default(),
            event,
            e.source_ip.clone().unwrap_or_default(),
            e.identity.access_key_id.clone().unwrap_or_default(),
            e.error_code.clone().unwrap_or_default(),
        ];
        for (cell, (_, width)) in cells.iter().zip(LAYOUT) {
            push_cell(out, cell, *width);
        }
        let principal = e.identity.display_name().unwrap_or("-");
        match detail {
            Some(d) => {
                push_cell(out, principal, PRINCIPAL_WIDTH);
                push_cell(out, &d, 0);
            }
            None => push_cell(out, principal, 0),
        }
        out.push(b'\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::event_of;
    use cloudcase_event::detail::DnsQuery;
    use cloudcase_event::{Detail, LogSource};

    fn line(e: &Event) -> String {
        let t = Table {
            clock: Clock {
                tz: jiff::tz::TimeZone::UTC,
            },
        };
        let mut out = Vec::new();
        t.write_line(e, &mut out);
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn rows_show_the_source_and_a_terminal_safe_detail() {
        let q = DnsQuery {
            query_name: "evil\u{1b}[31m.example.".into(),
            query_type: Some("TXT".into()),
            rcode: Some("NXDOMAIN".into()),
            ..DnsQuery::default()
        };
        let e = event_of(LogSource::Route53Resolver, Detail::DnsQuery(q));
        let row = line(&e);
        assert!(row.contains(" route53_resolver "), "{row}");
        assert!(!row.contains('\u{1b}'), "{row}");
        assert!(
            row.ends_with("evil\\u{1b}[31m.example. TXT NXDOMAIN\n"),
            "{row}"
        );
        let header = Table {
            clock: Clock {
                tz: jiff::tz::TimeZone::UTC,
            },
        }
        .header()
        .expect("header");
        let at = |s: &str, name: &str| s.find(name).expect(name);
        assert_eq!(at(&header, "SOURCE "), at(&row, "route53_resolver"));
        assert_eq!(at(&header, "DETAIL"), at(&row, "evil"));
    }

    #[test]
    fn cloudtrail_rows_keep_the_whole_principal_and_no_detail() {
        let mut e = event_of(LogSource::CloudTrail, Detail::DnsQuery(DnsQuery::default()));
        e.detail = None;
        let long = "arn:aws:iam::111122223333:user/a-very-long-user-name-for-the-test";
        e.identity.arn = Some(long.into());
        let row = line(&e);
        assert!(row.contains(" cloudtrail "), "{row}");
        assert!(row.trim_end().ends_with(long), "{row}");
    }
}
