//! Spilled runs on disk: how a sorted run is written and read back.
//!
//! A run is a sequence of entries, each a fixed header (the [`LineKey`] and
//! the line's length, little-endian) followed by the line's bytes. Runs are
//! written raw or LZ4-compressed (about a fifth of the size), whichever has
//! cost less time per byte lately ([`SpillChoice`]): compressing costs more
//! CPU than the rest of the sort together, but taking new page-cache pages
//! for five times the bytes can cost more still when memory is under
//! pressure. Always compressed once the temporary directory's file system
//! runs short.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use cloudcase_util::oslimit::OsLimit;

use super::open::{OpenRun, OpenRuns};
use super::LineKey;

/// Bytes of an entry's header: time, file, record, line length.
pub(super) const ENTRY_HEADER: usize = 8 + 8 + 8 + 4;

/// Free space a raw run must leave on the temporary directory's file system;
/// below it, runs are LZ4-compressed.
const RAW_SPILL_RESERVE: u64 = 8 << 30;

/// Write buffer of a raw run: large sequential writes.
const WRITE_BUFFER: usize = 1 << 20;

/// The LZ4 block size runs are written with: the smallest the frame format has, since reading
/// a run back holds one compressed and one decoded block.
const LZ4_BLOCK: lz4_flex::frame::BlockSize = lz4_flex::frame::BlockSize::Max64KB;

/// What reading an LZ4 run holds beyond its read buffer: the decoder's compressed and decoded
/// [`LZ4_BLOCK`]s. A merge of many runs counts it in its read memory (at 20 GB, `scope`'s
/// window merged 40 runs, 5.2 MB of decoders outside its 4 MiB of read buffers).
pub(super) const LZ4_READ_COST: usize = 2 * (64 << 10);

/// One line of a run being written.
pub(super) struct Entry<'a> {
    /// Its sort key.
    pub(super) key: LineKey,
    /// Its bytes, newline included.
    pub(super) line: &'a [u8],
}

/// A run on disk, whether it is LZ4-compressed, and its size in bytes of
/// lines and headers (what merging it costs).
pub(super) struct RunFile {
    file: File,
    compressed: bool,
    bytes: u64,
    _open: OpenRun,
}

/// The header of an entry of `len` bytes under `key`.
pub(super) fn encode_header(key: LineKey, len: usize) -> io::Result<[u8; ENTRY_HEADER]> {
    let mut header = [0u8; ENTRY_HEADER];
    header[0..8].copy_from_slice(&key.time.to_le_bytes());
    header[8..16].copy_from_slice(&key.file.to_le_bytes());
    header[16..24].copy_from_slice(&key.record.to_le_bytes());
    let len = u32::try_from(len).map_err(io::Error::other)?;
    header[24..28].copy_from_slice(&len.to_le_bytes());
    Ok(header)
}

/// The key and line length of the entry whose header starts `bytes`.
pub(super) fn decode_header(bytes: &[u8]) -> io::Result<(LineKey, usize)> {
    let h: &[u8; ENTRY_HEADER] = bytes
        .get(..ENTRY_HEADER)
        .and_then(|h| h.try_into().ok())
        .ok_or_else(truncated)?;
    let word = |i: usize| {
        let mut b = [0u8; 8];
        b.copy_from_slice(&h[i..i + 8]);
        b
    };
    let key = LineKey {
        time: i64::from_le_bytes(word(0)),
        file: u64::from_le_bytes(word(8)),
        record: u64::from_le_bytes(word(16)),
    };
    let mut len = [0u8; 4];
    len.copy_from_slice(&h[24..28]);
    Ok((key, u32::from_le_bytes(len) as usize))
}

/// Bytes free for an unprivileged user on the file system holding `dir`;
/// `None` when unknown.
#[cfg(unix)]
fn free_bytes(dir: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: `path` is a NUL-terminated string and `stat` a plain C struct
    // that statvfs fills; it is read only when the call succeeds.
    let stat = unsafe {
        let mut stat: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(path.as_ptr(), &mut stat) != 0 {
            return None;
        }
        stat
    };
    #[allow(clippy::useless_conversion)] // the field widths differ by platform
    Some(u64::from(stat.f_bavail).saturating_mul(u64::from(stat.f_frsize)))
}

