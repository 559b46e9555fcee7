//! What rules are evaluated against: a [`Record`] answers field lookups by
//! dotted path with borrowed values.
//!
//! A path walks JSON objects key by key and crosses arrays: every element is
//! searched, so `requestParameters.containerDefinitions.command` reaches the
//! `command` of each container definition, and a path ending on an array of
//! scalars yields each element. A rule's value matches a field when it matches
//! any of the values found.

use std::cell::OnceCell;

use cloudcase_event::{Event, LogSource};
use serde_json::Value as Json;

use crate::rawjson::{Found, Top};

/// A field name from a rule, split at dots once when the rule is compiled.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath {
    text: Box<str>,
    segments: Box<[Box<str>]>,
    pivot: Option<Pivot>,
}

impl FieldPath {
    /// Splits `text` at dots (`userIdentity.arn` → `userIdentity`, `arn`).
    pub fn new(text: &str) -> FieldPath {
        FieldPath {
            text: text.into(),
            segments: text.split('.').map(Box::from).collect(),
            pivot: Pivot::of(text),
        }
    }

    /// The path as written in the rule.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The path's keys, in order.
    pub fn segments(&self) -> &[Box<str>] {
        &self.segments
    }

    /// The typed [`Event`] field this path names, if any.
    pub fn pivot(&self) -> Option<Pivot> {
        self.pivot
    }
}

/// CloudTrail fields that [`Event`] holds as typed strings, so that rules
/// testing them never need the raw record parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Pivot {
    /// `eventName`.
    EventName,
    /// `eventSource`.
    EventSource,
    /// `awsRegion`.
    AwsRegion,
    /// `recipientAccountId`.
    RecipientAccountId,
    /// `sourceIPAddress`.
    SourceIpAddress,
    /// `userAgent`.
    UserAgent,
    /// `errorCode`.
    ErrorCode,
    /// `errorMessage`.
    ErrorMessage,
    /// `eventType`.
    EventType,
    /// `eventID`.
    EventId,
    /// `requestID`.
    RequestId,
    /// `userIdentity.type`.
    IdentityType,
    /// `userIdentity.arn`.
    IdentityArn,
    /// `userIdentity.principalId`.
    IdentityPrincipalId,
    /// `userIdentity.accountId`.
    IdentityAccountId,
    /// `userIdentity.userName`.
    IdentityUserName,
    /// `userIdentity.accessKeyId`.
    IdentityAccessKeyId,
    /// `userIdentity.invokedBy`.
    IdentityInvokedBy,
    /// `userIdentity.sessionContext.sessionIssuer.arn`.
    SessionIssuerArn,
    /// `userIdentity.sessionContext.sessionIssuer.userName`.
    SessionIssuerUserName,
    /// `userIdentity.sessionContext.sourceIdentity`.
    SourceIdentity,
}

impl Pivot {
    fn of(path: &str) -> Option<Pivot> {
        Some(match path {
            "eventName" => Pivot::EventName,
            "eventSource" => Pivot::EventSource,
            "awsRegion" => Pivot::AwsRegion,
            "recipientAccountId" => Pivot::RecipientAccountId,
            "sourceIPAddress" => Pivot::SourceIpAddress,
            "userAgent" => Pivot::UserAgent,
            "errorCode" => Pivot::ErrorCode,
            "errorMessage" => Pivot::ErrorMessage,
            "eventType" => Pivot::EventType,
            "eventID" => Pivot::EventId,
            "requestID" => Pivot::RequestId,
            "userIdentity.type" => Pivot::IdentityType,
            "userIdentity.arn" => Pivot::IdentityArn,
            "userIdentity.principalId" => Pivot::IdentityPrincipalId,
            "userIdentity.accountId" => Pivot::IdentityAccountId,
            "userIdentity.userName" => Pivot::IdentityUserName,
            "userIdentity.accessKeyId" => Pivot::IdentityAccessKeyId,
            "userIdentity.invokedBy" => Pivot::IdentityInvokedBy,
            "userIdentity.sessionContext.sessionIssuer.arn" => Pivot::SessionIssuerArn,
            "userIdentity.sessionContext.sessionIssuer.userName" => Pivot::SessionIssuerUserName,
            "userIdentity.sessionContext.sourceIdentity" => Pivot::SourceIdentity,
            _ => return None,
        })
    }

