//! Events built in memory for the crate's tests.

use cloudcase_event::{
    Category, Detail, Event, EventTime, LogSource, OtherRecord, Provenance, SourceFile,
};

/// An event of `source` at 2024-06-01T10:00:00Z carrying `detail`, named as
/// the readers name such records.
pub(crate) fn event_of(source: LogSource, detail: Detail) -> Event {
    Event::other(OtherRecord {
        source,
        time: EventTime::parse("2024-06-01T10:00:00Z").expect("fixed time"),
        time_field: "start",
        event_source: source.as_str().to_owned(),
        event_name: "Record".to_owned(),
        category: Category::Data,
        raw: format!("{{\"logSource\":\"{}\"}}", source.as_str()).into(),
        detail: Some(detail),
        provenance: Provenance::first_of(SourceFile::plain("fixture.log")),
    })
}
