//! Sigma correlation rules (`correlation:` documents): `event_count`,
//! `value_count`, `temporal` and `temporal_ordered`, with `group-by`,
//! `timespan`, `condition` (`gt`, `gte`, `lt`, `lte`, `eq`, several meaning
//! a range), `aliases` and `generate`. Obsolete aggregations
//! (`selection | count() by f > 5` with `timeframe`) become the equivalent
//! `event_count` / `value_count` correlations.

use std::fmt;

use yaml_rust2::yaml::Hash;
use yaml_rust2::Yaml;

use crate::condition::{AggOp, Aggregation};
use crate::error::{describe, RuleError};
use crate::ids::RuleId;
use crate::meta::Metadata;
use crate::parse::{key, scalar_text, str_list};
use crate::record::FieldPath;

/// The kind of a correlation rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CorrelationKind {
    /// Counts matching events per group within the timespan.
    EventCount,
    /// Counts distinct values of a field per group within the timespan.
    ValueCount,
    /// All referenced rules match (any order) per group within the timespan.
    Temporal,
    /// All referenced rules match in the order listed, per group, within the timespan.
    TemporalOrdered,
}

impl CorrelationKind {
    /// The Sigma spelling (`event_count`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            CorrelationKind::EventCount => "event_count",
            CorrelationKind::ValueCount => "value_count",
            CorrelationKind::Temporal => "temporal",
            CorrelationKind::TemporalOrdered => "temporal_ordered",
        }
    }
}

impl fmt::Display for CorrelationKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl AggOp {
    pub(crate) fn holds(self, metric: f64, value: f64) -> bool {
        match self {
            AggOp::Gt => metric > value,
            AggOp::Gte => metric >= value,
            AggOp::Lt => metric < value,
            AggOp::Lte => metric <= value,
            AggOp::Eq => metric == value,
        }
    }
}

/// One referenced rule, resolved for evaluation.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub(crate) rule: RuleId,
    /// The group-by fields, aliases applied, for events of this rule.
    pub(crate) group: Vec<FieldPath>,
    /// The counted field of `value_count`, aliases applied.
    pub(crate) field: Option<FieldPath>,
}

/// A correlation rule.
#[derive(Debug, Clone)]
pub struct Correlation {
    pub(crate) meta: Metadata,
    pub(crate) source: String,
    pub(crate) kind: CorrelationKind,
    pub(crate) rule_refs: Vec<String>,
    pub(crate) group_by: Vec<String>,
    pub(crate) timespan_ms: i64,
    pub(crate) conditions: Vec<(AggOp, f64)>,
    pub(crate) field: Option<String>,
    /// alias → (rule reference → field).
    pub(crate) aliases: Vec<(String, Vec<(String, String)>)>,
    pub(crate) generate: bool,
    /// For an obsolete aggregation: the index (in its rule set) of the rule it came from.
    pub(crate) direct: Option<usize>,
    pub(crate) slots: Vec<Slot>,
}

impl Correlation {
    /// Title, id, level, tags and the rest of the metadata.
    pub fn meta(&self) -> &Metadata {
        &self.meta
    }

    /// The kind.
    pub fn kind(&self) -> CorrelationKind {
        self.kind
    }

    /// The referenced rules, as written (ids or names).
    pub fn rules(&self) -> &[String] {
        &self.rule_refs
    }

    /// The `group-by` fields (or aliases).
    pub fn group_by(&self) -> &[String] {
        &self.group_by
    }

    /// `timespan`, in milliseconds.
    pub fn timespan_millis(&self) -> i64 {
        self.timespan_ms
    }

    /// Where it was loaded from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether it was converted from an obsolete `| count()` aggregation.
    pub fn is_from_aggregation(&self) -> bool {
        self.direct.is_some()
    }

    pub(crate) fn satisfied(&self, metric: f64) -> bool {
        self.conditions.iter().all(|(op, v)| op.holds(metric, *v))
    }
}

/// Parses `30s`, `5m`, `1h`, `7d`, `2w` into milliseconds.
pub(crate) fn timespan(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{t:?} has no unit (s, m, h, d or w)"))?;
    let n: i64 = t[..split]
        .parse()
        .map_err(|_| format!("{t:?} does not start with a number"))?;
    let unit = match &t[split..] {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        u => return Err(format!("unit {u:?} is not one of s, m, h, d, w")),
    };
    if n <= 0 {
        return Err(format!("{t:?} is not a positive duration"));
    }
    n.checked_mul(unit)
        .ok_or_else(|| format!("{t:?} is too long"))
}

