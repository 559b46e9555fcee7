//! The one guarded gzip opener: files are gzip when their first bytes say so
//! (not their name), every member of a multi-member stream is read, and what
//! comes out is capped so that a gzip bomb costs at most the cap.
//!
//! Cap hits are [`GzipError`]s carried inside the `io::Error` that the
//! reader returns ([`GzipError::of`] finds them). Errors of the gzip decoder
//! itself are passed on as it reports them: a truncated stream is an
//! `UnexpectedEof`, corrupt data or bytes after the last member an
//! `InvalidInput` or `InvalidData`.
//!
//! [`open_whole`] reads a small single-member gzip file whole and inflates it
//! in one call (libdeflate, about twice as fast as streaming); every other
//! gzip file, and any that one call does not inflate cleanly, streams as with
//! [`open`], so what is read and what is rejected, and how, do not change.

mod inflate;

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use flate2::bufread::MultiGzDecoder;

use inflate::Decompressor;

/// The first bytes of every gzip member.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Buffer between the file and the decoder.
const BUF: usize = 64 << 10;

/// How many of a file's first bytes [`Content::starts_with`] can check.
const HEAD: usize = 16;

/// Largest gzip file (as stored) that [`open_whole`] reads whole; larger
/// files stream.
pub const WHOLE_MAX_STORED: u64 = 64 << 20;

/// Largest content that [`open_whole`] inflates in one call (as the gzip
/// trailer gives it); more streams.
pub const WHOLE_MAX_CONTENT: u64 = 64 << 20;

/// Buffers larger than this are not kept for the next file.
const KEEP: usize = 16 << 20;

/// The smallest gzip member: a 10-byte header, an empty deflate block, an
/// 8-byte trailer.
const MIN_MEMBER: u64 = 20;

/// How much content a file may give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cap {
    /// Most bytes a gzip file may decompress to.
    pub max_bytes: u64,
    /// Whether a file that is not gzip is held to `max_bytes` too.
    pub plain_too: bool,
    /// The decompression-ratio guard, if any.
    pub ratio: Option<RatioCap>,
}

impl Cap {
    /// At most `max_bytes` of content, gzip or not, with no ratio guard.
    pub fn content(max_bytes: u64) -> Cap {
        Cap {
            max_bytes,
            plain_too: true,
            ratio: None,
        }
    }

    /// No cap: content is read to its end.
    pub fn none() -> Cap {
        Cap::content(u64::MAX)
    }
}

/// The gzip-bomb guard: once more than `grace_bytes` have come out, at most
/// `max_ratio` decompressed bytes per compressed byte read so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatioCap {
    /// Largest ratio of decompressed to compressed bytes.
    pub max_ratio: u64,
    /// Decompressed bytes allowed before the ratio is checked.
    pub grace_bytes: u64,
}

/// A cap that stopped a read: what was allowed, what was found, in which file.
#[derive(Debug, thiserror::Error)]
pub enum GzipError {
    /// More content than the cap allows.
    #[error("{}: expected at most {limit} bytes of content, found more", path.display())]
    TooLarge {
        /// The file (`-` for bytes in memory).
        path: PathBuf,
        /// The cap, in bytes.
        limit: u64,
    },
    /// Too many decompressed bytes per compressed byte: a gzip bomb?
    #[error(
        "{}: expected at most {max_ratio} decompressed bytes per compressed byte, \
         found {ratio}:1 after {decompressed} bytes",
        path.display()
    )]
    Ratio {
        /// The file (`-` for bytes in memory).
        path: PathBuf,
        /// The ratio found.
        ratio: u64,
        /// Bytes decompressed when it was found.
        decompressed: u64,
        /// The largest ratio allowed.
        max_ratio: u64,
    },
}

impl GzipError {
    /// The cap hit carried by `err`, if `err` is one.
    pub fn of(err: &io::Error) -> Option<&GzipError> {
        err.get_ref()?.downcast_ref::<GzipError>()
    }
}

