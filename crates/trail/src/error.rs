//! Errors that stop a whole operation (unreadable key file, unusable input path).
//!
//! Problems with single evidence files (a modified log, a missing digest) are not
//! errors: they are findings, recorded in the [`crate::Report`].

use std::path::PathBuf;

/// Why loading keys or signatures, or starting a validation, failed.
///
/// Every variant names where (`path`), what was expected and what was found, so
/// that an investigator can fix the input without reading the source.
#[derive(Debug, thiserror::Error)]
pub enum TrailError {
    /// A file or directory could not be opened or read.
    #[error("cannot read {path}: {reason}")]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's reason (part of the message, so not repeated as a source).
        reason: std::io::Error,
    },
    /// A file was readable but not in the expected format.
    #[error("{path}: expected {expected}, found {found}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What the file should contain.
        expected: String,
        /// What it contained instead (shortened).
        found: String,
    },
    /// A file decompressed to more bytes than the limit allows (a gzip bomb, or not a digest).
    #[error("{path}: expected at most {limit} bytes after decompression for {what}, found more")]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit in bytes.
        limit: u64,
        /// What kind of file was being read.
        what: &'static str,
    },
    /// The requested period is empty.
    #[error("invalid period: expected --from before --to, found from {from} and to {to}")]
    Period {
        /// Start of the requested period.
        from: jiff::Timestamp,
        /// End of the requested period.
        to: jiff::Timestamp,
    },
}

impl TrailError {
    pub(crate) fn format(
        path: impl Into<PathBuf>,
        expected: impl Into<String>,
        found: impl AsRef<str>,
    ) -> Self {
        TrailError::Format {
            path: path.into(),
            expected: expected.into(),
            found: shorten(found.as_ref(), 120),
        }
    }
}

/// Shortens `text` to at most `max` characters, marking the cut.
pub(crate) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max).collect();
    s.push('…');
    s
}
