//! Time ordering with bounded memory: sorted runs spilled to temporary files
//! and merged.
//!
//! Each worker appends formatted lines to its own [`RunBuilder`]. When a
//! builder's buffer passes its budget, its lines are sorted by [`LineKey`]
//! and written in large sequential blocks to an anonymous temporary file
//! (deleted by the OS when closed): raw or LZ4-compressed, whichever has cost
//! less lately, and compressed once the disk runs short (see `run_file`). [`merge`] then
//! streams all runs — spilled and in memory — in key order. Memory is the
//! budget plus one read buffer per spilled run, [`MERGE_READ_MEMORY`] in all.

mod run_file;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Write};
use std::path::PathBuf;

use cloudcase_event::Event;

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
    temp_dir: Option<PathBuf>,
    spilled: Vec<RunFile>,
    encoding: SpillChoice,
}

/// A builder's finished output: spilled run files and the sorted remainder.
pub struct Runs {
    arena: Vec<u8>,
    index: Vec<Slot>,
    spilled: Vec<RunFile>,
}

impl Runs {
    /// How many runs went to temporary files.
    pub fn spilled(&self) -> usize {
        self.spilled.len()
    }
}

impl RunBuilder {
    /// A builder that keeps up to `budget` bytes in memory (capped below 4 GiB),
    /// spilling to anonymous files in `temp_dir` (the system default if `None`).
    pub fn new(budget: usize, temp_dir: Option<PathBuf>) -> Self {
        RunBuilder {
            arena: Vec::new(),
            index: Vec::new(),
            budget: budget.clamp(2 * LINE_SLACK, u32::MAX as usize / 2),
            temp_dir,
            spilled: Vec::new(),
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
        let dir = self.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
        let bytes = self.arena.len() as u64;
        let compressed = self
            .encoding
            .compress(run_file::should_compress(&dir, bytes));
        let arena = &self.arena;
        let entries = self.index.iter().map(|s| Entry {
            key: s.key,
            line: &arena[s.start as usize..(s.start + s.len) as usize],
        });
        let started = std::time::Instant::now();
        self.spilled
            .push(RunFile::write(&dir, compressed, entries)?);
        self.encoding.record(compressed, bytes, started.elapsed());
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
        }
    }
}

/// Writes every line of `runs` to `out` in key order; returns the line count.
pub fn merge(runs: Vec<Runs>, out: &mut dyn Write) -> io::Result<u64> {
    let files = runs.iter().map(Runs::spilled).sum::<usize>();
    let buffer = (MERGE_READ_MEMORY / files.max(1)).clamp(*RUN_BUFFER.start(), *RUN_BUFFER.end());
    let mut sources: Vec<Source<'_>> = Vec::new();
    for run in &runs {
        sources.push(Source::Memory {
            arena: &run.arena,
            index: &run.index,
            pos: 0,
        });
        for file in &run.spilled {
            sources.push(Source::Spilled(file.reader(buffer)?));
        }
    }
    let mut heap = BinaryHeap::with_capacity(sources.len());
    for (i, source) in sources.iter_mut().enumerate() {
        if let Some(key) = source.advance()? {
            heap.push(Reverse((key, i)));
        }
    }
    let mut written = 0u64;
    while let Some(Reverse((_, i))) = heap.pop() {
        out.write_all(sources[i].current())?;
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
}
