//! Turning one framed item into a normalized [`Event`], or saying why not.

use cloudcase_event::{Category, Event, EventTime, Identity, LogSource, Provenance};
use cloudcase_util::gzip::Inflater;
use serde_json::value::RawValue;

use crate::compact::compact_into;
use crate::other::other_reader;
use crate::siem::{self, Unwrapped};
use crate::wire::{Text, WireIdentity, WireItem};
use crate::RejectKind;

/// What an item turned out to be.
pub(crate) enum Classified {
    /// A CloudTrail record (direct, unwrapped from lookup-events or EventBridge).
    Event(Box<Event>),
    /// A CloudTrail digest file's content.
    Digest,
    /// A cloudcase inventory snapshot (`aws:iam`, `aws:ec2`).
    Inventory,
    /// Not an event, with the reason.
    Reject(RejectKind, String),
}

/// Why a digest record found after a file's first record is rejected.
pub(crate) const DIGEST_INSIDE: &str = "a CloudTrail digest record inside a log file";

/// Why an inventory snapshot found after a file's first record is rejected.
pub(crate) const INVENTORY_INSIDE: &str = "a cloudcase inventory snapshot inside a log file";

/// Reusable buffers for classification, one per worker.
#[derive(Default)]
pub(crate) struct Scratch {
    compact: String,
    inner: String,
    /// The framer's read buffer, kept between files.
    pub(crate) read_buffer: Vec<u8>,
    /// The decompressor and buffers of whole-file inflate, kept between files.
    pub(crate) inflater: Inflater,
    /// Which texts events keep (what the sink said it reads).
    pub(crate) kept: Kept,
}

/// Which of a record's texts its event keeps. A sink that does not read them
/// ([`crate::EventSink::wants_text`], [`crate::EventSink::wants_bodies`]) gets
/// them empty: copying the record text and its JSON bodies was a third of
/// `stats`' memory traffic, and the bodies a third of `timeline`'s copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Kept {
    /// The whole record's text (`Event::raw`).
    pub(crate) record: bool,
    /// The JSON bodies (`request_parameters`, `response_elements`, …).
    pub(crate) bodies: bool,
}

impl Default for Kept {
    /// Everything, as a sink reads by default.
    fn default() -> Self {
        Kept {
            record: true,
            bodies: true,
        }
    }
}

fn reject(kind: RejectKind, detail: impl Into<String>) -> Classified {
    Classified::Reject(kind, detail.into())
}

/// The JSON type of the value `text` starts with, for error messages.
fn json_type(text: &str) -> &'static str {
    match text.trim_start().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't') | Some(b'f') => "a boolean",
        Some(b'n') => "null",
        Some(_) => "a number",
        None => "nothing",
    }
}

/// Classifies one framed item whose decompressed bytes start at `offset`;
/// `spaced` items (with whitespace between tokens) are compacted first.
pub(crate) fn classify(
    bytes: &[u8],
    spaced: bool,
    offset: u64,
    prov: Provenance,
    scratch: &mut Scratch,
) -> Classified {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            return reject(
                RejectKind::InvalidUtf8,
                format!("invalid UTF-8 at byte {}", offset + e.valid_up_to() as u64),
            )
        }
    };
    if text.starts_with('[') {
        if let Some(found) = siem::unwrap(text) {
            return from_wrapper(found, prov, &mut scratch.inner, scratch.kept);
        }
    }
    if !text.starts_with('{') {
        return reject(
            RejectKind::NotCloudTrail,
            format!("expected a JSON object, found {}", json_type(text)),
        );
    }
    let Scratch {
        compact,
        inner,
        kept,
        ..
    } = scratch;
    let kept = *kept;
    let text = if spaced {
        compact_into(text, compact);
        compact.as_str()
    } else {
        text
    };
    let item = match WireItem::parse(text) {
        Ok(item) => item,
        Err(e) => return parse_error(text, &e),
    };
    if let Some(wrapped) = item.cloudtrail_event {
        return unwrap_into(
            &wrapped.0,
            "the lookup-events CloudTrailEvent string",
            prov,
            inner,
            kept,
        );
    }
    if let (Some(detail), None) = (item.detail, item.event_time.as_ref()) {
        let what = match &item.detail_type {
            Some(t) => format!(
                "the EventBridge detail (detail-type {:?})",
                truncate(&t.0, 80)
            ),
            None => "the EventBridge detail".to_owned(),
        };
        return unwrap_into(detail.get(), &what, prov, inner, kept);
    }
    if item.digest_start_time.is_some() && item.log_files.is_some() {
        return Classified::Digest;
    }
    if item.inventory.is_some() && item.event_time.is_none() {
        return Classified::Inventory;
    }
    if item.event_time.is_none() {
        if let Some(read) = other_reader(&item) {
            return read(text, prov);
        }
        if let (Some(message), Some(_)) = (item.message, item.timestamp) {
            if let Some(flow) = crate::vpcflow::cloudwatch::flow_message(message, &prov) {
                return flow;
            }
            return match log_event_line(message) {
                Ok(line) => classify(line.as_bytes(), true, offset, prov, scratch),
                Err(why) => reject(RejectKind::NotCloudTrail, why),
            };
        }
    }
    if item.event_time.is_none() || item.event_name.is_none() || item.event_source.is_none() {
        if let Some(found) = siem::unwrap(text) {
            return from_wrapper(found, prov, inner, kept);
        }
    }
    build_event(item, text, prov, RecordTime::OWN, kept)
}

