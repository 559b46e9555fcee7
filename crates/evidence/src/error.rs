//! Typed errors of the evidence layer; each message says what was expected,
//! what was found, and where.

use std::io;
use std::path::PathBuf;

use crate::limits::limit_hint;
use crate::source::SourceError;

/// Everything that can stop a case operation.
///
/// Problems *found in* a case (modified objects, broken chain) are not errors:
/// `verify` reports them as [`crate::Problem`]s. Errors are what prevents an
/// operation from running or completing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The folder is not a case folder.
    #[error("{path}: not a cloudcase case folder: expected {missing} (create one with `cloudcase case init`)", path = .path.display())]
    NotACase {
        /// The folder given.
        path: PathBuf,
        /// The part that was expected and not found.
        missing: &'static str,
    },
    /// `init` was asked to create a case where one exists.
    #[error("{path}: already a case folder (case.json exists); open it instead of creating it", path = .path.display())]
    AlreadyACase {
        /// The folder given.
        path: PathBuf,
    },
    /// `init` was asked to create a case in a folder that holds other files.
    #[error("{path}: expected an empty or absent directory for a new case, found {entries} entries", path = .path.display())]
    NotEmpty {
        /// The folder given.
        path: PathBuf,
        /// How many entries it holds.
        entries: usize,
    },
    /// `case.json` is unreadable as a case description.
    #[error("{path}: invalid case file: {reason}", path = .path.display())]
    BadCaseFile {
        /// Path of `case.json`.
        path: PathBuf,
        /// What was wrong.
        reason: String,
    },
    /// A required text field was empty.
    #[error("{field} must not be empty")]
    EmptyField {
        /// Which field.
        field: &'static str,
    },
    /// The display time zone is not a known IANA name.
    #[error("unknown time zone {tz:?}: expected an IANA name such as UTC or Europe/Berlin")]
    BadTimeZone {
        /// The name given.
        tz: String,
    },
    /// Another process holds the case's writer lock.
    #[error("{path}: case is in use by another cloudcase process (lock held on {lock}); wait for it to finish", path = .path.display(), lock = .lock.display())]
    Locked {
        /// The case folder.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// The custody log is missing from an existing case, or holds no entry;
    /// writing would start a new chain and hide the loss, so writers refuse.
    #[error("{path}: custody log missing or empty; refusing to start a new chain in an existing case (run `cloudcase verify`)", path = .path.display())]
    CustodyMissing {
        /// Expected path of `custody.jsonl`.
        path: PathBuf,
    },
    /// A file-system operation failed.
    #[error("{path}: {action}: {error}{hint}", path = .path.display(), hint = limit_hint(.error))]
    Io {
        /// The file or directory concerned.
        path: PathBuf,
        /// What was being done ("create", "read", "fsync", …).
        action: &'static str,
        /// The underlying error (part of the message, so not chained again).
        error: io::Error,
    },
    /// Serializing a record failed (should not happen for well-formed values).
    #[error("serializing {what}: {error}")]
    Serialize {
        /// Which record.
        what: &'static str,
        /// The underlying error (part of the message).
        error: serde_json::Error,
    },
    /// A source could not be listed or read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// An item was not attempted because the run stopped at a resource limit
    /// (see [`Error::is_resource_limit`]); the next run takes it.
    #[error("not attempted: the run stopped when an item failed with \"{reason}\"; run the same command again to finish")]
    NotAttempted {
        /// The error that stopped the run.
        reason: String,
    },
    /// A result recorded in the case (`analysis/`) does not match its custody entry.
    #[error("recorded analysis result (custody entry {seq}) is not usable: {reason}")]
    BadRecord {
        /// The `analysis_recorded` entry.
        seq: u64,
        /// What does not match.
        reason: String,
    },
    /// A worker thread panicked (a bug); the run's other results are kept.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Whether this is an operating-system resource limit (open files, disk
    /// space, memory) rather than a problem of one item.
    pub fn is_resource_limit(&self) -> bool {
        match self {
            Self::Io { error, .. } | Self::Source(SourceError::Io { error, .. }) => {
                crate::limits::is_resource_limit(error)
            }
            _ => false,
        }
    }

    /// Builds an [`Error::Io`] for `path`.
    pub(crate) fn io(path: impl Into<PathBuf>, action: &'static str, error: io::Error) -> Self {
        Self::Io {
            path: path.into(),
            action,
            error,
        }
    }
}

/// Attaches a path and an action to `io::Result`s.
pub(crate) trait IoContext<T> {
    /// Maps the error to [`Error::Io`] naming `path` and `action`.
    fn at(self, path: impl Into<PathBuf>, action: &'static str) -> Result<T, Error>;
}

impl<T> IoContext<T> for io::Result<T> {
    fn at(self, path: impl Into<PathBuf>, action: &'static str) -> Result<T, Error> {
        self.map_err(|e| Error::io(path, action, e))
    }
}
