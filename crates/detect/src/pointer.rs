//! A pointer to the record an analytic rests on: enough to order records and to
//! read one again, carrying the record's witness while the budget lasts.

use std::sync::Arc;

use cloudcase_event::{Event, EventTime, SourceFile};

use crate::held::Held;

/// Where a record is and when it happened: enough to order records and to
/// fetch one again, in a fraction of a [`Witness`]'s memory; while the
/// process's witness budget lasts, also the witness itself ([`Held`]),
/// so the record need not be read again.
#[derive(Debug, Clone)]
pub struct Pointer {
    /// Event time.
    pub time: EventTime,
    /// The input file.
    pub file: Arc<SourceFile>,
    /// The record's index in the file.
    pub record: u64,
    /// The record's witness, captured during the pass if the budget allowed.
    pub held: Option<Arc<Held>>,
}

/// Pointers are equal when they point to the same record.
impl PartialEq for Pointer {
    fn eq(&self, other: &Self) -> bool {
        self.order_key() == other.order_key()
    }
}

impl Eq for Pointer {}

impl Pointer {
    /// The location of `event`, with its witness while the budget lasts.
    pub fn of(event: &Event) -> Self {
        Pointer {
            time: event.time,
            file: Arc::clone(&event.provenance.file),
            record: event.provenance.record,
            held: Held::capture(event),
        }
    }

    /// Order for "earliest": time, then input position.
    pub fn order_key(&self) -> (EventTime, u64, u64) {
        (self.time, self.file.ordinal, self.record)
    }

    /// The [`Pointer::order_key`] `event`'s pointer would have, without making it (and
    /// capturing its witness).
    pub fn order_of(event: &Event) -> (EventTime, u64, u64) {
        let at = &event.provenance;
        (event.time, at.file.ordinal, at.record)
    }

    /// Keeps the earlier of `self` and `event`.
    pub fn keep_earliest_of(&mut self, event: &Event) {
        if Pointer::order_of(event) < self.order_key() {
            *self = Pointer::of(event);
        }
    }

    /// Keeps the earlier of `self` and `other`.
    pub fn keep_earliest(&mut self, other: Pointer) {
        if other.order_key() < self.order_key() {
            *self = other;
        }
    }
}
