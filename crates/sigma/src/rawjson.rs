//! Finding one value in a JSON text without parsing the whole document: the
//! members of each object on the path are skipped over (strings with SIMD
//! search), and only the value found is handed on. Duplicate keys resolve to
//! the last one, as a full parse would.

use memchr::memchr2;

/// What a path leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found<'a> {
    /// The path is absent.
    Missing,
    /// A string with no escape sequences: its text.
    Str(&'a str),
    /// Any other value: its JSON text.
    Value(&'a str),
    /// The path crosses an array, a key uses escapes, or the text is not as
    /// expected: use a full parse.
    Fallback,
}

fn skip_ws(b: &[u8], mut p: usize) -> usize {
    while p < b.len() && matches!(b[p], b' ' | b'\n' | b'\r' | b'\t') {
        p += 1;
    }
    p
}

/// The string starting at `p` (a quote): (content start, closing quote, has escapes).
fn string(b: &[u8], p: usize) -> Option<(usize, usize, bool)> {
    let mut q = p + 1;
    let mut escaped = false;
    loop {
        let i = q + memchr2(b'"', b'\\', b.get(q..)?)?;
        if b[i] == b'"' {
            return Some((p + 1, i, escaped));
        }
        escaped = true;
        q = i + 2;
    }
}

/// One past the end of the value starting at `p`.
fn value_end(b: &[u8], p: usize) -> Option<usize> {
    match *b.get(p)? {
        b'"' => string(b, p).map(|(_, e, _)| e + 1),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut q = p;
            while q < b.len() {
                match b[q] {
                    b'"' => {
                        q = string(b, q)?.1;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(q + 1);
                        }
                    }
                    _ => {}
                }
                q += 1;
            }
            None
        }
        _ => {
            let mut q = p;
            while q < b.len() && !matches!(b[q], b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t')
            {
                q += 1;
            }
            Some(q)
        }
    }
}

/// The value of `key` in the object spanning `[s, e)`: its span, or `None`
/// when absent. `Err` when the text cannot be read this way.
fn member(text: &str, s: usize, key: &str) -> Result<Option<(usize, usize)>, ()> {
    let b = text.as_bytes();
    let mut p = skip_ws(b, s + 1);
    let mut found = None;
    if b.get(p) == Some(&b'}') {
        return Ok(None);
    }
    loop {
        if b.get(p) != Some(&b'"') {
            return Err(());
        }
        let (ks, ke, escaped) = string(b, p).ok_or(())?;
        if escaped {
            return Err(());
        }
        p = skip_ws(b, ke + 1);
        if b.get(p) != Some(&b':') {
            return Err(());
        }
        p = skip_ws(b, p + 1);
        let ve = value_end(b, p).ok_or(())?;
        if text.get(ks..ke) == Some(key) {
            found = Some((p, ve));
        }
        p = skip_ws(b, ve);
        match b.get(p) {
            Some(b',') => p = skip_ws(b, p + 1),
            Some(b'}') => return Ok(found),
            _ => return Err(()),
        }
    }
}

/// Follows `segments` through nested objects of the JSON document `text`.
pub(crate) fn find<'a>(text: &'a str, segments: &[Box<str>]) -> Found<'a> {
    let b = text.as_bytes();
    let mut span = (skip_ws(b, 0), b.len());
    for seg in segments {
        match b.get(span.0) {
            Some(b'{') => {}
            Some(b'[') => return Found::Fallback,
            _ => return Found::Missing,
        }
        match member(text, span.0, seg) {
            Ok(Some(s)) => span = s,
            Ok(None) => return Found::Missing,
            Err(()) => return Found::Fallback,
        }
    }
    let (s, e) = span;
    if b.get(s) == Some(&b'"') {
        if let Some((cs, ce, false)) = string(b, s) {
            return text.get(cs..ce).map_or(Found::Fallback, Found::Str);
        }
    }
    text.get(s..e).map_or(Found::Fallback, Found::Value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f<'a>(text: &'a str, path: &str) -> Found<'a> {
        let segs: Vec<Box<str>> = path.split('.').map(Box::from).collect();
        find(text, &segs)
    }

    #[test]
    fn finds_nested_values_and_skips_the_rest() {
        let t = r#"{"a": {"x": "}{\"", "b": [1, {"c": "]"}], "c": {"d": "v", "e": 5}}, "z": null, "s": "q\"uote"}"#;
        assert_eq!(f(t, "a.c.d"), Found::Str("v"));
        assert_eq!(f(t, "a.c.e"), Found::Value("5"));
        assert_eq!(f(t, "a.c"), Found::Value(r#"{"d": "v", "e": 5}"#));
        assert_eq!(f(t, "z"), Found::Value("null"));
        assert_eq!(f(t, "s"), Found::Value(r#""q\"uote""#));
        assert_eq!(f(t, "a.b.c"), Found::Fallback);
        assert_eq!(f(t, "a.q"), Found::Missing);
        assert_eq!(f(t, "z.y"), Found::Missing);
        assert_eq!(f(t, "s.y"), Found::Missing);
        assert_eq!(f(r#"{"k":1,"k":2}"#, "k"), Found::Value("2"));
        assert_eq!(f(r#"{"k\u0041":1}"#, "k"), Found::Fallback);
        assert_eq!(f("{}", "k"), Found::Missing);
        assert_eq!(f(r#"{"k":"#, "k"), Found::Fallback);
    }
}
