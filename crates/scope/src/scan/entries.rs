//! Length-prefixed entries kept in memory or in an anonymous temporary file, read back in
//! order: how scope's spilled candidates and store accesses are stored. Each entry is its `u32`
//! length (little-endian), then its bytes ([`cloudcase_util::fields::put_entry`] writes them).

use std::fs::File;
use std::io;

/// Bytes read from a file at a time.
pub(super) const READ_CHUNK: usize = 1 << 20;

/// Bytes a worker buffers before writing its spilled uses: each worker keeps a writer per kind
/// of use for the whole pass, so the buffer is small (entries are written in batches anyway).
pub(super) const WRITE_CHUNK: usize = 64 << 10;

/// Where entries are.
#[derive(Debug)]
pub(super) enum Stored {
    /// In memory.
    Memory(Vec<u8>),
    /// In an anonymous temporary file (deleted when closed).
    Disk(File),
}

/// Reads the entries of a [`Stored`] in order: memory in place, a file through a buffer of its
/// own (positioned reads, so that readers never disturb each other).
pub(super) struct EntryReader<'a> {
    stored: &'a Stored,
    /// Offset in the file of the end of `buf` (in memory: of the next unread byte).
    offset: u64,
    buf: Vec<u8>,
    /// Where the unread bytes of `buf` start.
    start: usize,
}

impl<'a> EntryReader<'a> {
    /// A reader from the first entry of `stored`.
    pub(super) fn new(stored: &'a Stored) -> Self {
        EntryReader {
            stored,
            offset: 0,
            buf: Vec::new(),
            start: 0,
        }
    }

    /// The next entry's bytes; `None` at the end. An end inside an entry is an error.
    pub(super) fn next_entry(&mut self) -> io::Result<Option<&[u8]>> {
        let Some(prefix) = self.take(4)? else {
            return Ok(None);
        };
        let len = u32::from_le_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]) as usize;
        match self.take(len)? {
            Some(body) => Ok(Some(body)),
            None => short(false),
        }
    }

    /// The next `n` bytes (`Ok(None)` at a clean end).
    fn take(&mut self, n: usize) -> io::Result<Option<&[u8]>> {
        let file = match self.stored {
            Stored::Memory(bytes) => {
                let at = self.offset as usize;
                let rest = bytes.get(at..).unwrap_or_default();
                if rest.len() < n {
                    return short(rest.is_empty());
                }
                self.offset += n as u64;
                return Ok(Some(&rest[..n]));
            }
            Stored::Disk(file) => file,
        };
        while self.buf.len() - self.start < n {
            self.buf.drain(..self.start);
            self.start = 0;
            let have = self.buf.len();
            self.buf.resize(have + n.max(READ_CHUNK), 0);
            let read = read_at(file, &mut self.buf[have..], self.offset)?;
            self.buf.truncate(have + read);
            self.offset += read as u64;
            if read == 0 {
                return short(self.buf.is_empty());
            }
        }
        let at = self.start;
        self.start += n;
        Ok(Some(&self.buf[at..at + n]))
    }
}

/// The end of the entries: clean at an entry boundary, else truncated.
fn short<T>(clean: bool) -> io::Result<Option<T>> {
    if clean {
        Ok(None)
    } else {
        Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "scope's temporary storage ends inside an entry",
        ))
    }
}

/// The error of an entry that does not decode.
pub(super) fn malformed(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{what} in scope's temporary storage does not decode"),
    )
}

/// Reads from `file` at `offset` into `buf`, retrying interruptions.
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    loop {
        #[cfg(unix)]
        let read = std::os::unix::fs::FileExt::read_at(file, buf, offset);
        #[cfg(windows)]
        let read = std::os::windows::fs::FileExt::seek_read(file, buf, offset);
        match read {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudcase_util::fields::put_entry;
    use std::io::Write;

    fn entries(n: usize) -> Vec<u8> {
        let mut out = Vec::new();
        for i in 0..n {
            put_entry(&mut out, |o| {
                o.extend(std::iter::repeat_n(i as u8, i * 997 % 3000))
            });
        }
        out
    }

    fn read_all(stored: &Stored) -> io::Result<Vec<Vec<u8>>> {
        let mut r = EntryReader::new(stored);
        let mut out = Vec::new();
        while let Some(e) = r.next_entry()? {
            out.push(e.to_vec());
        }
        Ok(out)
    }

    #[test]
    fn memory_and_file_read_back_the_same_entries_and_truncation_is_an_error() {
        let bytes = entries(2_000);
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(&bytes).unwrap();
        let from_memory = read_all(&Stored::Memory(bytes.clone())).unwrap();
        let from_file = read_all(&Stored::Disk(file)).unwrap();
        assert_eq!(from_memory.len(), 2_000);
        assert!(from_memory == from_file);
        assert_eq!(from_memory[7], vec![7u8; 7 * 997 % 3000]);
        for cut in [1, 3, 5, bytes.len() - 1] {
            let stored = Stored::Memory(bytes[..cut].to_vec());
            assert!(read_all(&stored).is_err(), "cut at {cut}");
        }
    }
}
