//! The fast path of [`WireItem::parse`]: the fields a record's `WireItem` names,
//! read straight from compact JSON text.
//!
//! serde_json spent most of a record's parse on its keys and short strings
//! (whitespace checks, escape scans and dispatch per token). This reader scans
//! each key and string sixteen bytes at a time, looks keys up in a table from
//! where the last key was found, and leaves only the JSON bodies
//! (`requestParameters`, …) and unknown containers to serde_json, which
//! validates them as before.
//!
//! It reads only what it reads exactly as serde would, and gives up (`None`)
//! on everything else, so that the caller parses the record with serde:
//! whitespace between tokens, escapes in keys or typed fields, numbers or
//! booleans where text is expected, a field given twice, anything malformed.
//! A record either gets the item serde would build or goes to serde.

use serde_json::value::RawValue;

use super::{
    Flag, Text, WireAttributes, WireIdentity, WireIssuer, WireItem, WireOnBehalfOf, WireSession,
};

/// Where a field's value goes in the item being built.
enum Slot {
    /// A scalar kept as text.
    Text(for<'x, 'a> fn(&'x mut WireItem<'a>) -> &'x mut Option<Text<'a>>),
    /// A JSON value kept as its text, validated by serde_json.
    Raw(for<'x, 'a> fn(&'x mut WireItem<'a>) -> &'x mut Option<&'a RawValue>),
    /// A boolean, or the strings `"true"`/`"false"`.
    Flag(for<'x, 'a> fn(&'x mut WireItem<'a>) -> &'x mut Option<Flag>),
    /// A nested object: `open` creates it, `fields` are its own.
    Object {
        open: for<'a> fn(&mut WireItem<'a>),
        fields: &'static [Field],
    },
}

/// One key of an object the item names.
struct Field {
    /// The key as CloudTrail writes it.
    name: &'static str,
    /// The key's words, compared before its bytes.
    words: KeyWords,
    /// The field's number within its object: aliases share it, so that a
    /// field given under both names is a duplicate, as serde says.
    id: u8,
    slot: Slot,
}

/// The table entry for `name`.
const fn field(name: &'static str, id: u8, slot: Slot) -> Field {
    Field {
        name,
        words: KeyWords::of(name.as_bytes()),
        id,
        slot,
    }
}

/// The record's own keys, in the order CloudTrail usually writes them.
static ITEM: &[Field] = &[
    field(
        "userIdentity",
        0,
        Slot::Object {
            open: |i| i.user_identity = Some(WireIdentity::default()),
            fields: IDENTITY,
        },
    ),
    field("eventTime", 1, Slot::Text(|i| &mut i.event_time)),
    field("eventSource", 2, Slot::Text(|i| &mut i.event_source)),
    field("eventName", 3, Slot::Text(|i| &mut i.event_name)),
    field("awsRegion", 4, Slot::Text(|i| &mut i.region)),
    field("sourceIPAddress", 5, Slot::Text(|i| &mut i.source_ip)),
    field("userAgent", 6, Slot::Text(|i| &mut i.user_agent)),
    field("errorCode", 7, Slot::Text(|i| &mut i.error_code)),
    field("errorMessage", 8, Slot::Text(|i| &mut i.error_message)),
    field(
        "requestParameters",
        9,
        Slot::Raw(|i| &mut i.request_parameters),
    ),
    field(
        "responseElements",
        10,
        Slot::Raw(|i| &mut i.response_elements),
    ),
    field(
        "additionalEventData",
        11,
        Slot::Raw(|i| &mut i.additional_event_data),
    ),
    field("requestID", 12, Slot::Text(|i| &mut i.request_id)),
    field("eventID", 13, Slot::Text(|i| &mut i.event_id)),
    field("readOnly", 14, Slot::Flag(|i| &mut i.read_only)),
    field("resources", 15, Slot::Raw(|i| &mut i.resources)),
    field("eventType", 16, Slot::Text(|i| &mut i.event_type)),
    field(
        "recipientAccountId",
        17,
        Slot::Text(|i| &mut i.recipient_account),
    ),
    field("eventCategory", 18, Slot::Text(|i| &mut i.event_category)),
    field(
        "CloudTrailEvent",
        19,
        Slot::Text(|i| &mut i.cloudtrail_event),
    ),
    field("detail", 20, Slot::Raw(|i| &mut i.detail)),
    field("detail-type", 21, Slot::Text(|i| &mut i.detail_type)),
    field(
        "digestStartTime",
        22,
        Slot::Raw(|i| &mut i.digest_start_time),
    ),
    field("logFiles", 23, Slot::Raw(|i| &mut i.log_files)),
    field("cloudcase_inventory", 24, Slot::Raw(|i| &mut i.inventory)),
    field("schemaVersion", 25, Slot::Raw(|i| &mut i.schema_version)),
    field("SchemaVersion", 25, Slot::Raw(|i| &mut i.schema_version)),
    field("resource", 26, Slot::Raw(|i| &mut i.resource)),
    field("Resource", 26, Slot::Raw(|i| &mut i.resource)),
    field("service", 27, Slot::Raw(|i| &mut i.service)),
    field("Service", 27, Slot::Raw(|i| &mut i.service)),
    field("query_name", 28, Slot::Raw(|i| &mut i.query_name)),
    field("query_timestamp", 29, Slot::Raw(|i| &mut i.query_timestamp)),
    field("srcaddr", 30, Slot::Raw(|i| &mut i.srcaddr)),
    field("vpc_id", 31, Slot::Raw(|i| &mut i.vpc_id)),
    field("message", 32, Slot::Raw(|i| &mut i.message)),
    field("timestamp", 33, Slot::Raw(|i| &mut i.timestamp)),
];

