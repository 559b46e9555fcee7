//! Where evidence comes from: the [`Source`] trait the acquisition pipeline is
//! generic over, and its first implementation, [`LocalSource`] (files and
//! directories). Object stores (`s3://…`) and AWS API exports implement the
//! same trait: list items, open one for reading with its metadata.

mod local;

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::path::PathBuf;

pub use local::LocalSource;

/// How a source finds one of its items again when asked to open it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Locator {
    /// A local file.
    Path(PathBuf),
    /// The item's URI is itself its local path (what [`LocalSource`] lists):
    /// one copy of the path per item, for listings of millions of files.
    Uri,
    /// A source-defined key (object key and version, API call and page, …).
    Key(String),
}

/// One item a source can deliver: one future object (unless its content is
/// already held).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceItem {
    /// Where it came from as recorded in the manifest: an absolute path for
    /// local files, a URI otherwise.
    pub uri: String,
    /// How the source opens it.
    pub locator: Locator,
    /// Size in bytes as listed, if known.
    pub size: Option<u64>,
    /// Modification time as listed, RFC 3339 UTC, if the source has one.
    pub mtime: Option<String>,
    /// A source-defined identity of the content as listed (S3: ETag, version
    /// id and size), when the source has one that changes whenever the content
    /// does. A re-run skips, without opening it, an item whose URI the manifest
    /// already records with this same identity and whose object is held: this
    /// is what makes a remote acquisition resumable without downloading again.
    /// `None` (local files) keeps the re-hash check instead.
    pub identity: Option<String>,
}

/// Metadata of an item as seen when it was opened.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemMeta {
    /// Size in bytes, if known.
    pub size: Option<u64>,
    /// Modification time, RFC 3339 UTC, if any.
    pub mtime: Option<String>,
    /// Source metadata recorded in the manifest with the object (S3: `etag`,
    /// `version_id`, `last_modified`, `x-amz-meta-*` user metadata…). Never
    /// credentials.
    pub metadata: BTreeMap<String, String>,
}

/// An item opened for reading.
pub struct Opened {
    /// The content.
    pub reader: Box<dyn Read + Send>,
    /// Its metadata at open time (what the manifest records).
    pub meta: ItemMeta,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Opened")
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

/// A complete file a source staged in the case, to be moved into the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staged {
    /// The file (under the case's `work/`).
    pub path: PathBuf,
    /// SHA-256 of its content, computed by the source as it finished it.
    pub sha256: String,
    /// Its size in bytes.
    pub size: u64,
    /// Source metadata recorded in the manifest with the object.
    pub metadata: BTreeMap<String, String>,
}

/// One result of listing a source.
#[derive(Debug)]
pub enum ListEntry {
    /// An item to acquire.
    Item(SourceItem),
    /// Something deliberately not acquired (e.g. a symbolic link inside a
    /// directory), with the reason; reported, not a failure.
    Skipped {
        /// What was skipped.
        uri: String,
        /// Why.
        reason: String,
    },
    /// Something that could not be listed.
    Failed(SourceError),
}

/// A source of evidence. Implementations must be shareable across the
/// acquisition's worker threads.
pub trait Source: Send + Sync {
    /// Kind recorded in the manifest (`file`, `s3`, …).
    fn kind(&self) -> &'static str;

    /// The source as given by the user, for messages.
    fn describe(&self) -> String;

    /// Enumerates the items, in a stable order.
    fn list(&self) -> Box<dyn Iterator<Item = ListEntry> + '_>;

    /// Opens one listed item for reading.
    fn open(&self, item: &SourceItem) -> Result<Opened, SourceError>;

    /// A finished file this source assembled inside the case (same file
    /// system as the store), with its SHA-256 and metadata: the acquisition
    /// moves it into the store instead of copying it (disk images of many
    /// GB). `None` (the default): the item is opened and copied.
    fn staged(&self, _item: &SourceItem) -> Option<Staged> {
        None
    }

    /// Called after an item was read to the end: fails if it changed while it
    /// was read, so a copy that mixes two versions is never kept. The default
    /// checks that the byte count matches the size seen at open.
    fn confirm_unchanged(
        &self,
        item: &SourceItem,
        opened: &ItemMeta,
        bytes_read: u64,
    ) -> Result<(), SourceError> {
        match opened.size {
            Some(size) if size != bytes_read => Err(SourceError::Changed {
                uri: item.uri.clone(),
                detail: format!("size was {size} bytes at open, read {bytes_read}"),
            }),
            _ => Ok(()),
        }
    }
}

/// Why a source or one of its items could not be listed or read.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// An I/O error on the source.
    #[error("{uri}: {action}: {error}{hint}", hint = crate::limits::limit_hint(.error))]
    Io {
        /// The item or source.
        uri: String,
        /// What was being done.
        action: &'static str,
        /// The underlying error (part of the message, so not chained again).
        error: io::Error,
    },
    /// The source is of a kind that cannot be acquired.
    #[error("{uri}: expected a regular file or a directory, found {found}")]
    Unsupported {
        /// The item or source.
        uri: String,
        /// What it is instead.
        found: String,
    },
    /// The item changed while it was read; the partial copy was discarded.
    #[error("{uri}: changed while being read ({detail}); copy discarded, acquire it again once it is stable")]
    Changed {
        /// The item.
        uri: String,
        /// Expected and found size or time.
        detail: String,
    },
}

impl SourceItem {
    /// The local file this item is, when it is one.
    pub fn local_path(&self) -> Option<&std::path::Path> {
        match &self.locator {
            Locator::Path(p) => Some(p),
            Locator::Uri => Some(std::path::Path::new(&self.uri)),
            Locator::Key(_) => None,
        }
    }
}

impl SourceError {
    /// The item or source the error concerns.
    pub fn uri(&self) -> &str {
        match self {
            Self::Io { uri, .. } | Self::Unsupported { uri, .. } | Self::Changed { uri, .. } => uri,
        }
    }
}
