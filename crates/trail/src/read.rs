//! Opening evidence files with the one guarded opener
//! ([`cloudcase_util::gzip`]): gzip detected by its magic bytes (not the file
//! name), multi-member gzip read to its end, every read capped.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use cloudcase_util::gzip::{self, Cap, GzipError};
use sha2::{Digest as _, Sha256};

const BUF: usize = 64 * 1024;

/// Why a file could not be read within its limit.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// Opening, reading or decompressing failed.
    Io(io::Error),
    /// More than the limit came out of the decompressor.
    TooLarge,
}

impl ReadError {
    pub(crate) fn describe(&self, limit: u64) -> String {
        match self {
            ReadError::Io(e) => describe_io(e),
            ReadError::TooLarge => format!("decompresses to more than {limit} bytes"),
        }
    }

    /// A read error: the cap hit it carries, else the error itself.
    fn from_io(e: io::Error) -> Self {
        if GzipError::of(&e).is_some() {
            ReadError::TooLarge
        } else {
            ReadError::Io(e)
        }
    }
}

/// A human description of an I/O or decompression error.
pub(crate) fn describe_io(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "not found".to_string(),
        io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData => {
            format!("invalid format: {e} (corrupt gzip, or data after the last gzip member)")
        }
        io::ErrorKind::UnexpectedEof => {
            "invalid format: truncated gzip stream, or bytes after the last gzip member".to_string()
        }
        _ => e.to_string(),
    }
}

/// Reads the whole uncompressed content of `path`, failing with [`ReadError::TooLarge`]
/// as soon as more than `limit` bytes come out (so a gzip bomb costs at most `limit`).
pub(crate) fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    gzip::read_to_end(path, Cap::content(limit)).map_err(ReadError::from_io)
}

/// The bytes of `path` as stored (not decompressed), failing with
/// [`ReadError::TooLarge`] past `limit` bytes.
pub(crate) fn read_raw_capped(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut out = Vec::new();
    File::open(path)
        .and_then(|f| f.take(limit.saturating_add(1)).read_to_end(&mut out))
        .map_err(ReadError::Io)?;
    if out.len() as u64 > limit {
        return Err(ReadError::TooLarge);
    }
    Ok(out)
}

/// `bytes` uncompressed (gzip detected by its magic bytes, else as is), failing with
/// [`ReadError::TooLarge`] as soon as more than `limit` bytes come out.
pub(crate) fn decode_capped(bytes: &[u8], limit: u64) -> Result<Vec<u8>, ReadError> {
    gzip::decode(bytes, Cap::content(limit)).map_err(ReadError::from_io)
}

/// The first up-to-`n` uncompressed bytes of `path` (for content sniffing).
pub(crate) fn sniff(path: &Path, n: u64) -> io::Result<Vec<u8>> {
    let reader = gzip::open(path, Cap::none())?;
    let mut out = Vec::new();
    match reader.take(n).read_to_end(&mut out) {
        Ok(_) => Ok(out),
        // A truncated or odd stream still tells us what it starts with.
        Err(e) if !out.is_empty() && e.kind() != io::ErrorKind::NotFound => Ok(out),
        Err(e) => Err(e),
    }
}

/// SHA-256 of the uncompressed content of `path`; fails past `limit` uncompressed
/// bytes. A small single-member gzip file (most CloudTrail logs) is read whole and
/// inflated in one call into `inflater`'s reused buffer ([`gzip::open_whole`]: about
/// a third less CPU than streaming it through the inflater); anything else is streamed
/// in 64 KiB blocks, so memory does not grow with file size.
pub(crate) fn sha256_file(
    path: &Path,
    limit: u64,
    inflater: &mut gzip::Inflater,
) -> Result<[u8; 32], ReadError> {
    let mut reader =
        gzip::open_whole(path, Cap::content(limit), inflater).map_err(ReadError::from_io)?;
    if let Some(content) = reader.take_inflated() {
        let hash = sha256(&content);
        inflater.give_back(content);
        return Ok(hash);
    }
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BUF];
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(ReadError::from_io(e)),
        };
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finalize().into())
}

