//! JSON records of logs other than CloudTrail: which reader an item's
//! content marks it for, and what those readers share (refusals, type errors
//! located by path, the raw record tagged with its log source).

use cloudcase_event::{Event, LogSource, Provenance};

use crate::normalize::Classified;
use crate::wire::WireItem;
use crate::{guardduty, route53, RejectKind};

/// A reader of records that are not CloudTrail's.
struct OtherReader {
    /// Whether an item's content marks it as this reader's.
    recognise: fn(&WireItem<'_>) -> bool,
    /// Reads the item (compact JSON text) into an event or a rejection.
    read: fn(&str, Provenance) -> Classified,
}

/// The readers of other logs' JSON records, tried in order.
const OTHER_READERS: &[OtherReader] = &[
    OtherReader {
        recognise: guardduty::recognise,
        read: |text, prov| outcome(guardduty::read(text, prov)),
    },
    OtherReader {
        recognise: route53::recognise,
        read: |text, prov| outcome(route53::read(text, prov)),
    },
];

/// How to read `item`, when its content marks it as another log's record.
pub(crate) fn other_reader(item: &WireItem<'_>) -> Option<fn(&str, Provenance) -> Classified> {
    OTHER_READERS
        .iter()
        .find(|r| (r.recognise)(item))
        .map(|r| r.read)
}

/// Why a reader refused a record: the rejection's kind and, as text, its detail.
pub(crate) trait Refusal: std::fmt::Display {
    /// The kind of rejection.
    fn kind(&self) -> RejectKind;
}

fn outcome<E: Refusal>(read: Result<Event, E>) -> Classified {
    match read {
        Ok(event) => Classified::Event(Box::new(event)),
        Err(why) => Classified::Reject(why.kind(), why.to_string()),
    }
}

/// A JSON record whose fields do not have the types its reader expects,
/// located by its path (`service.count: invalid type: …`).
#[derive(Debug, thiserror::Error)]
#[error("{at}{message}")]
pub(crate) struct ShapeError {
    kind: RejectKind,
    /// `path: `, or nothing for the whole record.
    at: String,
    message: String,
}

impl ShapeError {
    /// Parses the JSON value `text` (nothing after it) as a `T`.
    pub(crate) fn parse<'de, T: serde::Deserialize<'de>>(text: &'de str) -> Result<T, ShapeError> {
        let mut de = serde_json::Deserializer::from_str(text);
        let value = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| ShapeError::of(e.inner(), &e.path().to_string()))?;
        de.end().map_err(|e| ShapeError::of(&e, ""))?;
        Ok(value)
    }

    /// The error `err` met at `path` (empty, or `.`, for the whole record).
    pub(crate) fn of(err: &serde_json::Error, path: &str) -> ShapeError {
        let at = match path {
            "" | "." => String::new(),
            _ => format!("{path}: "),
        };
        let mut message = err.to_string();
        let kind = if message.contains("recursion limit") {
            message = "nesting deeper than 128 levels".to_owned();
            RejectKind::TooDeep
        } else if err.classify() != serde_json::error::Category::Data
            || message.starts_with("duplicate field")
        {
            RejectKind::MalformedJson
        } else {
            RejectKind::WrongType
        };
        ShapeError { kind, at, message }
    }
}

impl Refusal for ShapeError {
    fn kind(&self) -> RejectKind {
        self.kind
    }
}

/// `text`, a compact JSON object, with `"logSource":"…"` first, unless it
/// is `tagged` with one already.
pub(crate) fn tag_raw(text: &str, source: LogSource, tagged: bool) -> Box<str> {
    match text.strip_prefix('{') {
        Some(rest) if !tagged => {
            let comma = if rest.starts_with('}') { "" } else { "," };
            format!("{{\"logSource\":\"{}\"{comma}{rest}", source.as_str()).into()
        }
        _ => text.into(),
    }
}