/// `userIdentity`'s keys.
static IDENTITY: &[Field] = &[
    field("type", 0, Slot::Text(|i| &mut identity(i).kind)),
    field(
        "principalId",
        1,
        Slot::Text(|i| &mut identity(i).principal_id),
    ),
    field("arn", 2, Slot::Text(|i| &mut identity(i).arn)),
    field("accountId", 3, Slot::Text(|i| &mut identity(i).account_id)),
    field(
        "accessKeyId",
        4,
        Slot::Text(|i| &mut identity(i).access_key_id),
    ),
    field("userName", 5, Slot::Text(|i| &mut identity(i).user_name)),
    field(
        "sessionContext",
        6,
        Slot::Object {
            open: |i| identity(i).session_context = Some(WireSession::default()),
            fields: SESSION,
        },
    ),
    field("invokedBy", 7, Slot::Text(|i| &mut identity(i).invoked_by)),
    field(
        "onBehalfOf",
        8,
        Slot::Object {
            open: |i| identity(i).on_behalf_of = Some(WireOnBehalfOf::default()),
            fields: ON_BEHALF_OF,
        },
    ),
];

/// `userIdentity.sessionContext`'s keys.
static SESSION: &[Field] = &[
    field(
        "sessionIssuer",
        0,
        Slot::Object {
            open: |i| session(i).session_issuer = Some(WireIssuer::default()),
            fields: ISSUER,
        },
    ),
    field(
        "attributes",
        1,
        Slot::Object {
            open: |i| session(i).attributes = Some(WireAttributes::default()),
            fields: ATTRIBUTES,
        },
    ),
    field(
        "sourceIdentity",
        2,
        Slot::Text(|i| &mut session(i).source_identity),
    ),
];

/// `userIdentity.sessionContext.sessionIssuer`'s keys.
static ISSUER: &[Field] = &[
    field("arn", 0, Slot::Text(|i| &mut issuer(i).arn)),
    field("userName", 1, Slot::Text(|i| &mut issuer(i).user_name)),
];

/// `userIdentity.sessionContext.attributes`' keys.
static ATTRIBUTES: &[Field] = &[
    field(
        "creationDate",
        0,
        Slot::Text(|i| &mut attributes(i).creation_date),
    ),
    field(
        "mfaAuthenticated",
        1,
        Slot::Flag(|i| &mut attributes(i).mfa_authenticated),
    ),
];

/// `userIdentity.onBehalfOf`'s keys.
static ON_BEHALF_OF: &[Field] = &[field(
    "userId",
    0,
    Slot::Text(|i| &mut on_behalf_of(i).user_id),
)];

fn identity<'x, 'a>(i: &'x mut WireItem<'a>) -> &'x mut WireIdentity<'a> {
    i.user_identity.get_or_insert_with(WireIdentity::default)
}

fn session<'x, 'a>(i: &'x mut WireItem<'a>) -> &'x mut WireSession<'a> {
    identity(i)
        .session_context
        .get_or_insert_with(WireSession::default)
}

fn issuer<'x, 'a>(i: &'x mut WireItem<'a>) -> &'x mut WireIssuer<'a> {
    session(i)
        .session_issuer
        .get_or_insert_with(WireIssuer::default)
}

fn attributes<'x, 'a>(i: &'x mut WireItem<'a>) -> &'x mut WireAttributes<'a> {
    session(i)
        .attributes
        .get_or_insert_with(WireAttributes::default)
}

fn on_behalf_of<'x, 'a>(i: &'x mut WireItem<'a>) -> &'x mut WireOnBehalfOf<'a> {
    identity(i)
        .on_behalf_of
        .get_or_insert_with(WireOnBehalfOf::default)
}

