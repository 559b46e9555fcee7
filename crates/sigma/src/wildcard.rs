//! Sigma strings with `*` and `?` wildcards and `\` escapes, compiled into a
//! matcher that is an equality, prefix, suffix or substring test whenever the
//! pattern allows, and a small glob matcher otherwise.
//!
//! Escapes follow Sigma: `\*`, `\?` and `\\` are the literal characters; a
//! backslash before any other character (or at the end) is itself literal, so
//! `C:\Windows` needs no doubling.

use memchr::memmem;

/// One piece of a Sigma string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Piece {
    /// Literal text.
    Lit(String),
    /// `*`: any run of characters, possibly empty.
    Many,
    /// `?`: exactly one character.
    One,
}

/// A parsed Sigma string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct SigmaStr {
    pieces: Vec<Piece>,
}

impl SigmaStr {
    /// Parses wildcards and escapes.
    pub(crate) fn parse(s: &str) -> SigmaStr {
        let mut out = SigmaStr::default();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '*' => out.pieces.push(Piece::Many),
                '?' => out.pieces.push(Piece::One),
                '\\' => match chars.peek() {
                    Some(&n @ ('*' | '?' | '\\')) => {
                        chars.next();
                        out.push_char(n);
                    }
                    _ => out.push_char('\\'),
                },
                c => out.push_char(c),
            }
        }
        out
    }

    /// A string with no wildcards.
    pub(crate) fn literal(s: &str) -> SigmaStr {
        let mut out = SigmaStr::default();
        if !s.is_empty() {
            out.pieces.push(Piece::Lit(s.to_owned()));
        }
        out
    }

    fn push_char(&mut self, c: char) {
        match self.pieces.last_mut() {
            Some(Piece::Lit(s)) => s.push(c),
            _ => self.pieces.push(Piece::Lit(c.to_string())),
        }
    }

    /// The pieces, in order.
    pub(crate) fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// Builds from pieces, merging adjacent literals.
    pub(crate) fn from_pieces(pieces: impl IntoIterator<Item = Piece>) -> SigmaStr {
        let mut out = SigmaStr::default();
        for p in pieces {
            match p {
                Piece::Lit(s) => s.chars().for_each(|c| out.push_char(c)),
                other => out.pieces.push(other),
            }
        }
        out
    }

    /// The text, when there are no wildcards.
    pub(crate) fn as_plain(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.pieces {
            match p {
                Piece::Lit(l) => s.push_str(l),
                _ => return None,
            }
        }
        Some(s)
    }

    /// Adds `*` at the start unless already there (`contains`, `endswith`).
    pub(crate) fn prepend_many(&mut self) {
        if self.pieces.first() != Some(&Piece::Many) {
            self.pieces.insert(0, Piece::Many);
        }
    }

    /// Adds `*` at the end unless already there (`contains`, `startswith`).
    pub(crate) fn append_many(&mut self) {
        if self.pieces.last() != Some(&Piece::Many) {
            self.pieces.push(Piece::Many);
        }
    }

    /// The string written back in Sigma syntax (escapes restored).
    pub(crate) fn to_sigma(&self) -> String {
        let mut s = String::new();
        for p in &self.pieces {
            match p {
                Piece::Lit(l) => {
                    for c in l.chars() {
                        if matches!(c, '*' | '?' | '\\') {
                            s.push('\\');
                        }
                        s.push(c);
                    }
                }
                Piece::Many => s.push('*'),
                Piece::One => s.push('?'),
            }
        }
        s
    }
}

/// Lowercases `s` into `buf` (cleared first) and returns it.
pub(crate) fn lower_into<'b>(s: &str, buf: &'b mut String) -> &'b str {
    buf.clear();
    if s.is_ascii() {
        buf.extend(s.bytes().map(|b| char::from(b.to_ascii_lowercase())));
    } else {
        s.chars().for_each(|c| buf.extend(c.to_lowercase()));
    }
    buf
}

