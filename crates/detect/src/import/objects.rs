//! The evidence objects of a case, found by the names an imported line may give them: the
//! object path hunt prints (under any case root), the object's SHA-256 as the last path
//! component, or the source it was acquired from.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use cloudcase_event::SourceFile;
use cloudcase_read::{each, Files};

/// The case's objects by path, by SHA-256 and by acquired source.
pub(crate) struct CaseObjects {
    by_path: HashMap<String, Arc<SourceFile>>,
    by_sha: HashMap<String, Arc<SourceFile>>,
    by_origin: HashMap<String, Arc<SourceFile>>,
}

/// Whether `s` is 64 lower-case hex digits.
fn is_sha256(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

impl CaseObjects {
    /// An index of `files`, the case's objects as the hunt of the case lists them.
    pub(crate) fn new(files: &dyn Files) -> Self {
        let mut objects = CaseObjects {
            by_path: HashMap::new(),
            by_sha: HashMap::new(),
            by_origin: HashMap::new(),
        };
        for f in each(files) {
            if let Some(sha) = &f.sha256 {
                objects
                    .by_sha
                    .entry(sha.clone())
                    .or_insert_with(|| Arc::clone(&f));
            }
            if let Some(origin) = &f.origin {
                objects
                    .by_origin
                    .entry(origin.clone())
                    .or_insert_with(|| Arc::clone(&f));
            }
            objects
                .by_path
                .entry(f.path.to_string_lossy().into_owned())
                .or_insert(f);
        }
        objects
    }

    /// The object `file` names, if any: by exact path, by the SHA-256 its last component
    /// spells (`…/evidence/objects/sha256/ab/<sha>` under whatever root an export saw), or by
    /// the source it was acquired from.
    pub(crate) fn resolve(&self, file: &str) -> Option<&Arc<SourceFile>> {
        if let Some(f) = self.by_path.get(file) {
            return Some(f);
        }
        let last = Path::new(file).file_name().and_then(|n| n.to_str());
        if let Some(f) = last
            .filter(|n| is_sha256(n))
            .and_then(|n| self.by_sha.get(n))
        {
            return Some(f);
        }
        self.by_origin.get(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(sha: &str, ordinal: u64) -> Arc<SourceFile> {
        Arc::new(SourceFile {
            path: format!("case/evidence/objects/sha256/{}/{sha}", &sha[..2]).into(),
            sha256: Some(sha.to_owned()),
            origin: Some(format!("s3://trail/{ordinal}.json.gz")),
            ordinal,
            member: None,
        })
    }

    #[test]
    fn objects_are_found_by_path_sha_or_source_and_nothing_else() {
        let a = "ab".repeat(32);
        let b = "cd".repeat(32);
        let files = vec![object(&a, 0), object(&b, 1)];
        let objects = CaseObjects::new(&files);
        let ordinal = |name: &str| objects.resolve(name).map(|f| f.ordinal);
        assert_eq!(
            ordinal(&format!("case/evidence/objects/sha256/ab/{a}")),
            Some(0)
        );
        assert_eq!(
            ordinal(&format!("/mnt/elsewhere/evidence/objects/sha256/cd/{b}")),
            Some(1)
        );
        assert_eq!(ordinal("s3://trail/1.json.gz"), Some(1));
        assert_eq!(ordinal(&format!("/tmp/{}", "ef".repeat(32))), None);
        assert_eq!(ordinal("/etc/passwd"), None);
        assert_eq!(ordinal(&a.to_uppercase()), None);
    }
}
