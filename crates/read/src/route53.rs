//! Amazon Route 53 Resolver query logs, recognised by content.
//!
//! Each query is one JSON object (`version`, `account_id`, `region`,
//! `vpc_id`, `query_timestamp`, `query_name`, `query_type`, `query_class`,
//! `rcode`, `answers[{Rdata, Type, Class}]`, `srcaddr`, `srcport`,
//! `transport`, `srcids{instance, resolver_endpoint, …}`, and the DNS
//! Firewall fields when a rule matched). Resolver delivers them as JSON Lines,
//! gzip'd in S3 (`AWSLogs/<account>/vpcdnsquerylogs/<vpc>/YYYY/MM/DD/…log.gz`),
//! plain through Firehose, and as the message of CloudWatch Logs events (the
//! classifier reads the message of `{"events":[{"message":"…"}]}`).
//!
//! A query becomes an [`Event`] named `ResolverQuery`, timed by
//! `query_timestamp`, with the querying address as source address; what only
//! a query says is its typed [`DnsQuery`] detail. Fields not named here
//! (`srcport`, `transport`, the firewall's) stay in the raw record.

use cloudcase_event::detail::DnsQuery;
use cloudcase_event::{
    Category, Detail, Event, EventTime, LogSource, OtherRecord, Provenance, TimeError,
};
use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::other::{tag_raw, Refusal, ShapeError};
use crate::wire::{Text, WireItem};
use crate::RejectKind;

/// The `eventSource` of every query's event.
pub(crate) const EVENT_SOURCE: &str = "route53resolver.amazonaws.com";

/// The `eventName` of every query's event.
pub(crate) const EVENT_NAME: &str = "ResolverQuery";

/// The field a query's event is timed by.
const TIME_FIELD: &str = "query_timestamp";

/// Whether an item's content marks it as a Resolver query: a name or a time
/// of query, and where it came from.
pub(crate) fn recognise(item: &WireItem<'_>) -> bool {
    (item.query_name.is_some() || item.query_timestamp.is_some())
        && (item.srcaddr.is_some() || item.vpc_id.is_some())
}

/// Why a query log record could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum QueryError {
    /// A field has a type Resolver never writes there.
    #[error(transparent)]
    Shape(#[from] ShapeError),
    /// The record has no name queried.
    #[error("Route 53 Resolver query without query_name")]
    NoName,
    /// The record has no time.
    #[error("Route 53 Resolver query without query_timestamp")]
    NoTime,
    /// The time is not a timestamp.
    #[error("Route 53 Resolver query: query_timestamp: {0}")]
    BadTime(TimeError),
}

impl Refusal for QueryError {
    fn kind(&self) -> RejectKind {
        match self {
            QueryError::Shape(e) => e.kind(),
            QueryError::NoName => RejectKind::MissingField,
            QueryError::NoTime => RejectKind::MissingTime,
            QueryError::BadTime(_) => RejectKind::InvalidTime,
        }
    }
}

/// A query log record, as much of it as the event and its detail need.
/// Scalars are read as [`Text`], so a port or account written as a number
/// is still read.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireQuery<'a> {
    #[serde(borrow)]
    account_id: Option<Text<'a>>,
    #[serde(borrow)]
    region: Option<Text<'a>>,
    #[serde(borrow)]
    vpc_id: Option<Text<'a>>,
    #[serde(borrow)]
    query_timestamp: Option<Text<'a>>,
    #[serde(borrow)]
    query_name: Option<Text<'a>>,
    #[serde(borrow)]
    query_type: Option<Text<'a>>,
    #[serde(borrow)]
    rcode: Option<Text<'a>>,
    #[serde(borrow)]
    answers: Option<Vec<WireAnswer<'a>>>,
    #[serde(borrow)]
    srcaddr: Option<Text<'a>>,
    #[serde(borrow)]
    srcids: Option<WireSrcIds<'a>>,
    #[serde(rename = "logSource")]
    log_source: Option<IgnoredAny>,
}

/// One of `answers`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireAnswer<'a> {
    #[serde(rename = "Rdata", borrow)]
    rdata: Option<Text<'a>>,
}

/// `srcids`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct WireSrcIds<'a> {
    #[serde(borrow)]
    instance: Option<Text<'a>>,
}

/// The text of a present, non-empty field.
fn text(value: Option<Text<'_>>) -> Option<String> {
    value.map(Text::into_string).filter(|s| !s.is_empty())
}

