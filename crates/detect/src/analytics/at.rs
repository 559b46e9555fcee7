//! Where a record is, in the record order key (time, file ordinal, record index): what the
//! analytics keep and write out for a record they may report, in a fraction of a
//! [`Pointer`]'s memory, made a pointer again (its file looked up by ordinal) if it is. A
//! member of an archive found only while reading shares the archive's ordinal, so its index is
//! kept too.

use cloudcase_event::{Event, EventTime};
use cloudcase_read::{FileFinder, UnlistedMember};
use cloudcase_util::fields::{put_i64, put_u64, Fields};

use crate::pointer::Pointer;

/// Where a call is, so that the earliest of two is the smaller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct At {
    /// Event time, ms since the epoch.
    pub ms: i64,
    /// The file's input position.
    pub file: u64,
    /// The record's index in its file.
    pub record: u64,
    /// For a member of an archive found only while reading (whose members share the archive's
    /// position), the member's index.
    pub member: Option<u64>,
}

/// The encoded [`At::member`] of a file that is not such a member.
const NO_MEMBER: u64 = u64::MAX;

impl At {
    /// Where `event` is.
    pub fn of(event: &Event) -> At {
        let file = &event.provenance.file;
        At {
            ms: event.time.millis(),
            file: file.ordinal,
            record: event.provenance.record,
            member: UnlistedMember::index_of(file),
        }
    }

    /// Appends it as four little-endian fields.
    pub fn encode(&self, out: &mut Vec<u8>) {
        put_i64(out, self.ms);
        put_u64(out, self.file);
        put_u64(out, self.record);
        put_u64(out, self.member.unwrap_or(NO_MEMBER));
    }

    /// Reads what [`At::encode`] wrote; `None` if short.
    pub fn decode(f: &mut Fields<'_>) -> Option<At> {
        Some(At {
            ms: f.i64()?,
            file: f.u64()?,
            record: f.u64()?,
            member: Some(f.u64()?).filter(|m| *m != NO_MEMBER),
        })
    }

    /// A pointer to the record, without a witness (it is read again for the finding, and names
    /// its file); `None` if no input has its file's ordinal.
    pub fn pointer(&self, files: &mut FileFinder<'_>) -> Option<Pointer> {
        let file = match self.member {
            None => files.get(self.file, None)?,
            Some(index) => files.unnamed_member(self.file, index)?,
        };
        Some(Pointer {
            time: EventTime::from_millis(self.ms),
            file,
            record: self.record,
            held: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudcase_event::SourceFile;
    use std::sync::Arc;

    #[test]
    fn a_location_reads_back_as_written_with_or_without_a_member() {
        for member in [None, Some(0), Some(7)] {
            let at = At {
                ms: -3,
                file: 4,
                record: 9,
                member,
            };
            let mut out = Vec::new();
            at.encode(&mut out);
            let mut f = Fields::new(&out);
            assert_eq!(At::decode(&mut f), Some(at));
            assert!(f.is_empty());
            assert_eq!(At::decode(&mut Fields::new(&out[..out.len() - 1])), None);
        }
    }

    #[test]
    fn a_member_of_an_archive_found_while_reading_is_pointed_to_by_its_index() {
        let mut archive = SourceFile::plain("export.json");
        archive.ordinal = 2;
        let list = vec![
            Arc::new(SourceFile::plain("a.json")),
            Arc::new(SourceFile::plain("b")),
            Arc::new(archive),
        ];
        let mut files = FileFinder::new(&list);
        let at = |member| At {
            ms: 1,
            file: 2,
            record: 0,
            member,
        };
        let plain = at(None).pointer(&mut files).unwrap();
        assert_eq!(
            (plain.file.ordinal, UnlistedMember::index_of(&plain.file)),
            (2, None)
        );
        let member = at(Some(5)).pointer(&mut files).unwrap();
        assert_eq!(
            (member.file.ordinal, UnlistedMember::index_of(&member.file)),
            (2, Some(5))
        );
        assert!(at(None)
            .pointer(&mut FileFinder::new(&list[..1].to_vec()))
            .is_none());
    }
}