/// Bytes read from the file as stored (compressed) so far, readable while the
/// [`Content`] that counts them is being read elsewhere.
#[derive(Debug, Clone, Default)]
pub struct StoredBytes(Arc<AtomicU64>);

impl StoredBytes {
    /// The count now.
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    /// Counts `n` more bytes read as stored (for readers that count their own
    /// input, such as an archive's members).
    pub fn add(&self, n: usize) {
        self.0.fetch_add(n as u64, Ordering::Relaxed);
    }
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    count: StoredBytes,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.add(n);
        Ok(n)
    }
}

/// Stops a read once its output passes the cap.
struct Guard<R> {
    inner: R,
    out: u64,
    stored: StoredBytes,
    cap: Cap,
    path: PathBuf,
}

impl<R: Read> Guard<R> {
    /// The cap `self.out` breaks, if any.
    fn check(&self) -> Option<GzipError> {
        if self.out > self.cap.max_bytes {
            return Some(GzipError::TooLarge {
                path: self.path.clone(),
                limit: self.cap.max_bytes,
            });
        }
        let ratio = self.cap.ratio?;
        let ratio_now = self.out / self.stored.get().max(1);
        (self.out > ratio.grace_bytes && ratio_now > ratio.max_ratio).then(|| GzipError::Ratio {
            path: self.path.clone(),
            ratio: ratio_now,
            decompressed: self.out,
            max_ratio: ratio.max_ratio,
        })
    }
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        match self.check() {
            Some(hit) => Err(io::Error::other(hit)),
            None => Ok(n),
        }
    }
}

/// Where an opened file's content comes from.
enum Source {
    /// Read as it is needed.
    Stream(Box<dyn Read + Send>),
    /// Inflated whole, in memory.
    Inflated(io::Cursor<Vec<u8>>),
}

/// An opened file's content: decompressed if it is gzip, as stored if not,
/// capped either way as its [`Cap`] says.
pub struct Content {
    source: Source,
    gzip: bool,
    stored: StoredBytes,
    head: Vec<u8>,
}

impl std::fmt::Debug for Content {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Content")
            .field("gzip", &self.gzip)
            .field("stored_bytes", &self.stored.get())
            .finish_non_exhaustive()
    }
}

impl Content {
    /// Whether the file is gzip (and its content decompressed).
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// The running count of bytes read from the file as stored.
    pub fn stored_bytes(&self) -> StoredBytes {
        self.stored.clone()
    }

    /// Whether the file as stored starts with `magic` (up to 16 bytes), for
    /// callers that recognise other formats.
    pub fn starts_with(&self, magic: &[u8]) -> bool {
        self.head.starts_with(magic)
    }

    /// The whole content, when [`open_whole`] inflated it in memory and none
    /// of it has been read yet.
    pub fn inflated(&self) -> Option<&[u8]> {
        match &self.source {
            Source::Inflated(c) if c.position() == 0 => Some(c.get_ref()),
            _ => None,
        }
    }

    /// Takes the whole content out of the [`Content`] without copying it
    /// (see [`Content::inflated`]), leaving nothing to read; give the buffer
    /// back with [`Inflater::give_back`] once done.
    pub fn take_inflated(&mut self) -> Option<Vec<u8>> {
        self.inflated()?;
        match std::mem::replace(&mut self.source, Source::Stream(Box::new(io::empty()))) {
            Source::Inflated(c) => Some(c.into_inner()),
            other => {
                self.source = other;
                None
            }
        }
    }
}

impl Read for Content {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match &mut self.source {
            Source::Stream(reader) => reader.read(buf),
            Source::Inflated(c) => c.read(buf),
        }
    }
}

/// Opens `path` and returns its content, capped by `cap`. Only opening and
/// the first read can fail here; the rest fails while reading.
pub fn open(path: &Path, cap: Cap) -> io::Result<Content> {
    stream(File::open(path)?, path, cap)
}

