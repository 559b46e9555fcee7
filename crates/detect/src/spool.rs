//! Findings held for time ordering: a compact, format-free encoding that the
//! external sort can spill and merge, and the replay that decodes the merged
//! stream into findings for a sink.
//!
//! An entry is `u32` length (of the rest), then time (`i64`), file ordinal and
//! record (`u64`), level and origin (`u8`), what the input list cannot give of
//! the file ([`cloudcase_read::put_member`]), then the strings as `u32` length
//! and bytes (`u32::MAX`: absent), all little-endian. The file is found again
//! in the hunt's input list ([`FileFinder`]).

use std::borrow::Cow;
use std::io::{self, Write};

use cloudcase_event::{EventTime, SourceFile};
use cloudcase_read::{put_member, read_member, FileFinder, UnlistedMember};
use cloudcase_sigma::Level;
use cloudcase_util::fields::{put_entry, put_i64, put_str, put_u64, EntrySplitter, Fields};

use crate::finding::{FindingView, Origin};
use crate::sink::{FindingSink, SinkError};

const ORIGINS: [Origin; 3] = [Origin::Rule, Origin::Correlation, Origin::Analytic];
/// Bytes before the strings: time, file, record, level, origin.
const FIXED: usize = 8 + 8 + 8 + 1 + 1;

/// Appends `f` as one entry.
pub(crate) fn encode(f: &FindingView<'_>, out: &mut Vec<u8>) {
    put_entry(out, |out| {
        put_i64(out, f.time.millis());
        put_u64(out, f.file.ordinal);
        put_u64(out, f.record);
        out.push(Level::ALL.iter().position(|l| *l == f.level).unwrap_or(0) as u8);
        out.push(ORIGINS.iter().position(|o| *o == f.origin).unwrap_or(0) as u8);
        put_member(out, f.file);
        for s in [
            Some(f.rule_id),
            Some(f.title),
            Some(&f.tactics),
            Some(&f.techniques),
            f.detail,
            f.principal,
            f.principal_type,
            f.access_key,
            f.source_ip,
            f.region,
            f.account,
            Some(f.event_source),
            Some(f.event_name),
            f.error_code,
            f.event_id,
        ] {
            put_str(out, s);
        }
    });
}

/// Where an entry's file is: its ordinal and, for a member of an archive found while
/// reading, the member.
fn file_of(body: &[u8]) -> Option<(u64, Option<UnlistedMember<'_>>)> {
    let mut c = Fields::new(body);
    c.u64()?;
    let ordinal = c.u64()?;
    c.take(FIXED - 16)?;
    Some((ordinal, read_member(&mut c)?))
}

/// Decodes one entry (without its length prefix), in `file` (found from its [`file_of`]).
fn decode<'a>(body: &'a [u8], file: &'a SourceFile) -> Option<FindingView<'a>> {
    let mut c = Fields::new(body);
    let time = EventTime::from_millis(c.u64()? as i64);
    c.u64()?;
    let record = c.u64()?;
    let level = *Level::ALL.get(usize::from(c.u8()?))?;
    let origin = *ORIGINS.get(usize::from(c.u8()?))?;
    read_member(&mut c)?;
    Some(FindingView {
        rule_id: c.str()?,
        title: c.str()?,
        level,
        origin,
        tactics: Cow::Borrowed(c.str()?),
        techniques: Cow::Borrowed(c.str()?),
        detail: c.opt()?,
        time,
        principal: c.opt()?,
        principal_type: c.opt()?,
        access_key: c.opt()?,
        source_ip: c.opt()?,
        region: c.opt()?,
        account: c.opt()?,
        event_source: c.str()?,
        event_name: c.str()?,
        error_code: c.opt()?,
        event_id: c.opt()?,
        file,
        record,
    })
}

/// The rule id of an entry, for ordering findings on the same record.
fn rule_id(body: &[u8]) -> &[u8] {
    let mut c = Fields::new(body);
    c.take(FIXED);
    read_member(&mut c)
        .and_then(|_| c.str())
        .map(str::as_bytes)
        .unwrap_or_default()
}

/// Receives the merged entries (as a writer, which is what the merge of the
/// external sort writes to) and hands them, decoded, to a sink.
///
/// Findings on the same record (same time, file and record) are handed over
/// ordered by rule id, then by content, so that the output does not depend on
/// how the work was split between threads.
pub(crate) struct Replay<'a, 's> {
    files: FileFinder<'a>,
    sink: &'s mut dyn FindingSink,
    entries: EntrySplitter,
    group: Vec<Vec<u8>>,
    spare: Vec<Vec<u8>>,
    /// Why the sink stopped, if it did.
    pub error: Option<SinkError>,
}

impl<'a, 's> Replay<'a, 's> {
    /// A replay into `sink`, resolving files in `files`.
    pub(crate) fn new(files: FileFinder<'a>, sink: &'s mut dyn FindingSink) -> Self {
        Replay {
            files,
            sink,
            entries: EntrySplitter::default(),
            group: Vec::new(),
            spare: Vec::new(),
            error: None,
        }
    }

    /// Queues one entry body; hands over the previous group when it starts a new one.
    fn entry(&mut self, body: &[u8]) -> io::Result<()> {
        let same = |a: &[u8]| a.get(..24) == body.get(..24);
        if self.group.first().is_some_and(|g| !same(g)) {
            self.flush_group()?;
        }
        let mut owned = self.spare.pop().unwrap_or_default();
        owned.clear();
        owned.extend_from_slice(body);
        self.group.push(owned);
        Ok(())
    }

