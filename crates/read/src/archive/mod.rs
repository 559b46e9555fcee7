//! Archives read in place: zip, tar and tar.gz, detected by content. Members
//! are streamed in order through the same reading as a file (sniffing, gzip,
//! framing, accounting) and never extracted: nothing is written, and a
//! member's name is only ever shown, sanitized, as `archive!member`.
//!
//! Guards: each member's output is capped by the gzip guard's size and ratio
//! ([`cloudcase_util::gzip::guard`]), the archive's members together by the
//! same size; at most [`Limits::max_archive_members`] members are read. An
//! archive inside an archive is not read (one level only). Encrypted members,
//! directories and links are reported, not read; the other members still are.
//! Zip is read front to back from its local headers (the central directory is
//! not consulted), so a zip's symlink flags, kept only there, are not seen.

mod name;
mod tar;
mod zip;

use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use cloudcase_event::{ArchiveMember, SourceFile};
use cloudcase_util::gzip::{self, Cap, RatioCap, StoredBytes, GZIP_MAGIC};
use flate2::bufread::{DeflateDecoder, MultiGzDecoder};

use crate::decompress::{self, Opened};
use crate::file::{read_stream, FileRun};
use crate::normalize::Scratch;
use crate::{Accounting, Limits, RejectKind};

/// Bytes looked at to recognise an archive: a tar header block.
const HEAD: usize = 512;

/// An archive format cloudcase reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// PKWARE zip, stored or deflate members.
    Zip,
    /// POSIX ustar or GNU tar (gzip around it is removed before).
    Tar,
}

impl Kind {
    /// The archive format `head` (a stream's first bytes) shows, if any.
    pub(crate) fn of(head: &[u8]) -> Option<Kind> {
        if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
            Some(Kind::Zip)
        } else if head.get(257..262) == Some(b"ustar") {
            Some(Kind::Tar)
        } else {
            None
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Zip => "zip",
            Kind::Tar => "tar",
        }
    }
}

/// A stream whose first bytes were read to recognise it, and that gives them
/// back (then the error that stopped the look, if any) before the rest.
pub(crate) struct Replay<R> {
    head: io::Cursor<Vec<u8>>,
    err: Option<io::Error>,
    rest: R,
}

impl<R: Read> Read for Replay<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.head.read(buf)?;
        if n > 0 || buf.is_empty() {
            return Ok(n);
        }
        match self.err.take() {
            Some(e) => Err(e),
            None => self.rest.read(buf),
        }
    }
}

/// A stream, and the archive format its first bytes show, if any.
pub(crate) struct Sniffed<R> {
    /// The archive format recognised.
    pub kind: Option<Kind>,
    /// The whole stream, first bytes included.
    pub reader: Replay<R>,
}

/// Looks at the first bytes of `reader` for an archive.
pub(crate) fn sniff<R: Read>(mut reader: R) -> Sniffed<R> {
    let mut head = Vec::with_capacity(HEAD);
    let err = (&mut reader).take(HEAD as u64).read_to_end(&mut head).err();
    Sniffed {
        kind: if err.is_some() { None } else { Kind::of(&head) },
        reader: Replay {
            head: io::Cursor::new(head),
            err,
            rest: reader,
        },
    }
}

/// One member as its header describes it.
struct Member {
    /// The member's name, sanitized for display.
    name: String,
    what: What,
    /// Bytes that follow the member's data.
    trailer: Trailer,
}

/// Whether a member is read, and how.
enum What {
    /// A regular file of `stored` bytes (unknown: until its deflate stream
    /// ends), deflate-compressed or stored.
    File { stored: Option<u64>, deflate: bool },
    /// Not read, for `reason`; `skip` stored bytes follow (unknown: the
    /// archive cannot be read past it).
    Skip {
        kind: RejectKind,
        reason: String,
        skip: Option<u64>,
    },
}

/// What follows a member's data.
enum Trailer {
    None,
    /// Tar's padding to the next 512-byte block.
    Pad(u64),
    /// A zip data descriptor (sizes and CRC after the data).
    Descriptor,
}

