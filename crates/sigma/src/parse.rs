//! From YAML text to rule documents: metadata, and the detection section as
//! written (search identifiers, field keys with modifiers, values), before
//! compilation.

use yaml_rust2::parser::{EventReceiver, Parser};
use yaml_rust2::yaml::Hash;
use yaml_rust2::{Event, Yaml, YamlLoader};

use crate::error::{describe, RuleError, RuleRef};
use crate::meta::{AttackTag, Level, Logsource, Metadata, Status};

/// A scalar value from a rule.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RawValue {
    Str(String),
    Int(i64),
    /// A float, with its source text.
    Float(String),
    Bool(bool),
    Null,
}

/// `field|modifier…: value(s)` (or values without a field: keywords).
#[derive(Debug, Clone)]
pub(crate) struct RawItem {
    /// The key as written, modifiers included; empty for keywords.
    pub(crate) key: String,
    pub(crate) values: Vec<RawValue>,
}

/// A search identifier's definition.
#[derive(Debug, Clone)]
pub(crate) enum RawSearch {
    /// A map: every item must match.
    Map(Vec<RawItem>),
    /// A list of maps or keywords: any must match.
    List(Vec<RawSearch>),
    /// Keyword values.
    Keywords(RawItem),
}

/// The `detection` section.
#[derive(Debug, Clone)]
pub(crate) struct RawDetection {
    pub(crate) searches: Vec<(String, RawSearch)>,
    pub(crate) conditions: Vec<String>,
    pub(crate) timeframe: Option<String>,
}

/// One YAML document of a rule file.
#[derive(Debug)]
pub(crate) enum Document {
    Rule {
        meta: Metadata,
        detection: RawDetection,
    },
    Correlation {
        meta: Metadata,
        body: Hash,
    },
}

/// At most this many YAML aliases per file: each copies its anchored node,
/// so nested aliases could otherwise expand a small file without bound.
pub(crate) const MAX_ALIASES: usize = 16;

struct AliasCount(usize);

impl EventReceiver for AliasCount {
    fn on_event(&mut self, ev: Event) {
        if matches!(ev, Event::Alias(_)) {
            self.0 += 1;
        }
    }
}

/// Splits a file into its effective documents, applying Sigma's
/// `action: global` / `reset` / `repeat` collections.
pub(crate) fn documents(text: &str) -> Result<Vec<(usize, Yaml)>, RuleError> {
    if text.contains('&') {
        let mut count = AliasCount(0);
        Parser::new_from_str(text)
            .load(&mut count, true)
            .map_err(|e| RuleError::Yaml(e.to_string()))?;
        if count.0 > MAX_ALIASES {
            return Err(RuleError::Unsupported {
                key: "(file)".into(),
                feature: format!("{} YAML aliases", count.0),
                reason: format!("at most {MAX_ALIASES} aliases are expanded per file"),
            });
        }
    }
    let docs = YamlLoader::load_from_str(text).map_err(|e| RuleError::Yaml(e.to_string()))?;
    let mut out = Vec::new();
    let mut global: Option<Hash> = None;
    let mut previous: Option<Yaml> = None;
    for (i, doc) in docs.into_iter().enumerate() {
        let action = doc
            .as_hash()
            .and_then(|h| h.get(&key("action")))
            .and_then(Yaml::as_str)
            .map(str::to_owned);
        let strip = |d: Yaml| match d {
            Yaml::Hash(mut h) => {
                h.remove(&key("action"));
                Yaml::Hash(h)
            }
            other => other,
        };
        match action.as_deref() {
            Some("global") => {
                if let Yaml::Hash(h) = strip(doc) {
                    global = Some(h);
                }
            }
            Some("reset") => global = None,
            Some("repeat") => {
                let base = previous.clone().unwrap_or(Yaml::Null);
                let merged = merge(base, strip(doc));
                previous = Some(merged.clone());
                out.push((i, merged));
            }
            _ if doc.is_null() => {}
            _ => {
                let merged = match &global {
                    Some(g) => merge(Yaml::Hash(g.clone()), doc),
                    None => doc,
                };
                previous = Some(merged.clone());
                out.push((i, merged));
            }
        }
    }
    Ok(out)
}