#[cfg(not(unix))]
fn free_bytes(_dir: &Path) -> Option<u64> {
    None
}

/// Whether a run of `bytes` spilled into `dir` should be compressed to
/// spare the disk.
pub(super) fn should_compress(dir: &Path, bytes: u64) -> bool {
    free_bytes(dir).is_none_or(|free| free < bytes.saturating_add(RAW_SPILL_RESERVE))
}

/// Every this many runs, the encoding that has cost more lately is tried again.
const PROBE_EVERY: u32 = 8;

/// Time LZ4 costs at merge time per byte of lines (decoding), added to its
/// measured write cost when the two encodings are compared.
const LZ4_DECODE_NS_PER_BYTE: f64 = 0.3;

/// Chooses each run's encoding from what writing the previous runs cost, in
/// nanoseconds per byte of lines (smoothed): raw first, LZ4 second, then the
/// cheaper, with the other re-tried every [`PROBE_EVERY`] runs.
#[derive(Debug, Default)]
pub(super) struct SpillChoice {
    raw: Option<f64>,
    lz4: Option<f64>,
    runs: u32,
}

impl SpillChoice {
    /// Whether the next run is compressed; always when `disk_short`.
    pub(super) fn compress(&self, disk_short: bool) -> bool {
        match (disk_short, self.raw, self.lz4) {
            (true, _, _) => true,
            (false, None, _) => false,
            (false, Some(_), None) => true,
            (false, Some(raw), Some(lz4)) => {
                let lz4_cheaper = lz4 + LZ4_DECODE_NS_PER_BYTE < raw;
                lz4_cheaper != (self.runs % PROBE_EVERY == PROBE_EVERY - 1)
            }
        }
    }

    /// Records that writing a run of `bytes` bytes of lines took `took`.
    pub(super) fn record(&mut self, compressed: bool, bytes: u64, took: Duration) {
        let cost = took.as_nanos() as f64 / bytes.max(1) as f64;
        let slot = if compressed {
            &mut self.lz4
        } else {
            &mut self.raw
        };
        *slot = Some(slot.map_or(cost, |old| (old + cost) / 2.0));
        self.runs += 1;
    }
}

/// Where a run being written goes: a buffered file, raw or through LZ4.
enum Sink {
    Raw(BufWriter<File>),
    Lz4(lz4_flex::frame::FrameEncoder<BufWriter<File>>),
}

/// A run being written entry by entry, in key order.
pub(super) struct RunWriter {
    sink: Sink,
    bytes: u64,
    open: OpenRun,
}

impl RunWriter {
    /// Starts a run in an anonymous file in `dir` (deleted when closed),
    /// LZ4-compressed if `compressed`, counted in `open`. A failure to open
    /// it names the open-file limit when that was the cause.
    pub(super) fn create(
        dir: &Path,
        compressed: bool,
        open: &Arc<OpenRuns>,
    ) -> io::Result<RunWriter> {
        let file = tempfile::tempfile_in(dir).map_err(name_limit)?;
        let open = OpenRun::new(open);
        let sink = if compressed {
            let info = lz4_flex::frame::FrameInfo::new().block_size(LZ4_BLOCK);
            Sink::Lz4(lz4_flex::frame::FrameEncoder::with_frame_info(
                info,
                BufWriter::new(file),
            ))
        } else {
            Sink::Raw(BufWriter::with_capacity(WRITE_BUFFER, file))
        };
        Ok(RunWriter {
            sink,
            bytes: 0,
            open,
        })
    }

    /// Appends `line` under `key`.
    pub(super) fn push(&mut self, key: LineKey, line: &[u8]) -> io::Result<()> {
        let header = encode_header(key, line.len())?;
        let w: &mut dyn Write = match &mut self.sink {
            Sink::Raw(w) => w,
            Sink::Lz4(w) => w,
        };
        w.write_all(&header)?;
        w.write_all(line)?;
        self.bytes += (ENTRY_HEADER + line.len()) as u64;
        Ok(())
    }

