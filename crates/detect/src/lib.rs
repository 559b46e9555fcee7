//! Detection: findings from Sigma rules (the built-in pack and any others),
//! Sigma correlations and stateful analytics, in one streaming pass, each
//! pointing to the raw record that shows it.
//!
//! [`hunt()`] reads the logs once and hands each finding, in time order, to a
//! [`FindingSink`]; the output formats are sinks ([`TableSink`], [`JsonlSink`],
//! [`CsvSink`]) and [`Tee`] feeds two at once. [`LeadSink`] groups the findings
//! by identity into ranked leads instead.

#![deny(missing_docs)]

mod analytics;
mod builtin;
mod finding;
mod held;
mod hunt;
mod import;
mod lead;
mod pointer;
mod routine;
mod sink;

/// The maps updated per event (burst windows, first sightings, interned names): a fast hash;
/// nothing read from them depends on their order.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
mod spool;
mod summary;
mod tally;

pub use analytics::{AnalyticFindings, Analytics, Geo, GeoError, MmdbGeo};
pub use builtin::{add_builtin, builtin_rule_files, builtin_rule_names};
pub use finding::{Finding, FindingView, Origin, Witness};
pub use hunt::{hunt, HuntError, HuntOptions, HuntOutcome, DEFAULT_SORT_MEMORY};
pub use import::{
    import_findings, ClaimFormat, ImportAccounting, ImportError, ImportOptions, ImportOutcome,
    LineRejection, Reason,
};
pub use lead::{write_leads_table, LeadSink};
pub use sink::{CsvSink, FindingSink, JsonlSink, SinkError, TableSink, Tee, TeeParts};
pub use summary::HuntSummary;
pub use tally::Tally;