/// Reads `text` into `item` (which must be empty), or says it cannot
/// (`None`, with `item` partly filled) and the record goes to serde.
pub(super) fn read_into<'a>(text: &'a str, item: &mut WireItem<'a>) -> Option<()> {
    let mut cursor = Cursor {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    cursor.object(item, ITEM)?;
    (cursor.pos == text.len()).then_some(())
}

/// The index of the field named `key`, looked for from `from` on, then from
/// the start: records list their keys in much the same order, so the field
/// after the last one found is usually the next.
fn find(fields: &[Field], from: usize, key: &str) -> Option<usize> {
    let words = KeyWords::of_key(key.as_bytes());
    let is_key = |f: &Field| {
        f.words == words && (key.len() <= 2 * WORD || f.name.as_bytes() == key.as_bytes())
    };
    let (before, after) = fields.split_at(from.min(fields.len()));
    after
        .iter()
        .position(is_key)
        .map(|i| from + i)
        .or_else(|| before.iter().position(is_key))
}

/// The bytes in a word.
const WORD: usize = 8;

/// A key's length and its first and last eight bytes (zero-padded when it
/// is shorter). Keys of up to sixteen bytes (most of CloudTrail's) are equal
/// when these are, without a call to compare their bytes; longer ones are
/// compared in full only when these match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KeyWords {
    len: usize,
    head: u64,
    tail: u64,
}

impl KeyWords {
    /// The words of a table's key, at compile time.
    const fn of(bytes: &[u8]) -> KeyWords {
        KeyWords {
            len: bytes.len(),
            head: word_at(bytes, 0),
            tail: word_at(bytes, bytes.len().saturating_sub(WORD)),
        }
    }

    /// The words of a key read from a record: the same as [`KeyWords::of`],
    /// by whole-word loads when the key is long enough.
    fn of_key(bytes: &[u8]) -> KeyWords {
        let (Some(head), Some(tail)) = (bytes.first_chunk::<WORD>(), bytes.last_chunk::<WORD>())
        else {
            return KeyWords::of(bytes);
        };
        KeyWords {
            len: bytes.len(),
            head: u64::from_le_bytes(*head),
            tail: u64::from_le_bytes(*tail),
        }
    }
}

/// Up to eight bytes of `bytes` from `at`, little-endian, zero-padded.
const fn word_at(bytes: &[u8], at: usize) -> u64 {
    let mut word = 0u64;
    let mut i = 0;
    while i < WORD && at + i < bytes.len() {
        word |= (bytes[at + i] as u64) << (8 * i);
        i += 1;
    }
    word
}

/// Every byte of a word.
const ONES: u64 = u64::MAX / 255;

/// The high bit of each byte of `word` whose byte is `"`, `\` or a control
/// character; the lowest one marks the first such byte exactly.
fn specials(word: u64) -> u64 {
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (control | quote | backslash) & (ONES << 7)
}

/// Where the first `"`, `\` or control character in `bytes` is: sixteen
/// bytes per compare on x86-64 (SSE2 is part of its baseline), then eight at
/// a time. Most of a record's strings are short, so the cost per string
/// counts as much as the cost per byte.
fn find_special(bytes: &[u8]) -> Option<usize> {
    let mut base = 0;
    #[cfg(target_arch = "x86_64")]
    {
        let mut blocks = bytes.chunks_exact(16);
        for block in &mut blocks {
            let found = specials16(block);
            if found != 0 {
                return Some(base + found.trailing_zeros() as usize);
            }
            base += 16;
        }
    }
    let rest = &bytes[base..];
    let mut words = rest.chunks_exact(8);
    for word in &mut words {
        let found = specials(u64::from_le_bytes(word.try_into().unwrap_or([0; 8])));
        if found != 0 {
            return Some(base + found.trailing_zeros() as usize / 8);
        }
        base += 8;
    }
    words
        .remainder()
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
        .map(|i| base + i)
}

/// A bit for each of `block`'s 16 bytes that is `"`, `\` or a control character.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn specials16(block: &[u8]) -> u32 {
    use std::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128,
        _mm_set1_epi8,
    };
    debug_assert_eq!(block.len(), 16);
    // SAFETY: SSE2 is part of the x86-64 baseline, so these intrinsics are
    // always available; the unaligned load reads the 16 bytes of `block`,
    // which callers take from `chunks_exact(16)`.
    unsafe {
        let byte = |b: u8| _mm_set1_epi8(b as i8);
        let v = _mm_loadu_si128(block.as_ptr().cast::<__m128i>());
        // A byte is below 0x20 when its unsigned maximum with 0x1f is 0x1f.
        let control = _mm_cmpeq_epi8(_mm_max_epu8(v, byte(0x1f)), byte(0x1f));
        let quote = _mm_cmpeq_epi8(v, byte(b'"'));
        let backslash = _mm_cmpeq_epi8(v, byte(b'\\'));
        _mm_movemask_epi8(_mm_or_si128(control, _mm_or_si128(quote, backslash))) as u32
    }
}

