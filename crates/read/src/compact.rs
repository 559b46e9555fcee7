//! Removing insignificant whitespace from JSON text.

use memchr::memchr2;

/// Appends `json` to `out` without the whitespace between tokens.
///
/// Strings are copied verbatim (escapes included), so the result is the same
/// JSON value. The input must be framed JSON; malformed input yields
/// malformed output, which the parser then reports.
pub(crate) fn compact_into(json: &str, out: &mut String) {
    out.clear();
    out.reserve(json.len());
    let bytes = json.as_bytes();
    let mut i = 0;
    let mut run_start = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                // Find the closing quote, skipping escaped characters.
                let mut j = i + 1;
                while j < bytes.len() {
                    match memchr2(b'"', b'\\', &bytes[j..]) {
                        Some(k) if bytes[j + k] == b'\\' => j += k + 2,
                        Some(k) => {
                            j += k + 1;
                            break;
                        }
                        None => {
                            j = bytes.len();
                            break;
                        }
                    }
                }
                i = j.min(bytes.len());
            }
            b' ' | b'\n' | b'\r' | b'\t' => {
                out.push_str(&json[run_start..i]);
                i += 1;
                run_start = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&json[run_start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compact(s: &str) -> String {
        let mut out = String::new();
        compact_into(s, &mut out);
        out
    }

    #[test]
    fn removes_whitespace_between_tokens_only() {
        assert_eq!(
            compact("{ \"a b\" : [ 1 ,\n 2 ] ,\t\"c\":\"x\\\" y\" }"),
            "{\"a b\":[1,2],\"c\":\"x\\\" y\"}"
        );
        assert_eq!(compact("{\"k\":\"\\\\\"  }"), "{\"k\":\"\\\\\"}");
        assert_eq!(
            compact("{\"already\":\"compact\"}"),
            "{\"already\":\"compact\"}"
        );
    }

    #[test]
    fn survives_unterminated_strings() {
        assert_eq!(
            compact("{\"a\": \"unterminated\\"),
            "{\"a\":\"unterminated\\"
        );
    }
}
