//! Taking one item into the store: one read that hashes and copies.

use std::collections::BTreeMap;
use std::io::{self, Read};

use sha2::{Digest, Sha256};

#[cfg(target_os = "linux")]
use super::kcopy::copy_local;
use super::pipeline::{copy_hashing, PIPELINE_ABOVE};
use super::AcquireProgress;
use crate::error::Error;
use crate::fsutil;
use crate::hash::{finish, hash_reader};
use crate::layout::Layout;
use crate::source::{Source, SourceError, SourceItem, Staged};
use crate::store::{self, TempObject, UnsyncedCopy};

/// Copies smaller than this are not fsynced one by one: the committer makes a
/// whole batch of them durable with one `syncfs` before placing them (where
/// available). Per-file fsync dominates the cost of small files (CloudTrail
/// delivers many files of a few KB); large files keep their own fsync, which
/// overlaps with the other workers' hashing.
pub(crate) const DEFER_BELOW: u64 = 1 << 20;

/// The result of ingesting one item.
#[derive(Debug)]
pub(crate) struct Ingested {
    /// SHA-256 of the content read.
    pub sha256: String,
    /// Content length.
    pub size: u64,
    /// Source mtime at open.
    pub mtime: Option<String>,
    /// Source metadata at open, recorded in the manifest.
    pub metadata: BTreeMap<String, String>,
    /// Whether this call placed a new object in the store.
    pub placed: bool,
    /// Bytes read from the source (more than `size` if it was read twice).
    pub bytes_read: u64,
    /// A small copy written and closed but neither synced nor placed: the
    /// committer does both for the batch (see [`DEFER_BELOW`]). It holds no
    /// open file, so waiting copies never count against the open-file limit.
    pub deferred: Option<UnsyncedCopy>,
}

/// Ingests `item`. With `expected` (the content this source had when last
/// acquired, its size and mtime being unchanged) and that object present, the
/// item is only hashed; if the hash differs it is then copied (a second read).
/// Otherwise it is copied once: chunk → hash → temp file, then placed.
pub(crate) fn ingest(
    layout: &Layout,
    source: &dyn Source,
    item: &SourceItem,
    expected: Option<&str>,
    buf: &mut [u8],
    progress: Option<&AcquireProgress>,
) -> Result<Ingested, Error> {
    if let Some(staged) = source.staged(item) {
        return adopt(layout, staged, progress);
    }
    let mut first_read = 0;
    if let Some(expected) = expected.filter(|sha| layout.object_path(sha).is_file()) {
        let opened = source.open(item)?;
        let (sha256, n) = hash_reader(opened.reader, buf).map_err(|e| read_error(item, e))?;
        source.confirm_unchanged(item, &opened.meta, n)?;
        if sha256 == expected {
            return Ok(Ingested {
                sha256,
                size: n,
                mtime: opened.meta.mtime,
                metadata: opened.meta.metadata,
                placed: false,
                bytes_read: n,
                deferred: None,
            });
        }
        first_read = n;
    }
    let opened = source.open(item)?;
    let mut reader = opened.reader;
    let mut temp = TempObject::create(layout)?;
    let listed = opened.meta.size.or(item.size).unwrap_or(0);
    let in_kernel = match item.local_path().filter(|_| listed >= PIPELINE_ABOVE) {
        Some(path) => copy_in_kernel(path, listed, &temp, item, progress)?,
        None => None,
    };
    let (sha256, size) = match in_kernel {
        Some(done) => done,
        None if listed >= PIPELINE_ABOVE => {
            copy_hashing(&mut reader, &temp, progress, &|e| read_error(item, e))?
        }
        None => copy_serial(&mut reader, &mut temp, item, buf, progress)?,
    };
    source.confirm_unchanged(item, &opened.meta, size)?;
    // A deferred copy whose content is already held is discarded when the
    // committer places it (the rename never replaces an object).
    let (placed, deferred) = if fsutil::HAS_SYNCFS && size < DEFER_BELOW {
        (false, Some(temp.close_unsynced()))
    } else {
        (temp.place(layout, &sha256)?, None)
    };
    Ok(Ingested {
        sha256,
        size,
        mtime: opened.meta.mtime,
        metadata: opened.meta.metadata,
        placed,
        bytes_read: first_read + size,
        deferred,
    })
}

/// A large local file copied by the kernel (see `kcopy`): opened again by
/// path (never following a link) and checked to be the regular file of the
/// size seen at open. `None` when the kernel cannot copy it here.
#[cfg(target_os = "linux")]
fn copy_in_kernel(
    path: &std::path::Path,
    size: u64,
    temp: &TempObject,
    item: &SourceItem,
    progress: Option<&AcquireProgress>,
) -> Result<Option<(String, u64)>, Error> {
    use std::os::unix::fs::OpenOptionsExt;
    let src = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|e| read_error(item, e))?;
    let meta = src.metadata().map_err(|e| read_error(item, e))?;
    if !meta.is_file() || meta.len() != size {
        return Err(Error::Source(SourceError::Changed {
            uri: item.uri.clone(),
            detail: format!(
                "expected a regular file of {size} bytes as listed, found {} bytes",
                meta.len()
            ),
        }));
    }
    copy_local(&src, path, temp, size, progress)
}

/// Without Linux's `copy_file_range`, large files are read and written.
#[cfg(not(target_os = "linux"))]
fn copy_in_kernel(
    _path: &std::path::Path,
    _size: u64,
    _temp: &TempObject,
    _item: &SourceItem,
    _progress: Option<&AcquireProgress>,
) -> Result<Option<(String, u64)>, Error> {
    Ok(None)
}

