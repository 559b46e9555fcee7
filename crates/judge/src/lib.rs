//! The evidence model shared by `hunt` and `scope`, so that both agree on what "new" means.
//!
//! - [`kind`]: what kind of credential made a call (long-term key, console user, root, role
//!   session, EC2 instance profile, Lambda, ECS task, SSO or federated user, AWS service).
//! - [`client`]: a user agent parsed into family, operating system and compute environment.
//! - [`network`]: the grains of an address (address, /24 or /64, /16 or /48, country, ASN).
//! - [`behaviour`]: which calls are persistence, privilege escalation, defence evasion,
//!   discovery, resource hijacking or data reads, and their per-departure counts.
//! - [`baseline`]: a mergeable, bounded per-identity accumulator of first uses.
//! - [`signal`]: the weighted signals, their table of weights and sentences, and [`Confidence`].
//! - [`judge`]: a candidate departure judged against the baseline before it.
#![deny(missing_docs)]

pub mod baseline;
pub mod behaviour;
pub mod client;
pub mod judge;
pub mod kind;
pub mod network;
pub mod signal;

pub use baseline::{Baseline, Observation};
pub use behaviour::{Behaviour, Tactic};
pub use client::Client;
pub use judge::{judge, Departure, Judgement, RoleContext};
pub use kind::IdentityKind;
pub use network::{Grains, Lookups};
pub use signal::{Confidence, Signal, SignalKind};
