//! Finding one value in a JSON text without parsing the whole document: the
//! members of each object on the path are skipped over (strings with SIMD
//! search, objects and arrays 64 bytes at a time), and only the value found is
//! handed on. Duplicate keys resolve to
//! the last one, as a full parse would.

use cloudcase_util::json_scan::Nesting;
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
        // 64 bytes at a time: `responseElements` can be most of a record.
        b'{' | b'[' => Nesting::default().scan(&b[p..]).map(|end| p + end),
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

/// Walks the members of the object spanning `[s, …)`, calling `on` with each
/// key's span and its value's span, in order. `Err` when the text cannot be
/// read this way.
fn walk(
    text: &str,
    s: usize,
    mut on: impl FnMut((usize, usize), (usize, usize)),
) -> Result<(), ()> {
    let b = text.as_bytes();
    let mut p = skip_ws(b, s + 1);
    if b.get(p) == Some(&b'}') {
        return Ok(());
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
        on((ks, ke), (p, ve));
        p = skip_ws(b, ve);
        match b.get(p) {
            Some(b',') => p = skip_ws(b, p + 1),
            Some(b'}') => return Ok(()),
            _ => return Err(()),
        }
    }
}

/// The value of `key` in the object spanning `[s, e)`: its span, or `None`
/// when absent. `Err` when the text cannot be read this way.
fn member(text: &str, s: usize, key: &str) -> Result<Option<(usize, usize)>, ()> {
    let mut found = None;
    walk(text, s, |(ks, ke), value| {
        if text.get(ks..ke) == Some(key) {
            found = Some(value);
        }
    })?;
    Ok(found)
}

/// One member of a document's top-level object: spans of its key and value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Member {
    key: (usize, usize),
    value: (usize, usize),
}

/// A document's top level, read once so that each path looked up in it
/// skips no value twice: a record is tested against many paths, and its
/// large members (`responseElements`) would otherwise be walked for each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Top {
    /// An object's members, in order.
    Object(Vec<Member>),
    /// An array: paths need a full parse.
    Array,
    /// Not an object nor an array: every path is absent.
    Scalar,
    /// An object that cannot be read this way: use a full parse.
    Unreadable,
}

impl Top {
    /// Reads the top level of the JSON document `text`.
    pub(crate) fn of(text: &str) -> Top {
        let b = text.as_bytes();
        let s = skip_ws(b, 0);
        match b.get(s) {
            Some(b'{') => {}
            Some(b'[') => return Top::Array,
            _ => return Top::Scalar,
        }
        let mut members = Vec::new();
        match walk(text, s, |key, value| members.push(Member { key, value })) {
            Ok(()) => Top::Object(members),
            Err(()) => Top::Unreadable,
        }
    }

    /// What `segments` lead to in `text`, the document this was read from:
    /// the same answer as [`find`].
    pub(crate) fn find<'a>(&self, text: &'a str, segments: &[Box<str>]) -> Found<'a> {
        let Some((first, rest)) = segments.split_first() else {
            return find(text, segments);
        };
        let members = match self {
            Top::Object(members) => members,
            Top::Array | Top::Unreadable => return Found::Fallback,
            Top::Scalar => return Found::Missing,
        };
        // The last of duplicate keys, as a full parse would.
        let found = members
            .iter()
            .rev()
            .find(|m| text.get(m.key.0..m.key.1) == Some(&**first));
        match found {
            Some(m) => descend(text, m.value, rest),
            None => Found::Missing,
        }
    }
}

/// Follows `segments` through nested objects of the JSON document `text`.
pub(crate) fn find<'a>(text: &'a str, segments: &[Box<str>]) -> Found<'a> {
    let b = text.as_bytes();
    descend(text, (skip_ws(b, 0), b.len()), segments)
}

/// Follows `segments` from the value spanning `span` of `text`.
fn descend<'a>(text: &'a str, mut span: (usize, usize), segments: &[Box<str>]) -> Found<'a> {
    let b = text.as_bytes();
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

    #[test]
    fn the_top_level_read_once_answers_as_find() {
        let texts = [
            r#"{"a": {"x": "}{\"", "b": [1, {"c": "]"}], "c": {"d": "v", "e": 5}}, "z": null, "s": "q\"uote"}"#,
            r#"{"k":1,"k":2}"#,
            r#"{"k\u0041":1}"#,
            "{}",
            r#"{"k":"#,
            r#"[{"k":1}]"#,
            "5",
            r#" {"u": {"i": "x", "i": "y"}, "r": {"big": [1, 2, {"i": 3}]}}"#,
        ];
        let paths = [
            "a.c.d", "a.c.e", "a.c", "z", "s", "a.b.c", "a.q", "z.y", "s.y", "k", "u.i", "r.big",
            "r.big.i", "q",
        ];
        for t in texts {
            let top = Top::of(t);
            for p in paths {
                let segs: Vec<Box<str>> = p.split('.').map(Box::from).collect();
                assert_eq!(top.find(t, &segs), find(t, &segs), "{t} {p}");
            }
            assert_eq!(top.find(t, &[]), find(t, &[]), "{t}");
        }
        assert!(matches!(Top::of(r#"{"k":"#), Top::Unreadable));
    }
}
