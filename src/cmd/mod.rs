//! One module per subcommand, plus the argument groups they share.

pub mod input;
pub mod stats;
pub mod timeline;
