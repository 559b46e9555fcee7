//! Findings as CSV with a header row, for spreadsheets.

use std::io::Write;

use cloudcase_util::sanitize::push_csv_cell;

use super::fields::FIELDS;
use super::{FindingSink, SinkError};
use crate::finding::FindingView;
use crate::summary::HuntSummary;

/// Writes a header row, then one row per finding: `time` (in the display
/// zone), the shared fields, `file` and `record`. Cells that a spreadsheet
/// would run as a formula are neutralised.
pub struct CsvSink<W: Write> {
    out: W,
    tz: jiff::tz::TimeZone,
    line: Vec<u8>,
    started: bool,
}

impl<W: Write> CsvSink<W> {
    /// A sink writing to `out`, times shown in `tz`.
    pub fn new(out: W, tz: jiff::tz::TimeZone) -> Self {
        CsvSink {
            out,
            tz,
            line: Vec::new(),
            started: false,
        }
    }

    /// The writer back.
    pub fn into_inner(self) -> W {
        self.out
    }

    fn start(&mut self) -> Result<(), SinkError> {
        if !self.started {
            self.started = true;
            let names: Vec<&str> = std::iter::once("time")
                .chain(FIELDS.iter().map(|field| field.name))
                .chain(["file", "record"])
                .collect();
            writeln!(self.out, "{}", names.join(","))?;
        }
        Ok(())
    }
}

/// Appends `f` as one CSV row, times in `tz`.
fn push_row(out: &mut Vec<u8>, f: &FindingView<'_>, tz: &jiff::tz::TimeZone) {
    push_csv_cell(out, &f.time.to_zoned_string(tz));
    for field in FIELDS {
        out.push(b',');
        push_csv_cell(out, (field.get)(f));
    }
    out.push(b',');
    push_csv_cell(out, &f.file.path.to_string_lossy());
    out.extend_from_slice(format!(",{}\n", f.record).as_bytes());
}

impl<W: Write> FindingSink for CsvSink<W> {
    fn finding(&mut self, f: &FindingView<'_>) -> Result<(), SinkError> {
        self.start()?;
        self.line.clear();
        push_row(&mut self.line, f, &self.tz);
        Ok(self.out.write_all(&self.line)?)
    }

    /// Writes the header if there was no finding, and flushes; the summary
    /// goes elsewhere (standard error).
    fn finish(&mut self, _summary: &HuntSummary) -> Result<(), SinkError> {
        self.start()?;
        Ok(self.out.flush()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::testing::*;

    const HEADER: &str = "time,level,rule_id,rule_title,origin,tactics,techniques,principal,\
        access_key,source_ip,region,account,event_source,event_name,error_code,event_id,detail,\
        sha256,origin_path,file,record\n";

    #[test]
    fn a_header_then_one_row_per_finding() {
        let file = source();
        let f = view(&file);
        let mut sink = CsvSink::new(Vec::new(), jiff::tz::TimeZone::UTC);
        sink.finding(&f).unwrap();
        sink.finding(&f).unwrap();
        sink.finish(&summary_of(&f)).unwrap();
        let out = String::from_utf8(sink.into_inner()).unwrap();
        let row = "2024-05-06T07:08:09.000Z,high,r-1,User Created,rule,persistence,T1136.003,\
            alice,AKIAEXAMPLE,198.51.100.7,us-east-1,123456789012,iam.amazonaws.com,CreateUser,,\
            e-1,,abc,s3://trail/k.json.gz,evidence/objects/ab/abc,7\n";
        assert_eq!(out, format!("{HEADER}{row}{row}"));
    }

    #[test]
    fn no_finding_still_gives_the_header() {
        let file = source();
        let mut sink = CsvSink::new(Vec::new(), jiff::tz::TimeZone::UTC);
        sink.finish(&summary_of(&view(&file))).unwrap();
        assert_eq!(String::from_utf8(sink.into_inner()).unwrap(), HEADER);
    }

    #[test]
    fn formulas_are_neutralised_and_commas_quoted() {
        let file = source();
        let mut f = view(&file);
        f.principal = Some("=HYPERLINK(\"x\")");
        f.detail = Some("a,b");
        let mut sink = CsvSink::new(Vec::new(), jiff::tz::TimeZone::UTC);
        sink.finding(&f).unwrap();
        let out = String::from_utf8(sink.into_inner()).unwrap();
        assert!(out.contains(",\"'=HYPERLINK(\"\"x\"\")\","), "{out}");
        assert!(out.contains(",\"a,b\","), "{out}");
    }
}
