//! Records spilled to temporary files as little-endian fields: integers in
//! fixed width, strings as a `u32` byte length then the bytes, an absent
//! string as the length `u32::MAX`. The hunt's held findings and scope's
//! candidate events are written this way, so that both read back what they
//! wrote with one reader that never panics on short or malformed input.

/// The length written for an absent string.
const ABSENT: u32 = u32::MAX;

/// Appends one entry whose bytes `write` appends to `out`, preceded by its `u32` length, so
/// that entries written one after another can be read back one at a time.
pub fn put_entry(out: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&0u32.to_le_bytes());
    write(out);
    let len = u32::try_from(out.len() - start - 4).unwrap_or(u32::MAX);
    out[start..start + 4].copy_from_slice(&len.to_le_bytes());
}

/// Appends `v`.
pub fn put_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends `v`.
pub fn put_i64(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Appends `s`, or the mark of an absent string. A string of `u32::MAX`
/// bytes or more cannot be told from that mark, so longer strings are cut at
/// a character boundary below it (no log record field comes near 4 GiB).
pub fn put_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => {
            let mut end = s.len().min(ABSENT as usize - 1);
            while !s.is_char_boundary(end) {
                end -= 1;
            }
            out.extend_from_slice(&(end as u32).to_le_bytes());
            out.extend_from_slice(&s.as_bytes()[..end]);
        }
        None => out.extend_from_slice(&ABSENT.to_le_bytes()),
    }
}

/// Reads a record's fields in the order they were written; every read is
/// `None` once the bytes run short or a string is not UTF-8.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    bytes: &'a [u8],
}

impl<'a> Fields<'a> {
    /// The fields of `bytes`, from the first.
    pub fn new(bytes: &'a [u8]) -> Self {
        Fields { bytes }
    }

    /// The next `n` bytes.
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.bytes.len() < n {
            return None;
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Some(head)
    }

    /// The next `u64`.
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// The next `i64`.
    pub fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// The next byte.
    pub fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }

    /// The next string, `Some(None)` where an absent one was written.
    pub fn opt(&mut self) -> Option<Option<&'a str>> {
        let len = u32::from_le_bytes(self.take(4)?.try_into().ok()?);
        if len == ABSENT {
            return Some(None);
        }
        std::str::from_utf8(self.take(len as usize)?).ok().map(Some)
    }

    /// The next string, which must be present.
    pub fn str(&mut self) -> Option<&'a str> {
        self.opt()?
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// Splits a byte stream written as [`put_entry`] entries back into entries, however the
/// stream is cut into writes: the bytes of an entry not yet complete are kept until the rest
/// comes.
#[derive(Debug, Default)]
pub struct EntrySplitter {
    pending: Vec<u8>,
}

impl EntrySplitter {
    /// Adds `bytes` and passes each entry body they complete to `each`, in order; stops at the
    /// first error `each` returns (the rest of `bytes` is then dropped).
    pub fn feed<E>(
        &mut self,
        bytes: &[u8],
        mut each: impl FnMut(&[u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        self.pending.extend_from_slice(bytes);
        let mut at = 0;
        let mut result = Ok(());
        while let Some(head) = self.pending.get(at..at + 4) {
            let len = u32::from_le_bytes([head[0], head[1], head[2], head[3]]) as usize;
            let Some(body) = self.pending.get(at + 4..at + 4 + len) else {
                break;
            };
            if let Err(e) = each(body) {
                result = Err(e);
                break;
            }
            at += 4 + len;
        }
        self.pending.drain(..at);
        result
    }

    /// Whether an entry was cut short: bytes are left that no entry completed.
    pub fn is_cut(&self) -> bool {
        !self.pending.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_read_back_as_written() {
        let mut out = Vec::new();
        put_i64(&mut out, -5);
        put_u64(&mut out, u64::MAX);
        out.push(7);
        for s in [Some("é\u{0}\t\"x"), None, Some("")] {
            put_str(&mut out, s);
        }
        let mut f = Fields::new(&out);
        assert_eq!(f.i64(), Some(-5));
        assert_eq!(f.u64(), Some(u64::MAX));
        assert_eq!(f.u8(), Some(7));
        assert_eq!(f.opt(), Some(Some("é\u{0}\t\"x")));
        assert_eq!(f.opt(), Some(None));
        assert_eq!(f.str(), Some(""));
        assert!(f.is_empty());
        assert_eq!(f.u8(), None);
    }

    #[test]
    fn short_or_malformed_input_reads_as_none() {
        let mut out = Vec::new();
        put_str(&mut out, Some("abcdef"));
        for cut in 0..out.len() {
            assert_eq!(Fields::new(&out[..cut]).opt(), None, "cut at {cut}");
        }
        let bad = [2, 0, 0, 0, 0xff, 0xfe];
        assert_eq!(Fields::new(&bad).opt(), None, "not UTF-8");
        assert_eq!(Fields::new(&[1, 2, 3]).u64(), None);
    }

    #[test]
    fn entries_are_split_back_however_the_stream_is_cut() {
        let mut stream = Vec::new();
        for body in [&b"first"[..], b"", b"third entry"] {
            put_entry(&mut stream, |out| out.extend_from_slice(body));
        }
        for cut in 0..=stream.len() {
            let mut splitter = EntrySplitter::default();
            let mut seen: Vec<Vec<u8>> = Vec::new();
            for part in [&stream[..cut], &stream[cut..]] {
                splitter
                    .feed::<()>(part, |b| {
                        seen.push(b.to_vec());
                        Ok(())
                    })
                    .unwrap();
            }
            assert_eq!(seen, [&b"first"[..], b"", b"third entry"], "cut at {cut}");
            assert!(!splitter.is_cut());
        }
        let mut splitter = EntrySplitter::default();
        splitter.feed::<()>(&stream[..7], |_| Ok(())).unwrap();
        assert!(splitter.is_cut(), "an entry begun and not ended");
        let mut calls = 0;
        let stopped = EntrySplitter::default().feed(&stream, |_| {
            calls += 1;
            Err("stop")
        });
        assert_eq!((stopped, calls), (Err("stop"), 1));
    }
}
