//! Compiling a rule's `detection` once: search identifiers become lists of
//! compiled items, the condition becomes a tree over them, cheap tests are
//! ordered first, and the `eventName`/`eventSource` values a rule requires
//! are extracted for the engine's index.

use std::collections::{BTreeSet, HashMap};

use crate::condition::{self, Aggregation, CondAst};
use crate::detection::{Cond, Detection, Item, Search, Target, Test};
use crate::error::RuleError;
use crate::modifiers::{self, Placeholders};
use crate::parse::{RawDetection, RawSearch};
use crate::value::ValueMatcher;
use crate::wildcard::{lower, SigmaStr, StrMatcher};

fn compile_search(
    raw: &RawSearch,
    path: &str,
    placeholders: &Placeholders,
) -> Result<Search, RuleError> {
    Ok(match raw {
        RawSearch::Map(items) => {
            let mut out = items
                .iter()
                .map(|i| modifiers::item(i, path, placeholders))
                .collect::<Result<Vec<_>, _>>()?;
            out.sort_by_key(|i| i.cost);
            Search::All(out)
        }
        RawSearch::Keywords(item) => Search::All(vec![modifiers::item(item, path, placeholders)?]),
        RawSearch::List(alts) => Search::Any(
            alts.iter()
                .map(|a| compile_search(a, path, placeholders))
                .collect::<Result<_, _>>()?,
        ),
    })
}

fn resolve(
    ast: &CondAst,
    names: &HashMap<&str, usize>,
    ordered: &[&str],
    text: &str,
) -> Result<Cond, RuleError> {
    let err = |reason: String| RuleError::Condition {
        condition: text.to_owned(),
        reason,
    };
    // `them` is every identifier. Identifiers starting with `_` are left out
    // unless the pattern starts with `_` too (as pySigma does).
    let pattern = |p: &str| -> Result<Vec<Cond>, RuleError> {
        let m = StrMatcher::new(&SigmaStr::parse(if p == "them" { "*" } else { p }), true);
        let found: Vec<Cond> = ordered
            .iter()
            .enumerate()
            .filter(|(_, n)| m.matches(n, None) && (p.starts_with('_') || !n.starts_with('_')))
            .map(|(i, _)| Cond::Search(i))
            .collect();
        if found.is_empty() {
            return Err(err(format!("`{p}` matches no search identifier")));
        }
        Ok(found)
    };
    Ok(match ast {
        CondAst::Ident(name) => Cond::Search(
            *names
                .get(name.as_str())
                .ok_or_else(|| err(format!("unknown search identifier `{name}`")))?,
        ),
        CondAst::OneOf(p) => Cond::Or(pattern(p)?),
        CondAst::AllOf(p) => Cond::And(pattern(p)?),
        CondAst::And(v) => Cond::And(
            v.iter()
                .map(|a| resolve(a, names, ordered, text))
                .collect::<Result<_, _>>()?,
        ),
        CondAst::Or(v) => Cond::Or(
            v.iter()
                .map(|a| resolve(a, names, ordered, text))
                .collect::<Result<_, _>>()?,
        ),
        CondAst::Not(a) => Cond::Not(Box::new(resolve(a, names, ordered, text)?)),
    })
}

/// Compiles a detection section; an obsolete aggregation is returned for the
/// caller to turn into a correlation (or refuse).
pub(crate) fn compile(
    raw: &RawDetection,
    placeholders: &Placeholders,
) -> Result<(Detection, Option<(String, Aggregation)>), RuleError> {
    let mut searches = Vec::new();
    let mut names = HashMap::new();
    let mut ordered = Vec::new();
    for (name, s) in &raw.searches {
        names.insert(name.as_str(), searches.len());
        ordered.push(name.as_str());
        searches.push(compile_search(
            s,
            &format!("detection.{name}"),
            placeholders,
        )?);
    }
    let mut conds = Vec::new();
    let mut aggregation = None;
    for text in &raw.conditions {
        let (ast, agg) = condition::parse(text).map_err(|reason| RuleError::Condition {
            condition: text.clone(),
            reason,
        })?;
        if let Some(a) = agg {
            if raw.conditions.len() > 1 {
                return Err(RuleError::Unsupported {
                    key: "detection.condition".into(),
                    feature: "an aggregation in a list of conditions".into(),
                    reason: "write one rule per aggregation".into(),
                });
            }
            aggregation = Some((text.clone(), a));
        }
        conds.push(resolve(&ast, &names, &ordered, text)?);
    }
    let cond = if conds.len() == 1 {
        conds.remove(0)
    } else {
        Cond::Or(conds)
    };
    let mut det = Detection { searches, cond };
    let cond = std::mem::replace(&mut det.cond, Cond::Or(Vec::new()));
    det.cond = order(cond, &det);
    Ok((det, aggregation))
}

fn search_cost(s: &Search) -> u32 {
    match s {
        Search::All(items) => items.iter().map(|i| i.cost).sum(),
        Search::Any(alts) => alts.iter().map(search_cost).sum(),
    }
}

fn cond_cost(c: &Cond, d: &Detection) -> u32 {
    match c {
        Cond::Search(i) => d.searches.get(*i).map_or(0, search_cost),
        Cond::And(v) | Cond::Or(v) => v.iter().map(|c| cond_cost(c, d)).sum(),
        Cond::Not(c) => cond_cost(c, d),
    }
}

