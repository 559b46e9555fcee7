//! The `containment` section: the findings the plan is built from, the plan and its script.
//! The plan is `cloudcase_contain::Plan` in a form that can also be read back (the contain
//! crate's plan is only written).

use cloudcase_contain::Findings;
use serde::{Deserialize, Serialize};

/// Findings, plan and script; on a planner error, `plan` is null and `error` says why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Containment {
    /// What the plan acts on.
    pub findings: Findings,
    /// The plan; `None` when it could not be built.
    pub plan: Option<Plan>,
    /// The reviewable bash script (with a plan).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script: Option<String>,
    /// Why the plan could not be built.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A containment plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Case identifier.
    pub case_id: String,
    /// The account the plan is for.
    pub account_id: String,
    /// Sessions issued before this time (RFC 3339 UTC) are revoked.
    pub token_issued_before: String,
    /// Steps, in order.
    pub steps: Vec<Step>,
    /// What remains possible after the plan is carried out.
    pub residual_risks: Vec<String>,
}

/// The phases of a plan, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Capture evidence before anything changes.
    Preserve,
    /// Stop identities from acting without deleting them.
    Contain,
    /// Revoke sessions already issued and backdoor trust.
    Revoke,
    /// Cut instances and shared data off.
    Isolate,
    /// Remove what the attacker created.
    Eradicate,
}

/// One reviewable step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Position in the plan, from 1.
    pub order: u32,
    /// Phase.
    pub phase: Phase,
    /// What the step acts on (`kind:name` or `kind:region:id`).
    pub target: String,
    /// What the step does.
    pub action: String,
    /// Why, and what to know before running it.
    pub why: String,
    /// Whether the rollback restores the previous state.
    pub reversible: bool,
    /// Whether running it loses evidence.
    pub destroys_evidence: bool,
    /// AWS CLI command lines.
    pub commands: Vec<String>,
    /// Command lines that undo it.
    pub rollback: Vec<String>,
}

impl From<cloudcase_contain::Phase> for Phase {
    fn from(p: cloudcase_contain::Phase) -> Self {
        match p {
            cloudcase_contain::Phase::Preserve => Phase::Preserve,
            cloudcase_contain::Phase::Contain => Phase::Contain,
            cloudcase_contain::Phase::Revoke => Phase::Revoke,
            cloudcase_contain::Phase::Isolate => Phase::Isolate,
            cloudcase_contain::Phase::Eradicate => Phase::Eradicate,
        }
    }
}

impl From<&cloudcase_contain::Plan> for Plan {
    fn from(p: &cloudcase_contain::Plan) -> Self {
        Plan {
            case_id: p.case_id.clone(),
            account_id: p.account_id.clone(),
            token_issued_before: p.token_issued_before.clone(),
            steps: p
                .steps
                .iter()
                .map(|s| Step {
                    order: s.order,
                    phase: s.phase.into(),
                    target: s.target.clone(),
                    action: s.action.clone(),
                    why: s.why.clone(),
                    reversible: s.reversible,
                    destroys_evidence: s.destroys_evidence,
                    commands: s.commands.clone(),
                    rollback: s.rollback.clone(),
                })
                .collect(),
            residual_risks: p.residual_risks.clone(),
        }
    }
}