    /// The event's value for this field (`None`: absent or null).
    pub fn get(self, e: &Event) -> Option<&str> {
        let id = &e.identity;
        match self {
            Pivot::EventName => Some(&e.event_name),
            Pivot::EventSource => Some(&e.event_source),
            Pivot::AwsRegion => e.region.as_deref(),
            Pivot::RecipientAccountId => e.recipient_account.as_deref(),
            Pivot::SourceIpAddress => e.source_ip.as_deref(),
            Pivot::UserAgent => e.user_agent.as_deref(),
            Pivot::ErrorCode => e.error_code.as_deref(),
            Pivot::ErrorMessage => e.error_message.as_deref(),
            Pivot::EventType => e.event_type.as_deref(),
            Pivot::EventId => e.event_id.as_deref(),
            Pivot::RequestId => e.request_id.as_deref(),
            Pivot::IdentityType => id.kind.as_deref(),
            Pivot::IdentityArn => id.arn.as_deref(),
            Pivot::IdentityPrincipalId => id.principal_id.as_deref(),
            Pivot::IdentityAccountId => id.account_id.as_deref(),
            Pivot::IdentityUserName => id.user_name.as_deref(),
            Pivot::IdentityAccessKeyId => id.access_key_id.as_deref(),
            Pivot::IdentityInvokedBy => id.invoked_by.as_deref(),
            Pivot::SessionIssuerArn => id.session_issuer_arn.as_deref(),
            Pivot::SessionIssuerUserName => id.session_issuer_name.as_deref(),
            Pivot::SourceIdentity => id.source_identity.as_deref(),
        }
    }
}

/// One value found at a path.
#[derive(Debug, Clone, Copy)]
pub enum FieldValue<'a> {
    /// A string held typed (no JSON involved).
    Str(&'a str),
    /// A JSON value: a scalar, `null`, or an object (matched as its JSON text).
    /// Arrays are never passed: their elements are, one by one.
    Json(&'a Json),
}

/// Something rules can be evaluated against.
pub trait Record {
    /// Calls `visit` with each value at `path` until it returns `true`;
    /// returns whether it did. A path that is absent visits nothing.
    fn visit(&self, path: &FieldPath, visit: &mut dyn FnMut(FieldValue<'_>) -> bool) -> bool;

    /// Whether `path` is present (even as `null`), for the `|exists` modifier.
    fn exists(&self, path: &FieldPath) -> bool {
        self.visit(path, &mut |_| true)
    }

    /// The whole record as text, searched by keyword (field-less) detections.
    fn text(&self) -> &str;

    /// The log the record was read from: only rules whose `logsource` names
    /// it are evaluated. `None` for a log no rule applies to.
    fn log_source(&self) -> Option<LogSource> {
        Some(LogSource::CloudTrail)
    }
}

/// Visits the values at `segments` below `node`, crossing arrays.
pub fn visit_json<'a>(
    node: &'a Json,
    segments: &[Box<str>],
    visit: &mut dyn FnMut(FieldValue<'a>) -> bool,
) -> bool {
    match (segments.split_first(), node) {
        (_, Json::Array(items)) => items.iter().any(|i| visit_json(i, segments, visit)),
        (None, _) => visit(FieldValue::Json(node)),
        (Some((key, rest)), Json::Object(map)) => map
            .get(&**key)
            .is_some_and(|child| visit_json(child, rest, visit)),
        (Some(_), _) => false,
    }
}

/// Whether `segments` lead to a present key below `node` (arrays crossed).
pub fn json_exists(node: &Json, segments: &[Box<str>]) -> bool {
    match (segments.split_first(), node) {
        (None, _) => true,
        (Some(_), Json::Array(items)) => items.iter().any(|i| json_exists(i, segments)),
        (Some((key, rest)), Json::Object(map)) => {
            map.get(&**key).is_some_and(|c| json_exists(c, rest))
        }
        (Some(_), _) => false,
    }
}

/// An [`Event`] seen as a [`Record`]: typed fields answer the pivot paths;
/// other paths are looked up in the original record's text, skipping what is
/// not on the path, and a path crossing an array parses the record, at most
/// once per event. A record that fails to parse has no such fields.
pub struct EventRecord<'e> {
    event: &'e Event,
    json: OnceCell<Option<Json>>,
    top: OnceCell<Top>,
}

impl<'e> EventRecord<'e> {
    /// Wraps an event; nothing is parsed yet.
    pub fn new(event: &'e Event) -> Self {
        EventRecord {
            event,
            json: OnceCell::new(),
            top: OnceCell::new(),
        }
    }

    /// The wrapped event.
    pub fn event(&self) -> &'e Event {
        self.event
    }

    /// The record's top-level members, read at the first path looked up.
    fn find(&self, path: &FieldPath) -> Found<'e> {
        let raw: &'e str = &self.event.raw;
        self.top
            .get_or_init(|| Top::of(raw))
            .find(raw, path.segments())
    }

    fn json(&self) -> Option<&Json> {
        self.json
            .get_or_init(|| serde_json::from_str(&self.event.raw).ok())
            .as_ref()
    }
}

