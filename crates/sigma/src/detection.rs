//! A compiled detection section: the items, searches and condition tree
//! that compiling produces (`compile`, with each item's modifiers applied by
//! `modifiers`) and that evaluation walks (`eval`).

use crate::record::FieldPath;
use crate::value::ValueMatcher;

/// What an item tests: a field, or the whole record text (keywords).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    Field(FieldPath),
    Keyword,
}

/// How an item's values combine.
#[derive(Debug, Clone)]
pub(crate) enum Test {
    /// `|exists: true/false`.
    Exists(bool),
    /// Any value matches (the default).
    Any(Vec<ValueMatcher>),
    /// Every value matches (`|all`).
    All(Vec<ValueMatcher>),
}

/// One compiled `field|modifiers: values` line.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub(crate) target: Target,
    pub(crate) test: Test,
    /// `|neq`: the item's result is negated.
    pub(crate) negate: bool,
    /// Some value needs the found text lowercased even when it is ASCII.
    pub(crate) needs_lowered: bool,
    /// Rough evaluation cost, to test cheap items first.
    pub(crate) cost: u32,
}

impl Item {
    pub(crate) fn new(target: Target, test: Test, negate: bool) -> Item {
        let (needs_lowered, extra) = {
            let values: &[ValueMatcher] = match &test {
                Test::Exists(_) => &[],
                Test::Any(v) | Test::All(v) => v,
            };
            let extra: u32 = values
                .iter()
                .map(|v| match v {
                    ValueMatcher::Re(_) => 4,
                    ValueMatcher::FieldRef { .. } => 16,
                    _ => 0,
                })
                .sum();
            (
                values
                    .iter()
                    .any(|v| matches!(v, ValueMatcher::Str(m) if m.needs_lowered())),
                extra + values.len() as u32 / 8,
            )
        };
        let base = match &target {
            Target::Field(p) if p.pivot().is_some() => 1,
            Target::Field(_) => 8,
            Target::Keyword => 16,
        };
        Item {
            target,
            test,
            negate,
            needs_lowered,
            cost: base + extra,
        }
    }
}

/// A search identifier, compiled.
#[derive(Debug, Clone)]
pub(crate) enum Search {
    /// A map: all items match.
    All(Vec<Item>),
    /// A list: any alternative matches.
    Any(Vec<Search>),
}

/// The condition over search identifiers (by index).
#[derive(Debug, Clone)]
pub(crate) enum Cond {
    Search(usize),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
}

/// A compiled detection section.
#[derive(Debug, Clone)]
pub(crate) struct Detection {
    pub(crate) searches: Vec<Search>,
    pub(crate) cond: Cond,
}
