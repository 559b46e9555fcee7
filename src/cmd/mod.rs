//! One module per subcommand, plus the argument groups they share.

pub mod demo;
pub mod input;
pub mod stats;
pub mod timeline;
pub mod trail;
