//! Line-based logs, recognised by their first line: S3 server access logs,
//! VPC flow logs, Cost and Usage Reports (CSV), and CloudWatch Logs exports
//! to S3 whose messages are JSON records (Route 53 Resolver query logs,
//! CloudTrail), each line `<time> <record>`.
//!
//! Each format reads one line at a time (a CSV record quoted across lines is
//! gathered first) and says what the line was: an event, a line that is not
//! a record (a header naming the fields), or a rejection with its reason.

use std::fmt::Write;

use cloudcase_event::{Event, EventTime, Provenance, SourceFile};

use crate::billing;
use crate::framing::Form;
use crate::normalize::{classify, Classified, Scratch, DIGEST_INSIDE, INVENTORY_INSIDE};
use crate::s3access;
use crate::vpcflow;
use crate::RejectKind;

/// What one line turned out to be.
pub(crate) enum Line {
    /// A record, read.
    Event(Box<Event>),
    /// Not a record: a header line that names the fields of those after it,
    /// or the first lines of a record that continues on the next.
    NotRecord,
    /// A record that cannot be read, starting at `offset`.
    Reject {
        /// Byte offset of the record's first byte in the decompressed content.
        offset: u64,
        /// Why, in the accounting's terms.
        kind: RejectKind,
        /// What was expected and what was found.
        detail: String,
    },
}

/// Why a line's bytes are not text a log line can hold.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum TextError {
    /// The line is not UTF-8.
    #[error("not UTF-8 at byte {0} of the line")]
    Utf8(usize),
    /// A control character (other than tab) inside the line.
    #[error("control character 0x{byte:02x} at byte {at} of the line")]
    Control {
        /// The character.
        byte: u8,
        /// Its byte position in the line.
        at: usize,
    },
}

impl TextError {
    /// The rejection kind for this problem.
    pub(crate) fn kind(&self) -> RejectKind {
        match self {
            TextError::Utf8(_) => RejectKind::InvalidUtf8,
            TextError::Control { .. } => RejectKind::MalformedLine,
        }
    }
}

/// The text of a line, checked for encoding and control characters.
pub(crate) fn checked_text(line: &[u8]) -> Result<&str, TextError> {
    let text = std::str::from_utf8(line).map_err(|e| TextError::Utf8(e.valid_up_to()))?;
    match line
        .iter()
        .position(|&b| b.is_ascii_control() && b != b'\t')
    {
        Some(at) => Err(TextError::Control { byte: line[at], at }),
        None => Ok(text),
    }
}

