//! Events of the logs beyond CloudTrail.

use crate::{Category, Detail, Event, EventTime, Identity, LogSource, Provenance};

/// What every reader of a log other than CloudTrail supplies for a record;
/// [`Event::other`] makes the event of it.
#[derive(Debug, Clone)]
pub struct OtherRecord {
    /// The kind of log the record was read from.
    pub source: LogSource,
    /// The record's time, UTC.
    pub time: EventTime,
    /// The field of the record `time` was read from.
    pub time_field: &'static str,
    /// What stands for `eventSource`, e.g. `route53resolver.amazonaws.com`.
    pub event_source: String,
    /// What stands for `eventName`, e.g. a flow's `ACCEPT`.
    pub event_name: String,
    /// What stands for `eventCategory`.
    pub category: Category,
    /// The whole record as compact JSON text (a JSON object).
    pub raw: Box<str>,
    /// What the record says beyond the common fields, typed.
    pub detail: Option<Detail>,
    /// Where the record was read.
    pub provenance: Provenance,
}

impl Event {
    /// The event of a record of another log: the fields `record` names, and
    /// every CloudTrail-only field (identity, user agent, error, request and
    /// response, ids, region, account, address) empty. A reader that knows
    /// some of those sets them after, e.g.
    /// `Event { region, ..Event::other(record) }`.
    pub fn other(record: OtherRecord) -> Event {
        Event {
            time: record.time,
            time_field: record.time_field,
            source: record.source,
            event_source: record.event_source,
            event_name: record.event_name,
            region: None,
            recipient_account: None,
            identity: Identity::default(),
            source_ip: None,
            user_agent: None,
            error_code: None,
            error_message: None,
            read_only: None,
            event_type: None,
            category: record.category,
            event_id: None,
            request_id: None,
            request_parameters: None,
            response_elements: None,
            additional_event_data: None,
            resources: None,
            raw: record.raw,
            detail: record.detail.map(Box::new),
            provenance: record.provenance,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::SourceFile;

    #[test]
    fn another_log_s_record_leaves_the_cloudtrail_fields_empty() {
        let ev = Event::other(OtherRecord {
            source: LogSource::VpcFlow,
            time: EventTime::parse("2024-06-01T10:00:00Z").expect("a time"),
            time_field: "start",
            event_source: "vpc-flow-logs".into(),
            event_name: "ACCEPT".into(),
            category: Category::Other("Network".into()),
            raw: "{}".into(),
            detail: None,
            provenance: Provenance::first_of(SourceFile::plain("flow.log")),
        });
        assert_eq!((ev.source, ev.time_field), (LogSource::VpcFlow, "start"));
        assert_eq!(ev.identity, Identity::default());
        assert!(ev.region.is_none() && ev.source_ip.is_none() && ev.event_id.is_none());
        assert!(ev.request_parameters.is_none() && ev.detail.is_none());
        assert_eq!(ev.provenance.file, Arc::new(SourceFile::plain("flow.log")));
    }
}
