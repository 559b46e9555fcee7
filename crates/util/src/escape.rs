//! Escaping text for Markdown and HTML, including attacker-controlled text.

use std::fmt::Write;

use crate::sanitize::is_unsafe;

fn visible(c: char, out: &mut String) {
    let _ = write!(out, "\\u{{{:x}}}", c as u32);
}

/// `text` as HTML text content or attribute value: `& < > " '` as entities,
/// hidden characters as visible escapes.
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_unsafe(c) => visible(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// `text` as inline Markdown prose: characters that start emphasis, links,
/// code, strikethrough or table cells are backslash-escaped, `<`, `>` and `&`
/// become entities (no raw HTML passes through), a leading character that
/// could start a heading, list, quote or rule is escaped, and line breaks and
/// hidden characters become visible escapes.
///
/// Text that comes from logs (user agents, names, parameters) should be a
/// code cell (`cloudcase_report::Cell::Code`), rendered by [`markdown_code`]: a code span
/// is never formatted or turned into a link, not even a bare URL.
pub fn markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, c) in text.chars().enumerate() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' | '=' | '!' | '@' | '.' | ')' if i == 0 => {
                out.push('\\');
                out.push(c);
            }
            c if is_unsafe(c) => visible(c, &mut out),
            c => out.push(c),
        }
    }
    out
}

/// `text` as Markdown inline code: a backtick fence longer than any run of
/// backticks inside, hidden characters made visible, and `|` escaped for tables.
pub fn markdown_code(text: &str) -> String {
    let mut body = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '|' => body.push_str("\\|"),
            c if is_unsafe(c) => visible(c, &mut body),
            c => body.push(c),
        }
    }
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if body.starts_with('`') || body.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_neutralises_markup() {
        assert_eq!(
            html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(html("a\"b'c&d"), "a&quot;b&#39;c&amp;d");
        assert_eq!(html("x\u{1b}[2J\u{202e}"), "x\\u{1b}[2J\\u{202e}");
    }

    #[test]
    fn markdown_neutralises_markup_tables_and_formulas() {
        assert_eq!(
            markdown("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(markdown("=HYPERLINK(\"x\")"), "\\=HYPERLINK(\"x\")");
        assert_eq!(markdown("a|b\nc"), "a\\|b\\u{a}c");
        assert_eq!(markdown("[click](http://evil)"), "\\[click\\](http://evil)");
        assert_eq!(markdown("- item"), "\\- item");
        assert_eq!(markdown("2026-11-22T02:18:18.5Z"), "2026-11-22T02:18:18.5Z");
    }

    #[test]
    fn markdown_code_survives_backticks_and_pipes() {
        assert_eq!(markdown_code("abc"), "`abc`");
        assert_eq!(markdown_code("a`b"), "``a`b``");
        assert_eq!(markdown_code("`x"), "`` `x ``");
        assert_eq!(markdown_code("a|b"), "`a\\|b`");
    }
}
