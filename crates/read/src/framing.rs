//! Splitting a stream of JSON into records without parsing it, in bounded memory.
//!
//! The framer walks the top-level structure of a file byte by byte, tracking
//! only string state and nesting depth (no recursion, so nesting depth cannot
//! overflow the stack), and hands out one record's bytes at a time:
//!
//! * `{"Records":[r, r, …]}` (S3 delivery) and `{"Events":[e, …], "NextToken": …}`
//!   (lookup-events pages, possibly several concatenated): each array element;
//! * `{"Findings":[f, …]}` (`aws guardduty get-findings`) and CloudWatch Logs
//!   events `{"events":[e, …]}` (`aws logs filter-log-events`/`get-log-events`)
//!   or `{"logEvents":[e, …]}` (subscription deliveries): each array element;
//! * `[r, r, …]`: each element;
//! * any other top-level object, and sequences of them (JSON Lines, or
//!   pretty-printed values one after another): each object.
//!
//! A record larger than the limit is skipped without being buffered. A syntax
//! error is reported with its byte offset and the framer resynchronises at the
//! next line, which recovers JSON Lines input record by record.

use std::io::{self, Read};

use memchr::memchr;

use crate::RejectKind;
use cloudcase_util::json_scan::Nesting;

const CHUNK: usize = 256 << 10;

/// How a file's records are contained, as found in its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    /// `{"Records":[…]}`: S3 delivery files.
    Records,
    /// `{"Events":[…]}`: `aws cloudtrail lookup-events` output.
    Events,
    /// `{"QueryResultRows":[…]}`: CloudTrail Lake query results, one row
    /// (an array of single-key objects) per record.
    Rows,
    /// `{"Findings":[…]}`: `aws guardduty get-findings` output.
    Findings,
    /// `{"events":[…]}` or `{"logEvents":[…]}`: CloudWatch Logs events.
    LogEvents,
    /// A top-level JSON array of records.
    Array,
    /// Top-level objects one after another: JSON Lines and similar.
    Values,
    /// Lines of an S3 server access log.
    S3Access,
    /// Lines of a VPC flow log (S3 delivery, or a file of records).
    VpcFlow,
    /// Lines of a CloudWatch Logs export to S3: each a time, then the record.
    CloudWatchExport,
    /// Rows of a Cost and Usage Report (CSV).
    Billing,
}

impl Form {
    /// Label used in the accounting.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Form::Records => "records",
            Form::Events => "lookup-events",
            Form::Rows => "lake-rows",
            Form::Findings => "guardduty-findings",
            Form::LogEvents => "cloudwatch-logs",
            Form::Array => "json-array",
            Form::Values => "json-lines",
            Form::S3Access => "s3-access-log",
            Form::VpcFlow => "vpc-flow-log",
            Form::CloudWatchExport => "cloudwatch-export",
            Form::Billing => "cost-and-usage-report",
        }
    }
}

/// What the framer found next.
#[derive(Debug)]
pub(crate) enum Frame<'a> {
    /// One complete JSON value, starting at decompressed byte `offset`.
    Item {
        offset: u64,
        bytes: &'a [u8],
        spaced: bool,
    },
    /// `spaced` tells whether it holds whitespace between tokens (and so
    /// needs compacting before it can be stored as compact JSON).
    /// A value longer than the record limit, skipped unread.
    Oversize { offset: u64, len: u64 },
    /// A stretch that could not be framed (syntax error, truncation), skipped.
    Damaged {
        offset: u64,
        kind: RejectKind,
        detail: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Top,
    ArrayFirst { container: bool },
    ArrayNext { container: bool },
    ContainerTail,
    Done,
}

