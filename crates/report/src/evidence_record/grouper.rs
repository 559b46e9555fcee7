//! Accumulating source groups at every grain in one pass over the manifest.
//!
//! Each grain of [`GRAINS`] is a level; a level is dropped (its memory
//! freed) as soon as it needs more rows than the budget, so memory stays
//! bounded whatever the number of objects. Levels are nested: every group of
//! a grain lies inside one group of each coarser grain, so a level never
//! exceeds the budget before the finer ones.
//!
//! Hashing every line at every level would cost one SHA-256 pass over the
//! manifest per level. Instead a group whose lines so far are exactly those
//! of one group of the next finer level *shares* that group's hash state, and
//! takes its own copy of it only when a line of another finer group joins it
//! (or the finer level is dropped). Coarser grains that coincide with a finer
//! one (one account, one year…) then cost nothing.

use std::collections::{HashMap, HashSet};

use cloudcase_evidence::ManifestRecord;
use cloudcase_evidence::Sha256Hasher;
use jiff::Timestamp;

use super::groups::{
    classify, Field, GrainSpec, GroupKey, GroupRow, GroupSummary, SourceFields, GRAINS,
};

/// A group's hash state.
#[derive(Debug, Clone)]
enum Hash {
    /// Its own.
    Own(Sha256Hasher),
    /// The same lines so far as this group (by index) of the next finer level.
    Same(usize),
}

/// A group being accumulated.
#[derive(Debug, Clone)]
struct Group {
    key: GroupKey,
    lines: u64,
    bytes: u64,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    hash: Hash,
}

/// The groups of one grain, while it still fits the budget.
#[derive(Debug)]
struct Level {
    spec: &'static GrainSpec,
    groups: Vec<Group>,
    index: HashMap<GroupKey, usize>,
    roots: HashSet<String>,
    last: Option<usize>,
    alive: bool,
}

impl Level {
    fn new(spec: &'static GrainSpec) -> Self {
        Self {
            spec,
            groups: Vec::new(),
            index: HashMap::new(),
            roots: HashSet::new(),
            last: None,
            alive: true,
        }
    }

    /// Rows the record would need at this grain: groups and distinct roots.
    fn rows(&self) -> usize {
        self.groups.len() + self.roots.len()
    }

    /// The group of `f`, created if new (sharing the hash of group `finer` of
    /// the next finer level, when that level is alive).
    fn group_of(&mut self, f: &SourceFields<'_>, finer: Option<usize>) -> usize {
        if let Some(i) = self.last {
            if self.groups[i].key.matches(self.spec, f) {
                return i;
            }
        }
        let key = GroupKey::of(self.spec, f);
        if let Some(&i) = self.index.get(&key) {
            return i;
        }
        if let Field::Value(root) = &key.root {
            if !self.roots.contains(root) {
                self.roots.insert(root.clone());
            }
        }
        self.index.insert(key.clone(), self.groups.len());
        self.groups.push(Group {
            key,
            lines: 0,
            bytes: 0,
            first: None,
            last: None,
            hash: finer.map_or_else(|| Hash::Own(Sha256Hasher::new()), Hash::Same),
        });
        self.groups.len() - 1
    }

    /// Counts one line of `size` bytes acquired at `at` in group `i`.
    fn count(&mut self, i: usize, size: u64, at: Option<Timestamp>) {
        self.last = Some(i);
        let g = &mut self.groups[i];
        g.lines += 1;
        g.bytes = g.bytes.saturating_add(size);
        if let Some(t) = at {
            g.first = Some(g.first.map_or(t, |f| f.min(t)));
            g.last = Some(g.last.map_or(t, |l| l.max(t)));
        }
    }
}

/// The hash state group `i` of the last of `finer` levels stands for.
fn resolve(finer: &[Level], mut i: usize) -> Sha256Hasher {
    for level in finer.iter().rev().filter(|l| l.alive) {
        match level.groups.get(i).map(|g| &g.hash) {
            Some(Hash::Own(h)) => return h.clone(),
            Some(Hash::Same(j)) => i = *j,
            None => break,
        }
    }
    // Unreachable while the invariants hold: the finest live level owns its
    // hashes, and a level's shares are copied before it is dropped.
    Sha256Hasher::new()
}

