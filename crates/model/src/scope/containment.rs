//! The `containment` section: the findings the plan is built from, the plan and its script.

use crate::contain::{Findings, Plan};
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
