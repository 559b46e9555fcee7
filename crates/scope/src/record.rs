//! Pointers to raw records and how the document writes them: a leaf module shared by the
//! passes, the activity counts and the document builders.

use std::sync::Arc;

use cloudcase_event::{Event, EventTime, SourceFile};
use cloudcase_model::scope::RecordRef;
use cloudcase_util::hex;

/// Where a record is, and when it happened.
#[derive(Debug, Clone)]
pub struct Ptr {
    /// Event time, ms since the epoch (UTC).
    pub ms: i64,
    /// Input file.
    pub file: Arc<SourceFile>,
    /// Record index in the file.
    pub record: u64,
    /// `eventID`.
    pub event_id: Option<EventId>,
}

/// An `eventID`, kept in 16 bytes when it is a lowercase UUID (as CloudTrail writes them), else
/// as given. Every pointer holds one, and at 20 GB scope keeps a quarter of a million pointers:
/// the UUID's 36-byte string was the larger part of each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventId {
    /// A UUID in CloudTrail's form (`8-4-4-4-12` lowercase hex digits), as its 16 bytes.
    Uuid([u8; 16]),
    /// Any other identifier, exactly as written.
    Other(Box<str>),
}

/// Where the hyphens of a UUID's text form are.
const UUID_HYPHENS: [usize; 4] = [8, 13, 18, 23];

impl EventId {
    /// The identifier written as `s`.
    pub fn new(s: &str) -> EventId {
        Self::uuid(s).map_or_else(|| EventId::Other(s.into()), EventId::Uuid)
    }

    /// The 16 bytes of `s` if it is a UUID in exactly the form [`EventId`]'s display writes
    /// (lower case, so that it reads back as written).
    fn uuid(s: &str) -> Option<[u8; 16]> {
        let b = s.as_bytes();
        if b.len() != 36 || UUID_HYPHENS.iter().any(|&i| b[i] != b'-') {
            return None;
        }
        let digits: String = s.chars().filter(|&c| c != '-').collect();
        if !digits
            .bytes()
            .all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f'))
        {
            return None;
        }
        hex::decode(&digits)?.try_into().ok()
    }
}

impl std::fmt::Display for EventId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EventId::Other(s) => f.write_str(s),
            EventId::Uuid(bytes) => {
                let digits = hex::encode(bytes);
                let mut from = 0;
                for to in [8, 12, 16, 20, 32] {
                    if from > 0 {
                        f.write_str("-")?;
                    }
                    f.write_str(&digits[from..to])?;
                    from = to;
                }
                Ok(())
            }
        }
    }
}

impl Ptr {
    pub(crate) fn of(ev: &Event) -> Ptr {
        Ptr {
            ms: ev.time.millis(),
            file: Arc::clone(&ev.provenance.file),
            record: ev.provenance.record,
            event_id: ev.event_id.as_deref().map(EventId::new),
        }
    }

    /// The order key of `ev`'s record (as `Ptr::of(ev).key()`, without building the pointer).
    pub(crate) fn key_of(ev: &Event) -> (i64, u64, u64) {
        (
            ev.time.millis(),
            ev.provenance.file.ordinal,
            ev.provenance.record,
        )
    }

    /// Total order: time, then input order, then record.
    pub fn key(&self) -> (i64, u64, u64) {
        (self.ms, self.file.ordinal, self.record)
    }

    /// The earlier of two pointers.
    pub(crate) fn min(a: Ptr, b: Ptr) -> Ptr {
        if b.key() < a.key() {
            b
        } else {
            a
        }
    }
}

/// A pointer as a record reference: `{file, record, event_id}`.
pub fn reference(p: &Ptr) -> RecordRef {
    RecordRef {
        file: p.file.path.display().to_string(),
        record: p.record,
        event_id: p.event_id.as_ref().map(ToString::to_string),
    }
}

/// A time as RFC 3339 UTC.
pub fn time(ms: i64) -> String {
    EventTime::from_millis(ms).to_utc_string()
}

#[cfg(test)]
mod tests {
    use super::EventId;

    #[test]
    fn event_ids_read_back_exactly_as_written() {
        for id in [
            "3038ebd2-c98a-4c65-9b6e-e22506292313",
            "00000000-0000-0000-0000-000000000000",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
            // Not CloudTrail's form: kept as written.
            "3038EBD2-C98A-4C65-9B6E-E22506292313",
            "3038ebd2c98a4c659b6ee22506292313",
            "3038ebd2-c98a-4c65-9b6e-e2250629231g",
            "3038ebd2-c98a-4c65-9b6e-e22506292313-",
            "3038ebd2+c98a-4c65-9b6e-e22506292313",
            "",
            "é",
            "evt-1",
        ] {
            assert_eq!(EventId::new(id).to_string(), id);
        }
        assert!(matches!(
            EventId::new("3038ebd2-c98a-4c65-9b6e-e22506292313"),
            EventId::Uuid(_)
        ));
        assert!(matches!(EventId::new("evt-1"), EventId::Other(_)));
    }
}