/// SHA-256 of a byte slice.
pub(crate) fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), flate2::Compression::default());
        let _ = e.write_all(data);
        e.finish().unwrap_or_default()
    }

    #[test]
    fn multi_member_gzip_hashes_all_members() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.gz");
        let mut bytes = gz(b"hello ");
        bytes.extend(gz(b"world"));
        std::fs::write(&p, bytes).expect("write");
        let h = sha256_file(&p, 1 << 20, &mut gzip::Inflater::default())
            .map_err(|e| e.describe(0))
            .expect("hash");
        assert_eq!(h, sha256(b"hello world"));
        assert_eq!(read_capped(&p, 100).ok(), Some(b"hello world".to_vec()));
    }

    #[test]
    fn whole_and_streamed_files_hash_the_same_with_a_reused_inflater() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut inflater = gzip::Inflater::default();
        let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        for (name, content) in [("a.gz", &b"first file"[..]), ("b.gz", &big), ("c.gz", b"x")] {
            let p = dir.path().join(name);
            std::fs::write(&p, gz(content)).expect("write");
            let h = sha256_file(&p, 1 << 24, &mut inflater)
                .map_err(|e| e.describe(0))
                .expect("hash");
            assert_eq!(h, sha256(content), "{name}");
        }
        let plain = dir.path().join("d.json");
        std::fs::write(&plain, b"{}").expect("write");
        let h = sha256_file(&plain, 1 << 24, &mut inflater)
            .map_err(|e| e.describe(0))
            .expect("hash");
        assert_eq!(h, sha256(b"{}"));
    }

    #[test]
    fn trailing_garbage_after_gzip_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.gz");
        let mut bytes = gz(b"hello");
        bytes.extend(b"this is not gzip");
        std::fs::write(&p, bytes).expect("write");
        match sha256_file(&p, 1 << 20, &mut gzip::Inflater::default()) {
            Err(ReadError::Io(e)) => assert!(describe_io(&e).contains("invalid format")),
            other => panic!("expected a format error, got {other:?}"),
        }
    }

    #[test]
    fn truncated_gzip_is_described_as_truncated() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.json.gz");
        let bytes = gz(br#"{"Records":[{"eventVersion":"1.09","eventName":"ListUsers"}]}"#);
        std::fs::write(&p, &bytes[..bytes.len() - 4]).expect("write");
        match read_capped(&p, 1 << 20) {
            Err(ReadError::Io(e)) => assert_eq!(
                describe_io(&e),
                "invalid format: truncated gzip stream, or bytes after the last gzip member"
            ),
            other => panic!("expected a truncation, got {other:?}"),
        }
        assert!(matches!(
            sha256_file(&p, 1 << 20, &mut gzip::Inflater::default()),
            Err(ReadError::Io(_))
        ));
    }

    #[test]
    fn gzip_bomb_is_capped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("bomb.gz");
        std::fs::write(&p, gz(&vec![b' '; 8 << 20])).expect("write");
        assert!(matches!(read_capped(&p, 1 << 20), Err(ReadError::TooLarge)));
        assert!(matches!(
            sha256_file(&p, 1 << 20, &mut gzip::Inflater::default()),
            Err(ReadError::TooLarge)
        ));
    }

    #[test]
    fn raw_and_decoded_reads_are_capped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.gz");
        let bytes = gz(b"hello world");
        std::fs::write(&p, &bytes).expect("write");
        let raw = read_raw_capped(&p, 1 << 10)
            .map_err(|e| e.describe(0))
            .expect("raw");
        assert_eq!(raw, bytes);
        assert_eq!(decode_capped(&raw, 100).ok(), Some(b"hello world".to_vec()));
        assert!(matches!(decode_capped(&raw, 5), Err(ReadError::TooLarge)));
        assert!(matches!(decode_capped(b"{}", 1), Err(ReadError::TooLarge)));
        assert!(matches!(read_raw_capped(&p, 3), Err(ReadError::TooLarge)));
    }

    #[test]
    fn plain_files_are_read_as_is() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("x.json");
        std::fs::write(&p, b"{}").expect("write");
        assert_eq!(sniff(&p, 1).ok(), Some(b"{".to_vec()));
    }
}
