//! Where a record is, in the record order key (time, file ordinal, record index): what the
//! analytics keep and write out for a record they may report, in a fraction of a
//! [`Pointer`]'s memory, made a pointer again (its file looked up by ordinal) if it is.

use cloudcase_event::{Event, EventTime};
use cloudcase_read::FileFinder;
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
}

impl At {
    /// Where `event` is.
    pub fn of(event: &Event) -> At {
        At {
            ms: event.time.millis(),
            file: event.provenance.file.ordinal,
            record: event.provenance.record,
        }
    }

    /// Appends it as three little-endian fields.
    pub fn encode(&self, out: &mut Vec<u8>) {
        put_i64(out, self.ms);
        put_u64(out, self.file);
        put_u64(out, self.record);
    }

    /// Reads what [`At::encode`] wrote; `None` if short.
    pub fn decode(f: &mut Fields<'_>) -> Option<At> {
        Some(At {
            ms: f.i64()?,
            file: f.u64()?,
            record: f.u64()?,
        })
    }

    /// A pointer to the record, without a witness (it is read again for the finding); `None`
    /// if no input has its file's ordinal.
    pub fn pointer(&self, files: &mut FileFinder<'_>) -> Option<Pointer> {
        Some(Pointer {
            time: EventTime::from_millis(self.ms),
            file: files.get(self.file, None)?,
            record: self.record,
            held: None,
        })
    }
}
