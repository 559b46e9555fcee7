//! Reading one input file: open, decompress, frame, normalize, account.

use std::io;
use std::sync::Arc;

use cloudcase_event::{Event, Provenance, SourceFile};

use cloudcase_util::gzip::StoredBytes;

use crate::archive;
use crate::decompress::{self, Opened};
use crate::framing::{Frame, Framer};
use crate::lines::{Line, LineFormat};
use crate::normalize::{classify, Classified, Scratch, DIGEST_INSIDE, INVENTORY_INSIDE};
use crate::{Accounting, Limits, RejectKind, Rejection};

/// Where a file's events and problems go.
pub(crate) struct FileOutput<'a> {
    pub on_event: &'a mut dyn FnMut(Event),
    pub on_reject: &'a (dyn Fn(Rejection) + Sync),
}

/// One file's (or archive member's) read in progress.
pub(crate) struct FileRun<'a, 'b> {
    pub file: &'a Arc<SourceFile>,
    pub out: &'a mut FileOutput<'b>,
    pub acc: Accounting,
    record: u64,
}

impl<'a, 'b> FileRun<'a, 'b> {
    /// A run over `file` that has seen it and read nothing yet.
    pub(crate) fn new(file: &'a Arc<SourceFile>, out: &'a mut FileOutput<'b>) -> Self {
        FileRun {
            file,
            out,
            acc: Accounting {
                files_seen: 1,
                ..Accounting::default()
            },
            record: 0,
        }
    }

    fn report(
        &mut self,
        kind: RejectKind,
        record: Option<u64>,
        offset: Option<u64>,
        detail: String,
    ) {
        (self.out.on_reject)(Rejection {
            file: self.file.path.clone(),
            origin: self.file.origin.clone(),
            record,
            offset,
            kind,
            detail,
        });
    }

    pub(crate) fn skip_file(&mut self, kind: RejectKind, detail: String) {
        self.acc.skip_file(kind);
        self.report(kind, None, None, detail);
    }

    fn reject_record(&mut self, kind: RejectKind, offset: u64, detail: String) {
        self.acc.reject(kind);
        let record = self.record;
        self.report(kind, Some(record), Some(offset), detail);
        self.record += 1;
    }
}

/// Reads every record of `file`, passing events and rejections to `out`, and
/// returns the file's accounting. An archive's members are all read with
/// its first member (they are one stream); the others read nothing here.
pub(crate) fn read_file(
    file: &Arc<SourceFile>,
    limits: Limits,
    scratch: &mut Scratch,
    out: &mut FileOutput<'_>,
) -> Accounting {
    match &file.member {
        Some(m) if m.index > 0 => Accounting::default(),
        _ => read_source(file, limits, scratch, out),
    }
}

/// Reads `file`, or the whole archive it is a member of.
pub(crate) fn read_source(
    file: &Arc<SourceFile>,
    limits: Limits,
    scratch: &mut Scratch,
    out: &mut FileOutput<'_>,
) -> Accounting {
    // The members of an archive found only while reading were not listed (`members` is 0).
    let (file, listed) = match &file.member {
        Some(m) => (&m.archive, (m.members > 0).then_some(m.members)),
        None => (file, None),
    };
    let mut run = FileRun::new(file, out);
    let mut reader = match decompress::open(&file.path, limits, Some(&mut scratch.inflater)) {
        Ok(Opened::Content(content)) => content,
        Ok(Opened::Unsupported { name, stored }) => {
            run.skip_file(
                RejectKind::UnsupportedCompression,
                format!("{name} compression is not supported; decompress the file first"),
            );
            run.acc.bytes_read = stored.get();
            return run.acc;
        }
        Err(e) => {
            run.skip_file(RejectKind::Unreadable, format!("cannot open: {e}"));
            return run.acc;
        }
    };
    let gzip = reader.is_gzip();
    let disk = reader.stored_bytes();
    let in_place = reader
        .inflated()
        .is_some_and(|content| archive::Kind::of(content).is_none());
    if let Some(content) = in_place.then(|| reader.take_inflated()).flatten() {
        let mut framer = Framer::in_memory(content, limits.max_record_bytes);
        run.acc = read_framed(&mut run, &mut framer, gzip, &disk, limits, scratch);
        scratch.inflater.give_back(framer.into_buffer());
        run.acc.bytes_read = disk.get();
        return run.acc;
    }
    let sniffed = archive::sniff(reader);
    if let Some(kind) = sniffed.kind {
        let content = std::io::BufReader::new(sniffed.reader);
        return archive::read_archive(kind, content, &disk, limits, scratch, run, listed);
    }
    let acc = read_stream(&mut run, sniffed.reader, gzip, &disk, limits, scratch);
    run.acc = acc;
    run.acc.bytes_read = disk.get();
    run.acc
}