/// The next member of a `kind` archive, `None` at its end, or what is wrong.
fn next_member<R: BufRead>(kind: Kind, raw: &mut R) -> Result<Option<Member>, String> {
    match kind {
        Kind::Zip => zip::next(raw),
        Kind::Tar => tar::next(raw),
    }
}

/// How a walk over an archive's members ended.
struct Walked {
    members: u64,
    /// Why it stopped before the archive's end, if it did.
    stop: Option<(RejectKind, String)>,
    /// The last member's name.
    last: String,
}

/// Walks the members of the `kind` archive `raw`, at most `max`, handing
/// each (and its index) to `each`, which moves `raw` past it.
fn walk<R: BufRead>(
    kind: Kind,
    raw: &mut R,
    max: u64,
    each: &mut dyn FnMut(u64, &Member, &mut R) -> Result<(), String>,
) -> Walked {
    let mut walked = Walked {
        members: 0,
        stop: None,
        last: String::new(),
    };
    loop {
        let member = match next_member(kind, raw) {
            Ok(Some(m)) => m,
            Ok(None) => return walked,
            Err(why) => {
                walked.stop = Some((RejectKind::Truncated, why));
                return walked;
            }
        };
        if walked.members == max {
            let why = format!("expected at most {max} members, found more: the rest are not read");
            walked.stop = Some((RejectKind::DecompressLimit, why));
            return walked;
        }
        let step = each(walked.members, &member, raw);
        walked.members += 1;
        walked.last = member.name;
        if let Err(why) = step {
            walked.stop = Some((RejectKind::Truncated, why));
            return walked;
        }
    }
}

/// The names of the members of the archive at `path` (sanitized), in order,
/// or `None` if it is not an archive, or is named like a JSON log (`name`,
/// its original name, ends `.json`, `.json.gz`, `.jsonl`…: not opened here,
/// so that logs are opened once). Member data is skipped, not read;
/// a member of unknown size is decompressed (capped) to find its end.
pub(crate) fn list(path: &Path, name: &str) -> Option<Vec<String>> {
    let lower = name.to_ascii_lowercase();
    if LOG_SUFFIXES.iter().any(|s| lower.ends_with(s)) {
        return None;
    }
    let limits = Limits::default();
    let Ok(Opened::Content(content)) = decompress::open(path, limits, None) else {
        return None;
    };
    let sniffed = sniff(content);
    let kind = sniffed.kind?;
    let mut raw = io::BufReader::new(sniffed.reader);
    let mut names = Vec::new();
    let mut each = |_: u64, m: &Member, raw: &mut io::BufReader<_>| {
        names.push(m.name.clone());
        skip_member(m, raw, limits)
    };
    walk(kind, &mut raw, limits.max_archive_members, &mut each);
    Some(names)
}

/// Moves `raw` past a member without reading it.
fn skip_member<R: BufRead>(member: &Member, raw: &mut R, limits: Limits) -> Result<(), String> {
    let stored = match &member.what {
        What::Skip { skip, .. } => *skip,
        What::File { stored, .. } => *stored,
    };
    match (stored, &member.what) {
        (Some(n), _) => skip_bytes(raw, n)?,
        (None, What::File { deflate: true, .. }) => {
            let count = StoredBytes::default();
            let counted = Counted {
                inner: &mut *raw,
                count: count.clone(),
            };
            let cap = member_cap(limits, limits.max_decompressed_bytes);
            let mut guarded = gzip::guard(DeflateDecoder::new(counted), count, cap, PathBuf::new());
            io::copy(&mut guarded, &mut io::sink()).map_err(|e| e.to_string())?;
        }
        (None, _) => return Err(UNKNOWN_SIZE.into()),
    }
    finish(raw, &member.trailer)
}

/// Names of log files, never looked into for an archive at discovery.
const LOG_SUFFIXES: &[&str] = &[
    ".json",
    ".json.gz",
    ".jsonl",
    ".jsonl.gz",
    ".ndjson",
    ".ndjson.gz",
];

