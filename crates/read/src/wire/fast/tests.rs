use std::path::Path;

use serde::Deserialize;

use super::{find_special, read_into, KeyWords};
use crate::compact::compact_into;
use crate::wire::WireItem;

/// serde's item for `text`, as Debug text, or its error.
fn by_serde(text: &str) -> Result<String, String> {
    let mut item = WireItem::default();
    let mut de = serde_json::Deserializer::from_str(text);
    WireItem::deserialize_in_place(&mut de, &mut item)
        .and_then(|()| de.end())
        .map(|()| format!("{item:?}"))
        .map_err(|e| e.to_string())
}

/// The fast path's item for `text`, as Debug text, or `None` when it leaves
/// the record to serde.
fn by_fast_path(text: &str) -> Option<String> {
    let mut item = WireItem::default();
    read_into(text, &mut item).map(|()| format!("{item:?}"))
}

/// Whether the fast path either leaves `text` to serde or reads exactly what
/// serde reads.
fn agrees(text: &str) -> bool {
    match by_fast_path(text) {
        None => true,
        Some(fast) => by_serde(text) == Ok(fast),
    }
}

/// The built-in rules' test records (real CloudTrail shapes), compacted as
/// the reader compacts spaced records.
fn rule_test_records() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/builtin/tests");
    let mut records = Vec::new();
    for rule in std::fs::read_dir(&dir).expect("the built-in rules' tests") {
        for file in std::fs::read_dir(rule.expect("a rule's tests").path()).expect("a rule dir") {
            let text = std::fs::read_to_string(file.expect("a test file").path()).expect("text");
            let mut compact = String::new();
            compact_into(text.trim(), &mut compact);
            records.push(compact);
        }
    }
    records.sort();
    records
}

#[test]
fn real_records_are_read_by_the_fast_path_as_serde_reads_them() {
    let records = rule_test_records();
    assert!(records.len() > 500, "{} records", records.len());
    let mut fast = 0;
    for record in &records {
        let Some(item) = by_fast_path(record) else {
            continue;
        };
        fast += 1;
        assert_eq!(by_serde(record), Ok(item), "{record}");
    }
    // Escapes in typed fields send a record to serde; they are rare.
    assert!(
        fast * 100 >= records.len() * 95,
        "{fast} of {}",
        records.len()
    );
}

#[test]
fn damaged_records_are_read_as_serde_reads_them_or_left_to_it() {
    const EDITS: &[&str] = &[
        "", "{", "}", "[", "]", "\"", ",", ":", "\\", "0", "-", "n", "\u{1}", " ",
    ];
    let records = rule_test_records();
    let mut tried = 0;
    for record in records.iter().step_by(8) {
        for at in (0..record.len()).step_by(11) {
            for edit in EDITS {
                let mut damaged = record.as_bytes().to_vec();
                damaged.splice(at..at + 1, edit.bytes());
                let Ok(damaged) = String::from_utf8(damaged) else {
                    continue;
                };
                tried += 1;
                assert!(agrees(&damaged), "{damaged}");
            }
        }
    }
    assert!(tried > 10_000, "{tried}");
}

#[test]
fn what_serde_would_refuse_or_convert_is_left_to_it() {
    for text in [
        r#"{"eventTime":"a","eventTime":"b"}"#,
        r#"{"eventTime":null,"eventTime":"b"}"#,
        r#"{"schemaVersion":1,"SchemaVersion":2}"#,
        r#"{"event\u0054ime":"x"}"#,
        r#"{"eventName":"a\"b"}"#,
        r#"{"eventName":5}"#,
        r#"{"eventName":true}"#,
        r#"{"readOnly":"yes"}"#,
        r#"{"userIdentity":"root"}"#,
        r#"{"userIdentity":{"arn":"a","arn":"b"}}"#,
        "{\"eventName\":\"a\u{1}b\"}",
        r#"{"eventName":"a"}x"#,
        r#"{"eventName": "a"}"#,
        r#"{"x":"\q"}"#,
        r#"{"x":"\u12G4"}"#,
        r#"{"x":nul}"#,
        r#"{"eventName":"a",}"#,
        r#"["eventName"]"#,
    ] {
        assert_eq!(by_fast_path(text), None, "{text}");
        assert!(agrees(text));
    }
}

#[test]
fn the_fields_serde_reads_are_read_the_same_way() {
    for text in [
        r#"{}"#,
        r#"{"eventName":"A","requestParameters":null,"responseElements":{"a":[1,2.5e3,{"b":"\u00e9\n"}]}}"#,
        r#"{"readOnly":true,"userIdentity":{"sessionContext":{"attributes":{"mfaAuthenticated":"TRUE"}}}}"#,
        r#"{"userIdentity":null,"x":{"y":[true,false,null]},"n":-1.5E-3,"s":"\"\\\/\b\f\n\r\t\uABcd"}"#,
        r#"{"userIdentity":{"onBehalfOf":{"userId":"u"},"sessionContext":{"sessionIssuer":{"arn":"r","userName":"n"},"sourceIdentity":"s"}}}"#,
        r#"{"SchemaVersion":"2.0","Resource":{},"service":{"count":1},"detail-type":"AWS API Call via CloudTrail"}"#,
        r#"{"eventTime":"2024-01-01T00:00:00Z","eventName":"日本語","managementEvent":false,"tlsDetails":{"tlsVersion":"TLSv1.3"}}"#,
    ] {
        let fast = by_fast_path(text);
        assert!(fast.is_some(), "{text}");
        assert_eq!(by_serde(text).ok(), fast, "{text}");
    }
}

#[test]
fn the_first_quote_backslash_or_control_character_is_found_at_any_offset() {
    let naive = |b: &[u8]| b.iter().position(|&c| c == b'"' || c == b'\\' || c < 0x20);
    let alphabet: &[u8] = b"a\"\\\x00\x1f\x20\x7f\xc3\xa9!~";
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for len in 0..40 {
        for _ in 0..200 {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    // Mostly plain bytes, so that specials land at every offset.
                    let pick = (state % 64) as usize;
                    alphabet.get(pick).copied().unwrap_or(b'x')
                })
                .collect();
            assert_eq!(find_special(&bytes), naive(&bytes), "{bytes:?}");
        }
    }
}

#[test]
fn keys_read_from_records_have_the_words_of_the_same_keys_in_tables() {
    let key = "arn:responseElementsX_recipientAccountId";
    for start in 0..key.len() {
        for end in start..=key.len() {
            let bytes = &key.as_bytes()[start..end];
            assert_eq!(KeyWords::of_key(bytes), KeyWords::of(bytes), "{bytes:?}");
        }
    }
    // Up to sixteen bytes, equal words are equal keys.
    assert_ne!(KeyWords::of(b"eventTime"), KeyWords::of(b"eventType"));
    assert_ne!(
        KeyWords::of(b"abcdefghijklmnop"),
        KeyWords::of(b"abcdefghXjklmnop")
    );
    assert_ne!(KeyWords::of(b"ab"), KeyWords::of(b"ab\0"));
}
