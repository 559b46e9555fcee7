//! Sets of input files by ordinal, as bits: which files hold CloudTrail and which hold other
//! logs, so that each pass reads only the files it needs (a million files take 125 KB).

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

#[cfg(test)]
mod tests {
    use super::*;

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
