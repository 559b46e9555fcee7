//! Tar read block by block: ustar and GNU headers, GNU long names and pax
//! `path` records.

use std::io::BufRead;

use super::{name, read_block, skip_bytes, Member, Trailer, What};
use crate::RejectKind;

const BLOCK: u64 = 512;
/// Largest long name (GNU `L` or pax record) kept.
const MAX_META: u64 = 64 << 10;

/// Bytes of padding after `size` bytes of data.
fn pad(size: u64) -> u64 {
    (BLOCK - size % BLOCK) % BLOCK
}

/// The next member, `None` at the end-of-archive block.
pub(super) fn next<R: BufRead>(raw: &mut R) -> Result<Option<Member>, String> {
    let mut long_name: Option<Vec<u8>> = None;
    loop {
        let mut h = [0u8; BLOCK as usize];
        if !read_block(raw, &mut h, "tar header block")? {
            return Err("expected a tar header or the end-of-archive block, found the end: the archive is truncated".into());
        }
        if h.iter().all(|&b| b == 0) {
            return Ok(None);
        }
        check_sum(&h)?;
        let size = size(&h[124..136])?;
        let flag = h[156];
        match flag {
            b'L' => long_name = Some(read_meta(raw, size)?),
            b'x' => {
                let pax = read_meta(raw, size)?;
                long_name = pax_path(&pax).or(long_name);
            }
            b'g' | b'K' => skip_bytes(raw, size + pad(size))?,
            _ => {
                let name_raw = long_name.take().unwrap_or_else(|| ustar_name(&h));
                return Ok(Some(member(&name_raw, flag, size, &h)));
            }
        }
    }
}

/// The member a header of type `flag` describes.
fn member(name_raw: &[u8], flag: u8, size: u64, h: &[u8]) -> Member {
    let skip = |reason: String| Member {
        name: name::display(name_raw),
        what: What::Skip {
            kind: RejectKind::NotAFile,
            reason,
            skip: Some(size + pad(size)),
        },
        trailer: Trailer::None,
    };
    match flag {
        b'0' | 0 | b'7' => Member {
            name: name::display(name_raw),
            what: What::File {
                stored: Some(size),
                deflate: false,
            },
            trailer: Trailer::Pad(pad(size)),
        },
        b'5' => skip("a directory: nothing to read".into()),
        b'1' | b'2' => skip(format!(
            "a {} link to {}: links are not followed",
            if flag == b'1' { "hard" } else { "symbolic" },
            name::display(field(&h[157..257]))
        )),
        other => skip(format!(
            "not a regular file (tar type {}): nothing to read",
            name::display(&[other])
        )),
    }
}

/// `bytes` up to their first NUL.
fn field(bytes: &[u8]) -> &[u8] {
    bytes.split(|&b| b == 0).next().unwrap_or(bytes)
}

/// The name a ustar header gives: `prefix/name`.
fn ustar_name(h: &[u8]) -> Vec<u8> {
    let name = field(&h[0..100]);
    let prefix = field(&h[345..500]);
    if h.get(257..262) != Some(b"ustar") || prefix.is_empty() {
        return name.to_vec();
    }
    [prefix, b"/", name].concat()
}

/// Checks a header's checksum (its bytes summed, the checksum field as spaces).
fn check_sum(h: &[u8]) -> Result<(), String> {
    let sum: u64 = h
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                32
            } else {
                u64::from(b)
            }
        })
        .sum();
    let stated = octal(&h[148..156]);
    if stated != Some(sum) {
        return Err(format!(
            "expected a tar header whose checksum is {sum}, found {}: corrupt or not tar",
            stated.map_or("none".into(), |s| s.to_string())
        ));
    }
    Ok(())
}

/// An octal number field (spaces and NULs around it).
fn octal(bytes: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(bytes).ok()?;
    u64::from_str_radix(text.trim_matches(|c| c == ' ' || c == '\0'), 8).ok()
}

/// A size field: octal, or GNU base-256 when its high bit is set.
fn size(bytes: &[u8]) -> Result<u64, String> {
    if bytes[0] & 0x80 != 0 {
        return Ok(bytes[bytes.len() - 8..]
            .iter()
            .fold(0u64, |n, &b| (n << 8) | u64::from(b)));
    }
    octal(bytes)
        .ok_or_else(|| format!("expected an octal size in a tar header, found {bytes:02x?}"))
}

/// Reads a metadata entry's data (a long name or pax records), padding too.
fn read_meta<R: BufRead>(raw: &mut R, size: u64) -> Result<Vec<u8>, String> {
    if size > MAX_META {
        return Err(format!(
            "expected a tar long name or pax header of at most {MAX_META} bytes, found {size}"
        ));
    }
    let mut buf = vec![0u8; size as usize];
    if size > 0 && !read_block(raw, &mut buf, "tar long name or pax header")? {
        return Err("expected a tar long name, found the end: the archive is truncated".into());
    }
    skip_bytes(raw, pad(size))?;
    Ok(field(&buf).to_vec())
}

/// The `path` of pax extended header records (`LEN path=VALUE\n`).
fn pax_path(pax: &[u8]) -> Option<Vec<u8>> {
    pax.split(|&b| b == b'\n').find_map(|record| {
        let kv = &record[record.iter().position(|&b| b == b' ')? + 1..];
        kv.strip_prefix(b"path=").map(<[u8]>::to_vec)
    })
}
