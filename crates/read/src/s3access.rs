//! Amazon S3 server access logs, recognised by content.
//!
//! Each line is one request: space-separated fields in the documented order
//! ([`FIELDS`]), the time in brackets (`[06/Feb/2019:00:00:38 +0000]`), some
//! fields in double quotes (which may hold spaces), and `-` for a value that
//! is absent. Older logs end earlier and newer ones may add fields at the end:
//! missing trailing fields are absent, extra ones are kept in the raw record.
//!
//! A line becomes an [`Event`] shaped like a CloudTrail S3 data event: event
//! source `s3.amazonaws.com`, the event name mapped from the operation
//! ([`OPERATIONS`]), request parameters `{bucketName, key}`, and every field of
//! the line kept under `s3AccessLog` in the raw record.

use cloudcase_event::detail::S3Request;
use cloudcase_event::{
    Category, Detail, Event, EventTime, Identity, LogSource, OtherRecord, Provenance,
};
use serde_json::{Map, Value};

use crate::lines::{checked_text, TextError};
use crate::RejectKind;

/// The documented fields, in the order they appear on a line, with the name
/// each is kept under in the raw record's `s3AccessLog` object.
pub(crate) const FIELDS: &[&str] = &[
    "bucketOwner",
    "bucket",
    "time",
    "remoteIp",
    "requester",
    "requestId",
    "operation",
    "key",
    "requestUri",
    "httpStatus",
    "errorCode",
    "bytesSent",
    "objectSize",
    "totalTime",
    "turnAroundTime",
    "referer",
    "userAgent",
    "versionId",
    "hostId",
    "signatureVersion",
    "cipherSuite",
    "authenticationType",
    "hostHeader",
    "tlsVersion",
    "accessPointArn",
    "aclRequired",
];

/// Index of each field used to build the event, in [`FIELDS`].
const BUCKET: usize = 1;
const TIME: usize = 2;
const REMOTE_IP: usize = 3;
const REQUESTER: usize = 4;
const REQUEST_ID: usize = 5;
const OPERATION: usize = 6;
const KEY: usize = 7;
const HTTP_STATUS: usize = 9;
const ERROR_CODE: usize = 10;
const BYTES_SENT: usize = 11;
const OBJECT_SIZE: usize = 12;
const BUCKET_OWNER: usize = 0;
const USER_AGENT: usize = 16;

/// Fields a line must have: everything up to and including the key.
const REQUIRED: usize = KEY + 1;

/// Fields copied into the event's `additionalEventData`.
const ADDITIONAL: &[usize] = &[9, 11, 12, 16, 21];

/// Operations mapped to the CloudTrail event name of the same API call;
/// other operations keep their text.
const OPERATIONS: &[(&str, &str)] = &[
    ("REST.GET.OBJECT", "GetObject"),
    ("REST.HEAD.OBJECT", "HeadObject"),
    ("REST.PUT.OBJECT", "PutObject"),
    ("REST.POST.OBJECT", "PostObject"),
    ("REST.COPY.OBJECT", "CopyObject"),
    ("REST.COPY.OBJECT_GET", "CopyObject"),
    ("REST.COPY.PART", "UploadPartCopy"),
    ("REST.DELETE.OBJECT", "DeleteObject"),
    ("REST.POST.MULTI_OBJECT_DELETE", "DeleteObjects"),
    ("REST.DELETE.MULTI_OBJECT", "DeleteObjects"),
    ("REST.GET.BUCKET", "ListObjects"),
    ("REST.GET.BUCKETVERSIONS", "ListObjectVersions"),
    ("REST.HEAD.BUCKET", "HeadBucket"),
    ("REST.GET.SERVICE", "ListBuckets"),
    ("REST.PUT.BUCKET", "CreateBucket"),
    ("REST.DELETE.BUCKET", "DeleteBucket"),
    ("REST.GET.ACL", "GetObjectAcl"),
    ("REST.PUT.ACL", "PutObjectAcl"),
    ("REST.GET.BUCKETPOLICY", "GetBucketPolicy"),
    ("REST.PUT.BUCKETPOLICY", "PutBucketPolicy"),
    ("REST.DELETE.BUCKETPOLICY", "DeleteBucketPolicy"),
    ("REST.GET.VERSIONING", "GetBucketVersioning"),
    ("REST.PUT.VERSIONING", "PutBucketVersioning"),
    ("REST.GET.LOGGING_STATUS", "GetBucketLogging"),
    ("REST.PUT.LOGGING_STATUS", "PutBucketLogging"),
    ("REST.GET.ENCRYPTION", "GetBucketEncryption"),
    ("REST.PUT.ENCRYPTION", "PutBucketEncryption"),
    ("REST.DELETE.ENCRYPTION", "DeleteBucketEncryption"),
    ("REST.GET.LOCATION", "GetBucketLocation"),
    ("REST.GET.LIFECYCLE", "GetBucketLifecycle"),
    ("REST.PUT.LIFECYCLE", "PutBucketLifecycle"),
    ("REST.GET.PUBLIC_ACCESS_BLOCK", "GetPublicAccessBlock"),
    ("REST.PUT.PUBLIC_ACCESS_BLOCK", "PutPublicAccessBlock"),
    ("REST.DELETE.PUBLIC_ACCESS_BLOCK", "DeletePublicAccessBlock"),
    ("REST.POST.UPLOADS", "CreateMultipartUpload"),
    ("REST.PUT.PART", "UploadPart"),
    ("REST.POST.UPLOAD", "CompleteMultipartUpload"),
    ("REST.DELETE.UPLOAD", "AbortMultipartUpload"),
    ("REST.GET.OBJECT_TAGGING", "GetObjectTagging"),
    ("REST.PUT.OBJECT_TAGGING", "PutObjectTagging"),
    ("REST.POST.RESTORE", "RestoreObject"),
];