/// Appends `s` as a JSON string.
pub(crate) fn push_json_string(s: &str, out: &mut String) {
    out.push('"');
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// The first line of `prefix` (without its line ending), or as much of it
/// as `prefix` holds; `None` if that is not text.
pub(crate) fn first_line(prefix: &[u8]) -> Option<&str> {
    let end = memchr::memchr(b'\n', prefix).unwrap_or(prefix.len());
    let line = &prefix[..end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    match std::str::from_utf8(line) {
        Ok(text) => Some(text),
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&line[..e.valid_up_to()]).ok(),
        Err(_) => None,
    }
}

/// A CloudWatch export line split into its time and the record after it,
/// if it starts with a timestamp.
pub(crate) fn timed(text: &str) -> Option<(&str, &str)> {
    let (stamp, rest) = text.split_once(' ')?;
    is_export_time(stamp).then_some((stamp, rest))
}

/// Whether `stamp` is shaped like the time a CloudWatch Logs export writes
/// first on a line (`2024-08-18T09:55:00.000Z`).
fn is_export_time(stamp: &str) -> bool {
    stamp.len() >= 20 && stamp.as_bytes().get(10) == Some(&b'T') && stamp.ends_with('Z')
}

/// The line-based format of one file, with what it has learnt so far.
pub(crate) enum LineFormat {
    /// S3 server access log.
    S3Access,
    /// VPC flow log (S3 delivery or CloudWatch Logs export).
    VpcFlow(vpcflow::Reader),
    /// Cost and Usage Report CSV.
    Billing(billing::Reader),
    /// A CloudWatch Logs export whose messages are JSON records: each
    /// line's record is classified as any JSON record is.
    TimedJson,
}

impl LineFormat {
    /// The line-based format whose first line `prefix` starts, if any.
    /// `max_record` bounds a CSV record gathered across lines.
    pub(crate) fn sniff(prefix: &[u8], file: &SourceFile, max_record: usize) -> Option<Self> {
        if s3access::sniff(prefix) {
            return Some(LineFormat::S3Access);
        }
        if let Some(reader) = vpcflow::Reader::sniff(prefix, file) {
            return Some(LineFormat::VpcFlow(reader));
        }
        if first_line(prefix)
            .and_then(timed)
            .is_some_and(|(_, message)| message.starts_with('{'))
        {
            return Some(LineFormat::TimedJson);
        }
        billing::Reader::sniff(prefix, max_record).map(LineFormat::Billing)
    }

    /// The form the accounting counts the file under.
    pub(crate) fn form(&self) -> Form {
        match self {
            LineFormat::S3Access => Form::S3Access,
            LineFormat::VpcFlow(r) => r.form(),
            LineFormat::Billing(_) => Form::Billing,
            LineFormat::TimedJson => Form::CloudWatchExport,
        }
    }

    /// Reads one line starting at `prov.offset` (`scratch` serves the
    /// classification of JSON records).
    pub(crate) fn line(&mut self, bytes: &[u8], prov: Provenance, scratch: &mut Scratch) -> Line {
        match self {
            LineFormat::S3Access => {
                let offset = prov.offset;
                match s3access::parse_line(bytes, prov) {
                    Ok(ev) => Line::Event(Box::new(ev)),
                    Err(e) => Line::Reject {
                        offset,
                        kind: e.kind(),
                        detail: format!("S3 server access log: {e}"),
                    },
                }
            }
            LineFormat::VpcFlow(r) => r.line(bytes, prov),
            LineFormat::Billing(r) => r.line(bytes, prov),
            LineFormat::TimedJson => timed_json(bytes, prov, scratch),
        }
    }

    /// Where the record that a line too long to keep belongs to starts: the
    /// line itself, or the start of the CSV record it continues (which is
    /// lost with it).
    pub(crate) fn oversize(&mut self, offset: u64) -> u64 {
        match self {
            LineFormat::Billing(r) => r.abandon().unwrap_or(offset),
            _ => offset,
        }
    }

    /// What is left at the end of the input: a CSV record whose quote never
    /// closed.
    pub(crate) fn finish(&mut self) -> Option<Line> {
        match self {
            LineFormat::Billing(r) => r.finish(),
            _ => None,
        }
    }
}

/// Reads a line of a CloudWatch Logs export whose message is a JSON record:
/// the export's time, a space, then the record, classified as a record of a
/// JSON file is; whatever it is not is rejected at the line's offset.
fn timed_json(bytes: &[u8], prov: Provenance, scratch: &mut Scratch) -> Line {
    let offset = prov.offset;
    let reject = |kind, detail: String| Line::Reject {
        offset,
        kind,
        detail: format!("CloudWatch Logs export: {detail}"),
    };
    let space = memchr::memchr(b' ', bytes).unwrap_or(bytes.len());
    let stamp = std::str::from_utf8(&bytes[..space]).ok();
    if !stamp.is_some_and(|s| is_export_time(s) && EventTime::parse(s).is_ok()) {
        let start: String = String::from_utf8_lossy(&bytes[..space.min(32)]).into();
        return reject(
            RejectKind::MalformedLine,
            format!("a line without the export's time first: {start:?}"),
        );
    }
    let message = bytes.get(space + 1..).unwrap_or_default();
    let at = offset + space as u64 + 1;
    match classify(message, true, at, prov, scratch) {
        Classified::Event(ev) => Line::Event(ev),
        Classified::Reject(kind, detail) => reject(kind, detail),
        Classified::Digest => reject(RejectKind::NotCloudTrail, DIGEST_INSIDE.into()),
        Classified::Inventory => reject(RejectKind::NotCloudTrail, INVENTORY_INSIDE.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_checked_for_encoding_and_controls() {
        assert_eq!(checked_text(b"a\tb"), Ok("a\tb"));
        assert_eq!(checked_text(b"ab\xff"), Err(TextError::Utf8(2)));
        assert_eq!(
            checked_text(b"a\x1b[31m"),
            Err(TextError::Control { byte: 0x1b, at: 1 })
        );
        assert_eq!(TextError::Utf8(0).kind(), RejectKind::InvalidUtf8);
    }
}
