//! Loading rules from YAML text, files and directory trees into a [`RuleSet`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::compile;
use crate::correlation::{self, Correlation};
use crate::error::{LoadProblem, RuleError, Severity};
use crate::modifiers::Placeholders;
use crate::parse::{self, Document};
use crate::rule::Rule;

/// Rules and correlation rules as loaded, before [`RuleSet::compile`] builds
/// the [`Engine`](crate::Engine).
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    pub(crate) rules: Vec<Rule>,
    pub(crate) correlations: Vec<Correlation>,
    placeholders: Placeholders,
    /// id or name → where first seen.
    seen: HashMap<String, String>,
}

impl RuleSet {
    /// An empty set.
    pub fn new() -> Self {
        RuleSet::default()
    }

    /// Gives the values of an `|expand` placeholder (`%name%`, given without
    /// the percent signs). Rules loaded afterwards can use it; a rule whose
    /// placeholder has no values is refused.
    pub fn set_placeholder(&mut self, name: &str, values: Vec<String>) {
        self.placeholders.insert(name.to_owned(), values);
    }

    /// Loads every `.yml`/`.yaml` file under each path (directories are
    /// searched recursively, following symbolic links; a file named directly
    /// is read whatever its extension). Returns the rules and every problem.
    pub fn load_paths(paths: &[PathBuf]) -> (RuleSet, Vec<LoadProblem>) {
        let mut set = RuleSet::new();
        let problems = paths.iter().flat_map(|p| set.add_path(p)).collect();
        (set, problems)
    }

