//! RFC 4180 fields: comma-separated, a field in double quotes may hold
//! commas, line breaks and doubled quotes (`""` for one `"`).

use std::borrow::Cow;

/// Why a record's text is not RFC 4180.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum CsvError {
    /// A quoted field's closing quote is followed by something other than a
    /// comma or the end of the record.
    #[error("field {field}: {found:?} after the closing quote at byte {at} (expected a comma)")]
    AfterQuote {
        /// The field's position, from 1.
        field: usize,
        /// The character found.
        found: char,
        /// The byte it is at, in the record.
        at: usize,
    },
    /// A quoted field never closed.
    #[error("field {0}: the quoted field is not closed before the end of the record")]
    Unclosed(usize),
}

/// Whether `line` closes every quote it opens: a record whose quotes are
/// unbalanced continues on the next line.
pub(crate) fn balanced(line: &[u8]) -> bool {
    memchr::memchr_iter(b'"', line).count() % 2 == 0
}

/// The fields of one record, quotes removed and doubled quotes undone.
pub(crate) fn split(record: &str) -> Result<Vec<Cow<'_, str>>, CsvError> {
    let mut fields = Vec::new();
    let mut at = 0;
    loop {
        let rest = &record[at..];
        let field = fields.len() + 1;
        if let Some(quoted) = rest.strip_prefix('"') {
            let (value, used) = closing(quoted).ok_or(CsvError::Unclosed(field))?;
            fields.push(value);
            at += 1 + used;
            match record[at..].chars().next() {
                None => return Ok(fields),
                Some(',') => at += 1,
                Some(found) => return Err(CsvError::AfterQuote { field, found, at }),
            }
        } else {
            match rest.find(',') {
                Some(i) => {
                    fields.push(Cow::Borrowed(&rest[..i]));
                    at += i + 1;
                }
                None => {
                    fields.push(Cow::Borrowed(rest));
                    return Ok(fields);
                }
            }
        }
    }
}

/// The value of a quoted field whose text (after the opening quote) starts
/// `s`, and the bytes used up to and including its closing quote.
fn closing(s: &str) -> Option<(Cow<'_, str>, usize)> {
    let mut doubled = false;
    let mut i = 0;
    loop {
        let q = i + memchr::memchr(b'"', &s.as_bytes()[i..])?;
        if s.as_bytes().get(q + 1) == Some(&b'"') {
            doubled = true;
            i = q + 2;
            continue;
        }
        let text = &s[..q];
        let value = if doubled {
            Cow::Owned(text.replace("\"\"", "\""))
        } else {
            Cow::Borrowed(text)
        };
        return Some((value, q + 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(record: &str) -> Vec<String> {
        split(record)
            .unwrap()
            .into_iter()
            .map(Cow::into_owned)
            .collect()
    }

    #[test]
    fn plain_quoted_empty_and_doubled_quotes() {
        assert_eq!(fields("a,b,,c"), ["a", "b", "", "c"]);
        assert_eq!(fields(""), [""]);
        assert_eq!(fields("a,"), ["a", ""]);
        assert_eq!(
            fields(r#""x, y",2,"{""k"":""v""}","""""#),
            ["x, y", "2", r#"{"k":"v"}"#, "\""]
        );
        assert_eq!(fields("\"line\nbreak\",z"), ["line\nbreak", "z"]);
        assert_eq!(fields(r#""","""#), ["", ""]);
        assert_eq!(fields(r#"a"b,c"#), [r#"a"b"#, "c"]);
    }

    #[test]
    fn malformed_quoting_is_located() {
        assert_eq!(
            split(r#"a,"b"c,d"#),
            Err(CsvError::AfterQuote {
                field: 2,
                found: 'c',
                at: 5
            })
        );
        assert_eq!(split(r#"a,"b"#), Err(CsvError::Unclosed(2)));
        assert_eq!(split(r#""a"""#), Err(CsvError::Unclosed(1)));
    }

    #[test]
    fn balance_counts_quotes() {
        assert!(balanced(br#"a,"b,c",d"#));
        assert!(!balanced(br#"a,"b"#));
        assert!(balanced(br#""say ""hi""""#));
    }
}
