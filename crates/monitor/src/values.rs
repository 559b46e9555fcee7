//! One detection item (`field|modifiers: values`) as EventBridge field tests, for either
//! polarity: Sigma's meaning (strings ignore case, `null` also matches an absent field, a
//! negated item also matches an absent field) kept exactly, or the reason it cannot be.

use serde_json::{json, Value};

use crate::doc::{ItemDef, Scalar};
use crate::formula::{FieldTest, Formula, Test};

/// Modifiers with an EventBridge form; anything else refuses the rule, naming it.
const SUPPORTED: &[&str] = &[
    "contains",
    "startswith",
    "endswith",
    "all",
    "cased",
    "exists",
    "gt",
    "gte",
    "lt",
    "lte",
    "cidr",
];

/// CloudTrail fields that hold objects or lists of objects: EventBridge's `exists` only sees
/// leaf values, so Sigma's `|exists` on them has no pattern form.
const NON_LEAF: &[(&str, &str)] = &[(
    "requestParameters.filters",
    "BatchGetSecretValue's filters is a list of objects",
)];

const NUMERIC: &[(&str, &str)] = &[("gt", ">"), ("gte", ">="), ("lt", "<"), ("lte", "<=")];

/// A Sigma string split at its unescaped `*`.
struct Wild {
    parts: Vec<String>,
}

fn wild(s: &str) -> Result<Wild, String> {
    let mut parts = vec![String::new()];
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n @ ('*' | '?' | '\\')) => parts.last_mut().map_or((), |p| p.push(n)),
                Some(n) => parts.last_mut().map_or((), |p| {
                    p.push('\\');
                    p.push(n)
                }),
                None => parts.last_mut().map_or((), |p| p.push('\\')),
            },
            '*' => parts.push(String::new()),
            '?' => {
                return Err(format!(
                    "the single-character wildcard `?` in {s:?} has no EventBridge form"
                ))
            }
            c => parts.last_mut().map_or((), |p| p.push(c)),
        }
    }
    Ok(Wild { parts })
}

fn has_case(s: &str) -> bool {
    s.chars().any(|c| c.is_lowercase() || c.is_uppercase())
}

/// `{"kind": value}`, or `{"kind": {"equals-ignore-case": value}}` when case matters.
fn cased(kind: &str, v: &str, ignore: bool) -> Value {
    if ignore {
        json!({ kind: { "equals-ignore-case": v } })
    } else {
        json!({ kind: v })
    }
}

fn escape_wildcard(s: &str) -> String {
    s.replace('\\', "\\\\").replace('*', "\\*")
}

/// A positive string matcher.
fn string_matcher(s: &str, is_cased: bool) -> Result<Vec<Value>, String> {
    let w = wild(s)?;
    let ignore = |t: &str| !is_cased && has_case(t);
    Ok(match w.parts.as_slice() {
        [exact] => {
            let mut out = vec![if ignore(exact) {
                json!({"equals-ignore-case": exact})
            } else {
                json!(exact)
            }];
            // Sigma compares a string with a number or boolean as its JSON text.
            if let Ok(n) = exact.parse::<f64>() {
                out.push(json!(n));
            }
            if let Ok(b) = exact.to_ascii_lowercase().parse::<bool>() {
                out.push(json!(b));
            }
            out
        }
        [p, s] if s.is_empty() => vec![cased("prefix", p, ignore(p))],
        [p, s] if p.is_empty() => vec![cased("suffix", s, ignore(s))],
        parts => {
            let lit: String = parts.concat();
            if ignore(&lit) {
                return Err(format!("{s:?} needs a wildcard, and EventBridge wildcards compare case-sensitively while Sigma ignores case"));
            }
            let pattern: Vec<String> = parts.iter().map(|p| escape_wildcard(p)).collect();
            vec![json!({"wildcard": pattern.join("*")})]
        }
    })
}

/// A negated string matcher (`anything-but`), or why there is none.
fn negated_string(s: &str, is_cased: bool) -> Result<Value, String> {
    let w = wild(s)?;
    let lit: String = w.parts.concat();
    let ignore = !is_cased && has_case(&lit);
    match w.parts.as_slice() {
        [exact] if exact.parse::<f64>().is_err() && exact.to_ascii_lowercase().parse::<bool>().is_err() => {
            Ok(if ignore { json!({"anything-but": {"equals-ignore-case": exact}}) } else { json!({"anything-but": exact}) })
        }
        [_] => Err(format!("not {s:?}: the value also equals a number or boolean, and anything-but cannot exclude both")),
        _ if ignore => Err(format!("not {s:?}: anything-but prefix/suffix/wildcard compare case-sensitively while Sigma ignores case")),
        [p, s] if s.is_empty() => Ok(json!({"anything-but": {"prefix": p}})),
        [p, s] if p.is_empty() => Ok(json!({"anything-but": {"suffix": s}})),
        parts => {
            let pattern: Vec<String> = parts.iter().map(|p| escape_wildcard(p)).collect();
            Ok(json!({"anything-but": {"wildcard": pattern.join("*")}}))
        }
    }
}

