//! CloudTrail records as SIEMs and query engines export them, recognised by
//! content:
//!
//! * Logstash / Elastic documents (`@timestamp`): the record at top level,
//!   nested under `aws.cloudtrail`, or flattened into dotted keys
//!   (`"userIdentity.arn"`), with Filebeat's ECS fields (`event.action`,
//!   `source.ip`, …) standing in for CloudTrail names that are absent;
//! * Splunk exports: `_raw` (or `result._raw`) holds the record as a string,
//!   `_time` its time;
//! * CloudTrail Lake and Athena rows: `QueryResultRows` arrays of single-key
//!   objects, and lower-cased column names (`eventtime`).
//!
//! `eventTime` stays authoritative; the wrapper's time is used only when the
//! record has none, and the event says which field its time came from.

use cloudcase_event::{Event, EventTime};
use serde_json::{Map, Value};

type Object = Map<String, Value>;

/// Where a wrapper keeps the CloudTrail record.
enum Holder {
    /// A JSON string holding the record's text, at this path.
    Text(&'static str),
    /// The object at the first of these paths that is one, else the item itself.
    Object(&'static [&'static str]),
}

/// One wrapper shape: what marks it, where the record is, where its time is.
struct Shape {
    /// Named in rejections.
    name: &'static str,
    /// A path whose presence marks the shape.
    marker: &'static str,
    /// Where the record is.
    record: Holder,
    /// The wrapper's time fields, in order of preference.
    time: &'static [&'static str],
    /// A field holding the record as JSON text when `record` holds none
    /// (Logstash's `message`, when no JSON codec parsed the line).
    text: Option<&'static str>,
}

/// Wrapper shapes, tried in order.
const SHAPES: &[Shape] = &[
    Shape {
        name: "Splunk export result",
        marker: "result._raw",
        record: Holder::Text("result._raw"),
        time: &["result._time"],
        text: None,
    },
    Shape {
        name: "Splunk export",
        marker: "_raw",
        record: Holder::Text("_raw"),
        time: &["_time"],
        text: None,
    },
    Shape {
        name: "Logstash/Elastic document",
        marker: "@timestamp",
        record: Holder::Object(&["aws.cloudtrail"]),
        time: &["@timestamp"],
        text: Some("message"),
    },
    Shape {
        name: "query result row",
        marker: "eventtime",
        record: Holder::Object(&[]),
        time: &[],
        text: None,
    },
];

/// The shape of `QueryResultRows` rows once merged into one object.
const LAKE_ROW: Shape = Shape {
    name: "CloudTrail Lake result row",
    marker: "",
    record: Holder::Object(&[]),
    time: &[],
    text: None,
};

/// Search-hit envelopes around a document (Elasticsearch `_source`).
const DOCUMENT_KEYS: &[&str] = &["_source"];

/// CloudTrail's top-level field names, restored from other spellings
/// (Athena and some exports lower-case them).
const CLOUDTRAIL_FIELDS: &[&str] = &[
    "eventVersion",
    "userIdentity",
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "errorMessage",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "requestID",
    "eventID",
    "readOnly",
    "resources",
    "eventType",
    "apiVersion",
    "managementEvent",
    "recipientAccountId",
    "sharedEventID",
    "vpcEndpointId",
    "eventCategory",
    "tlsDetails",
];

/// Fields CloudTrail writes as objects, which exports may hold as JSON text.
const OBJECT_FIELDS: &[&str] = &[
    "userIdentity",
    "requestParameters",
    "responseElements",
    "additionalEventData",
    "resources",
    "tlsDetails",
];

