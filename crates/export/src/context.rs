//! What a row is made of: the event and its provenance as the export sees it.

use std::borrow::Cow;

use cloudcase_event::Event;

use crate::columns::Value;

/// One event with its provenance, as every column's getter reads it.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The event.
    pub event: &'a Event,
    /// The file as `hunt --format jsonl` prints it in a finding's `file`.
    pub file: &'a str,
    /// SHA-256 of the evidence object (or plain input file), when known.
    pub sha256: Option<&'a str>,
}

/// How a column reads its value from an event.
pub type Getter = for<'a> fn(&Ctx<'a>) -> Option<Value<'a>>;

/// A borrowed text value.
pub fn text(s: Option<&str>) -> Option<Value<'_>> {
    s.map(|s| Value::Str(Cow::Borrowed(s)))
}

/// An owned text value.
pub fn owned<'a>(s: String) -> Option<Value<'a>> {
    Some(Value::Str(Cow::Owned(s)))
}

/// An integer value.
pub fn int<'a>(n: i64) -> Option<Value<'a>> {
    Some(Value::Int(n))
}
