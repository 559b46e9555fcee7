//! Where a JSON value ends, found by tracking only nesting depth and string
//! state: 64-byte blocks are classified at once (SSE2 masks; popcnt and
//! carry-less multiply when the CPU has them), and blocks holding a backslash
//! are scanned a byte at a time, eight bytes at a time inside strings. The
//! reader's framer cuts records with it; the Sigma record skips the members
//! it indexes with it.

mod blocks;

use blocks::{prefix_xor, Masks, BLOCK};

/// Byte classes outside strings.
const PLAIN: u8 = 0;
const QUOTE: u8 = 1;
const OPEN: u8 = 2;
const CLOSE: u8 = 3;
const SPACE: u8 = 4;

const CLASS: [u8; 256] = {
    let mut t = [PLAIN; 256];
    t[b'"' as usize] = QUOTE;
    t[b'{' as usize] = OPEN;
    t[b'[' as usize] = OPEN;
    t[b'}' as usize] = CLOSE;
    t[b']' as usize] = CLOSE;
    t[b' ' as usize] = SPACE;
    t[b'\t' as usize] = SPACE;
    t[b'\n' as usize] = SPACE;
    t[b'\r' as usize] = SPACE;
    t
};

/// Where a scan through a JSON value stands, carried from one buffer to the next.
#[derive(Debug, Clone, Copy, Default)]
pub struct Nesting {
    /// Objects and arrays open.
    pub depth: u64,
    /// Inside a string.
    pub in_str: bool,
    /// The last byte was a backslash inside a string.
    pub escaped: bool,
    /// Whitespace was found between tokens.
    pub spaced: bool,
}

impl Nesting {
    /// Scans `bytes`: the index just past the byte that ends the value (the
    /// bracket that closes depth 1, or the quote that closes a string at
    /// depth 0), or `None` when all of `bytes` belongs to it.
    ///
    /// Whole 64-byte blocks are classified at once ([`Masks`]); a block
    /// holding a backslash (or starting escaped), and the last bytes short of
    /// a block, are scanned a byte at a time.
    pub fn scan(&mut self, bytes: &[u8]) -> Option<usize> {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("popcnt") && std::is_x86_feature_detected!("pclmulqdq") {
            // SAFETY: the CPU has both features, checked just above.
            return unsafe { self.scan_with_popcnt_clmul(bytes) };
        }
        self.scan_blocks::<false>(bytes)
    }

    /// [`Nesting::scan`] compiled with the `popcnt` and carry-less multiply instructions that
    /// every x86-64 CPU since 2010 has: the baseline's software bit counts and shift ladders
    /// were most of the scanner's time (itself a tenth of `stats`').
    ///
    /// # Safety
    /// The CPU must support `popcnt` and `pclmulqdq`.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "popcnt,pclmulqdq")]
    unsafe fn scan_with_popcnt_clmul(&mut self, bytes: &[u8]) -> Option<usize> {
        self.scan_blocks::<true>(bytes)
    }

    /// [`Nesting::scan`], with string interiors found by carry-less multiply when `CLMUL`.
    #[inline(always)]
    fn scan_blocks<const CLMUL: bool>(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut blocks = bytes.chunks_exact(BLOCK);
        let mut base = 0;
        for chunk in &mut blocks {
            let mut block = [0u8; BLOCK];
            block.copy_from_slice(chunk);
            let m = Masks::of(&block);
            let end = if m.backslash != 0 || self.escaped {
                self.scan_bytes(chunk)
            } else {
                self.scan_block::<CLMUL>(&m)
            };
            if let Some(end) = end {
                return Some(base + end);
            }
            base += BLOCK;
        }
        self.scan_bytes(blocks.remainder()).map(|end| base + end)
    }

