//! What an analytic's workers write out to the external sort (`cloudcase_timeline::sort`)
//! once their state passes its budget, and how it is read back: merged in key order and fed,
//! entry by entry, to a judgement that holds only the entries of one key at a time. The burst
//! windows and the compute sessions are kept this way.

use std::io::{self, Write};
use std::path::PathBuf;

use cloudcase_timeline::sort::{merge_within, LineKey, RunBuilder, Runs};
use cloudcase_util::fields::EntrySplitter;

/// Reads the entries of a merge, one at a time, in key order.
pub(super) trait Judge {
    /// What the entries are called in errors ("a burst window").
    const WHAT: &'static str;
    /// Takes one entry's body (without its length prefix).
    fn part(&mut self, body: &[u8]) -> io::Result<()>;
}

/// One worker's entries written out, then every worker's once merged.
pub(super) struct Written {
    runs: RunBuilder,
    merged: Vec<Runs>,
    /// The first failure, reported by [`Written::judge`]; nothing is written after it.
    error: Option<io::Error>,
}

impl Written {
    /// Entries sorted within `budget` bytes, spilled to anonymous files in `temp_dir` (the
    /// system's temporary directory if `None`).
    pub fn new(budget: usize, temp_dir: Option<PathBuf>) -> Self {
        Written::of(RunBuilder::new(budget, temp_dir))
    }

    /// Another worker's, with `budget` bytes: its spilled runs share this one's pool of
    /// temporary files.
    pub fn share(&self, budget: usize) -> Self {
        Written::of(self.runs.share(budget))
    }

    fn of(runs: RunBuilder) -> Self {
        Written {
            runs,
            merged: Vec::new(),
            error: None,
        }
    }

    /// Whether writing has failed (what is left is then dropped: the result could not be
    /// complete anyway).
    pub fn failed(&self) -> bool {
        self.error.is_some()
    }

    /// Whether another worker's entries reached its temporary files (for tests).
    #[cfg(test)]
    pub fn spilled(&self) -> bool {
        self.merged.iter().any(|r| r.spilled() > 0)
    }

    /// Writes one entry, its bytes appended by `write`, under `key` (nothing once writing
    /// has failed).
    pub fn push(&mut self, key: LineKey, write: impl FnOnce(&mut Vec<u8>)) {
        if self.error.is_none() {
            if let Err(e) = self.runs.push_with(key, write) {
                self.error = Some(e);
            }
        }
    }

    /// Takes over another worker's entries.
    pub fn absorb(&mut self, mut other: Written) {
        if self.error.is_none() {
            self.error = other.error.take();
        }
        self.merged.push(other.runs.finish());
        self.merged.append(&mut other.merged);
    }

    /// Feeds every entry to `judge` in key order, reading within `read_memory` bytes. Fails if
    /// writing failed, or if the entries cannot be read back whole.
    pub fn judge<J: Judge>(mut self, read_memory: usize, judge: &mut J) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        let mut runs = std::mem::take(&mut self.merged);
        runs.push(self.runs.finish());
        let mut feed = Feed {
            judge,
            entries: EntrySplitter::default(),
        };
        merge_within(runs, read_memory, &mut feed)?;
        if feed.entries.is_cut() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} written to the temporary files was cut short", J::WHAT),
            ));
        }
        Ok(())
    }
}

/// The merge's output split into entries for a [`Judge`].
struct Feed<'j, J> {
    judge: &'j mut J,
    entries: EntrySplitter,
}

impl<J: Judge> Write for Feed<'_, J> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let judge = &mut *self.judge;
        self.entries.feed(buf, |body| judge.part(body))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The error of an entry that does not decode.
pub(super) fn unreadable(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("{what} written to the temporary files could not be read back"),
    )
}
