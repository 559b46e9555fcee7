//! The compiled rule set: rules grouped by the log their `logsource` names,
//! and within each log an index from `eventName` (or, failing that,
//! `eventSource`) to the rules that require it, so an event visits only the
//! candidate rules of its own log plus that log's few rules without such a
//! constraint.

use std::collections::{BTreeSet, HashMap};

use cloudcase_event::LogSource;
use serde_json::Value as Json;

use crate::correlation::{Correlation, Slot};
use crate::error::{LoadProblem, RuleError, RuleRef, Severity};
use crate::eval::Scratch;
use crate::ids::{CorrelationId, RuleId};
use crate::load::RuleSet;
use crate::record::{FieldPath, FieldValue, Record};
use crate::rule::Rule;
use crate::wildcard::lower;

/// Rules by a lowercased value of the field they require (keys from the rules; looked up once
/// per event and field, so hashed without SipHash's cost).
type Index = HashMap<Box<str>, Vec<u32>, foldhash::fast::RandomState>;

/// The rules of one log, indexed.
#[derive(Debug, Clone, Default)]
struct SourceRules {
    /// Rules by a lowercased `eventName` they require.
    by_name: Index,
    /// Rules requiring no `eventName`, by a lowercased `eventSource` they require.
    by_source: Index,
    /// Rules requiring neither: tried on every event of the log.
    unindexed: Vec<u32>,
    /// Every rule of the log, in rule order (when the record's name or
    /// source is not one string).
    all: Vec<u32>,
}

/// The position of `source` in [`LogSource::ALL`], which orders `Engine::per_source`.
fn slot(source: LogSource) -> usize {
    LogSource::ALL
        .iter()
        .position(|s| *s == source)
        .unwrap_or_default()
}

/// Applicable rules, compiled and indexed; correlation rules resolved.
#[derive(Debug, Clone)]
pub struct Engine {
    rules: Vec<Rule>,
    correlations: Vec<Correlation>,
    /// The rules of each log, in the order of [`LogSource::ALL`].
    per_source: Vec<SourceRules>,
    event_name: FieldPath,
    event_source: FieldPath,
}

impl RuleSet {
    /// Builds the [`Engine`] from the applicable rules: resolves correlation
    /// references, hides rules that only feed correlations, and indexes the
    /// rest. Returns problems found while doing so (unknown references,
    /// chained correlations, rules that can never match).
    pub fn compile(self) -> (Engine, Vec<LoadProblem>) {
        Engine::build(self)
    }
}

fn problem(
    source: &str,
    meta: &crate::meta::Metadata,
    severity: Severity,
    error: RuleError,
) -> LoadProblem {
    LoadProblem {
        source_name: source.to_owned(),
        rule: Some(RuleRef {
            document: 0,
            title: Some(meta.title.clone()),
            id: meta.id.clone(),
        }),
        severity,
        error,
    }
}