/// Reads the records of one file's (or archive member's) content, `gzip` if
/// it was gzip, `disk` counting its bytes as stored, and returns the run's
/// accounting with its decompressed byte count.
pub(crate) fn read_stream<R: io::Read>(
    run: &mut FileRun<'_, '_>,
    reader: R,
    gzip: bool,
    disk: &StoredBytes,
    limits: Limits,
    scratch: &mut Scratch,
) -> Accounting {
    let buffer = std::mem::take(&mut scratch.read_buffer);
    let mut framer = Framer::with_buffer(reader, limits.max_record_bytes, buffer);
    let acc = read_framed(run, &mut framer, gzip, disk, limits, scratch);
    scratch.read_buffer = framer.into_buffer();
    acc
}

/// Reads the records `framer` frames: [`read_stream`]'s work, for content
/// streamed or whole in memory.
fn read_framed<R: io::Read>(
    run: &mut FileRun<'_, '_>,
    framer: &mut Framer<R>,
    gzip: bool,
    disk: &StoredBytes,
    limits: Limits,
    scratch: &mut Scratch,
) -> Accounting {
    match read_records(run, framer, scratch) {
        Ok(Outcome::Skipped) => {}
        Ok(Outcome::Empty) => {
            let detail = empty_detail(disk.get(), framer.position(), gzip);
            run.skip_file(RejectKind::Empty, detail);
        }
        Ok(Outcome::Read) => run.acc.files_read = 1,
        Err(e) => {
            run.acc.files_read = 1;
            stream_error(run, &e, gzip, framer.position(), disk.get(), limits);
        }
    }
    if run.acc.files_read == 1 {
        let label = framer.form().map_or("empty", |f| f.label());
        *run.acc.formats.entry(label).or_default() += 1;
    }
    run.acc.bytes_decompressed = framer.position();
    std::mem::take(&mut run.acc)
}

enum Outcome {
    Read,
    Skipped,
    /// Nothing but whitespace (or nothing at all) before the end.
    Empty,
}

/// Says how an empty file is empty: 0 bytes on disk, a compressed stream
/// holding nothing, or only whitespace.
fn empty_detail(disk_bytes: u64, content_bytes: u64, gzip: bool) -> String {
    let why = if disk_bytes == 0 {
        "0 bytes".to_owned()
    } else if gzip && content_bytes == 0 {
        format!("{disk_bytes} compressed bytes that decompress to nothing")
    } else {
        format!("{content_bytes} bytes of whitespace only")
    };
    format!("{why}: log services never deliver an empty file; a truncated delivery or copy? nothing to read")
}

