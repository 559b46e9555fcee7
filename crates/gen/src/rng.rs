//! A small, fast, deterministic PRNG (xoshiro256** seeded through SplitMix64).
//!
//! Written here rather than pulled from a crate so that the byte stream for a
//! given seed can never change under us with a dependency upgrade: corpora and
//! their ground truth must stay reproducible forever.

/// One SplitMix64 step: a strong 64-bit mixer, used to seed and to derive
/// independent sub-seeds (per file, per identity session, …).
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Derives a sub-seed from a parent seed and a list of discriminating values.
pub(crate) fn derive(seed: u64, parts: &[u64]) -> u64 {
    let mut h = mix64(seed ^ 0x5EED_C10D_CA5E_0001);
    for &p in parts {
        h = mix64(h ^ p.wrapping_mul(0xD6E8_FEB8_6659_FD93));
    }
    h
}

/// xoshiro256** generator.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: [u64; 4],
}

impl Rng {
    /// A generator whose whole stream is determined by `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        let mut z = seed;
        let mut s = [0u64; 4];
        for slot in &mut s {
            z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
            *slot = mix64(z);
        }
        if s == [0; 4] {
            s[0] = 1;
        }
        Rng { s }
    }

    /// Next 64 random bits.
    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// Uniform integer in `0..n` (`n > 0`; returns 0 for `n == 0`).
    #[inline]
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// Uniform integer in `lo..=hi`.
    #[inline]
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform float in `[0, 1)`.
    #[inline]
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// True with probability `per_10k / 10_000`.
    #[inline]
    pub(crate) fn chance(&mut self, per_10k: u32) -> bool {
        self.below(10_000) < per_10k as u64
    }

    /// A uniformly chosen element of a non-empty slice.
    #[inline]
    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A weighted choice table: cumulative weights, searched by bisection.
#[derive(Clone, Debug, Default)]
pub(crate) struct Weighted {
    cum: Vec<u64>,
    items: Vec<u32>,
}

impl Weighted {
    /// Builds a table from `(item, weight)` pairs; zero weights are dropped.
    pub(crate) fn new(pairs: impl IntoIterator<Item = (u32, u64)>) -> Self {
        let mut w = Weighted::default();
        let mut total = 0u64;
        for (item, weight) in pairs {
            if weight > 0 {
                total += weight;
                w.cum.push(total);
                w.items.push(item);
            }
        }
        w
    }

    /// True when nothing can be chosen.
    pub(crate) fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sum of all weights.
    pub(crate) fn total(&self) -> u64 {
        self.cum.last().copied().unwrap_or(0)
    }

    /// Draws one item (the table must not be empty).
    #[inline]
    pub(crate) fn sample(&self, rng: &mut Rng) -> u32 {
        let x = rng.below(self.total());
        let i = self.cum.partition_point(|&c| c <= x);
        self.items[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_seeds_differ() {
        let a: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let b: Vec<u64> = {
            let mut r = Rng::new(7);
            (0..8).map(|_| r.next_u64()).collect()
        };
        let c: Vec<u64> = {
            let mut r = Rng::new(8);
            (0..8).map(|_| r.next_u64()).collect()
        };
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(derive(1, &[2, 3]), derive(1, &[3, 2]));
    }

    #[test]
    fn below_and_weighted_respect_bounds_and_weights() {
        let mut r = Rng::new(42);
        let mut hist = [0u32; 5];
        for _ in 0..50_000 {
            let v = r.below(5);
            hist[v as usize] += 1;
        }
        assert!(
            hist.iter().all(|&h| (9_000..11_000).contains(&h)),
            "{hist:?}"
        );

        let w = Weighted::new([(10, 1), (20, 0), (30, 3)]);
        let mut counts = [0u32; 2];
        for _ in 0..40_000 {
            match w.sample(&mut r) {
                10 => counts[0] += 1,
                30 => counts[1] += 1,
                other => panic!("zero-weight or unknown item {other}"),
            }
        }
        let ratio = counts[1] as f64 / counts[0] as f64;
        assert!((2.7..3.3).contains(&ratio), "ratio {ratio}");
        assert!(Weighted::new([(1, 0)]).is_empty());
    }
}
