//! The normalized CloudTrail event model.
//!
//! Every later stage of cloudcase (detection, investigation, reports) consumes
//! [`Event`]s, never raw JSON ad hoc. An event carries the fields investigators
//! pivot on as typed values, the original record as compact raw JSON (so that
//! nothing CloudTrail wrote is lost), and its [`Provenance`]: the input file and
//! record index it came from, so that every finding can point back to its raw
//! record.
#![deny(missing_docs)]

pub mod agent;
pub mod calendar;
pub mod detail;
mod event;
mod identity;
pub mod network;
mod other;
mod provenance;
mod time;

pub use detail::Detail;
pub use event::{Category, Event, LogSource};
pub use identity::Identity;
pub use other::OtherRecord;
pub use provenance::{ArchiveMember, Provenance, SourceFile};
pub use time::{EventTime, TimeError};