impl Engine {
    fn build(set: RuleSet) -> (Engine, Vec<LoadProblem>) {
        let mut problems = Vec::new();
        let mut all_rules = set.rules;
        // Engine ids of applicable rules.
        let mut engine_id = vec![None; all_rules.len()];
        let mut next = 0u32;
        for (i, r) in all_rules.iter().enumerate() {
            if r.is_applicable() {
                engine_id[i] = Some(RuleId(next));
                next += 1;
            }
        }
        let find = |reference: &str| {
            all_rules.iter().position(|r| {
                r.meta.id.as_deref() == Some(reference) || r.meta.name.as_deref() == Some(reference)
            })
        };
        let correlation_names: std::collections::HashSet<String> = set
            .correlations
            .iter()
            .flat_map(|c| [c.meta.id.clone(), c.meta.name.clone()])
            .flatten()
            .collect();
        let is_correlation = |reference: &str| correlation_names.contains(reference);
        let mut hidden = vec![false; all_rules.len()];
        let mut correlations = Vec::new();
        'corr: for mut c in set.correlations {
            let mut targets = Vec::new();
            if let Some(d) = c.direct {
                targets.push((d, c.rule_refs.first().cloned().unwrap_or_default()));
            } else {
                for r in &c.rule_refs {
                    match find(r) {
                        Some(i) => targets.push((i, r.clone())),
                        None => {
                            let error = if is_correlation(r) {
                                RuleError::Unsupported {
                                    key: "correlation.rules".into(),
                                    feature: "correlations of correlations".into(),
                                    reason: format!("{r:?} is a correlation rule; only detection rules can be correlated"),
                                }
                            } else {
                                RuleError::Invalid {
                                    key: "correlation.rules".into(),
                                    found: r.clone(),
                                    reason: "no loaded detection rule has this id or name (was it refused?)".into(),
                                }
                            };
                            problems.push(problem(&c.source, &c.meta, Severity::Refused, error));
                            continue 'corr;
                        }
                    }
                }
            }
            let mut slots = Vec::new();
            for (t, reference) in &targets {
                let Some(id) = engine_id[*t] else {
                    problems.push(problem(
                        &c.source,
                        &c.meta,
                        Severity::NotApplicable,
                        RuleError::NotApplicable {
                            found: all_rules[*t].meta.logsource.to_string(),
                        },
                    ));
                    continue 'corr;
                };
                let rule = &all_rules[*t];
                let names = [
                    Some(reference.as_str()),
                    rule.meta.id.as_deref(),
                    rule.meta.name.as_deref(),
                ];
                slots.push(Slot {
                    rule: id,
                    group: c
                        .group_by
                        .iter()
                        .map(|g| FieldPath::new(alias(&c.aliases, &names, g)))
                        .collect(),
                    field: c
                        .field
                        .as_deref()
                        .map(|f| FieldPath::new(alias(&c.aliases, &names, f))),
                });
            }
            if !c.generate {
                targets.iter().for_each(|(t, _)| hidden[*t] = true);
            }
            c.slots = slots;
            correlations.push(c);
        }
        for (r, h) in all_rules.iter_mut().zip(&hidden) {
            if *h {
                r.standalone = false;
            }
        }
        let rules: Vec<Rule> = all_rules.into_iter().filter(Rule::is_applicable).collect();
        let mut engine = Engine {
            rules: Vec::new(),
            correlations,
            per_source: vec![SourceRules::default(); LogSource::ALL.len()],
            event_name: FieldPath::new("eventName"),
            event_source: FieldPath::new("eventSource"),
        };
        problems.extend(engine.index(&rules));
        engine.rules = rules;
        (engine, problems)
    }

    /// Groups `rules` by their log and indexes each log's rules by the
    /// `eventName` (else `eventSource`) values they require; returns
    /// warnings for rules whose required value is contradictory.
    fn index(&mut self, rules: &[Rule]) -> Vec<LoadProblem> {
        let mut problems = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            let id = i as u32;
            let Some(source) = r.log_source() else {
                continue;
            };
            let group = &mut self.per_source[slot(source)];
            group.all.push(id);
            let add = |index: &mut Index, values: BTreeSet<String>| {
                for v in values {
                    index.entry(v.into()).or_default().push(id);
                }
            };
            if let Some(names) = r.detection.bound("eventName") {
                if names.is_empty() {
                    problems.push(problem(
                        &r.source,
                        &r.meta,
                        Severity::Warning,
                        RuleError::NeverMatches(
                            "eventName would have to equal two different values".into(),
                        ),
                    ));
                }
                add(&mut group.by_name, names);
            } else if let Some(sources) = r.detection.bound("eventSource") {
                if sources.is_empty() {
                    problems.push(problem(
                        &r.source,
                        &r.meta,
                        Severity::Warning,
                        RuleError::NeverMatches(
                            "eventSource would have to equal two different values".into(),
                        ),
                    ));
                }
                add(&mut group.by_source, sources);
            } else {
                group.unindexed.push(id);
            }
        }
        problems
    }

    /// The applicable rules, by [`RuleId`].
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// One rule.
    pub fn rule(&self, id: RuleId) -> &Rule {
        &self.rules[id.index()]
    }

    /// The applicable correlation rules, by [`CorrelationId`].
    pub fn correlations(&self) -> &[Correlation] {
        &self.correlations
    }

    /// One correlation rule.
    pub fn correlation(&self, id: CorrelationId) -> &Correlation {
        &self.correlations[id.index()]
    }

    /// How many rules need no particular `eventName`/`eventSource` and are
    /// therefore tried on every event of their log.
    pub fn unindexed_rules(&self) -> usize {
        self.per_source.iter().map(|g| g.unindexed.len()).sum()
    }

    /// How many rules apply to events of `source`.
    pub fn rules_for(&self, source: LogSource) -> usize {
        self.per_source[slot(source)].all.len()
    }

    /// For each rule (by [`RuleId::index`]): whether a correlation counts its
    /// matches, so a caller knows which matched events to keep for the
    /// [`Correlator`](crate::Correlator).
    pub fn feeding_rules(&self) -> Vec<bool> {
        let mut feeds = vec![false; self.rules.len()];
        for slot in self.correlations.iter().flat_map(|c| &c.slots) {
            if let Some(f) = feeds.get_mut(slot.rule.index()) {
                *f = true;
            }
        }
        feeds
    }

    /// The rules reported on their own that match `record`, in rule order.
    pub fn matches<'e, 'r>(&'e self, record: &'r dyn Record) -> Matches<'e, 'r> {
        Matches {
            engine: self,
            record,
            candidates: self.candidates(record),
            scratch: Scratch::default(),
            all: false,
        }
    }

    /// Appends the ids of every matching rule to `hits`, including rules that
    /// only feed correlations: what a [`Correlator`](crate::Correlator) needs.
    pub fn evaluate(&self, record: &dyn Record, hits: &mut Vec<RuleId>) {
        hits.extend(
            Matches {
                engine: self,
                record,
                candidates: self.candidates(record),
                scratch: Scratch::default(),
                all: true,
            }
            .map_ids(),
        );
    }

    fn candidates<'a>(&'a self, record: &dyn Record) -> Candidates<'a> {
        let Some(log) = record.log_source() else {
            return Candidates::All([].iter());
        };
        let group = &self.per_source[slot(log)];
        if group.all.is_empty() {
            return Candidates::All([].iter());
        }
        let name = bucket(&group.by_name, record, &self.event_name);
        let source = bucket(&group.by_source, record, &self.event_source);
        match (name, source) {
            (Some(a), Some(b)) => Candidates::Lists([a, b, &group.unindexed]),
            _ => Candidates::All(group.all.iter()),
        }
    }
}