/// Reads one query log record (the JSON object `raw`, compact) into an event.
pub(crate) fn read(raw: &str, provenance: Provenance) -> Result<Event, QueryError> {
    let wire: WireQuery = ShapeError::parse(raw)?;
    let tagged = wire.log_source.is_some();
    let query_name = text(wire.query_name).ok_or(QueryError::NoName)?;
    let time_text = text(wire.query_timestamp).ok_or(QueryError::NoTime)?;
    let time = EventTime::parse(&time_text).map_err(QueryError::BadTime)?;
    let region = text(wire.region);
    let account_id = text(wire.account_id);
    let src_addr = text(wire.srcaddr);
    let answers = (wire.answers.unwrap_or_default().into_iter())
        .filter_map(|a| text(a.rdata))
        .collect();
    let query = DnsQuery {
        query_name,
        query_type: text(wire.query_type),
        rcode: text(wire.rcode),
        src_addr: src_addr.clone(),
        instance_id: wire.srcids.and_then(|ids| text(ids.instance)),
        vpc_id: text(wire.vpc_id),
        account_id: account_id.clone(),
        answers,
    };
    Ok(Event {
        region,
        recipient_account: account_id,
        source_ip: src_addr,
        ..Event::other(OtherRecord {
            source: LogSource::Route53Resolver,
            time,
            time_field: TIME_FIELD,
            event_source: EVENT_SOURCE.to_owned(),
            event_name: EVENT_NAME.to_owned(),
            category: Category::Other("Network".into()),
            raw: tag_raw(raw, LogSource::Route53Resolver, tagged),
            detail: Some(Detail::DnsQuery(query)),
            provenance,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::prov;

    /// The documentation's example record, compact.
    const DOC: &str = r#"{"srcaddr":"4.5.64.102","vpc_id":"vpc-7example","answers":[{"Rdata":"203.0.113.9","Type":"PTR","Class":"IN"}],"firewall_rule_group_id":"rslvr-frg-01234567890abcdef","firewall_rule_action":"BLOCK","query_name":"15.3.4.32.in-addr.arpa.","firewall_domain_list_id":"rslvr-fdl-01234567890abcdef","query_class":"IN","srcids":{"instance":"i-0d15cd0d3example"},"rcode":"NOERROR","query_type":"PTR","transport":"UDP","version":"1.100000","account_id":"111122223333","srcport":"56067","query_timestamp":"2021-02-04T17:51:55Z","region":"us-east-1"}"#;

    fn query(ev: &Event) -> &DnsQuery {
        match ev.detail.as_deref() {
            Some(Detail::DnsQuery(q)) => q,
            other => panic!("not a query: {other:?}"),
        }
    }

    #[test]
    fn the_documented_example_is_read_into_event_and_detail() {
        let ev = read(DOC, prov("query.log")).expect("a query");
        assert_eq!(
            (ev.event_source.as_str(), ev.event_name.as_str()),
            (EVENT_SOURCE, EVENT_NAME)
        );
        assert_eq!(ev.time.to_utc_string(), "2021-02-04T17:51:55.000Z");
        assert_eq!(ev.source_ip.as_deref(), Some("4.5.64.102"));
        assert_eq!(ev.recipient_account.as_deref(), Some("111122223333"));
        let q = query(&ev);
        assert_eq!(q.query_name, "15.3.4.32.in-addr.arpa.");
        assert_eq!(q.instance_id.as_deref(), Some("i-0d15cd0d3example"));
        assert_eq!(q.answers, ["203.0.113.9"]);
        assert!(ev
            .raw
            .starts_with(r#"{"logSource":"route53_resolver","srcaddr""#));
        assert!(ev.raw.contains(r#""firewall_rule_action":"BLOCK""#));
    }

    #[test]
    fn deep_nesting_is_refused_or_kept_raw_never_a_crash() {
        let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        let in_answers = DOC.replace(
            r#""answers":["#,
            &format!(r#""answers":[{},"#, deep(100_000)),
        );
        let err = read(&in_answers, prov("query.log")).expect_err("not an answer");
        assert_eq!(err.kind(), RejectKind::WrongType);
        assert!(err.to_string().starts_with("answers[0]"), "{err}");
        let elsewhere = DOC.replace(
            r#""transport":"UDP""#,
            &format!(r#""transport":{}"#, deep(100_000)),
        );
        assert!(read(&elsewhere, prov("query.log")).is_ok());
    }

    #[test]
    fn numbers_where_strings_are_usual_are_read() {
        let text = DOC.replace(
            r#""account_id":"111122223333""#,
            r#""account_id":111122223333"#,
        );
        let ev = read(&text, prov("query.log")).expect("a query");
        assert_eq!(ev.recipient_account.as_deref(), Some("111122223333"));
    }

    #[test]
    fn malformed_queries_name_the_field_and_value() {
        let no_name = DOC.replace(r#""query_name":"15.3.4.32.in-addr.arpa.","#, "");
        let err = read(&no_name, prov("query.log")).expect_err("no name");
        assert_eq!(
            (err.kind(), err.to_string().contains("query_name")),
            (RejectKind::MissingField, true)
        );
        let bad_time = DOC.replace("2021-02-04T17:51:55Z", "04/Feb/2021");
        let err = read(&bad_time, prov("query.log")).expect_err("bad time");
        assert_eq!(err.kind(), RejectKind::InvalidTime);
        assert!(
            err.to_string().contains("query_timestamp") && err.to_string().contains("04/Feb/2021"),
            "{err}"
        );
        let object_name = DOC.replace(r#""15.3.4.32.in-addr.arpa.""#, r#"{"a":1}"#);
        let err = read(&object_name, prov("query.log")).expect_err("object name");
        assert_eq!(err.kind(), RejectKind::WrongType);
        assert!(err.to_string().starts_with("query_name:"), "{err}");
    }
}
