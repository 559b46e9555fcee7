//! Regular expressions: the engine's (Rust `regex`) pattern rewritten for a
//! dialect's regex flavour, or refused when no rewrite keeps its meaning.
//!
//! Accepted: literals, `.`, groups (capturing, non-capturing, named), inline
//! flags `i`, `s` and `m` (`m` only for DuckDB), alternation, quantifiers,
//! character classes with ranges, `^`/`$`, `\A`/`\z`, escaped punctuation,
//! `\n \t \r \f \v \xHH \x{…}`, and the Unicode classes `\d`/`\D` (written
//! `\p{Nd}`) and `\s`/`\S` (written as the Unicode `White_Space` list).
//!
//! * DuckDB (RE2) has the same syntax and meaning for all of these.
//! * Spark (`java.util.regex`): `(?d)` makes `\n` the only line terminator,
//!   as in Rust; `i` becomes `iu` (Unicode case folding); `^`/`$` become
//!   `\A`/`\z` (Java's `$` also matches before a final line break).
//! * Trino (Joni): `^`/`$` become `\A`/`\z` (Joni's are line anchors).
//!
//! Refused by name: `\w`, `\W`, `\b`, `\B` (word characters are Unicode in
//! Rust, ASCII in RE2 and Java), `\p{…}`, nested classes and class set
//! operations (`[[:alpha:]]`, `&&`, `--`, `~~`), a `]` first in a class,
//! the `x`, `U`, `u`, `R` flags, and `m` outside DuckDB.

use super::dialect::SqlDialect;

/// Unicode `White_Space` (what Rust's `\s` matches), as class members.
pub(crate) const WHITE_SPACE: &str =
    r"\t\n\x0B\f\r \x{85}\x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}";