/// Builds the event from a record a SIEM export or query result wrapped.
fn from_wrapper(
    found: Result<Unwrapped, String>,
    prov: Provenance,
    buf: &mut String,
    kept: Kept,
) -> Classified {
    let found = match found {
        Ok(found) => found,
        Err(why) => return reject(RejectKind::NotCloudTrail, why),
    };
    *buf = found.record;
    let item = match WireItem::parse(buf) {
        Ok(item) => item,
        Err(e) => return parse_error(buf, &e),
    };
    let time = RecordTime {
        field: found.time_field,
        wrapper: found.wrapper_time.as_deref(),
    };
    build_event(item, buf, prov, time, kept)
}

/// Where an event's time is read from.
struct RecordTime<'a> {
    /// The field named as the time's source.
    field: &'static str,
    /// A wrapper's time, used when the record has no `eventTime`.
    wrapper: Option<&'a str>,
}

impl RecordTime<'_> {
    /// The record's own `eventTime`.
    const OWN: RecordTime<'static> = RecordTime {
        field: Event::EVENT_TIME,
        wrapper: None,
    };
}

/// Parses a record wrapped in an envelope (as JSON text) into an event.
fn unwrap_into(
    wrapped: &str,
    what: &str,
    prov: Provenance,
    buf: &mut String,
    kept: Kept,
) -> Classified {
    if !wrapped.trim_start().starts_with('{') {
        return reject(
            RejectKind::NotCloudTrail,
            format!(
                "{what} should hold a JSON object, found {}",
                json_type(wrapped)
            ),
        );
    }
    compact_into(wrapped, buf);
    let item = match WireItem::parse(buf) {
        Ok(item) => item,
        Err(e) => return parse_error(buf, &e),
    };
    if let Some(read) = other_reader(&item) {
        return read(buf, prov);
    }
    if item.event_time.is_none() && item.event_name.is_none() {
        return reject(
            RejectKind::NotCloudTrail,
            format!("{what} is not a CloudTrail record (no eventTime or eventName)"),
        );
    }
    build_event(item, buf, prov, RecordTime::OWN, kept)
}

