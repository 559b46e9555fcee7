//! The parts of a Sigma rule document the EventBridge compiler reads: metadata, the
//! `logsource` service, the search identifiers and the condition text.

use std::collections::BTreeMap;

use yaml_rust2::{Yaml, YamlLoader};

use crate::error::MonitorError;

/// One value of a detection item as the rule writes it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    /// A string (Sigma wildcards `*` and `?` still in it, `\` escapes).
    Str(String),
    /// A number, with its text.
    Num(f64, String),
    /// A boolean.
    Bool(bool),
    /// `null`.
    Null,
}

/// One `field|modifiers: values` line.
#[derive(Debug, Clone)]
pub(crate) struct ItemDef {
    /// The dotted field name; `None` for keyword searches.
    pub(crate) field: Option<String>,
    /// The modifiers, in order.
    pub(crate) modifiers: Vec<String>,
    /// The values (any of them matches unless `|all`).
    pub(crate) values: Vec<Scalar>,
}

/// A search identifier: a map (all items) or a list of maps (any).
#[derive(Debug, Clone)]
pub(crate) enum SearchDef {
    /// Every item matches.
    All(Vec<ItemDef>),
    /// Any alternative matches.
    Any(Vec<SearchDef>),
}

/// A rule document, read.
#[derive(Debug, Clone)]
pub(crate) struct RuleDoc {
    /// `title`.
    pub(crate) title: String,
    /// `id`.
    pub(crate) id: String,
    /// `level`.
    pub(crate) level: String,
    /// `logsource.service`.
    pub(crate) service: String,
    /// Search identifiers by name.
    pub(crate) searches: BTreeMap<String, SearchDef>,
    /// `condition` (a list of conditions is their disjunction, joined with `or`).
    pub(crate) condition: String,
    /// A correlation or aggregation the rule carries, when it does.
    pub(crate) stateful: Option<&'static str>,
}

fn text(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Real(r) => Some(r.clone()),
        _ => None,
    }
}

fn scalar(y: &Yaml) -> Option<Scalar> {
    Some(match y {
        Yaml::String(s) => Scalar::Str(s.clone()),
        Yaml::Integer(i) => Scalar::Num(*i as f64, i.to_string()),
        Yaml::Real(r) => Scalar::Num(r.parse().ok()?, r.clone()),
        Yaml::Boolean(b) => Scalar::Bool(*b),
        Yaml::Null => Scalar::Null,
        _ => return None,
    })
}

fn values(y: &Yaml, source: &str) -> Result<Vec<Scalar>, MonitorError> {
    let list: Vec<&Yaml> = match y {
        Yaml::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    list.into_iter()
        .map(|v| {
            scalar(v).ok_or_else(|| MonitorError::Rule {
                file: source.to_owned(),
                reason: format!("expected a scalar value, found {v:?}"),
            })
        })
        .collect()
}

fn search(y: &Yaml, source: &str) -> Result<SearchDef, MonitorError> {
    match y {
        Yaml::Hash(h) => {
            let mut items = Vec::new();
            for (k, v) in h {
                let key = text(k).unwrap_or_default();
                let mut parts = key.split('|');
                let field = parts.next().filter(|f| !f.is_empty()).map(str::to_owned);
                items.push(ItemDef {
                    field,
                    modifiers: parts.map(str::to_owned).collect(),
                    values: values(v, source)?,
                });
            }
            Ok(SearchDef::All(items))
        }
        Yaml::Array(a) if a.iter().all(|x| matches!(x, Yaml::Hash(_))) => Ok(SearchDef::Any(
            a.iter()
                .map(|x| search(x, source))
                .collect::<Result<_, _>>()?,
        )),
        other => Ok(SearchDef::All(vec![ItemDef {
            field: None,
            modifiers: Vec::new(),
            values: values(other, source)?,
        }])),
    }
}

/// Reads one rule document from `yaml`; `source` names it in errors.
pub(crate) fn parse(source: &str, yaml: &str) -> Result<RuleDoc, MonitorError> {
    let bad = |reason: String| MonitorError::Rule {
        file: source.to_owned(),
        reason,
    };
    let docs = YamlLoader::load_from_str(yaml).map_err(|e| bad(format!("not YAML: {e}")))?;
    let [doc] = docs.as_slice() else {
        return Err(bad(format!(
            "expected one YAML document, found {}",
            docs.len()
        )));
    };
    let field = |k: &str| text(&doc[k]).unwrap_or_default();
    let detection = &doc["detection"];
    let Yaml::Hash(h) = detection else {
        return Err(bad("expected a `detection` map".into()));
    };
    let mut searches = BTreeMap::new();
    let mut condition = String::new();
    let mut stateful = None;
    for (k, v) in h {
        let name = text(k).unwrap_or_default();
        match name.as_str() {
            "condition" => {
                condition = match v {
                    Yaml::Array(a) => a
                        .iter()
                        .filter_map(text)
                        .map(|c| format!("({c})"))
                        .collect::<Vec<_>>()
                        .join(" or "),
                    other => text(other).unwrap_or_default(),
                };
                if condition.contains('|') {
                    stateful =
                        Some("an aggregation (`| count() ...`) counts events over a timeframe");
                }
            }
            "timeframe" => stateful = Some("an aggregation counts events over a timeframe"),
            _ => {
                searches.insert(name, search(v, source)?);
            }
        }
    }
    if !matches!(doc["correlation"], Yaml::BadValue) {
        stateful = Some("a correlation counts or orders several events per group in a timespan");
    }
    Ok(RuleDoc {
        title: field("title"),
        id: field("id"),
        level: field("level"),
        service: text(&doc["logsource"]["service"]).unwrap_or_default(),
        searches,
        condition,
        stateful,
    })
}
