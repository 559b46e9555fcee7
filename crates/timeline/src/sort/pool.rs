//! The spilled runs of one sort's workers, kept under [`fan_in`] open files
//! by merging groups of the smallest runs into longer ones as they come.
//!
//! Every spilled run goes into the sort's [`RunPool`]. When the sort's open
//! run files reach [`fan_in`], the worker that added the last run takes the
//! smallest half out and merges them into one (streaming, through
//! bounded read buffers), so open files stay about [`fan_in`] plus two per
//! worker, however large the input; merging the smallest first rewrites
//! each line about log of the run count (base half the fan-in) times. A worker that finds the
//! limit reached and nothing to merge (the others are merging) waits.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use std::io;

use super::open::OpenRuns;
use super::run_file::{should_compress, RunFile, RunWriter, SpillChoice};
use super::{merge_sources, Source};

/// Run files of one sort open at once, beyond those being written: a quarter
/// of the process's open-file limit (`ulimit -n`), between 16 and 256, so that
/// with the workers' input files and the runs they are writing a sort stays
/// under the limit, and an input that spills fewer runs than that is never
/// rewritten before the final merge (rewriting costs as much as the spill).
/// Read once per process.
pub fn fan_in() -> usize {
    static FAN_IN: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *FAN_IN.get_or_init(|| (cloudcase_util::oslimit::open_file_limit() / 4).clamp(16, 256))
}

/// Read buffers of one merge of a group while the workers read, at most:
/// small, as every worker may be merging at once. A sort with a smaller
/// budget per worker merges within that budget, at least [`MIN_GROUP_READ_MEMORY`]
/// (hunt's burst windows, with 2 MiB per worker, wrote hundreds of runs at 20 GB,
/// and two merges at once held 16.7 MB of read buffers).
const GROUP_READ_MEMORY: usize = 8 << 20;
/// Read buffers of one merge of a group, at least.
const MIN_GROUP_READ_MEMORY: usize = 1 << 20;

/// Spilled runs shared by one sort's workers.
pub(super) struct RunPool {
    runs: Mutex<Vec<RunFile>>,
    group_read_memory: usize,
    merged: Condvar,
    open: Arc<OpenRuns>,
    temp_dir: PathBuf,
}

impl RunPool {
    /// An empty pool of runs spilled to `temp_dir` by workers keeping `budget` bytes each,
    /// which also bounds the read buffers of merging a group of runs while they read.
    pub(super) fn new(temp_dir: PathBuf, budget: usize) -> RunPool {
        RunPool {
            runs: Mutex::new(Vec::new()),
            group_read_memory: budget.clamp(MIN_GROUP_READ_MEMORY, GROUP_READ_MEMORY),
            merged: Condvar::new(),
            open: Arc::new(OpenRuns::default()),
            temp_dir,
        }
    }

    /// The count of the sort's open run files.
    pub(super) fn open(&self) -> &Arc<OpenRuns> {
        &self.open
    }

    /// Where runs are spilled.
    pub(super) fn temp_dir(&self) -> &Path {
        &self.temp_dir
    }

    fn lock(&self) -> MutexGuard<'_, Vec<RunFile>> {
        self.runs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `run`, written with `encoding`; while the open run files are at
    /// [`fan_in`], merges the smallest half (at most as many as the group's read
    /// memory reads at once) into one and adds it back.
    pub(super) fn add(&self, run: RunFile, encoding: &mut SpillChoice) -> io::Result<()> {
        let mut run = Some(run);
        loop {
            let group = {
                let mut runs = self.lock();
                runs.extend(run.take());
                loop {
                    if self.open.now() < fan_in() {
                        return Ok(());
                    }
                    if runs.len() >= 2 {
                        let width = super::merge_width(self.group_read_memory);
                        break take_smallest(&mut runs, (fan_in() / 2).min(width));
                    }
                    runs = self
                        .merged
                        .wait(runs)
                        .unwrap_or_else(PoisonError::into_inner);
                }
            };
            let merged = merge_group(group, self, encoding, self.group_read_memory);
            // Taking the lock orders this wake-up after a waiter's check.
            drop(self.lock());
            self.merged.notify_all();
            run = Some(merged?);
        }
    }

    /// Every run in the pool, taken out.
    pub(super) fn take(&self) -> Vec<RunFile> {
        std::mem::take(&mut *self.lock())
    }

    /// `runs` merged down to as many as `read_memory` reads at once, at most
    /// [`fan_in`] (new ones in this pool's directory), each group through
    /// `read_memory` bytes of read buffers and decoders.
    pub(super) fn reduce(
        &self,
        mut runs: Vec<RunFile>,
        read_memory: usize,
    ) -> io::Result<Vec<RunFile>> {
        let mut encoding = SpillChoice::default();
        let width = super::merge_width(read_memory);
        while runs.len() > width {
            let n = (runs.len() - width + 1).min(width);
            let group = take_smallest(&mut runs, n);
            runs.push(merge_group(group, self, &mut encoding, read_memory)?);
        }
        Ok(runs)
    }
}

/// Removes and returns the `n` smallest of `runs`.
fn take_smallest(runs: &mut Vec<RunFile>, n: usize) -> Vec<RunFile> {
    runs.sort_unstable_by_key(|r| std::cmp::Reverse(r.bytes()));
    runs.split_off(runs.len() - n.min(runs.len()))
}

/// Merges `group` into one new run of `pool`, encoded as `encoding` picks,
/// reading through `read_memory` bytes of buffers in all.
fn merge_group(
    group: Vec<RunFile>,
    pool: &RunPool,
    encoding: &mut SpillChoice,
    read_memory: usize,
) -> io::Result<RunFile> {
    let bytes = group.iter().map(RunFile::bytes).sum::<u64>();
    let buffer = super::run_buffer(read_memory, &group);
    let compressed = encoding.compress(should_compress(pool.temp_dir(), bytes));
    let started = std::time::Instant::now();
    let mut sources = group
        .into_iter()
        .map(|r| r.into_reader(buffer).map(Source::Spilled))
        .collect::<io::Result<Vec<_>>>()?;
    let mut out = RunWriter::create(pool.temp_dir(), compressed, pool.open())?;
    merge_sources(&mut sources, |key, line| out.push(key, line))?;
    let run = out.finish()?;
    encoding.record(compressed, bytes, started.elapsed());
    Ok(run)
}
