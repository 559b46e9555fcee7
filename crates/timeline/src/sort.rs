//! Time ordering with bounded memory: sorted runs spilled to temporary files
//! and merged.
//!
//! Each worker appends formatted lines to its own [`RunBuilder`]. When a
//! builder's buffer passes its budget, its lines are sorted by [`LineKey`]
//! and written in large sequential blocks to an anonymous temporary file
//! (deleted by the OS when closed): raw or LZ4-compressed, whichever has cost
//! less lately, and compressed once the disk runs short (see `run_file`).
//! Builders made with [`RunBuilder::share`] spill into one pool that keeps
//! the sort's open run files about [`fan_in`] by merging the smallest runs
//! into longer ones while the workers read (see `pool`). [`merge`] then
//! merges what is left down to [`fan_in`] runs and streams them and the
//! runs still in memory in key order. Memory is the budget plus one read
//! buffer per open run, [`MERGE_READ_MEMORY`] in all at the end.

mod open;
mod pool;
mod run_file;
mod split;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use cloudcase_event::Event;

pub use pool::fan_in;
use pool::RunPool;
use run_file::{Entry, RunFile, RunReader, SpillChoice};

/// Order of lines: time, then the file's input position, then the record's
/// index in its file — a total, deterministic order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineKey {
    time: i64,
    file: u64,
    record: u64,
}

impl LineKey {
    /// The key of a line about the record at `record` in the file at input
    /// position `file`, at `time`.
    pub fn at(time: cloudcase_event::EventTime, file: u64, record: u64) -> Self {
        LineKey {
            time: time.millis(),
            file,
            record,
        }
    }

    /// A key ordering lines that are not about one record (aggregates spilled by an analytic):
    /// by `major`, then `middle`, then `minor`.
    pub fn ordered(major: i64, middle: u64, minor: u64) -> Self {
        LineKey {
            time: major,
            file: middle,
            record: minor,
        }
    }

    /// The key of `event`.
    pub fn of(event: &Event) -> Self {
        LineKey {
            time: event.time.millis(),
            file: event.provenance.file.ordinal,
            record: event.provenance.record,
        }
    }
}

/// Room kept free in the buffer for the next line, so the buffer is spilled
/// before it would have to grow (growing doubles its memory).
const LINE_SLACK: usize = 64 << 10;

/// Read buffers of all spilled runs together during the merge.
pub const MERGE_READ_MEMORY: usize = 32 << 20;

/// Bounds of one spilled run's read buffer: large sequential reads, yet
/// bounded in all however many runs there are.
const RUN_BUFFER: std::ops::RangeInclusive<usize> = (16 << 10)..=(1 << 20);

/// The read buffer of each of `runs` runs sharing `memory` bytes.
fn run_buffer(memory: usize, runs: usize) -> usize {
    (memory / runs.max(1)).clamp(*RUN_BUFFER.start(), *RUN_BUFFER.end())
}

/// Where a line is in a builder's buffer, and its key.
#[derive(Debug, Clone, Copy)]
struct Slot {
    key: LineKey,
    start: u32,
    len: u32,
}

/// Collects one worker's lines, spilling sorted runs past its budget.
pub struct RunBuilder {
    arena: Vec<u8>,
    index: Vec<Slot>,
    budget: usize,
    pool: Arc<RunPool>,
    spilled: usize,
    encoding: SpillChoice,
}

/// A builder's finished output: the sorted remainder, and the pool holding
/// its spilled runs.
pub struct Runs {
    arena: Vec<u8>,
    index: Vec<Slot>,
    spilled: usize,
    pool: Arc<RunPool>,
}

impl Runs {
    /// How many runs this builder spilled to temporary files.
    pub fn spilled(&self) -> usize {
        self.spilled
    }
}

impl RunBuilder {
    /// A builder that keeps up to `budget` bytes in memory (capped below 4 GiB),
    /// spilling to anonymous files in `temp_dir` (the system default if `None`).
    pub fn new(budget: usize, temp_dir: Option<PathBuf>) -> Self {
        let dir = temp_dir.unwrap_or_else(std::env::temp_dir);
        RunBuilder::in_pool(budget, Arc::new(RunPool::new(dir, budget)))
    }

    /// Another builder of the same sort (one per worker) with `budget`
    /// bytes: its spilled runs share this one's pool, so the sort's open
    /// run files stay about [`fan_in`] however many workers there are.
    pub fn share(&self, budget: usize) -> Self {
        RunBuilder::in_pool(budget, Arc::clone(&self.pool))
    }

    fn in_pool(budget: usize, pool: Arc<RunPool>) -> Self {
        RunBuilder {
            arena: Vec::new(),
            index: Vec::new(),
            budget: budget.clamp(2 * LINE_SLACK, u32::MAX as usize / 2),
            pool,
            spilled: 0,
            encoding: SpillChoice::default(),
        }
    }

