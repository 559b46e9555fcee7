//! One Cost and Usage Report line item, typed.

use crate::EventTime;

/// What one Cost and Usage Report line item says: the actual cost of one
/// resource's usage over one period (legacy CUR and CUR 2.0 / Data Exports).
#[derive(Debug, Clone, PartialEq)]
pub struct Charge {
    /// The usage account (`lineItem/UsageAccountId`, `line_item_usage_account_id`).
    pub account_id: Option<String>,
    /// The resource id (`lineItem/ResourceId`): an instance id, a bucket, an ARN.
    pub resource_id: Option<String>,
    /// The product (`lineItem/ProductCode`), e.g. `AmazonEC2`.
    pub product_code: Option<String>,
    /// The usage type (`lineItem/UsageType`), e.g. `APN1-BoxUsage:p3.2xlarge`.
    pub usage_type: Option<String>,
    /// The operation (`lineItem/Operation`), e.g. `RunInstances`.
    pub operation: Option<String>,
    /// The line item type (`lineItem/LineItemType`), e.g. `Usage`, `Tax`, `Credit`.
    pub line_item_type: Option<String>,
    /// The region code (`product/regionCode`, or derived from `product/region`).
    pub region: Option<String>,
    /// Start of the usage period (`lineItem/UsageStartDate`).
    pub usage_start: EventTime,
    /// End of the usage period (`lineItem/UsageEndDate`), when given.
    pub usage_end: Option<EventTime>,
    /// Usage quantity (`lineItem/UsageAmount`).
    pub usage_amount: Option<f64>,
    /// The unblended cost (`lineItem/UnblendedCost`).
    pub cost: f64,
    /// The currency (`lineItem/CurrencyCode`), e.g. `USD`.
    pub currency: Option<String>,
}