    /// [`Nesting::scan`] for a block without backslashes, from its masks.
    #[inline(always)]
    fn scan_block<const CLMUL: bool>(&mut self, m: &Masks) -> Option<usize> {
        let carried = if self.in_str { u64::MAX } else { 0 };
        let quotes = if CLMUL {
            clmul_prefix_xor(m.quote)
        } else {
            prefix_xor(m.quote)
        };
        let inside = quotes ^ carried;
        let outside = !inside;
        let (open, close) = (m.open & outside, m.close & outside);
        // Quotes outside strings are the closing ones.
        let closing = m.quote & outside;
        let end = self.depth_end(open, close, closing);
        let before = match end {
            Some(at) => u64::MAX >> (63 - at),
            None => u64::MAX,
        };
        if m.space & outside & before != 0 {
            self.spaced = true;
        }
        match end {
            Some(at) => {
                self.in_str = false;
                self.depth = 0;
                Some(at as usize + 1)
            }
            None => {
                self.in_str = inside >> 63 == 1;
                None
            }
        }
    }

    /// Follows the depth through a block's `open` and `close` brackets (and,
    /// at depth 0, its `closing` quotes): the bit of the byte that ends the
    /// value, if the block holds it; otherwise the depth at the block's end.
    #[inline(always)]
    fn depth_end(&mut self, open: u64, close: u64, closing: u64) -> Option<u32> {
        let mut events = open | close;
        if self.depth == 0 {
            let first = (events | closing).trailing_zeros();
            if first == 64 {
                return None;
            }
            if open >> first & 1 == 0 {
                return Some(first);
            }
            self.depth = 1;
            events &= !(u64::MAX >> (63 - first));
        }
        if self.depth > u64::from(close.count_ones()) {
            // The block cannot close the value: count, do not follow.
            self.depth += u64::from((open & events).count_ones());
            self.depth -= u64::from((close & events).count_ones());
            return None;
        }
        while events != 0 {
            let at = events.trailing_zeros();
            events &= events - 1;
            if open >> at & 1 == 1 {
                self.depth += 1;
            } else {
                self.depth -= 1;
                if self.depth == 0 {
                    return Some(at);
                }
            }
        }
        None
    }

    /// [`Nesting::scan`] a byte at a time.
    fn scan_bytes(&mut self, bytes: &[u8]) -> Option<usize> {
        let mut i = 0;
        while i < bytes.len() {
            if self.escaped {
                self.escaped = false;
                i += 1;
                continue;
            }
            if self.in_str {
                i += quote_or_backslash(&bytes[i..])?;
                if bytes[i] == b'\\' {
                    self.escaped = true;
                    i += 1;
                    continue;
                }
                i += 1;
                self.in_str = false;
                if self.depth == 0 {
                    return Some(i);
                }
                continue;
            }
            match CLASS[usize::from(bytes[i])] {
                PLAIN => {}
                SPACE => self.spaced = true,
                QUOTE => self.in_str = true,
                OPEN => self.depth += 1,
                _ => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth == 0 {
                        return Some(i + 1);
                    }
                }
            }
            i += 1;
        }
        None
    }
}

/// [`prefix_xor`] by carry-less multiplication with all ones (callers enable `pclmulqdq`).
#[inline(always)]
fn clmul_prefix_xor(x: u64) -> u64 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_clmulepi64_si128, _mm_cvtsi128_si64, _mm_set_epi64x};
        // SAFETY: only reached from `scan_with_popcnt_clmul`, which requires `pclmulqdq`.
        unsafe {
            let product =
                _mm_clmulepi64_si128(_mm_set_epi64x(0, x as i64), _mm_set_epi64x(0, -1), 0);
            _mm_cvtsi128_si64(product) as u64
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        prefix_xor(x)
    }
}

/// Each byte of a word set to 1.
const ONES: u64 = u64::from_le_bytes([1; 8]);
/// The high bit of each byte of a word.
const HIGHS: u64 = ONES << 7;

/// High bits marking the zero bytes of `w`: exact for the lowest zero byte
/// (a borrow can only mark bytes above a real zero), which is all the callers use.
fn zero_bytes(w: u64) -> u64 {
    w.wrapping_sub(ONES) & !w & HIGHS
}