    /// Flushes the run and hands it over for reading.
    pub(super) fn finish(self) -> io::Result<RunFile> {
        let (w, compressed) = match self.sink {
            Sink::Raw(w) => (w, false),
            Sink::Lz4(w) => (w.finish().map_err(io::Error::other)?, true),
        };
        let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        Ok(RunFile {
            file,
            compressed,
            bytes: self.bytes,
            _open: self.open,
        })
    }
}

/// Adds which limit was reached to an error opening a temporary file for
/// the per-process (EMFILE) or system-wide (ENFILE) open-file limit.
fn name_limit(e: io::Error) -> io::Error {
    match OsLimit::of(&e) {
        Some(l @ (OsLimit::ProcessOpenFiles | OsLimit::SystemOpenFiles)) => {
            io::Error::new(e.kind(), format!("{e} ({})", l.reached()))
        }
        _ => e,
    }
}

impl RunFile {
    /// Writes `entries` (in key order) to a new run in `dir`, LZ4-compressed
    /// if `compressed`, counted in `open`.
    pub(super) fn write<'a>(
        dir: &Path,
        compressed: bool,
        open: &Arc<OpenRuns>,
        entries: impl Iterator<Item = Entry<'a>>,
    ) -> io::Result<RunFile> {
        let mut w = RunWriter::create(dir, compressed, open)?;
        for e in entries {
            w.push(e.key, e.line)?;
        }
        w.finish()
    }

    /// Bytes of the run's entries, before any compression.
    pub(super) fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Memory reading the run holds beyond its read buffer ([`LZ4_READ_COST`] if compressed).
    pub(super) fn read_overhead(&self) -> usize {
        if self.compressed {
            LZ4_READ_COST
        } else {
            0
        }
    }

    /// A reader of the run's entries from the start, with a `buffer`-byte
    /// read buffer; the file closes when the reader is dropped.
    pub(super) fn into_reader(self, buffer: usize) -> io::Result<RunReader> {
        let mut file = self.file;
        file.rewind()?;
        let input: Box<dyn Read + Send> = if self.compressed {
            Box::new(lz4_flex::frame::FrameDecoder::new(file))
        } else {
            Box::new(file)
        };
        Ok(RunReader {
            input,
            buf: vec![0; buffer.max(ENTRY_HEADER)],
            start: 0,
            end: 0,
            line: 0..0,
            _open: self._open,
        })
    }
}

/// Reads a run's entries through one buffer; lines are handed out in place.
pub(super) struct RunReader {
    input: Box<dyn Read + Send>,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    line: std::ops::Range<usize>,
    _open: OpenRun,
}

/// A run ends inside an entry.
pub(super) fn truncated() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "a spilled sort run ends inside an entry (was the temporary file changed?)",
    )
}