/// One worker's decompressor and buffers for [`open_whole`], reused from
/// file to file (buffers above 16 MiB are not kept).
#[derive(Default)]
pub struct Inflater {
    decompressor: Option<Decompressor>,
    stored: Vec<u8>,
    content: Vec<u8>,
}

impl Inflater {
    /// Takes back a buffer from [`Content::take_inflated`] for the next file.
    pub fn give_back(&mut self, mut buf: Vec<u8>) {
        if buf.capacity() <= KEEP && buf.capacity() > self.content.capacity() {
            buf.clear();
            self.content = buf;
        }
    }

    /// Inflates `stored`, a whole gzip file, into a buffer of its own if it
    /// is one member of `size` bytes; `None` (and nothing kept) if not.
    fn inflate(&mut self, stored: &[u8], size: usize) -> Option<Vec<u8>> {
        if self.decompressor.is_none() {
            self.decompressor = Decompressor::new();
        }
        let decompressor = self.decompressor.as_mut()?;
        let mut out = std::mem::take(&mut self.content);
        if decompressor.inflate_member(stored, &mut out, size) {
            return Some(out);
        }
        self.content = out;
        None
    }
}

/// The content size a whole gzip file's trailer gives (that of its last
/// member, modulo 2^32: a hint, checked by the inflate).
fn trailer_size(stored: &[u8]) -> Option<u64> {
    let tail: [u8; 4] = stored
        .get(stored.len().checked_sub(4)?..)?
        .try_into()
        .ok()?;
    Some(u64::from(u32::from_le_bytes(tail)))
}

/// The most content [`open_whole`] inflates in one call under `cap`: within
/// the size cap and, with a ratio guard, within its grace (so that what one
/// call accepts, the streaming guard would have accepted too).
fn whole_limit(cap: Cap) -> u64 {
    let grace = cap.ratio.map_or(u64::MAX, |r| r.grace_bytes);
    WHOLE_MAX_CONTENT.min(cap.max_bytes).min(grace)
}

/// Like [`open`], but a gzip file of at most [`WHOLE_MAX_STORED`] bytes
/// whose trailer gives a content size within the cap (and the ratio guard's
/// grace, and [`WHOLE_MAX_CONTENT`]) is read whole and inflated in one call
/// with `inflater`'s buffers ([`Content::take_inflated`] hands the content
/// over without a copy). A file of several members, with bytes after its
/// member, damaged, or whose trailer lies about its size streams from the
/// bytes already read as [`open`] streams it, and fails the same way.
pub fn open_whole(path: &Path, cap: Cap, inflater: &mut Inflater) -> io::Result<Content> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if !(MIN_MEMBER..=WHOLE_MAX_STORED).contains(&len) {
        return stream(file, path, cap);
    }
    let mut stored = std::mem::take(&mut inflater.stored);
    stored.clear();
    if let Err(e) = (&mut file).take(len).read_to_end(&mut stored) {
        if stored.is_empty() {
            return Err(e);
        }
    }
    let size = trailer_size(&stored).filter(|s| (1..=whole_limit(cap)).contains(s));
    let whole = stored.len() as u64 == len && stored.starts_with(&GZIP_MAGIC);
    let inflated = match size {
        Some(size) if whole => usize::try_from(size)
            .ok()
            .and_then(|size| inflater.inflate(&stored, size)),
        _ => None,
    };
    let Some(content) = inflated else {
        return stream(io::Cursor::new(stored).chain(file), path, cap);
    };
    let counted = StoredBytes::default();
    counted.add(stored.len());
    let head = stored[..HEAD.min(stored.len())].to_vec();
    if stored.capacity() <= KEEP {
        inflater.stored = stored;
    }
    Ok(Content {
        source: Source::Inflated(io::Cursor::new(content)),
        gzip: true,
        stored: counted,
        head,
    })
}

