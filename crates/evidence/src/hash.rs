//! SHA-256 helpers: hex digests of bytes and of streams.

use std::io::{self, Read};

use sha2::{Digest, Sha256};

/// The hex digest of "no previous entry": 64 zeros.
pub(crate) const ZERO: &str = "0000000000000000000000000000000000000000000000000000000000000000";

pub(crate) use cloudcase_util::hex::{encode as to_hex, sha256_hex};

/// Lower-case hex of a finished hasher.
pub(crate) fn finish(hasher: Sha256) -> String {
    to_hex(hasher.finalize().as_slice())
}

/// Whether `s` is a 64-digit lower-case hex SHA-256 digest.
pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A SHA-256 digest held as its 32 bytes: a quarter of the memory of its hex
/// form, for indexes over millions of objects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Sha256Digest([u8; 32]);

impl Sha256Digest {
    /// Parses 64 lower-case hex digits; `None` for anything else.
    pub(crate) fn from_hex(hex: &str) -> Option<Self> {
        if !is_sha256_hex(hex) {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in hex.as_bytes().chunks_exact(2).enumerate() {
            let digit = |b: u8| match b {
                b'0'..=b'9' => b - b'0',
                _ => b - b'a' + 10,
            };
            out[i] = (digit(pair[0]) << 4) | digit(pair[1]);
        }
        Some(Self(out))
    }

    /// The digest of `bytes`.
    pub(crate) fn of(bytes: &[u8]) -> Self {
        Self(Sha256::digest(bytes).into())
    }

    /// Lower-case hex.
    pub(crate) fn to_hex(self) -> String {
        to_hex(&self.0)
    }
}

/// An incremental SHA-256, for content hashed as it streams by (listings, groups of
/// manifest lines), so that other crates hash with the same implementation as the case.
#[derive(Debug, Clone, Default)]
pub struct Sha256Hasher(Sha256);

impl Sha256Hasher {
    /// A hasher over nothing yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest, lower-case hex.
    pub fn finish_hex(self) -> String {
        finish(self.0)
    }
}

/// Reads `reader` to the end in `buf`-sized chunks, returning (SHA-256 hex, bytes read).
pub(crate) fn hash_reader(mut reader: impl Read, buf: &mut [u8]) -> io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut total = 0u64;
    loop {
        let n = match reader.read(buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((finish(hasher), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        let mut buf = [0u8; 2];
        let (h, n) = hash_reader(&b"abc"[..], &mut buf).expect("in-memory read");
        assert_eq!(
            h,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(n, 3);
        let mut streamed = Sha256Hasher::new();
        streamed.update(b"a");
        streamed.update(b"bc");
        assert_eq!(streamed.finish_hex(), h);
        assert!(is_sha256_hex(&h));
        assert!(!is_sha256_hex(&h.to_uppercase()));
        assert!(is_sha256_hex(ZERO));
        let digest = Sha256Digest::from_hex(&h).expect("hex");
        assert_eq!(digest.to_hex(), h);
        assert_eq!(Sha256Digest::of(b"abc"), digest);
        assert_eq!(Sha256Digest::from_hex(&h.to_uppercase()), None);
        assert_eq!(Sha256Digest::from_hex("ab"), None);
    }
}
