//! Zip read front to back from its local headers: stored and deflate members.

use std::io::BufRead;

use super::{name, read_block, Member, Trailer, What};
use crate::RejectKind;

const LOCAL: &[u8; 4] = b"PK\x03\x04";
const DESCRIPTOR: &[u8; 4] = b"PK\x07\x08";
/// Signatures that follow the last member: central directory, zip64 end
/// records, digital signature, end of central directory.
const AFTER_MEMBERS: &[&[u8; 4]] = &[
    b"PK\x01\x02",
    b"PK\x06\x06",
    b"PK\x06\x07",
    b"PK\x05\x05",
    b"PK\x05\x06",
];
/// General-purpose flag bits.
const ENCRYPTED: u16 = 1;
const HAS_DESCRIPTOR: u16 = 1 << 3;

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The next member, `None` once the central directory starts.
pub(super) fn next<R: BufRead>(raw: &mut R) -> Result<Option<Member>, String> {
    let mut sig = [0u8; 4];
    if !read_block(raw, &mut sig, "zip header signature")? {
        return Err(
            "expected a member or the central directory, found the end: the archive is truncated"
                .into(),
        );
    }
    if AFTER_MEMBERS.contains(&&sig) {
        return Ok(None);
    }
    if &sig != LOCAL {
        return Err(format!(
            "expected a zip member header (PK\\x03\\x04), found bytes {sig:02x?}: corrupt or truncated"
        ));
    }
    let mut h = [0u8; 26];
    if !read_block(raw, &mut h, "zip member header")? {
        return Err("expected a zip member header, found the end: the archive is truncated".into());
    }
    let flags = u16_at(&h, 2);
    let method = u16_at(&h, 4);
    let name_raw = read_vec(raw, usize::from(u16_at(&h, 22)), "member name")?;
    let extra = read_vec(raw, usize::from(u16_at(&h, 24)), "member extra field")?;
    let size = stored_size(u32_at(&h, 14), u32_at(&h, 18), &extra);
    let stored = (flags & HAS_DESCRIPTOR == 0).then_some(size);
    Ok(Some(Member {
        name: name::display(&name_raw),
        what: what(flags, method, stored, name::is_dir(&name_raw)),
        trailer: if flags & HAS_DESCRIPTOR == 0 {
            Trailer::None
        } else {
            Trailer::Descriptor
        },
    }))
}

/// The compressed size, from the zip64 extra field when the header's is
/// `0xFFFFFFFF`.
fn stored_size(compressed: u32, uncompressed: u32, extra: &[u8]) -> u64 {
    if compressed != u32::MAX {
        return u64::from(compressed);
    }
    let mut at = 0;
    while at + 4 <= extra.len() {
        let id = u16_at(extra, at);
        let len = usize::from(u16_at(extra, at + 2));
        if id == 1 {
            let skip = if uncompressed == u32::MAX { 8 } else { 0 };
            return u64_at(extra, at + 4 + skip).unwrap_or(u64::from(compressed));
        }
        at += 4 + len;
    }
    u64::from(compressed)
}

/// Whether and how a member is read.
fn what(flags: u16, method: u16, stored: Option<u64>, dir: bool) -> What {
    let skip = |kind, reason: &str| What::Skip {
        kind,
        reason: reason.to_owned(),
        skip: stored,
    };
    if dir {
        return skip(RejectKind::NotAFile, "a directory: nothing to read");
    }
    if flags & ENCRYPTED != 0 {
        return skip(
            RejectKind::Unreadable,
            "encrypted member, not read (cloudcase does not decrypt: extract it with its password)",
        );
    }
    match method {
        0 if stored.is_none() => skip(
            RejectKind::Unreadable,
            "a stored member whose size follows its data: its end cannot be found",
        ),
        0 => What::File {
            stored,
            deflate: false,
        },
        8 => What::File {
            stored,
            deflate: true,
        },
        m => skip(
            RejectKind::UnsupportedCompression,
            &format!("zip compression method {m} is not supported (only stored and deflate)"),
        ),
    }
}

/// Reads `n` bytes of a header's variable part.
fn read_vec<R: BufRead>(raw: &mut R, n: usize, what: &str) -> Result<Vec<u8>, String> {
    let mut buf = vec![0u8; n];
    if n > 0 && !read_block(raw, &mut buf, what)? {
        return Err(format!(
            "expected a {what}, found the end: the archive is truncated"
        ));
    }
    Ok(buf)
}

/// Reads the data descriptor after a member whose sizes follow its data
/// (with or without its signature).
pub(super) fn descriptor<R: BufRead>(raw: &mut R) -> Result<(), String> {
    let mut first = [0u8; 4];
    let mut rest = [0u8; 12];
    let want = if read_block(raw, &mut first, "zip data descriptor")? && &first == DESCRIPTOR {
        12
    } else {
        8
    };
    if !read_block(raw, &mut rest[..want], "zip data descriptor")? {
        return Err(
            "expected a zip data descriptor, found the end: the archive is truncated".into(),
        );
    }
    Ok(())
}