    /// Appends one line written by `write` under `key`.
    pub fn push_with(&mut self, key: LineKey, write: impl FnOnce(&mut Vec<u8>)) -> io::Result<()> {
        if self.arena.capacity() == 0 {
            self.arena.reserve_exact(self.budget);
        }
        if self.arena.len() + LINE_SLACK > self.arena.capacity() && !self.index.is_empty() {
            self.spill()?;
        }
        let start = self.arena.len();
        write(&mut self.arena);
        let len = self.arena.len() - start;
        self.index.push(Slot {
            key,
            start: start as u32,
            len: len as u32,
        });
        Ok(())
    }

    fn sort(&mut self) {
        self.index.sort_unstable_by_key(|s| s.key);
    }

    fn spill(&mut self) -> io::Result<()> {
        self.sort();
        let dir = self.pool.temp_dir();
        let bytes = self.arena.len() as u64;
        let compressed = self
            .encoding
            .compress(run_file::should_compress(dir, bytes));
        let arena = &self.arena;
        let entries = self.index.iter().map(|s| Entry {
            key: s.key,
            line: &arena[s.start as usize..(s.start + s.len) as usize],
        });
        let started = std::time::Instant::now();
        let run = RunFile::write(dir, compressed, self.pool.open(), entries)?;
        self.encoding.record(compressed, bytes, started.elapsed());
        self.spilled += 1;
        self.arena.clear();
        self.index.clear();
        self.pool.add(run, &mut self.encoding)
    }

    /// Sorts what is still in memory and hands everything over for merging.
    pub fn finish(mut self) -> Runs {
        self.sort();
        Runs {
            arena: self.arena,
            index: self.index,
            spilled: self.spilled,
            pool: self.pool,
        }
    }
}

/// One input of the merge.
enum Source<'a> {
    Memory {
        arena: &'a [u8],
        index: &'a [Slot],
        pos: usize,
    },
    Spilled(RunReader),
    /// Lines merged by another thread (see `split`).
    Piped(split::Piped),
}

impl Source<'_> {
    /// Advances to the next line and returns its key, `None` when exhausted.
    fn advance(&mut self) -> io::Result<Option<LineKey>> {
        match self {
            Source::Memory { index, pos, .. } => {
                let key = index.get(*pos).map(|s| s.key);
                if key.is_some() {
                    *pos += 1;
                }
                Ok(key)
            }
            Source::Spilled(reader) => reader.advance(),
            Source::Piped(piped) => piped.advance(),
        }
    }

    /// The line `advance` last returned a key for.
    fn current(&self) -> &[u8] {
        match self {
            Source::Memory { arena, index, pos } => {
                let s = index[*pos - 1];
                &arena[s.start as usize..(s.start + s.len) as usize]
            }
            Source::Spilled(reader) => reader.current(),
            Source::Piped(piped) => piped.current(),
        }
    }
}

/// Sources from which the final merge of a sort with more than one worker
/// is split over two threads (see `split`).
const PARALLEL_MERGE_SOURCES: usize = 4;

/// Writes every line of `runs` to `out` in key order; returns the line count.
///
/// Spilled runs beyond [`fan_in`] are first merged in groups into longer
/// runs, so at most [`fan_in`] are read at once. When more than one worker
/// built the runs (so more than one core is likely free), half of the
/// sources are merged on a second thread.
pub fn merge(runs: Vec<Runs>, out: &mut dyn Write) -> io::Result<u64> {
    merge_within(runs, MERGE_READ_MEMORY, out)
}

/// [`merge`], reading the spilled runs through `read_memory` bytes of buffers
/// in all (each run's between 16 KiB and 1 MiB): for a sort whose budget is
/// small beside [`MERGE_READ_MEMORY`], so that merging does not take more
/// memory than sorting did.
pub fn merge_within(runs: Vec<Runs>, read_memory: usize, out: &mut dyn Write) -> io::Result<u64> {
    let mut pools: Vec<&Arc<RunPool>> = Vec::new();
    for run in &runs {
        if !pools.iter().any(|p| Arc::ptr_eq(p, &run.pool)) {
            pools.push(&run.pool);
        }
    }
    let files: Vec<RunFile> = pools.iter().flat_map(|p| p.take()).collect();
    let files = match pools.first() {
        Some(pool) => pool.reduce(files, read_memory)?,
        None => files,
    };
    let buffer = run_buffer(read_memory, files.len());
    let mut sources: Vec<Source<'_>> = runs
        .iter()
        .map(|run| Source::Memory {
            arena: &run.arena,
            index: &run.index,
            pos: 0,
        })
        .collect();
    for file in files {
        sources.push(Source::Spilled(file.into_reader(buffer)?));
    }
    let emit = |_, line: &[u8]| out.write_all(line);
    if runs.len() > 1 && sources.len() >= PARALLEL_MERGE_SOURCES {
        split::merge_in_two(sources, read_memory, emit)
    } else {
        merge_sources(&mut sources, emit)
    }
}

