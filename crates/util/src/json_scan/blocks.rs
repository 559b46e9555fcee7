//! The bytes of a 64-byte block that matter to the scanner, as bit masks
//! (bit `i` for byte `i`): sixteen bytes per compare on x86-64, where SSE2 is
//! always present, and a byte loop elsewhere.

/// One block's classes of bytes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Masks {
    /// `"`.
    pub quote: u64,
    /// `\`.
    pub backslash: u64,
    /// `{` and `[`.
    pub open: u64,
    /// `}` and `]`.
    pub close: u64,
    /// Space, tab, line feed and carriage return.
    pub space: u64,
}

/// The number of bytes [`Masks::of`] classifies at once.
pub(crate) const BLOCK: usize = 64;

impl Masks {
    /// Classifies `block`'s bytes (inlined, so that callers compiled for more instructions
    /// than the baseline use them here too).
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    pub(crate) fn of(block: &[u8; BLOCK]) -> Masks {
        use std::arch::x86_64::{
            __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128,
            _mm_set1_epi8,
        };
        let mut m = Masks::default();
        // SAFETY: SSE2 is part of the x86-64 baseline, so these intrinsics
        // are always available; each unaligned load reads 16 bytes at
        // offset 0, 16, 32 or 48 of a 64-byte array, all in bounds. Measured:
        // the scalar scan this replaces was 20 % of `stats`' CPU.
        unsafe {
            let byte = |b: u8| _mm_set1_epi8(b as i8);
            let bits = |v: __m128i| u64::from(_mm_movemask_epi8(v) as u16);
            for k in 0..BLOCK / 16 {
                let v = _mm_loadu_si128(block.as_ptr().add(16 * k).cast::<__m128i>());
                // `{`/`[` and `}`/`]` differ only in bit 5 (0x20).
                let folded = _mm_or_si128(v, byte(0x20));
                let space = _mm_or_si128(
                    _mm_or_si128(
                        _mm_cmpeq_epi8(v, byte(b' ')),
                        _mm_cmpeq_epi8(v, byte(b'\t')),
                    ),
                    _mm_or_si128(
                        _mm_cmpeq_epi8(v, byte(b'\n')),
                        _mm_cmpeq_epi8(v, byte(b'\r')),
                    ),
                );
                let at = 16 * k;
                m.quote |= bits(_mm_cmpeq_epi8(v, byte(b'"'))) << at;
                m.backslash |= bits(_mm_cmpeq_epi8(v, byte(b'\\'))) << at;
                m.open |= bits(_mm_cmpeq_epi8(folded, byte(b'{'))) << at;
                m.close |= bits(_mm_cmpeq_epi8(folded, byte(b'}'))) << at;
                m.space |= bits(space) << at;
            }
        }
        m
    }

    /// Classifies `block`'s bytes.
    #[cfg(not(target_arch = "x86_64"))]
    pub(crate) fn of(block: &[u8; BLOCK]) -> Masks {
        Masks::bytewise(block)
    }

    /// Classifies `block`'s bytes one at a time.
    #[cfg(any(test, not(target_arch = "x86_64")))]
    fn bytewise(block: &[u8; BLOCK]) -> Masks {
        let mut m = Masks::default();
        for (i, &b) in block.iter().enumerate() {
            let bit = 1u64 << i;
            match b {
                b'"' => m.quote |= bit,
                b'\\' => m.backslash |= bit,
                b'{' | b'[' => m.open |= bit,
                b'}' | b']' => m.close |= bit,
                b' ' | b'\t' | b'\n' | b'\r' => m.space |= bit,
                _ => {}
            }
        }
        m
    }
}

/// Bit `i` of the result is the parity of bits `0..=i` of `x`: with `x` the
/// quotes of a block free of escapes, the bytes from each opening quote up
/// to (not including) its closing quote.
pub(crate) fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 1;
    x ^= x << 2;
    x ^= x << 4;
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_byte_value_lands_in_its_class_at_every_position() {
        for b in 0..=255u8 {
            for at in [0, 1, 15, 16, 31, 32, 47, 48, 63] {
                let mut block = [b'a'; BLOCK];
                block[at] = b;
                assert_eq!(Masks::of(&block), Masks::bytewise(&block), "{b:#x} at {at}");
            }
        }
    }

    #[test]
    fn prefix_xor_marks_the_inside_of_strings() {
        // Quotes at 2 and 5, then at 9: inside is 2..5 and 9..
        let quotes = (1 << 2) | (1 << 5) | (1 << 9);
        assert_eq!(prefix_xor(quotes), 0b11100 | (u64::MAX << 9));
        assert_eq!(prefix_xor(0), 0);
    }
}
