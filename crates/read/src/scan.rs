//! The byte scanner under the framer: where a JSON value ends, found by
//! tracking only nesting depth and string state, eight bytes at a time inside
//! strings (most of a CloudTrail record's bytes are inside short strings,
//! where a call per string to a SIMD search costs more than it saves).

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
pub(crate) struct Nesting {
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
    pub(crate) fn scan(&mut self, bytes: &[u8]) -> Option<usize> {
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
