//! A raw disk image written block by block at its offsets: blocks of zeros
//! are never written, so the unwritten ranges stay holes on disk, and the
//! image is hashed over its full logical size without reading its holes.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, IoContext};
use crate::hash::finish;

/// Bytes hashed per step when hashing an image.
const HASH_CHUNK: usize = 1 << 20;

/// A zero-filled buffer to compare and hash holes against.
static ZEROS: [u8; HASH_CHUNK] = [0u8; HASH_CHUNK];

/// Whether every byte of `bytes` is zero (one `memcmp` per MiB).
pub fn is_zero(bytes: &[u8]) -> bool {
    bytes.chunks(HASH_CHUNK).all(|c| c == &ZEROS[..c.len()])
}

/// An image file of a fixed logical size, written at block offsets.
#[derive(Debug)]
pub struct SparseImage {
    file: File,
    path: PathBuf,
    size: u64,
}

impl SparseImage {
    /// Opens (or creates) the image at `path` with logical size `size`; an
    /// existing image keeps the blocks already written (a resumed download).
    pub fn open(path: &Path, size: u64) -> Result<Self, Error> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .at(path, "open image")?;
        let found = file.metadata().at(path, "stat image")?.len();
        if found != size {
            if found > size {
                return Err(Error::io(
                    path,
                    "open image",
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!("expected at most {size} bytes, found {found}"),
                    ),
                ));
            }
            // Extending leaves a hole: nothing is allocated for absent blocks.
            file.set_len(size).at(path, "size image")?;
        }
        Ok(Self {
            file,
            path: path.to_path_buf(),
            size,
        })
    }

    /// Writes `data` at `offset`; all-zero data is not written (the range
    /// stays a hole, which reads as zeros). Returns whether bytes were written.
    pub fn write_block(&self, offset: u64, data: &[u8]) -> Result<bool, Error> {
        let end = offset.checked_add(data.len() as u64);
        if end.is_none_or(|e| e > self.size) {
            return Err(Error::io(
                &self.path,
                "write block",
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!(
                        "block of {} bytes at offset {offset} ends past the image's {} bytes",
                        data.len(),
                        self.size
                    ),
                ),
            ));
        }
        if is_zero(data) {
            return Ok(false);
        }
        self.file
            .write_all_at(data, offset)
            .at(&self.path, "write block")?;
        Ok(true)
    }

    /// Makes the blocks written so far durable (before a journal names them).
    pub fn sync(&self) -> Result<(), Error> {
        self.file.sync_data().at(&self.path, "fsync image")
    }

    /// The image's logical size.
    pub fn size(&self) -> u64 {
        self.size
    }
}

/// SHA-256 (hex) of the file at `path` over its full length: data ranges are
/// read, holes (found with `SEEK_DATA`/`SEEK_HOLE`) are hashed as zeros
/// without reading them.
pub fn hash_sparse(path: &Path) -> Result<String, Error> {
    let mut file = File::open(path).at(path, "open image")?;
    let size = file.metadata().at(path, "stat image")?.len();
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; HASH_CHUNK];
    let mut pos = 0u64;
    while pos < size {
        let data = next_data(&file, pos).at(path, "seek data")?.min(size);
        hash_zeros(&mut hasher, data - pos);
        if data >= size {
            break;
        }
        let hole = next_hole(&file, data).at(path, "seek hole")?.min(size);
        file.seek(SeekFrom::Start(data)).at(path, "seek")?;
        let mut left = hole - data;
        while left > 0 {
            let n = (left as usize).min(buf.len());
            file.read_exact(&mut buf[..n]).at(path, "read image")?;
            hasher.update(&buf[..n]);
            left -= n as u64;
        }
        pos = hole;
    }
    Ok(finish(hasher))
}

pub(crate) fn hash_zeros(hasher: &mut Sha256, mut n: u64) {
    while n > 0 {
        let k = (n as usize).min(HASH_CHUNK);
        hasher.update(&ZEROS[..k]);
        n -= k as u64;
    }
}

/// The first data offset at or after `pos` (the file's end when none).
pub(crate) fn next_data(file: &File, pos: u64) -> io::Result<u64> {
    seek_whence(file, pos, libc::SEEK_DATA)
}

/// The first hole offset at or after `pos` (the end of the file counts).
pub(crate) fn next_hole(file: &File, pos: u64) -> io::Result<u64> {
    seek_whence(file, pos, libc::SEEK_HOLE)
}

fn seek_whence(file: &File, pos: u64, whence: libc::c_int) -> io::Result<u64> {
    use std::os::fd::AsRawFd;
    let offset = libc::off_t::try_from(pos)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "offset beyond off_t"))?;
    // SAFETY: lseek takes a descriptor owned by `file`, valid for the call;
    // no memory is shared with the kernel.
    let rc = unsafe { libc::lseek(file.as_raw_fd(), offset, whence) };
    if rc >= 0 {
        return Ok(rc as u64);
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        // No data after `pos`: the rest is a hole up to the end.
        Some(libc::ENXIO) => Ok(file.metadata()?.len()),
        // The file system knows no holes: all of it is data.
        Some(libc::EINVAL) if whence == libc::SEEK_DATA => Ok(pos),
        Some(libc::EINVAL) => Ok(file.metadata()?.len()),
        _ => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::sha256_hex;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn absent_and_zero_blocks_stay_holes_and_hash_as_zeros() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("img");
        let block = 64 * 1024;
        let size = 64 * block as u64;
        let img = SparseImage::open(&path, size).expect("open");
        let data: Vec<u8> = (0..block).map(|i| (i % 251) as u8 + 1).collect();
        assert!(img.write_block(3 * block as u64, &data).expect("write"));
        assert!(!img
            .write_block(5 * block as u64, &vec![0u8; block])
            .expect("zeros"));
        assert!(img.write_block(63 * block as u64, &data).expect("last"));
        assert!(
            img.write_block(64 * block as u64, &data).is_err(),
            "past the end"
        );
        img.sync().expect("sync");
        drop(img);

        let mut expected = vec![0u8; size as usize];
        expected[3 * block..4 * block].copy_from_slice(&data);
        expected[63 * block..].copy_from_slice(&data);
        assert_eq!(std::fs::read(&path).expect("read"), expected);
        assert_eq!(hash_sparse(&path).expect("hash"), sha256_hex(&expected));
        let meta = std::fs::metadata(&path).expect("stat");
        assert!(
            meta.blocks() * 512 < size / 4,
            "holes kept: {} bytes allocated for {size}",
            meta.blocks() * 512
        );

        // Reopening keeps what was written and refuses a smaller size.
        let again = SparseImage::open(&path, size).expect("reopen");
        drop(again);
        assert_eq!(hash_sparse(&path).expect("hash"), sha256_hex(&expected));
        assert!(SparseImage::open(&path, size - 1).is_err());
    }

    #[test]
    fn zero_detection() {
        assert!(is_zero(&[]));
        assert!(is_zero(&vec![0u8; 3 * HASH_CHUNK + 5]));
        let mut v = vec![0u8; 2 * HASH_CHUNK];
        v[HASH_CHUNK + 7] = 1;
        assert!(!is_zero(&v));
    }
}
