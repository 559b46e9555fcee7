//! The window's accesses to data stores (one [`Use`] per store, key, source, outcome and kind of
//! access), within a memory budget. Only the attacker's accesses reach the document, and the
//! attacker is known only once the window has been followed, so every access is counted: at
//! 20 GB of a busy account there were 71,714, one per session key, source and store, and kept
//! whole in each worker they were most of scope's memory. Past the budget a worker writes what it
//! holds, encoded, to an anonymous temporary file and starts again; the build then reads memory
//! and files once, keeping and merging the accesses it asks for. Merging uses is independent of
//! order, so the result is the same however the accesses were split.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;

use cloudcase_event::{Event, SourceFile};
use cloudcase_util::fields::{put_entry, put_i64, put_str, put_u64, Fields};

use super::codec::{decode_ptr, encode_ptr};
use super::entries::{malformed, EntryReader, Stored, READ_CHUNK};
use super::{AccessId, Earliest, FastMap, Sighting, StoreId, Use};
use crate::stores::{Access, STORES};

/// About what one held access costs in memory (its key, its use and its share of the hash
/// table), measured at 20 GB: the budget in bytes divided by it is the number held.
const HELD_ENTRY_BYTES: usize = 640;

/// Fewest accesses held before spilling, however small the budget.
const MIN_HELD: usize = 256;

/// Kinds of access, by their encoded position.
const ACCESSES: [Access; 4] = [Access::Read, Access::Expose, Access::Open, Access::Other];

/// The store accesses of one worker, then of the window.
#[derive(Debug)]
pub struct StoreAccesses {
    held: FastMap<AccessId, Use>,
    limit: usize,
    temp_dir: Option<PathBuf>,
    writer: Option<BufWriter<File>>,
    spilled: Vec<Stored>,
    /// The files the spilled uses point into, by ordinal.
    files: FastMap<u64, Arc<SourceFile>>,
    error: Option<io::Error>,
    buf: Vec<u8>,
}

impl Default for StoreAccesses {
    fn default() -> Self {
        StoreAccesses::new(super::DEFAULT_CANDIDATE_MEMORY, None)
    }
}

impl StoreAccesses {
    /// Accesses held within about `budget` bytes, spilled past it to anonymous files in
    /// `temp_dir` (the system's temporary directory if `None`).
    pub fn new(budget: usize, temp_dir: Option<PathBuf>) -> Self {
        StoreAccesses {
            held: FastMap::default(),
            limit: (budget / HELD_ENTRY_BYTES).max(MIN_HELD),
            temp_dir,
            writer: None,
            spilled: Vec::new(),
            files: FastMap::default(),
            error: None,
            buf: Vec::new(),
        }
    }

    /// How many accesses are held in memory.
    pub(super) fn held(&self) -> usize {
        self.held.len()
    }

    /// Counts `ev` as an access `id` (its user agents are not kept: a store's accesses are
    /// reported without them).
    pub(super) fn bump(&mut self, id: AccessId, ev: &Event) {
        match self.held.get_mut(&id) {
            Some(u) => u.add(ev),
            None => self.hold(id, Use::started(ev, false)),
        }
    }

    /// Holds a new access, spilling what is held first when the budget is full.
    fn hold(&mut self, id: AccessId, used: Use) {
        if self.held.len() >= self.limit {
            if let Err(e) = self.spill_held() {
                self.error.get_or_insert(e);
            }
        }
        self.held.insert(id, used);
    }

    /// Writes every held access to this worker's temporary file. After a failure, accesses
    /// stay held (and the failure is reported by [`StoreAccesses::finish`]).
    fn spill_held(&mut self) -> io::Result<()> {
        if self.error.is_some() {
            return Ok(());
        }
        let writer = match &mut self.writer {
            Some(w) => w,
            None => {
                let dir = self.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
                let file = tempfile::tempfile_in(dir)?;
                self.writer
                    .insert(BufWriter::with_capacity(READ_CHUNK, file))
            }
        };
        for (id, used) in self.held.drain() {
            let file = &used.first.file;
            self.files
                .entry(file.ordinal)
                .or_insert_with(|| Arc::clone(file));
            self.buf.clear();
            put_entry(&mut self.buf, |out| encode(&id, &used, out));
            writer.write_all(&self.buf)?;
        }
        Ok(())
    }