/// Passes every line of `sources` to `emit` in key order; returns the count.
fn merge_sources(
    sources: &mut [Source<'_>],
    mut emit: impl FnMut(LineKey, &[u8]) -> io::Result<()>,
) -> io::Result<u64> {
    let mut heap = BinaryHeap::with_capacity(sources.len());
    for (i, source) in sources.iter_mut().enumerate() {
        if let Some(key) = source.advance()? {
            heap.push(Reverse((key, i)));
        }
    }
    let mut written = 0u64;
    while let Some(Reverse((key, i))) = heap.pop() {
        emit(key, sources[i].current())?;
        written += 1;
        if let Some(key) = sources[i].advance()? {
            heap.push(Reverse((key, i)));
        }
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(time: i64, file: u64, record: u64) -> LineKey {
        LineKey { time, file, record }
    }

    #[test]
    fn merges_spilled_and_memory_runs_in_key_order() {
        // Lines larger than the buffer's slack make `a` spill at nearly every line.
        let mut a = RunBuilder::new(1, None);
        let mut b = RunBuilder::new(1 << 20, None);
        let mut expected = Vec::new();
        for i in 0..200i64 {
            let t = (i * 7919) % 101;
            let line = format!(
                "{t:04}-{i}-{}\n",
                "x".repeat(if i % 3 == 0 { 70_000 } else { 10 })
            );
            let builder = if i % 3 == 0 { &mut a } else { &mut b };
            builder
                .push_with(key(t, 0, i as u64), |buf| {
                    buf.extend_from_slice(line.as_bytes())
                })
                .unwrap();
            expected.push((t, i, line));
        }
        expected.sort();
        let runs = vec![a.finish(), b.finish()];
        assert!(runs[0].spilled() > 1);
        let mut out = Vec::new();
        assert_eq!(merge(runs, &mut out).unwrap(), 200);
        let want: String = expected.into_iter().map(|(_, _, l)| l).collect();
        assert_eq!(String::from_utf8(out).unwrap(), want);
    }

    #[test]
    fn equal_times_order_by_file_then_record() {
        let mut r = RunBuilder::new(1 << 20, None);
        for (f, rec, text) in [(1, 0, "c"), (0, 5, "b"), (0, 2, "a")] {
            r.push_with(key(10, f, rec), |b| b.extend_from_slice(text.as_bytes()))
                .unwrap();
        }
        let mut out = Vec::new();
        merge(vec![r.finish()], &mut out).unwrap();
        assert_eq!(out, b"abc");
    }

    #[test]
    fn thousands_of_runs_merge_identically_with_at_most_fan_in_open() {
        // One line past the slack per run: every line spills its own run.
        const WORKERS: usize = 4;
        const LINES: usize = 2_000;
        let line = |i: usize| {
            let t = (i * 7919) % 997;
            format!("{t:04}-{i}-{}\n", "z".repeat(66_000 + i % 500))
        };
        let first = RunBuilder::new(1, None);
        let pool = Arc::clone(&first.pool);
        let runs: Vec<Runs> = std::thread::scope(|s| {
            let workers: Vec<_> = (0..WORKERS)
                .map(|w| {
                    let mut b = first.share(1);
                    s.spawn(move || {
                        for i in (w..LINES).step_by(WORKERS) {
                            let text = line(i);
                            let k = key(((i * 7919) % 997) as i64, 0, i as u64);
                            b.push_with(k, |buf| buf.extend_from_slice(text.as_bytes()))
                                .unwrap();
                        }
                        b.finish()
                    })
                })
                .collect();
            workers.into_iter().map(|w| w.join().unwrap()).collect()
        });
        drop(first);
        let spilled: usize = runs.iter().map(Runs::spilled).sum();
        assert!(spilled >= LINES - WORKERS, "{spilled} runs");
        let mut out = Vec::new();
        assert_eq!(merge(runs, &mut out).unwrap(), LINES as u64);
        let mut want: Vec<(usize, usize)> = (0..LINES).map(|i| ((i * 7919) % 997, i)).collect();
        want.sort();
        let want: String = want.into_iter().map(|(_, i)| line(i)).collect();
        assert!(out == want.as_bytes(), "merged output differs");
        let open = pool.open();
        assert_eq!(open.now(), 0, "every run file is closed");
        // The pool holds at most fan_in(); beyond it, only the run each worker
        // has just written and the one it is merging into.
        assert!(
            open.peak() <= fan_in() + 2 * WORKERS,
            "peak {}",
            open.peak()
        );
        eprintln!("{spilled} runs, at most {} run files open", open.peak());
    }
}
