//! Detection: findings from Sigma rules (the built-in pack and any others),
//! Sigma correlations and stateful analytics, in one streaming pass, each
//! pointing to the raw record that shows it.
//!
//! [`hunt()`] reads the logs once and hands each finding, in time order, to a
//! [`FindingSink`]; the output formats are sinks ([`TableSink`], [`JsonlSink`],
//! [`CsvSink`]) and [`Tee`] feeds two at once.

#![deny(missing_docs)]

pub mod analytics;
mod builtin;
pub mod finding;
mod held;
pub mod hunt;
pub mod sink;
mod spool;
pub mod summary;
pub mod tally;

pub use builtin::{add_builtin, builtin_rule_names};
pub use finding::{Finding, FindingView, Origin, Pointer, RuleInfo, Witness};
pub use held::Held;
pub use hunt::{hunt, HuntError, HuntOptions, HuntOutcome};
pub use sink::{CsvSink, FindingSink, JsonlSink, SinkError, TableSink, Tee, TeeParts};
pub use summary::HuntSummary;
pub use tally::Tally;
