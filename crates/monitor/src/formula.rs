//! A boolean formula over EventBridge field tests, brought to disjunctive normal form: a
//! pattern is one alternative (tests on different fields, all holding) or `$or` of several.

use serde_json::{Map, Value};

/// What one field must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Test {
    /// Any of these EventBridge matchers (strings, numbers, matcher objects).
    Any(Vec<Value>),
    /// The field is present (`true`) or absent (`false`).
    Exists(bool),
}

/// A test on one dotted field of the CloudTrail record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FieldTest {
    /// The dotted field name.
    pub(crate) field: String,
    /// What it must satisfy.
    pub(crate) test: Test,
}

/// A formula in negation normal form (negations are already inside the tests).
#[derive(Debug, Clone)]
pub(crate) enum Formula {
    /// One test.
    Atom(FieldTest),
    /// All parts hold.
    And(Vec<Formula>),
    /// Some part holds.
    Or(Vec<Formula>),
}

/// At most this many alternatives per pattern: more would exceed what EventBridge accepts.
pub(crate) const MAX_ALTERNATIVES: usize = 32;

/// One alternative: tests on distinct fields, or `None` when it can never hold.
type Conjunct = Vec<FieldTest>;

/// The formula as alternatives, each a conjunction of tests.
pub(crate) fn dnf(f: &Formula) -> Result<Vec<Conjunct>, String> {
    Ok(match f {
        Formula::Atom(t) => vec![vec![t.clone()]],
        Formula::Or(parts) => {
            let mut out = Vec::new();
            for p in parts {
                out.extend(dnf(p)?);
            }
            check(merge_singletons(out))?
        }
        Formula::And(parts) => {
            let mut acc: Vec<Conjunct> = vec![Vec::new()];
            for p in parts {
                let d = dnf(p)?;
                let mut next = Vec::new();
                for a in &acc {
                    for b in &d {
                        next.push(a.iter().chain(b.iter()).cloned().collect());
                    }
                }
                acc = check(next)?;
            }
            acc
        }
    })
}

/// Alternatives that test one field each, with `Any`, merged per field: `f ∈ A or f ∈ B` is
/// `f ∈ A ∪ B`, which keeps the alternatives of a list of values from multiplying.
fn merge_singletons(v: Vec<Conjunct>) -> Vec<Conjunct> {
    let mut out: Vec<Conjunct> = Vec::new();
    for c in v {
        let merged = match c.as_slice() {
            [FieldTest {
                field,
                test: Test::Any(m),
            }] => out.iter_mut().any(|o| match o.as_mut_slice() {
                [FieldTest {
                    field: f,
                    test: Test::Any(existing),
                }] if f == field => {
                    for x in m {
                        if !existing.contains(x) {
                            existing.push(x.clone());
                        }
                    }
                    true
                }
                _ => false,
            }),
            _ => false,
        };
        if !merged {
            out.push(c);
        }
    }
    out
}

fn check(v: Vec<Conjunct>) -> Result<Vec<Conjunct>, String> {
    if v.len() > 4 * MAX_ALTERNATIVES {
        return Err(format!(
            "the condition expands to {} alternatives; EventBridge patterns hold at most {MAX_ALTERNATIVES}",
            v.len()
        ));
    }
    Ok(v)
}

fn exact_lower(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_lowercase()),
        Value::Object(o) if o.len() == 1 => {
            o.get("equals-ignore-case")?.as_str().map(str::to_lowercase)
        }
        _ => None,
    }
}

fn excluded_lower(v: &Value) -> Option<Vec<String>> {
    let inner = v.as_object()?.get("anything-but")?;
    let list = |x: &Value| -> Option<Vec<String>> {
        match x {
            Value::String(s) => Some(vec![s.to_lowercase()]),
            Value::Array(a) => a
                .iter()
                .map(|s| s.as_str().map(str::to_lowercase))
                .collect(),
            _ => None,
        }
    };
    match inner {
        Value::Object(o) if o.len() == 1 => list(o.get("equals-ignore-case")?),
        other => list(other),
    }
}