/// Deep merge: maps merge key by key, anything else is replaced by `over`.
fn merge(base: Yaml, over: Yaml) -> Yaml {
    match (base, over) {
        (Yaml::Hash(mut b), Yaml::Hash(o)) => {
            for (k, v) in o {
                let merged = match b.remove(&k) {
                    Some(old) => merge(old, v),
                    None => v,
                };
                b.insert(k, merged);
            }
            Yaml::Hash(b)
        }
        (_, o) => o,
    }
}

pub(crate) fn key(s: &str) -> Yaml {
    Yaml::String(s.to_owned())
}

/// The title and id of a document, for problem reports, whatever else is wrong with it.
pub(crate) fn rule_ref(document: usize, doc: &Yaml) -> RuleRef {
    let get = |k: &str| {
        doc.as_hash()
            .and_then(|h| h.get(&key(k)))
            .and_then(scalar_text)
    };
    RuleRef {
        document,
        title: get("title"),
        id: get("id"),
    }
}

/// A scalar as text; `None` for null, lists and maps.
pub(crate) fn scalar_text(y: &Yaml) -> Option<String> {
    match y {
        Yaml::String(s) | Yaml::Real(s) => Some(s.clone()),
        Yaml::Integer(i) => Some(i.to_string()),
        Yaml::Boolean(b) => Some(b.to_string()),
        _ => None,
    }
}

fn type_err(key: &str, expected: &'static str, found: &Yaml) -> RuleError {
    RuleError::Type {
        key: key.to_owned(),
        expected,
        found: describe(found),
    }
}

pub(crate) fn opt_str(h: &Hash, k: &str) -> Result<Option<String>, RuleError> {
    match h.get(&key(k)) {
        None | Some(Yaml::Null) => Ok(None),
        Some(y) => scalar_text(y)
            .map(Some)
            .ok_or_else(|| type_err(k, "a string", y)),
    }
}

pub(crate) fn str_list(h: &Hash, k: &str) -> Result<Vec<String>, RuleError> {
    match h.get(&key(k)) {
        None | Some(Yaml::Null) => Ok(Vec::new()),
        Some(Yaml::Array(a)) => a
            .iter()
            .filter(|y| !y.is_null())
            .map(|y| scalar_text(y).ok_or_else(|| type_err(k, "a list of strings", y)))
            .collect(),
        Some(y) => scalar_text(y)
            .map(|s| vec![s])
            .ok_or_else(|| type_err(k, "a list of strings", y)),
    }
}

/// Reads the metadata common to detection and correlation rules.
pub(crate) fn metadata(h: &Hash) -> Result<Metadata, RuleError> {
    let title = opt_str(h, "title")?.ok_or_else(|| RuleError::Missing("title".into()))?;
    let level = opt_str(h, "level")?
        .map(|s| {
            s.parse::<Level>().map_err(|e| RuleError::Invalid {
                key: "level".into(),
                found: s.clone(),
                reason: format!("expected one of {}", e.expected),
            })
        })
        .transpose()?;
    let status = opt_str(h, "status")?
        .map(|s| {
            s.parse::<Status>().map_err(|e| RuleError::Invalid {
                key: "status".into(),
                found: s.clone(),
                reason: format!("expected one of {}", e.expected),
            })
        })
        .transpose()?;
    let tags = str_list(h, "tags")?;
    let attack = tags.iter().filter_map(|t| AttackTag::parse(t)).collect();
    let logsource = match h.get(&key("logsource")) {
        None | Some(Yaml::Null) => Logsource::default(),
        Some(Yaml::Hash(ls)) => Logsource {
            product: opt_str(ls, "product")?,
            service: opt_str(ls, "service")?,
            category: opt_str(ls, "category")?,
        },
        Some(y) => return Err(type_err("logsource", "a map", y)),
    };
    Ok(Metadata {
        title,
        id: opt_str(h, "id")?,
        name: opt_str(h, "name")?,
        status,
        description: opt_str(h, "description")?,
        references: str_list(h, "references")?,
        author: opt_str(h, "author")?,
        date: opt_str(h, "date")?,
        modified: opt_str(h, "modified")?,
        tags,
        attack,
        falsepositives: str_list(h, "falsepositives")?,
        level,
        logsource,
    })
}

