//! Turning the pointers analytics keep into full witnesses, by reading the
//! few records that findings rest on once more.

use std::collections::HashMap;
use std::sync::Arc;

use cloudcase_event::{Event, SourceFile};
use cloudcase_read::{read_records, Limits, UnlistedMember};

use crate::finding::Witness;
use crate::pointer::Pointer;

/// Where a record is: its file's input position (and, for a member of an archive found only
/// while reading, whose members share that position, the member's index) and its index there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RecordKey {
    /// The file's input position.
    pub ordinal: u64,
    /// The member's index, for a member of an archive found while reading.
    pub member: Option<u64>,
    /// The record's index in its file.
    pub record: u64,
}

impl RecordKey {
    /// Where `p` points.
    pub fn of(p: &Pointer) -> RecordKey {
        RecordKey {
            ordinal: p.file.ordinal,
            member: UnlistedMember::index_of(&p.file),
            record: p.record,
        }
    }

    /// Where `event` is.
    fn of_event(event: &Event) -> RecordKey {
        let file = &event.provenance.file;
        RecordKey {
            ordinal: file.ordinal,
            member: UnlistedMember::index_of(file),
            record: event.provenance.record,
        }
    }
}

/// A file to read again and the records wanted from it.
struct Wanted {
    file: Arc<SourceFile>,
    records: Vec<u64>,
}

/// The witness of every pointed-to record: the one captured during the pass,
/// or else the record read again (each such file once). A record that can no
/// longer be read (the input changed since) is absent.
pub fn fetch<'a>(
    pointers: impl Iterator<Item = &'a Pointer>,
    limits: Limits,
) -> HashMap<RecordKey, Witness> {
    let mut by_file: HashMap<(u64, Option<u64>), Wanted> = HashMap::new();
    let mut out = HashMap::new();
    for p in pointers {
        let key = RecordKey::of(p);
        if let Some(held) = &p.held {
            out.insert(key, held.witness().clone());
            continue;
        }
        let entry = by_file
            .entry((key.ordinal, key.member))
            .or_insert_with(|| Wanted {
                file: Arc::clone(&p.file),
                records: Vec::new(),
            });
        if !entry.records.contains(&p.record) {
            entry.records.push(p.record);
        }
    }
    for wanted in by_file.into_values() {
        for event in read_records(&wanted.file, limits, &wanted.records) {
            out.insert(RecordKey::of_event(&event), Witness::of(&event));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudcase_event::EventTime;

    const LOG: &str = r#"{"Records":[
{"eventVersion":"1.08","eventTime":"2024-05-14T02:00:17Z","eventSource":"iam.amazonaws.com","eventName":"ListUsers","awsRegion":"us-east-1","sourceIPAddress":"198.51.100.7","eventID":"e-0","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"alice"}},
{"eventVersion":"1.08","eventTime":"2024-05-14T02:05:00Z","eventSource":"iam.amazonaws.com","eventName":"CreateUser","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","eventID":"e-1","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/alice","accountId":"123456789012","accessKeyId":"AKIAIOSFODNN7EXAMPLE","userName":"alice"}}
]}"#;

    #[test]
    fn a_pointer_without_a_captured_witness_is_read_again() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("log.json");
        std::fs::write(&path, LOG).expect("write the log");
        let file = Arc::new(SourceFile {
            ordinal: 4,
            ..SourceFile::plain(path)
        });
        let pointer = Pointer {
            time: EventTime::parse("2024-05-14T02:05:00Z").expect("time"),
            file,
            record: 1,
            held: None,
        };
        let witnesses = fetch([&pointer].into_iter(), Limits::default());
        let key = RecordKey {
            ordinal: 4,
            member: None,
            record: 1,
        };
        let witness = &witnesses[&key];
        assert_eq!(witness.event_name, "CreateUser");
        assert_eq!(witness.source_ip.as_deref(), Some("203.0.113.9"));
        assert_eq!(witnesses.len(), 1, "only the record pointed to");
    }

    /// A zip of stored `members` (name, bytes), its headers written by hand.
    fn zip(members: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, data) in members {
            out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00");
            out.extend_from_slice(&[0; 10]); // method (stored), time, date, crc
            for _ in 0..2 {
                out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            }
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data.as_bytes());
        }
        out.extend_from_slice(b"PK\x05\x06");
        out.extend_from_slice(&[0; 18]);
        out
    }

    #[test]
    fn members_of_an_archive_found_while_reading_are_read_again_each_its_own() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("export.json");
        let other = LOG
            .replace("e-1", "e-other")
            .replace("CreateUser", "DeleteUser");
        std::fs::write(&path, zip(&[("a.json", LOG), ("b.json", &other)])).expect("write");
        let archive = Arc::new(SourceFile {
            ordinal: 4,
            ..SourceFile::plain(path)
        });
        let list = vec![Arc::clone(&archive); 5];
        let mut files = cloudcase_read::FileFinder::new(&list);
        let pointers: Vec<Pointer> = [1, 0]
            .into_iter()
            .map(|index| Pointer {
                time: EventTime::parse("2024-05-14T02:05:00Z").expect("time"),
                file: files
                    .unnamed_member(4, index)
                    .expect("the archive is listed"),
                record: 1,
                held: None,
            })
            .collect();
        let witnesses = fetch(pointers.iter(), Limits::default());
        assert_eq!(witnesses.len(), 2, "one per member");
        for (p, (name, id)) in pointers
            .iter()
            .zip([("b.json", "e-other"), ("a.json", "e-1")])
        {
            let w = &witnesses[&RecordKey::of(p)];
            assert_eq!(w.event_id.as_deref(), Some(id));
            assert!(w.file.path.to_string_lossy().ends_with(&format!("!{name}")));
        }
    }
}