/// CloudTrail fields (dotted paths in the record) filled, when absent, from
/// Elastic's fields (ECS and Filebeat's `aws.cloudtrail.*`), first found wins.
const ECS_FIELDS: &[(&str, &[&str])] = &[
    ("eventName", &["event.action"]),
    ("eventSource", &["event.provider"]),
    ("awsRegion", &["cloud.region"]),
    ("sourceIPAddress", &["source.address", "source.ip"]),
    ("userAgent", &["user_agent.original"]),
    ("eventID", &["event.id"]),
    (
        "recipientAccountId",
        &["aws.cloudtrail.recipient_account_id", "cloud.account.id"],
    ),
    ("eventVersion", &["aws.cloudtrail.event_version"]),
    ("eventType", &["aws.cloudtrail.event_type"]),
    ("eventCategory", &["aws.cloudtrail.event_category"]),
    ("requestID", &["aws.cloudtrail.request_id"]),
    ("errorCode", &["aws.cloudtrail.error_code"]),
    ("errorMessage", &["aws.cloudtrail.error_message"]),
    ("readOnly", &["aws.cloudtrail.read_only"]),
    (
        "requestParameters",
        &[
            "aws.cloudtrail.flattened.request_parameters",
            "aws.cloudtrail.request_parameters",
        ],
    ),
    (
        "responseElements",
        &[
            "aws.cloudtrail.flattened.response_elements",
            "aws.cloudtrail.response_elements",
        ],
    ),
    (
        "additionalEventData",
        &[
            "aws.cloudtrail.flattened.additional_eventdata",
            "aws.cloudtrail.additional_eventdata",
        ],
    ),
    ("userIdentity.type", &["aws.cloudtrail.user_identity.type"]),
    ("userIdentity.arn", &["aws.cloudtrail.user_identity.arn"]),
    (
        "userIdentity.principalId",
        &["aws.cloudtrail.user_identity.principal_id", "user.id"],
    ),
    (
        "userIdentity.accessKeyId",
        &["aws.cloudtrail.user_identity.access_key_id"],
    ),
    (
        "userIdentity.invokedBy",
        &["aws.cloudtrail.user_identity.invoked_by"],
    ),
    (
        "userIdentity.sessionContext.sessionIssuer.arn",
        &["aws.cloudtrail.user_identity.session_context.session_issuer.arn"],
    ),
    (
        "userIdentity.sessionContext.attributes.mfaAuthenticated",
        &["aws.cloudtrail.user_identity.session_context.mfa_authenticated"],
    ),
    (
        "userIdentity.sessionContext.attributes.creationDate",
        &["aws.cloudtrail.user_identity.session_context.creation_date"],
    ),
];

/// A CloudTrail record recovered from a wrapper.
#[derive(Debug)]
pub(crate) struct Unwrapped {
    /// The record as compact JSON.
    pub record: String,
    /// The field the event's time comes from.
    pub time_field: &'static str,
    /// The wrapper's time (RFC 3339), when the record has no `eventTime`.
    pub wrapper_time: Option<String>,
}

/// Recovers the CloudTrail record from a SIEM or query-result wrapper.
///
/// `None` when `text` has no known wrapper shape; an error naming the shape
/// when it has one but holds no CloudTrail record.
pub(crate) fn unwrap(text: &str) -> Option<Result<Unwrapped, String>> {
    let (item, lake) = match serde_json::from_str::<Value>(text).ok()? {
        Value::Object(o) => (unflatten(document(o)), false),
        Value::Array(rows) => (merge_row(rows)?, true),
        _ => return None,
    };
    let shape = match SHAPES.iter().find(|s| lookup(&item, s.marker).is_some()) {
        Some(shape) => shape,
        None if lake => &LAKE_ROW,
        None => return None,
    };
    Some(recover(&item, shape))
}

/// The document inside a search hit, or the item itself.
fn document(mut item: Object) -> Object {
    for key in DOCUMENT_KEYS {
        if let Some(Value::Object(doc)) = item.remove(*key) {
            return doc;
        }
    }
    item
}

fn recover(item: &Object, shape: &Shape) -> Result<Unwrapped, String> {
    let (mut record, nested) = match shape.record {
        Holder::Text(path) => (parse_text(item, path, shape.name)?, false),
        Holder::Object(paths) => match paths.iter().find_map(|p| lookup_object(item, p)) {
            Some(o) => (o.clone(), true),
            None => (item.clone(), false),
        },
    };
    if let (false, Some(path)) = (has_text(&record, "eventName"), shape.text) {
        if let Ok(inner) = parse_text(item, path, shape.name) {
            record = inner;
        }
    }
    let time_field = restore_names(&mut record);
    if nested || is_elastic_cloudtrail(item) {
        fill_from(&mut record, item);
    }
    decode_object_fields(&mut record);
    if !has_text(&record, "eventName") || !has_text(&record, "eventSource") {
        return Err(format!(
            "a {} without a CloudTrail record (no eventName and eventSource)",
            shape.name
        ));
    }
    let (time_field, wrapper_time) = match time_field {
        Some(field) => (field, None),
        None => match shape
            .time
            .iter()
            .find_map(|f| lookup(item, f).and_then(wrapper_time).map(|t| (*f, t)))
        {
            Some((field, time)) => (time_field_name(field), Some(time)),
            None => (Event::EVENT_TIME, None),
        },
    };
    Ok(Unwrapped {
        record: Value::Object(record).to_string(),
        time_field,
        wrapper_time,
    })
}

