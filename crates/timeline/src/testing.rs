//! Events built in memory for the crate's tests.

use std::sync::Arc;

use cloudcase_event::{
    Category, Detail, Event, EventTime, Identity, LogSource, Provenance, SourceFile,
};

/// An event of `source` at 2024-06-01T10:00:00Z carrying `detail`, named as
/// the readers name such records.
pub(crate) fn event_of(source: LogSource, detail: Detail) -> Event {
    let file = SourceFile {
        path: "fixture.log".into(),
        sha256: None,
        origin: None,
        ordinal: 0,
        member: None,
    };
    Event {
        time: EventTime::parse("2024-06-01T10:00:00Z").expect("fixed time"),
        time_field: "start",
        source,
        event_source: source.as_str().to_owned(),
        event_name: "Record".to_owned(),
        region: None,
        recipient_account: None,
        identity: Identity::default(),
        source_ip: None,
        user_agent: None,
        error_code: None,
        error_message: None,
        read_only: None,
        event_type: None,
        category: Category::Data,
        event_id: None,
        request_id: None,
        request_parameters: None,
        response_elements: None,
        additional_event_data: None,
        resources: None,
        raw: format!("{{\"logSource\":\"{}\"}}", source.as_str()).into(),
        detail: Some(Box::new(detail)),
        provenance: Provenance {
            file: Arc::new(file),
            record: 0,
            offset: 0,
        },
    }
}
