//! Making attacker-controlled text inert in terminals, spreadsheets and JSON.
//!
//! CloudTrail records carry strings an attacker chooses: user agents, user
//! and role names, request parameters. Printed raw they could move the
//! cursor, rewrite earlier lines or hide text (terminal escape sequences,
//! bidirectional overrides), or run as formulas when a CSV is opened in a
//! spreadsheet. Every output format passes text through one of these.

use std::borrow::Cow;
use std::fmt::Write;

/// Characters that control terminals or reorder text: C0 and C1 controls,
/// DEL, zero-width and bidirectional formatting characters. Every output
/// format (here and in reports) shows them as visible escapes.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// `text` with every unsafe character replaced by a visible `\u{…}` escape.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Appends `text` as one CSV cell: unsafe characters escaped, a leading
/// `=`, `+`, `-`, `@` (formula triggers) neutralised with a `'` prefix, and
/// quoted per RFC 4180 when it holds a comma, quote or line break.
pub fn push_csv_cell(out: &mut Vec<u8>, text: &str) {
    let safe = terminal_safe(text);
    let formula = matches!(
        safe.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    let needs_quotes = formula
        || safe
            .bytes()
            .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    if needs_quotes {
        out.push(b'"');
    }
    if formula {
        out.push(b'\'');
    }
    for b in safe.bytes() {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    if needs_quotes {
        out.push(b'"');
    }
}

/// Appends JSON text `json` with DEL and C1 control characters (valid raw in
/// JSON strings, but interpreted by some terminals) escaped as `\u00XX`.
pub fn push_json_text(out: &mut Vec<u8>, json: &str) {
    let bytes = json.as_bytes();
    if memchr::memchr2(0x7f, 0xc2, bytes).is_none() {
        out.extend_from_slice(bytes);
        return;
    }
    for c in json.chars() {
        if c == '\u{7f}' || ('\u{80}'..='\u{9f}').contains(&c) {
            let _ = write!(VecWriter(out), "\\u{:04x}", c as u32);
        } else {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
}

/// Appends `text` as a JSON string literal, terminal-safe.
pub fn push_json_string(out: &mut Vec<u8>, text: &str) {
    let start = out.len();
    if serde_json::to_writer(&mut *out, text).is_err() {
        out.truncate(start);
        out.extend_from_slice(b"\"\"");
        return;
    }
    if memchr::memchr2(0x7f, 0xc2, &out[start..]).is_some() {
        let literal = String::from_utf8_lossy(&out[start..]).into_owned();
        out.truncate(start);
        push_json_text(out, &literal);
    }
}

struct VecWriter<'a>(&'a mut Vec<u8>);

impl Write for VecWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_are_made_visible() {
        assert_eq!(terminal_safe("plain"), "plain");
        assert_eq!(terminal_safe("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(
            terminal_safe("x\u{9b}31m\u{202e}txt.exe"),
            "x\\u{9b}31m\\u{202e}txt.exe"
        );
        assert_eq!(terminal_safe("line\nbreak\r"), "line\\u{a}break\\u{d}");
    }

    fn cell(text: &str) -> String {
        let mut out = Vec::new();
        push_csv_cell(&mut out, text);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn csv_cells_cannot_become_formulas() {
        assert_eq!(
            cell("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        assert_eq!(cell("+1"), "\"'+1\"");
        assert_eq!(cell("@SUM(A1)"), "\"'@SUM(A1)\"");
        assert_eq!(cell("-2+3"), "\"'-2+3\"");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("safe"), "safe");
    }

    #[test]
    fn json_output_escapes_c1_controls() {
        let mut out = Vec::new();
        push_json_string(&mut out, "a\u{9b}b\u{1b}c\u{7f}");
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"a\\u009bb\\u001bc\\u007f\""
        );
        let mut out = Vec::new();
        push_json_text(&mut out, "{\"k\":\"é\u{85}\"}");
        assert_eq!(String::from_utf8(out).unwrap(), "{\"k\":\"é\\u0085\"}");
    }
}
