//! The typed results that pass between cloudcase's stages.
//!
//! Analysis crates (scope, detect, trail) produce these types; the report crate and the
//! command line read them. Their JSON form is the documented output of `--format json`, so a
//! renamed field is a compile error here rather than a silently empty report section.
#![deny(missing_docs)]
