//! `cloudcase harden`: least-privilege IAM policies from the activity a case observed.
//!
//! One streaming pass over CloudTrail events ([`Collector`], an event sink per worker,
//! merged at the end) records, per principal (IAM user, role with its sessions folded in,
//! root) and per long-term access key: the IAM actions used (event names mapped to action
//! names through data tables), the resource ARNs the events name, first and last use,
//! source networks, user agents and MFA. Events that the case's recorded scope result
//! attributes to the attacker are dropped and counted ([`Exclusion`]). [`build`] then
//! writes one policy per principal, checked against the shipped table of every IAM action
//! ([`ActionTable`]), and the lists of identities to remove, keys to rotate, CI keys that
//! could be role sessions and secrets to move to Secrets Manager.
#![deny(missing_docs)]

mod arn;
mod collect;
mod exclude;
mod inventory;
mod lists;
mod mapping;
mod policy;
mod render;
mod result;
mod table;

pub use collect::{Collector, Context, PrincipalUse};
pub use exclude::Exclusion;
pub use inventory::Inventory;
pub use mapping::{ActionMapper, Mapped};
pub use policy::{SourceIpRule, SOURCE_IP_RULE};
pub use render::document;
pub use result::{build, HardenOptions, HardenResult, PrincipalReport};
pub use table::ActionTable;

/// What can go wrong building policies.
#[derive(Debug, thiserror::Error)]
pub enum HardenError {
    /// A policy names an action the IAM action table does not hold.
    #[error("the policy of {principal} names {action}, which is not an IAM action in crates/harden/data/iam-actions.tsv (expected `prefix:Action` from the Service Authorization Reference)")]
    UnknownAction {
        /// The principal whose policy names it.
        principal: String,
        /// The action.
        action: String,
    },
    /// A shipped data table has a malformed line (a bug in this crate's data).
    #[error("{table} line {line}: expected {expected}, found {found:?}")]
    BadTable {
        /// The table file.
        table: &'static str,
        /// 1-based line number.
        line: usize,
        /// What the line should hold.
        expected: &'static str,
        /// The line.
        found: String,
    },
}