/// Why a line is not an access-log record.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum LineError {
    /// The line is not text (not UTF-8, or a control character).
    #[error(transparent)]
    Text(#[from] TextError),
    /// A quoted or bracketed field never closed.
    #[error("{0} field {1} is not closed before the end of the line")]
    Unclosed(&'static str, &'static str),
    /// Fewer fields than an access-log record always has.
    #[error("{0} fields; an S3 server access log line has at least {REQUIRED} (up to the key)")]
    TooFew(usize),
    /// The bracketed time cannot be read.
    #[error("time {0:?} is not [dd/Mon/yyyy:HH:MM:SS +zzzz]")]
    Time(String),
}

impl LineError {
    /// The rejection kind for this problem.
    pub(crate) fn kind(&self) -> RejectKind {
        match self {
            LineError::Text(e) => e.kind(),
            _ => RejectKind::MalformedLine,
        }
    }
}

/// Whether `prefix` (the start of a file's content) looks like an access-log
/// line: a hex canonical owner id, a bucket name, then a bracketed time.
pub(crate) fn sniff(prefix: &[u8]) -> bool {
    let mut parts = prefix.splitn(3, |&b| b == b' ');
    let (Some(owner), Some(bucket), Some(rest)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    owner.len() >= 16
        && owner.iter().all(u8::is_ascii_hexdigit)
        && !bucket.is_empty()
        && bucket
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        && rest.first() == Some(&b'[')
        && rest.iter().take(40).any(|&b| b == b']')
}

/// Splits a line into its fields, quotes and brackets removed; `-` is `None`.
fn split(text: &str) -> Result<Vec<Option<&str>>, LineError> {
    let mut fields = Vec::with_capacity(FIELDS.len());
    let mut rest = text.trim_start_matches(' ');
    while !rest.is_empty() {
        let name = FIELDS.get(fields.len()).copied().unwrap_or("extra");
        let (value, after) = match rest.as_bytes()[0] {
            b'"' => closed(&rest[1..], b'"').ok_or(LineError::Unclosed("quoted", name))?,
            b'[' => closed(&rest[1..], b']').ok_or(LineError::Unclosed("bracketed", name))?,
            _ => rest.split_once(' ').unwrap_or((rest, "")),
        };
        fields.push((value != "-").then_some(value));
        rest = after.trim_start_matches(' ');
    }
    Ok(fields)
}

/// The text before the first unescaped `close` in `s`, and what follows it.
fn closed(s: &str, close: u8) -> Option<(&str, &str)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b if b == close => return Some((&s[..i], &s[i + 1..])),
            _ => i += 1,
        }
    }
    None
}

