//! What the attacker's EC2 instances cost (`cloudcase-pricing` estimates it): instance-hours ×
//! on-demand list price, per run, per region, per type and overall, with the assumptions behind
//! the numbers. It is the scope document's `cost` section.

use serde::{Deserialize, Serialize};

/// What the attacker's instances are estimated to have cost, with the assumptions behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cost {
    /// Always `"USD"`.
    pub currency: String,
    /// One entry per run, in the order given.
    pub instances: Vec<InstanceCost>,
    /// Totals per region, sorted by region code.
    pub by_region: Vec<GroupTotal>,
    /// Totals per instance type, sorted by type.
    pub by_type: Vec<GroupTotal>,
    /// Billed hours of all runs.
    pub total_hours: f64,
    /// Cost of all priced runs in USD; a lower bound when `unpriced_runs > 0`.
    pub total_usd: f64,
    /// Runs with no price in the table, left out of `total_usd`.
    pub unpriced_runs: u64,
    /// The assumptions the numbers rest on, in plain words, to be shown with them.
    pub assumptions: Vec<String>,
    /// What the Cost and Usage Report in the inputs says the attacker's resources cost;
    /// absent when the inputs hold no report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<ActualCost>,
}

/// The actual cost of the attacker's resources, from Cost and Usage Report line items.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActualCost {
    /// Line items of the attacker's resources, summed per resource, region, usage type and
    /// currency.
    pub items: Vec<ChargeTotal>,
    /// Totals per currency.
    pub totals: Vec<CurrencyTotal>,
    /// Line items in the report(s) (all resources).
    pub line_items: u64,
    /// The first usage start of any line item, RFC 3339 UTC.
    pub period_from: Option<String>,
    /// The last usage end of any line item, RFC 3339 UTC.
    pub period_to: Option<String>,
    /// Whether the report's period spans the whole attacker window.
    pub covers_window: bool,
    /// The sentence the numbers rest on.
    pub basis: String,
}

/// The line items of one resource, region, usage type and currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChargeTotal {
    /// The resource (`lineItem/ResourceId`).
    pub resource_id: String,
    /// The region code.
    pub region: Option<String>,
    /// The product, e.g. `AmazonEC2`.
    pub product_code: Option<String>,
    /// The usage type, e.g. `BoxUsage:c5.4xlarge`.
    pub usage_type: Option<String>,
    /// The currency.
    pub currency: String,
    /// Summed unblended cost.
    pub cost: f64,
    /// Summed usage amount.
    pub usage_amount: f64,
    /// Line items summed.
    pub line_items: u64,
    /// The first usage start, RFC 3339 UTC.
    pub from: String,
    /// The last usage end (or start), RFC 3339 UTC.
    pub to: String,
}

/// A total in one currency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CurrencyTotal {
    /// The currency.
    pub currency: String,
    /// The total.
    pub cost: f64,
}

/// The estimated cost of one instance run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceCost {
    /// The EC2 instance id.
    pub instance_id: String,
    /// The region code.
    pub region: String,
    /// The instance type.
    pub instance_type: String,
    /// Start of the run, milliseconds since the Unix epoch.
    pub start: i64,
    /// End of the counted time, milliseconds since the Unix epoch: the logged end, or the end of
    /// the logs when the instance was still running.
    pub end: i64,
    /// True when the logs show no end and the time was counted to the end of the logs.
    pub still_running: bool,
    /// Seconds billed: the running time rounded up to the second, at least 60.
    pub billed_seconds: i64,
    /// `billed_seconds` in hours.
    pub hours: f64,
    /// The on-demand hourly price used, or `None` when the table has none for this type and region.
    pub usd_per_hour: Option<f64>,
    /// `hours × usd_per_hour`, or `None` when there is no price: such runs are left out of the
    /// totals and counted in `unpriced_runs`, never silently priced at zero.
    pub cost_usd: Option<f64>,
    /// What was assumed or could not be done for this run, in plain words.
    pub notes: Vec<String>,
}

/// Totals for one region or one instance type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupTotal {
    /// The region code or instance type this total is for.
    pub key: String,
    /// Number of runs in the group.
    pub runs: u64,
    /// Billed hours of all runs in the group, priced or not.
    pub hours: f64,
    /// Cost of the priced runs in USD.
    pub cost_usd: f64,
    /// Runs in the group with no price (their hours are in `hours`, not in `cost_usd`).
    pub unpriced_runs: u64,
}
