//! Detection: findings from Sigma rules (the built-in pack and any others),
//! Sigma correlations and stateful analytics, in one streaming pass, each
//! pointing to the raw record that shows it.

pub mod analytics;
mod builtin;
pub mod finding;
pub mod hunt;
pub mod output;
pub mod tally;

pub use builtin::{add_builtin, builtin_rule_names};
pub use finding::{Finding, FindingView, Origin, Pointer, RuleInfo, Witness};
pub use hunt::{hunt, HuntError, HuntOptions, HuntOutcome};
pub use output::{FindingFormat, FindingWriter};
pub use tally::Tally;
