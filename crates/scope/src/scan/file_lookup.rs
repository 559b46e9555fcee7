//! How pass 2's encoded entries find the files they point into again. An entry keeps its
//! file's ordinal, and a pointer needs only the file's path and ordinal
//! ([`crate::record::reference`], [`crate::record::Ptr::key`]), so a plain file is found again
//! in the run's own input list ([`Files::by_ordinal`]) instead of in a copy of its path: scope
//! once kept one copy per kind of entry (candidates, store accesses, key uses), about 45 bytes a
//! file each, which at 34,565 files held 4.5 MB and at an organisation's million files would
//! hold about 130 MB. Archive members are kept whole ([`MemberFiles`]): those of an archive
//! found only while reading share the archive's ordinal, and the list does not name them.

use std::sync::Arc;

use cloudcase_event::SourceFile;
use cloudcase_read::Files;

use super::FastMap;

/// Where an entry's file is: its ordinal and, for an archive member, its index among the
/// archive's members (plain files have none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FileAt {
    /// The file's ordinal.
    pub ordinal: u64,
    /// The member's index, for an archive member.
    pub member: Option<u64>,
}

impl FileAt {
    /// Where `file` is.
    pub(crate) fn of(file: &SourceFile) -> FileAt {
        FileAt {
            ordinal: file.ordinal,
            member: file.member.as_ref().map(|m| m.index),
        }
    }
}

/// The archive members entries point into, whole: rare, and not all named by the input list.
#[derive(Debug, Default)]
pub struct MemberFiles {
    members: FastMap<FileAt, Arc<SourceFile>>,
}

impl MemberFiles {
    /// Keeps `file` if it is an archive member (once); plain files are found in the list.
    pub(crate) fn note(&mut self, file: &Arc<SourceFile>) {
        if file.member.is_some() {
            self.members
                .entry(FileAt::of(file))
                .or_insert_with(|| Arc::clone(file));
        }
    }

    /// Keeps every member of `other`.
    pub(crate) fn extend(&mut self, other: &MemberFiles) {
        for (at, file) in &other.members {
            self.members.entry(*at).or_insert_with(|| Arc::clone(file));
        }
    }
}

/// Finds entries' files: plain files in the run's input list, members among the kept ones. The
/// last file found is kept, so that consecutive entries from one file share it.
pub(crate) struct FileLookup<'a> {
    list: &'a dyn Files,
    members: &'a MemberFiles,
    last: Option<(FileAt, Arc<SourceFile>)>,
}

impl<'a> FileLookup<'a> {
    /// A lookup in `list` (the run's input files) and `members`.
    pub(crate) fn new(list: &'a dyn Files, members: &'a MemberFiles) -> Self {
        FileLookup {
            list,
            members,
            last: None,
        }
    }

    /// The file at `at` as pointers need it (path and ordinal), if the list or the members
    /// hold it.
    pub(crate) fn get(&mut self, at: FileAt) -> Option<Arc<SourceFile>> {
        if let Some((_, file)) = self.last.as_ref().filter(|(last, _)| *last == at) {
            return Some(Arc::clone(file));
        }
        let file = match at.member {
            Some(_) => Arc::clone(self.members.members.get(&at)?),
            None => self.plain(at.ordinal)?,
        };
        self.last = Some((at, Arc::clone(&file)));
        Some(file)
    }

    /// The plain file of `ordinal` in the list, with its path and ordinal only (its digest and
    /// origin are not needed by pointers, and would be kept by every pointer into it).
    fn plain(&self, ordinal: u64) -> Option<Arc<SourceFile>> {
        let listed = self.list.by_ordinal(ordinal)?;
        if listed.member.is_some() {
            return None;
        }
        let mut file = SourceFile::plain(listed.path.clone());
        file.ordinal = ordinal;
        Some(Arc::new(file))
    }
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

    fn member(archive: &Arc<SourceFile>, name: &str, index: u64) -> Arc<SourceFile> {
        let mut m = SourceFile::plain(format!("{}!{name}", archive.path.display()));
        m.ordinal = archive.ordinal;
        m.member = Some(ArchiveMember {
            archive: Arc::clone(archive),
            index,
            members: 0,
        });
        Arc::new(m)
    }

    #[test]
    fn plain_files_come_from_the_list_by_ordinal_with_their_path_only() {
        let list = vec![file("objects/sha256/ab/abab", 0), file("b.json", 1)];
        let members = MemberFiles::default();
        let mut lookup = FileLookup::new(&list, &members);
        let at = |ordinal| FileAt {
            ordinal,
            member: None,
        };
        let got = lookup.get(at(1)).unwrap();
        assert_eq!((got.path.as_path(), got.ordinal), (list[1].path.as_path(), 1));
        assert_eq!((got.sha256.as_deref(), got.origin.as_deref()), (None, None));
        assert!(Arc::ptr_eq(&got, &lookup.get(at(1)).unwrap()), "kept");
        assert_eq!(lookup.get(at(0)).unwrap().path, list[0].path);
        assert!(lookup.get(at(2)).is_none(), "not listed");
    }

    #[test]
    fn members_of_an_archive_found_while_reading_are_told_apart() {
        let archive = file("logs.json.gz", 0);
        let list = vec![Arc::clone(&archive)];
        let (a, b) = (member(&archive, "a.json", 0), member(&archive, "b.json", 1));
        let mut members = MemberFiles::default();
        for f in [&a, &b, &a, &archive] {
            members.note(f);
        }
        let mut other = MemberFiles::default();
        other.note(&member(&archive, "c.json", 2));
        members.extend(&other);
        assert_eq!(members.members.len(), 3, "members only, once each");
        let mut lookup = FileLookup::new(&list, &members);
        for (m, name) in [(&b, "b.json"), (&a, "a.json")] {
            let got = lookup.get(FileAt::of(m)).unwrap();
            assert!(got.path.to_string_lossy().ends_with(name), "{}", got.path.display());
        }
        let c = FileAt {
            ordinal: 0,
            member: Some(2),
        };
        assert!(lookup.get(c).unwrap().path.to_string_lossy().ends_with("!c.json"));
        let unknown = FileAt {
            ordinal: 0,
            member: Some(3),
        };
        assert!(lookup.get(unknown).is_none());
    }
}
