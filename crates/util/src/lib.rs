//! What several cloudcase crates need and none of them owns, so that
//! dependencies follow the data flow: `report` and `scope` escape text without
//! depending on `timeline` or on each other.
//!
//! * [`sanitize`]: attacker-controlled text made inert in terminals, CSV and
//!   JSON (escapes for control, zero-width and bidirectional characters;
//!   spreadsheet formulas neutralised);
//! * [`escape`]: the same text escaped for HTML and Markdown documents;
//! * [`net`]: IPv4 and IPv6 networks (Sigma's `|cidr`, `--ip`, `--owner-ip`).
#![deny(missing_docs)]

pub mod escape;
pub mod net;
pub mod sanitize;