/// Reads `06/Feb/2019:00:00:38 +0000`.
fn parse_time(text: &str) -> Result<EventTime, LineError> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let bad = || LineError::Time(text.chars().take(64).collect());
    let (stamp, zone) = text.split_once(' ').ok_or_else(bad)?;
    let mut date = stamp.splitn(3, '/');
    let (Some(day), Some(month), Some(rest)) = (date.next(), date.next(), date.next()) else {
        return Err(bad());
    };
    let (year, clock) = rest.split_once(':').ok_or_else(bad)?;
    let month = MONTHS.iter().position(|m| *m == month).ok_or_else(bad)? + 1;
    let zone = zone.as_bytes();
    let digits = zone
        .get(1..)
        .is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if zone.len() != 5 || !matches!(zone[0], b'+' | b'-') || !digits {
        return Err(bad());
    }
    if day.len() != 2 || year.len() != 4 {
        return Err(bad());
    }
    let zone = std::str::from_utf8(zone).map_err(|_| bad())?;
    let rfc = format!(
        "{year}-{month:02}-{day}T{clock}{}:{}",
        &zone[..3],
        &zone[3..]
    );
    EventTime::parse(&rfc).map_err(|_| bad())
}

/// The principal named by the requester field: an ARN, a canonical user id,
/// or nobody (`-`: an unauthenticated request).
fn identity(requester: Option<&str>) -> Identity {
    let Some(who) = requester else {
        return Identity {
            kind: Some("Anonymous".into()),
            principal_id: Some("anonymous".into()),
            ..Identity::default()
        };
    };
    if !who.starts_with("arn:") {
        return Identity {
            kind: Some("CanonicalUser".into()),
            principal_id: Some(who.into()),
            ..Identity::default()
        };
    }
    let account = who.split(':').nth(4).filter(|a| !a.is_empty());
    let kind = if who.contains(":assumed-role/") {
        "AssumedRole"
    } else if who.contains(":user/") {
        "IAMUser"
    } else if who.ends_with(":root") {
        "Root"
    } else {
        "AWSAccount"
    };
    Identity {
        kind: Some(kind.into()),
        arn: Some(who.into()),
        account_id: account.map(Into::into),
        user_name: (kind == "IAMUser")
            .then(|| who.rsplit('/').next().map(Into::into))
            .flatten(),
        role_session_name: Identity::session_name_from_arn(who).map(Into::into),
        ..Identity::default()
    }
}

/// The CloudTrail event name for an operation, else the operation itself.
fn event_name(operation: &str) -> String {
    OPERATIONS
        .iter()
        .find(|(op, _)| *op == operation)
        .map_or(operation, |(_, name)| name)
        .to_owned()
}

/// Whether the operation only reads (`REST.GET.*`, `REST.HEAD.*`) or
/// changes something (`PUT`, `POST`, `DELETE`); unknown for others.
fn read_only(operation: &str) -> Option<bool> {
    let verb = operation.split('.').nth(1)?;
    match verb {
        "GET" | "HEAD" => Some(true),
        "PUT" | "POST" | "DELETE" | "COPY" => Some(false),
        _ => None,
    }
}

/// A JSON object of the named fields that are present.
fn object<'a>(fields: impl Iterator<Item = (&'a str, Option<&'a str>)>) -> Map<String, Value> {
    fields
        .filter_map(|(k, v)| Some((k.to_owned(), Value::String(v?.to_owned()))))
        .collect()
}

fn raw_json(value: &Map<String, Value>) -> Box<serde_json::value::RawValue> {
    serde_json::value::to_raw_value(value).unwrap_or_else(|_| Box::default())
}

