//! A compiled detection (items, searches, condition tree) as one SQL
//! predicate, with the evaluator's semantics (`eval.rs`): a map is all of its
//! items, a list any alternative; an item matches when any found value
//! matches any value (all values with `|all`), `null` also matching an
//! absent field; `|neq` negates the item; keywords search the raw text.

use super::field::{raw_column, Fields};
use super::matcher::{found_of, predicate, Found};
use crate::detection::{Cond, Detection, Item, Search, Target, Test};
use crate::record::FieldPath;
use crate::value::ValueMatcher;

/// The detection as a predicate, or the reason it cannot be one exactly.
pub(crate) fn detection(d: &Detection, f: &mut Fields) -> Result<String, String> {
    cond(d, &d.cond, f)
}

fn cond(d: &Detection, c: &Cond, f: &mut Fields) -> Result<String, String> {
    Ok(match c {
        Cond::Search(i) => match d.searches.get(*i) {
            Some(s) => search(s, f)?,
            None => "FALSE".into(),
        },
        Cond::And(v) => join(v.iter().map(|c| cond(d, c, f)), "AND", "TRUE")?,
        Cond::Or(v) => join(v.iter().map(|c| cond(d, c, f)), "OR", "FALSE")?,
        Cond::Not(c) => format!("(NOT {})", cond(d, c, f)?),
    })
}

fn search(s: &Search, f: &mut Fields) -> Result<String, String> {
    match s {
        Search::All(items) => join(items.iter().map(|i| item(i, f)), "AND", "TRUE"),
        Search::Any(alts) => join(alts.iter().map(|a| search(a, f)), "OR", "FALSE"),
    }
}

fn join(
    parts: impl Iterator<Item = Result<String, String>>,
    op: &str,
    empty: &str,
) -> Result<String, String> {
    let parts: Vec<String> = parts.collect::<Result<_, _>>()?;
    Ok(if parts.is_empty() {
        empty.to_owned()
    } else {
        format!("({})", parts.join(&format!(" {op} ")))
    })
}

fn item(i: &Item, f: &mut Fields) -> Result<String, String> {
    let hit = match (&i.target, &i.test) {
        (Target::Field(p), Test::Exists(b)) => {
            let e = f.exists(p)?;
            if *b {
                e
            } else {
                format!("(NOT {e})")
            }
        }
        (Target::Field(p), Test::Any(values)) => field(p, values, f)?,
        (Target::Field(p), Test::All(values)) => join(
            values.iter().map(|v| field(p, std::slice::from_ref(v), f)),
            "AND",
            "TRUE",
        )?,
        (Target::Keyword, Test::Any(values)) => {
            join(values.iter().map(|v| keyword(v, f)), "OR", "FALSE")?
        }
        (Target::Keyword, Test::All(values)) => {
            join(values.iter().map(|v| keyword(v, f)), "AND", "TRUE")?
        }
        (Target::Keyword, Test::Exists(_)) => "FALSE".into(),
    };
    // Every part is NULL-free, so NOT is exact.
    Ok(if i.negate {
        format!("(NOT {hit})")
    } else {
        hit
    })
}

/// Any found value at `path` matches any of `values`; `null` also matches an absent field.
fn field(path: &FieldPath, values: &[ValueMatcher], f: &mut Fields) -> Result<String, String> {
    let leaves = f.leaves(path)?;
    let found = found_of(&leaves);
    // Build each value's predicate over a placeholder, then substitute the leaf text.
    let var_probe = "\u{1}leaf\u{1}";
    let preds: Vec<String> = values
        .iter()
        .map(|v| predicate(v, var_probe, found, f))
        .collect::<Result<_, _>>()?;
    let body = format!("({})", preds.join(" OR "));
    let any = f.any_leaf(&leaves, &|text| body.replace(var_probe, text));
    Ok(if values.iter().any(ValueMatcher::is_null) {
        format!("({any} OR NOT {})", f.seen(&leaves))
    } else {
        any
    })
}

/// A keyword: the value searched in the raw record text.
fn keyword(v: &ValueMatcher, f: &mut Fields) -> Result<String, String> {
    let raw = raw_column(f.schema);
    Ok(format!(
        "coalesce({}, FALSE)",
        predicate(v, raw, Found::Text, f)?
    ))
}