/// Reads one effective document.
pub(crate) fn document(doc: &Yaml) -> Result<Document, RuleError> {
    let Yaml::Hash(h) = doc else {
        return Err(type_err("(document)", "a map", doc));
    };
    let meta = metadata(h)?;
    if let Some(c) = h.get(&key("correlation")) {
        let Yaml::Hash(body) = c else {
            return Err(type_err("correlation", "a map", c));
        };
        return Ok(Document::Correlation {
            meta,
            body: body.clone(),
        });
    }
    if h.contains_key(&key("filter")) {
        return Err(RuleError::Unsupported {
            key: "filter".into(),
            feature: "Sigma filter documents".into(),
            reason: "filters are applied by editing or wrapping the rules they target".into(),
        });
    }
    let det = match h.get(&key("detection")) {
        Some(Yaml::Hash(d)) => d,
        Some(y) => return Err(type_err("detection", "a map", y)),
        None => return Err(RuleError::Missing("detection".into())),
    };
    Ok(Document::Rule {
        meta,
        detection: detection(det)?,
    })
}

fn detection(d: &Hash) -> Result<RawDetection, RuleError> {
    let mut searches = Vec::new();
    let mut conditions = Vec::new();
    let mut timeframe = None;
    for (k, v) in d {
        let name = scalar_text(k).ok_or_else(|| type_err("detection", "string keys", k))?;
        match name.as_str() {
            "condition" => match v {
                Yaml::Array(list) => {
                    for c in list {
                        conditions.push(scalar_text(c).ok_or_else(|| {
                            type_err("detection.condition", "a string or a list of strings", c)
                        })?);
                    }
                }
                y => conditions.push(scalar_text(y).ok_or_else(|| {
                    type_err("detection.condition", "a string or a list of strings", y)
                })?),
            },
            "timeframe" => {
                timeframe = Some(
                    scalar_text(v)
                        .ok_or_else(|| type_err("detection.timeframe", "a duration", v))?,
                )
            }
            _ => {
                let s = search(&format!("detection.{name}"), v)?;
                searches.push((name, s));
            }
        }
    }
    if conditions.is_empty() {
        return Err(RuleError::Missing("detection.condition".into()));
    }
    Ok(RawDetection {
        searches,
        conditions,
        timeframe,
    })
}

fn raw_value(path: &str, y: &Yaml) -> Result<RawValue, RuleError> {
    Ok(match y {
        Yaml::String(s) => RawValue::Str(s.clone()),
        Yaml::Integer(i) => RawValue::Int(*i),
        Yaml::Real(s) => RawValue::Float(s.clone()),
        Yaml::Boolean(b) => RawValue::Bool(*b),
        Yaml::Null => RawValue::Null,
        other => return Err(type_err(path, "a string, number, boolean or null", other)),
    })
}