/// Accumulates groups at every grain at once in one pass over the manifest.
#[derive(Debug)]
pub struct Grouper {
    levels: Vec<Level>,
    budget: usize,
}

impl Grouper {
    /// A grouper allowing `budget` rows (groups plus distinct roots).
    pub fn new(budget: usize) -> Self {
        Self {
            levels: GRAINS.iter().map(Level::new).collect(),
            budget,
        }
    }

    /// Adds one manifest line: its exact bytes (newline included) and record.
    pub fn add(&mut self, line: &[u8], record: &ManifestRecord) {
        let f = classify(&record.source, &record.acquired);
        let at = record.acquired.parse::<Timestamp>().ok();
        // The line's group at the next finer live level.
        let mut finer: Option<usize> = None;
        for k in 0..self.levels.len() {
            if !self.levels[k].alive {
                continue;
            }
            let i = self.levels[k].group_of(&f, finer);
            if self.levels[k].rows() > self.budget {
                self.drop_level(k);
                finer = None;
                continue;
            }
            self.levels[k].count(i, record.size, at);
            self.hash(k, i, finer, line);
            finer = Some(i);
        }
    }

    /// Feeds `line` to group `i` of level `k`, whose next finer live level
    /// put it in group `finer`.
    fn hash(&mut self, k: usize, i: usize, finer: Option<usize>, line: &[u8]) {
        let (done, rest) = self.levels.split_at_mut(k);
        let g = &mut rest[0].groups[i];
        match &mut g.hash {
            Hash::Own(h) => h.update(line),
            Hash::Same(j) if Some(*j) == finer => {}
            Hash::Same(j) => {
                // Another finer group's line joins: from now on, its own state.
                let mut h = resolve(done, *j);
                h.update(line);
                g.hash = Hash::Own(h);
            }
        }
    }

    /// Drops level `k` (over budget), first giving the next live level the
    /// hash states it shares with it.
    fn drop_level(&mut self, k: usize) {
        let (done, rest) = self.levels.split_at_mut(k + 1);
        if let Some(next) = rest.iter_mut().find(|l| l.alive) {
            for g in &mut next.groups {
                if let Hash::Same(j) = g.hash {
                    g.hash = Hash::Own(resolve(done, j));
                }
            }
        }
        self.levels[k] = Level {
            alive: false,
            ..Level::new(self.levels[k].spec)
        };
    }

    /// The finest grain that stayed within the budget, its groups sorted.
    pub fn finish(self) -> GroupSummary {
        let budget = self.budget;
        let mut too_fine = None;
        let mut done: Vec<Level> = Vec::new();
        for level in self.levels {
            if !level.alive {
                too_fine = Some(level.spec.grain);
                continue;
            }
            if done.is_empty() {
                done.push(level);
            }
        }
        let Some(level) = done.pop() else {
            // The coarsest grain has at most one group per log type, so this
            // only happens with a budget below four rows.
            return GroupSummary {
                grain: GRAINS[GRAINS.len() - 1].grain,
                too_fine,
                budget,
                roots: Vec::new(),
                groups: Vec::new(),
            };
        };
        let mut roots: Vec<String> = level.roots.into_iter().collect();
        roots.sort();
        let mut groups: Vec<GroupRow> = level
            .groups
            .into_iter()
            .map(|g| GroupRow {
                key: g.key,
                lines: g.lines,
                bytes: g.bytes,
                first: g.first,
                last: g.last,
                sha256: match g.hash {
                    Hash::Own(h) => h.finish_hex(),
                    // The finest live level owns every hash (see `resolve`).
                    Hash::Same(_) => String::new(),
                },
            })
            .collect();
        groups.sort_by(|a, b| a.key.cmp(&b.key));
        GroupSummary {
            grain: level.spec.grain,
            too_fine,
            budget,
            roots,
            groups,
        }
    }
}