/// Lowercases `s` the same way as [`lower_into`].
pub(crate) fn lower(s: &str) -> String {
    let mut b = String::new();
    lower_into(s, &mut b);
    b
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum G {
    Char(char),
    Many,
    One,
}

#[derive(Debug, Clone)]
enum Kind {
    /// `*`: any string.
    Any,
    Exact(Box<str>),
    Prefix(Box<str>),
    Suffix(Box<str>),
    Contains(Box<memmem::Finder<'static>>),
    PrefixSuffix(Box<str>, Box<str>),
    Glob(Box<[G]>),
}

/// A compiled string pattern. Unless `cased`, literals are stored lowercased
/// and the text is compared lowercased (ASCII text needs no copy for
/// equality, prefix and suffix tests).
#[derive(Debug, Clone)]
pub(crate) struct StrMatcher {
    kind: Kind,
    cased: bool,
}

impl StrMatcher {
    /// Compiles a pattern; `cased` keeps case (the `|cased` modifier).
    pub(crate) fn new(s: &SigmaStr, cased: bool) -> StrMatcher {
        let fold = |t: &str| -> Box<str> {
            if cased {
                t.into()
            } else {
                lower(t).into()
            }
        };
        let p = s.pieces();
        let kind = match p {
            [] => Kind::Exact("".into()),
            [Piece::Lit(l)] => Kind::Exact(fold(l)),
            [Piece::Lit(l), Piece::Many] => Kind::Prefix(fold(l)),
            [Piece::Many, Piece::Lit(l)] => Kind::Suffix(fold(l)),
            [Piece::Many, Piece::Lit(l), Piece::Many] => Kind::Contains(Box::new(
                memmem::Finder::new(fold(l).as_bytes()).into_owned(),
            )),
            [Piece::Lit(a), Piece::Many, Piece::Lit(b)] => Kind::PrefixSuffix(fold(a), fold(b)),
            _ if p.iter().all(|x| *x == Piece::Many) => Kind::Any,
            _ => {
                let mut g = Vec::new();
                for piece in p {
                    match piece {
                        Piece::Lit(l) => g.extend(fold(l).chars().map(G::Char)),
                        Piece::Many => {
                            if g.last() != Some(&G::Many) {
                                g.push(G::Many)
                            }
                        }
                        Piece::One => g.push(G::One),
                    }
                }
                Kind::Glob(g.into())
            }
        };
        StrMatcher { kind, cased }
    }

    /// Whether equality, prefix and suffix tests would need the text
    /// lowercased even when it is ASCII (substring and glob tests do).
    pub(crate) fn needs_lowered(&self) -> bool {
        !self.cased && matches!(self.kind, Kind::Contains(_) | Kind::Glob(_))
    }

    /// The exact (lowercased unless cased) text this pattern equals, if it is an equality.
    pub(crate) fn exact(&self) -> Option<&str> {
        match &self.kind {
            Kind::Exact(s) => Some(s),
            _ => None,
        }
    }

    /// The pattern as pieces (literals lowercased unless cased) and whether
    /// it is cased: what the SQL backend compiles into `LIKE`.
    pub(crate) fn shape(&self) -> (Vec<Piece>, bool) {
        let lit = |s: &str| Piece::Lit(s.to_owned());
        let pieces = match &self.kind {
            Kind::Any => vec![Piece::Many],
            Kind::Exact(l) if l.is_empty() => Vec::new(),
            Kind::Exact(l) => vec![lit(l)],
            Kind::Prefix(l) => vec![lit(l), Piece::Many],
            Kind::Suffix(l) => vec![Piece::Many, lit(l)],
            Kind::Contains(f) => vec![
                Piece::Many,
                lit(&String::from_utf8_lossy(f.needle())),
                Piece::Many,
            ],
            Kind::PrefixSuffix(a, b) => vec![lit(a), Piece::Many, lit(b)],
            Kind::Glob(g) => SigmaStr::from_pieces(g.iter().map(|x| match x {
                G::Char(c) => Piece::Lit(c.to_string()),
                G::Many => Piece::Many,
                G::One => Piece::One,
            }))
            .pieces
            .clone(),
        };
        (pieces, self.cased)
    }

    /// Whether `text` matches. `lowered` must be `text` lowercased with
    /// [`lower_into`] when `text` is not ASCII or [`needs_lowered`](Self::needs_lowered).
    pub(crate) fn matches(&self, text: &str, lowered: Option<&str>) -> bool {
        if self.cased {
            return self.kind.test(text);
        }
        match (&self.kind, lowered) {
            (Kind::Any, _) => true,
            (_, Some(low)) => self.kind.test(low),
            (Kind::Exact(l), None) => text.eq_ignore_ascii_case(l),
            (Kind::Prefix(l), None) => starts_ci(text, l),
            (Kind::Suffix(l), None) => ends_ci(text, l),
            (Kind::PrefixSuffix(a, b), None) => {
                text.len() >= a.len() + b.len() && starts_ci(text, a) && ends_ci(text, b)
            }
            // Callers lowercase for these; stay correct if one does not.
            (k, None) => k.test(&lower(text)),
        }
    }
}

fn starts_ci(text: &str, lit: &str) -> bool {
    text.len() >= lit.len() && text.as_bytes()[..lit.len()].eq_ignore_ascii_case(lit.as_bytes())
}

fn ends_ci(text: &str, lit: &str) -> bool {
    text.len() >= lit.len()
        && text.as_bytes()[text.len() - lit.len()..].eq_ignore_ascii_case(lit.as_bytes())
}

impl Kind {
    fn test(&self, t: &str) -> bool {
        match self {
            Kind::Any => true,
            Kind::Exact(l) => t == &**l,
            Kind::Prefix(l) => t.starts_with(&**l),
            Kind::Suffix(l) => t.ends_with(&**l),
            Kind::Contains(f) => f.find(t.as_bytes()).is_some(),
            Kind::PrefixSuffix(a, b) => {
                t.len() >= a.len() + b.len() && t.starts_with(&**a) && t.ends_with(&**b)
            }
            Kind::Glob(g) => glob(g, t),
        }
    }
}

/// Wildcard matching with one backtracking point (the last `*`), linear in
/// practice and never exponential.
fn glob(p: &[G], s: &str) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while si < s.len() {
        let c = match s[si..].chars().next() {
            Some(c) => c,
            None => break,
        };
        match p.get(pi) {
            Some(G::Many) => {
                star = Some((pi, si));
                pi += 1;
                continue;
            }
            Some(G::One) => {
                pi += 1;
                si += c.len_utf8();
                continue;
            }
            Some(G::Char(pc)) if *pc == c => {
                pi += 1;
                si += c.len_utf8();
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, ss)) => {
                let skipped = s[ss..].chars().next().map_or(1, char::len_utf8);
                pi = sp + 1;
                si = ss + skipped;
                star = Some((sp, si));
            }
            None => return false,
        }
    }
    p[pi..].iter().all(|g| *g == G::Many)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, text: &str) -> bool {
        let sm = StrMatcher::new(&SigmaStr::parse(pattern), false);
        let low = lower(text);
        let lowered = (sm.needs_lowered() || !text.is_ascii()).then_some(low.as_str());
        sm.matches(text, lowered)
    }

    fn cased(pattern: &str, text: &str) -> bool {
        StrMatcher::new(&SigmaStr::parse(pattern), true).matches(text, None)
    }

    #[test]
    fn plain_strings_match_whole_values_ignoring_case() {
        assert!(m("DeleteTrail", "deletetrail"));
        assert!(m("DeleteTrail", "DELETETRAIL"));
        assert!(!m("DeleteTrail", "DeleteTrails"));
        assert!(m("", ""));
        assert!(!m("", "x"));
        assert!(m("ÉTÉ", "été"));
        assert!(!m("ÉTÉ", "ete"));
    }

    #[test]
    fn wildcards() {
        assert!(m("list*", "ListBuckets"));
        assert!(!m("list*", "GetList"));
        assert!(m("*buckets", "ListBuckets"));
        assert!(m("*BUCK*", "ListBuckets"));
        assert!(m("l*s", "ListBuckets"));
        assert!(!m("l*x", "ListBuckets"));
        assert!(m("l?st*", "LIST"));
        assert!(!m("l?st", "lst"));
        assert!(m("*", ""));
        assert!(m("**", "anything"));
        assert!(m("a*b*c", "aXXbYYc"));
        assert!(m("a*b*c", "abbbc"));
        assert!(!m("a*b*c", "acb"));
        assert!(m("?", "é"));
        assert!(m("*a?c*", "zzabcz"));
        assert!(m("*aab", "aaab"));
    }

    #[test]
    fn escapes() {
        assert!(m(r"a\*b", "a*b"));
        assert!(!m(r"a\*b", "axb"));
        assert!(m(r"a\?", "a?"));
        assert!(!m(r"a\?", "ab"));
        assert!(m(r"C:\Windows\*", r"c:\windows*"));
        assert!(!m(r"C:\Windows\*", r"c:\windows\x"));
        assert!(m(r"C:\Windows\\*", r"c:\windows\x"));
        assert!(m(r"C:\\*", r"C:\anything"));
        assert!(m(r"end\", r"end\"));
        assert_eq!(SigmaStr::parse(r"a\*\\b*").to_sigma(), r"a\*\\b*");
        assert!(SigmaStr::parse(r"a\*").as_plain().is_some());
        assert_eq!(SigmaStr::parse(r"x\?y").as_plain().as_deref(), Some("x?y"));
    }

    #[test]
    fn cased_matching_keeps_case() {
        assert!(cased("Root", "Root"));
        assert!(!cased("Root", "root"));
        assert!(cased("*Log*", "StopLogging"));
        assert!(!cased("*log*", "StopLogging"));
        assert!(cased("S?op*", "StopLogging"));
    }

    #[test]
    fn contains_helpers_do_not_double_wildcards() {
        let mut s = SigmaStr::parse("*x");
        s.prepend_many();
        s.append_many();
        assert_eq!(s.to_sigma(), "*x*");
    }
}