/// The line a CloudWatch Logs event (`{"timestamp":…,"message":"…"}`, from
/// `events` or `logEvents`) holds, when it is a JSON record.
fn log_event_line(message: &RawValue) -> Result<String, String> {
    let line: String = serde_json::from_str(message.get()).map_err(|_| {
        format!(
            "a CloudWatch Logs event whose message is {}, not a log line",
            json_type(message.get())
        )
    })?;
    if !line.trim_start().starts_with('{') {
        return Err(format!(
            "a CloudWatch Logs event whose message is not a JSON record: {:?}",
            truncate(&line, 80)
        ));
    }
    Ok(line.trim().to_owned())
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Maps a parser error to a rejection, naming the field for type errors.
fn parse_error(text: &str, err: &serde_json::Error) -> Classified {
    let msg = err.to_string();
    if msg.contains("recursion limit") {
        return reject(RejectKind::TooDeep, "nesting deeper than 128 levels");
    }
    match err.classify() {
        serde_json::error::Category::Data => {
            let mut de = serde_json::Deserializer::from_str(text);
            let path = match serde_path_to_error::deserialize::<_, WireItem>(&mut de) {
                Err(e) => e.path().to_string(),
                Ok(_) => String::from("?"),
            };
            let kind = if msg.starts_with("duplicate field") {
                RejectKind::MalformedJson
            } else {
                RejectKind::WrongType
            };
            reject(kind, format!("{path}: {msg}"))
        }
        _ => reject(RejectKind::MalformedJson, msg),
    }
}

fn opt(t: Option<Text<'_>>) -> Option<String> {
    t.map(Text::into_string)
}

fn build_identity(w: WireIdentity<'_>) -> Identity {
    let arn = opt(w.arn);
    let role_session_name = arn
        .as_deref()
        .and_then(Identity::session_name_from_arn)
        .map(str::to_owned);
    let (mut issuer_arn, mut issuer_name, mut created, mut mfa, mut source_identity) =
        (None, None, None, None, None);
    if let Some(ctx) = w.session_context {
        if let Some(issuer) = ctx.session_issuer {
            issuer_arn = opt(issuer.arn);
            issuer_name = opt(issuer.user_name);
        }
        if let Some(attrs) = ctx.attributes {
            created = attrs
                .creation_date
                .and_then(|t| EventTime::parse(&t.0).ok());
            mfa = attrs.mfa_authenticated.map(|f| f.0);
        }
        source_identity = opt(ctx.source_identity);
    }
    Identity {
        kind: opt(w.kind),
        arn,
        principal_id: opt(w.principal_id),
        account_id: opt(w.account_id),
        user_name: opt(w.user_name),
        access_key_id: opt(w.access_key_id),
        session_issuer_arn: issuer_arn,
        session_issuer_name: issuer_name,
        session_created: created,
        mfa_authenticated: mfa,
        invoked_by: opt(w.invoked_by),
        source_identity,
        role_session_name,
        on_behalf_of_user_id: w.on_behalf_of.and_then(|o| opt(o.user_id)),
    }
}

/// The event of a CloudTrail record; without its text (`raw`) and JSON bodies unless
/// `kept` says to keep them.
fn build_event(
    item: WireItem<'_>,
    raw: &str,
    provenance: Provenance,
    when: RecordTime<'_>,
    kept: Kept,
) -> Classified {
    let time_text = item.event_time.as_ref().map(|t| &*t.0).or(when.wrapper);
    let (Some(time_text), Some(name), Some(source)) =
        (time_text, &item.event_name, &item.event_source)
    else {
        if item.event_time.is_none() && item.event_name.is_none() && item.event_source.is_none() {
            return reject(
                RejectKind::NotCloudTrail,
                "a JSON object without eventTime, eventName or eventSource",
            );
        }
        if time_text.is_none() {
            return reject(RejectKind::MissingTime, "the record has no eventTime");
        }
        let missing = if item.event_name.is_none() {
            "eventName"
        } else {
            "eventSource"
        };
        return reject(
            RejectKind::MissingField,
            format!("the record has no {missing}"),
        );
    };
    let time = match EventTime::parse(time_text) {
        Ok(t) => t,
        Err(e) => return reject(RejectKind::InvalidTime, format!("{}: {e}", when.field)),
    };
    let (event_name, event_source) = (name.0.to_string(), source.0.to_string());
    let body = |b: Option<&RawValue>| b.filter(|_| kept.bodies).map(ToOwned::to_owned);
    Classified::Event(Box::new(Event {
        time,
        time_field: when.field,
        source: LogSource::CloudTrail,
        event_source,
        event_name,
        region: opt(item.region),
        recipient_account: opt(item.recipient_account),
        identity: item.user_identity.map(build_identity).unwrap_or_default(),
        source_ip: opt(item.source_ip),
        user_agent: opt(item.user_agent),
        error_code: opt(item.error_code),
        error_message: opt(item.error_message),
        read_only: item.read_only.map(|f| f.0),
        event_type: opt(item.event_type),
        category: Category::from_field(item.event_category.as_ref().map(|t| &*t.0)),
        event_id: opt(item.event_id),
        request_id: opt(item.request_id),
        request_parameters: body(item.request_parameters),
        response_elements: body(item.response_elements),
        additional_event_data: body(item.additional_event_data),
        resources: body(item.resources),
        raw: if kept.record { raw.into() } else { "".into() },
        detail: None,
        provenance,
    }))
}
