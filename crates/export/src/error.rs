//! Why an export failed.

use std::path::{Path, PathBuf};

use cloudcase_util::oslimit::OsLimit;

/// An export error.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// A file or directory could not be written.
    #[error("{}: {source}{}", path.display(), limit_note(source))]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Parquet refused a value or could not write.
    #[error("parquet: {0}")]
    Parquet(#[from] parquet::errors::ParquetError),
    /// A table definition is inconsistent (a bug).
    #[error("export schema: {0}")]
    Schema(String),
    /// The output directory lies in a case's evidence store.
    #[error("--out {}: inside the evidence store of the case at {}; analysis never writes into evidence (use the case's work/ folder or a directory outside the case)", out.display(), case.display())]
    IntoEvidence {
        /// The output directory.
        out: PathBuf,
        /// The case's root.
        case: PathBuf,
    },
    /// The output directory already has files.
    #[error("--out {}: not empty; export writes into a new or empty directory so that no part file of another run is mixed in or replaced", .0.display())]
    NotEmpty(PathBuf),
}

impl ExportError {
    /// An I/O error on `path`.
    pub fn io(path: &Path, source: std::io::Error) -> ExportError {
        ExportError::Io {
            path: path.to_owned(),
            source,
        }
    }
}

fn limit_note(e: &std::io::Error) -> String {
    OsLimit::of(e).map_or_else(String::new, |l| format!(" ({})", l.reached()))
}
