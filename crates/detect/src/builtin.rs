//! The built-in rule pack, compiled into the binary.

use cloudcase_sigma::{LoadProblem, RuleSet};

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

/// The built-in rule files: name (e.g. `aws_iam_user_created.yml`) and YAML text, in name order.
pub fn builtin_rule_files() -> &'static [(&'static str, &'static str)] {
    BUILTIN_RULES
}

/// Names of the built-in rule files, e.g. `aws_iam_user_created.yml`.
pub fn builtin_rule_names() -> impl Iterator<Item = &'static str> {
    BUILTIN_RULES.iter().map(|(name, _)| *name)
}

/// Adds every built-in rule to `rules`, each under the source name
/// `builtin:<file>`; returns any load problems (none are expected: a test
/// loads the pack).
pub fn add_builtin(rules: &mut RuleSet) -> Vec<LoadProblem> {
    BUILTIN_RULES
        .iter()
        .flat_map(|(name, text)| rules.add_yaml(&format!("builtin:{name}"), text))
        .collect()
}