impl Record for EventRecord<'_> {
    fn visit(&self, path: &FieldPath, visit: &mut dyn FnMut(FieldValue<'_>) -> bool) -> bool {
        if let Some(p) = path.pivot() {
            return p.get(self.event).is_some_and(|s| visit(FieldValue::Str(s)));
        }
        if let Some(parsed) = self.json.get() {
            return parsed
                .as_ref()
                .is_some_and(|j| visit_json(j, path.segments(), visit));
        }
        // Most paths go through objects only: find the value in the text.
        match self.find(path) {
            Found::Missing => false,
            Found::Str(s) => visit(FieldValue::Str(s)),
            Found::Value(text) => {
                serde_json::from_str::<Json>(text).is_ok_and(|v| visit_json(&v, &[], visit))
            }
            Found::Fallback => self
                .json()
                .is_some_and(|j| visit_json(j, path.segments(), visit)),
        }
    }

    fn exists(&self, path: &FieldPath) -> bool {
        if path.pivot().is_some_and(|p| p.get(self.event).is_some()) {
            return true;
        }
        match self.find(path) {
            Found::Missing => false,
            Found::Str(_) | Found::Value(_) => true,
            Found::Fallback => self.json().is_some_and(|j| json_exists(j, path.segments())),
        }
    }

    fn text(&self) -> &str {
        &self.event.raw
    }

    fn log_source(&self) -> Option<LogSource> {
        Some(self.event.source)
    }
}

/// A JSON document seen as a [`Record`] (tests, other log sources).
///
/// Its log is named by a top-level `logSource` string, as readers write it
/// into non-CloudTrail records (`"logSource": "vpc_flow"`); without one it
/// is a CloudTrail record, and with an unknown name no rule applies.
pub struct JsonRecord<'a> {
    value: &'a Json,
    text: OnceCell<String>,
    log_source: Option<LogSource>,
}

impl<'a> JsonRecord<'a> {
    /// Wraps a JSON value (normally an object).
    pub fn new(value: &'a Json) -> Self {
        let log_source = match value.get("logSource") {
            Some(Json::String(name)) => LogSource::from_name(name),
            _ => Some(LogSource::CloudTrail),
        };
        JsonRecord {
            value,
            text: OnceCell::new(),
            log_source,
        }
    }
}

impl Record for JsonRecord<'_> {
    fn visit(&self, path: &FieldPath, visit: &mut dyn FnMut(FieldValue<'_>) -> bool) -> bool {
        visit_json(self.value, path.segments(), visit)
    }

    fn exists(&self, path: &FieldPath) -> bool {
        json_exists(self.value, path.segments())
    }

    fn text(&self) -> &str {
        self.text.get_or_init(|| self.value.to_string())
    }

    fn log_source(&self) -> Option<LogSource> {
        self.log_source
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn collect(r: &dyn Record, path: &str) -> Vec<String> {
        let mut out = Vec::new();
        r.visit(&FieldPath::new(path), &mut |v| {
            out.push(match v {
                FieldValue::Str(s) => s.to_owned(),
                FieldValue::Json(j) => j.to_string(),
            });
            false
        });
        out
    }

    #[test]
    fn paths_cross_objects_and_arrays() {
        let v = json!({
            "a": {"b": [{"c": 1}, {"c": [2, 3]}, {"d": 4}]},
            "n": null,
            "s": ["x", ["y"]]
        });
        let r = JsonRecord::new(&v);
        assert_eq!(collect(&r, "a.b.c"), ["1", "2", "3"]);
        assert_eq!(collect(&r, "s"), ["\"x\"", "\"y\""]);
        assert_eq!(collect(&r, "n"), ["null"]);
        assert!(collect(&r, "a.x").is_empty());
        assert!(collect(&r, "n.x").is_empty());
        assert!(r.exists(&FieldPath::new("n")));
        assert!(r.exists(&FieldPath::new("a.b.d")));
        assert!(!r.exists(&FieldPath::new("a.b.e")));
        assert!(r.text().contains("\"a\""));
    }

    #[test]
    fn json_records_name_their_log() {
        let flow = json!({"logSource": "vpc_flow", "action": "ACCEPT"});
        assert_eq!(
            JsonRecord::new(&flow).log_source(),
            Some(LogSource::VpcFlow)
        );
        let trail = json!({"eventName": "ListUsers"});
        assert_eq!(
            JsonRecord::new(&trail).log_source(),
            Some(LogSource::CloudTrail)
        );
        let odd = json!({"logSource": "syslog"});
        assert_eq!(JsonRecord::new(&odd).log_source(), None);
    }

    #[test]
    fn pivots_are_recognized() {
        assert_eq!(
            FieldPath::new("userIdentity.arn").pivot(),
            Some(Pivot::IdentityArn)
        );
        assert_eq!(FieldPath::new("userIdentity.type.x").pivot(), None);
        assert_eq!(FieldPath::new("a.b").segments().len(), 2);
    }
}
