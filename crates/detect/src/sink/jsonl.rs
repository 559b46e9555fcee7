//! Findings as JSON Lines: one object per finding, for tools.

use std::io::Write;

use cloudcase_util::sanitize::push_json_string;

use super::fields::FIELDS;
use super::{FindingSink, SinkError};
use crate::finding::FindingView;
use crate::summary::HuntSummary;

/// Writes one JSON object per finding: `time` (in the display zone), the
/// shared fields, `file` and `record`. Strings are escaped so that DEL and C1
/// control characters cannot reach a terminal raw.
pub struct JsonlSink<W: Write> {
    out: W,
    tz: jiff::tz::TimeZone,
    line: Vec<u8>,
}

impl<W: Write> JsonlSink<W> {
    /// A sink writing to `out`, times shown in `tz`.
    pub fn new(out: W, tz: jiff::tz::TimeZone) -> Self {
        JsonlSink {
            out,
            tz,
            line: Vec::new(),
        }
    }

    /// The writer back (e.g. the bytes written, to record them).
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Appends `f` as one JSON line, times in `tz`.
pub(crate) fn push_line(out: &mut Vec<u8>, f: &FindingView<'_>, tz: &jiff::tz::TimeZone) {
    out.extend_from_slice(b"{\"time\":");
    push_json_string(out, &f.time.to_zoned_string(tz));
    for field in FIELDS {
        out.extend_from_slice(b",\"");
        out.extend_from_slice(field.name.as_bytes());
        out.extend_from_slice(b"\":");
        push_json_string(out, (field.get)(f));
    }
    out.extend_from_slice(b",\"file\":");
    push_json_string(out, &f.file.path.to_string_lossy());
    out.extend_from_slice(format!(",\"record\":{}}}\n", f.record).as_bytes());
}

impl<W: Write> FindingSink for JsonlSink<W> {
    fn finding(&mut self, f: &FindingView<'_>) -> Result<(), SinkError> {
        self.line.clear();
        push_line(&mut self.line, f, &self.tz);
        Ok(self.out.write_all(&self.line)?)
    }

    /// Flushes; the summary goes elsewhere (standard error).
    fn finish(&mut self, _summary: &HuntSummary) -> Result<(), SinkError> {
        Ok(self.out.flush()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::testing::*;

    #[test]
    fn one_object_per_finding_with_every_key_in_order() {
        let file = source();
        let f = view(&file);
        let mut sink = JsonlSink::new(Vec::new(), jiff::tz::TimeZone::UTC);
        sink.finding(&f).unwrap();
        sink.finish(&summary_of(&f)).unwrap();
        let out = String::from_utf8(sink.into_inner()).unwrap();
        assert_eq!(
            out,
            "{\"time\":\"2024-05-06T07:08:09.000Z\",\"level\":\"high\",\"rule_id\":\"r-1\",\
             \"rule_title\":\"User Created\",\"origin\":\"rule\",\"tactics\":\"persistence\",\
             \"techniques\":\"T1136.003\",\"principal\":\"alice\",\"access_key\":\"AKIAEXAMPLE\",\
             \"source_ip\":\"198.51.100.7\",\"region\":\"us-east-1\",\"account\":\"123456789012\",\
             \"event_source\":\"iam.amazonaws.com\",\"event_name\":\"CreateUser\",\"error_code\":\"\",\
             \"event_id\":\"e-1\",\"detail\":\"\",\"sha256\":\"abc\",\
             \"origin_path\":\"s3://trail/k.json.gz\",\"file\":\"evidence/objects/ab/abc\",\"record\":7}\n"
        );
    }

    #[test]
    fn times_follow_the_zone_and_terminal_controls_are_escaped() {
        let file = source();
        let mut f = view(&file);
        f.principal = Some("eve\u{1b}[31m\u{85}");
        let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap();
        let mut sink = JsonlSink::new(Vec::new(), tokyo);
        sink.finding(&f).unwrap();
        let out = String::from_utf8(sink.into_inner()).unwrap();
        assert!(
            out.starts_with("{\"time\":\"2024-05-06T16:08:09.000+09:00\""),
            "{out}"
        );
        assert!(
            out.contains("\"principal\":\"eve\\u001b[31m\\u0085\""),
            "{out}"
        );
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value["principal"], "eve\u{1b}[31m\u{85}");
    }

    #[test]
    fn a_closed_reader_is_reported_as_closed() {
        let file = source();
        let mut sink = JsonlSink::new(ClosedPipe, jiff::tz::TimeZone::UTC);
        assert!(matches!(sink.finding(&view(&file)), Err(SinkError::Closed)));
    }
}
