//! Member names as shown: never a path to open or write, and inert.

use cloudcase_util::sanitize::terminal_safe;

/// `raw` (a member name as stored) made safe to show: invalid UTF-8 replaced,
/// backslashes read as `/`, a leading `/` or drive (`C:`) dropped, `.` and
/// empty components dropped, `..` shown as `%2E%2E`, and control characters
/// shown as `\u{…}` escapes. Hostile names (`../../etc/passwd`, `/abs`)
/// therefore show as relative names inside the archive.
pub(super) fn display(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw).replace('\\', "/");
    let text = strip_drive(&text);
    let parts: Vec<&str> = text
        .split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(|c| if c == ".." { "%2E%2E" } else { c })
        .collect();
    let joined = parts.join("/");
    let shown = terminal_safe(&joined).into_owned();
    if shown.is_empty() {
        "(unnamed)".to_owned()
    } else {
        shown
    }
}

/// `text` without a leading Windows drive (`C:`).
fn strip_drive(text: &str) -> &str {
    let b = text.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
        &text[2..]
    } else {
        text
    }
}

/// Whether `raw` names a directory (ends with `/` or `\`).
pub(super) fn is_dir(raw: &[u8]) -> bool {
    matches!(raw.last(), Some(b'/' | b'\\'))
}

#[cfg(test)]
mod tests {
    use super::display;

    #[test]
    fn hostile_names_show_inert_and_relative() {
        assert_eq!(display(b"../../etc/passwd"), "%2E%2E/%2E%2E/etc/passwd");
        assert_eq!(display(b"/abs/x.json"), "abs/x.json");
        assert_eq!(display(b"C:\\win\\..\\x.json"), "win/%2E%2E/x.json");
        assert_eq!(display(b"a\0b\x1b[2J.json"), "a\\u{0}b\\u{1b}[2J.json");
        assert_eq!(
            display(b"AWSLogs/1/CloudTrail/x.json.gz"),
            "AWSLogs/1/CloudTrail/x.json.gz"
        );
        assert_eq!(display(b"/"), "(unnamed)");
    }
}
