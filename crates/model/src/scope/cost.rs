//! The `cost` section: `cloudcase_pricing::CostEstimate` in a form that can also be read back
//! (the pricing crate's estimate is only written).

use serde::{Deserialize, Serialize};

/// What the attacker's instances are estimated to have cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// Always `USD`.
    pub currency: String,
    /// One entry per run.
    pub instances: Vec<InstanceCost>,
    /// Totals per region, sorted by region.
    pub by_region: Vec<GroupTotal>,
    /// Totals per instance type, sorted by type.
    pub by_type: Vec<GroupTotal>,
    /// Billed hours of all runs.
    pub total_hours: f64,
    /// Cost of all priced runs; a lower bound when `unpriced_runs > 0`.
    pub total_usd: f64,
    /// Runs without a price.
    pub unpriced_runs: u64,
    /// The assumptions behind the numbers.
    pub assumptions: Vec<String>,
}

/// One instance run and its cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceCost {
    /// Instance id.
    pub instance_id: String,
    /// Region.
    pub region: String,
    /// Instance type.
    pub instance_type: String,
    /// Start, ms.
    pub start: i64,
    /// End (or the end of the logs), ms.
    pub end: i64,
    /// Whether it ran to the end of the logs.
    pub still_running: bool,
    /// Billed seconds.
    pub billed_seconds: i64,
    /// Billed hours.
    pub hours: f64,
    /// List price per hour.
    pub usd_per_hour: Option<f64>,
    /// Cost.
    pub cost_usd: Option<f64>,
    /// Notes.
    pub notes: Vec<String>,
}

/// Totals of one region or type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupTotal {
    /// Region or type.
    pub key: String,
    /// Runs.
    pub runs: u64,
    /// Billed hours.
    pub hours: f64,
    /// Cost of the priced runs.
    pub cost_usd: f64,
    /// Runs without a price.
    pub unpriced_runs: u64,
}

impl From<&cloudcase_pricing::GroupTotal> for GroupTotal {
    fn from(g: &cloudcase_pricing::GroupTotal) -> Self {
        GroupTotal {
            key: g.key.clone(),
            runs: g.runs as u64,
            hours: g.hours,
            cost_usd: g.cost_usd,
            unpriced_runs: g.unpriced_runs as u64,
        }
    }
}

impl From<&cloudcase_pricing::InstanceCost> for InstanceCost {
    fn from(i: &cloudcase_pricing::InstanceCost) -> Self {
        InstanceCost {
            instance_id: i.instance_id.clone(),
            region: i.region.clone(),
            instance_type: i.instance_type.clone(),
            start: i.start,
            end: i.end,
            still_running: i.still_running,
            billed_seconds: i.billed_seconds,
            hours: i.hours,
            usd_per_hour: i.usd_per_hour,
            cost_usd: i.cost_usd,
            notes: i.notes.clone(),
        }
    }
}

impl From<&cloudcase_pricing::CostEstimate> for Cost {
    fn from(c: &cloudcase_pricing::CostEstimate) -> Self {
        Cost {
            currency: c.currency.to_owned(),
            instances: c.instances.iter().map(InstanceCost::from).collect(),
            by_region: c.by_region.iter().map(GroupTotal::from).collect(),
            by_type: c.by_type.iter().map(GroupTotal::from).collect(),
            total_hours: c.total_hours,
            total_usd: c.total_usd,
            unpriced_runs: c.unpriced_runs as u64,
            assumptions: c.assumptions.clone(),
        }
    }
}
