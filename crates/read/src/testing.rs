//! What the crate's unit tests share.

use cloudcase_event::{Provenance, SourceFile};

/// The first record of a plain file at `path`.
pub(crate) fn prov(path: &str) -> Provenance {
    Provenance::first_of(SourceFile::plain(path))
}
