//! Value transformations of the encoding modifiers: `base64`, `base64offset`,
//! `utf16le`/`wide`, `utf16be`, `utf16`, and `windash`.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub(crate) fn base64(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The three forms `data` takes inside a longer base64 text, depending on
/// its byte offset modulo 3: the encoding of the data shifted by 0, 1 and 2
/// bytes, with the characters that depend on neighbouring bytes cut off.
pub(crate) fn base64_offsets(data: &[u8]) -> [String; 3] {
    let starts = [0usize, 2, 3];
    // How many trailing characters depend on the byte after the data, by (len + shift) % 3.
    let cut_end = [0usize, 3, 2];
    let mut out: [String; 3] = Default::default();
    for (shift, slot) in out.iter_mut().enumerate() {
        let mut shifted = vec![b' '; shift];
        shifted.extend_from_slice(data);
        let enc = base64(&shifted);
        let end = enc.len() - cut_end[(data.len() + shift) % 3];
        *slot = enc.get(starts[shift]..end).unwrap_or("").to_owned();
    }
    out
}

/// UTF-16 encodings of the `wide`/`utf16*` modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Utf16 {
    /// `utf16le` / `wide`.
    Le,
    /// `utf16be`.
    Be,
    /// `utf16`: little endian with a byte order mark.
    WithBom,
}

/// `s` encoded as UTF-16.
pub(crate) fn utf16(s: &str, form: Utf16) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 2 + 2);
    if form == Utf16::WithBom {
        out.extend_from_slice(&[0xFF, 0xFE]);
    }
    for unit in s.encode_utf16() {
        let b = if form == Utf16::Be {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        out.extend_from_slice(&b);
    }
    out
}

/// The characters `windash` substitutes for one another.
pub(crate) const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// Positions (char indices) of dashes that start a command-line flag: a `-`
/// or `/` not preceded by a word character and followed by one.
pub(crate) fn flag_dashes(chars: &[char]) -> Vec<usize> {
    let word = |c: char| c.is_alphanumeric() || c == '_';
    (0..chars.len())
        .filter(|&i| {
            matches!(chars[i], '-' | '/')
                && (i == 0 || !word(chars[i - 1]))
                && chars.get(i + 1).is_some_and(|&c| word(c))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn base64_offsets_appear_in_the_encoding_of_any_surrounding_text() {
        for needle in ["http://", "/bin/sh", "ab", "abcd", "AKIA"] {
            let forms = base64_offsets(needle.as_bytes());
            for pre in ["", "x", "xy", "xyz", "0123"] {
                for post in ["", "q", "qr", "qrs"] {
                    let enc = base64(format!("{pre}{needle}{post}").as_bytes());
                    assert!(
                        forms
                            .iter()
                            .any(|f| !f.is_empty() && enc.contains(f.as_str())),
                        "{needle:?} in {pre:?}+{post:?}: {forms:?} vs {enc}"
                    );
                }
            }
        }
        // Known values for offsets 0, 1 and 2.
        assert_eq!(
            base64_offsets(b"http://"),
            ["aHR0cDovL", "h0dHA6Ly", "odHRwOi8v"]
        );
    }

    #[test]
    fn utf16_forms() {
        assert_eq!(utf16("cmd", Utf16::Le), b"c\0m\0d\0");
        assert_eq!(utf16("cmd", Utf16::Be), b"\0c\0m\0d");
        assert_eq!(utf16("c", Utf16::WithBom), b"\xFF\xFEc\0");
    }

    #[test]
    fn flag_dashes_are_word_starts() {
        let c: Vec<char> = "-a x-y /b - c".chars().collect();
        assert_eq!(flag_dashes(&c), vec![0, 7]);
    }
}
