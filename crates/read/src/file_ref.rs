//! How entries written to temporary storage (the hunt's held findings, scope's candidate events
//! and uses) name the file of a record, and find it again afterwards. An entry keeps the file's
//! ordinal, which the run's input list resolves ([`Files::by_ordinal`]), so no copy of any path
//! is kept. The list cannot name the members of an archive found only while reading (one named
//! like a log): they share the archive's ordinal, so an entry from one also keeps the member's
//! index and name ([`put_member`]), and the member is made again from the listed archive.

use std::sync::Arc;

use cloudcase_event::{ArchiveMember, SourceFile};
use cloudcase_util::fields::{put_str, put_u64, Fields};

use crate::archive::member_file;
use crate::Files;

/// Marks an entry's file as found in the list by its ordinal alone.
const LISTED: u8 = 0;
/// Marks an entry's file as a member of an archive found while reading: index and name follow.
const UNLISTED: u8 = 1;

/// A member of an archive found only while reading, as an entry names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnlistedMember<'a> {
    /// The member's index among the archive's members.
    pub index: u64,
    /// The member's name in the archive (as shown after `archive!`).
    pub name: &'a str,
}

impl<'a> UnlistedMember<'a> {
    /// The member `file` is, if it belongs to an archive whose members were not listed.
    pub fn of(file: &'a SourceFile) -> Option<UnlistedMember<'a>> {
        let member = unlisted(file)?;
        let path = file.path.as_os_str().as_encoded_bytes();
        let archive = member.archive.path.as_os_str().as_encoded_bytes();
        let name = path.strip_prefix(archive)?.strip_prefix(b"!")?;
        Some(UnlistedMember {
            index: member.index,
            name: std::str::from_utf8(name).ok()?,
        })
    }

    /// The index of `file` among its archive's members, if it is such a member: what tells it
    /// from the archive's other members, which share its ordinal.
    pub fn index_of(file: &SourceFile) -> Option<u64> {
        unlisted(file).map(|m| m.index)
    }
}

/// `file`'s place in its archive, if the archive's members were not listed (`members` is 0).
fn unlisted(file: &SourceFile) -> Option<&ArchiveMember> {
    file.member.as_ref().filter(|m| m.members == 0)
}

/// Appends what the list cannot give of `file`: nothing but a mark for a listed file, the index
/// and name of a member of an archive found while reading.
pub fn put_member(out: &mut Vec<u8>, file: &SourceFile) {
    match UnlistedMember::of(file) {
        None => out.push(LISTED),
        Some(m) => {
            out.push(UNLISTED);
            put_u64(out, m.index);
            put_str(out, Some(m.name));
        }
    }
}

/// Reads what [`put_member`] wrote: `Some(None)` for a listed file, `None` if malformed.
pub fn read_member<'a>(f: &mut Fields<'a>) -> Option<Option<UnlistedMember<'a>>> {
    match f.u8()? {
        LISTED => Some(None),
        UNLISTED => Some(Some(UnlistedMember {
            index: f.u64()?,
            name: f.str()?,
        })),
        _ => None,
    }
}

/// The last file found, kept for the next entries from it.
struct Last {
    ordinal: u64,
    member: Option<u64>,
    file: Arc<SourceFile>,
}

/// Finds entries' files again in the run's input list. The last one found is kept, since
/// entries come grouped by file and a compact list makes each file it is asked for.
pub struct FileFinder<'a> {
    list: &'a dyn Files,
    /// Whether files are given with their path and ordinal only.
    bare: bool,
    last: Option<Last>,
}

impl<'a> FileFinder<'a> {
    /// Finds files in `list` as it lists them (path, digest, origin).
    pub fn new(list: &'a dyn Files) -> Self {
        FileFinder {
            list,
            bare: false,
            last: None,
        }
    }

    /// Finds files in `list` with their path, ordinal and archive only: what a pointer needs,
    /// for callers that keep many pointers and report only paths.
    pub fn bare(list: &'a dyn Files) -> Self {
        FileFinder {
            bare: true,
            ..FileFinder::new(list)
        }
    }