/// The name events report for a wrapper time path (its last segment).
fn time_field_name(path: &'static str) -> &'static str {
    path.rsplit('.').next().unwrap_or(path)
}

/// Merges a Lake row (`[{"eventID":…},{"eventTime":…}]`) into one object.
fn merge_row(rows: Vec<Value>) -> Option<Object> {
    let mut merged = Object::new();
    for row in rows {
        let Value::Object(cells) = row else {
            return None;
        };
        merged.extend(cells);
    }
    (!merged.is_empty()).then_some(merged)
}

/// Expands top-level dotted keys (`"userIdentity.arn"`) into nested objects;
/// a key that conflicts with a value already there stays as it is.
fn unflatten(obj: Object) -> Object {
    let (dotted, mut out): (Vec<_>, Object) = obj.into_iter().fold(
        (Vec::new(), Object::new()),
        |(mut dotted, mut out), (k, v)| {
            if k.split('.').all(|s| !s.is_empty()) && k.contains('.') {
                dotted.push((k, v));
            } else {
                out.insert(k, v);
            }
            (dotted, out)
        },
    );
    for (key, value) in dotted {
        if let Err(value) = insert_path(&mut out, &key, value) {
            out.insert(key, value);
        }
    }
    out
}

/// Puts `value` at dotted `path`, creating objects; gives it back on conflict.
fn insert_path(root: &mut Object, path: &str, value: Value) -> Result<(), Value> {
    let mut segments = path.split('.').peekable();
    let mut node = root;
    while let Some(seg) = segments.next() {
        if segments.peek().is_none() {
            if node.contains_key(seg) {
                return Err(value);
            }
            node.insert(seg.to_owned(), value);
            return Ok(());
        }
        let child = node
            .entry(seg.to_owned())
            .or_insert_with(|| Value::Object(Object::new()));
        match child {
            Value::Object(o) => node = o,
            _ => return Err(value),
        }
    }
    Err(value)
}

/// The value at dotted `path`, through nested objects.
fn lookup<'a>(obj: &'a Object, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return None;
    }
    let mut segments = path.split('.');
    let mut value = obj.get(segments.next()?)?;
    for seg in segments {
        value = value.as_object()?.get(seg)?;
    }
    Some(value)
}

fn lookup_object<'a>(obj: &'a Object, path: &str) -> Option<&'a Object> {
    lookup(obj, path)?.as_object()
}

fn has_text(obj: &Object, key: &str) -> bool {
    obj.get(key).is_some_and(|v| v.as_str().is_some())
}

/// Parses the record a wrapper holds as JSON text.
fn parse_text(item: &Object, path: &str, shape: &str) -> Result<Object, String> {
    let text = lookup(item, path)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("the {shape}'s {path} is not a string"))?;
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => Ok(o),
        _ => Err(format!(
            "the {shape}'s {path} does not hold a JSON object (not a CloudTrail record)"
        )),
    }
}

/// Restores CloudTrail's spelling of top-level names (`eventtime` →
/// `eventTime`); returns the field the record's own time comes from.
fn restore_names(record: &mut Object) -> Option<&'static str> {
    let mut time_field = record
        .contains_key(Event::EVENT_TIME)
        .then_some(Event::EVENT_TIME);
    for name in CLOUDTRAIL_FIELDS {
        if record.contains_key(*name) {
            continue;
        }
        let Some(key) = record
            .keys()
            .find(|k| k.eq_ignore_ascii_case(name))
            .cloned()
        else {
            continue;
        };
        if let Some(value) = record.remove(&key) {
            record.insert((*name).to_owned(), value);
            if *name == Event::EVENT_TIME {
                time_field = Some("eventtime");
            }
        }
    }
    time_field
}

