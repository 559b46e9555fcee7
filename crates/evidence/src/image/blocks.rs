//! The block manifest of a disk image (JSON Lines, stored as its own evidence
//! object): the SHA-256 of every block, present or absent, so that one block
//! of the image can be re-proved, and a changed image names its bad blocks.
//!
//! A present block is one line; a run of absent blocks (zeros, never written
//! by the provider) is one line with its `count`:
//!
//! ```text
//! {"index":0,"offset":0,"size":524288,"present":true,"sha256":"…","checksum":"…"}
//! {"index":1,"offset":524288,"size":524288,"present":false,"count":2046,"sha256":"<zero block>"}
//! ```

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::journal::JournalEntry;
use crate::error::{Error, IoContext};
use crate::hash::{finish, sha256_hex};

/// Block size and image size of an image made of fixed-size blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Geometry {
    /// Bytes per block (EBS: 524288).
    pub block_size: u64,
    /// Logical size of the image in bytes.
    pub image_size: u64,
}

impl Geometry {
    /// Number of blocks (the last one may be shorter).
    pub fn blocks(&self) -> u64 {
        self.image_size.div_ceil(self.block_size.max(1))
    }

    /// Offset of block `index`.
    pub fn offset(&self, index: u64) -> u64 {
        index * self.block_size
    }

    /// Length of block `index`.
    pub fn len(&self, index: u64) -> u64 {
        self.block_size
            .min(self.image_size.saturating_sub(self.offset(index)))
    }
}

/// One line of the block manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockLine {
    /// First block of the line.
    pub index: u64,
    /// Its offset in the image.
    pub offset: u64,
    /// Bytes per block on this line.
    pub size: u64,
    /// Whether the provider delivered the block (absent blocks are zeros).
    pub present: bool,
    /// Absent runs: how many blocks of zeros; 1 when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// SHA-256 of each block of the line.
    pub sha256: String,
    /// The provider's checksum of a present block (EBS: base64 SHA-256).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
}

/// The manifest's lines for an image of `geometry` whose present blocks are
/// `present`; runs of absent blocks of the same size are merged.
pub fn lines(geometry: Geometry, present: &BTreeMap<u64, JournalEntry>) -> Vec<BlockLine> {
    let mut out: Vec<BlockLine> = Vec::new();
    let mut zero_sha: BTreeMap<u64, String> = BTreeMap::new();
    let mut next = 0u64;
    let mut absent_until = |out: &mut Vec<BlockLine>, from: u64, to: u64| {
        let mut i = from;
        while i < to {
            let size = geometry.len(i);
            // Only the last block can be shorter: it gets its own line.
            let run_end = if geometry.len(to - 1) == size {
                to
            } else {
                to - 1
            };
            let run_end = run_end.max(i + 1);
            let sha = zero_sha
                .entry(size)
                .or_insert_with(|| sha256_hex(&vec![0u8; size as usize]))
                .clone();
            out.push(BlockLine {
                index: i,
                offset: geometry.offset(i),
                size,
                present: false,
                count: Some(run_end - i),
                sha256: sha,
                checksum: None,
            });
            i = run_end;
        }
    };
    for (&index, e) in present.range(..geometry.blocks()) {
        absent_until(&mut out, next, index);
        out.push(BlockLine {
            index,
            offset: geometry.offset(index),
            size: geometry.len(index),
            present: true,
            count: None,
            sha256: e.sha256.clone(),
            checksum: Some(e.checksum.clone()),
        });
        next = index + 1;
    }
    absent_until(&mut out, next, geometry.blocks());
    out
}

/// The manifest's bytes (one JSON line per [`BlockLine`]).
pub fn to_jsonl(lines: &[BlockLine]) -> Result<Vec<u8>, Error> {
    let mut out = Vec::with_capacity(lines.len() * 160);
    for l in lines {
        serde_json::to_writer(&mut out, l).map_err(|e| Error::Serialize {
            what: "block manifest line",
            error: e,
        })?;
        out.push(b'\n');
    }
    Ok(out)
}