/// Copies `reader` into `temp` on this thread, one `buf` at a time, hashing
/// each chunk: for small items, where a second thread costs more than it saves.
fn copy_serial(
    reader: &mut dyn Read,
    temp: &mut TempObject,
    item: &SourceItem,
    buf: &mut [u8],
    progress: Option<&AcquireProgress>,
) -> Result<(String, u64), Error> {
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(read_error(item, e)),
        };
        hasher.update(&buf[..n]);
        temp.write_all(&buf[..n])?;
        size += n as u64;
        if let Some(p) = progress {
            p.add_bytes(n as u64);
        }
    }
    Ok((finish(hasher), size))
}

/// Moves a staged file into the store (no copy). A re-run after a crash that
/// came between the move and the record finds the object already held.
fn adopt(
    layout: &Layout,
    staged: Staged,
    progress: Option<&AcquireProgress>,
) -> Result<Ingested, Error> {
    let placed = if layout.object_path(&staged.sha256).is_file() {
        false
    } else {
        let size = std::fs::metadata(&staged.path)
            .map_err(|e| Error::io(&staged.path, "stat staged file", e))?
            .len();
        if size != staged.size {
            return Err(Error::io(
                &staged.path,
                "adopt staged file",
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("expected {} bytes, found {size}", staged.size),
                ),
            ));
        }
        store::adopt_file(&staged.path, layout, &staged.sha256)?
    };
    if let Some(p) = progress {
        p.add_bytes(staged.size);
    }
    Ok(Ingested {
        sha256: staged.sha256,
        size: staged.size,
        mtime: None,
        metadata: staged.metadata,
        placed,
        bytes_read: 0,
        deferred: None,
    })
}

fn read_error(item: &SourceItem, error: io::Error) -> Error {
    Error::Source(SourceError::Io {
        uri: item.uri.clone(),
        action: "read",
        error,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::LocalSource;
    use crate::source::{ListEntry, Locator};
    use std::fs;

    fn setup() -> (tempfile::TempDir, Layout) {
        let dir = tempfile::tempdir().expect("tempdir");
        let layout = Layout::new(dir.path().join("case"));
        fs::create_dir_all(layout.objects_dir()).expect("mkdir");
        fs::create_dir_all(layout.tmp_dir()).expect("mkdir");
        (dir, layout)
    }

    fn listed(src: &LocalSource) -> SourceItem {
        match src.list().next() {
            Some(ListEntry::Item(i)) => i,
            other => panic!("expected an item, got {other:?}"),
        }
    }

    #[test]
    fn copies_once_then_only_hashes_when_unchanged() {
        let (dir, layout) = setup();
        let file = dir.path().join("f");
        fs::write(&file, vec![7u8; 3_000_000]).expect("write");
        let src = LocalSource::new(&file);
        let item = listed(&src);
        let mut buf = vec![0u8; 1 << 16];
        let first = ingest(&layout, &src, &item, None, &mut buf, None).expect("ingest");
        assert!(
            first.placed,
            "3 MB is above DEFER_BELOW: placed by the worker"
        );
        assert!(first.deferred.is_none());
        assert_eq!(first.size, 3_000_000);
        assert_eq!(
            fs::read(layout.object_path(&first.sha256))
                .expect("read")
                .len(),
            3_000_000
        );
        let again =
            ingest(&layout, &src, &item, Some(&first.sha256), &mut buf, None).expect("again");
        assert!(!again.placed);
        assert_eq!(again.bytes_read, 3_000_000);
        let wrong = "0".repeat(64);
        let fallback =
            ingest(&layout, &src, &item, Some(&wrong), &mut buf, None).expect("fallback");
        assert_eq!(fallback.sha256, first.sha256);
        assert_eq!(fs::read_dir(layout.tmp_dir()).expect("ls").count(), 0);
    }

    #[test]
    fn small_copies_are_deferred_to_the_committer_where_syncfs_exists() {
        let (dir, layout) = setup();
        let file = dir.path().join("small");
        fs::write(&file, b"small content").expect("write");
        let src = LocalSource::new(&file);
        let item = listed(&src);
        let mut buf = vec![0u8; 1 << 16];
        let got = ingest(&layout, &src, &item, None, &mut buf, None).expect("ingest");
        if fsutil::HAS_SYNCFS {
            assert!(!got.placed);
            let temp = got.deferred.expect("deferred copy");
            fsutil::sync_filesystem(&layout.tmp_dir()).expect("syncfs");
            assert!(temp.place_synced(&layout, &got.sha256).expect("place"));
        } else {
            assert!(got.placed);
        }
        assert_eq!(
            fs::read(layout.object_path(&got.sha256)).expect("read"),
            b"small content"
        );
        assert_eq!(fs::read_dir(layout.tmp_dir()).expect("ls").count(), 0);
    }

    #[test]
    fn read_failure_leaves_no_temp_file() {
        let (_dir, layout) = setup();
        let src = LocalSource::new("/nonexistent");
        let item = SourceItem {
            uri: "/nonexistent/x".into(),
            locator: Locator::Path("/nonexistent/x".into()),
            size: None,
            mtime: None,
            identity: None,
        };
        let mut buf = vec![0u8; 16];
        assert!(ingest(&layout, &src, &item, None, &mut buf, None).is_err());
        assert_eq!(fs::read_dir(layout.tmp_dir()).expect("ls").count(), 0);
    }
}
