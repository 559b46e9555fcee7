//! The plan: ordered steps with their commands and rollbacks.

use serde::{Deserialize, Serialize};

/// The phases of a plan, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Capture evidence before anything changes: snapshots, descriptions, IAM state.
    Preserve,
    /// Stop identities from acting without deleting them: deny-all policies, inactive keys.
    Contain,
    /// Revoke sessions already issued and backdoor trust.
    Revoke,
    /// Cut instances and shared data off: quarantine security groups, unsharing, stopping.
    Isolate,
    /// Remove what the attacker created: only after everything above.
    Eradicate,
}

impl Phase {
    /// Lower-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Preserve => "preserve",
            Phase::Contain => "contain",
            Phase::Revoke => "revoke",
            Phase::Isolate => "isolate",
            Phase::Eradicate => "eradicate",
        }
    }
}

/// One reviewable step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Position in the plan, from 1.
    pub order: u32,
    /// Phase.
    pub phase: Phase,
    /// What the step acts on: `kind:name` or `kind:region:id`, for example `iam-user:alice` or
    /// `ec2-instance:us-east-1:i-0abc`.
    pub target: String,
    /// What the step does, in one line.
    pub action: String,
    /// Why, and what to know before running it.
    pub why: String,
    /// Whether the rollback commands restore the previous state.
    pub reversible: bool,
    /// Whether running the step loses evidence (volatile memory, deleted resources).
    pub destroys_evidence: bool,
    /// AWS CLI command lines for a POSIX shell, to run in order in one shell session after the
    /// script's prologue (they use `$EVIDENCE_DIR` and variables set by earlier steps).
    pub commands: Vec<String>,
    /// Command lines that undo the step (empty when there is nothing to undo).
    pub rollback: Vec<String>,
}

impl Step {
    /// Whether the step is commented out of the generated script: it cannot be undone, or it
    /// destroys evidence.
    pub fn is_destructive(&self) -> bool {
        !self.reversible || self.destroys_evidence
    }
}

/// A containment plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Case identifier.
    pub case_id: String,
    /// The account the plan is for.
    pub account_id: String,
    /// "Now" as RFC 3339 UTC (rounded up to the second): sessions issued before it are revoked.
    pub token_issued_before: String,
    /// Steps, in order: preserve, contain, revoke, isolate, eradicate.
    pub steps: Vec<Step>,
    /// What remains possible after the plan is carried out.
    pub residual_risks: Vec<String>,
}
