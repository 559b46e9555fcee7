//! The final merge on two cores: a helper thread merges half of the
//! spilled runs (reading and decoding them) and hands its lines over in
//! large chunks; the calling thread merges the other half with that stream
//! and writes. Keys are unique, so the order is the one-thread merge's.

use std::io;
use std::ops::Range;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use super::run_file::{decode_header, encode_header, truncated, ENTRY_HEADER};
use super::{merge_sources, LineKey, Source};

/// Bytes of one chunk of merged entries handed from the helper, at most and at least; in
/// between, the chunks' share of the merge's read memory over [`MAX_CHUNKS`], so that a merge
/// within a small budget (scope's candidates, 4 MiB) does not hold 7 MiB of chunks.
const CHUNK: std::ops::RangeInclusive<usize> = (64 << 10)..=(1 << 20);

/// The part of a merge's read memory its chunks take when it is split over two threads: a
/// quarter (the runs' read buffers and decoders have the rest).
pub(super) const CHUNK_SHARE: usize = 4;

/// Chunks in flight between the helper and the merging thread.
const DEPTH: usize = 4;

/// Chunks alive at most: the helper's, [`DEPTH`] in flight, the merging thread's, and up to
/// `DEPTH + 2` spent ones waiting to be reused.
const MAX_CHUNKS: usize = 2 * DEPTH + 4;

/// Merged entries arriving from the helper thread, in key order.
pub(super) struct Piped {
    chunks: Receiver<io::Result<Vec<u8>>>,
    spent: SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    pos: usize,
    line: Range<usize>,
}

impl Piped {
    /// Advances to the next entry and returns its key, `None` at the end.
    pub(super) fn advance(&mut self) -> io::Result<Option<LineKey>> {
        if self.pos == self.chunk.len() {
            let next = match self.chunks.recv() {
                Ok(chunk) => chunk?,
                Err(_) => return Ok(None),
            };
            let spent = std::mem::replace(&mut self.chunk, next);
            // The helper may be done; a spent chunk is then simply freed.
            let _ = self.spent.try_send(spent);
            self.pos = 0;
        }
        let (key, len) = decode_header(&self.chunk[self.pos..])?;
        let start = self.pos + ENTRY_HEADER;
        if start + len > self.chunk.len() {
            return Err(truncated());
        }
        self.line = start..start + len;
        self.pos = start + len;
        Ok(Some(key))
    }

    /// The line of the entry `advance` last returned.
    pub(super) fn current(&self) -> &[u8] {
        &self.chunk[self.line.clone()]
    }
}

/// Merges `sources` in key order into `emit` like `merge_sources`, with the
/// sources at odd positions of `sources` merged on a helper thread, which hands
/// its lines over in chunks holding `chunk_memory` bytes in all.
pub(super) fn merge_in_two(
    sources: Vec<Source<'_>>,
    chunk_memory: usize,
    emit: impl FnMut(LineKey, &[u8]) -> io::Result<()>,
) -> io::Result<u64> {
    let chunk = (chunk_memory / MAX_CHUNKS).clamp(*CHUNK.start(), *CHUNK.end());
    let (mut mine, mut theirs): (Vec<_>, Vec<_>) = (Vec::new(), Vec::new());
    for (i, s) in sources.into_iter().enumerate() {
        if i % 2 == 0 { &mut mine } else { &mut theirs }.push(s);
    }
    let (send, chunks) = sync_channel(DEPTH);
    let (spent, recycled) = sync_channel(DEPTH + 2);
    std::thread::scope(move |scope| {
        scope.spawn(move || helper(&mut theirs, chunk, &send, &recycled));
        mine.push(Source::Piped(Piped {
            chunks,
            spent,
            chunk: Vec::new(),
            pos: 0,
            line: 0..0,
        }));
        // Dropping `mine` (the receiver too) on an error stops the helper.
        merge_sources(&mut mine, emit)
    })
}

/// Merges `sources` into chunks sent on `send`, reusing chunks from
/// `recycled`; an error is sent as the last message.
fn helper(
    sources: &mut [Source<'_>],
    size: usize,
    send: &SyncSender<io::Result<Vec<u8>>>,
    recycled: &Receiver<Vec<u8>>,
) {
    let mut chunk = Vec::with_capacity(size);
    let merged = merge_sources(sources, |key, line| {
        if chunk.len() + ENTRY_HEADER + line.len() > size && !chunk.is_empty() {
            let mut next = recycled
                .try_recv()
                .unwrap_or_else(|_| Vec::with_capacity(size));
            next.clear();
            let full = std::mem::replace(&mut chunk, next);
            send.send(Ok(full)).map_err(|_| io::ErrorKind::BrokenPipe)?;
        }
        chunk.extend_from_slice(&encode_header(key, line.len())?);
        chunk.extend_from_slice(line);
        Ok(())
    });
    let last = match merged {
        Ok(_) if chunk.is_empty() => return,
        Ok(_) => Ok(chunk),
        Err(e) => Err(e),
    };
    // The merging thread may have stopped already (an output error).
    let _ = send.send(last);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sort::Slot;

    fn memory<'a>(arena: &'a [u8], index: &'a [Slot]) -> Source<'a> {
        Source::Memory {
            arena,
            index,
            pos: 0,
        }
    }

    #[test]
    fn two_threads_merge_like_one() {
        // Five sorted sources of lines of varied sizes, some past a chunk.
        let mut arenas = Vec::new();
        let mut indexes = Vec::new();
        for s in 0..5u64 {
            let mut arena = Vec::new();
            let mut index = Vec::new();
            for i in 0..400u64 {
                let t = (i * 5 + s * 3) as i64;
                let line = format!("{t}-{s}-{}\n", "q".repeat(((i * 7919) % 900) as usize));
                let line = if i == 17 { line.repeat(1500) } else { line };
                index.push(Slot {
                    key: LineKey {
                        time: t,
                        file: s,
                        record: i,
                    },
                    start: arena.len() as u32,
                    len: line.len() as u32,
                });
                arena.extend_from_slice(line.as_bytes());
            }
            arenas.push(arena);
            indexes.push(index);
        }
        let sources = || -> Vec<Source<'_>> {
            arenas
                .iter()
                .zip(&indexes)
                .map(|(a, i)| memory(a, i))
                .collect()
        };
        let mut one = Vec::new();
        let n = merge_sources(&mut sources(), |_, l| {
            one.extend_from_slice(l);
            Ok(())
        })
        .unwrap();
        let mut two = Vec::new();
        let m = merge_in_two(sources(), 1 << 20, |_, l| {
            two.extend_from_slice(l);
            Ok(())
        })
        .unwrap();
        assert_eq!((n, m), (2000, 2000));
        assert!(one == two, "the two-thread merge differs");
        // An output error stops both threads.
        let err = merge_in_two(sources(), 1 << 20, |_, _| {
            Err(io::ErrorKind::BrokenPipe.into())
        });
        assert_eq!(err.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }
}
