//! Pointers to raw records and how the document writes them: a leaf module shared by the
//! passes, the activity counts and the document builders.

use std::sync::Arc;

use cloudcase_event::{Event, EventTime, SourceFile};
use cloudcase_model::scope::RecordRef;

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
    pub event_id: Option<Box<str>>,
}

impl Ptr {
    pub(crate) fn of(ev: &Event) -> Ptr {
        Ptr {
            ms: ev.time.millis(),
            file: Arc::clone(&ev.provenance.file),
            record: ev.provenance.record,
            event_id: ev.event_id.as_deref().map(Into::into),
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
        event_id: p.event_id.as_deref().map(str::to_owned),
    }
}

/// A time as RFC 3339 UTC.
pub fn time(ms: i64) -> String {
    EventTime::from_millis(ms).to_utc_string()
}
