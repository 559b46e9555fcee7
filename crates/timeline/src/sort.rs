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
//! runs still in memory in key order. Memory is the budget while the workers
//! read, and the merge's read memory ([`MERGE_READ_MEMORY`] or what
//! [`merge_within`] is given: read buffers, decoders, chunks) at the end.

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

/// The read buffer of each of `runs` sharing `memory` bytes with their decoders.
fn run_buffer(memory: usize, runs: &[RunFile]) -> usize {
    let decoders: usize = runs.iter().map(RunFile::read_overhead).sum();
    (memory.saturating_sub(decoders) / runs.len().max(1))
        .clamp(*RUN_BUFFER.start(), *RUN_BUFFER.end())
}

/// Runs merged at once, at least: a small budget still halves a pile of runs in a few passes.
const MIN_MERGE_WIDTH: usize = 8;

/// How many runs one merge reads at once within `memory` bytes: each holds at least the
/// smallest read buffer and, if compressed, an LZ4 decoder; at most [`fan_in`], at least
/// [`MIN_MERGE_WIDTH`].
fn merge_width(memory: usize) -> usize {
    (memory / (RUN_BUFFER.start() + run_file::LZ4_READ_COST))
        .clamp(MIN_MERGE_WIDTH, fan_in().max(MIN_MERGE_WIDTH))
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
    encoding: SpillChoice,
}

impl Runs {
    /// How many runs this builder spilled to temporary files.
    pub fn spilled(&self) -> usize {
        self.spilled
    }

    /// Writes the lines still in memory out as one more run and frees their buffer, when the
    /// builder has spilled already: the merge then reads every run through its bounded read
    /// buffers instead of holding the whole budget beside them (`scope`'s window at 20 GB held
    /// 4.5 MB of arenas beside 4 MiB of read buffers). A sort that never spilled is merged from
    /// memory, as before.
    fn spill_rest(&mut self) -> io::Result<()> {
        if self.spilled == 0 || self.index.is_empty() {
            return Ok(());
        }
        write_run(&self.arena, &self.index, &self.pool, &mut self.encoding)?;
        self.spilled += 1;
        self.arena = Vec::new();
        self.index = Vec::new();
        Ok(())
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
        write_run(&self.arena, &self.index, &self.pool, &mut self.encoding)?;
        self.spilled += 1;
        self.arena.clear();
        self.index.clear();
        Ok(())
    }

    /// Sorts what is still in memory and hands everything over for merging.
    pub fn finish(mut self) -> Runs {
        self.sort();
        Runs {
            arena: self.arena,
            index: self.index,
            spilled: self.spilled,
            pool: self.pool,
            encoding: self.encoding,
        }
    }
}

