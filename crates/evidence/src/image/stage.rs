//! Where an image is assembled before it becomes evidence: a folder under the
//! case's `work/images/` holding the sparse image, its download journal, and,
//! once every block is in, the image's hash, block manifest and metadata.
//! One process at a time works on a stage (an advisory lock, released by the
//! kernel even on `kill -9`); the acquisition then moves the image into the
//! store (same file system: a rename, not a copy) and the stage is removed.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::blocks::{self, Geometry};
use super::journal::JournalEntry;
use super::sparse::hash_sparse;
use crate::error::{Error, IoContext};
use crate::fsutil;
use crate::hash::sha256_hex;
use crate::layout::Layout;
use crate::lock::try_lock;

/// File names inside a stage folder.
const IMAGE: &str = "image.raw";
const JOURNAL: &str = "journal.txt";
const BLOCKS: &str = "blocks.jsonl";
const METADATA: &str = "metadata.json";
const FINISHED: &str = "finished.json";
const LOCK: &str = "stage.lock";

/// A finished image: every block is in, hashed, and described.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finished {
    /// SHA-256 of the image over its full logical size.
    pub image_sha256: String,
    /// Logical size in bytes.
    pub image_size: u64,
    /// SHA-256 of the block manifest file.
    pub blocks_sha256: String,
    /// Size of the block manifest file.
    pub blocks_size: u64,
    /// SHA-256 of the metadata file.
    pub metadata_sha256: String,
    /// Size of the metadata file.
    pub metadata_size: u64,
    /// Blocks the provider delivered.
    pub present_blocks: u64,
    /// Blocks of the image.
    pub total_blocks: u64,
    /// Source metadata recorded with the image in the manifest.
    pub image_metadata: BTreeMap<String, String>,
}

/// One image's stage folder, locked by this process.
#[derive(Debug)]
pub struct ImageStage {
    dir: PathBuf,
    _lock: File,
}

impl ImageStage {
    /// Opens (creating if needed) the stage of `key` (e.g.
    /// `ebs-snapshot/snap-0123…`) in the case at `layout`, and locks it.
    pub fn open(layout: &Layout, key: &str) -> Result<Self, Error> {
        let name: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let dir = layout.work_dir().join("images").join(name);
        fs::create_dir_all(&dir).at(&dir, "create image stage")?;
        let lock_path = dir.join(LOCK);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .at(&lock_path, "open stage lock")?;
        if !try_lock(&lock).at(&lock_path, "lock stage")? {
            return Err(Error::io(
                &lock_path,
                "lock stage",
                io::Error::new(
                    io::ErrorKind::WouldBlock,
                    format!("expected no other process on the image {key}, found its stage locked"),
                ),
            ));
        }
        Ok(Self { dir, _lock: lock })
    }

    /// The stage folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The sparse image being assembled.
    pub fn image_path(&self) -> PathBuf {
        self.dir.join(IMAGE)
    }

    /// The download journal.
    pub fn journal_path(&self) -> PathBuf {
        self.dir.join(JOURNAL)
    }

    /// The block manifest (written by [`ImageStage::finish`]).
    pub fn blocks_path(&self) -> PathBuf {
        self.dir.join(BLOCKS)
    }

    /// The metadata file (written by [`ImageStage::finish`]).
    pub fn metadata_path(&self) -> PathBuf {
        self.dir.join(METADATA)
    }

    /// What [`ImageStage::finish`] recorded, if an earlier run got that far.
    pub fn finished(&self) -> Result<Option<Finished>, Error> {
        let path = self.dir.join(FINISHED);
        match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map(Some).map_err(|e| {
                Error::io(
                    &path,
                    "read",
                    io::Error::new(io::ErrorKind::InvalidData, e.to_string()),
                )
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(&path, "read", e)),
        }
    }

    /// Once every block is in the image: hashes it over its full size, writes
    /// the block manifest and `metadata` (pretty JSON), and records the result
    /// (each file written atomically and durably). `image_metadata` gains
    /// `block_manifest_sha256`, `metadata_sha256`, `block_size`,
    /// `blocks_present` and `blocks_total`.
    pub fn finish(
        &self,
        geometry: Geometry,
        present: &BTreeMap<u64, JournalEntry>,
        metadata: &Value,
        mut image_metadata: BTreeMap<String, String>,
    ) -> Result<Finished, Error> {
        let image = self.image_path();
        let size = fs::metadata(&image).at(&image, "stat image")?.len();
        if size != geometry.image_size {
            return Err(Error::io(
                &image,
                "finish image",
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("expected {} bytes, found {size}", geometry.image_size),
                ),
            ));
        }
        File::open(&image)
            .and_then(|f| f.sync_all())
            .at(&image, "fsync image")?;
        let image_sha256 = hash_sparse(&image)?;
        let block_bytes = blocks::to_jsonl(&blocks::lines(geometry, present))?;
        fsutil::write_atomic(&self.blocks_path(), &block_bytes)?;
        let mut meta_bytes = serde_json::to_vec_pretty(metadata).map_err(|e| Error::Serialize {
            what: "image metadata",
            error: e,
        })?;
        meta_bytes.push(b'\n');
        fsutil::write_atomic(&self.metadata_path(), &meta_bytes)?;
        let present_blocks = present.range(..geometry.blocks()).count() as u64;
        let blocks_sha256 = sha256_hex(&block_bytes);
        let metadata_sha256 = sha256_hex(&meta_bytes);
        for (k, v) in [
            ("block_manifest_sha256", blocks_sha256.clone()),
            ("metadata_sha256", metadata_sha256.clone()),
            ("block_size", geometry.block_size.to_string()),
            ("blocks_present", present_blocks.to_string()),
            ("blocks_total", geometry.blocks().to_string()),
        ] {
            image_metadata.insert(k.to_owned(), v);
        }
        let finished = Finished {
            image_sha256,
            image_size: size,
            blocks_sha256,
            blocks_size: block_bytes.len() as u64,
            metadata_sha256,
            metadata_size: meta_bytes.len() as u64,
            present_blocks,
            total_blocks: geometry.blocks(),
            image_metadata,
        };
        let record = serde_json::to_vec(&finished).map_err(|e| Error::Serialize {
            what: "finished image record",
            error: e,
        })?;
        fsutil::write_atomic(&self.dir.join(FINISHED), &record)?;
        Ok(finished)
    }

    /// Removes the stage (after its image and files are held in the store).
    pub fn remove(self) -> Result<(), Error> {
        let dir = self.dir.clone();
        drop(self);
        fs::remove_dir_all(&dir).at(&dir, "remove image stage")
    }
}