/// Orders `and`/`or` operands cheapest first (evaluation short-circuits).
fn order(c: Cond, d: &Detection) -> Cond {
    match c {
        Cond::And(v) | Cond::Or(v) if v.len() == 1 => {
            order(v.into_iter().next().unwrap_or(Cond::And(Vec::new())), d)
        }
        Cond::And(v) => {
            let mut v: Vec<Cond> = v.into_iter().map(|c| order(c, d)).collect();
            v.sort_by_key(|c| cond_cost(c, d));
            Cond::And(v)
        }
        Cond::Or(v) => {
            let mut v: Vec<Cond> = v.into_iter().map(|c| order(c, d)).collect();
            v.sort_by_key(|c| cond_cost(c, d));
            Cond::Or(v)
        }
        Cond::Not(c) => Cond::Not(Box::new(order(*c, d))),
        s => s,
    }
}

type Bound = Option<BTreeSet<String>>;

fn intersect(a: Bound, b: Bound) -> Bound {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.intersection(&b).cloned().collect()),
        (a, None) => a,
        (None, b) => b,
    }
}

fn item_bound(i: &Item, field: &str) -> Bound {
    let Target::Field(p) = &i.target else {
        return None;
    };
    if p.as_str() != field || i.negate {
        return None;
    }
    let exact = |v: &ValueMatcher| match v {
        ValueMatcher::Str(m) => m.exact().map(lower),
        _ => None,
    };
    match &i.test {
        Test::Any(values) => values.iter().map(exact).collect(),
        Test::All(values) => values
            .iter()
            .map(|v| exact(v).map(|e| BTreeSet::from([e])))
            .fold(None, |acc, b| match b {
                None => acc,
                b => intersect(acc, b),
            }),
        Test::Exists(_) => None,
    }
}

fn search_bound(s: &Search, field: &str) -> Bound {
    match s {
        Search::All(items) => items
            .iter()
            .map(|i| item_bound(i, field))
            .fold(None, intersect),
        Search::Any(alts) => {
            let mut out = BTreeSet::new();
            for a in alts {
                out.extend(search_bound(a, field)?);
            }
            Some(out)
        }
    }
}

impl Detection {
    /// The (lowercased) values `field` must equal for the rule to match, when
    /// the condition proves such a set; `None` when it does not.
    pub(crate) fn bound(&self, field: &str) -> Bound {
        self.cond_bound(&self.cond, field)
    }

    fn cond_bound(&self, c: &Cond, field: &str) -> Bound {
        match c {
            Cond::Search(i) => self.searches.get(*i).and_then(|s| search_bound(s, field)),
            Cond::And(v) => v
                .iter()
                .map(|c| self.cond_bound(c, field))
                .fold(None, intersect),
            Cond::Or(v) => {
                let mut out = BTreeSet::new();
                for c in v {
                    out.extend(self.cond_bound(c, field)?);
                }
                Some(out)
            }
            Cond::Not(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{document, documents, Document};

    fn det(yaml: &str) -> Detection {
        let docs = documents(&format!("title: T\n{yaml}")).unwrap();
        let Document::Rule { detection, .. } = document(&docs[0].1).unwrap() else {
            panic!()
        };
        compile(&detection, &Placeholders::new()).unwrap().0
    }

    fn set(v: &[&str]) -> Bound {
        Some(v.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn bounds_follow_the_condition() {
        let d = det("detection:\n  s:\n    eventSource: iam.amazonaws.com\n    eventName: [CreateUser, CreateAccessKey]\n  condition: s\n");
        assert_eq!(
            d.bound("eventName"),
            set(&["createaccesskey", "createuser"])
        );
        assert_eq!(d.bound("eventSource"), set(&["iam.amazonaws.com"]));
        let d = det("detection:\n  a:\n    eventName: A\n  b:\n    eventName: B\n  f:\n    eventName: C\n  condition: 1 of a or b and not f\n");
        assert_eq!(d.bound("eventName"), set(&["a", "b"]));
        let d = det(
            "detection:\n  a:\n    eventName: A\n  b:\n    userAgent: x\n  condition: a or b\n",
        );
        assert_eq!(d.bound("eventName"), None);
        let d = det("detection:\n  a:\n    eventName|startswith: A\n  condition: a\n");
        assert_eq!(d.bound("eventName"), None);
        let d = det(
            "detection:\n  a:\n    eventName: A\n  b:\n    eventName: B\n  condition: a and b\n",
        );
        assert_eq!(d.bound("eventName"), set(&[]));
        let d = det("detection:\n  a:\n    - eventName: A\n    - eventName: B\n      x: 1\n  condition: a\n");
        assert_eq!(d.bound("eventName"), set(&["a", "b"]));
    }

    #[test]
    fn condition_errors_name_the_problem() {
        let docs = documents("title: T\ndetection:\n  a: {x: 1}\n  condition: a and b\n").unwrap();
        let Document::Rule { detection, .. } = document(&docs[0].1).unwrap() else {
            panic!()
        };
        let e = compile(&detection, &Placeholders::new()).unwrap_err();
        assert!(
            e.to_string().contains("unknown search identifier `b`"),
            "{e}"
        );
        let docs = documents("title: T\ndetection:\n  a: {x: 1}\n  condition: 1 of z*\n").unwrap();
        let Document::Rule { detection, .. } = document(&docs[0].1).unwrap() else {
            panic!()
        };
        let e = compile(&detection, &Placeholders::new()).unwrap_err();
        assert!(
            e.to_string().contains("matches no search identifier"),
            "{e}"
        );
    }
}