/// Whether an Elastic document comes from Filebeat's CloudTrail input, so its
/// ECS fields describe a CloudTrail call (and not, say, a Windows event).
fn is_elastic_cloudtrail(item: &Object) -> bool {
    lookup(item, "aws.cloudtrail").is_some()
        || lookup(item, "event.dataset").and_then(Value::as_str) == Some("aws.cloudtrail")
}

/// Fills absent CloudTrail fields from the document's ECS fields.
fn fill_from(record: &mut Object, item: &Object) {
    for (target, sources) in ECS_FIELDS {
        if lookup(record, target).is_some() {
            continue;
        }
        if let Some(value) = sources.iter().find_map(|s| lookup(item, s)) {
            // A conflict means the record already holds something there.
            let _ = insert_path(record, target, value.clone());
        }
    }
}

/// Decodes object fields an export stored as JSON text; drops an identity
/// that is neither (it cannot be read as one).
fn decode_object_fields(record: &mut Object) {
    for name in OBJECT_FIELDS {
        let Some(Value::String(text)) = record.get(*name) else {
            continue;
        };
        match serde_json::from_str::<Value>(text) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => {
                record.insert((*name).to_owned(), v);
            }
            _ if *name == "userIdentity" => {
                record.remove(*name);
            }
            _ => {}
        }
    }
}

/// A wrapper's time as RFC 3339: an RFC 3339 text, or epoch seconds (a
/// number or numeric text, as Splunk's `_time`).
fn wrapper_time(value: &Value) -> Option<String> {
    let seconds = match value {
        Value::String(s) if EventTime::parse(s).is_ok() => return Some(s.clone()),
        Value::String(s) if colon_offset(s).is_some_and(|t| EventTime::parse(&t).is_ok()) => {
            return colon_offset(s);
        }
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        Value::Number(n) => n.as_f64()?,
        _ => return None,
    };
    // Epoch seconds between 1970 and 9999.
    if !(0.0..253_402_300_800.0).contains(&seconds) {
        return None;
    }
    let millis = (seconds * 1000.0).round() as i64;
    Some(EventTime::from_millis(millis).to_utc_string())
}