/// The field an alias stands for in events of the rule known by `names`.
fn alias<'a>(
    aliases: &'a [(String, Vec<(String, String)>)],
    names: &[Option<&str>],
    field: &'a str,
) -> &'a str {
    aliases
        .iter()
        .find(|(a, _)| a == field)
        .and_then(|(_, pairs)| {
            pairs
                .iter()
                .find(|(r, _)| names.contains(&Some(r.as_str())))
                .map(|(_, f)| f.as_str())
        })
        .unwrap_or(field)
}

/// The index bucket for the record's value of `path`: `None` when the value
/// is not a single string (then every rule is a candidate).
fn bucket<'a>(index: &'a Index, record: &dyn Record, path: &FieldPath) -> Option<&'a [u32]> {
    let mut count = 0;
    let mut odd = false;
    let mut found: &'a [u32] = &[];
    record.visit(path, &mut |v| {
        count += 1;
        let s = match v {
            FieldValue::Str(s) => s,
            FieldValue::Json(Json::String(s)) => s.as_str(),
            _ => {
                odd = true;
                return true;
            }
        };
        found = lookup(index, s);
        false
    });
    if odd || count > 1 {
        None
    } else {
        Some(found)
    }
}

fn lookup<'a>(index: &'a Index, s: &str) -> &'a [u32] {
    let mut buf = [0u8; 64];
    let hit = if s.is_ascii() && s.len() <= buf.len() {
        let b = &mut buf[..s.len()];
        b.copy_from_slice(s.as_bytes());
        b.make_ascii_lowercase();
        std::str::from_utf8(b).ok().and_then(|k| index.get(k))
    } else {
        index.get(lower(s).as_str())
    };
    hit.map_or(&[], Vec::as_slice)
}