/// Turns one line into an event, or says why it is not an access-log record.
pub(crate) fn parse_line(line: &[u8], provenance: Provenance) -> Result<Event, LineError> {
    let fields = split(checked_text(line)?)?;
    if fields.len() < REQUIRED {
        return Err(LineError::TooFew(fields.len()));
    }
    let get = |i: usize| fields.get(i).copied().flatten();
    let time_text = get(TIME).unwrap_or("-");
    let time = parse_time(time_text)?;
    let operation = get(OPERATION).unwrap_or("-");
    let identity = identity(get(REQUESTER));
    let named = FIELDS.iter().copied().zip(fields.iter().copied());
    let mut log = object(named);
    if let Some(extra) = fields.get(FIELDS.len()..) {
        let extra: Vec<Value> = extra
            .iter()
            .map(|v| v.map_or(Value::Null, |s| Value::String(s.into())))
            .collect();
        if !extra.is_empty() {
            log.insert("extraFields".into(), Value::Array(extra));
        }
    }
    let params = object([("bucketName", get(BUCKET)), ("key", get(KEY))].into_iter());
    let additional = object(ADDITIONAL.iter().map(|&i| (FIELDS[i], get(i))));
    let event_name = event_name(operation);
    let mut record = object(
        [
            ("eventTime", Some(time.to_utc_string().as_str())),
            ("eventSource", Some("s3.amazonaws.com")),
            ("eventName", Some(event_name.as_str())),
            ("sourceIPAddress", get(REMOTE_IP)),
            ("userAgent", get(USER_AGENT)),
            ("errorCode", get(ERROR_CODE)),
            ("requestID", get(REQUEST_ID)),
            ("eventCategory", Some("Data")),
            ("logSource", Some(LogSource::S3Access.as_str())),
        ]
        .into_iter(),
    );
    record.insert("requestParameters".into(), Value::Object(params.clone()));
    record.insert(
        "additionalEventData".into(),
        Value::Object(additional.clone()),
    );
    record.insert("s3AccessLog".into(), Value::Object(log));
    let raw = Value::Object(record).to_string();
    Ok(Event {
        identity,
        source_ip: get(REMOTE_IP).map(Into::into),
        user_agent: get(USER_AGENT).map(Into::into),
        error_code: get(ERROR_CODE).map(Into::into),
        read_only: read_only(operation),
        event_type: Some("AwsApiCall".into()),
        request_id: get(REQUEST_ID).map(Into::into),
        request_parameters: Some(raw_json(&params)),
        additional_event_data: Some(raw_json(&additional)),
        ..Event::other(OtherRecord {
            source: LogSource::S3Access,
            time,
            time_field: "time",
            event_source: "s3.amazonaws.com".into(),
            event_name,
            category: Category::Data,
            raw: raw.into(),
            detail: Some(Detail::S3Request(S3Request {
                bucket: get(BUCKET).unwrap_or("-").to_owned(),
                key: get(KEY).map(Into::into),
                operation: operation.to_owned(),
                http_status: get(HTTP_STATUS).and_then(|s| s.parse().ok()),
                bytes_sent: get(BYTES_SENT).and_then(|s| s.parse().ok()),
                object_size: get(OBJECT_SIZE).and_then(|s| s.parse().ok()),
                requester: get(REQUESTER).map(Into::into),
                bucket_owner: get(BUCKET_OWNER).map(Into::into),
            })),
            provenance,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::prov;

    const OWNER: &str = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";

    fn parse(rest: &str) -> Result<Event, LineError> {
        parse_line(
            format!("{OWNER} awsexamplebucket1 {rest}").as_bytes(),
            prov("access-2019-02-06-00-00-38-ABC"),
        )
    }

    #[test]
    fn documented_example_line_reads_every_field() {
        let ev = parse("[06/Feb/2019:00:01:57 +0000] 192.0.2.3 arn:aws:iam::111122223333:user/bob DD6CC733AEXAMPLE REST.PUT.OBJECT s3-dg.pdf \"PUT /awsexamplebucket1/s3-dg.pdf HTTP/1.1\" 200 - - 4406583 41754 28 \"-\" \"S3Console/0.4\" - 10S62Zv81kBW= SigV4 ECDHE-RSA-AES128-SHA AuthHeader awsexamplebucket1.s3.us-west-1.amazonaws.com TLSV1.1 - Yes").unwrap();
        assert_eq!(ev.time.to_utc_string(), "2019-02-06T00:01:57.000Z");
        assert_eq!(ev.source, LogSource::S3Access);
        assert_eq!(ev.event_name, "PutObject");
        assert_eq!(ev.event_source, "s3.amazonaws.com");
        assert_eq!(ev.source_ip.as_deref(), Some("192.0.2.3"));
        assert_eq!(ev.identity.user_name.as_deref(), Some("bob"));
        assert_eq!(ev.identity.kind.as_deref(), Some("IAMUser"));
        assert_eq!(ev.read_only, Some(false));
        let raw: Value = serde_json::from_str(&ev.raw).unwrap();
        assert_eq!(raw["requestParameters"]["bucketName"], "awsexamplebucket1");
        assert_eq!(raw["requestParameters"]["key"], "s3-dg.pdf");
        assert_eq!(raw["additionalEventData"]["objectSize"], "4406583");
        assert_eq!(
            raw["additionalEventData"]["authenticationType"],
            "AuthHeader"
        );
        assert_eq!(raw["s3AccessLog"]["aclRequired"], "Yes");
        assert_eq!(raw["s3AccessLog"]["tlsVersion"], "TLSV1.1");
        assert!(raw["s3AccessLog"].get("referer").is_none());
        let Some(Detail::S3Request(req)) = ev.detail.as_deref() else {
            panic!("no typed request: {:?}", ev.detail)
        };
        assert_eq!(req.bucket, "awsexamplebucket1");
        assert_eq!(req.key.as_deref(), Some("s3-dg.pdf"));
        assert_eq!(req.operation, "REST.PUT.OBJECT");
        assert_eq!(req.http_status, Some(200));
        assert_eq!(req.bytes_sent, None);
        assert_eq!(req.object_size, Some(4_406_583));
        assert_eq!(req.bucket_owner.as_deref(), Some(OWNER));
        assert_eq!(
            req.requester.as_deref(),
            Some("arn:aws:iam::111122223333:user/bob")
        );
    }

    #[test]
    fn anonymous_ipv6_short_and_long_lines() {
        let ev = parse("[06/Feb/2019:00:00:38 -0130] 2001:db8::1 - 3E57 REST.GET.BUCKET - \"GET /b?x HTTP/1.1\" 403 AccessDenied").unwrap();
        assert_eq!(ev.time.to_utc_string(), "2019-02-06T01:30:38.000Z");
        assert_eq!(ev.identity.kind.as_deref(), Some("Anonymous"));
        assert_eq!(ev.event_name, "ListObjects");
        assert_eq!(ev.error_code.as_deref(), Some("AccessDenied"));
        assert_eq!(ev.source_ip.as_deref(), Some("2001:db8::1"));
        let long = format!("[06/Feb/2019:00:00:38 +0000] 192.0.2.3 - R REST.GET.WEBSITE k \"u\" 200{} new1 \"new 2\"", " -".repeat(16));
        let ev = parse(&long).unwrap();
        assert_eq!(ev.event_name, "REST.GET.WEBSITE");
        let raw: Value = serde_json::from_str(&ev.raw).unwrap();
        assert_eq!(raw["s3AccessLog"]["extraFields"][1], "new 2");
    }

    #[test]
    fn malformed_lines_say_why() {
        let unclosed =
            parse("[06/Feb/2019:00:00:38 +0000] 192.0.2.3 - R REST.GET.OBJECT k \"GET /x");
        assert_eq!(
            unclosed.unwrap_err(),
            LineError::Unclosed("quoted", "requestUri")
        );
        let time = parse("[06/Foo/2019:00:00:38 +0000] 192.0.2.3 - R REST.GET.OBJECT k");
        assert!(matches!(time.unwrap_err(), LineError::Time(_)));
        let zone = parse("[06/Feb/2019:00:00:38 +0\u{e9}0] 192.0.2.3 - R REST.GET.OBJECT k");
        assert!(matches!(zone.unwrap_err(), LineError::Time(_)));
        assert_eq!(
            parse("[06/Feb/2019:00:00:38 +0000] 1.2.3.4").unwrap_err(),
            LineError::TooFew(4)
        );
        let control = parse("[06/Feb/2019:00:00:38 +0000] 192.0.2.3 - R REST.GET.OBJECT k\x1b[31m");
        assert!(matches!(
            control.unwrap_err(),
            LineError::Text(TextError::Control { byte: 0x1b, .. })
        ));
        let utf8 = parse_line(b"\xff\xfe", prov("access-2019-02-06-00-00-38-ABC")).unwrap_err();
        assert_eq!(utf8, LineError::Text(TextError::Utf8(0)));
        assert_eq!(utf8.kind(), RejectKind::InvalidUtf8);
        let bracket = parse("[06/Feb/2019:00:00:38 +0000 192.0.2.3");
        assert_eq!(
            bracket.unwrap_err(),
            LineError::Unclosed("bracketed", "time")
        );
    }

    #[test]
    fn sniffing_wants_owner_bucket_and_bracketed_time() {
        let line = format!("{OWNER} b [06/Feb/2019:00:00:38 +0000] 1.2.3.4");
        assert!(sniff(line.as_bytes()));
        assert!(!sniff(b"{\"Records\":[]}"));
        assert!(!sniff(b"version account-id interface-id srcaddr"));
        assert!(!sniff(format!("{OWNER} b 06/Feb/2019").as_bytes()));
    }
}
