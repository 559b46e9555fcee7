//! Copying one large item that is not a local file (see `kcopy` for those):
//! the worker reads and writes while a second thread hashes the same buffers,
//! and chunks of zeros are left as holes (a sparse image stays sparse in the
//! store). Read, write and hash then overlap instead of adding up.

use std::io::{self, Read};
use std::sync::mpsc;
use std::thread;

use sha2::{Digest, Sha256};

use super::AcquireProgress;
use crate::error::Error;
use crate::hash::finish;
use crate::image::is_zero;
use crate::store::TempObject;

/// Items of at least this size take the pipelined copy.
pub(crate) const PIPELINE_ABOVE: u64 = 64 << 20;
/// Bytes per chunk, and chunks in flight between the two threads.
const CHUNK: usize = 4 << 20;
const BUFFERS: usize = 4;

/// A chunk read, on its way to the hasher.
struct Chunk {
    buf: Vec<u8>,
    len: usize,
}

/// Copies `reader` into `temp`, hashing on a second thread; returns (SHA-256
/// hex, bytes). `read_error` names a read failure.
pub(crate) fn copy_hashing(
    reader: &mut dyn Read,
    temp: &TempObject,
    progress: Option<&AcquireProgress>,
    read_error: &dyn Fn(io::Error) -> Error,
) -> Result<(String, u64), Error> {
    let (to_hash, hash_rx) = mpsc::sync_channel::<Chunk>(BUFFERS);
    let (back_tx, back) = mpsc::channel::<Vec<u8>>();
    for _ in 0..BUFFERS {
        let _ = back_tx.send(vec![0u8; CHUNK]);
    }
    thread::scope(|s| {
        let hasher = s.spawn(move || {
            let mut h = Sha256::new();
            for c in hash_rx {
                h.update(&c.buf[..c.len]);
                if back_tx.send(c.buf).is_err() {
                    break;
                }
            }
            finish(h)
        });
        let copied = copy_chunks(reader, temp, progress, read_error, &to_hash, &back);
        drop(to_hash);
        let sha = hasher
            .join()
            .map_err(|_| Error::Internal("the hashing thread of a copy panicked".into()))?;
        copied.map(|size| (sha, size))
    })
}

/// The reading and writing side of [`copy_hashing`].
fn copy_chunks(
    reader: &mut dyn Read,
    temp: &TempObject,
    progress: Option<&AcquireProgress>,
    read_error: &dyn Fn(io::Error) -> Error,
    to_hash: &mpsc::SyncSender<Chunk>,
    back: &mpsc::Receiver<Vec<u8>>,
) -> Result<u64, Error> {
    let stopped = || Error::Internal("the hashing thread of a copy stopped".into());
    let mut size = 0u64;
    loop {
        let mut buf = back.recv().map_err(|_| stopped())?;
        let len = read_full(reader, &mut buf).map_err(read_error)?;
        if len == 0 {
            break;
        }
        if !is_zero(&buf[..len]) {
            temp.write_at(&buf[..len], size)?;
        }
        size += len as u64;
        if let Some(p) = progress {
            p.add_bytes(len as u64);
        }
        to_hash.send(Chunk { buf, len }).map_err(|_| stopped())?;
    }
    temp.set_len(size)?;
    Ok(size)
}

/// Reads until `buf` is full or the end; returns the bytes read.
fn read_full(reader: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::sha256_hex;
    use crate::layout::Layout;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn large_copy_matches_and_keeps_zero_chunks_as_holes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let layout = Layout::new(dir.path().join("case"));
        std::fs::create_dir_all(layout.tmp_dir()).expect("mkdir");
        std::fs::create_dir_all(layout.objects_dir()).expect("mkdir");
        // 3 data chunks, 8 zero chunks, then a short data tail and a short zero tail.
        let mut content = Vec::new();
        for i in 0..3u8 {
            content.extend((0..CHUNK).map(|k| (k as u8).wrapping_mul(31).wrapping_add(i) | 1));
        }
        content.resize(content.len() + 8 * CHUNK, 0);
        content.extend(b"tail bytes");
        content.resize(content.len() + 1000, 0);
        let temp = TempObject::create(&layout).expect("temp");
        let progress = AcquireProgress::default();
        let (sha, size) = copy_hashing(&mut &content[..], &temp, Some(&progress), &|e| {
            Error::io("mem", "read", e)
        })
        .expect("copy");
        assert_eq!(
            (sha.as_str(), size),
            (sha256_hex(&content).as_str(), content.len() as u64)
        );
        assert_eq!(progress.bytes_read(), size);
        assert!(temp.place(&layout, &sha).expect("place"));
        let path = layout.object_path(&sha);
        assert_eq!(std::fs::read(&path).expect("read"), content);
        let allocated = std::fs::metadata(&path).expect("stat").blocks() * 512;
        assert!(
            allocated < 5 * CHUNK as u64,
            "zero chunks kept as holes: {allocated} bytes allocated"
        );
    }
}