/// A position in compact JSON text.
struct Cursor<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    /// The next byte, consumed.
    fn next(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// Consumes `b`, which must come next.
    fn eat(&mut self, b: u8) -> Option<()> {
        (self.next()? == b).then_some(())
    }

    /// Consumes `word` (a literal such as `null`) when it comes next.
    fn literal(&mut self, word: &str) -> bool {
        let found = self.bytes[self.pos..].starts_with(word.as_bytes());
        if found {
            self.pos += word.len();
        }
        found
    }

    /// An object whose known keys are `fields`; unknown keys are skipped.
    fn object(&mut self, item: &mut WireItem<'a>, fields: &'static [Field]) -> Option<()> {
        self.eat(b'{')?;
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Some(());
        }
        let mut seen = 0u64;
        let mut next = 0;
        loop {
            let key = self.plain_string()?;
            self.eat(b':')?;
            match find(fields, next, key) {
                Some(at) => {
                    let field = &fields[at];
                    let bit = 1u64 << field.id;
                    if seen & bit != 0 {
                        return None;
                    }
                    seen |= bit;
                    next = at + 1;
                    self.field(item, &field.slot)?;
                }
                None => self.skip_value()?,
            }
            match self.next()? {
                b',' => continue,
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    /// A known field's value into its slot; `null` leaves the slot empty, as
    /// serde's `Option` does.
    fn field(&mut self, item: &mut WireItem<'a>, slot: &Slot) -> Option<()> {
        if self.literal("null") {
            return Some(());
        }
        match slot {
            Slot::Text(at) => {
                let value = self.plain_string()?;
                *at(item) = Some(Text(value.into()));
            }
            Slot::Raw(at) => *at(item) = Some(self.raw_value()?),
            Slot::Flag(at) => *at(item) = Some(self.flag()?),
            Slot::Object { open, fields } => {
                open(item);
                self.object(item, fields)?;
            }
        }
        Some(())
    }

    /// A string without escapes or control characters, as borrowed text.
    fn plain_string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.pos;
        let len = find_special(&self.bytes[start..])?;
        if self.bytes[start + len] != b'"' {
            return None;
        }
        self.pos = start + len + 1;
        self.text.get(start..start + len)
    }

    /// `true`, `false`, or those words as a string in any case.
    fn flag(&mut self) -> Option<Flag> {
        if self.literal("true") {
            return Some(Flag(true));
        }
        if self.literal("false") {
            return Some(Flag(false));
        }
        let word = self.plain_string()?;
        if word.eq_ignore_ascii_case("true") {
            Some(Flag(true))
        } else if word.eq_ignore_ascii_case("false") {
            Some(Flag(false))
        } else {
            None
        }
    }

    /// Any JSON value, parsed and validated by serde_json, as its text.
    fn raw_value(&mut self) -> Option<&'a RawValue> {
        let rest = self.text.get(self.pos..)?;
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<&'a RawValue>();
        let value = values.next()?.ok()?;
        self.pos += values.byte_offset();
        Some(value)
    }

    /// A value no field names: strings and literals here, numbers and
    /// containers through serde_json.
    fn skip_value(&mut self) -> Option<()> {
        match *self.bytes.get(self.pos)? {
            b'"' => self.skip_string(),
            b't' | b'f' | b'n' => ["true", "false", "null"]
                .iter()
                .any(|w| self.literal(w))
                .then_some(()),
            _ => self.raw_value().map(drop),
        }
    }

    /// A string, escapes checked as serde_json checks them.
    fn skip_string(&mut self) -> Option<()> {
        self.eat(b'"')?;
        loop {
            let at = self.pos + find_special(&self.bytes[self.pos..])?;
            self.pos = at + 1;
            match self.bytes[at] {
                b'"' => return Some(()),
                b'\\' => self.skip_escape()?,
                _ => return None,
            }
        }
    }

    /// The rest of an escape after its backslash.
    fn skip_escape(&mut self) -> Option<()> {
        match self.next()? {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => Some(()),
            b'u' => {
                let hex = self.bytes.get(self.pos..self.pos + 4)?;
                self.pos += 4;
                hex.iter().all(u8::is_ascii_hexdigit).then_some(())
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