/// Rewrites `pattern` (as the engine compiled it, flags inline) for `dialect`.
pub(crate) fn translate(pattern: &str, dialect: SqlDialect) -> Result<String, String> {
    let java = matches!(dialect, SqlDialect::Spark | SqlDialect::Trino);
    let mut out = String::new();
    if dialect == SqlDialect::Spark {
        out.push_str("(?d)");
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let mut in_class = false;
    let refuse = |what: &str| -> Result<String, String> {
        Err(format!(
            "regular expression {pattern:?}: {what} has no exact equivalent in {dialect}'s regex flavour"
        ))
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' {
            let Some(&n) = chars.get(i + 1) else {
                return refuse("a trailing backslash");
            };
            i += 2;
            match n {
                'd' => out.push_str(r"\p{Nd}"),
                'D' => out.push_str(r"\P{Nd}"),
                's' if in_class => out.push_str(WHITE_SPACE),
                's' => {
                    out.push('[');
                    out.push_str(WHITE_SPACE);
                    out.push(']');
                }
                'S' if !in_class => {
                    out.push_str("[^");
                    out.push_str(WHITE_SPACE);
                    out.push(']');
                }
                'v' => out.push_str(r"\x0B"),
                'n' | 't' | 'r' | 'f' => {
                    out.push('\\');
                    out.push(n);
                }
                'A' | 'z' if !in_class => {
                    out.push('\\');
                    out.push(n);
                }
                'x' => {
                    out.push_str("\\x");
                    if chars.get(i) == Some(&'{') {
                        while let Some(&h) = chars.get(i) {
                            out.push(h);
                            i += 1;
                            if h == '}' {
                                break;
                            }
                        }
                    } else {
                        for _ in 0..2 {
                            if let Some(&h) = chars.get(i) {
                                out.push(h);
                                i += 1;
                            }
                        }
                    }
                }
                n if n.is_ascii_punctuation() => {
                    out.push('\\');
                    out.push(n);
                }
                n => return refuse(&format!("the escape \\{n}")),
            }
            continue;
        }
        if in_class {
            match c {
                ']' => in_class = false,
                '[' => return refuse("a nested character class"),
                '&' | '-' | '~' if chars.get(i + 1) == Some(&c) => {
                    return refuse("a character class set operation")
                }
                _ => {}
            }
            out.push(c);
            i += 1;
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                out.push('[');
                i += 1;
                if chars.get(i) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
                if chars.get(i) == Some(&']') {
                    return refuse("a ']' first in a character class");
                }
            }
            '^' if java => {
                out.push_str(r"\A");
                i += 1;
            }
            '$' if java => {
                out.push_str(r"\z");
                i += 1;
            }
            '(' if chars.get(i + 1) == Some(&'?') => {
                i = group(&chars, i + 2, dialect, &mut out).map_err(|what| {
                    format!(
                        "regular expression {pattern:?}: {what} has no exact equivalent in {dialect}'s regex flavour"
                    )
                })?;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Rewrites the group opening `(?…` whose text after `(?` starts at `i`;
/// returns the index after it.
fn group(
    chars: &[char],
    mut i: usize,
    dialect: SqlDialect,
    out: &mut String,
) -> Result<usize, String> {
    // Named groups: `(?P<name>` and `(?<name>` become plain capturing groups.
    if chars.get(i) == Some(&'P')
        || (chars.get(i) == Some(&'<')
            && chars.get(i + 1) != Some(&'=')
            && chars.get(i + 1) != Some(&'!'))
    {
        while let Some(&c) = chars.get(i) {
            i += 1;
            if c == '>' {
                out.push('(');
                return Ok(i);
            }
        }
        return Err("an unterminated group name".into());
    }
    out.push_str("(?");
    while let Some(&c) = chars.get(i) {
        i += 1;
        match c {
            ':' | ')' => {
                out.push(c);
                return Ok(i);
            }
            '-' => out.push('-'),
            'i' => out.push_str(if dialect == SqlDialect::Spark {
                "iu"
            } else {
                "i"
            }),
            's' => out.push('s'),
            'm' if dialect == SqlDialect::DuckDb => out.push('m'),
            'm' => return Err("the multi-line flag (m)".into()),
            other => return Err(format!("the group or flag (?{other}")),
        }
    }
    Err("an unterminated group".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duckdb_keeps_the_syntax_and_widens_unicode_classes() {
        assert_eq!(
            translate(r"^arn:aws:\d{12}$", SqlDialect::DuckDb).unwrap(),
            r"^arn:aws:\p{Nd}{12}$"
        );
        assert_eq!(
            translate(r"(?m)a\s+b", SqlDialect::DuckDb).unwrap(),
            format!("(?m)a[{WHITE_SPACE}]+b")
        );
    }

    #[test]
    fn java_flavours_anchor_on_the_text() {
        assert_eq!(
            translate(r"(?i)^-1$", SqlDialect::Spark).unwrap(),
            r"(?d)(?iu)\A-1\z"
        );
        assert_eq!(translate(r"[$^]x", SqlDialect::Trino).unwrap(), r"[$^]x");
        assert_eq!(translate(r"(?P<n>a)", SqlDialect::Trino).unwrap(), r"(a)");
    }

    #[test]
    fn refusals_name_the_construct() {
        assert!(translate(r"\bword", SqlDialect::DuckDb)
            .unwrap_err()
            .contains(r"\b"));
        assert!(translate(r"\w+", SqlDialect::Spark)
            .unwrap_err()
            .contains(r"\w"));
        assert!(translate(r"(?m)^x", SqlDialect::Spark)
            .unwrap_err()
            .contains("multi-line"));
        assert!(translate(r"[[:alpha:]]", SqlDialect::DuckDb)
            .unwrap_err()
            .contains("nested"));
        assert!(translate(r"[a-z&&[^b]]", SqlDialect::DuckDb).is_err());
        assert!(translate(r"(?x) a", SqlDialect::DuckDb)
            .unwrap_err()
            .contains("(?x"));
    }
}