enum Candidates<'a> {
    Lists([&'a [u32]; 3]),
    All(std::slice::Iter<'a, u32>),
}

impl Iterator for Candidates<'_> {
    type Item = u32;

    fn next(&mut self) -> Option<u32> {
        match self {
            Candidates::All(r) => r.next().copied(),
            Candidates::Lists(lists) => {
                let (k, v) = lists
                    .iter()
                    .enumerate()
                    .filter_map(|(k, l)| l.first().map(|v| (k, *v)))
                    .min_by_key(|(_, v)| *v)?;
                lists[k] = &lists[k][1..];
                Some(v)
            }
        }
    }
}

/// The rules matching one record (see [`Engine::matches`]).
pub struct Matches<'e, 'r> {
    engine: &'e Engine,
    record: &'r dyn Record,
    candidates: Candidates<'e>,
    scratch: Scratch,
    all: bool,
}

impl<'e, 'r> Matches<'e, 'r> {
    fn next_id(&mut self) -> Option<RuleId> {
        for i in self.candidates.by_ref() {
            let rule = &self.engine.rules[i as usize];
            if !self.all && !rule.standalone {
                continue;
            }
            if rule.detection.matches(self.record, &mut self.scratch) {
                return Some(RuleId(i));
            }
        }
        None
    }

    fn map_ids(mut self) -> impl Iterator<Item = RuleId> + use<'e, 'r> {
        std::iter::from_fn(move || self.next_id())
    }
}

impl<'e> Iterator for Matches<'e, '_> {
    type Item = &'e Rule;

    fn next(&mut self) -> Option<&'e Rule> {
        let engine = self.engine;
        self.next_id().map(|id| engine.rule(id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::JsonRecord;
    use serde_json::json;

    const RULES: &str = "title: A\nid: a\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: CreateUser}, condition: s}\n---\ntitle: B\nid: b\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventSource: iam.amazonaws.com}, condition: s}\n---\ntitle: C\nid: c\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {userAgent|contains: x}, condition: s}\n---\ntitle: D\nid: d\nlogsource: {product: azure}\ndetection: {s: {eventName: CreateUser}, condition: s}\n---\ntitle: E\nid: e\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: X}, t: {eventName: Y}, condition: s and t}\n";

    fn engine() -> (Engine, Vec<LoadProblem>) {
        let mut set = RuleSet::new();
        let mut p = set.add_yaml("mem", RULES);
        let (e, more) = set.compile();
        p.extend(more);
        (e, p)
    }

    fn ids(e: &Engine, v: &serde_json::Value) -> Vec<String> {
        let rec = JsonRecord::new(v);
        e.matches(&rec)
            .map(|r| r.id().unwrap_or("").to_owned())
            .collect()
    }

    #[test]
    fn engine_can_be_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<Engine>();
        shared::<Rule>();
    }

    #[test]
    fn index_dispatches_and_keeps_rule_order() {
        let (e, problems) = engine();
        assert_eq!(e.rules().len(), 4);
        assert_eq!(e.unindexed_rules(), 1);
        assert!(problems
            .iter()
            .any(|p| p.severity == Severity::NotApplicable));
        assert!(problems
            .iter()
            .any(|p| matches!(p.error, RuleError::NeverMatches(_))));
        let ev = json!({"eventName": "createuser", "eventSource": "IAM.amazonaws.com", "userAgent": "x"});
        assert_eq!(ids(&e, &ev), ["a", "b", "c"]);
        let ev = json!({"eventName": "Other", "eventSource": "s3.amazonaws.com"});
        assert!(ids(&e, &ev).is_empty());
        // Not a single string: every rule is tried, results unchanged.
        let ev = json!({"eventName": ["CreateUser", "x"], "eventSource": "iam.amazonaws.com"});
        assert_eq!(ids(&e, &ev), ["a", "b"]);
        let mut hits = Vec::new();
        e.evaluate(
            &JsonRecord::new(&json!({"eventName": "CreateUser"})),
            &mut hits,
        );
        assert_eq!(hits, [RuleId(0)]);
    }

    const PER_SOURCE: &str = "title: Trail read\nid: t\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: GetObject}, condition: s}\n---\ntitle: Access read\nid: s\nlogsource: {product: aws, service: s3accesslogs}\ndetection: {s: {eventName: GetObject}, condition: s}\n---\ntitle: Big flow\nid: f\nlogsource: {product: aws, service: vpcflow}\ndetection: {s: {bytes|gte: 1000}, condition: s}\n---\ntitle: Dns\nid: d\nlogsource: {product: aws, service: dns}\ndetection: {s: {query_name|contains: pool}, condition: s}\n";

    #[test]
    fn rules_apply_to_the_log_their_logsource_names() {
        let mut set = RuleSet::new();
        let problems = set.add_yaml("mem", PER_SOURCE);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].to_string().contains("service: dns"));
        let (e, _) = set.compile();
        assert_eq!(e.rules().len(), 3);
        assert_eq!(e.rules_for(LogSource::S3Access), 1);
        assert_eq!(e.rules_for(LogSource::Route53Resolver), 0);
        let trail = json!({"eventSource": "s3.amazonaws.com", "eventName": "GetObject"});
        assert_eq!(ids(&e, &trail), ["t"]);
        let access = json!({"eventSource": "s3.amazonaws.com", "eventName": "GetObject", "logSource": "s3_access"});
        assert_eq!(ids(&e, &access), ["s"]);
        let flow = json!({"logSource": "vpc_flow", "bytes": 5000, "eventName": "GetObject"});
        assert_eq!(ids(&e, &flow), ["f"]);
        let small = json!({"logSource": "vpc_flow", "bytes": 999});
        assert!(ids(&e, &small).is_empty());
        // The name is not one string: every rule of the log is tried, only of that log.
        let odd = json!({"logSource": "vpc_flow", "bytes": "2000", "eventName": ["a", "b"]});
        assert_eq!(ids(&e, &odd), ["f"]);
        let dns = json!({"logSource": "route53_resolver", "query_name": "pool.example."});
        assert!(ids(&e, &dns).is_empty());
        let unknown = json!({"logSource": "syslog", "eventName": "GetObject"});
        assert!(ids(&e, &unknown).is_empty());
    }
}
