//! The plan in each output format.

mod cfn;
mod names;
mod terraform;

pub use cfn::cloudformation;
pub use terraform::terraform;

use crate::plan::Plan;

/// The `eventbridge-json` output: a JSON array of `{name, pattern, rule_id, title, level}`.
pub fn eventbridge_json(plan: &Plan) -> Result<String, crate::MonitorError> {
    serde_json::to_string_pretty(&plan.rules.rules).map_err(|e| crate::MonitorError::Render {
        format: "eventbridge-json",
        reason: e.to_string(),
    })
}
