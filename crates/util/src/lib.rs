//! What several cloudcase crates need and none of them owns, so that
//! dependencies follow the data flow: `report` and `scope` escape text without
//! depending on `timeline` or on each other.
//!
//! * [`sanitize`]: attacker-controlled text made inert in terminals, CSV and
//!   JSON (escapes for control, zero-width and bidirectional characters;
//!   spreadsheet formulas neutralised);
//! * [`escape`]: the same text escaped for HTML and Markdown documents;
//! * [`net`]: IPv4 and IPv6 networks (Sigma's `|cidr`, `--ip`, `--owner-ip`);
//! * [`hex`]: lower-case hex and SHA-256 digests in hex;
//! * [`fs`]: the one atomic, durable file write;
//! * [`gzip`]: the one guarded gzip opener (gzip bombs, multi-member
//!   streams, truncation);
//! * [`parallel`]: the one order-keeping parallel map;
//! * [`fields`]: little-endian record fields for temporary spill files (the
//!   hunt's held findings, scope's candidate events);
//! * [`json_scan`]: where a JSON value ends, found 64 bytes at a time (the
//!   reader's framer and the Sigma record's member index).
#![deny(missing_docs)]

pub mod escape;
pub mod fields;
pub mod fs;
pub mod gzip;
pub mod hex;
pub mod json_scan;
pub mod net;
pub mod oslimit;
pub mod parallel;
pub mod sanitize;
