//! Monitoring as code from a case (`cloudcase monitor`): what the next incident needs watched,
//! as CloudFormation, Terraform or a JSON list of EventBridge rules.
//!
//! * [`builtin_rules`]: the built-in Sigma rules for CloudTrail compiled into EventBridge event
//!   patterns over the CloudTrail event envelope (`detail-type`, `detail.<field>`), keeping
//!   Sigma's meaning exactly — strings compare ignoring case (`equals-ignore-case`, also inside
//!   `prefix`/`suffix`), `null` and negated items also match an absent field, conditions become
//!   `$or` of alternatives with the tests common to all written once. A rule with no exact
//!   pattern (regular expressions, `fieldref`, keywords, case-insensitive wildcards,
//!   correlations, aggregations, logs other than CloudTrail) is a [`Refusal`] with the reason.
//! * [`matches`]: an event-pattern matcher written to EventBridge's documented semantics, and
//!   [`envelope`] to wrap a CloudTrail record as EventBridge delivers it.
//! * [`CIS_CONTROLS`]: the CIS AWS Foundations monitoring controls as data (filter pattern,
//!   metric, alarm).
//! * [`plan()`]: the regions GuardDuty is enabled in and the CloudTrail settings, each with the
//!   gap it closes — data events on exactly the buckets and tables scope left UNKNOWN.
//! * [`cloudformation`], [`terraform`], [`eventbridge_json`]: the outputs.

#![deny(missing_docs)]

mod builtin;
mod cis;
mod compile;
mod condition;
mod doc;
mod error;
mod formula;
mod matcher;
mod plan;
mod render;
mod values;

pub use builtin::{builtin_rules, compile_rule, CompiledRules};
pub use cis::{CisControl, CIS_CONTROLS, NAMESPACE};
pub use compile::{rule_name, EventRule, Refusal, DETAIL_TYPES};
pub use error::MonitorError;
pub use matcher::{envelope, matches};
pub use plan::{
    plan, CaseFacts, DataEventTarget, Plan, TrailSetting, DEFAULT_REGIONS, DEFAULT_RETENTION_DAYS,
};
pub use render::{cloudformation, eventbridge_json, terraform};
