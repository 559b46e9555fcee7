//! A Sigma rule engine for CloudTrail and the other AWS logs cloudcase reads.
//!
//! * [`RuleSet`] loads Sigma YAML (files, directory trees, multi-document
//!   texts). Every rule is compiled once; a rule using something this engine
//!   does not evaluate is refused with a [`LoadProblem`] naming the file, the
//!   rule and the reason — never skipped silently. Rules for log sources
//!   cloudcase does not read load but are reported as not applicable.
//! * A rule applies to the events of the log its `logsource` names
//!   ([`Logsource::log_source`]): `product: aws` with `service: cloudtrail`,
//!   `s3_access` (`s3-access`, `s3accesslogs`, `s3_access_logs`), `vpc_flow`
//!   (`vpcflow`, `vpcflowlogs`, `vpc_flow_logs`), `guardduty`,
//!   `route53_resolver` (`route53resolver`, `route53`) or `billing` (`cur`).
//!   `service: cloudtrail` rules never see S3 access log lines, although those
//!   are shaped like CloudTrail data events. A [`Record`] says which log it
//!   is ([`Record::log_source`]; a [`JsonRecord`] by its `logSource` key).
//! * [`RuleSet::compile`] builds the [`Engine`]: rules grouped by log once,
//!   and within a log indexed by the `eventName` (else `eventSource`) values
//!   they require, so an event only visits its own log's candidate rules and
//!   the few rules without such a constraint.
//! * Rules are evaluated against a [`Record`]: [`EventRecord`] wraps a
//!   [`cloudcase_event::Event`], answering CloudTrail's pivot fields from its
//!   typed fields (for every log: `eventName` is a flow's action, a finding's
//!   type) and any other dotted path from the raw record (a flow's `dstport`,
//!   a finding's `severity`, as their logs name them), read only
//!   when a candidate rule needs it (values are found in the text without a
//!   full parse; paths crossing arrays parse the record once per event).
//! * [`Correlator`] evaluates Sigma correlation rules (`event_count`,
//!   `value_count`, `temporal`, `temporal_ordered`) statefully over events fed
//!   in time order.
//!
//! # What is evaluated
//!
//! * Detection maps (all items) and lists of maps (any); value lists (any,
//!   or all with `|all`); keyword lists and field-less items searching the
//!   record's text.
//! * Modifiers: `contains`, `startswith`, `endswith`, `all`, `neq`, `cased`,
//!   `exists`, `re` with `i`/`m`/`s`, `cidr` (IPv4 and IPv6), `base64`,
//!   `base64offset`, `wide`/`utf16le`/`utf16be`/`utf16` (before a base64
//!   modifier), `windash`, `gt`/`gte`/`lt`/`lte`, `fieldref` (also with
//!   `contains`/`startswith`/`endswith`/`cased`), `expand` (with values given
//!   by [`RuleSet::set_placeholder`]), `minute`/`hour`/`day`/`week` (ISO)/
//!   `month`/`year`.
//! * Wildcards `*` and `?`, escaped with `\`; `null` (absent or null);
//!   strings compare ignoring case (Unicode lowercase) unless `|cased`;
//!   numbers match numbers or their text, booleans booleans or `true`/`false`,
//!   objects match as their compact JSON text (keys sorted).
//! * Conditions: `and`, `or`, `not`, parentheses, `1 of`/`any of`/`all of`
//!   a pattern or `them` (identifiers starting with `_` only match patterns
//!   starting with `_`); a list of conditions is their disjunction.
//! * Dotted field names walk objects and cross arrays (any element matches).
//! * Correlations: `event_count`, `value_count`, `temporal`,
//!   `temporal_ordered` with `group-by`, `timespan`, `aliases`, `generate`
//!   and `gt`/`gte`/`lt`/`lte`/`eq` conditions (several make a range); the
//!   obsolete `| count([field]) [by field] op N` with `timeframe` becomes the
//!   equivalent `event_count`/`value_count`.
//! * Sigma's `action: global`/`reset`/`repeat` multi-document collections.
//!
//! Refused with a reason: unknown modifiers, regular expressions the `regex`
//! crate cannot compile (look-around, back-references), `expand` placeholders
//! without values, UTF-16 values not base64-encoded, `near` and aggregation
//! functions other than `count()`, aggregations without `timeframe`,
//! `timeframe` without an aggregation, `value_sum`/`value_avg`/
//! `value_percentile`/`value_median` correlations, extended (boolean)
//! temporal conditions, correlations of correlations, unknown rule
//! references, Sigma filter documents, and files with more than 16 YAML
//! aliases (alias expansion could otherwise explode).
//!
//! ```
//! use cloudcase_sigma::{JsonRecord, RuleSet};
//! let mut rules = RuleSet::new();
//! let problems = rules.add_yaml("inline", r#"
//! title: Trail stopped
//! id: 11111111-2222-3333-4444-555555555555
//! level: high
//! tags: [attack.defense-evasion, attack.t1562.008]
//! logsource: {product: aws, service: cloudtrail}
//! detection:
//!     selection:
//!         eventSource: cloudtrail.amazonaws.com
//!         eventName: [StopLogging, DeleteTrail]
//!     condition: selection
//! "#);
//! assert!(problems.is_empty());
//! let (engine, _) = rules.compile();
//! let event = serde_json::json!({"eventSource": "cloudtrail.amazonaws.com", "eventName": "StopLogging"});
//! let record = JsonRecord::new(&event);
//! let titles: Vec<&str> = engine.matches(&record).map(|r| r.title()).collect();
//! assert_eq!(titles, ["Trail stopped"]);
//! ```

#![deny(missing_docs)]

mod compile;
mod condition;
mod correlation;
mod correlator;
mod detection;
mod encode;
mod engine;
mod error;
mod eval;
mod ids;
mod load;
mod memo_regex;
mod meta;
mod modifiers;
mod parse;
mod rawjson;
mod record;
mod rule;
mod sources;
mod sql;
mod value;
mod wildcard;

pub use correlation::{Correlation, CorrelationKind};
pub use correlator::{CorrelationMatch, Correlator, MAX_EVIDENCE};
pub use engine::{Engine, Matches};
pub use error::{LoadProblem, RuleError, RuleRef, Severity};
pub use ids::{CorrelationId, RuleId};
pub use load::RuleSet;
pub use meta::{AttackTag, Level, Logsource, Metadata, Status, UnknownName};
pub use record::{
    json_exists, visit_json, EventRecord, FieldPath, FieldValue, JsonRecord, Pivot, Record,
};
pub use rule::Rule;
pub use sql::{rules_to_sql, SqlDialect, SqlOptions, SqlQuery, SqlRefusal, SqlSchema, SQL_COLUMNS};