const UNKNOWN_SIZE: &str = "its size is not known, so the next member cannot be found";

/// The cap on one member's content: `budget` bytes, and the gzip ratio.
fn member_cap(limits: Limits, budget: u64) -> Cap {
    Cap {
        max_bytes: budget,
        plain_too: true,
        ratio: Some(RatioCap {
            max_ratio: limits.max_gzip_ratio,
            grace_bytes: limits.ratio_grace_bytes,
        }),
    }
}

/// Reads every member of the `kind` archive `raw` (the file of `run`, whose
/// ordinal is its first member's), `disk` counting the archive's bytes as
/// stored, and returns the accounting of its members (each one a file seen).
/// An archive whose members were `listed` (so many) at discovery has no more
/// read, member `i` taking ordinal `archive + i`; one found only now (named
/// like a JSON log) gives all its members the archive's ordinal.
pub(crate) fn read_archive<R: Read>(
    kind: Kind,
    mut raw: io::BufReader<R>,
    disk: &StoredBytes,
    limits: Limits,
    scratch: &mut Scratch,
    mut run: FileRun<'_, '_>,
    listed: Option<u64>,
) -> Accounting {
    let archive = Arc::clone(run.file);
    let max = limits.max_archive_members.min(listed.unwrap_or(u64::MAX));
    let mut total = Accounting::default();
    let out = &mut *run.out;
    let mut each = |index: u64, member: &Member, raw: &mut io::BufReader<R>| {
        let budget = limits
            .max_decompressed_bytes
            .saturating_sub(total.bytes_decompressed);
        let file = member_file(&archive, &member.name, index, listed);
        let mut member_run = FileRun::new(&file, out);
        let step = read_member(&mut member_run, member, raw, limits, budget, scratch);
        total.merge(&member_run.acc);
        step
    };
    let walked = walk(kind, &mut raw, max, &mut each);
    let label = kind.label();
    if let Some((kind_hit, why)) = walked.stop {
        let after = if walked.last.is_empty() {
            String::new()
        } else {
            format!(" after member {}", walked.last)
        };
        run.skip_file(kind_hit, format!("{label} archive{after}: {why}"));
        total.merge(&run.acc);
    } else if walked.members == 0 {
        let why = format!("{label} archive holds no members: nothing to read");
        run.skip_file(RejectKind::Empty, why);
        total.merge(&run.acc);
    }
    total.bytes_read = disk.get();
    total
}

/// Member `index` of `archive`: `archive!name`, its origin likewise, its
/// ordinal the archive's plus `index` if its members were `listed` (so many).
pub(crate) fn member_file(
    archive: &Arc<SourceFile>,
    name: &str,
    index: u64,
    listed: Option<u64>,
) -> Arc<SourceFile> {
    let mut path = archive.path.clone().into_os_string();
    path.push("!");
    path.push(name);
    Arc::new(SourceFile {
        path: PathBuf::from(path),
        sha256: None,
        origin: archive.origin.as_ref().map(|o| format!("{o}!{name}")),
        ordinal: archive.ordinal + listed.map_or(0, |_| index),
        member: Some(ArchiveMember {
            archive: Arc::clone(archive),
            index,
            members: listed.unwrap_or(0),
        }),
    })
}

/// Reads (or reports) one member and moves `raw` past it.
fn read_member<R: BufRead>(
    run: &mut FileRun<'_, '_>,
    member: &Member,
    raw: &mut R,
    limits: Limits,
    budget: u64,
    scratch: &mut Scratch,
) -> Result<(), String> {
    match &member.what {
        What::Skip { kind, reason, skip } => {
            run.skip_file(*kind, reason.clone());
            let n = skip.ok_or(UNKNOWN_SIZE)?;
            skip_bytes(raw, n)?;
        }
        What::File { stored, deflate } => {
            let count = StoredBytes::default();
            let to_skip = {
                let limited = (&mut *raw).take(stored.unwrap_or(u64::MAX));
                let counted = Counted {
                    inner: limited,
                    count: count.clone(),
                };
                let drained = read_content(
                    run,
                    counted,
                    *deflate,
                    stored.is_none(),
                    &count,
                    limits,
                    budget,
                    scratch,
                );
                drained.map_err(|e| format!("its data cannot be read to its end ({e}), so the next member cannot be found"))?;
                stored.map(|n| n.saturating_sub(count.get()))
            };
            if let Some(n) = to_skip {
                skip_bytes(raw, n)?;
            }
        }
    }
    finish(raw, &member.trailer)
}