/// Result of scanning one value.
enum Scan {
    Complete,
    Eof,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// Splits a decompressed byte stream into records. See the module docs.
pub(crate) struct Framer<R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    /// Start of the value being captured, as an index into `buf`.
    mark: Option<usize>,
    /// Absolute offset of the value being captured.
    capture_start: u64,
    /// The value being captured outgrew the limit; its bytes are being dropped.
    oversize: bool,
    /// The value being captured has whitespace between tokens.
    spaced: bool,
    /// Absolute offset of `buf[0]`.
    base: u64,
    eof: bool,
    /// A read error that came with data; returned by the next `fill`.
    pending_error: Option<io::Error>,
    state: State,
    max_record: usize,
    form: Option<Form>,
}

impl Framer<io::Empty> {
    /// A framer over content already whole in memory (`content`), framed in
    /// place without copying; [`Framer::into_buffer`] gives it back.
    pub(crate) fn in_memory(content: Vec<u8>, max_record: usize) -> Self {
        let mut framer = Framer::with_buffer(io::empty(), max_record, Vec::new());
        framer.buf = content;
        framer.eof = true;
        framer
    }
}

impl<R: Read> Framer<R> {
    /// A framer over `reader` that keeps records up to `max_record` bytes.
    #[cfg(test)]
    pub(crate) fn new(reader: R, max_record: usize) -> Self {
        Self::with_buffer(reader, max_record, Vec::new())
    }

    /// Like [`Framer::new`], reusing `buf`'s allocation (see [`Framer::into_buffer`]).
    pub(crate) fn with_buffer(reader: R, max_record: usize, mut buf: Vec<u8>) -> Self {
        buf.clear();
        if buf.capacity() > 4 * CHUNK {
            buf = Vec::new();
        }
        Framer {
            reader,
            buf,
            pos: 0,
            mark: None,
            capture_start: 0,
            oversize: false,
            spaced: false,
            base: 0,
            eof: false,
            pending_error: None,
            state: State::Top,
            max_record,
            form: None,
        }
    }

