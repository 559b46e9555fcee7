//! Uses counted over the window within a memory budget: the accesses to data stores (one per
//! store, key, source, outcome and kind of access) and the (access key, source) pairs. Only the
//! attacker's reach the document, and the attacker is known only once the window has been
//! followed, so every use is counted: at 20 GB of a busy account there were 71,714 store
//! accesses, one per session key, source and store, and kept whole in each worker they were most
//! of scope's memory; the key uses, with their agents and event names, were the next largest
//! part. Past the budget a worker writes what it holds, encoded, to an anonymous temporary file
//! and starts again; the build then reads memory and files, keeping and merging the uses it asks
//! for. Merging uses is independent of order, so the result is the same however the uses were
//! split.

use std::hash::Hash;
use std::io;
use std::path::PathBuf;

use cloudcase_event::Event;
use cloudcase_read::{FileFinder, Files};
use cloudcase_util::fields::{put_i64, put_str, put_u64, Fields};

use super::codec::{decode_ptr, encode_ptr};
use super::entries::{malformed, EntryReader};
use super::spill::Spill;
use super::{AccessId, Earliest, FastMap, KeySource, Sighting, StoreId, Use};
use crate::stores::{Access, STORES};

/// Fewest uses held before spilling, however small the budget.
const MIN_HELD: usize = 256;

/// Kinds of access, by their encoded position.
const ACCESSES: [Access; 4] = [Access::Read, Access::Expose, Access::Open, Access::Other];

/// What a [`HeldUses`] counts uses of: hashed while held, encoded when spilled.
pub trait UseKey: Clone + Eq + Hash + std::fmt::Debug {
    /// About what one held use costs in memory (its key, its use and its share of the hash
    /// table): the budget in bytes divided by it is the number held.
    const HELD_BYTES: usize;
    /// What the entries are called in errors ("a store access").
    const WHAT: &'static str;
    /// Appends the key.
    fn encode(&self, out: &mut Vec<u8>);
    /// Reads what [`UseKey::encode`] wrote; `None` if malformed.
    fn decode(f: &mut Fields<'_>) -> Option<Self>;
}

impl UseKey for AccessId {
    /// Measured at 20 GB (no agents are kept for store accesses).
    const HELD_BYTES: usize = 640;
    const WHAT: &'static str = "a store access";

    fn encode(&self, out: &mut Vec<u8>) {
        let kind = STORES.iter().position(|s| s.kind == self.store.kind);
        out.push(kind.map_or(u8::MAX, |k| k as u8));
        for s in [&self.store.name, &self.key, &self.ip] {
            put_str(out, Some(s));
        }
        out.push(u8::from(self.succeeded));
        let access = ACCESSES.iter().position(|a| *a == self.access);
        out.push(access.map_or(u8::MAX, |a| a as u8));
    }

    fn decode(f: &mut Fields<'_>) -> Option<Self> {
        let kind = STORES.get(usize::from(f.u8()?))?.kind;
        let (name, key, ip) = (f.str()?, f.str()?, f.str()?);
        let succeeded = f.u8()? == 1;
        let access = *ACCESSES.get(usize::from(f.u8()?))?;
        Some(AccessId {
            store: StoreId {
                kind,
                name: name.into(),
            },
            key: key.into(),
            ip: ip.into(),
            succeeded,
            access,
        })
    }
}

impl UseKey for KeySource {
    /// Up to five agents and eight event names each.
    const HELD_BYTES: usize = 1_024;
    const WHAT: &'static str = "a key's use";

    fn encode(&self, out: &mut Vec<u8>) {
        put_str(out, Some(&self.key));
        put_str(out, Some(&self.ip));
    }

    fn decode(f: &mut Fields<'_>) -> Option<Self> {
        Some(KeySource::new(f.str()?, f.str()?))
    }
}

/// The uses of one worker, then of the window.
#[derive(Debug)]
pub struct HeldUses<K> {
    held: FastMap<K, Use>,
    limit: usize,
    /// Whether the uses' user agents are kept.
    agents: bool,
    spill: Spill,
}

/// The window's accesses to data stores (reported without their agents).
pub type StoreAccesses = HeldUses<AccessId>;

/// The window's (access key, source) uses.
pub type KeyUses = HeldUses<KeySource>;

impl Default for HeldUses<AccessId> {
    fn default() -> Self {
        HeldUses::new(super::DEFAULT_CANDIDATE_MEMORY, false, None)
    }
}

impl Default for HeldUses<KeySource> {
    fn default() -> Self {
        HeldUses::new(super::DEFAULT_CANDIDATE_MEMORY, true, None)
    }
}

impl<K: UseKey> HeldUses<K> {
    /// Uses held within about `budget` bytes, spilled past it to anonymous files in `temp_dir`
    /// (the system's temporary directory if `None`); their user agents are kept if `agents`.
    pub fn new(budget: usize, agents: bool, temp_dir: Option<PathBuf>) -> Self {
        HeldUses {
            held: FastMap::default(),
            limit: (budget / K::HELD_BYTES).max(MIN_HELD),
            agents,
            spill: Spill::new(temp_dir),
        }
    }

