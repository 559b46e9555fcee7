//! Opening an input file: compression detected by magic bytes, gzip
//! decompression streamed and guarded against bombs by the one guarded opener
//! ([`cloudcase_util::gzip`]), held to this crate's [`Limits`].

use std::io;
use std::path::Path;

use cloudcase_util::gzip::{self, Cap, Content, GzipError, Inflater, RatioCap, StoredBytes};

use crate::Limits;

/// Magic numbers of compressions cloudcase recognises but does not read
/// (zip and tar are read as archives: [`crate::archive`]).
const UNSUPPORTED_MAGIC: &[(&[u8], &str)] = &[
    (&[0x28, 0xb5, 0x2f, 0xfd], "zstd"),
    (b"BZh", "bzip2"),
    (&[0xfd, b'7', b'z', b'X', b'Z', 0x00], "xz"),
];

/// An opened input: its content, or why it cannot be read.
pub(crate) enum Opened {
    /// Content, decompressed if the file is gzip.
    Content(Content),
    /// A compression format that is recognised but not supported, and the
    /// bytes read from disk to recognise it.
    Unsupported {
        /// The format's name.
        name: &'static str,
        /// Bytes read from disk.
        stored: StoredBytes,
    },
}

/// The cap `limits` put on one file: gzip output only, by size and ratio.
pub(crate) fn cap(limits: Limits) -> Cap {
    Cap {
        max_bytes: limits.max_decompressed_bytes,
        plain_too: false,
        ratio: Some(RatioCap {
            max_ratio: limits.max_gzip_ratio,
            grace_bytes: limits.ratio_grace_bytes,
        }),
    }
}

/// Opens `path`, sniffs its first bytes, and returns its content: inflated
/// whole with `inflater` when it is a small single-member gzip file (see
/// [`gzip::open_whole`]), streamed otherwise or without one.
pub(crate) fn open(
    path: &Path,
    limits: Limits,
    inflater: Option<&mut Inflater>,
) -> io::Result<Opened> {
    let content = match inflater {
        Some(inflater) => gzip::open_whole(path, cap(limits), inflater)?,
        None => gzip::open(path, cap(limits))?,
    };
    if let Some((_, name)) = UNSUPPORTED_MAGIC
        .iter()
        .find(|(m, _)| content.starts_with(m))
    {
        return Ok(Opened::Unsupported {
            name,
            stored: content.stored_bytes(),
        });
    }
    Ok(Opened::Content(content))
}

/// The decompression limit that stopped a read, as this crate words it (with
/// the flag that sets it), if `err` is one.
/// A cap below `limits`' own is what an archive's earlier members left.
pub(crate) fn limit_hit(err: &io::Error, limits: Limits) -> Option<String> {
    Some(match GzipError::of(err)? {
        GzipError::TooLarge { limit, .. } if *limit < limits.max_decompressed_bytes => format!(
            "decompressed size exceeds the {limit} bytes left of the archive's limit of {} bytes for all its members (--max-decompressed-bytes)",
            limits.max_decompressed_bytes
        ),
        GzipError::TooLarge { limit, .. } => format!(
            "decompressed size exceeds the limit of {limit} bytes (--max-decompressed-bytes)"
        ),
        GzipError::Ratio {
            ratio,
            decompressed,
            max_ratio,
            ..
        } => format!(
            "decompression ratio {ratio}:1 after {decompressed} bytes exceeds {max_ratio}:1 (--max-gzip-ratio): a gzip bomb?"
        ),
    })
}