    /// Gives back the read buffer for the next file.
    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.buf
    }

    /// The container form of the first records found, once known.
    pub(crate) fn form(&self) -> Option<Form> {
        self.form
    }

    /// The largest record kept, in bytes.
    pub(crate) fn max_record(&self) -> usize {
        self.max_record
    }

    /// Decompressed bytes consumed so far.
    pub(crate) fn position(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Reads more input, dropping consumed bytes. Returns `false` at end of input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let keep = self.mark.unwrap_or(self.pos).min(self.pos);
        if keep > 0 {
            self.buf.drain(..keep);
            self.base += keep as u64;
            self.pos -= keep;
            if let Some(m) = self.mark.as_mut() {
                *m -= keep;
            }
        }
        // `read_to_end` on a `Take` appends into spare capacity without
        // zero-filling it first (zeroing a chunk per read costs more than
        // parsing a small file).
        if let Some(e) = self.pending_error.take() {
            return Err(e);
        }
        let before = self.buf.len();
        let n = match (&mut self.reader)
            .take(CHUNK as u64)
            .read_to_end(&mut self.buf)
        {
            Ok(n) => n,
            // Frame what arrived before the error; report the error next time.
            Err(e) if self.buf.len() > before => {
                self.pending_error = Some(e);
                self.buf.len() - before
            }
            Err(e) => return Err(e),
        };
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// The first byte of the content after a byte-order mark and whitespace,
    /// without consuming it; `None` for empty content.
    pub(crate) fn peek_start(&mut self) -> io::Result<Option<u8>> {
        self.skip_bom()?;
        self.peek()
    }

    /// Skips whitespace and returns the next byte without consuming it.
    fn peek(&mut self) -> io::Result<Option<u8>> {
        loop {
            while let Some(&b) = self.buf.get(self.pos) {
                if !is_ws(b) {
                    return Ok(Some(b));
                }
                self.spaced |= self.mark.is_some();
                self.pos += 1;
            }
            if !self.fill()? {
                return Ok(None);
            }
        }
    }

    /// Up to `n` bytes from the current position, without consuming them
    /// (fewer at the end of the input).
    pub(crate) fn peek_prefix(&mut self, n: usize) -> io::Result<&[u8]> {
        while self.buf.len() - self.pos < n && self.fill()? {}
        let end = self.buf.len().min(self.pos + n);
        Ok(&self.buf[self.pos..end])
    }

    /// The next non-blank line (without its line ending) as an item, or an
    /// oversize frame for a line longer than the record limit, which is
    /// skipped without being buffered. Marks the content as lines of `form`.
    pub(crate) fn next_line(&mut self, form: Form) -> io::Result<Option<Frame<'_>>> {
        self.form = Some(form);
        loop {
            match self.buf.get(self.pos).copied() {
                Some(b'\n' | b'\r') => self.pos += 1,
                Some(_) => break,
                None if !self.fill()? => return Ok(None),
                None => {}
            }
        }
        self.begin_capture();
        let found = loop {
            if let Some(i) = memchr(b'\n', &self.buf[self.pos..]) {
                self.pos += i;
                break true;
            }
            self.pos = self.buf.len();
            self.check_size();
            if !self.fill()? {
                break false;
            }
        };
        self.check_size();
        let end = self.pos;
        if found {
            self.pos += 1;
        }
        match self.mark.take() {
            None => Ok(Some(Frame::Oversize {
                offset: self.capture_start,
                len: self.base + end as u64 - self.capture_start,
            })),
            Some(start) => {
                let mut line = &self.buf[start..end];
                if let Some(stripped) = line.strip_suffix(b"\r") {
                    line = stripped;
                }
                Ok(Some(Frame::Item {
                    offset: self.capture_start,
                    bytes: line,
                    spaced: false,
                }))
            }
        }
    }

    fn begin_capture(&mut self) {
        self.mark = Some(self.pos);
        self.capture_start = self.base + self.pos as u64;
        self.oversize = false;
        self.spaced = false;
    }

    fn check_size(&mut self) {
        if let Some(m) = self.mark {
            if self.pos - m > self.max_record {
                self.mark = None;
                self.oversize = true;
            }
        }
    }

    /// Scans one value starting at `pos` (which must not be whitespace).
    fn scan_value(&mut self) -> io::Result<Scan> {
        match self.buf.get(self.pos) {
            Some(b'{') | Some(b'[') => {
                self.pos += 1;
                self.scan_nested(1, false)
            }
            Some(b'"') => {
                self.pos += 1;
                self.scan_nested(0, true)
            }
            _ => self.scan_scalar(),
        }
    }

    fn scan_scalar(&mut self) -> io::Result<Scan> {
        loop {
            while let Some(&b) = self.buf.get(self.pos) {
                if is_ws(b) || matches!(b, b',' | b'}' | b']') {
                    return Ok(Scan::Complete);
                }
                self.pos += 1;
            }
            self.check_size();
            if !self.fill()? {
                return Ok(Scan::Complete);
            }
        }
    }

    /// Scans until nesting returns to zero (or the string at depth 0 closes).
    fn scan_nested(&mut self, depth: u64, in_str: bool) -> io::Result<Scan> {
        let mut nesting = Nesting {
            depth,
            in_str,
            ..Nesting::default()
        };
        let scan = loop {
            if self.pos >= self.buf.len() {
                self.check_size();
                if !self.fill()? {
                    break Scan::Eof;
                }
                continue;
            }
            match nesting.scan(&self.buf[self.pos..]) {
                Some(i) => {
                    self.pos += i;
                    break Scan::Complete;
                }
                None => self.pos = self.buf.len(),
            }
        };
        self.spaced |= nesting.spaced;
        Ok(scan)
    }

    /// Ends a capture: the item, or the report of an oversize one.
    fn finish_capture(&mut self) -> Frame<'_> {
        let offset = self.capture_start;
        let end = self.base + self.pos as u64;
        match self.mark.take() {
            Some(m) if !self.oversize && self.pos - m <= self.max_record => Frame::Item {
                offset,
                bytes: &self.buf[m..self.pos],
                spaced: self.spaced,
            },
            _ => Frame::Oversize {
                offset,
                len: end - offset,
            },
        }
    }

    /// Reports a syntax error at `offset` and resynchronises after the next newline.
    fn damaged(&mut self, offset: u64, found: &str) -> io::Result<Frame<'_>> {
        self.mark = None;
        self.state = State::Top;
        let from = self.position();
        while self.state != State::Done && !self.at_line_start_of_value()? {
            self.skip_line()?;
        }
        let skipped = self.position() - from;
        Ok(Frame::Damaged {
            offset,
            kind: RejectKind::MalformedJson,
            detail: format!(
                "{found}; skipped {skipped} bytes to the next line starting with '{{' or '['"
            ),
        })
    }

    /// Consumes input through the next newline (or to the end).
    fn skip_line(&mut self) -> io::Result<()> {
        loop {
            if let Some(i) = memchr(b'\n', &self.buf[self.pos..]) {
                self.pos += i + 1;
                return Ok(());
            }
            self.pos = self.buf.len();
            if !self.fill()? {
                self.state = State::Done;
                return Ok(());
            }
        }
    }

    /// Whether `pos` starts a line (or the input) and holds `{` or `[` there:
    /// where a JSON Lines record or a new top-level value begins.
    fn at_line_start_of_value(&mut self) -> io::Result<bool> {
        let line_start =
            self.pos == 0 && self.base == 0 || self.pos > 0 && self.buf[self.pos - 1] == b'\n';
        if !line_start {
            return Ok(false);
        }
        while self.pos >= self.buf.len() {
            if !self.fill()? {
                self.state = State::Done;
                return Ok(false);
            }
        }
        Ok(matches!(self.buf[self.pos], b'{' | b'['))
    }

    fn truncated(&mut self, what: &str) -> Frame<'_> {
        self.state = State::Done;
        let offset = if self.mark.is_some() || self.oversize {
            self.capture_start
        } else {
            self.position()
        };
        self.mark = None;
        Frame::Damaged {
            offset,
            kind: RejectKind::Truncated,
            detail: format!("the input ends inside {what}"),
        }
    }

    fn unexpected(&self, expected: &str, found: Option<u8>) -> String {
        match found {
            Some(b) if b.is_ascii_graphic() => {
                format!("expected {expected}, found '{}'", b as char)
            }
            Some(b) => format!("expected {expected}, found byte 0x{b:02x}"),
            None => format!("expected {expected}, found the end of input"),
        }
    }

    /// The next record, damaged stretch or oversize record; `None` at the end.
    pub(crate) fn next_frame(&mut self) -> io::Result<Option<Frame<'_>>> {
        loop {
            match self.state {
                State::Done => return Ok(None),
                State::Top => {
                    if self.position() == 0 {
                        self.skip_bom()?;
                    }
                    match self.peek()? {
                        None => {
                            self.state = State::Done;
                            return Ok(None);
                        }
                        Some(b'[') => {
                            self.form.get_or_insert(Form::Array);
                            self.pos += 1;
                            self.state = State::ArrayFirst { container: false };
                        }
                        Some(b'{') => match self.top_object()? {
                            TopObject::Container => {}
                            TopObject::Finished => return Ok(Some(self.finish_capture())),
                            TopObject::Truncated => return Ok(Some(self.truncated("a record"))),
                            TopObject::Syntax(at, msg) => return self.damaged(at, &msg).map(Some),
                        },
                        other => {
                            let at = self.position();
                            let msg = self.unexpected("'{' or '[' to start a record", other);
                            return self.damaged(at, &msg).map(Some);
                        }
                    }
                }
                State::ArrayFirst { container } | State::ArrayNext { container } => {
                    let first = matches!(self.state, State::ArrayFirst { .. });
                    let next = self.peek()?;
                    match next {
                        None => return Ok(Some(self.truncated("an array"))),
                        Some(b']') => {
                            self.pos += 1;
                            self.state = if container {
                                State::ContainerTail
                            } else {
                                State::Top
                            };
                        }
                        Some(b',') if !first => {
                            self.pos += 1;
                            match self.peek()? {
                                None => return Ok(Some(self.truncated("an array"))),
                                Some(_) => return self.capture_element().map(Some),
                            }
                        }
                        Some(_) if first => {
                            self.state = State::ArrayNext { container };
                            return self.capture_element().map(Some);
                        }
                        other => {
                            let at = self.position();
                            let msg = self.unexpected("',' or ']' after a record", other);
                            return self.damaged(at, &msg).map(Some);
                        }
                    }
                }
                State::ContainerTail => match self.peek()? {
                    None => return Ok(Some(self.truncated("the top-level object"))),
                    Some(b'}') => {
                        self.pos += 1;
                        self.state = State::Top;
                    }
                    Some(b',') => {
                        self.pos += 1;
                        if let Err(msg) = self.skip_member()? {
                            let at = self.position();
                            return self.damaged(at, &msg).map(Some);
                        }
                    }
                    other => {
                        let at = self.position();
                        let msg = self.unexpected("',' or '}' in the top-level object", other);
                        return self.damaged(at, &msg).map(Some);
                    }
                },
            }
        }
    }

    fn skip_bom(&mut self) -> io::Result<()> {
        while self.buf.len() < 3 && self.fill()? {}
        if self.buf.starts_with(b"\xEF\xBB\xBF") && self.pos == 0 {
            self.pos = 3;
        }
        Ok(())
    }

    fn capture_element(&mut self) -> io::Result<Frame<'_>> {
        self.begin_capture();
        match self.scan_value()? {
            Scan::Complete => Ok(self.finish_capture()),
            Scan::Eof => Ok(self.truncated("a record")),
        }
    }

    /// Skips `"key": value` inside a container object's tail.
    fn skip_member(&mut self) -> io::Result<Result<(), String>> {
        let found = self.peek()?;
        if found != Some(b'"') {
            return Ok(Err(self.unexpected("a key", found)));
        }
        if let Scan::Eof = self.scan_value()? {
            return Ok(Ok(()));
        }
        let found = self.peek()?;
        if found != Some(b':') {
            return Ok(Err(self.unexpected("':' after a key", found)));
        }
        self.pos += 1;
        if self.peek()?.is_some() {
            self.scan_value()?;
        }
        Ok(Ok(()))
    }

    /// Handles a top-level object: either a container whose record array
    /// (`Records`, `Events`, `Findings`, …) is then streamed (state switched), or a record in its
    /// own right.
    fn top_object(&mut self) -> io::Result<TopObject> {
        self.begin_capture();
        self.pos += 1;
        let mut first_member = true;
        loop {
            let found = self.peek()?;
            match found {
                None => return Ok(TopObject::Truncated),
                Some(b'}') => {
                    self.pos += 1;
                    self.form.get_or_insert(Form::Values);
                    return Ok(TopObject::Finished);
                }
                Some(b',') if !first_member => {
                    self.pos += 1;
                    continue;
                }
                Some(b'"') => {}
                _ => return Ok(self.top_object_syntax(found)),
            }
            first_member = false;
            let key_start = self.base + self.pos as u64;
            if let Scan::Eof = self.scan_value()? {
                return Ok(TopObject::Truncated);
            }
            let key = self.key_since(key_start);
            let found = self.peek()?;
            if found != Some(b':') {
                return Ok(self.top_object_syntax(found));
            }
            self.pos += 1;
            let found = self.peek()?;
            let container = match key {
                Some(Key::Records) => Form::Records,
                Some(Key::Events) => Form::Events,
                Some(Key::Rows) => Form::Rows,
                Some(Key::Findings) => Form::Findings,
                Some(Key::LogEvents) => Form::LogEvents,
                None => Form::Values,
            };
            if container != Form::Values && found == Some(b'[') && !self.oversize {
                self.mark = None;
                self.pos += 1;
                self.form.get_or_insert(container);
                self.state = State::ArrayFirst { container: true };
                return Ok(TopObject::Container);
            }
            if found.is_none() {
                return Ok(TopObject::Truncated);
            }
            if let Scan::Eof = self.scan_value()? {
                return Ok(TopObject::Truncated);
            }
        }
    }

    fn top_object_syntax(&self, found: Option<u8>) -> TopObject {
        let msg = self.unexpected("a key or '}' in an object", found);
        TopObject::Syntax(
            self.capture_start,
            format!("{msg} at byte {}", self.position()),
        )
    }

    /// Recognises the container keys among a just-scanned key's bytes.
    fn key_since(&self, key_start: u64) -> Option<Key> {
        let m = self.mark?;
        let start = usize::try_from(key_start.checked_sub(self.base)?).ok()?;
        if start < m {
            return None;
        }
        match &self.buf[start..self.pos] {
            b"\"Records\"" => Some(Key::Records),
            b"\"Events\"" => Some(Key::Events),
            b"\"QueryResultRows\"" => Some(Key::Rows),
            b"\"Findings\"" => Some(Key::Findings),
            b"\"events\"" | b"\"logEvents\"" => Some(Key::LogEvents),
            _ => None,
        }
    }
}

