//! Steps as the phase builders write them, and their ordering into a plan.

use crate::plan::{Phase, Step};

/// A step before the plan gives it its phase and number. Every field is named and has no
/// default, so that whether a step can be undone or loses evidence (what decides whether the
/// script runs it or leaves it commented out) is always written down where the step is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Draft {
    /// What the step acts on: `kind:name` or `kind:region:id`.
    pub(super) target: String,
    /// What the step does, in one line.
    pub(super) action: String,
    /// Why, and what to know before running it.
    pub(super) why: String,
    /// Whether the rollback commands restore the previous state.
    pub(super) reversible: bool,
    /// Whether running the step loses evidence.
    pub(super) destroys_evidence: bool,
    /// Command lines, run in order.
    pub(super) commands: Vec<String>,
    /// Command lines that undo the step (empty when there is nothing to undo).
    pub(super) rollback: Vec<String>,
}

impl Draft {
    /// The step in `phase`, not yet numbered (order 0).
    pub(super) fn into_step(self, phase: Phase) -> Step {
        Step {
            order: 0,
            phase,
            target: self.target,
            action: self.action,
            why: self.why,
            reversible: self.reversible,
            destroys_evidence: self.destroys_evidence,
            commands: self.commands,
            rollback: self.rollback,
        }
    }
}

/// Collects steps; [`Steps::finish`] orders them by phase (stable within a phase) and numbers them.
#[derive(Debug, Default)]
pub(super) struct Steps(Vec<Step>);

impl Steps {
    /// Adds `draft` as a step of `phase`.
    pub(super) fn push(&mut self, phase: Phase, draft: Draft) {
        self.0.push(draft.into_step(phase));
    }

    /// The steps ordered by phase, keeping the order they were added in within a phase, numbered
    /// from 1.
    pub(super) fn finish(mut self) -> Vec<Step> {
        self.0.sort_by_key(|s| s.phase);
        for (i, s) in self.0.iter_mut().enumerate() {
            s.order = u32::try_from(i + 1).unwrap_or(u32::MAX);
        }
        self.0
    }
}