/// `inner`'s content, decompressed if it starts as gzip, capped by `cap`
/// (a cap hit naming `path`).
fn stream<R: Read + Send + 'static>(inner: R, path: &Path, cap: Cap) -> io::Result<Content> {
    let stored = StoredBytes::default();
    let mut buffered = BufReader::with_capacity(
        BUF,
        Counting {
            inner,
            count: stored.clone(),
        },
    );
    let first = buffered.fill_buf()?;
    let head = first[..first.len().min(HEAD)].to_vec();
    let gzip = head.starts_with(&GZIP_MAGIC);
    let inner: Box<dyn Read + Send> = if gzip {
        Box::new(MultiGzDecoder::new(buffered))
    } else {
        Box::new(buffered)
    };
    let reader: Box<dyn Read + Send> = if gzip || cap.plain_too {
        Box::new(Guard {
            inner,
            out: 0,
            stored: stored.clone(),
            cap,
            path: path.to_path_buf(),
        })
    } else {
        inner
    };
    Ok(Content {
        source: Source::Stream(reader),
        gzip,
        stored,
        head,
    })
}

/// `inner`'s output capped by `cap`, its ratio measured against `stored` (the
/// compressed bytes behind it), a cap hit naming `path`: the guard [`open`]
/// puts on gzip, for other decompressed streams (an archive's members).
pub fn guard<R: Read>(inner: R, stored: StoredBytes, cap: Cap, path: PathBuf) -> impl Read {
    Guard {
        inner,
        out: 0,
        stored,
        cap,
        path,
    }
}

/// Reads the whole content of `path`, capped by `cap`.
pub fn read_to_end(path: &Path, cap: Cap) -> io::Result<Vec<u8>> {
    let mut out = Vec::new();
    open(path, cap)?.read_to_end(&mut out)?;
    Ok(out)
}

