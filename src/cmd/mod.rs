//! One module per subcommand, plus the argument groups they share.

pub mod acquire;
pub mod case;
pub mod demo;
pub mod export;
pub mod harden;
pub mod hunt;
pub mod input;
pub mod inventory;
pub mod monitor;
pub mod record;
pub mod report;
pub mod rules;
pub mod scope;
pub mod stats;
pub mod time;
pub mod timeline;
pub mod timestamp;
pub mod trail;
pub mod verify;
