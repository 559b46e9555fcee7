//! The `condition` language: `and`, `or`, `not`, parentheses, `1 of x*`,
//! `all of x*`, `1 of them`, `all of them` (precedence: `not` > `and` > `or`),
//! and the obsolete aggregation after a `|` (`| count() by f > 5`, `| near x`).

/// A parsed condition, before search identifiers are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CondAst {
    /// A search identifier.
    Ident(String),
    /// `1 of PATTERN` (or `any of`); `them` is the pattern `them`.
    OneOf(String),
    /// `all of PATTERN`.
    AllOf(String),
    And(Vec<CondAst>),
    Or(Vec<CondAst>),
    Not(Box<CondAst>),
}

/// Comparison in an obsolete aggregation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AggOp {
    Gt,
    Gte,
    Lt,
    Lte,
    Eq,
}

/// The obsolete aggregation part of a condition (after `|`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Aggregation {
    /// `count([field]) [by group] op value`, or another function.
    Function {
        function: String,
        field: Option<String>,
        group_by: Option<String>,
        op: AggOp,
        value: f64,
    },
    /// `near …`.
    Near(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Open,
    Close,
    Word(String),
}

fn tokenize(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut word = String::new();
    for c in s.chars() {
        if c == '(' || c == ')' || c.is_whitespace() {
            if !word.is_empty() {
                out.push(Tok::Word(std::mem::take(&mut word)));
            }
            match c {
                '(' => out.push(Tok::Open),
                ')' => out.push(Tok::Close),
                _ => {}
            }
        } else {
            word.push(c);
        }
    }
    if !word.is_empty() {
        out.push(Tok::Word(word));
    }
    out
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

fn is_kw(t: Option<&Tok>, kw: &str) -> bool {
    matches!(t, Some(Tok::Word(w)) if w.eq_ignore_ascii_case(kw))
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn or(&mut self) -> Result<CondAst, String> {
        let mut parts = vec![self.and()?];
        while is_kw(self.peek(), "or") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            CondAst::Or(parts)
        })
    }

    fn and(&mut self) -> Result<CondAst, String> {
        let mut parts = vec![self.not()?];
        while is_kw(self.peek(), "and") {
            self.pos += 1;
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            CondAst::And(parts)
        })
    }

    fn not(&mut self) -> Result<CondAst, String> {
        if is_kw(self.peek(), "not") {
            self.pos += 1;
            return Ok(CondAst::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<CondAst, String> {
        let tok = self.peek().cloned();
        match tok {
            None => Err("unexpected end of condition".into()),
            Some(Tok::Open) => {
                self.pos += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Tok::Close) {
                    return Err("missing `)`".into());
                }
                self.pos += 1;
                Ok(inner)
            }
            Some(Tok::Close) => Err("unexpected `)`".into()),
            Some(Tok::Word(w)) => {
                self.pos += 1;
                if is_kw(self.peek(), "of") {
                    self.pos += 1;
                    let Some(Tok::Word(target)) = self.peek().cloned() else {
                        return Err(format!("`{w} of` needs a pattern or `them`"));
                    };
                    self.pos += 1;
                    let target = if target.eq_ignore_ascii_case("them") {
                        "them".to_owned()
                    } else {
                        target
                    };
                    return if w == "1" || w.eq_ignore_ascii_case("any") {
                        Ok(CondAst::OneOf(target))
                    } else if w.eq_ignore_ascii_case("all") {
                        Ok(CondAst::AllOf(target))
                    } else {
                        Err(format!("`{w} of`: Sigma defines only `1 of` and `all of`"))
                    };
                }
                for kw in ["and", "or", "not", "of", "them"] {
                    if w.eq_ignore_ascii_case(kw) {
                        return Err(format!("unexpected `{w}`"));
                    }
                }
                Ok(CondAst::Ident(w))
            }
        }
    }
}

/// Parses a condition, splitting off an obsolete aggregation after `|`.
pub(crate) fn parse(text: &str) -> Result<(CondAst, Option<Aggregation>), String> {
    let (expr, agg) = match text.split_once('|') {
        Some((e, a)) => (e, Some(parse_aggregation(a.trim())?)),
        None => (text, None),
    };
    let mut p = Parser {
        toks: tokenize(expr),
        pos: 0,
    };
    let ast = p.or()?;
    if let Some(t) = p.peek() {
        return Err(format!(
            "unexpected {} after a complete expression",
            match t {
                Tok::Open => "`(`".to_owned(),
                Tok::Close => "`)`".to_owned(),
                Tok::Word(w) => format!("`{w}`"),
            }
        ));
    }
    Ok((ast, agg))
}

fn parse_aggregation(text: &str) -> Result<Aggregation, String> {
    if let Some(rest) = text.strip_prefix("near") {
        return Ok(Aggregation::Near(rest.trim().to_owned()));
    }
    let open = text
        .find('(')
        .ok_or_else(|| format!("aggregation {text:?}: expected `function(field)`"))?;
    let close = text
        .find(')')
        .filter(|&c| c > open)
        .ok_or_else(|| format!("aggregation {text:?}: missing `)`"))?;
    let function = text[..open].trim().to_ascii_lowercase();
    let field = Some(text[open + 1..close].trim().to_owned()).filter(|f| !f.is_empty());
    let mut rest = text[close + 1..].trim();
    let mut group_by = None;
    if let Some(r) = rest.strip_prefix("by ") {
        let r = r.trim_start();
        let end = r
            .find(|c: char| c.is_whitespace() || "<>=!".contains(c))
            .unwrap_or(r.len());
        group_by = Some(r[..end].to_owned());
        rest = r[end..].trim();
    }
    let (op, num) = [
        (">=", AggOp::Gte),
        ("<=", AggOp::Lte),
        ("==", AggOp::Eq),
        (">", AggOp::Gt),
        ("<", AggOp::Lt),
        ("=", AggOp::Eq),
    ]
    .into_iter()
    .find_map(|(s, op)| rest.strip_prefix(s).map(|r| (op, r.trim())))
    .ok_or_else(|| format!("aggregation {text:?}: expected a comparison such as `> 5`"))?;
    let value = num
        .parse::<f64>()
        .map_err(|_| format!("aggregation {text:?}: {num:?} is not a number"))?;
    Ok(Aggregation::Function {
        function,
        field,
        group_by,
        op,
        value,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> CondAst {
        CondAst::Ident(s.into())
    }

    fn p(s: &str) -> CondAst {
        parse(s).unwrap().0
    }

    #[test]
    fn precedence_is_not_and_or() {
        assert_eq!(
            p("a or b and not c"),
            CondAst::Or(vec![
                id("a"),
                CondAst::And(vec![id("b"), CondAst::Not(Box::new(id("c")))])
            ])
        );
        assert_eq!(
            p("not a and b"),
            CondAst::And(vec![CondAst::Not(Box::new(id("a"))), id("b")])
        );
        assert_eq!(
            p("(a or b) and c"),
            CondAst::And(vec![CondAst::Or(vec![id("a"), id("b")]), id("c")])
        );
        assert_eq!(
            p("not not a"),
            CondAst::Not(Box::new(CondAst::Not(Box::new(id("a")))))
        );
    }

    #[test]
    fn quantifiers() {
        assert_eq!(
            p("selection and not 1 of filter_*"),
            CondAst::And(vec![
                id("selection"),
                CondAst::Not(Box::new(CondAst::OneOf("filter_*".into())))
            ])
        );
        assert_eq!(p("all of them"), CondAst::AllOf("them".into()));
        assert_eq!(p("any of sel*"), CondAst::OneOf("sel*".into()));
        assert!(parse("2 of sel*").is_err());
    }

    #[test]
    fn errors_are_reported() {
        for bad in ["", "a and", "(a", "a)", "a b", "of x", "1 of"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn obsolete_aggregations() {
        let (ast, agg) = parse("selection | count() by sourceIPAddress > 5").unwrap();
        assert_eq!(ast, id("selection"));
        assert_eq!(
            agg,
            Some(Aggregation::Function {
                function: "count".into(),
                field: None,
                group_by: Some("sourceIPAddress".into()),
                op: AggOp::Gt,
                value: 5.0
            })
        );
        let (_, agg) = parse("sel and not f | count(User) by Ip >= 10").unwrap();
        assert!(matches!(
            agg,
            Some(Aggregation::Function { field: Some(f), op: AggOp::Gte, .. }) if f == "User"
        ));
        let (_, agg) = parse("s1 | near s2").unwrap();
        assert_eq!(agg, Some(Aggregation::Near("s2".into())));
        assert!(parse("s | count() > many").is_err());
    }
}