fn decorate(s: &str, mods: &[String]) -> String {
    let has = |m: &str| mods.iter().any(|x| x == m);
    if has("contains") {
        format!("*{s}*")
    } else if has("startswith") {
        format!("{s}*")
    } else if has("endswith") {
        format!("*{s}")
    } else {
        s.to_owned()
    }
}

fn positive(v: &Scalar, mods: &[String]) -> Result<Vec<Value>, String> {
    let is_cased = mods.iter().any(|m| m == "cased");
    if let Some((_, op)) = NUMERIC.iter().find(|(m, _)| mods.iter().any(|x| x == m)) {
        return match v {
            Scalar::Num(n, _) => Ok(vec![json!({"numeric": [op, n]})]),
            other => Err(format!("numeric comparison with a non-number {other:?}")),
        };
    }
    if mods.iter().any(|m| m == "cidr") {
        return match v {
            Scalar::Str(s) => Ok(vec![json!({"cidr": s})]),
            other => Err(format!("cidr with a non-string {other:?}")),
        };
    }
    match v {
        Scalar::Str(s) => string_matcher(&decorate(s, mods), is_cased),
        Scalar::Num(n, t) => Ok(vec![json!(n), json!(t)]),
        Scalar::Bool(b) => Ok(vec![json!(b), json!({"equals-ignore-case": b.to_string()})]),
        Scalar::Null => Ok(vec![Value::Null]),
    }
}

fn negative(v: &Scalar, mods: &[String]) -> Result<Value, String> {
    let plain = !mods
        .iter()
        .any(|m| NUMERIC.iter().any(|(n, _)| n == m) || m == "cidr");
    match v {
        Scalar::Str(s) if plain => {
            negated_string(&decorate(s, mods), mods.iter().any(|m| m == "cased"))
        }
        other => Err(format!(
            "a negated {other:?} with {mods:?} has no anything-but form"
        )),
    }
}

fn test(field: &str, matchers: Vec<Value>) -> Formula {
    Formula::Atom(FieldTest {
        field: field.to_owned(),
        test: Test::Any(matchers),
    })
}

fn exists(field: &str, present: bool) -> Formula {
    Formula::Atom(FieldTest {
        field: field.to_owned(),
        test: Test::Exists(present),
    })
}

/// The item as a formula of field tests, holding when the item holds (`negated == false`)
/// or when it does not.
pub(crate) fn item(i: &ItemDef, negated: bool) -> Result<Formula, String> {
    let Some(field) = i.field.as_deref() else {
        return Err("a keyword search over the whole record has no event-pattern form".into());
    };
    if let Some(m) = i
        .modifiers
        .iter()
        .find(|m| !SUPPORTED.contains(&m.as_str()))
    {
        return Err(format!(
            "modifier `{m}` on {field} has no event-pattern form"
        ));
    }
    if i.modifiers.iter().any(|m| m == "exists") {
        if let Some((_, why)) = NON_LEAF.iter().find(|(f, _)| *f == field) {
            return Err(format!(
                "{field}|exists: {why}, and EventBridge's exists only sees leaf values"
            ));
        }
        let want = matches!(i.values.as_slice(), [Scalar::Bool(true)]);
        return Ok(exists(field, want != negated));
    }
    let all = i.modifiers.iter().any(|m| m == "all");
    let null = i.values.iter().any(|v| matches!(v, Scalar::Null));
    if !negated {
        let mut alts = Vec::new();
        for v in &i.values {
            alts.push(test(field, positive(v, &i.modifiers)?));
        }
        if null {
            alts.push(exists(field, false));
        }
        return Ok(if all {
            Formula::And(alts)
        } else {
            Formula::Or(alts)
        });
    }
    if null {
        return Err(format!("not {field}: null has no anything-but form"));
    }
    let negs: Vec<Value> = i
        .values
        .iter()
        .map(|v| negative(v, &i.modifiers))
        .collect::<Result<_, _>>()?;
    let parts: Vec<Formula> = negs.into_iter().map(|n| test(field, vec![n])).collect();
    let present = if all {
        Formula::Or(parts)
    } else {
        Formula::And(parts)
    };
    Ok(Formula::Or(vec![exists(field, false), present]))
}
