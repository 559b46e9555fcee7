//! The window's candidate events, in record order, within a memory budget. Pass 2's workers
//! encode each candidate into a [`CandidateSpool`] (sorted runs spilled to temporary files past
//! the budget, through the timeline's external sort); the merge leaves one sorted sequence of
//! entries ([`Candidates`]), in memory when nothing was spilled, else in one anonymous temporary
//! file, which the build reads through as often as it needs.
//!
//! At 20 GB of a busy account the window held 176,345 candidates (151,423 of them session
//! calls), and keeping them all as structures made scope's memory follow the attacker window.

use std::io::{self, BufWriter};
use std::path::PathBuf;
use std::sync::Mutex;

use cloudcase_event::EventTime;
use cloudcase_read::{FileFinder, Files};
use cloudcase_timeline::sort::{merge_within, LineKey, RunBuilder};

use super::codec::{decode, encode};
use super::entries::{malformed, EntryReader, Stored, READ_CHUNK};
use super::Candidate;

/// Default memory for the attacker window's candidate events, store accesses and key uses before
/// they are spilled, in all workers together (8 MiB: on 20 GB of a busy account, 32 MiB peaked at 111 MB
/// and 8 MiB at 81 MB, in the same time, 39–40 s).
pub const DEFAULT_CANDIDATE_MEMORY: usize = 8 << 20;

/// One worker's candidates as they are found: encoded, sorted into runs, spilled past its
/// budget.
pub struct CandidateSpool {
    runs: RunBuilder,
    budget: usize,
    temp_dir: Option<PathBuf>,
    error: Option<io::Error>,
}

impl Default for CandidateSpool {
    fn default() -> Self {
        CandidateSpool::new(DEFAULT_CANDIDATE_MEMORY, None)
    }
}

impl CandidateSpool {
    /// A spool keeping up to `budget` bytes of encoded candidates in memory, spilling to
    /// anonymous files in `temp_dir` (the system's temporary directory if `None`).
    pub fn new(budget: usize, temp_dir: Option<PathBuf>) -> Self {
        CandidateSpool {
            runs: RunBuilder::new(budget, temp_dir.clone()),
            budget,
            temp_dir,
            error: None,
        }
    }

    /// Another worker's spool of the same window, with `budget` bytes: its runs share this
    /// one's pool, so the open run files stay few however many workers there are.
    pub fn share(&self, budget: usize) -> Self {
        CandidateSpool {
            runs: self.runs.share(budget),
            budget,
            temp_dir: self.temp_dir.clone(),
            error: None,
        }
    }

    /// Adds `c`. A failure to spill is kept and reported by [`Candidates::merge`]; later
    /// candidates are then dropped, since the result could not be complete anyway.
    pub(crate) fn push(&mut self, c: &Candidate) {
        if self.error.is_some() {
            return;
        }
        let key = LineKey::at(
            EventTime::from_millis(c.ptr.ms),
            c.ptr.file.ordinal,
            c.ptr.record,
        );
        if let Err(e) = self.runs.push_with(key, |out| encode(c, out)) {
            self.error = Some(e);
        }
    }
}

/// The window's candidate events in record order (time, file, record), read back one at a time
/// with the run's input list, in which their files are found again.
#[derive(Debug)]
pub struct Candidates {
    store: Stored,
    /// The first failure to read the entries back, reported by [`Candidates::take_failure`].
    failure: Mutex<Option<io::Error>>,
}

impl Default for Candidates {
    fn default() -> Self {
        Candidates {
            store: Stored::Memory(Vec::new()),
            failure: Mutex::new(None),
        }
    }
}

impl Candidates {
    /// Merges the workers' spools into one sequence in record order, reading spilled runs
    /// through as much memory as the spools' budgets.
    pub fn merge(spools: Vec<CandidateSpool>) -> io::Result<Candidates> {
        let mut runs = Vec::with_capacity(spools.len());
        let temp_dir = spools.first().and_then(|s| s.temp_dir.clone());
        let read_memory = spools.iter().map(|s| s.budget).sum();
        for spool in spools {
            if let Some(e) = spool.error {
                return Err(e);
            }
            runs.push(spool.runs.finish());
        }
        let store = if runs.iter().all(|r| r.spilled() == 0) {
            let mut bytes = Vec::new();
            merge_within(runs, read_memory, &mut bytes)?;
            Stored::Memory(bytes)
        } else {
            let dir = temp_dir.unwrap_or_else(std::env::temp_dir);
            let mut out = BufWriter::with_capacity(READ_CHUNK, tempfile::tempfile_in(dir)?);
            merge_within(runs, read_memory, &mut out)?;
            Stored::Disk(out.into_inner().map_err(io::IntoInnerError::into_error)?)
        };
        Ok(Candidates {
            store,
            failure: Mutex::new(None),
        })
    }

    /// Whether the candidates were spilled to a temporary file.
    #[cfg(test)]
    pub(crate) fn spilled(&self) -> bool {
        matches!(self.store, Stored::Disk(_))
    }

    /// The candidates in record order, their files found in `files` (the run's input list).
    /// Reading stops at the first entry that cannot be read back; the failure is kept for
    /// [`Candidates::take_failure`].
    pub fn iter<'a>(&'a self, files: &'a dyn Files) -> CandidateIter<'a> {
        CandidateIter {
            from: self,
            entries: EntryReader::new(&self.store),
            done: false,
            files: FileFinder::bare(files),
        }
    }

    /// The first failure to read the candidates back, if any (taken: reported once).
    pub fn take_failure(&self) -> Option<io::Error> {
        self.failure.lock().ok().and_then(|mut f| f.take())
    }

    fn fail(&self, e: io::Error) {
        if let Ok(mut f) = self.failure.lock() {
            f.get_or_insert(e);
        }
    }
}

/// An iteration over [`Candidates`].
pub struct CandidateIter<'a> {
    from: &'a Candidates,
    entries: EntryReader<'a>,
    done: bool,
    files: FileFinder<'a>,
}

impl CandidateIter<'_> {
    fn next_entry(&mut self) -> io::Result<Option<Candidate>> {
        match self.entries.next_entry()? {
            None => Ok(None),
            Some(body) => decode(body, &mut self.files)
                .map(Some)
                .ok_or_else(|| malformed("a candidate event")),
        }
    }
}

impl Iterator for CandidateIter<'_> {
    type Item = Candidate;

    fn next(&mut self) -> Option<Candidate> {
        if self.done {
            return None;
        }
        match self.next_entry() {
            Ok(Some(c)) => Some(c),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                self.from.fail(e);
                None
            }
        }
    }
}
