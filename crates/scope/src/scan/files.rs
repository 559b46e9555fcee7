//! Input files by ordinal: which hold CloudTrail and which hold other logs, as bits (a million
//! files take 125 KB), and when each CloudTrail file's events end, so that each pass reads only
//! the files it needs.

/// A set of file ordinals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ordinals {
    words: Vec<u64>,
}

impl Ordinals {
    /// Adds `ordinal`.
    pub fn insert(&mut self, ordinal: u64) {
        let (word, bit) = ((ordinal / 64) as usize, ordinal % 64);
        if self.words.len() <= word {
            self.words.resize(word + 1, 0);
        }
        self.words[word] |= 1 << bit;
    }

    /// Whether `ordinal` is in the set.
    pub fn contains(&self, ordinal: u64) -> bool {
        self.words
            .get((ordinal / 64) as usize)
            .is_some_and(|w| w & (1 << (ordinal % 64)) != 0)
    }

    /// Adds every ordinal of `other`.
    pub fn extend(&mut self, other: &Ordinals) {
        if self.words.len() < other.words.len() {
            self.words.resize(other.words.len(), 0);
        }
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w |= o;
        }
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|w| *w == 0)
    }
}

/// The last event time of each file, by ordinal, in 8 bytes a file (a hash map of them took
/// about 30): pass 2 reads only the files that reach the hour of the first attacker event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LastTimes {
    /// Milliseconds by ordinal; [`NONE`] for a file with no CloudTrail event.
    ms: Vec<i64>,
}

/// No event seen (no event time is this early).
const NONE: i64 = i64::MIN;

impl LastTimes {
    /// Records an event at `ms` in the file of `ordinal`.
    pub fn add(&mut self, ordinal: u64, ms: i64) {
        let i = ordinal as usize;
        if self.ms.len() <= i {
            self.ms.resize(i + 1, NONE);
        }
        self.ms[i] = self.ms[i].max(ms);
    }

    /// The last event time of the file of `ordinal`, if it had any.
    pub fn get(&self, ordinal: u64) -> Option<i64> {
        self.ms
            .get(usize::try_from(ordinal).ok()?)
            .copied()
            .filter(|&ms| ms != NONE)
    }

    /// Adds another worker's times.
    pub fn merge(&mut self, other: &LastTimes) {
        if self.ms.len() < other.ms.len() {
            self.ms.resize(other.ms.len(), NONE);
        }
        for (mine, theirs) in self.ms.iter_mut().zip(&other.ms) {
            *mine = (*mine).max(*theirs);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_times_by_ordinal() {
        let mut a = LastTimes::default();
        a.add(5, 100);
        a.add(5, 40);
        a.add(1, -7);
        let mut b = LastTimes::default();
        b.add(9, 3);
        b.add(5, 200);
        a.merge(&b);
        assert_eq!(
            (a.get(5), a.get(1), a.get(9)),
            (Some(200), Some(-7), Some(3))
        );
        assert_eq!((a.get(0), a.get(8), a.get(10_000)), (None, None, None));
        assert_eq!(a.get(u64::MAX), None);
    }

    #[test]
    fn ordinals_as_bits() {
        let mut a = Ordinals::default();
        assert!(a.is_empty());
        a.insert(3);
        a.insert(200);
        let mut b = Ordinals::default();
        b.insert(64);
        a.extend(&b);
        assert!(a.contains(3) && a.contains(64) && a.contains(200));
        assert!(!a.contains(4) && !a.contains(10_000));
        assert!(!a.is_empty());
    }
}
