//! Leads: a hunt's findings grouped by identity, scored and ranked, each with the reasons
//! for its place.
//!
//! [`LeadSink`] is a [`FindingSink`]: it takes the findings of the hunt's one pass, in
//! time order, and keeps per identity only counts and a few bounded samples, so memory
//! grows with the number of identities, not of findings. [`LeadSink::leads`] ranks them;
//! [`write_leads_table`] shows them to people.

mod state;
mod table;
mod weights;
mod who;

use std::collections::HashMap;

use cloudcase_model::Lead;

use crate::finding::FindingView;
use crate::sink::{FindingSink, SinkError};
use crate::summary::HuntSummary;

pub use self::table::write_leads_table;

use self::state::LeadState;
pub(crate) use self::who::{who, Who};

/// Groups findings into leads: by identity (an IAM user with its keys and console
/// sessions, a role session, root, a service, another principal), and unauthenticated
/// activity by source address.
#[derive(Debug, Default)]
pub struct LeadSink {
    leads: HashMap<Who, LeadState>,
}

impl LeadSink {
    /// No findings yet.
    pub fn new() -> Self {
        LeadSink::default()
    }

    /// Every lead, best first: by score, then highest level, number of findings, earliest
    /// finding and identity, so equal inputs always rank the same.
    pub fn leads(&self) -> Vec<Lead> {
        let mut scored: Vec<(&Who, state::Scored)> =
            self.leads.iter().map(|(who, s)| (who, s.score())).collect();
        scored.sort_by(|(wa, a), (wb, b)| {
            b.score
                .cmp(&a.score)
                .then(b.top_level.cmp(&a.top_level))
                .then(b.total.cmp(&a.total))
                .then(a.first.cmp(&b.first))
                .then(wa.cmp(wb))
        });
        scored
            .into_iter()
            .zip(1u32..)
            .map(|((who, scored), rank)| self.leads[who].lead(who, scored, rank))
            .collect()
    }
}

impl FindingSink for LeadSink {
    fn finding(&mut self, f: &FindingView<'_>) -> Result<(), SinkError> {
        let who = who(f);
        match self.leads.get_mut(&who) {
            Some(state) => state.add(f),
            None => {
                let mut state = LeadState::new(f.time);
                state.add(f);
                self.leads.insert(who, state);
            }
        }
        Ok(())
    }

    /// Nothing to write: the caller asks for [`LeadSink::leads`].
    fn finish(&mut self, _summary: &HuntSummary) -> Result<(), SinkError> {
        Ok(())
    }
}

#[cfg(test)]
mod tests;
