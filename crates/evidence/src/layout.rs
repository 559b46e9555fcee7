//! Where each part of a case folder lives (see the crate documentation for the map).

use std::path::{Path, PathBuf};

/// Name of the case metadata file.
pub(crate) const CASE_FILE: &str = "case.json";
/// Name of the custody log.
pub(crate) const CUSTODY_FILE: &str = "custody.jsonl";
/// Name of the acquisition manifest.
pub(crate) const MANIFEST_FILE: &str = "manifest.jsonl";
/// Name of the writers' lock file.
pub(crate) const LOCK_FILE: &str = "case.lock";

/// The paths of one case folder's parts, derived from its root.
///
/// Kept in one place so that the layout documented in the crate docs and in
/// `README.md` is the layout the code uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    root: PathBuf,
}

impl Layout {
    /// Layout of the case folder at `root` (nothing is checked or created).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    /// The case folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `case.json`: case metadata.
    pub fn case_file(&self) -> PathBuf {
        self.root.join(CASE_FILE)
    }

    /// `custody.jsonl`: the hash-chained custody log.
    pub fn custody_file(&self) -> PathBuf {
        self.root.join(CUSTODY_FILE)
    }

    /// `manifest.jsonl`: one line per (object, source) pair acquired.
    pub fn manifest_file(&self) -> PathBuf {
        self.root.join(MANIFEST_FILE)
    }

    /// `case.lock`: advisory lock held by whoever writes to the case.
    pub fn lock_file(&self) -> PathBuf {
        self.root.join(LOCK_FILE)
    }

    /// `evidence/`: immutable evidence only.
    pub fn evidence_dir(&self) -> PathBuf {
        self.root.join("evidence")
    }

    /// `evidence/objects/sha256/`: content-addressed objects.
    pub fn objects_dir(&self) -> PathBuf {
        self.evidence_dir().join("objects").join("sha256")
    }

    /// `evidence/tmp/`: in-flight copies (leftovers mean an interrupted acquisition).
    pub fn tmp_dir(&self) -> PathBuf {
        self.evidence_dir().join("tmp")
    }

    /// `work/`: derived, disposable data.
    pub fn work_dir(&self) -> PathBuf {
        self.root.join("work")
    }

    /// `reports/`: produced reports.
    pub fn reports_dir(&self) -> PathBuf {
        self.root.join("reports")
    }

    /// Path of the object holding content with this SHA-256 (lower-case hex):
    /// `evidence/objects/sha256/<first two hex digits>/<all 64 hex digits>`.
    pub fn object_path(&self, sha256: &str) -> PathBuf {
        self.objects_dir().join(shard(sha256)).join(sha256)
    }

    /// The object path relative to the case root, with `/` separators, as
    /// recorded in the manifest and custody log.
    pub fn object_rel(sha256: &str) -> String {
        format!("evidence/objects/sha256/{}/{sha256}", shard(sha256))
    }
}

/// The two-digit shard directory name of a hex digest.
fn shard(sha256: &str) -> &str {
    sha256.get(..2).unwrap_or("xx")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_paths_are_sharded_by_first_two_hex_digits() {
        let l = Layout::new("/c");
        let sha = "ab".repeat(32);
        assert_eq!(
            l.object_path(&sha),
            PathBuf::from(format!("/c/evidence/objects/sha256/ab/{sha}"))
        );
        assert_eq!(
            Layout::object_rel(&sha),
            format!("evidence/objects/sha256/ab/{sha}")
        );
    }
}