fn op_name(k: &str) -> Option<AggOp> {
    Some(match k {
        "gt" => AggOp::Gt,
        "gte" => AggOp::Gte,
        "lt" => AggOp::Lt,
        "lte" => AggOp::Lte,
        "eq" => AggOp::Eq,
        _ => return None,
    })
}

fn type_err(key: &str, expected: &'static str, found: &Yaml) -> RuleError {
    RuleError::Type {
        key: format!("correlation.{key}"),
        expected,
        found: describe(found),
    }
}

/// The value of `key` in a correlation section, absent when missing or null.
fn get<'a>(body: &'a Hash, k: &str) -> Option<&'a Yaml> {
    body.get(&key(k)).filter(|y| !y.is_null())
}

/// The kinds evaluated, by their Sigma spelling.
const KINDS: &[CorrelationKind] = &[
    CorrelationKind::EventCount,
    CorrelationKind::ValueCount,
    CorrelationKind::Temporal,
    CorrelationKind::TemporalOrdered,
];

/// Kinds Sigma defines that are recognised but not evaluated.
const UNSUPPORTED_KINDS: &[&str] = &["value_sum", "value_avg", "value_percentile", "value_median"];

/// The count condition (`gt`, `gte`, … several meaning a range) and, for `value_count`, the
/// field whose distinct values are counted.
struct Condition {
    bounds: Vec<(AggOp, f64)>,
    field: Option<String>,
}

/// Reads a `correlation:` section.
pub(crate) fn parse(meta: Metadata, body: &Hash, source: &str) -> Result<Correlation, RuleError> {
    let kind = parse_kind(body)?;
    let rule_refs = str_list(body, "rules").map_err(|_| {
        type_err(
            "rules",
            "a list of rule ids or names",
            get(body, "rules").unwrap_or(&Yaml::Null),
        )
    })?;
    if rule_refs.is_empty() {
        return Err(RuleError::Missing("correlation.rules".into()));
    }
    let group_by = str_list(body, "group-by").map_err(|_| {
        type_err(
            "group-by",
            "a list of fields",
            get(body, "group-by").unwrap_or(&Yaml::Null),
        )
    })?;
    let timespan_ms = parse_timespan(body)?;
    let Condition { bounds, field } = parse_condition(body, kind, rule_refs.len())?;
    let aliases = parse_aliases(body)?;
    let generate = match get(body, "generate") {
        None => false,
        Some(Yaml::Boolean(b)) => *b,
        Some(other) => return Err(type_err("generate", "a boolean", other)),
    };
    Ok(Correlation {
        meta,
        source: source.to_owned(),
        kind,
        rule_refs,
        group_by,
        timespan_ms,
        conditions: bounds,
        field,
        aliases,
        generate,
        direct: None,
        slots: Vec::new(),
    })
}

/// `type`: one of [`KINDS`]; the value aggregations are refused as unsupported.
fn parse_kind(body: &Hash) -> Result<CorrelationKind, RuleError> {
    let kind_text = get(body, "type")
        .and_then(scalar_text)
        .ok_or_else(|| RuleError::Missing("correlation.type".into()))?;
    if let Some(kind) = KINDS.iter().find(|k| k.as_str() == kind_text) {
        return Ok(*kind);
    }
    if UNSUPPORTED_KINDS.contains(&kind_text.as_str()) {
        return Err(RuleError::Unsupported {
            key: "correlation.type".into(),
            feature: format!("correlation type {kind_text}"),
            reason: "only event_count, value_count, temporal and temporal_ordered are evaluated"
                .into(),
        });
    }
    Err(RuleError::Invalid {
        key: "correlation.type".into(),
        found: kind_text,
        reason: "expected event_count, value_count, temporal or temporal_ordered".into(),
    })
}