fn search(path: &str, v: &Yaml) -> Result<RawSearch, RuleError> {
    match v {
        Yaml::Hash(h) => {
            let mut items = Vec::new();
            for (k, val) in h {
                let key = scalar_text(k).unwrap_or_default();
                let p = format!("{path}.{key}");
                let values = match val {
                    Yaml::Array(list) => list
                        .iter()
                        .map(|y| raw_value(&p, y))
                        .collect::<Result<_, _>>()?,
                    y => vec![raw_value(&p, y)?],
                };
                items.push(RawItem { key, values });
            }
            if items.is_empty() {
                return Err(type_err(path, "a non-empty map or list", v));
            }
            Ok(RawSearch::Map(items))
        }
        Yaml::Array(list) => {
            if list
                .iter()
                .all(|y| !matches!(y, Yaml::Hash(_) | Yaml::Array(_)))
            {
                return Ok(RawSearch::Keywords(RawItem {
                    key: String::new(),
                    values: list
                        .iter()
                        .map(|y| raw_value(path, y))
                        .collect::<Result<_, _>>()?,
                }));
            }
            let mut alts = Vec::new();
            for y in list {
                match y {
                    Yaml::Array(_) => return Err(type_err(path, "maps or values", y)),
                    y => alts.push(search(path, y)?),
                }
            }
            Ok(RawSearch::List(alts))
        }
        y => Ok(RawSearch::Keywords(RawItem {
            key: String::new(),
            values: vec![raw_value(path, y)?],
        })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_action_merges_into_following_documents() {
        let text = "action: global\ntitle: T\nlogsource:\n  product: aws\n---\ndetection:\n  s:\n    a: 1\n  condition: s\n---\naction: reset\n---\ntitle: U\ndetection:\n  s: x\n  condition: s\n";
        let docs = documents(text).unwrap();
        assert_eq!(docs.len(), 2);
        let Document::Rule { meta, .. } = document(&docs[0].1).unwrap() else {
            panic!()
        };
        assert_eq!(meta.title, "T");
        assert_eq!(meta.logsource.product.as_deref(), Some("aws"));
        let Document::Rule { meta, .. } = document(&docs[1].1).unwrap() else {
            panic!()
        };
        assert_eq!(meta.title, "U");
        assert_eq!(meta.logsource.product, None);
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut bomb = String::from("a: &a [x, x]\n");
        for i in 0..20 {
            bomb.push_str(&format!(
                "b{i}: &b{i} [*{p}, *{p}]\n",
                p = if i == 0 {
                    "a".to_owned()
                } else {
                    format!("b{}", i - 1)
                }
            ));
        }
        let err = documents(&bomb).unwrap_err();
        assert!(err.to_string().contains("aliases"), "{err}");
        assert_eq!(documents("a: &x 1\nb: *x\n").unwrap().len(), 1);
    }

    #[test]
    fn detection_shapes() {
        let text = "title: T\ndetection:\n  m:\n    a|contains:\n      - x\n      - 2\n  l:\n    - a: 1\n    - b: null\n  k:\n    - foo\n    - bar\n  condition:\n    - m\n    - l\n";
        let docs = documents(text).unwrap();
        let Document::Rule { detection, .. } = document(&docs[0].1).unwrap() else {
            panic!()
        };
        assert_eq!(detection.conditions, ["m", "l"]);
        assert!(
            matches!(&detection.searches[0].1, RawSearch::Map(items) if items[0].key == "a|contains" && items[0].values == [RawValue::Str("x".into()), RawValue::Int(2)])
        );
        assert!(matches!(&detection.searches[1].1, RawSearch::List(a) if a.len() == 2));
        assert!(matches!(&detection.searches[2].1, RawSearch::Keywords(k) if k.values.len() == 2));
    }

    #[test]
    fn metadata_errors_name_the_key() {
        let docs = documents("title: T\nlevel: severe\ndetection: {s: x, condition: s}\n").unwrap();
        let err = document(&docs[0].1).unwrap_err();
        assert!(err.to_string().contains("`level`"), "{err}");
        let docs = documents("detection: {s: x, condition: s}\n").unwrap();
        assert_eq!(
            document(&docs[0].1).unwrap_err(),
            RuleError::Missing("title".into())
        );
        let docs = documents("title: T\ndetection: {s: x}\n").unwrap();
        assert!(document(&docs[0].1).is_err());
    }
}