/// Writes the lines of `index` (sorted) from `arena` as one run into `pool`, encoded as
/// `encoding` picks.
fn write_run(
    arena: &[u8],
    index: &[Slot],
    pool: &RunPool,
    encoding: &mut SpillChoice,
) -> io::Result<()> {
    let dir = pool.temp_dir();
    let bytes = arena.len() as u64;
    let compressed = encoding.compress(run_file::should_compress(dir, bytes));
    let entries = index.iter().map(|s| Entry {
        key: s.key,
        line: &arena[s.start as usize..(s.start + s.len) as usize],
    });
    let started = std::time::Instant::now();
    let run = RunFile::write(dir, compressed, pool.open(), entries)?;
    encoding.record(compressed, bytes, started.elapsed());
    pool.add(run, encoding)
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
/// A builder that spilled writes the lines it still holds as one more run, so
/// the merge does not hold its budget beside the read buffers. Spilled runs
/// beyond what the read memory can read at once (see `merge_width`, at most
/// [`fan_in`]) are first merged in groups into longer runs. When more than one
/// worker built the runs (so more than one core is likely free), half of the
/// sources are merged on a second thread.
pub fn merge(runs: Vec<Runs>, out: &mut dyn Write) -> io::Result<u64> {
    merge_within(runs, MERGE_READ_MEMORY, out)
}

/// [`merge`], reading the spilled runs through `read_memory` bytes in all:
/// each run's read buffer (between 16 KiB and 1 MiB) and LZ4 decoder, and the
/// two-thread merge's chunks in flight. For a sort whose budget is small beside
/// [`MERGE_READ_MEMORY`], so that merging does not take more memory than
/// sorting did.
pub fn merge_within(
    mut runs: Vec<Runs>,
    read_memory: usize,
    out: &mut dyn Write,
) -> io::Result<u64> {
    for run in &mut runs {
        run.spill_rest()?;
    }
    let mut pools: Vec<&Arc<RunPool>> = Vec::new();
    for run in &runs {
        if !pools.iter().any(|p| Arc::ptr_eq(p, &run.pool)) {
            pools.push(&run.pool);
        }
    }
    // With more than one worker the merge may be split over two threads, whose chunks in
    // flight take their share of the read memory.
    let chunk_memory = if runs.len() > 1 {
        read_memory / split::CHUNK_SHARE
    } else {
        0
    };
    let run_memory = read_memory - chunk_memory;
    let files: Vec<RunFile> = pools.iter().flat_map(|p| p.take()).collect();
    let files = match pools.first() {
        Some(pool) => pool.reduce(files, run_memory)?,
        None => files,
    };
    let buffer = run_buffer(run_memory, &files);
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
        split::merge_in_two(sources, chunk_memory, emit)
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
    fn a_builder_that_spilled_writes_its_remainder_out_before_the_merge() {
        let line = |i: u64| format!("{i:05}-{}\n", "w".repeat(9_000));
        let mut spilled = RunBuilder::new(2 * LINE_SLACK, None);
        let mut kept = RunBuilder::new(1 << 20, None);
        for i in 0..40u64 {
            let b = if i % 4 == 0 { &mut kept } else { &mut spilled };
            let text = line(i);
            b.push_with(key(i as i64, 0, i), |buf| {
                buf.extend_from_slice(text.as_bytes())
            })
            .unwrap();
        }
        let (mut spilled, mut kept) = (spilled.finish(), kept.finish());
        assert!(spilled.spilled() >= 1 && !spilled.index.is_empty());
        let before = spilled.spilled();
        spilled.spill_rest().unwrap();
        kept.spill_rest().unwrap();
        assert_eq!(spilled.spilled(), before + 1);
        assert!(spilled.index.is_empty() && spilled.arena.capacity() == 0);
        assert_eq!(
            kept.spilled(),
            0,
            "a sort that never spilled stays in memory"
        );
        assert_eq!(kept.index.len(), 10);
        let mut out = Vec::new();
        assert_eq!(merge(vec![spilled, kept], &mut out).unwrap(), 40);
        let want: String = (0..40).map(line).collect();
        assert!(out == want.as_bytes(), "merged output differs");
    }

    #[test]
    fn a_merge_reads_as_many_runs_as_its_memory_holds_with_their_decoders() {
        let per_run = RUN_BUFFER.start() + run_file::LZ4_READ_COST;
        let width = merge_width(4 << 20);
        assert!(width >= MIN_MERGE_WIDTH && width <= fan_in().max(MIN_MERGE_WIDTH));
        if width > MIN_MERGE_WIDTH {
            assert!(
                width * per_run <= 4 << 20,
                "{width} runs of {per_run} bytes"
            );
        }
        assert_eq!(
            merge_width(1),
            MIN_MERGE_WIDTH,
            "a tiny budget still merges"
        );
        // Compressed runs leave less of the memory to their read buffers.
        let dir = std::env::temp_dir();
        let open = Arc::new(open::OpenRuns::default());
        let entry = [Entry {
            key: key(0, 0, 0),
            line: b"x\n",
        }];
        let runs: Vec<RunFile> = [false, true]
            .into_iter()
            .map(|z| RunFile::write(&dir, z, &open, entry.iter().map(|e| Entry { ..*e })).unwrap())
            .collect();
        let memory = 2 << 20;
        assert_eq!(run_buffer(memory, &runs[..1]), 1 << 20);
        assert_eq!(
            run_buffer(memory, &runs),
            (memory - run_file::LZ4_READ_COST) / 2
        );
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
