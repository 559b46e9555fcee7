//! Steps as the phase builders write them, and their ordering into a plan.

use cloudcase_model::contain::{Phase, Step};

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

#[cfg(test)]
mod tests {
    use super::*;

    /// A draft on `target`.
    fn draft(target: &str) -> Draft {
        Draft {
            target: target.into(),
            action: "act".into(),
            why: "why".into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec!["true".into()],
            rollback: vec![],
        }
    }

    #[test]
    fn steps_are_ordered_by_phase_stably_and_numbered_from_one() {
        let mut steps = Steps::default();
        steps.push(Phase::Isolate, draft("a"));
        steps.push(Phase::Preserve, draft("b"));
        steps.push(Phase::Isolate, draft("c"));
        steps.push(Phase::Preserve, draft("d"));
        let done = steps.finish();
        let got: Vec<(u32, Phase, &str)> = done
            .iter()
            .map(|s| (s.order, s.phase, s.target.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (1, Phase::Preserve, "b"),
                (2, Phase::Preserve, "d"),
                (3, Phase::Isolate, "a"),
                (4, Phase::Isolate, "c"),
            ]
        );
        assert_eq!(done[0].commands, ["true"]);
    }
}