/// `timespan` (or the older `timeframe`), in milliseconds.
fn parse_timespan(body: &Hash) -> Result<i64, RuleError> {
    let span_text = get(body, "timespan")
        .or_else(|| get(body, "timeframe"))
        .and_then(scalar_text)
        .ok_or_else(|| RuleError::Missing("correlation.timespan".into()))?;
    timespan(&span_text).map_err(|reason| RuleError::Invalid {
        key: "correlation.timespan".into(),
        found: span_text.clone(),
        reason,
    })
}

/// `condition`: a map of bounds (and `field`). Temporal kinds without one need every rule;
/// the other kinds must have one. Checked against the kind once read.
fn parse_condition(
    body: &Hash,
    kind: CorrelationKind,
    rules: usize,
) -> Result<Condition, RuleError> {
    let mut cond = Condition {
        bounds: Vec::new(),
        field: None,
    };
    match get(body, "condition") {
        None => {
            if matches!(kind, CorrelationKind::Temporal | CorrelationKind::TemporalOrdered) {
                cond.bounds.push((AggOp::Gte, rules as f64));
            } else {
                return Err(RuleError::Missing("correlation.condition".into()));
            }
        }
        Some(Yaml::Hash(h)) => {
            for (k, v) in h {
                condition_entry(&mut cond, k, v)?;
            }
        }
        Some(Yaml::String(s)) => {
            return Err(RuleError::Unsupported {
                key: "correlation.condition".into(),
                feature: "extended temporal conditions".into(),
                reason: format!(
                    "the boolean condition {s:?} is not evaluated; use temporal / temporal_ordered with a count condition"
                ),
            })
        }
        Some(other) => return Err(type_err("condition", "a map", other)),
    }
    check_condition(&cond, kind)?;
    Ok(cond)
}

/// One `condition` entry: `field: name` or a bound such as `gte: 3`.
fn condition_entry(cond: &mut Condition, k: &Yaml, v: &Yaml) -> Result<(), RuleError> {
    let name = scalar_text(k).unwrap_or_default();
    if name == "field" {
        cond.field =
            Some(scalar_text(v).ok_or_else(|| type_err("condition.field", "one field name", v))?);
        return Ok(());
    }
    let op = op_name(&name).ok_or_else(|| RuleError::Invalid {
        key: "correlation.condition".into(),
        found: name.clone(),
        reason: "expected gt, gte, lt, lte, eq or field".into(),
    })?;
    let n = match v {
        Yaml::Integer(i) => *i as f64,
        Yaml::Real(r) => r
            .parse::<f64>()
            .map_err(|_| type_err("condition", "a number", v))?,
        other => return Err(type_err("condition", "a number", other)),
    };
    cond.bounds.push((op, n));
    Ok(())
}

/// A condition has a bound; `value_count` names its field; `temporal_ordered` takes one bound.
fn check_condition(cond: &Condition, kind: CorrelationKind) -> Result<(), RuleError> {
    if cond.bounds.is_empty() {
        return Err(RuleError::Missing(
            "correlation.condition (gt, gte, lt, lte or eq)".into(),
        ));
    }
    if kind == CorrelationKind::ValueCount && cond.field.is_none() {
        return Err(RuleError::Missing("correlation.condition.field".into()));
    }
    if kind == CorrelationKind::TemporalOrdered && cond.bounds.len() > 1 {
        return Err(RuleError::Unsupported {
            key: "correlation.condition".into(),
            feature: "a range condition on temporal_ordered".into(),
            reason: "use one of gt, gte, lt, lte, eq".into(),
        });
    }
    Ok(())
}

/// Alias name → (rule, field) pairs, as kept in [`Correlation`].
type Aliases = Vec<(String, Vec<(String, String)>)>;

/// `aliases`: alias → (rule → field) pairs, in document order.
fn parse_aliases(body: &Hash) -> Result<Aliases, RuleError> {
    let mut aliases = Vec::new();
    match get(body, "aliases") {
        None => {}
        Some(Yaml::Hash(h)) => {
            for (alias, map) in h {
                let alias = scalar_text(alias).unwrap_or_default();
                let Yaml::Hash(m) = map else {
                    return Err(type_err("aliases", "a map of rule → field", map));
                };
                let mut pairs = Vec::new();
                for (r, f) in m {
                    match (scalar_text(r), scalar_text(f)) {
                        (Some(r), Some(f)) => pairs.push((r, f)),
                        _ => return Err(type_err("aliases", "a map of rule → field", map)),
                    }
                }
                aliases.push((alias, pairs));
            }
        }
        Some(other) => return Err(type_err("aliases", "a map", other)),
    }
    Ok(aliases)
}

