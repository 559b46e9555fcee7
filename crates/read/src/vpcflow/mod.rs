//! Amazon VPC flow logs, recognised by content.
//!
//! A record is one line of space-separated values, `-` for a value that is
//! absent. Which fields a line holds is given by the file's header line,
//! which S3 delivery writes first (`version account-id interface-id …`, the
//! fields of a custom format in its order); a file without one holds the
//! default format (version 2, fourteen fields). Every documented field is read
//! by the field table in [`fields`]; fields the table does not know are kept
//! as text.
//!
//! Flow logs reach a responder as S3 delivery files
//! (`AWSLogs/<account>/vpcflowlogs/<region>/YYYY/MM/DD/…_vpcflowlogs_<region>_fl-…log.gz`,
//! the region taken from the path when a record has no `region` field) and as
//! CloudWatch Logs exports: lines prefixed by the event's time (what a
//! CloudWatch export to S3 writes), or `aws logs filter-log-events` /
//! `get-log-events` JSON whose events' messages are records ([`cloudwatch`]).
//!
//! A record becomes an [`Event`](cloudcase_event::Event) named by its action
//! (`ACCEPT`, `REJECT`, or `NODATA`/`SKIPDATA` from `log-status`), timed by
//! `start`, with the typed [`Flow`](cloudcase_event::detail::Flow) and every
//! present field in the raw record under its flow log name.

pub(crate) mod cloudwatch;
mod fields;
mod record;

use cloudcase_event::{EventTime, Provenance, SourceFile};

use crate::framing::Form;
use crate::lines::{checked_text, first_line, timed, Line};
use fields::Format;
use record::{Origin, RecordError};

/// How the file's lines hold their records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// One record a line, after a header line or in the default format.
    Plain,
    /// A CloudWatch Logs export: each line the event's time, a space, then
    /// a default-format record.
    Timed,
}

/// One file's flow log reading: its layout, the format its header named, and
/// the region its path names.
pub(crate) struct Reader {
    layout: Layout,
    format: Format,
    origin: Origin,
    region: Option<Box<str>>,
}

impl Reader {
    /// A reader for the file whose content starts with `prefix`, if its first
    /// line is a flow log header, a default-format record, or one prefixed
    /// by a CloudWatch Logs time.
    pub(crate) fn sniff(prefix: &[u8], file: &SourceFile) -> Option<Self> {
        let line = first_line(prefix)?;
        let layout = if Format::from_header(line, 2).is_some() || is_default_record(line) {
            Layout::Plain
        } else if timed(line).is_some_and(|(_, rest)| is_default_record(rest)) {
            Layout::Timed
        } else {
            return None;
        };
        Some(Reader {
            layout,
            format: Format::default_v2(),
            origin: Origin::Default,
            region: region_from_path(file),
        })
    }

    /// The form the accounting counts the file under.
    pub(crate) fn form(&self) -> Form {
        match self.layout {
            Layout::Plain => Form::VpcFlow,
            Layout::Timed => Form::CloudWatchExport,
        }
    }

    /// Reads one line: a header (which sets the format of the lines after
    /// it), or a record.
    pub(crate) fn line(&mut self, bytes: &[u8], prov: Provenance) -> Line {
        let offset = prov.offset;
        match self.record(bytes, prov) {
            Ok(Some(ev)) => Line::Event(Box::new(ev)),
            Ok(None) => Line::NotRecord,
            Err(e) => Line::Reject {
                offset,
                kind: match &e {
                    RecordError::Text(t) => t.kind(),
                    _ => crate::RejectKind::MalformedLine,
                },
                detail: format!("VPC flow log: {e}"),
            },
        }
    }

    fn record(
        &mut self,
        bytes: &[u8],
        prov: Provenance,
    ) -> Result<Option<cloudcase_event::Event>, RecordError> {
        let text = checked_text(bytes)?;
        let text = match self.layout {
            Layout::Timed => {
                let (stamp, rest) = timed(text)
                    .ok_or_else(|| RecordError::Prefix(text.chars().take(32).collect()))?;
                EventTime::parse(stamp).map_err(|_| RecordError::Prefix(stamp.into()))?;
                rest
            }
            Layout::Plain => {
                if let Some(format) = Format::from_header(text, 1) {
                    self.format = format;
                    self.origin = Origin::Header;
                    return Ok(None);
                }
                text
            }
        };
        record::parse(
            text,
            &self.format,
            &self.origin,
            self.region.as_deref(),
            prov,
        )
        .map(Some)
    }
}

/// Whether `text` is a default-format record: fourteen values, version 2,
/// an account, a network interface, an action and a log status.
pub(crate) fn is_default_record(text: &str) -> bool {
    let values: Vec<&str> = text.split_ascii_whitespace().collect();
    let [version, account, interface, .., action, status] = values[..] else {
        return false;
    };
    values.len() == 14
        && version == "2"
        && (account == "unknown" || account.bytes().all(|b| b.is_ascii_digit()))
        && interface.starts_with("eni-")
        && matches!(action, "ACCEPT" | "REJECT" | "-")
        && matches!(status, "OK" | "NODATA" | "SKIPDATA")
}