    /// How many uses are held in memory.
    pub(super) fn held(&self) -> usize {
        self.held.len()
    }

    /// Counts `ev` as a use of `id`.
    pub(super) fn bump(&mut self, id: K, ev: &Event) {
        match self.held.get_mut(&id) {
            Some(u) => u.add(ev),
            None => self.hold(id, Use::started(ev, self.agents)),
        }
    }

    /// Holds a new use, writing every held use to this worker's temporary file first when the
    /// budget is full. After a failure, uses stay held (and [`HeldUses::finish`] reports it).
    fn hold(&mut self, id: K, used: Use) {
        if self.held.len() >= self.limit && self.spill.can_write() {
            self.spill.write(self.held.drain(), |(id, used), out| {
                id.encode(out);
                encode_use(&used, out);
            });
        }
        self.held.insert(id, used);
    }

    /// Adds another worker's uses.
    pub(super) fn absorb(&mut self, other: HeldUses<K>) {
        self.spill.absorb(other.spill);
        for (id, used) in other.held {
            match self.held.get_mut(&id) {
                Some(u) => u.merge(&used),
                None => self.hold(id, used),
            }
        }
    }

    /// Closes the temporary file being written; fails if spilling ever failed.
    pub(super) fn finish(&mut self) -> io::Result<()> {
        self.spill.finish()
    }

    /// Every use, merged, their files found in `files` (for tests).
    #[cfg(test)]
    pub(crate) fn all(&self, files: &dyn Files) -> FastMap<K, Use> {
        self.collect(files, |_| true).expect("uses read back")
    }

    /// Calls `each` with the key of every use, from memory then the temporary files, without
    /// decoding the uses themselves. A key spilled more than once is met more than once.
    pub fn for_each_key(&self, mut each: impl FnMut(&K)) -> io::Result<()> {
        self.held.keys().for_each(&mut each);
        for stored in self.spill.stored() {
            let mut entries = EntryReader::new(stored);
            while let Some(body) = entries.next_entry()? {
                let key = K::decode(&mut Fields::new(body)).ok_or_else(|| malformed(K::WHAT))?;
                each(&key);
            }
        }
        Ok(())
    }

    /// The uses `keep` accepts, merged, from memory and the temporary files; the spilled ones'
    /// files are found in `files` (the run's input list).
    pub fn collect(
        &self,
        files: &dyn Files,
        keep: impl Fn(&K) -> bool,
    ) -> io::Result<FastMap<K, Use>> {
        let mut out: FastMap<K, Use> = FastMap::default();
        let mut add = |id: K, used: Use| match out.get_mut(&id) {
            Some(u) => u.merge(&used),
            None => {
                out.insert(id, used);
            }
        };
        for (id, used) in self.held.iter().filter(|(id, _)| keep(id)) {
            add(id.clone(), used.clone());
        }
        let mut files = FileFinder::bare(files);
        for stored in self.spill.stored() {
            let mut entries = EntryReader::new(stored);
            while let Some(body) = entries.next_entry()? {
                let mut f = Fields::new(body);
                let id = K::decode(&mut f).ok_or_else(|| malformed(K::WHAT))?;
                if keep(&id) {
                    let used = decode_use(&mut f, &mut files)
                        .filter(|_| f.is_empty())
                        .ok_or_else(|| malformed(K::WHAT))?;
                    add(id, used);
                }
            }
        }
        Ok(out)
    }
}

/// Appends a use.
fn encode_use(used: &Use, out: &mut Vec<u8>) {
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

/// Reads what [`encode_use`] wrote; `None` if malformed.
fn decode_use(f: &mut Fields<'_>, files: &mut FileFinder<'_>) -> Option<Use> {
    let first = decode_ptr(f, files)?;
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
    Some(Use {
        first,
        last_ms,
        count,
        uas,
        names,
        agents,
    })
}