/// The index of the first `"` or `\` in `bytes`, eight bytes at a time.
fn quote_or_backslash(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut base = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let hits =
            zero_bytes(w ^ (ONES * u64::from(b'"'))) | zero_bytes(w ^ (ONES * u64::from(b'\\')));
        if hits != 0 {
            return Some(base + (hits.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    let rest = chunks.remainder();
    rest.iter()
        .position(|&b| b == b'"' || b == b'\\')
        .map(|i| base + i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_quote_or_backslash_is_found_at_every_position() {
        for len in 0..40 {
            for at in 0..len {
                for special in [b'"', b'\\'] {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = special;
                    // Bytes that differ from the specials by one bit or a borrow.
                    if at + 1 < len {
                        bytes[at + 1] = b'#';
                    }
                    assert_eq!(quote_or_backslash(&bytes), Some(at), "{len} {at}");
                    bytes[at] = b'!';
                    assert_eq!(quote_or_backslash(&bytes), None);
                }
            }
        }
        assert_eq!(quote_or_backslash(b"\x00\x01\"\\"), Some(2));
        assert_eq!(quote_or_backslash("é\u{22}".as_bytes()), Some(2));
    }

    /// A state's fields, to compare whole.
    fn state(n: &Nesting) -> (u64, bool, bool, bool) {
        (n.depth, n.in_str, n.escaped, n.spaced)
    }

    #[test]
    fn blocks_agree_with_the_byte_at_a_time_scan() {
        // Biased towards structure so values end at every depth and place.
        const ALPHABET: &[u8] = br#"{}[]"""\ a:,a{}"x\"#;
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..20_000 {
            let len = (next() % 300) as usize;
            let plain = round % 3 == 0;
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    let b = ALPHABET[(next() % ALPHABET.len() as u64) as usize];
                    if plain && b == b'\\' {
                        b'a'
                    } else {
                        b
                    }
                })
                .collect();
            let start = Nesting {
                depth: next() % 3,
                in_str: next() % 4 == 0,
                escaped: next() % 8 == 0,
                spaced: false,
            };
            let (mut fast, mut baseline, mut slow) = (start, start, start);
            let found = fast.scan(&bytes);
            let expected = slow.scan_bytes(&bytes);
            let text = String::from_utf8_lossy(&bytes);
            assert_eq!(found, expected, "{text:?}");
            // The baseline build's blocks (no popcnt, no carry-less multiply) agree too.
            assert_eq!(baseline.scan_blocks::<false>(&bytes), expected, "{text:?}");
            if found.is_none() {
                assert_eq!(state(&fast), state(&slow));
                assert_eq!(state(&baseline), state(&slow));
            } else {
                assert_eq!(fast.spaced, slow.spaced);
                assert_eq!(baseline.spaced, slow.spaced);
            }
        }
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn carry_less_prefix_xor_equals_the_shift_ladder() {
        if !std::is_x86_feature_detected!("pclmulqdq") {
            eprintln!("SKIPPED: this CPU has no pclmulqdq");
            return;
        }
        #[target_feature(enable = "pclmulqdq")]
        fn by_clmul(x: u64) -> u64 {
            clmul_prefix_xor(x)
        }
        let mut x = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..10_000 {
            x = x.rotate_left(7).wrapping_mul(0x2545_f491_4f6c_dd1d) ^ (x >> 3);
            // SAFETY: the CPU has pclmulqdq, checked above.
            assert_eq!(unsafe { by_clmul(x) }, prefix_xor(x), "{x:#x}");
        }
        for x in [0, 1, u64::MAX, 1 << 63] {
            // SAFETY: as above.
            assert_eq!(unsafe { by_clmul(x) }, prefix_xor(x), "{x:#x}");
        }
    }

    #[test]
    fn a_value_ends_where_its_nesting_closes_whatever_the_split() {
        let text = br#"{"a":"x\"}\\","b":[1, {"c":"]"}]} tail"#;
        let end = text.len() - " tail".len();
        for split in 0..text.len() {
            let mut n = Nesting::default();
            let (first, second) = text.split_at(split);
            let found = match n.scan(first) {
                Some(i) => Some(i),
                None => n.scan(second).map(|i| split + i),
            };
            assert_eq!(found, Some(end), "split at {split}");
            assert!(n.spaced);
        }
    }
}
