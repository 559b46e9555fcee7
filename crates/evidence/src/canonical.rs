//! Canonical JSON: the byte form custody entries are hashed in.
//!
//! Object keys sorted by their UTF-8 bytes, no whitespace, strings escaped as
//! `serde_json` escapes them, numbers as `serde_json` prints them. Sorting here
//! (rather than relying on `serde_json::Map` order) keeps the hash independent
//! of whether some crate in the build enables `serde_json/preserve_order`.

use serde_json::Value;

/// Canonical serialization of `value`.
pub(crate) fn to_canonical(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(k, out);
                out.push(':');
                write(v, out);
            }
            out.push('}');
        }
    }
}

fn write_str(s: &str, out: &mut String) {
    // Serializing a &str cannot fail; fall back to a debug form rather than panic.
    match serde_json::to_string(s) {
        Ok(quoted) => out.push_str(&quoted),
        Err(_) => out.push_str(&format!("{s:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_sorted_at_every_level_and_whitespace_dropped() {
        let v = json!({"b": 1, "a": {"z": [true, null, "x\"y"], "m": 2.5}});
        assert_eq!(
            to_canonical(&v),
            r#"{"a":{"m":2.5,"z":[true,null,"x\"y"]},"b":1}"#
        );
    }

    #[test]
    fn parse_then_canonicalize_is_stable() {
        let text = r#"{ "seq": 3, "details": {"k": "é\n", "a": -1} }"#;
        let v: Value = serde_json::from_str(text).expect("valid json");
        let once = to_canonical(&v);
        let again: Value = serde_json::from_str(&once).expect("canonical is json");
        assert_eq!(to_canonical(&again), once);
    }
}
