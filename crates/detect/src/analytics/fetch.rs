//! Turning the pointers analytics keep into full witnesses, by reading the
//! few records that findings rest on once more.

use std::collections::HashMap;
use std::sync::Arc;

use cloudcase_event::SourceFile;
use cloudcase_read::{read_records, Limits};

use crate::finding::Witness;
use crate::pointer::Pointer;

/// Key of a record: file input position and record index.
pub type RecordKey = (u64, u64);

/// The witness of every pointed-to record: the one captured during the pass,
/// or else the record read again (each such file once). A record that can no
/// longer be read (the input changed since) is absent.
pub fn fetch<'a>(
    pointers: impl Iterator<Item = &'a Pointer>,
    limits: Limits,
) -> HashMap<RecordKey, Witness> {
    let mut by_file: HashMap<u64, (Arc<SourceFile>, Vec<u64>)> = HashMap::new();
    let mut out = HashMap::new();
    for p in pointers {
        if let Some(held) = &p.held {
            out.insert((p.file.ordinal, p.record), held.witness().clone());
            continue;
        }
        let entry = by_file
            .entry(p.file.ordinal)
            .or_insert_with(|| (Arc::clone(&p.file), Vec::new()));
        if !entry.1.contains(&p.record) {
            entry.1.push(p.record);
        }
    }
    for (ordinal, (file, wanted)) in by_file {
        for event in read_records(&file, limits, &wanted) {
            out.insert((ordinal, event.provenance.record), Witness::of(&event));
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
        let witness = &witnesses[&(4, 1)];
        assert_eq!(witness.event_name, "CreateUser");
        assert_eq!(witness.source_ip.as_deref(), Some("203.0.113.9"));
        assert_eq!(witnesses.len(), 1, "only the record pointed to");
    }
}
