//! One Route 53 Resolver query log record, typed.

/// What one Route 53 Resolver query log record says.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DnsQuery {
    /// The name queried (`query_name`), as logged (usually with a trailing dot).
    pub query_name: String,
    /// The record type queried (`query_type`), e.g. `A`, `TXT`.
    pub query_type: Option<String>,
    /// The response code (`rcode`), e.g. `NOERROR`, `NXDOMAIN`.
    pub rcode: Option<String>,
    /// The querying address (`srcaddr`).
    pub src_addr: Option<String>,
    /// The querying instance (`srcids.instance`), when logged.
    pub instance_id: Option<String>,
    /// The VPC the query came from (`vpc_id`).
    pub vpc_id: Option<String>,
    /// The account (`account_id`).
    pub account_id: Option<String>,
    /// The answers' record data (`answers[].Rdata`).
    pub answers: Vec<String>,
}
