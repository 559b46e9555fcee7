//! CSV rows as query engines export them (RFC 4180: a header row, fields separated by
//! commas, quoted when they hold a comma, quote or line break, `""` for a quote inside).

/// One row of fields, with the line it starts on (from 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CsvRow {
    /// The line the row starts on, from 1.
    pub line: u64,
    /// Its fields, unquoted.
    pub fields: Vec<String>,
}

/// Splits `text` into rows. A quoted field may span lines; a line ending `\r\n` reads as
/// `\n`; blank lines are skipped. An unterminated quote ends with the text.
pub(crate) fn rows(text: &str) -> Vec<CsvRow> {
    let mut out = Vec::new();
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut line = 1u64;
    let mut start = 1u64;
    let mut chars = text.chars().peekable();
    let mut blank = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                blank = false;
            }
            ',' => {
                fields.push(std::mem::take(&mut field));
                blank = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if !blank {
                    fields.push(std::mem::take(&mut field));
                    out.push(CsvRow {
                        line: start,
                        fields: std::mem::take(&mut fields),
                    });
                }
                field.clear();
                line += 1;
                start = line;
                blank = true;
            }
            _ => {
                field.push(c);
                blank = false;
            }
        }
    }
    if !blank {
        fields.push(field);
        out.push(CsvRow {
            line: start,
            fields,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_commas_line_breaks_and_blank_lines() {
        let text = "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\n\n\"two\nlines\",2,3\nlast,,";
        let got = rows(text);
        let fields: Vec<Vec<&str>> = got
            .iter()
            .map(|r| r.fields.iter().map(String::as_str).collect())
            .collect();
        assert_eq!(
            fields,
            vec![
                vec!["a", "b", "c"],
                vec!["x,1", "say \"hi\"", ""],
                vec!["two\nlines", "2", "3"],
                vec!["last", "", ""],
            ]
        );
        let lines: Vec<u64> = got.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![1, 2, 4, 6]);
    }
}