    /// The file of `ordinal` (the member `member` of it, if given); `None` if the list does
    /// not have it.
    pub fn get(
        &mut self,
        ordinal: u64,
        member: Option<UnlistedMember<'_>>,
    ) -> Option<Arc<SourceFile>> {
        let index = member.map(|m| m.index);
        if let Some(last) = self
            .last
            .as_ref()
            .filter(|l| l.ordinal == ordinal && l.member == index)
        {
            return Some(Arc::clone(&last.file));
        }
        let listed = self.list.by_ordinal(ordinal)?;
        let file = match member {
            None => listed,
            // Nested archives are refused: a listed member holds no members of its own.
            Some(_) if listed.member.is_some() => return None,
            Some(m) => member_file(&listed, m.name, m.index, None),
        };
        let file = if self.bare { bare(file) } else { file };
        self.last = Some(Last {
            ordinal,
            member: index,
            file: Arc::clone(&file),
        });
        Some(file)
    }

    /// Member `index` of the archive at `ordinal`, one found only while reading, named by the
    /// archive alone (its own name is known only by reading the archive again): enough to read
    /// its records again ([`crate::read_records`] keeps the member's only), whose events name
    /// it. `None` if the list does not have the archive.
    pub fn unnamed_member(&mut self, ordinal: u64, index: u64) -> Option<Arc<SourceFile>> {
        let archive = self.get(ordinal, None)?;
        Some(Arc::new(SourceFile {
            member: Some(ArchiveMember {
                archive: Arc::clone(&archive),
                index,
                members: 0,
            }),
            ..SourceFile::clone(&archive)
        }))
    }
}

/// `file` without its digest and origin.
fn bare(file: Arc<SourceFile>) -> Arc<SourceFile> {
    if file.sha256.is_none() && file.origin.is_none() {
        return file;
    }
    let mut f = Arc::unwrap_or_clone(file);
    f.sha256 = None;
    f.origin = None;
    Arc::new(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, ordinal: u64) -> Arc<SourceFile> {
        let mut f = SourceFile::plain(path);
        f.ordinal = ordinal;
        f.sha256 = Some("ab".repeat(32));
        f.origin = Some(format!("s3://bucket/{path}"));
        Arc::new(f)
    }

    /// `file` written as an entry names it and found again in `list`.
    fn round_trip(file: &SourceFile, finder: &mut FileFinder<'_>) -> Option<Arc<SourceFile>> {
        let mut out = Vec::new();
        put_member(&mut out, file);
        let mut f = Fields::new(&out);
        let member = read_member(&mut f)?;
        assert!(f.is_empty());
        finder.get(file.ordinal, member)
    }

    #[test]
    fn listed_files_come_back_as_listed_or_bare() {
        let list = vec![file("objects/sha256/ab/abab", 0), file("b.json", 1)];
        let mut finder = FileFinder::new(&list);
        let got = round_trip(&list[1], &mut finder).unwrap();
        assert_eq!(*got, *list[1]);
        assert!(Arc::ptr_eq(&got, &finder.get(1, None).unwrap()), "kept");
        let mut bare = FileFinder::bare(&list);
        let got = bare.get(0, None).unwrap();
        assert_eq!((&got.path, got.ordinal), (&list[0].path, 0));
        assert_eq!((got.sha256.as_deref(), got.origin.as_deref()), (None, None));
        assert!(finder.get(2, None).is_none(), "not listed");
    }

    #[test]
    fn members_of_an_archive_found_while_reading_are_made_again_each_itself() {
        let archive = file("logs.json", 0);
        let list = vec![Arc::clone(&archive)];
        let members: Vec<_> = ["a.json.gz", "dir/%2E%2E/b \u{1b}.json"]
            .iter()
            .enumerate()
            .map(|(i, name)| member_file(&archive, name, i as u64, None))
            .collect();
        let mut finder = FileFinder::new(&list);
        for m in members.iter().rev().chain(&members) {
            assert_eq!(*round_trip(m, &mut finder).unwrap(), **m);
        }
        let listed = member_file(&archive, "c.json", 2, Some(3));
        assert_eq!(
            UnlistedMember::of(&listed),
            None,
            "a listed member is in the list"
        );
        let other = UnlistedMember {
            index: 0,
            name: "a.json.gz",
        };
        let in_member = vec![member_file(&archive, "x.zip", 0, Some(1))];
        assert!(
            FileFinder::new(&in_member).get(0, Some(other)).is_none(),
            "no member inside a member"
        );
    }

    #[test]
    fn malformed_member_parts_are_refused() {
        for bytes in [&[2u8][..], &[UNLISTED, 1, 0], &[]] {
            assert!(read_member(&mut Fields::new(bytes)).is_none(), "{bytes:?}");
        }
    }
}