/// The region a flow log file's path names: the folder after `vpcflowlogs`
/// (`aws-region=…` with Hive-compatible prefixes), or the part of the file
/// name after `_vpcflowlogs_`. The path it was acquired from counts for a
/// file read from a case.
pub(crate) fn region_from_path(file: &SourceFile) -> Option<Box<str>> {
    let path = file
        .origin
        .clone()
        .unwrap_or_else(|| file.path.to_string_lossy().into_owned());
    let parts: Vec<&str> = path.split(['/', '\\', '!']).collect();
    let from_folders = parts.windows(2).find_map(|pair| match pair {
        ["vpcflowlogs", region] => Some(*region),
        _ => None,
    });
    let from_hive = parts.iter().find_map(|p| p.strip_prefix("aws-region="));
    let from_name = parts.last().and_then(|name| {
        let (_, rest) = name.split_once("_vpcflowlogs_")?;
        rest.split('_').next()
    });
    let region = [from_folders, from_hive, from_name]
        .into_iter()
        .flatten()
        .find(|r| is_region(r))?;
    Some(region.into())
}

/// Whether `text` is shaped like a region code (`us-east-1`, `us-gov-west-1`).
fn is_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";

    fn file(path: &str) -> SourceFile {
        SourceFile::plain(path)
    }

    fn prov(f: &SourceFile) -> Provenance {
        Provenance::first_of(f.clone())
    }

    #[test]
    fn sniffs_headers_default_records_and_cloudwatch_lines() {
        let f = file("x.log");
        let header = b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n2 1";
        assert_eq!(
            Reader::sniff(header, &f).map(|r| r.form()),
            Some(Form::VpcFlow)
        );
        assert_eq!(
            Reader::sniff(RECORD.as_bytes(), &f).map(|r| r.form()),
            Some(Form::VpcFlow)
        );
        let timed = format!("2014-12-14T04:06:50.000Z {RECORD}\n");
        assert_eq!(
            Reader::sniff(timed.as_bytes(), &f).map(|r| r.form()),
            Some(Form::CloudWatchExport)
        );
        let cut = b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-st";
        assert!(Reader::sniff(cut, &f).is_some());
        for other in [
            &b"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be b [06/Feb/2019:00:00:38 +0000]"[..],
            b"identity/LineItemId,identity/TimeInterval",
            b"\xff\xfe binary",
            b"hello world",
            b"3 123456789010 eni-1 - - - - - - - 1 2 - NODATA",
        ] {
            assert!(Reader::sniff(other, &f).is_none(), "{other:?}");
        }
    }

    #[test]
    fn header_lines_set_the_format_of_the_lines_after_them() {
        let f = file("x.log");
        let mut r = Reader::sniff(b"start srcaddr action", &f).unwrap();
        assert!(matches!(
            r.line(b"start srcaddr action", prov(&f)),
            Line::NotRecord
        ));
        let Line::Event(ev) = r.line(b"1418530010 2001:db8::1 REJECT", prov(&f)) else {
            panic!("not read")
        };
        assert_eq!(ev.event_name, "REJECT");
        let Line::Reject { kind, detail, .. } = r.line(RECORD.as_bytes(), prov(&f)) else {
            panic!("read with the wrong format")
        };
        assert_eq!(kind, crate::RejectKind::MalformedLine);
        assert_eq!(
            detail,
            "VPC flow log: 14 fields; the format names 3 (the file's header line)"
        );
        let Line::Reject { kind, .. } = r.line(b"1 \xff", prov(&f)) else {
            panic!()
        };
        assert_eq!(kind, crate::RejectKind::InvalidUtf8);
    }

    #[test]
    fn cloudwatch_export_lines_need_their_time() {
        let f = file("000000.gz");
        let timed = format!("2014-12-14T04:06:50.000Z {RECORD}");
        let mut r = Reader::sniff(timed.as_bytes(), &f).unwrap();
        assert!(matches!(r.line(timed.as_bytes(), prov(&f)), Line::Event(_)));
        let Line::Reject { detail, .. } = r.line(RECORD.as_bytes(), prov(&f)) else {
            panic!()
        };
        assert!(
            detail.contains("CloudWatch Logs time \"2 123456789010"),
            "{detail}"
        );
        let bad = format!("2014-13-14T04:06:50.000Z {RECORD}");
        assert!(matches!(
            r.line(bad.as_bytes(), prov(&f)),
            Line::Reject { .. }
        ));
    }

    #[test]
    fn region_comes_from_the_delivery_path() {
        let region = |p: &str| region_from_path(&file(p)).map(String::from);
        assert_eq!(
            region("b/AWSLogs/123456789012/vpcflowlogs/ap-northeast-1/2024/01/01/123456789012_vpcflowlogs_ap-northeast-1_fl-1234abcd_20240101T0000Z_fe123456.log.gz").as_deref(),
            Some("ap-northeast-1")
        );
        assert_eq!(
            region(
                "x/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz"
            )
            .as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            region("AWSLogs/aws-account-id=1/aws-service=vpcflowlogs/aws-region=us-gov-west-1/year=2024/f.log.gz").as_deref(),
            Some("us-gov-west-1")
        );
        assert_eq!(region("logs/vpcflowlogs/notaregion/x.log"), None);
        assert_eq!(region("flow.log"), None);
        let mut acquired = file("case/objects/ab/cdef");
        acquired.origin = Some("s3://b/AWSLogs/1/vpcflowlogs/eu-west-2/2024/01/01/x.log.gz".into());
        assert_eq!(region_from_path(&acquired).as_deref(), Some("eu-west-2"));
    }
}
