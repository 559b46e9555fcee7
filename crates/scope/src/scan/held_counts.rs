//! Counts per string key held within a memory budget: the attacker window's activity per
//! (bucket, region, identity, access key, source). Which keys and sources are the attacker's is
//! known only once the window has been followed, so every combination is counted; over weeks of
//! a busy account that is one count per session key, source and day. Past the budget a worker
//! writes what it holds to its temporary file and starts again; the counts are summed when read
//! back, so a key spilled more than once adds up to the same total.

use std::io;
use std::path::PathBuf;

use cloudcase_util::fields::{put_str, put_u64, Fields};

use super::entries::{malformed, EntryReader};
use super::spill::Spill;
use super::FastMap;

/// About what one held count costs in memory: its key (about 80 bytes of text in its own
/// allocation), the count, and its share of the hash table.
const HELD_BYTES: usize = 160;

/// Fewest counts held before spilling, however small the budget.
const MIN_HELD: usize = 256;

/// What the entries are called in errors.
const WHAT: &str = "an activity count";

/// Counts per key of one worker, then of every worker.
#[derive(Debug)]
pub struct HeldCounts {
    held: FastMap<Box<str>, u64>,
    limit: usize,
    spill: Spill,
}

impl Default for HeldCounts {
    fn default() -> Self {
        HeldCounts::new(super::DEFAULT_CANDIDATE_MEMORY / 4, None)
    }
}

impl HeldCounts {
    /// Counts held within about `budget` bytes, spilled past it to anonymous files in
    /// `temp_dir` (the system's temporary directory if `None`).
    pub fn new(budget: usize, temp_dir: Option<PathBuf>) -> Self {
        HeldCounts {
            held: FastMap::default(),
            limit: (budget / HELD_BYTES).max(MIN_HELD),
            spill: Spill::new(temp_dir),
        }
    }

    /// Adds `n` to `key`'s count, allocating the key only when it is not held.
    pub fn bump(&mut self, key: &str, n: u64) {
        if let Some(c) = self.held.get_mut(key) {
            *c += n;
            return;
        }
        if self.held.len() >= self.limit && self.spill.can_write() {
            self.spill.write(self.held.drain(), |(key, n), out| {
                put_str(out, Some(&key));
                put_u64(out, n);
            });
        }
        self.held.insert(key.into(), n);
    }

    /// Adds another worker's counts.
    pub fn absorb(&mut self, other: HeldCounts) {
        self.spill.absorb(other.spill);
        for (key, n) in other.held {
            self.bump(&key, n);
        }
    }

    /// Closes the temporary file being written; fails if spilling ever failed.
    pub fn finish(&mut self) -> io::Result<()> {
        self.spill.finish()
    }

    /// Calls `each` with every count, from memory then the temporary files: a key spilled
    /// more than once is met more than once, its counts adding up to its total.
    pub fn for_each(&self, mut each: impl FnMut(&str, u64)) -> io::Result<()> {
        for (key, n) in &self.held {
            each(key, *n);
        }
        for stored in self.spill.stored() {
            let mut entries = EntryReader::new(stored);
            while let Some(body) = entries.next_entry()? {
                let mut f = Fields::new(body);
                let (Some(key), Some(n), true) = (f.str(), f.u64(), f.is_empty()) else {
                    return Err(malformed(WHAT));
                };
                each(key, n);
            }
        }
        Ok(())
    }

    /// How many counts are held in memory.
    #[cfg(test)]
    pub(crate) fn held(&self) -> usize {
        self.held.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn totals(c: &HeldCounts) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        c.for_each(|k, n| *out.entry(k.to_owned()).or_default() += n)
            .expect("counts read back");
        out
    }

    #[test]
    fn counts_past_the_budget_are_spilled_and_add_up_to_the_same_totals() {
        let keys: Vec<String> = (0..3_000)
            .map(|i| format!("{}\tk{i}\t\u{e9}", i % 7))
            .collect();
        let mut held = HeldCounts::new(usize::MAX, None);
        let (mut a, mut b) = (HeldCounts::new(0, None), HeldCounts::new(0, None));
        for round in 0..3u64 {
            for (i, k) in keys.iter().enumerate() {
                held.bump(k, round + 1);
                if i % 2 == 0 { &mut a } else { &mut b }.bump(k, round + 1);
            }
        }
        a.absorb(b);
        a.finish().expect("spilled");
        held.finish().expect("never spilled");
        assert!(
            a.held() <= MIN_HELD,
            "the smallest budget spilled: {}",
            a.held()
        );
        assert_eq!(held.held(), 3_000);
        let want = totals(&held);
        assert_eq!(want.len(), 3_000);
        assert!(want.values().all(|n| *n == 6));
        assert!(totals(&a) == want, "spilled counts differ");
    }

    #[test]
    fn a_spill_that_cannot_be_written_keeps_the_counts_and_fails_at_the_end() {
        let missing = std::env::temp_dir().join("cloudcase-no-such-dir/deeper");
        let mut c = HeldCounts::new(0, Some(missing));
        for i in 0..1_000 {
            c.bump(&format!("k{i}"), 1);
        }
        assert_eq!(c.held(), 1_000);
        assert!(c.finish().is_err());
    }
}