/// Keys that make a top-level object a container of records.
enum Key {
    Records,
    Events,
    Rows,
    Findings,
    LogEvents,
}

/// Outcome of reading a top-level object.
enum TopObject {
    /// It is a container; its array is being streamed.
    Container,
    /// It is a record, now fully captured.
    Finished,
    /// The input ended inside it.
    Truncated,
    /// A syntax error at the given offset.
    Syntax(u64, String),
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out one byte per call, to exercise every chunk boundary.
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match (self.0.split_first(), buf.first_mut()) {
                (Some((b, rest)), Some(slot)) => {
                    *slot = *b;
                    self.0 = rest;
                    Ok(1)
                }
                _ => Ok(0),
            }
        }
    }

    #[derive(Debug, PartialEq)]
    enum Got {
        Item(u64, String),
        Oversize(u64, u64),
        Damaged(u64, RejectKind),
    }

    fn frames_with<R: Read>(reader: R, max: usize) -> (Vec<Got>, Option<Form>) {
        let mut f = Framer::new(reader, max);
        let mut out = Vec::new();
        while let Some(frame) = f.next_frame().unwrap() {
            out.push(match frame {
                Frame::Item {
                    offset,
                    bytes,
                    spaced,
                } => {
                    let text = String::from_utf8(bytes.to_vec()).unwrap();
                    assert_eq!(spaced, text.contains([' ', '\n']), "{text:?}");
                    Got::Item(offset, text)
                }
                Frame::Oversize { offset, len } => Got::Oversize(offset, len),
                Frame::Damaged { offset, kind, .. } => Got::Damaged(offset, kind),
            });
        }
        (out, f.form())
    }

    /// Frames `input` both in one read and byte by byte; both must agree.
    fn frames(input: &str, max: usize) -> (Vec<Got>, Option<Form>) {
        let whole = frames_with(input.as_bytes(), max);
        let trickled = frames_with(Trickle(input.as_bytes()), max);
        assert_eq!(whole, trickled, "chunking changed the framing of {input:?}");
        whole
    }

    fn items(input: &str) -> Vec<String> {
        frames(input, 1 << 20)
            .0
            .into_iter()
            .map(|g| match g {
                Got::Item(_, s) => s,
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn streams_records_arrays_with_offsets() {
        let input = r#"{"Records":[{"a":1},{"b":"x}]\"y"}]}"#;
        let (got, form) = frames(input, 1 << 20);
        assert_eq!(
            got,
            vec![
                Got::Item(12, r#"{"a":1}"#.into()),
                Got::Item(20, r#"{"b":"x}]\"y"}"#.into())
            ]
        );
        assert_eq!(form, Some(Form::Records));
    }

    #[test]
    fn streams_concatenated_lookup_pages_and_skips_other_keys() {
        let input = "{\"Events\": [ {\"e\":1} ], \"NextToken\": \"t1\"}\n{\"Events\":[{\"e\":2},{\"e\":3}]}";
        assert_eq!(items(input), vec!["{\"e\":1}", "{\"e\":2}", "{\"e\":3}"]);
        assert_eq!(frames(input, 1 << 20).1, Some(Form::Events));
    }

    #[test]
    fn streams_cloudtrail_lake_result_rows() {
        let input =
            r#"{"QueryStatus":"FINISHED","QueryResultRows":[[{"eventID":"a"}],[{"eventID":"b"}]]}"#;
        assert_eq!(
            items(input),
            vec![r#"[{"eventID":"a"}]"#, r#"[{"eventID":"b"}]"#]
        );
        assert_eq!(frames(input, 1 << 20).1, Some(Form::Rows));
    }

    #[test]
    fn streams_guardduty_findings_and_cloudwatch_log_events() {
        let input = r#"{"Findings":[{"Id":"a"},{"Id":"b"}]}"#;
        assert_eq!(items(input), vec![r#"{"Id":"a"}"#, r#"{"Id":"b"}"#]);
        assert_eq!(frames(input, 1 << 20).1, Some(Form::Findings));
        let input = "{\"events\":[{\"message\":\"m1\"}],\"nextForwardToken\":\"f\"}\n{\"messageType\":\"DATA_MESSAGE\",\"logEvents\":[{\"message\":\"m2\"}]}";
        assert_eq!(
            items(input),
            vec![r#"{"message":"m1"}"#, r#"{"message":"m2"}"#]
        );
        assert_eq!(frames(input, 1 << 20).1, Some(Form::LogEvents));
    }

    #[test]
    fn container_key_after_other_keys_is_still_a_container() {
        assert_eq!(
            items(r#"{"NextToken":null,"Events":[{"e":1}]}"#),
            vec![r#"{"e":1}"#]
        );
    }

    #[test]
    fn frames_arrays_json_lines_and_pretty_values() {
        assert_eq!(
            items("[ {\"a\":1} , {\"a\":2} ]"),
            vec!["{\"a\":1}", "{\"a\":2}"]
        );
        assert_eq!(
            items("{\"a\":1}\n{\"a\":2}\r\n\n"),
            vec!["{\"a\":1}", "{\"a\":2}"]
        );
        assert_eq!(
            items("{\n  \"a\": {\n    \"b\": [1, 2]\n  }\n}\n{\"c\":3}"),
            vec!["{\n  \"a\": {\n    \"b\": [1, 2]\n  }\n}", "{\"c\":3}"]
        );
        assert_eq!(items("[]"), Vec::<String>::new());
        assert_eq!(items("   "), Vec::<String>::new());
        assert_eq!(items("{\"Records\":[]}"), Vec::<String>::new());
    }

    #[test]
    fn non_object_elements_are_items_for_the_classifier_to_reject() {
        assert_eq!(
            items("[1, \"s\", null, [2]]"),
            vec!["1", "\"s\"", "null", "[2]"]
        );
    }

    #[test]
    fn skips_a_byte_order_mark() {
        assert_eq!(items("\u{feff}{\"a\":1}"), vec!["{\"a\":1}"]);
    }

    #[test]
    fn lines_longer_than_the_limit_are_skipped_and_the_next_one_is_read() {
        let input = format!("\r\nshort\r\n{}\nlast", "x".repeat(600 << 10));
        let mut f = Framer::new(input.as_bytes(), 1024);
        let mut got = Vec::new();
        while let Some(frame) = f.next_line(Form::S3Access).unwrap() {
            got.push(match frame {
                Frame::Item { offset, bytes, .. } => {
                    format!("{offset}:{}", String::from_utf8_lossy(bytes))
                }
                Frame::Oversize { offset, len } => format!("{offset}:oversize {len}"),
                Frame::Damaged { .. } => "damaged".into(),
            });
        }
        let last = 2 + 7 + (600 << 10) + 1;
        assert_eq!(
            got,
            [
                "2:short".to_owned(),
                format!("9:oversize {}", 600 << 10),
                format!("{last}:last")
            ]
        );
        assert_eq!(f.form(), Some(Form::S3Access));
        assert!(f.buf.capacity() < 4 << 20, "{}", f.buf.capacity());
    }

    #[test]
    fn oversize_records_are_skipped_and_the_next_one_is_read() {
        let big = format!("{{\"x\":\"{}\"}}", "y".repeat(100));
        let input = format!("[{big},{{\"a\":1}}]");
        let (got, _) = frames(&input, 50);
        assert_eq!(
            got,
            vec![
                Got::Oversize(1, big.len() as u64),
                Got::Item(big.len() as u64 + 2, "{\"a\":1}".into())
            ]
        );
    }

    #[test]
    fn truncation_is_reported_at_the_record_start() {
        let (got, _) = frames("{\"Records\":[{\"a\":1},{\"b\":", 1 << 20);
        assert_eq!(
            got,
            vec![
                Got::Item(12, "{\"a\":1}".into()),
                Got::Damaged(20, RejectKind::Truncated)
            ]
        );
        let (got, _) = frames("{\"a\":1}\n{\"b\":\"unterminated", 1 << 20);
        assert_eq!(got[1], Got::Damaged(8, RejectKind::Truncated));
    }

    #[test]
    fn syntax_errors_resynchronise_at_the_next_line() {
        let (got, _) = frames(
            "{\"a\":1}\ngarbage here\n{\"b\":2}\n{\"c\" 3}\n{\"d\":4}",
            1 << 20,
        );
        assert_eq!(
            got,
            vec![
                Got::Item(0, "{\"a\":1}".into()),
                Got::Damaged(8, RejectKind::MalformedJson),
                Got::Item(21, "{\"b\":2}".into()),
                Got::Damaged(29, RejectKind::MalformedJson),
                Got::Item(37, "{\"d\":4}".into()),
            ]
        );
        let (got, _) = frames("[{\"a\":1} {\"b\":2}]", 1 << 20);
        assert_eq!(got[1], Got::Damaged(9, RejectKind::MalformedJson));
    }

    #[test]
    fn deep_nesting_is_framed_without_recursion() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let input = format!("{{\"Records\":[{deep},{{\"a\":1}}]}}");
        let (got, _) = frames_with(input.as_bytes(), 1 << 20);
        assert_eq!(got.len(), 2);
        assert_eq!(
            got[1],
            Got::Item(12 + deep.len() as u64 + 1, "{\"a\":1}".into())
        );
    }

    #[test]
    fn memory_stays_bounded_on_a_huge_single_line() {
        // 64 MiB of one string value: the framer must not buffer it.
        struct Endless {
            left: usize,
            started: bool,
        }
        impl Read for Endless {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                if !self.started {
                    self.started = true;
                    buf[..7].copy_from_slice(b"[{\"x\":\"");
                    return Ok(7);
                }
                let n = buf.len().min(self.left);
                buf[..n].fill(b'a');
                self.left -= n;
                Ok(n)
            }
        }
        let mut f = Framer::new(
            Endless {
                left: 64 << 20,
                started: false,
            },
            1 << 20,
        );
        let frame = f.next_frame().unwrap();
        assert!(matches!(
            frame,
            Some(Frame::Damaged {
                kind: RejectKind::Truncated,
                ..
            })
        ));
        assert!(
            f.buf.capacity() < 4 << 20,
            "buffer grew to {}",
            f.buf.capacity()
        );
    }
}
