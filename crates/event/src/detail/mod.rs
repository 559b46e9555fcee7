//! Typed content of records that are not CloudTrail calls: S3 server access
//! log lines, VPC flow records, GuardDuty findings, Route 53 Resolver queries
//! and billing line items.
//!
//! Every reader still fills the common [`Event`](crate::Event) fields (time,
//! principal, address, a name) so that one timeline, one filter and one Sigma
//! engine serve every source; what only one source has lives here, typed, so
//! that later stages never dig in raw JSON for it.

mod charge;
mod dns;
mod finding;
mod flow;
mod s3request;

pub use charge::Charge;
pub use dns::DnsQuery;
pub use finding::Finding;
pub use flow::{Flow, FlowAction};
pub use s3request::S3Request;

/// What a non-CloudTrail record says beyond the common event fields.
#[derive(Debug, Clone, PartialEq)]
pub enum Detail {
    /// One S3 server access log line.
    S3Request(S3Request),
    /// One VPC flow log record.
    Flow(Flow),
    /// One GuardDuty finding.
    Finding(Finding),
    /// One Route 53 Resolver query.
    DnsQuery(DnsQuery),
    /// One Cost and Usage Report line item.
    Charge(Charge),
}
