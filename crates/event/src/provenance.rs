//! Where an event came from: the input file and the record's place in it.

use std::path::PathBuf;
use std::sync::Arc;

/// One input file, shared by every event read from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as given or discovered (relative paths stay relative).
    pub path: PathBuf,
    /// SHA-256 of the file's bytes as stored, hex, when the file comes from
    /// an evidence store that recorded it.
    pub sha256: Option<String>,
    /// Where an evidence object was acquired from (its original path or URI),
    /// when the file is read from a case; `path` is then the object in the store.
    pub origin: Option<String>,
    /// The file's position in the run's input list, so that events with equal
    /// times order the same way on every run.
    pub ordinal: u64,
    /// The archive this file is a member of, when it is one; `path` is then
    /// `archive!member` (the member's name sanitized), never a path on disk.
    pub member: Option<ArchiveMember>,
}

impl SourceFile {
    /// A plain file on disk at `path`: first in the input list, outside any
    /// archive or evidence store.
    pub fn plain(path: impl Into<PathBuf>) -> SourceFile {
        SourceFile {
            path: path.into(),
            sha256: None,
            origin: None,
            ordinal: 0,
            member: None,
        }
    }
}

/// Where an archive member sits: the archive (whose `ordinal` is its first
/// member's) and the member's place among the members listed from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveMember {
    /// The archive file itself.
    pub archive: Arc<SourceFile>,
    /// The member's index among the archive's members, from 0; member `i`
    /// has ordinal `archive.ordinal + i`.
    pub index: u64,
    /// How many members were listed from the archive (and given ordinals).
    pub members: u64,
}

/// The raw record an event was normalized from.
///
/// `record` counts the file's items in order from 0 (elements of a `Records`
/// or `Events` array, array elements, or lines/values of a JSON Lines file),
/// and `offset` is the byte offset of the item's first byte in the file's
/// decompressed content, so that `zcat FILE | tail -c +$((offset+1))` starts at it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provenance {
    /// The file the record was read from.
    pub file: Arc<SourceFile>,
    /// The record's index among the file's items, from 0.
    pub record: u64,
    /// The record's byte offset in the decompressed file.
    pub offset: u64,
}

impl Provenance {
    /// The first record of `file`, at its first byte.
    pub fn first_of(file: SourceFile) -> Provenance {
        Provenance {
            file: Arc::new(file),
            record: 0,
            offset: 0,
        }
    }
}