fn read_records<R: io::Read>(
    run: &mut FileRun<'_, '_>,
    framer: &mut Framer<R>,
    scratch: &mut Scratch,
) -> io::Result<Outcome> {
    match framer.peek_start()? {
        None => return Ok(Outcome::Empty),
        Some(b'{') | Some(b'[') => {}
        Some(_) => {
            let max_record = framer.max_record();
            let prefix = framer.peek_prefix(SNIFF_BYTES)?;
            if let Some(format) = LineFormat::sniff(prefix, run.file, max_record) {
                read_lines(run, framer, format, scratch)?;
                return Ok(Outcome::Read);
            }
            let b = prefix.first().copied().unwrap_or_default();
            run.skip_file(
                RejectKind::NotJson,
                format!("expected JSON (a '{{' or '[' first) or a line-based log (an S3 server access log, a VPC flow log with its header line or in the default format, a Cost and Usage Report with its header line, a CloudWatch Logs export of time-prefixed lines), found byte 0x{b:02x}"),
            );
            return Ok(Outcome::Skipped);
        }
    }
    while let Some(frame) = framer.next_frame()? {
        match frame {
            Frame::Item {
                offset,
                bytes,
                spaced,
            } => {
                let prov = Provenance {
                    file: Arc::clone(run.file),
                    record: run.record,
                    offset,
                };
                match classify(bytes, spaced, offset, prov, scratch) {
                    Classified::Event(ev) => {
                        run.acc.records_parsed += 1;
                        run.record += 1;
                        (run.out.on_event)(*ev);
                    }
                    Classified::Digest if run.record == 0 => {
                        run.skip_file(
                            RejectKind::Digest,
                            "integrity data, not events (check it with `cloudcase trail validate`)"
                                .into(),
                        );
                        return Ok(Outcome::Skipped);
                    }
                    Classified::Inventory if run.record == 0 => {
                        run.skip_file(
                            RejectKind::Inventory,
                            "an account's state at one time, not events (`cloudcase scope --case` reads it)"
                                .into(),
                        );
                        return Ok(Outcome::Skipped);
                    }
                    Classified::Inventory => run.reject_record(
                        RejectKind::NotCloudTrail,
                        offset,
                        INVENTORY_INSIDE.into(),
                    ),
                    Classified::Digest => {
                        run.reject_record(RejectKind::NotCloudTrail, offset, DIGEST_INSIDE.into())
                    }
                    Classified::Reject(kind, detail) => run.reject_record(kind, offset, detail),
                }
            }
            Frame::Oversize { offset, len } => run.reject_record(
                RejectKind::TooLarge,
                offset,
                format!("record of {len} bytes exceeds the limit (--max-record-bytes)"),
            ),
            Frame::Damaged {
                offset,
                kind,
                detail,
            } => run.reject_record(kind, offset, detail),
        }
    }
    Ok(Outcome::Read)
}

/// Bytes of a file's start looked at to recognise a line-based log.
const SNIFF_BYTES: usize = 512;

/// Reads a line-based log line by line: each line an event, a header (not
/// a record), or a rejection naming its offset and why it is not a record.
fn read_lines<R: io::Read>(
    run: &mut FileRun<'_, '_>,
    framer: &mut Framer<R>,
    mut format: LineFormat,
    scratch: &mut Scratch,
) -> io::Result<()> {
    while let Some(frame) = framer.next_line(format.form())? {
        match frame {
            Frame::Item { offset, bytes, .. } => {
                let prov = Provenance {
                    file: Arc::clone(run.file),
                    record: run.record,
                    offset,
                };
                match format.line(bytes, prov, scratch) {
                    Line::Event(ev) => {
                        run.acc.records_parsed += 1;
                        run.record += 1;
                        (run.out.on_event)(*ev);
                    }
                    Line::NotRecord => {}
                    Line::Reject {
                        offset,
                        kind,
                        detail,
                    } => run.reject_record(kind, offset, detail),
                }
            }
            Frame::Oversize { offset, len } => run.reject_record(
                RejectKind::TooLarge,
                format.oversize(offset),
                format!("line of {len} bytes exceeds the limit (--max-record-bytes)"),
            ),
            Frame::Damaged {
                offset,
                kind,
                detail,
            } => run.reject_record(kind, offset, detail),
        }
    }
    if let Some(Line::Reject {
        offset,
        kind,
        detail,
    }) = format.finish()
    {
        run.reject_record(kind, offset, detail);
    }
    Ok(())
}

/// Reports an error that ended a file's stream early.
fn stream_error(
    run: &mut FileRun<'_, '_>,
    err: &io::Error,
    gzip: bool,
    position: u64,
    disk: u64,
    limits: Limits,
) {
    let (kind, what) = if let Some(limit) = decompress::limit_hit(err, limits) {
        (RejectKind::DecompressLimit, limit)
    } else if gzip {
        (
            RejectKind::Decompress,
            format!("gzip stream broken near compressed byte {disk}: {err}"),
        )
    } else {
        (RejectKind::Unreadable, format!("read failed: {err}"))
    };
    let record = run.record;
    run.reject_record(
        kind,
        position,
        format!("{what}; records from index {record} on are lost"),
    );
}
