//! The `coverage` section: what the inputs contain.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The `coverage` section: the whole description once a departure is found, else the span of
/// the inputs only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Coverage {
    /// With a first attacker event.
    Window(Box<WindowCoverage>),
    /// Without one: the span of the inputs.
    Span(LogSpan),
}

/// The first and last event of the inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSpan {
    /// RFC 3339 UTC.
    pub first_event: Option<String>,
    /// RFC 3339 UTC.
    pub last_event: Option<String>,
}

/// What the inputs contain, around the attacker window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowCoverage {
    /// The first event of the inputs, RFC 3339 UTC.
    pub first_event: Option<String>,
    /// The last event of the inputs, RFC 3339 UTC.
    pub last_event: Option<String>,
    /// From the first attacker event to the end of the logs.
    pub attacker_window: Window,
    /// Events per category (`Management`, `Data`, …).
    pub categories: BTreeMap<String, u64>,
    /// Read-only management events.
    pub management_read_events: u64,
    /// Mutating management events.
    pub management_write_events: u64,
    /// S3 buckets with data events.
    pub data_event_buckets: Vec<DataEventBucket>,
    /// S3 buckets and DynamoDB tables with data events.
    pub data_event_stores: Vec<DataEventStore>,
    /// Events per region.
    pub regions: Vec<RegionCoverage>,
    /// Hours with no event in any input, over six hours long.
    pub gaps_over_6h: Vec<Gap>,
    /// What the gaps mean.
    pub gaps_note: String,
    /// The inventory snapshots used.
    pub inventory: Vec<InventoryUsed>,
}

/// A time range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// RFC 3339 UTC.
    pub from: String,
    /// RFC 3339 UTC.
    pub to: String,
}

/// Data events of one S3 bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataEventBucket {
    /// Bucket name.
    pub bucket: String,
    /// Data events.
    pub data_events: u64,
    /// The first, RFC 3339 UTC.
    pub first: Option<String>,
    /// The last, RFC 3339 UTC.
    pub last: Option<String>,
}

/// Data events of one store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataEventStore {
    /// Store kind.
    pub store: super::StoreKind,
    /// Store name.
    pub name: String,
    /// Data events.
    pub data_events: u64,
    /// The first, RFC 3339 UTC.
    pub first: Option<String>,
    /// The last, RFC 3339 UTC.
    pub last: Option<String>,
}

/// Events of one region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegionCoverage {
    /// Region.
    pub region: String,
    /// Events.
    pub events: u64,
    /// The first, RFC 3339 UTC.
    pub first: Option<String>,
    /// The last, RFC 3339 UTC.
    pub last: Option<String>,
}

/// Hours with no event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Gap {
    /// RFC 3339 UTC.
    pub from: String,
    /// RFC 3339 UTC.
    pub to: String,
    /// Hours.
    pub hours: i64,
}

/// An inventory snapshot used for `exists_now` and `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InventoryUsed {
    /// `aws:iam` or `aws:ec2`.
    pub kind: String,
    /// When it was taken.
    pub taken: String,
    /// Its account.
    pub account: Option<String>,
    /// Regions it covers.
    pub regions: Vec<String>,
    /// Calls that failed while taking it.
    pub failed_calls: u64,
}