/// Two tests on one field in one alternative, as one test; `Ok(None)` when they contradict.
fn merge(a: &Test, b: &Test, field: &str) -> Result<Option<Test>, String> {
    use Test::{Any, Exists};
    let refuse = || {
        format!("two conditions on {field} in one alternative, and EventBridge cannot require both on one field")
    };
    Ok(match (a, b) {
        (Exists(x), Exists(y)) => (x == y).then_some(Exists(*x)),
        (Exists(false), Any(_)) | (Any(_), Exists(false)) => None,
        (Exists(true), Any(m)) | (Any(m), Exists(true)) => Some(Any(m.clone())),
        (Any(x), Any(y)) if x == y => Some(Any(x.clone())),
        (Any(x), Any(y)) => {
            let ex = |m: &[Value]| m.iter().map(excluded_lower).collect::<Option<Vec<_>>>();
            let eq = |m: &[Value]| m.iter().map(exact_lower).collect::<Option<Vec<_>>>();
            if let (Some(ex1), Some(ex2)) = (ex(x), ex(y)) {
                let mut all: Vec<String> = ex1.into_iter().chain(ex2).flatten().collect();
                all.sort();
                all.dedup();
                Some(Any(vec![
                    serde_json::json!({"anything-but": {"equals-ignore-case": all}}),
                ]))
            } else if let (Some(_), Some(excl)) = (eq(x), ex(y)) {
                keep(x, &excl.concat())
            } else if let (Some(excl), Some(_)) = (ex(x), eq(y)) {
                keep(y, &excl.concat())
            } else if let (Some(e1), Some(e2)) = (eq(x), eq(y)) {
                let kept: Vec<Value> = x
                    .iter()
                    .zip(e1)
                    .filter(|(_, l)| e2.contains(l))
                    .map(|(v, _)| v.clone())
                    .collect();
                (!kept.is_empty()).then_some(Any(kept))
            } else {
                return Err(refuse());
            }
        }
    })
}

/// The equality matchers of `m` whose value is not in `excluded` (lowercase).
fn keep(m: &[Value], excluded: &[String]) -> Option<Test> {
    let kept: Vec<Value> = m
        .iter()
        .filter(|v| exact_lower(v).is_some_and(|l| !excluded.contains(&l)))
        .cloned()
        .collect();
    (!kept.is_empty()).then_some(Test::Any(kept))
}

/// The conjunct with one test per field, sorted by field; `None` when it cannot hold.
pub(crate) fn simplify(c: &Conjunct) -> Result<Option<Conjunct>, String> {
    let mut out: Vec<FieldTest> = Vec::new();
    for t in c {
        match out.iter_mut().find(|o| o.field == t.field) {
            None => out.push(t.clone()),
            Some(o) => match merge(&o.test, &t.test, &t.field)? {
                Some(m) => o.test = m,
                None => return Ok(None),
            },
        }
    }
    out.sort_by(|a, b| a.field.cmp(&b.field));
    Ok(Some(out))
}

/// Inserts `test` at the dotted `field` of `obj`.
fn insert(obj: &mut Map<String, Value>, field: &str, test: &Test) -> Result<(), String> {
    let value = match test {
        Test::Any(m) => Value::Array(m.clone()),
        Test::Exists(b) => Value::Array(vec![serde_json::json!({ "exists": b })]),
    };
    let mut cur = obj;
    let parts: Vec<&str> = field.split('.').collect();
    for (i, p) in parts.iter().enumerate() {
        if i + 1 == parts.len() {
            if cur.insert((*p).to_owned(), value).is_some() {
                return Err(format!("{field} is tested twice"));
            }
            return Ok(());
        }
        let next = cur
            .entry((*p).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        cur = next
            .as_object_mut()
            .ok_or_else(|| format!("{field} is tested both as a value and as an object"))?;
    }
    Ok(())
}

/// The alternatives as one pattern object (the `detail` part): tests common to every
/// alternative once, the rest under `$or` (or merged into one list when every alternative
/// tests the same single field).
pub(crate) fn to_pattern(alts: &[Conjunct]) -> Result<Map<String, Value>, String> {
    if alts.len() > MAX_ALTERNATIVES {
        return Err(format!(
            "{} alternatives; EventBridge patterns hold at most {MAX_ALTERNATIVES}",
            alts.len()
        ));
    }
    let first = alts.first().ok_or("the condition can never hold")?;
    let common: Vec<FieldTest> = first
        .iter()
        .filter(|t| alts.iter().all(|a| a.contains(t)))
        .cloned()
        .collect();
    let rest: Vec<Vec<&FieldTest>> = alts
        .iter()
        .map(|a| a.iter().filter(|t| !common.contains(t)).collect())
        .collect();
    let mut obj = Map::new();
    for t in &common {
        insert(&mut obj, &t.field, &t.test)?;
    }
    if rest.iter().any(Vec::is_empty) {
        return Ok(obj); // one alternative is the common part alone: the others add nothing
    }
    let one_field = rest
        .iter()
        .all(|r| r.len() == 1 && r[0].field == rest[0][0].field);
    let plain = rest.iter().all(|r| matches!(r[0].test, Test::Any(_)));
    if rest.len() > 1 && one_field && plain {
        let mut all = Vec::new();
        for r in &rest {
            if let Test::Any(m) = &r[0].test {
                all.extend(m.iter().cloned());
            }
        }
        insert(&mut obj, &rest[0][0].field, &Test::Any(all))?;
    } else if rest.len() > 1 {
        let mut list = Vec::new();
        for r in &rest {
            let mut o = Map::new();
            for t in r {
                insert(&mut o, &t.field, &t.test)?;
            }
            list.push(Value::Object(o));
        }
        obj.insert("$or".into(), Value::Array(list));
    }
    Ok(obj)
}