/// `bytes` decompressed if they are gzip, as they are if not, capped by `cap`
/// (a cap hit names the path `-`).
pub fn decode(bytes: &[u8], cap: Cap) -> io::Result<Vec<u8>> {
    let gzip = bytes.starts_with(&GZIP_MAGIC);
    if !gzip && !cap.plain_too {
        return Ok(bytes.to_vec());
    }
    let stored = StoredBytes::default();
    stored.add(bytes.len());
    let inner: Box<dyn Read + '_> = if gzip {
        Box::new(MultiGzDecoder::new(bytes))
    } else {
        Box::new(bytes)
    };
    let mut guard = Guard {
        inner,
        out: 0,
        stored,
        cap,
        path: PathBuf::from("-"),
    };
    let mut out = Vec::new();
    guard.read_to_end(&mut out)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::write::GzEncoder;
    use flate2::Compression;

    use super::*;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::best());
        e.write_all(data).expect("compress");
        e.finish().expect("compress")
    }

    /// `bytes` written to a file in a fresh directory.
    fn file(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        (dir, path)
    }

    const RECORD: &[u8] = br#"{"Records":[{"eventVersion":"1.09","eventSource":"iam.amazonaws.com","eventName":"ListUsers"}]}"#;

    #[test]
    fn a_bomb_over_the_cap_stops_with_an_error_naming_the_cap_and_the_file() {
        let (_dir, path) = file("bomb.json.gz", &gz(&vec![b' '; 8 << 20]));
        let err = read_to_end(&path, Cap::content(1 << 20)).expect_err("capped");
        let hit = GzipError::of(&err).expect("a cap hit");
        assert!(matches!(hit, GzipError::TooLarge { limit, .. } if *limit == 1 << 20));
        assert_eq!(
            hit.to_string(),
            format!(
                "{}: expected at most 1048576 bytes of content, found more",
                path.display()
            )
        );
    }

    #[test]
    fn content_exactly_at_the_cap_is_read() {
        let (_dir, path) = file("x.json.gz", &gz(RECORD));
        let len = RECORD.len() as u64;
        assert_eq!(read_to_end(&path, Cap::content(len)).expect("read"), RECORD);
        let err = read_to_end(&path, Cap::content(len - 1)).expect_err("one byte over");
        assert!(GzipError::of(&err).is_some(), "{err}");
    }

    #[test]
    fn a_bomb_stops_at_the_ratio_long_before_the_size_cap() {
        let (_dir, path) = file("bomb.json.gz", &gz(&vec![b' '; 64 << 20]));
        let cap = Cap {
            max_bytes: u64::MAX,
            plain_too: false,
            ratio: Some(RatioCap {
                max_ratio: 200,
                grace_bytes: 1 << 20,
            }),
        };
        let mut content = open(&path, cap).expect("open");
        let mut sink = Vec::new();
        let err = content.read_to_end(&mut sink).expect_err("stopped");
        match GzipError::of(&err) {
            Some(GzipError::Ratio {
                ratio,
                decompressed,
                max_ratio,
                ..
            }) => {
                assert_eq!(*max_ratio, 200);
                assert!(*ratio > 200 && *decompressed > 1 << 20);
                assert!(*decompressed < 20 << 20, "{decompressed}");
            }
            other => panic!("expected a ratio hit, got {other:?} ({err})"),
        }
        assert!(content.stored_bytes().get() > 0);
    }

    #[test]
    fn every_member_of_a_multi_member_file_is_read() {
        let (first, second) = RECORD.split_at(20);
        let mut bytes = gz(first);
        bytes.extend(gz(second));
        let (_dir, path) = file("x.json.gz", &bytes);
        let content = open(&path, Cap::none()).expect("open");
        assert!(content.is_gzip());
        assert_eq!(read_to_end(&path, Cap::none()).expect("read"), RECORD);
        assert_eq!(decode(&bytes, Cap::none()).expect("decode"), RECORD);
        // The cap counts the members together.
        let err = decode(&bytes, Cap::content(RECORD.len() as u64 - 1)).expect_err("capped");
        assert!(
            matches!(GzipError::of(&err), Some(GzipError::TooLarge { path, .. }) if path == Path::new("-"))
        );
    }

    #[test]
    fn a_truncated_stream_is_an_unexpected_end() {
        let bytes = gz(RECORD);
        let (_dir, path) = file("x.json.gz", &bytes[..bytes.len() - 6]);
        let err = read_to_end(&path, Cap::none()).expect_err("truncated");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert!(GzipError::of(&err).is_none());
    }

    #[test]
    fn bytes_after_the_last_member_are_an_error() {
        let mut bytes = gz(RECORD);
        bytes.extend(b"not gzip at all");
        let err = decode(&bytes, Cap::none()).expect_err("trailing bytes");
        assert!(
            matches!(
                err.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData
            ),
            "{err:?}"
        );
    }

    #[test]
    fn plain_files_pass_through_capped_only_when_asked() {
        let (_dir, path) = file("x.json", RECORD);
        let content = open(&path, Cap::none()).expect("open");
        assert!(!content.is_gzip());
        assert!(content.starts_with(b"{\"Records\""));
        let small = RECORD.len() as u64 - 1;
        let err = read_to_end(&path, Cap::content(small)).expect_err("capped");
        assert!(GzipError::of(&err).is_some());
        let uncapped = Cap {
            plain_too: false,
            ..Cap::content(small)
        };
        assert_eq!(read_to_end(&path, uncapped).expect("read"), RECORD);
        assert_eq!(decode(RECORD, uncapped).expect("decode"), RECORD);
        assert!(decode(RECORD, Cap::content(small)).is_err());
    }

    #[test]
    fn stored_bytes_count_what_was_read_from_disk() {
        let bytes = gz(RECORD);
        let (_dir, path) = file("x.json.gz", &bytes);
        let mut content = open(&path, Cap::none()).expect("open");
        let stored = content.stored_bytes();
        let mut out = Vec::new();
        content.read_to_end(&mut out).expect("read");
        assert_eq!(stored.get(), bytes.len() as u64);
    }

    /// `path`'s content through [`open_whole`], and whether it was inflated whole.
    fn whole(path: &Path, cap: Cap) -> (io::Result<Vec<u8>>, bool) {
        let mut inflater = Inflater::default();
        let mut content = match open_whole(path, cap, &mut inflater) {
            Ok(content) => content,
            Err(e) => return (Err(e), false),
        };
        let inflated = content.inflated().is_some();
        let mut out = Vec::new();
        (content.read_to_end(&mut out).map(|_| out), inflated)
    }

    #[test]
    fn a_single_member_file_is_inflated_whole_and_handed_over_without_a_copy() {
        let bytes = gz(RECORD);
        let (_dir, path) = file("x.json.gz", &bytes);
        let mut inflater = Inflater::default();
        let mut content = open_whole(&path, Cap::none(), &mut inflater).expect("open");
        assert!(content.is_gzip() && content.starts_with(&GZIP_MAGIC));
        assert_eq!(content.stored_bytes().get(), bytes.len() as u64);
        let taken = content.take_inflated().expect("inflated whole");
        assert_eq!(taken, RECORD);
        assert!(content.inflated().is_none());
        inflater.give_back(taken);
        let (out, inflated) = whole(&path, Cap::none());
        assert_eq!(out.expect("read"), RECORD);
        assert!(inflated);
    }

    #[test]
    fn members_of_the_same_size_and_checksum_are_all_read() {
        // The last trailer matches the first member's content: only the
        // input the one call consumed tells that another member follows.
        let mut bytes = gz(RECORD);
        bytes.extend(gz(RECORD));
        let (_dir, path) = file("x.json.gz", &bytes);
        let (out, inflated) = whole(&path, Cap::none());
        assert_eq!(out.expect("read"), [RECORD, RECORD].concat());
        assert!(!inflated);
    }

    #[test]
    fn a_trailer_that_lies_about_the_size_streams_and_fails_as_before() {
        let mut bytes = gz(&vec![b' '; 8 << 20]);
        let n = bytes.len();
        bytes[n - 4..].copy_from_slice(&100u32.to_le_bytes());
        let (_dir, path) = file("bomb.json.gz", &bytes);
        let (out, inflated) = whole(&path, Cap::content(1 << 20));
        let err = out.expect_err("capped");
        assert!(!inflated);
        assert!(
            matches!(GzipError::of(&err), Some(GzipError::TooLarge { .. })),
            "{err}"
        );
        // Uncapped, the stream finds the size mismatch.
        let err = whole(&path, Cap::none()).0.expect_err("bad trailer");
        assert_eq!(
            err.kind(),
            read_to_end(&path, Cap::none()).expect_err("same").kind()
        );
    }

    #[test]
    fn damaged_truncated_or_trailing_bytes_fail_as_the_stream_fails() {
        let good = gz(RECORD);
        let mut trailing = good.clone();
        trailing.extend(b"not gzip at all");
        let mut corrupt = good.clone();
        corrupt[good.len() - 6] ^= 0xff;
        for bytes in [&good[..good.len() - 6], &trailing[..], &corrupt[..]] {
            let (_dir, path) = file("x.json.gz", bytes);
            let streamed = read_to_end(&path, Cap::none()).expect_err("broken");
            let (out, inflated) = whole(&path, Cap::none());
            let err = out.expect_err("broken");
            assert!(!inflated);
            assert_eq!(err.kind(), streamed.kind());
            assert_eq!(err.to_string(), streamed.to_string());
        }
    }

    #[test]
    fn plain_files_stream_through_open_whole() {
        let (_dir, path) = file("x.json", RECORD);
        let (out, inflated) = whole(&path, Cap::none());
        assert_eq!(out.expect("read"), RECORD);
        assert!(!inflated);
    }

    #[test]
    fn a_missing_file_is_not_found() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = open(&dir.path().join("missing.json.gz"), Cap::none()).expect_err("missing");
        assert_eq!(err.kind(), io::ErrorKind::NotFound);
    }
}
