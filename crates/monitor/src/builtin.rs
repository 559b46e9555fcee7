//! The built-in rule pack (`rules/builtin`), embedded, compiled into event patterns.

use crate::compile::{compile, EventRule, Refusal};
use crate::doc;

/// The built-in rules compiled: the event rules, and the rules refused with reasons.
#[derive(Debug, Clone, Default)]
pub struct CompiledRules {
    /// Rules with an exact event pattern, in file order.
    pub rules: Vec<EventRule>,
    /// Rules left out, with reasons.
    pub refused: Vec<Refusal>,
}

/// Compiles one rule file's text (`file` is its name, e.g. `aws_iam_user_created.yml`).
pub fn compile_rule(
    file: &str,
    yaml: &str,
) -> Result<Result<EventRule, Refusal>, crate::MonitorError> {
    let d = doc::parse(&format!("builtin:{file}"), yaml)?;
    Ok(compile(file, &d))
}

/// Compiles every built-in rule.
pub fn builtin_rules() -> Result<CompiledRules, crate::MonitorError> {
    let mut out = CompiledRules::default();
    for (file, text) in cloudcase_detect::builtin_rule_files() {
        match compile_rule(file, text)? {
            Ok(r) => out.rules.push(r),
            Err(r) => out.refused.push(r),
        }
    }
    Ok(out)
}
