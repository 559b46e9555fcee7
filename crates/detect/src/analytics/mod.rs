//! Stateful analytics: what single-event rules cannot express.
//!
//! * novelty: an identity's first use of a network, address, country or client,
//!   and an account's first use of a region, after a day of history
//!   ([`novelty`]);
//! * bursts: access-denied storms, enumeration, launches across regions,
//!   secret reads, object reads ([`bursts`]).
//!
//! All state is order-independent and mergeable, so it is computed in the same
//! parallel pass that evaluates rules, with no sorting of events.

pub mod bursts;
pub mod identity;
pub mod novelty;
pub mod ua;

use std::net::IpAddr;

use cloudcase_event::Event;
use cloudcase_sigma::Level;

use crate::finding::Finding;

/// Country lookup for IP addresses (an offline database); analytics that need
/// it are skipped without one, and the output says so.
pub trait Geo: Sync {
    /// ISO country code of `ip`, if known.
    fn country(&self, ip: IpAddr) -> Option<String>;
}

/// Identity of an analytic.
#[derive(Debug, Clone, Copy)]
pub struct Spec {
    /// Stable id, `cloudcase.analytics.…`.
    pub id: &'static str,
    /// Title.
    pub title: &'static str,
    /// Severity.
    pub level: Level,
    /// ATT&CK tactics.
    pub tactics: &'static [&'static str],
    /// ATT&CK techniques.
    pub techniques: &'static [&'static str],
}

/// All analytics state of one worker.
#[derive(Debug, Default)]
pub struct Analytics {
    novelty: novelty::Novelty,
    bursts: bursts::Bursts,
}

impl Analytics {
    /// Adds one event.
    pub fn observe(&mut self, event: &Event, geo: Option<&dyn Geo>) {
        self.novelty.observe(event, geo);
        self.bursts.observe(event);
    }

    /// Adds another worker's state.
    pub fn merge(&mut self, other: Analytics) {
        self.novelty.merge(other.novelty);
        self.bursts.merge(other.bursts);
    }

    /// The findings, in time order.
    pub fn findings(&self) -> Vec<Finding> {
        let mut out = self.novelty.findings();
        out.extend(self.bursts.findings());
        out.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        out
    }
}
