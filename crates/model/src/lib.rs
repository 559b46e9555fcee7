//! The typed results that pass between cloudcase's stages.
//!
//! Analysis crates (scope, detect, trail, and the pricing and containment planners) produce these
//! types; the report crate and the
//! command line read them. Their JSON form is the documented output of `--format json`, so a
//! renamed field is a compile error here rather than a silently empty report section.
#![deny(missing_docs)]

pub mod contain;
pub mod cost;
pub mod finding;
pub mod lead;
pub mod validation;

pub use finding::HuntFinding;
pub use lead::{Lead, LeadKind, LevelCounts};
pub use validation::{DigestTotals, LogTotals, Period, ValidationSummary};

pub mod scope;

pub use scope::ScopeResult;