    /// Hands the queued group to the sink.
    fn flush_group(&mut self) -> io::Result<()> {
        let mut group = std::mem::take(&mut self.group);
        if group.len() > 1 {
            group.sort_by(|a, b| rule_id(a).cmp(rule_id(b)).then_with(|| a.cmp(b)));
        }
        let mut result = Ok(());
        for body in &group {
            let files = &mut self.files;
            let file = file_of(body).and_then(|(ordinal, member)| files.get(ordinal, member));
            let Some(view) = file.as_deref().and_then(|f| decode(body, f)) else {
                result = Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a held finding could not be read back",
                ));
                break;
            };
            if let Err(e) = self.sink.finding(&view) {
                self.error = Some(e);
                result = Err(io::Error::other("the sink stopped"));
                break;
            }
        }
        self.spare.append(&mut group);
        self.group = group;
        result
    }

    /// Hands over what is still queued.
    pub(crate) fn finish(&mut self) -> io::Result<()> {
        if self.entries.is_cut() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "a held finding was cut short",
            ));
        }
        self.flush_group()
    }
}

impl Write for Replay<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut entries = std::mem::take(&mut self.entries);
        let result = entries.feed(buf, |body| self.entry(body));
        self.entries = entries;
        result.map(|()| buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::jsonl::push_line;
    use crate::sink::testing::*;
    use crate::summary::HuntSummary;
    use std::sync::Arc;

    /// Collects findings as JSON lines.
    #[derive(Default)]
    struct Lines(Vec<u8>);

    impl FindingSink for Lines {
        fn finding(&mut self, f: &FindingView<'_>) -> Result<(), SinkError> {
            push_line(&mut self.0, f, &jiff::tz::TimeZone::UTC);
            Ok(())
        }

        fn finish(&mut self, _: &HuntSummary) -> Result<(), SinkError> {
            Ok(())
        }
    }

    fn line(f: &FindingView<'_>) -> String {
        let mut out = Vec::new();
        push_line(&mut out, f, &jiff::tz::TimeZone::UTC);
        String::from_utf8(out).unwrap()
    }

    /// Replays `bytes` written in chunks of `chunk` bytes.
    fn replay(files: &dyn cloudcase_read::Files, bytes: &[u8], chunk: usize) -> String {
        let mut sink = Lines::default();
        let mut r = Replay::new(FileFinder::new(files), &mut sink);
        for piece in bytes.chunks(chunk) {
            r.write_all(piece).unwrap();
        }
        r.finish().unwrap();
        String::from_utf8(sink.0).unwrap()
    }

    #[test]
    fn every_field_comes_back_and_absent_differs_from_empty() {
        let files = [Arc::new(source())];
        let mut f = view(&files[0]);
        f.detail = Some("");
        f.error_code = Some("AccessDenied");
        f.origin = Origin::Analytic;
        f.level = Level::Informational;
        let mut bytes = Vec::new();
        encode(&f, &mut bytes);
        let body = &bytes[4..];
        assert_eq!(file_of(body), Some((files[0].ordinal, None)));
        let back = decode(body, &files[0]).unwrap();
        assert_eq!(line(&back), line(&f));
        assert_eq!((back.detail, back.region), (Some(""), Some("us-east-1")));
        f.detail = None;
        let mut bytes = Vec::new();
        encode(&f, &mut bytes);
        assert_eq!(decode(&bytes[4..], &files[0]).unwrap().detail, None);
    }

    #[test]
    fn findings_on_one_record_come_in_rule_order_however_the_bytes_arrive() {
        let files = vec![Arc::new(source())];
        let base = view(&files[0]);
        let mut later = base.clone();
        later.time = EventTime::from_millis(base.time.millis() + 1);
        let (mut b, mut a) = (base.clone(), base.clone());
        b.rule_id = "r-b";
        a.rule_id = "r-a";
        let mut bytes = Vec::new();
        for f in [&b, &a, &later] {
            encode(f, &mut bytes);
        }
        let want = [line(&a), line(&b), line(&later)].concat();
        for chunk in [1, 7, bytes.len()] {
            assert_eq!(replay(&files, &bytes, chunk), want);
        }
    }

    #[test]
    fn files_are_found_by_ordinal_wherever_they_sit() {
        let mut other = source();
        other.ordinal = 5;
        other.path = "elsewhere.json".into();
        let files = vec![Arc::new(source()), Arc::new(other)];
        let f = view(&files[1]);
        let mut bytes = Vec::new();
        encode(&f, &mut bytes);
        assert!(replay(&files, &bytes, 3).contains("\"file\":\"elsewhere.json\""));
        let mut sink = Lines::default();
        let first = files[..1].to_vec();
        let mut r = Replay::new(FileFinder::new(&first), &mut sink);
        r.write_all(&bytes).unwrap();
        assert!(
            r.finish().is_err(),
            "an unknown file is an error, not a wrong pointer"
        );
    }

    #[test]
    fn a_truncated_entry_is_an_error() {
        let files = vec![Arc::new(source())];
        let mut bytes = Vec::new();
        encode(&view(&files[0]), &mut bytes);
        let mut sink = Lines::default();
        let mut r = Replay::new(FileFinder::new(&files), &mut sink);
        r.write_all(&bytes[..bytes.len() - 1]).unwrap();
        assert!(r.finish().is_err());
    }
}
