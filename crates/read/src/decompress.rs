//! Opening an input file: compression detected by magic bytes, decompression
//! streamed and guarded against bombs.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use flate2::bufread::MultiGzDecoder;

use crate::Limits;

/// Magic numbers of compressions cloudcase recognises but does not read.
const UNSUPPORTED_MAGIC: &[(&[u8], &str)] = &[
    (b"PK\x03\x04", "zip"),
    (&[0x28, 0xb5, 0x2f, 0xfd], "zstd"),
    (b"BZh", "bzip2"),
    (&[0xfd, b'7', b'z', b'X', b'Z', 0x00], "xz"),
];

const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

/// The decompression limit that stopped a read, carried inside an `io::Error`.
#[derive(Debug)]
pub(crate) struct LimitHit(pub String);

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LimitHit {}

/// An opened input: its decompressed content, or why it cannot be read.
pub(crate) enum Opened {
    /// Decompressed content; `gzip` tells whether decompression is involved.
    Content { reader: Box<dyn Read>, gzip: bool },
    /// A compression format that is recognised but not supported.
    Unsupported(&'static str),
}

/// Bytes read from disk so far, shared between the file reader and the guard.
pub(crate) type DiskCounter = Rc<Cell<u64>>;

struct CountingReader<R> {
    inner: R,
    count: DiskCounter,
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Stops decompression past the size limit or the bomb ratio.
struct GuardReader<R> {
    inner: R,
    out: u64,
    disk: DiskCounter,
    limits: Limits,
}

impl<R: Read> Read for GuardReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out += n as u64;
        if self.out > self.limits.max_decompressed_bytes {
            return Err(io::Error::other(LimitHit(format!(
                "decompressed size exceeds the limit of {} bytes (--max-decompressed-bytes)",
                self.limits.max_decompressed_bytes
            ))));
        }
        let disk = self.disk.get().max(1);
        if self.out > self.limits.ratio_grace_bytes && self.out / disk > self.limits.max_gzip_ratio
        {
            return Err(io::Error::other(LimitHit(format!(
                "decompression ratio {}:1 after {} bytes exceeds {}:1 (--max-gzip-ratio): a gzip bomb?",
                self.out / disk,
                self.out,
                self.limits.max_gzip_ratio
            ))));
        }
        Ok(n)
    }
}

/// Opens `path`, sniffs its first bytes, and returns a reader of its content.
pub(crate) fn open(path: &Path, limits: Limits, disk: DiskCounter) -> io::Result<Opened> {
    let file = File::open(path)?;
    let mut buffered = BufReader::with_capacity(
        64 << 10,
        CountingReader {
            inner: file,
            count: disk.clone(),
        },
    );
    let head = buffered.fill_buf()?;
    if let Some((_, name)) = UNSUPPORTED_MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return Ok(Opened::Unsupported(name));
    }
    if head.starts_with(GZIP_MAGIC) {
        let reader = GuardReader {
            inner: MultiGzDecoder::new(buffered),
            out: 0,
            disk,
            limits,
        };
        return Ok(Opened::Content {
            reader: Box::new(reader),
            gzip: true,
        });
    }
    Ok(Opened::Content {
        reader: Box::new(buffered),
        gzip: false,
    })
}