/// `…+0000` (an offset without a colon, as Splunk writes `_time`) as `…+00:00`; `None` for
/// any other text.
fn colon_offset(text: &str) -> Option<String> {
    let (head, offset) = text.split_at_checked(text.len().checked_sub(5)?)?;
    let digits = offset.strip_prefix(['+', '-'])?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !head.contains('T') {
        return None;
    }
    Some(format!(
        "{head}{}{}:{}",
        &offset[..1],
        &digits[..2],
        &digits[2..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splunk_offsets_without_a_colon_are_read() {
        let t = wrapper_time(&Value::String("2024-08-18T18:53:52.250+0900".into()));
        assert_eq!(t.as_deref(), Some("2024-08-18T18:53:52.250+09:00"));
        assert_eq!(colon_offset("2024-08-18"), None);
        assert_eq!(colon_offset("+0000"), None);
        assert_eq!(wrapper_time(&Value::String("yesterday+0000".into())), None);
    }

    fn ok(text: &str) -> (Object, &'static str, Option<String>) {
        let found = unwrap(text).expect("a wrapper").expect("a record");
        let record = serde_json::from_str(&found.record).expect("JSON");
        (record, found.time_field, found.wrapper_time)
    }

    #[test]
    fn logstash_without_event_time_takes_at_timestamp() {
        let (rec, field, time) = ok(
            r#"{"@timestamp":"2024-08-18T09:53:52.000Z","@version":"1","host":"ls1","tags":["aws"],"eventName":"GetCallerIdentity","eventSource":"sts.amazonaws.com","userIdentity.arn":"arn:aws:iam::1:user/a","userIdentity.type":"IAMUser"}"#,
        );
        assert_eq!(field, "@timestamp");
        assert_eq!(time.as_deref(), Some("2024-08-18T09:53:52.000Z"));
        assert_eq!(rec["userIdentity"]["arn"], "arn:aws:iam::1:user/a");
    }

    #[test]
    fn logstash_message_text_and_elasticsearch_hits() {
        let (rec, field, _) = ok(
            r#"{"@timestamp":"2024-08-18T09:53:52Z","@version":"1","message":"{\"eventName\":\"A\",\"eventSource\":\"s3.amazonaws.com\"}"}"#,
        );
        assert_eq!(
            (field, rec["eventName"].as_str()),
            ("@timestamp", Some("A"))
        );
        let (rec, field, _) = ok(
            r#"{"_index":"cloudtrail-2024.08.18","_id":"x","_source":{"@timestamp":"2024-08-18T09:53:52Z","eventName":"A","eventSource":"s3.amazonaws.com"}}"#,
        );
        assert_eq!(
            (field, rec["eventSource"].as_str()),
            ("@timestamp", Some("s3.amazonaws.com"))
        );
    }

    #[test]
    fn event_time_stays_authoritative() {
        let (_, field, time) = ok(
            r#"{"_time":"1","_raw":"{\"eventTime\":\"2024-01-01T00:00:00Z\",\"eventName\":\"A\",\"eventSource\":\"s3.amazonaws.com\"}"}"#,
        );
        assert_eq!((field, time), ("eventTime", None));
    }

    #[test]
    fn splunk_time_in_epoch_seconds_and_result_shape() {
        let (rec, field, time) = ok(
            r#"{"preview":false,"result":{"_time":"1723974832.250","_raw":"{\"eventName\":\"A\",\"eventSource\":\"s3.amazonaws.com\"}"}}"#,
        );
        assert_eq!(field, "_time");
        assert_eq!(time.as_deref(), Some("2024-08-18T09:53:52.250Z"));
        assert_eq!(rec["eventName"], "A");
    }

    #[test]
    fn filebeat_ecs_fields_fill_cloudtrail_names() {
        let (rec, field, _) = ok(
            r#"{"@timestamp":"2024-08-18T09:53:52Z","event":{"action":"ListBuckets","provider":"s3.amazonaws.com","dataset":"aws.cloudtrail"},"source":{"ip":"203.0.113.9"},"cloud":{"region":"us-east-1"},"aws":{"cloudtrail":{"user_identity":{"arn":"arn:aws:iam::1:user/x","type":"IAMUser"}}}}"#,
        );
        assert_eq!(field, "@timestamp");
        assert_eq!(rec["eventName"], "ListBuckets");
        assert_eq!(rec["sourceIPAddress"], "203.0.113.9");
        assert_eq!(rec["awsRegion"], "us-east-1");
        assert_eq!(rec["userIdentity"]["arn"], "arn:aws:iam::1:user/x");
    }

    #[test]
    fn lake_rows_and_lower_cased_columns() {
        let (rec, field, _) = ok(
            r#"[{"eventID":"e1"},{"eventTime":"2024-08-18 09:53:52.000"},{"eventSource":"iam.amazonaws.com"},{"eventName":"ListUsers"}]"#,
        );
        assert_eq!((field, rec["eventID"].as_str()), ("eventTime", Some("e1")));
        let (rec, field, _) = ok(
            r#"{"eventtime":"2024-08-18T09:53:52Z","eventsource":"iam.amazonaws.com","eventname":"ListUsers","useridentity":"{\"arn\":\"arn:aws:iam::1:user/a\"}"}"#,
        );
        assert_eq!(field, "eventtime");
        assert_eq!(rec["userIdentity"]["arn"], "arn:aws:iam::1:user/a");
    }

    #[test]
    fn non_cloudtrail_documents_are_refused_with_the_shape_named() {
        let why = unwrap(r#"{"@timestamp":"2024-08-18T09:53:52Z","@version":"1","message":"GET / 200","event":{"action":"logon","provider":"Microsoft-Windows-Security-Auditing"}}"#)
            .expect("a wrapper")
            .expect_err("not CloudTrail");
        assert!(why.contains("Logstash/Elastic document"), "{why}");
        assert!(unwrap(r#"{"_raw":"GET / HTTP/1.1","_time":"1"}"#)
            .expect("a wrapper")
            .is_err());
        assert!(unwrap(r#"{"a":1}"#).is_none());
        assert!(unwrap("[1,2]").is_none());
    }
}
