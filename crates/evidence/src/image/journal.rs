//! The download journal of an image being staged: one line per block whose
//! bytes are durable in the image (`INDEX SHA256 CHECKSUM`), appended in
//! batches after the image is fsynced, so a run killed at any moment resumes
//! by fetching only the blocks the journal does not name.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext};
use crate::fsutil;
use crate::hash::is_sha256_hex;

/// One block known to be in the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// Block index (offset = index × block size).
    pub index: u64,
    /// SHA-256 of the block's bytes, lower-case hex.
    pub sha256: String,
    /// The provider's checksum of the block as delivered (EBS: base64 SHA-256).
    pub checksum: String,
}

/// An append-only journal file.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
}

impl Journal {
    /// Opens the journal at `path` (created if absent) and returns the blocks
    /// it records, by index. An incomplete final line (a write cut by a crash)
    /// is cut off; a complete line that does not parse is an error.
    pub fn open(path: &Path) -> Result<(Self, BTreeMap<u64, JournalEntry>), Error> {
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .at(path, "open journal")?;
        let mut content = Vec::new();
        file.read_to_end(&mut content).at(path, "read journal")?;
        let (lines, tail) = fsutil::split_lines(&content);
        let mut done = BTreeMap::new();
        for (n, line) in lines.iter().enumerate() {
            let entry = parse(line).ok_or_else(|| {
                Error::io(
                    path,
                    "read journal",
                    io::Error::new(
                        io::ErrorKind::InvalidData,
                        format!(
                            "line {}: expected `INDEX SHA256 CHECKSUM`, found {:?}",
                            n + 1,
                            String::from_utf8_lossy(line)
                        ),
                    ),
                )
            })?;
            done.insert(entry.index, entry);
        }
        if !tail.is_empty() {
            let keep = (content.len() - tail.len()) as u64;
            file.set_len(keep).at(path, "cut torn journal line")?;
            file.sync_data().at(path, "fsync journal")?;
        }
        Ok((
            Self {
                file,
                path: path.to_path_buf(),
            },
            done,
        ))
    }

    /// Appends `entries` in one write and fsyncs. The blocks they name must
    /// already be durable in the image.
    pub fn append(&mut self, entries: &[JournalEntry]) -> Result<(), Error> {
        if entries.is_empty() {
            return Ok(());
        }
        let mut out = String::with_capacity(entries.len() * 120);
        for e in entries {
            out.push_str(&format!("{} {} {}\n", e.index, e.sha256, e.checksum));
        }
        fsutil::append_durable(&mut self.file, &self.path, out.as_bytes())
    }
}

fn parse(line: &[u8]) -> Option<JournalEntry> {
    let text = std::str::from_utf8(line).ok()?;
    let mut parts = text.split(' ');
    let index = parts.next()?.parse().ok()?;
    let sha256 = parts.next().filter(|s| is_sha256_hex(s))?.to_owned();
    let checksum = parts.next()?.to_owned();
    parts.next().is_none().then_some(JournalEntry {
        index,
        sha256,
        checksum,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn entry(index: u64) -> JournalEntry {
        JournalEntry {
            index,
            sha256: format!("{index:064x}"),
            checksum: format!("c{index}="),
        }
    }

    #[test]
    fn resumes_from_complete_lines_and_cuts_a_torn_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("journal");
        let (mut j, done) = Journal::open(&path).expect("open");
        assert!(done.is_empty());
        j.append(&[entry(3), entry(1)]).expect("append");
        j.append(&[entry(7)]).expect("append");
        drop(j);
        // A crash in the middle of a write leaves part of a line.
        let mut f = OpenOptions::new().append(true).open(&path).expect("open");
        f.write_all(b"9 00ab").expect("torn");
        drop(f);

        let (mut j, done) = Journal::open(&path).expect("reopen");
        assert_eq!(done.keys().copied().collect::<Vec<_>>(), [1, 3, 7]);
        assert_eq!(done[&7], entry(7));
        j.append(&[entry(9)]).expect("append after repair");
        drop(j);
        let (_, done) = Journal::open(&path).expect("reopen");
        assert_eq!(done.len(), 4);
        assert!(std::fs::read_to_string(&path)
            .expect("read")
            .ends_with("c9=\n"));
    }

    #[test]
    fn a_garbled_complete_line_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("journal");
        std::fs::write(&path, "1 nothex c=\n").expect("write");
        let err = Journal::open(&path).expect_err("garbled");
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
