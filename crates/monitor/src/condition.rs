//! Sigma condition expressions (`and`, `or`, `not`, parentheses, `1 of`/`any of`/`all of`
//! a pattern or `them`), parsed into a tree over search identifiers.

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Expr {
    /// A search identifier.
    Search(String),
    /// Every part holds.
    And(Vec<Expr>),
    /// Some part holds.
    Or(Vec<Expr>),
    /// The part does not hold.
    Not(Box<Expr>),
}

struct Parser<'a> {
    tokens: Vec<&'a str>,
    pos: usize,
    names: &'a [String],
}

fn tokenize(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in s.char_indices() {
        let boundary = c.is_whitespace() || c == '(' || c == ')';
        if boundary {
            if let Some(b) = start.take() {
                out.push(&s[b..i]);
            }
            if c != ' ' && !c.is_whitespace() {
                out.push(&s[i..i + 1]);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(b) = start {
        out.push(&s[b..]);
    }
    out
}

/// Whether `name` matches a `1 of` pattern (`*` wildcards; `them` is every name not starting
/// with `_`).
fn pattern_matches(pattern: &str, name: &str) -> bool {
    if pattern == "them" {
        return !name.starts_with('_');
    }
    match pattern.split_once('*') {
        None => pattern == name,
        Some((head, tail)) => {
            name.starts_with(head)
                && name.len() >= head.len() + tail.len()
                && pattern_matches_rest(tail, &name[head.len()..])
        }
    }
}

fn pattern_matches_rest(tail: &str, rest: &str) -> bool {
    if tail.is_empty() {
        return true;
    }
    (0..=rest.len())
        .filter(|i| rest.is_char_boundary(*i))
        .any(|i| pattern_matches(tail, &rest[i..]))
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&'a str> {
        self.tokens.get(self.pos).copied()
    }

    fn next(&mut self) -> Result<&'a str, String> {
        let t = self.peek().ok_or("the condition ends early")?;
        self.pos += 1;
        Ok(t)
    }

    fn or(&mut self) -> Result<Expr, String> {
        let mut parts = vec![self.and()?];
        while self.peek() == Some("or") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Expr, String> {
        let mut parts = vec![self.not()?];
        while self.peek() == Some("and") {
            self.pos += 1;
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn not(&mut self) -> Result<Expr, String> {
        if self.peek() == Some("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let t = self.next()?;
        match t {
            "(" => {
                let e = self.or()?;
                match self.next()? {
                    ")" => Ok(e),
                    other => Err(format!("expected `)`, found {other:?}")),
                }
            }
            "1" | "any" | "all" => {
                let of = self.next()?;
                if of != "of" {
                    return Err(format!("expected `of` after {t:?}, found {of:?}"));
                }
                let pattern = self.next()?;
                let parts: Vec<Expr> = self
                    .names
                    .iter()
                    .filter(|n| pattern_matches(pattern, n))
                    .map(|n| Expr::Search(n.clone()))
                    .collect();
                if parts.is_empty() {
                    return Err(format!("`{t} of {pattern}` names no search identifier"));
                }
                Ok(if t == "all" {
                    Expr::And(parts)
                } else {
                    Expr::Or(parts)
                })
            }
            name if self.names.iter().any(|n| n == name) => Ok(Expr::Search(name.to_owned())),
            other => Err(format!("unknown search identifier {other:?}")),
        }
    }
}

/// Parses `condition` over the search identifiers `names`.
pub(crate) fn parse(condition: &str, names: &[String]) -> Result<Expr, String> {
    let mut p = Parser {
        tokens: tokenize(condition),
        pos: 0,
        names,
    };
    let e = p.or()?;
    match p.peek() {
        None => Ok(e),
        Some(t) => Err(format!("unexpected {t:?} in the condition {condition:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn precedence_and_of_patterns() {
        let n = names(&["selection", "filter_a", "filter_b", "outcome_error"]);
        let e = parse("selection and not 1 of filter_*", &n).unwrap();
        let want = Expr::And(vec![
            Expr::Search("selection".into()),
            Expr::Not(Box::new(Expr::Or(vec![
                Expr::Search("filter_a".into()),
                Expr::Search("filter_b".into()),
            ]))),
        ]);
        assert_eq!(e, want);
        let e = parse("(selection) or outcome_error and selection", &n).unwrap();
        assert!(matches!(e, Expr::Or(ref v) if v.len() == 2));
        assert!(parse("selection and nothing", &n).is_err());
        assert!(parse("selection and (filter_a", &n).is_err());
    }
}