/// Turns an obsolete aggregation into a correlation over the rule itself.
pub(crate) fn from_aggregation(
    meta: &Metadata,
    source: &str,
    condition: &str,
    agg: &Aggregation,
    timeframe: Option<&str>,
    rule_index: usize,
) -> Result<Correlation, RuleError> {
    let unsupported = |feature: String, reason: &str| RuleError::Unsupported {
        key: "detection.condition".into(),
        feature,
        reason: reason.into(),
    };
    let (function, field, group_by, op, value) = match agg {
        Aggregation::Near(_) => {
            return Err(unsupported(
                "the obsolete `near` aggregation".into(),
                "express it as a `temporal` correlation rule",
            ))
        }
        Aggregation::Function {
            function,
            field,
            group_by,
            op,
            value,
        } => (function, field, group_by, op, value),
    };
    if function != "count" {
        return Err(unsupported(
            format!("the obsolete `{function}()` aggregation"),
            "only count() converts to a Sigma correlation (event_count / value_count)",
        ));
    }
    let span_text = timeframe.ok_or_else(|| {
        unsupported(
            "an aggregation without `timeframe`".into(),
            "without a time window the count is over all time, which a streaming pass cannot decide",
        )
    })?;
    let timespan_ms = timespan(span_text).map_err(|reason| RuleError::Invalid {
        key: "detection.timeframe".into(),
        found: span_text.to_owned(),
        reason,
    })?;
    Ok(Correlation {
        meta: meta.clone(),
        source: source.to_owned(),
        kind: if field.is_some() {
            CorrelationKind::ValueCount
        } else {
            CorrelationKind::EventCount
        },
        rule_refs: vec![format!("({condition})")],
        group_by: group_by.iter().cloned().collect(),
        timespan_ms,
        conditions: vec![(*op, *value)],
        field: field.clone(),
        aliases: Vec::new(),
        generate: false,
        direct: Some(rule_index),
        slots: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::{document, documents, Document};

    fn corr(body: &str) -> Result<Correlation, RuleError> {
        let docs = documents(&format!("title: C\ncorrelation:\n{body}")).unwrap();
        let Document::Correlation { meta, body } = document(&docs[0].1).unwrap() else {
            panic!()
        };
        parse(meta, &body, "x.yml")
    }

    #[test]
    fn timespans() {
        assert_eq!(timespan("30s"), Ok(30_000));
        assert_eq!(timespan("5m"), Ok(300_000));
        assert_eq!(timespan("1h"), Ok(3_600_000));
        assert_eq!(timespan("2d"), Ok(172_800_000));
        assert!(timespan("5").is_err());
        assert!(timespan("5y").is_err());
        assert!(timespan("0s").is_err());
    }

    #[test]
    fn parses_the_three_kinds() {
        let c = corr("  type: event_count\n  rules: [a]\n  group-by: [u]\n  timespan: 1h\n  condition:\n    gte: 10\n    lt: 20\n").unwrap();
        assert_eq!(c.kind(), CorrelationKind::EventCount);
        assert!(c.satisfied(10.0) && c.satisfied(19.0) && !c.satisfied(20.0));
        let c = corr("  type: value_count\n  rules: a\n  group-by: [u]\n  timespan: 1d\n  condition:\n    field: ip\n    gt: 3\n").unwrap();
        assert_eq!(c.field.as_deref(), Some("ip"));
        let c = corr("  type: temporal\n  rules: [a, b, c]\n  group-by: [u]\n  timespan: 5m\n")
            .unwrap();
        assert_eq!(c.conditions, vec![(AggOp::Gte, 3.0)]);
        assert!(
            corr("  type: value_count\n  rules: [a]\n  timespan: 1h\n  condition: {gt: 1}\n")
                .is_err()
        );
        let e =
            corr("  type: temporal\n  rules: [a, b]\n  timespan: 1h\n  condition: a and not b\n")
                .unwrap_err();
        assert!(e.to_string().contains("extended temporal"), "{e}");
        let e = corr(
            "  type: value_sum\n  rules: [a]\n  timespan: 1h\n  condition: {gt: 1, field: x}\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("not supported"), "{e}");
    }
}
