//! The input files pass 2's encoded entries point into, kept compactly until the entries are
//! decoded. A pointer needs only its file's path and ordinal ([`crate::record::reference`],
//! [`crate::record::Ptr::key`]), so each file is kept as its path, front-coded in a
//! [`FileList`], instead of as the reader's whole `SourceFile` (path, digest, origin): over an
//! evidence store of 199,920 one-event objects, the candidates' and uses' files held 78 MB that
//! way, about 400 bytes a file.

use std::sync::Arc;

use cloudcase_event::SourceFile;
use cloudcase_read::{FileList, Files};

use super::FastMap;

/// Files by ordinal: each one's path (archive members whole).
#[derive(Debug, Default)]
pub struct FileTable {
    /// Index in `list` of each ordinal.
    index: FastMap<u64, u32>,
    list: FileList,
}

impl FileTable {
    /// Keeps `file` (once per ordinal).
    pub(crate) fn insert(&mut self, file: &Arc<SourceFile>) {
        if self.index.contains_key(&file.ordinal) {
            return;
        }
        let at = self.list.len() as u32;
        if file.member.is_some() {
            self.list.push_whole(Arc::clone(file));
        } else {
            self.list.push(file.path.clone(), None, None);
        }
        self.index.insert(file.ordinal, at);
    }

    /// Keeps every file of `other`.
    pub(crate) fn extend(&mut self, other: &FileTable) {
        for (&ordinal, &at) in &other.index {
            if let Some(file) = other.list.file(at as usize) {
                self.insert(&with_ordinal(file, ordinal));
            }
        }
    }

    /// The file of `ordinal` as pointers need it (path and ordinal), if kept; `cache` holds the
    /// last one found, so that consecutive pointers into one file share it.
    pub(crate) fn get(
        &self,
        ordinal: u64,
        cache: &mut Option<Arc<SourceFile>>,
    ) -> Option<Arc<SourceFile>> {
        if let Some(f) = cache.as_ref().filter(|f| f.ordinal == ordinal) {
            return Some(Arc::clone(f));
        }
        let at = *self.index.get(&ordinal)?;
        let file = with_ordinal(self.list.file(at as usize)?, ordinal);
        *cache = Some(Arc::clone(&file));
        Some(file)
    }
}

/// `file` with its ordinal set to `ordinal` (the list numbers its files by index).
fn with_ordinal(file: Arc<SourceFile>, ordinal: u64) -> Arc<SourceFile> {
    if file.ordinal == ordinal {
        return file;
    }
    let mut f = Arc::unwrap_or_clone(file);
    f.ordinal = ordinal;
    Arc::new(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudcase_event::ArchiveMember;

    fn file(path: &str, ordinal: u64) -> Arc<SourceFile> {
        let mut f = SourceFile::plain(path);
        f.ordinal = ordinal;
        f.sha256 = Some("ab".repeat(32));
        f.origin = Some(format!("s3://bucket/{path}"));
        Arc::new(f)
    }

    #[test]
    fn files_come_back_by_ordinal_with_their_path() {
        let mut t = FileTable::default();
        let a = file("case/objects/sha256/ab/abab", 7);
        t.insert(&a);
        t.insert(&a);
        t.insert(&file("case/objects/sha256/cd/cdcd", 3));
        let mut member = SourceFile::plain("logs.zip!AWSLogs/x.json");
        member.ordinal = 12;
        member.member = Some(ArchiveMember {
            archive: Arc::new(SourceFile::plain("logs.zip")),
            index: 0,
            members: 1,
        });
        let member = Arc::new(member);
        t.insert(&member);
        assert_eq!(t.index.len(), 3);
        let mut cache = None;
        let got = t.get(7, &mut cache).unwrap();
        assert_eq!((got.path.as_path(), got.ordinal), (a.path.as_path(), 7));
        assert!(Arc::ptr_eq(&got, &t.get(7, &mut cache).unwrap()), "cached");
        assert_eq!(t.get(3, &mut cache).unwrap().ordinal, 3);
        assert_eq!(*t.get(12, &mut cache).unwrap(), *member, "a member whole");
        assert!(t.get(4, &mut cache).is_none());
        let mut other = FileTable::default();
        other.insert(&file("case/objects/sha256/ef/efef", 1));
        other.insert(&a);
        t.extend(&other);
        assert_eq!(t.index.len(), 4);
        assert_eq!(
            t.get(1, &mut None).unwrap().path,
            file("case/objects/sha256/ef/efef", 1).path
        );
    }
}