    /// Adds another worker's accesses.
    pub(super) fn absorb(&mut self, mut other: StoreAccesses) {
        if let Err(e) = other.finish() {
            self.error.get_or_insert(e);
        }
        self.spilled.append(&mut other.spilled);
        self.files.extend(other.files);
        for (id, used) in other.held {
            match self.held.get_mut(&id) {
                Some(u) => u.merge(&used),
                None => self.hold(id, used),
            }
        }
    }

    /// Closes the temporary file being written; fails if spilling ever failed.
    pub(super) fn finish(&mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        if let Some(w) = self.writer.take() {
            let file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
            self.spilled.push(Stored::Disk(file));
        }
        Ok(())
    }

    /// Every access, merged (for tests).
    #[cfg(test)]
    pub(crate) fn all(&self) -> FastMap<AccessId, Use> {
        self.collect(|_| true).expect("store accesses read back")
    }

    /// The accesses `keep` accepts, merged, from memory and the temporary files.
    pub fn collect(&self, keep: impl Fn(&AccessId) -> bool) -> io::Result<FastMap<AccessId, Use>> {
        let mut out: FastMap<AccessId, Use> = FastMap::default();
        let mut add = |id: AccessId, used: Use| match out.get_mut(&id) {
            Some(u) => u.merge(&used),
            None => {
                out.insert(id, used);
            }
        };
        for (id, used) in self.held.iter().filter(|(id, _)| keep(id)) {
            add(id.clone(), used.clone());
        }
        for stored in &self.spilled {
            let mut entries = EntryReader::new(stored);
            while let Some(body) = entries.next_entry()? {
                let (id, used) =
                    decode(body, &self.files).ok_or_else(|| malformed("a store access"))?;
                if keep(&id) {
                    add(id, used);
                }
            }
        }
        Ok(out)
    }
}

/// Appends an access and its use.
fn encode(id: &AccessId, used: &Use, out: &mut Vec<u8>) {
    let kind = STORES.iter().position(|s| s.kind == id.store.kind);
    out.push(kind.map_or(u8::MAX, |k| k as u8));
    for s in [&id.store.name, &id.key, &id.ip] {
        put_str(out, Some(s));
    }
    out.push(u8::from(id.succeeded));
    let access = ACCESSES.iter().position(|a| *a == id.access);
    out.push(access.map_or(u8::MAX, |a| a as u8));
    encode_ptr(&used.first, out);
    put_i64(out, used.last_ms);
    put_u64(out, used.count);
    out.push(u8::from(used.agents));
    for list in [&used.uas, &used.names] {
        out.push(list.seen.len() as u8);
        for s in &list.seen {
            put_i64(out, s.at.0);
            put_u64(out, s.at.1);
            put_u64(out, s.at.2);
            put_str(out, Some(&s.value));
        }
    }
}

/// Reads what [`encode`] wrote; `None` if malformed.
fn decode(body: &[u8], files: &FastMap<u64, Arc<SourceFile>>) -> Option<(AccessId, Use)> {
    let mut f = Fields::new(body);
    let kind = STORES.get(usize::from(f.u8()?))?.kind;
    let (name, key, ip) = (f.str()?, f.str()?, f.str()?);
    let succeeded = f.u8()? == 1;
    let access = *ACCESSES.get(usize::from(f.u8()?))?;
    let first = decode_ptr(&mut f, files)?;
    let (last_ms, count, agents) = (f.i64()?, f.u64()?, f.u8()? == 1);
    let mut lists = [Earliest::default(), Earliest::default()];
    for list in &mut lists {
        for _ in 0..f.u8()? {
            let at = (f.i64()?, f.u64()?, f.u64()?);
            let value = f.str()?.into();
            list.seen.push(Sighting { at, value });
        }
    }
    let [uas, names] = lists;
    let id = AccessId {
        store: StoreId {
            kind,
            name: name.into(),
        },
        key: key.into(),
        ip: ip.into(),
        succeeded,
        access,
    };
    let used = Use {
        first,
        last_ms,
        count,
        uas,
        names,
        agents,
    };
    f.is_empty().then_some((id, used))
}