/// Reads the content `counted` gives (a member's stored bytes), deflated or
/// not, gunzipped if gzip, capped: through [`read_stream`]. A member of
/// unknown size (`drain`) ends where its deflate stream ends: the rest is
/// decompressed (still capped) to find it, and an error doing so returned.
#[allow(clippy::too_many_arguments)]
fn read_content<B: BufRead>(
    run: &mut FileRun<'_, '_>,
    counted: Counted<B>,
    deflate: bool,
    drain: bool,
    count: &StoredBytes,
    limits: Limits,
    budget: u64,
    scratch: &mut Scratch,
) -> io::Result<()> {
    let decoded: Box<dyn Read + '_> = if deflate {
        Box::new(DeflateDecoder::new(counted))
    } else {
        Box::new(counted)
    };
    let mut buffered = io::BufReader::new(decoded);
    let gzip = buffered
        .fill_buf()
        .is_ok_and(|head| head.starts_with(&GZIP_MAGIC));
    let content: Box<dyn Read + '_> = if gzip {
        Box::new(MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    let cap = member_cap(limits, budget);
    let guarded = gzip::guard(content, count.clone(), cap, run.file.path.clone());
    let mut sniffed = sniff(guarded);
    if let Some(kind) = sniffed.kind {
        run.skip_file(
            RejectKind::UnsupportedCompression,
            format!(
                "a {} archive inside an archive is not read (one level only): extract this member and read it directly",
                kind.label()
            ),
        );
    } else {
        run.acc = read_stream(run, &mut sniffed.reader, gzip, count, limits, scratch);
    }
    if drain {
        io::copy(&mut sniffed.reader, &mut io::sink())?;
    }
    Ok(())
}

/// A member's stored bytes, counted as they are consumed (the ratio guard's
/// denominator, and how many are left to skip).
struct Counted<B> {
    inner: B,
    count: StoredBytes,
}

impl<B: BufRead> Read for Counted<B> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.add(n);
        Ok(n)
    }
}

impl<B: BufRead> BufRead for Counted<B> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, n: usize) {
        self.count.add(n);
        self.inner.consume(n);
    }
}

/// Moves `raw` `n` bytes on, or says the archive ends first.
fn skip_bytes<R: BufRead>(raw: &mut R, n: u64) -> Result<(), String> {
    let skipped = io::copy(&mut raw.take(n), &mut io::sink()).map_err(|e| e.to_string())?;
    if skipped < n {
        return Err(format!(
            "expected {n} more bytes of member data, found {skipped}: the archive is truncated"
        ));
    }
    Ok(())
}

/// Reads what follows a member's data.
fn finish<R: BufRead>(raw: &mut R, trailer: &Trailer) -> Result<(), String> {
    match trailer {
        Trailer::None => Ok(()),
        Trailer::Pad(n) => skip_bytes(raw, *n),
        Trailer::Descriptor => zip::descriptor(raw),
    }
}

/// Fills `buf` from `raw`; `Ok(false)` if `raw` ends before the first byte,
/// an error naming `what` if it ends inside.
fn read_block<R: Read>(raw: &mut R, buf: &mut [u8], what: &str) -> Result<bool, String> {
    let mut got = 0;
    while got < buf.len() {
        match raw.read(&mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(false),
            Ok(0) => {
                return Err(format!(
                    "expected a {}-byte {what}, found {got} bytes before the end: the archive is truncated",
                    buf.len()
                ))
            }
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(format!("reading a {what}: {e}")),
        }
    }
    Ok(true)
}
