//! Where a worker writes what it holds once its memory budget is full: one anonymous temporary
//! file per worker, written as length-prefixed entries, and after the merge every worker's
//! files. The uses and the counts scope holds within a budget spill through it.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use cloudcase_util::fields::put_entry;

use super::entries::{Stored, WRITE_CHUNK};

/// One worker's temporary file, then the files of every worker merged into it.
#[derive(Debug, Default)]
pub(super) struct Spill {
    temp_dir: Option<PathBuf>,
    writer: Option<BufWriter<File>>,
    stored: Vec<Stored>,
    /// The first failure, reported by [`Spill::finish`]; nothing is written after it.
    error: Option<io::Error>,
    buf: Vec<u8>,
}

impl Spill {
    /// Spills to anonymous files in `temp_dir` (the system's temporary directory if `None`).
    pub(super) fn new(temp_dir: Option<PathBuf>) -> Self {
        Spill {
            temp_dir,
            ..Spill::default()
        }
    }

    /// Whether entries can be written: the file is created the first time, and after a
    /// failure nothing can be (what is held then stays held, and `finish` reports it).
    pub(super) fn can_write(&mut self) -> bool {
        if self.error.is_none() && self.writer.is_none() {
            let dir = self.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
            match tempfile::tempfile_in(dir) {
                Ok(file) => self.writer = Some(BufWriter::with_capacity(WRITE_CHUNK, file)),
                Err(e) => self.error = Some(e),
            }
        }
        self.error.is_none()
    }

    /// Writes one entry per item, its bytes appended by `encode`. A failure is kept for
    /// [`Spill::finish`] and the remaining items are dropped (the run then fails anyway).
    pub(super) fn write<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        mut encode: impl FnMut(T, &mut Vec<u8>),
    ) {
        if !self.can_write() {
            return;
        }
        let Some(writer) = self.writer.as_mut() else {
            return;
        };
        for item in items {
            self.buf.clear();
            put_entry(&mut self.buf, |out| encode(item, out));
            if let Err(e) = writer.write_all(&self.buf) {
                self.error = Some(e);
                return;
            }
        }
    }

    /// Takes over another worker's files; a failure of its own is kept for `finish`.
    pub(super) fn absorb(&mut self, mut other: Spill) {
        if let Err(e) = other.finish() {
            self.error.get_or_insert(e);
        }
        self.stored.append(&mut other.stored);
    }

    /// Closes the file being written; fails if writing ever failed.
    pub(super) fn finish(&mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(w) = self.writer.take() {
            let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
            self.stored.push(Stored::Disk(file));
        }
        Ok(())
    }

    /// The closed files, in the order they were finished.
    pub(super) fn stored(&self) -> &[Stored] {
        &self.stored
    }
}
