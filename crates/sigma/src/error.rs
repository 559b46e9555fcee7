//! Why a rule was refused, not run, or loaded with a warning.

use std::fmt;

/// What went wrong with one rule (or one file, before any rule could be read).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The file could not be read.
    #[error("cannot read the file: {0}")]
    Io(String),
    /// The text is not valid YAML.
    #[error("invalid YAML: {0}")]
    Yaml(String),
    /// A key holds the wrong kind of value.
    #[error("`{key}`: expected {expected}, found {found}")]
    Type {
        /// The key, as a path (`detection.selection.eventName`).
        key: String,
        /// What Sigma expects there.
        expected: &'static str,
        /// What the rule has.
        found: String,
    },
    /// A mandatory key is absent.
    #[error("missing `{0}`")]
    Missing(String),
    /// A value has the right type but cannot be used.
    #[error("`{key}`: invalid value {found:?}: {reason}")]
    Invalid {
        /// The key, as a path.
        key: String,
        /// The offending value.
        found: String,
        /// Why.
        reason: String,
    },
    /// The rule uses a Sigma feature this engine does not evaluate.
    #[error("`{key}`: {feature} is not supported: {reason}")]
    Unsupported {
        /// The key, as a path.
        key: String,
        /// The feature (`modifier |utf16`, `aggregation near`, …).
        feature: String,
        /// Why, and what to do instead.
        reason: String,
    },
    /// The condition cannot be parsed or names unknown search identifiers.
    #[error("condition {condition:?}: {reason}")]
    Condition {
        /// The condition text.
        condition: String,
        /// Why.
        reason: String,
    },
    /// The rule's log source is none of the logs cloudcase reads: loaded, but never run.
    #[error(
        "not applicable: logsource is {found}, expected product: aws with service: {}",
        crate::sources::service_names()
    )]
    NotApplicable {
        /// The rule's log source.
        found: String,
    },
    /// Loaded, but the detection can never match.
    #[error("the condition can never match: {0}")]
    NeverMatches(String),
    /// Another rule already has this id or name.
    #[error("duplicate {what} {value:?} (also in {other})")]
    Duplicate {
        /// `id` or `name`.
        what: &'static str,
        /// The repeated value.
        value: String,
        /// Where the first one was loaded from.
        other: String,
    },
}

/// How serious a [`LoadProblem`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Loaded and run; something is worth knowing.
    Warning,
    /// Loaded, but not run against CloudTrail events (another log source).
    NotApplicable,
    /// Not loaded.
    Refused,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::NotApplicable => "not applicable",
            Severity::Refused => "refused",
        })
    }
}

/// Which rule a problem is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RuleRef {
    /// The YAML document's index in its file, from 0.
    pub document: usize,
    /// `title`, when the document has one.
    pub title: Option<String>,
    /// `id`, when the document has one.
    pub id: Option<String>,
}

impl fmt::Display for RuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.title, &self.id) {
            (Some(t), Some(id)) => write!(f, "{t:?} ({id})"),
            (Some(t), None) => write!(f, "{t:?}"),
            (None, Some(id)) => write!(f, "({id})"),
            (None, None) => write!(f, "document {}", self.document),
        }
    }
}

/// One rule (or file) that was refused, is not applicable, or loaded with a warning.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {}{severity}: {error}", rule.as_ref().map(|r| format!("rule {r}: ")).unwrap_or_default())]
pub struct LoadProblem {
    /// The file path or the name given to [`RuleSet::add_yaml`](crate::RuleSet::add_yaml).
    pub source_name: String,
    /// The rule, when the problem is about one rule rather than the whole file.
    pub rule: Option<RuleRef>,
    /// Refused, not applicable, or a warning.
    pub severity: Severity,
    /// What is wrong.
    pub error: RuleError,
}

impl LoadProblem {
    /// Whether the rule was not loaded at all.
    pub fn is_refused(&self) -> bool {
        self.severity == Severity::Refused
    }
}

/// Shorthand for type errors: a description of a YAML value for `found`.
pub(crate) fn describe(y: &yaml_rust2::Yaml) -> String {
    use yaml_rust2::Yaml;
    match y {
        Yaml::Real(s) => format!("number {s}"),
        Yaml::Integer(i) => format!("number {i}"),
        Yaml::String(s) => format!("string {s:?}"),
        Yaml::Boolean(b) => format!("boolean {b}"),
        Yaml::Array(a) => format!("a list of {}", a.len()),
        Yaml::Hash(h) => format!("a map of {}", h.len()),
        Yaml::Alias(_) => "an alias".to_owned(),
        Yaml::Null => "null".to_owned(),
        Yaml::BadValue => "an invalid value".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_name_file_rule_and_reason() {
        let p = LoadProblem {
            source_name: "rules/x.yml".into(),
            rule: Some(RuleRef {
                document: 0,
                title: Some("T".into()),
                id: Some("abc".into()),
            }),
            severity: Severity::Refused,
            error: RuleError::Type {
                key: "level".into(),
                expected: "a string",
                found: "a list of 2".into(),
            },
        };
        assert_eq!(
            p.to_string(),
            "rules/x.yml: rule \"T\" (abc): refused: `level`: expected a string, found a list of 2"
        );
        assert!(p.is_refused());
    }
}