    /// Loads a file, or every `.yml`/`.yaml` file below a directory.
    pub fn add_path(&mut self, path: &Path) -> Vec<LoadProblem> {
        let mut problems = Vec::new();
        if path.is_file() {
            problems.extend(self.add_file(path));
            return problems;
        }
        let walk = walkdir::WalkDir::new(path)
            .follow_links(true)
            .sort_by_file_name();
        for entry in walk {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    let is_yaml = e
                        .path()
                        .extension()
                        .and_then(|x| x.to_str())
                        .is_some_and(|x| {
                            x.eq_ignore_ascii_case("yml") || x.eq_ignore_ascii_case("yaml")
                        });
                    if is_yaml {
                        problems.extend(self.add_file(e.path()));
                    }
                }
                Ok(_) => {}
                Err(err) => problems.push(LoadProblem {
                    source_name: err.path().unwrap_or(path).display().to_string(),
                    rule: None,
                    severity: Severity::Refused,
                    error: RuleError::Io(err.to_string()),
                }),
            }
        }
        problems
    }

    fn add_file(&mut self, path: &Path) -> Vec<LoadProblem> {
        let name = path.display().to_string();
        match std::fs::read_to_string(path) {
            Ok(text) => self.add_yaml(&name, &text),
            Err(e) => vec![LoadProblem {
                source_name: name,
                rule: None,
                severity: Severity::Refused,
                error: RuleError::Io(e.to_string()),
            }],
        }
    }

    /// Loads the rules of one YAML text (several documents allowed);
    /// `source_name` names it in problems and findings.
    pub fn add_yaml(&mut self, source_name: &str, text: &str) -> Vec<LoadProblem> {
        let mut problems = Vec::new();
        let docs = match parse::documents(text) {
            Ok(d) => d,
            Err(error) => {
                return vec![LoadProblem {
                    source_name: source_name.to_owned(),
                    rule: None,
                    severity: Severity::Refused,
                    error,
                }]
            }
        };
        for (index, doc) in docs {
            let rref = parse::rule_ref(index, &doc);
            let mut report = |severity, error| {
                problems.push(LoadProblem {
                    source_name: source_name.to_owned(),
                    rule: Some(rref.clone()),
                    severity,
                    error,
                })
            };
            match self.add_document(source_name, &doc) {
                Ok(notes) => notes.into_iter().for_each(|(s, e)| report(s, e)),
                Err(e) => report(Severity::Refused, e),
            }
        }
        problems
    }

    fn note_name(
        &mut self,
        source: &str,
        values: [Option<&String>; 2],
    ) -> Vec<(Severity, RuleError)> {
        let mut notes = Vec::new();
        for (what, v) in ["id", "name"].into_iter().zip(values) {
            if what == "name" && v.is_some() && v == values[0] {
                continue;
            }
            if let Some(v) = v {
                if let Some(other) = self.seen.get(v) {
                    notes.push((
                        Severity::Warning,
                        RuleError::Duplicate {
                            what,
                            value: v.clone(),
                            other: other.clone(),
                        },
                    ));
                } else {
                    self.seen.insert(v.clone(), source.to_owned());
                }
            }
        }
        notes
    }

    fn add_document(
        &mut self,
        source: &str,
        doc: &yaml_rust2::Yaml,
    ) -> Result<Vec<(Severity, RuleError)>, RuleError> {
        match parse::document(doc)? {
            Document::Correlation { meta, body } => {
                let c = correlation::parse(meta, &body, source)?;
                let notes = self.note_name(source, [c.meta.id.as_ref(), c.meta.name.as_ref()]);
                self.correlations.push(c);
                Ok(notes)
            }
            Document::Rule { meta, detection } => {
                let (det, agg) = compile::compile(&detection, &self.placeholders)?;
                let mut correlation = None;
                if let Some((text, agg)) = &agg {
                    correlation = Some(correlation::from_aggregation(
                        &meta,
                        source,
                        text,
                        agg,
                        detection.timeframe.as_deref(),
                        self.rules.len(),
                    )?);
                } else if let Some(tf) = &detection.timeframe {
                    return Err(RuleError::Unsupported {
                        key: "detection.timeframe".into(),
                        feature: "`timeframe` without an aggregation".into(),
                        reason: format!(
                            "the rule means its selections to occur within {tf} of one another, which no single event shows; rewrite it as a `temporal` correlation rule"
                        ),
                    });
                }
                let mut notes = self.note_name(source, [meta.id.as_ref(), meta.name.as_ref()]);
                if meta.logsource.log_source().is_none() {
                    notes.push((
                        Severity::NotApplicable,
                        RuleError::NotApplicable {
                            found: meta.logsource.to_string(),
                        },
                    ));
                }
                self.rules.push(Rule {
                    log_source: meta.logsource.log_source(),
                    meta,
                    source: source.to_owned(),
                    detection: det,
                    standalone: correlation.is_none(),
                });
                if let Some(c) = correlation {
                    self.correlations.push(c);
                }
                Ok(notes)
            }
        }
    }

    /// The detection rules loaded (applicable or not).
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The correlation rules loaded (references not yet resolved).
    pub fn correlations(&self) -> &[Correlation] {
        &self.correlations
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_rule_and_reason() {
        let mut set = RuleSet::new();
        let problems = set.add_yaml(
            "mem.yml",
            "title: Good\nid: g1\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: X}, condition: s}\n---\ntitle: Bad\nid: b1\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {a|nope: x}, condition: s}\n---\ntitle: Other\nlogsource: {product: azure}\ndetection: {s: {a: x}, condition: s}\n",
        );
        assert_eq!(set.rules().len(), 2);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert_eq!(problems[0].severity, Severity::Refused);
        assert_eq!(
            problems[0].rule.as_ref().and_then(|r| r.id.as_deref()),
            Some("b1")
        );
        assert!(problems[0].to_string().contains("|nope"));
        assert_eq!(problems[1].severity, Severity::NotApplicable);
    }

    #[test]
    fn directories_are_searched_recursively_for_yaml() {
        let dir = tempfile::tempdir().unwrap();
        let rule = |title: &str| {
            format!("title: {title}\ntags: [attack.persistence, attack.t1098.001]\nlevel: high\nstatus: test\nlogsource: {{product: aws, service: cloudtrail}}\ndetection: {{s: {{eventName: X}}, condition: s}}\n")
        };
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("top.yml"), rule("Top")).unwrap();
        std::fs::write(dir.path().join("a/b/deep.YAML"), rule("Deep")).unwrap();
        std::fs::write(dir.path().join("a/notes.txt"), "title: not a rule").unwrap();
        std::fs::write(
            dir.path().join("a/two.yml"),
            format!("{}---\n{}", rule("One"), rule("Two")),
        )
        .unwrap();
        let (set, problems) =
            RuleSet::load_paths(&[dir.path().to_path_buf(), dir.path().join("missing")]);
        let mut titles: Vec<&str> = set.rules().iter().map(|r| r.title()).collect();
        titles.sort();
        assert_eq!(titles, ["Deep", "One", "Top", "Two"]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(matches!(problems[0].error, RuleError::Io(_)));
        let meta = set.rules()[0].meta();
        assert_eq!(meta.tactics().collect::<Vec<_>>(), ["persistence"]);
        assert_eq!(meta.techniques().collect::<Vec<_>>(), ["T1098.001"]);
        assert_eq!(meta.level, Some(crate::Level::High));
        assert_eq!(meta.status, Some(crate::Status::Test));
    }

    #[test]
    fn invalid_yaml_is_reported_for_the_file() {
        let mut set = RuleSet::new();
        let p = set.add_yaml("bad.yml", "title: [unclosed\n");
        assert_eq!(p.len(), 1);
        assert!(p[0].rule.is_none());
        assert!(matches!(p[0].error, RuleError::Yaml(_)));
    }

    #[test]
    fn timeframe_without_aggregation_is_refused() {
        let mut set = RuleSet::new();
        let p = set.add_yaml(
            "t.yml",
            "title: T\nlogsource: {product: aws, service: cloudtrail}\ndetection: {a: {x: 1}, b: {y: 2}, timeframe: 5m, condition: a and b}\n",
        );
        assert_eq!(p.len(), 1);
        assert!(p[0].to_string().contains("temporal"), "{}", p[0]);
    }

    #[test]
    fn aggregations_become_correlations() {
        let mut set = RuleSet::new();
        let p = set.add_yaml(
            "a.yml",
            "title: T\nlogsource: {product: aws, service: cloudtrail}\ndetection: {s: {eventName: 'list*'}, timeframe: 10m, condition: s | count() by sourceIPAddress > 50}\n",
        );
        assert!(p.is_empty(), "{p:?}");
        assert_eq!(set.correlations().len(), 1);
        assert!(!set.rules()[0].is_standalone());
        let p = set.add_yaml(
            "n.yml",
            "title: N\nlogsource: {product: aws, service: cloudtrail}\ndetection: {a: {x: 1}, b: {y: 2}, condition: a | near b}\n",
        );
        assert!(p[0].to_string().contains("near"));
    }
}