impl RunReader {
    /// Makes at least `need` unread bytes available; `false` at the end of
    /// the run with fewer.
    fn fill(&mut self, need: usize) -> io::Result<bool> {
        if self.end - self.start >= need {
            return Ok(true);
        }
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        if self.buf.len() < need {
            self.buf.resize(need, 0);
        }
        while self.end < need {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(0) => return Ok(false),
                Ok(n) => self.end += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(true)
    }

    /// Advances to the next entry and returns its key, `None` at the end.
    pub(super) fn advance(&mut self) -> io::Result<Option<LineKey>> {
        if !self.fill(ENTRY_HEADER)? {
            return if self.start == self.end {
                Ok(None)
            } else {
                Err(truncated())
            };
        }
        let (key, len) = decode_header(&self.buf[self.start..self.end])?;
        self.start += ENTRY_HEADER;
        if !self.fill(len)? {
            return Err(truncated());
        }
        self.line = self.start..self.start + len;
        self.start += len;
        Ok(Some(key))
    }

    /// The line of the entry `advance` last returned.
    pub(super) fn current(&self) -> &[u8] {
        &self.buf[self.line.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_reads_back_its_entries_whatever_the_buffer_and_compression() {
        let lines: Vec<Vec<u8>> = (0..300u64)
            .map(|i| format!("{i}-{}\n", "y".repeat((i as usize * 37) % 5000)).into_bytes())
            .collect();
        let entries = || {
            lines.iter().enumerate().map(|(i, l)| Entry {
                key: LineKey {
                    time: i as i64,
                    file: 1,
                    record: i as u64,
                },
                line: l,
            })
        };
        let dir = std::env::temp_dir();
        // More room than any disk has is never spared raw.
        assert!(should_compress(&dir, u64::MAX - RAW_SPILL_RESERVE));
        let open = Arc::new(OpenRuns::default());
        for compressed in [false, true] {
            for buffer in [1, 100, 1 << 20] {
                let run = RunFile::write(&dir, compressed, &open, entries()).unwrap();
                let mut r = run.into_reader(buffer).unwrap();
                for (i, line) in lines.iter().enumerate() {
                    assert_eq!(r.advance().unwrap().map(|k| k.record), Some(i as u64));
                    assert_eq!(r.current(), line.as_slice());
                }
                assert!(r.advance().unwrap().is_none());
            }
        }
        assert_eq!(open.now(), 0, "a run's file closes with its reader");
        let run = RunFile::write(&dir, false, &open, entries()).unwrap();
        let len = run.file.metadata().unwrap().len();
        run.file.set_len(len - 3).unwrap();
        let mut r = run.into_reader(64).unwrap();
        let err = std::iter::from_fn(|| r.advance().transpose())
            .find_map(Result::err)
            .expect("a truncated run is an error");
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof, "{err}");
    }

    #[test]
    fn compressed_runs_are_written_in_the_smallest_lz4_blocks() {
        let lines = [b"z".repeat(300_000)];
        let entries = lines.iter().map(|l| Entry {
            key: LineKey {
                time: 0,
                file: 0,
                record: 0,
            },
            line: l,
        });
        let open = Arc::new(OpenRuns::default());
        let mut run = RunFile::write(&std::env::temp_dir(), true, &open, entries).unwrap();
        run.file.rewind().unwrap();
        let mut header = [0u8; 6];
        run.file.read_exact(&mut header).unwrap();
        assert_eq!(header[..4], 0x184D2204u32.to_le_bytes(), "an LZ4 frame");
        // The BD byte's bits 4-6 give the block maximum: 4 is 64 KiB, what LZ4_READ_COST counts.
        assert_eq!((header[5] >> 4) & 7, 4, "BD byte {:#x}", header[5]);
        assert_eq!(run.read_overhead(), LZ4_READ_COST);
    }

    #[test]
    fn spills_take_the_cheaper_encoding_and_retry_the_other() {
        let mut c = SpillChoice::default();
        let ms = Duration::from_millis;
        assert!(c.compress(true));
        assert!(!c.compress(false), "raw first");
        c.record(false, 1 << 20, ms(4));
        assert!(c.compress(false), "then LZ4");
        c.record(true, 1 << 20, ms(1));
        let picks: Vec<bool> = (0..PROBE_EVERY)
            .map(|_| {
                let z = c.compress(false);
                c.record(z, 1 << 20, ms(if z { 1 } else { 4 }));
                z
            })
            .collect();
        assert_eq!(picks.iter().filter(|z| !**z).count(), 1, "{picks:?}");
        // Raw turns cheap: after its next probe it is kept.
        for _ in 0..2 * PROBE_EVERY {
            let z = c.compress(false);
            c.record(z, 1 << 20, ms(if z { 1 } else { 0 }));
        }
        assert!(!c.compress(false));
        assert!(c.compress(true));
    }

    #[test]
    fn an_open_file_limit_is_named() {
        let e = name_limit(io::Error::from_raw_os_error(24));
        assert!(
            e.to_string().contains("open-file limit (`ulimit -n`)"),
            "{e}"
        );
        assert_eq!(e.raw_os_error(), None);
        let other = name_limit(io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(other.kind(), io::ErrorKind::NotFound);
    }
}