/// A block whose bytes in the image differ from the block manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BadBlock {
    /// Block index.
    pub index: u64,
    /// Offset in the image.
    pub offset: u64,
    /// SHA-256 the manifest records.
    pub expected: String,
    /// SHA-256 of the block now.
    pub actual: String,
}

/// Re-hashes the image at `image` block by block against the manifest at
/// `manifest` and returns the blocks that differ (at most `limit`; the count
/// of all is the second value).
pub fn check_image(
    image: &Path,
    manifest: &Path,
    limit: usize,
) -> Result<(Vec<BadBlock>, u64), Error> {
    let m = File::open(manifest).at(manifest, "open block manifest")?;
    let mut img = File::open(image).at(image, "open image")?;
    let mut buf = Vec::new();
    let mut bad = Vec::new();
    let mut total = 0u64;
    for (n, line) in BufReader::new(m).lines().enumerate() {
        let line = line.at(manifest, "read block manifest")?;
        let l: BlockLine = serde_json::from_str(&line).map_err(|e| {
            Error::io(
                manifest,
                "read block manifest",
                io::Error::new(io::ErrorKind::InvalidData, format!("line {}: {e}", n + 1)),
            )
        })?;
        buf.resize(l.size as usize, 0);
        for k in 0..l.count.unwrap_or(1) {
            img.read_exact(&mut buf).at(image, "read image block")?;
            let mut h = Sha256::new();
            h.update(&buf);
            let actual = finish(h);
            if actual != l.sha256 {
                total += 1;
                if bad.len() < limit {
                    bad.push(BadBlock {
                        index: l.index + k,
                        offset: l.offset + k * l.size,
                        expected: l.sha256.clone(),
                        actual,
                    });
                }
            }
        }
    }
    Ok((bad, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn present(index: u64, data: &[u8]) -> (u64, JournalEntry) {
        (
            index,
            JournalEntry {
                index,
                sha256: sha256_hex(data),
                checksum: "c".into(),
            },
        )
    }

    #[test]
    fn absent_runs_are_merged_and_the_image_checks_block_by_block() {
        let g = Geometry {
            block_size: 4,
            image_size: 30,
        };
        assert_eq!(g.blocks(), 8);
        let blocks: BTreeMap<u64, JournalEntry> = [present(2, b"abcd"), present(3, b"efgh")]
            .into_iter()
            .collect();
        let ls = lines(g, &blocks);
        let shape: Vec<(u64, bool, Option<u64>, u64)> = ls
            .iter()
            .map(|l| (l.index, l.present, l.count, l.size))
            .collect();
        assert_eq!(
            shape,
            [
                (0, false, Some(2), 4),
                (2, true, None, 4),
                (3, true, None, 4),
                (4, false, Some(3), 4),
                (7, false, Some(1), 2),
            ]
        );
        let dir = tempfile::tempdir().expect("tempdir");
        let (img, man) = (dir.path().join("img"), dir.path().join("blocks"));
        let mut bytes = vec![0u8; 30];
        bytes[8..16].copy_from_slice(b"abcdefgh");
        std::fs::write(&img, &bytes).expect("write");
        std::fs::write(&man, to_jsonl(&ls).expect("jsonl")).expect("write");
        assert_eq!(check_image(&img, &man, 10).expect("check").1, 0);
        bytes[13] = b'X';
        bytes[21] = 1;
        std::fs::write(&img, &bytes).expect("write");
        let (bad, n) = check_image(&img, &man, 10).expect("check");
        assert_eq!(n, 2);
        assert_eq!((bad[0].index, bad[0].offset), (3, 12));
        assert_eq!((bad[1].index, bad[1].offset), (5, 20));
        assert_eq!(bad[0].expected, sha256_hex(b"efgh"));
    }
}
