//! Disk images as evidence: assembled block by block (EBS snapshots through
//! the EBS direct APIs), sparse on disk, resumable, and stored with a block
//! manifest that proves each block on its own.
//!
//! * [`SparseImage`]: the image file, written at block offsets; zero blocks
//!   stay holes; [`hash_sparse`] hashes it without reading its holes.
//! * [`Journal`]: which blocks are durable in the image, for resuming after
//!   `kill -9` at block granularity.
//! * [`ImageStage`]: the image's folder under `work/images/` until it is
//!   complete: image, journal, then its hash, block manifest and metadata.
//! * [`StagedImageSource`]: a finished stage as three evidence items; the
//!   acquisition moves the image into the store (a rename, no copy).
//! * [`blocks`]: the block manifest and the per-block check `verify` runs
//!   when an image object no longer matches its name.

pub mod blocks;
mod journal;
mod source;
pub(crate) mod sparse;
mod stage;

pub use blocks::{BadBlock, BlockLine, Geometry};
pub use journal::{Journal, JournalEntry};
pub use source::StagedImageSource;
pub use sparse::{hash_sparse, is_zero, SparseImage};
pub use stage::{Finished, ImageStage};
