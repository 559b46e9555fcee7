//! Time ordering with bounded memory: sorted runs spilled to temporary files
//! and merged.
//!
//! Each worker appends formatted lines to its own [`RunBuilder`]. When a
//! builder's buffer passes its budget, its lines are sorted by [`LineKey`]
//! and written, LZ4-compressed, to an anonymous temporary file (deleted by
//! the OS when closed). [`merge`] then streams all runs — spilled and in memory — in
//! key order. Memory is the budget plus one buffered reader per run.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, Read, Seek, Write};
use std::path::PathBuf;

use cloudcase_event::Event;

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

const ENTRY_HEADER: usize = 8 + 8 + 8 + 4;

/// Room kept free in the buffer for the next line, so the buffer is spilled
/// before it would have to grow (growing doubles its memory).
const LINE_SLACK: usize = 64 << 10;

/// Collects one worker's lines, spilling sorted runs past its budget.
pub struct RunBuilder {
    arena: Vec<u8>,
    index: Vec<(LineKey, u32, u32)>,
    budget: usize,
    temp_dir: Option<PathBuf>,
    spilled: Vec<File>,
}

/// A builder's finished output: spilled run files and the sorted remainder.
pub struct Runs {
    arena: Vec<u8>,
    index: Vec<(LineKey, u32, u32)>,
    spilled: Vec<File>,
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
        self.index.push((key, start as u32, len as u32));
        Ok(())
    }

    fn sort(&mut self) {
        self.index.sort_unstable_by_key(|(k, _, _)| *k);
    }

    fn spill(&mut self) -> io::Result<()> {
        self.sort();
        let file = match &self.temp_dir {
            Some(dir) => tempfile::tempfile_in(dir)?,
            None => tempfile::tempfile()?,
        };
        // Runs are LZ4-compressed: JSON shrinks about 4x, and compressing is
        // cheaper than copying the full bytes through the page cache.
        let mut w = lz4_flex::frame::FrameEncoder::new(file);
        for (key, start, len) in &self.index {
            w.write_all(&key.time.to_le_bytes())?;
            w.write_all(&key.file.to_le_bytes())?;
            w.write_all(&key.record.to_le_bytes())?;
            w.write_all(&len.to_le_bytes())?;
            w.write_all(&self.arena[*start as usize..(*start + *len) as usize])?;
        }
        let mut file = w.finish().map_err(io::Error::other)?;
        file.rewind()?;
        self.spilled.push(file);
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
        index: &'a [(LineKey, u32, u32)],
        pos: usize,
    },
    Spilled {
        reader: Box<BufReader<lz4_flex::frame::FrameDecoder<File>>>,
        line: Vec<u8>,
    },
}

impl Source<'_> {
    /// Advances to the next line and returns its key, `None` when exhausted.
    fn advance(&mut self) -> io::Result<Option<LineKey>> {
        match self {
            Source::Memory { index, pos, .. } => {
                let key = index.get(*pos).map(|(k, _, _)| *k);
                if key.is_some() {
                    *pos += 1;
                }
                Ok(key)
            }
            Source::Spilled { reader, line } => {
                let mut header = [0u8; ENTRY_HEADER];
                match reader.read_exact(&mut header) {
                    Ok(()) => {}
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
                    Err(e) => return Err(e),
                }
                let word = |i: usize| {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(&header[i..i + 8]);
                    b
                };
                let key = LineKey {
                    time: i64::from_le_bytes(word(0)),
                    file: u64::from_le_bytes(word(8)),
                    record: u64::from_le_bytes(word(16)),
                };
                let mut len = [0u8; 4];
                len.copy_from_slice(&header[24..28]);
                line.resize(u32::from_le_bytes(len) as usize, 0);
                reader.read_exact(line)?;
                Ok(Some(key))
            }
        }
    }

    /// The line `advance` last returned a key for.
    fn current(&self) -> &[u8] {
        match self {
            Source::Memory { arena, index, pos } => {
                let (_, start, len) = index[*pos - 1];
                &arena[start as usize..(start + len) as usize]
            }
            Source::Spilled { line, .. } => line,
        }
    }
}

/// Writes every line of `runs` to `out` in key order; returns the line count.
pub fn merge(runs: Vec<Runs>, out: &mut dyn Write) -> io::Result<u64> {
    let mut sources: Vec<Source<'_>> = Vec::new();
    let mut files = Vec::new();
    for run in &runs {
        sources.push(Source::Memory {
            arena: &run.arena,
            index: &run.index,
            pos: 0,
        });
    }
    for run in runs.iter() {
        for file in &run.spilled {
            files.push(file.try_clone()?);
        }
    }
    for file in files {
        sources.push(Source::Spilled {
            reader: Box::new(BufReader::with_capacity(
                64 << 10,
                lz4_flex::frame::FrameDecoder::new(file),
            )),
            line: Vec::new(),
        });
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
