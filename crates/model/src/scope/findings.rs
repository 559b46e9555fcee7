//! The `guardduty` and `dns` sections: GuardDuty findings joined to what scope found, and the
//! Route 53 Resolver queries of attacker instances.

use serde::{Deserialize, Serialize};

use super::common::RecordRef;

/// The `guardduty` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardDuty {
    /// Findings that name an attacker key, identity, instance, address or a bucket the
    /// document lists, most severe first.
    pub findings: Vec<JoinedFinding>,
    /// Findings in the inputs that join nothing.
    pub not_joined: u64,
    /// What findings mean for the document.
    pub note: String,
}

/// What a finding was joined on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinKind {
    /// An attacker access key.
    AccessKey,
    /// An attacker or compromised user or role.
    Principal,
    /// An instance the attacker launched.
    Instance,
    /// An attacker address.
    Address,
    /// A bucket in `data_access`.
    Bucket,
}

/// One join of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Join {
    /// What kind of thing.
    pub on: JoinKind,
    /// Its value.
    pub value: String,
}

/// One GuardDuty finding joined to the document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinedFinding {
    /// The finding id.
    pub id: String,
    /// Its type, e.g. `UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS`.
    pub finding_type: String,
    /// Severity, 0.1–10.
    pub severity: f64,
    /// Its title.
    pub title: Option<String>,
    /// First seen, RFC 3339 UTC.
    pub first_seen: Option<String>,
    /// Last seen, RFC 3339 UTC.
    pub last_seen: Option<String>,
    /// Occurrences.
    pub count: Option<u64>,
    /// Whether it was archived.
    pub archived: bool,
    /// What it joined on.
    pub joined_on: Vec<Join>,
    /// The finding record.
    pub refs: Vec<RecordRef>,
}

/// The `dns` section: Route 53 Resolver queries by attacker instances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    /// Queries grouped by name, most frequent first.
    pub queries: Vec<DnsName>,
    /// Resolver query records in the inputs.
    pub records: u64,
    /// The first, RFC 3339 UTC.
    pub first: Option<String>,
    /// The last, RFC 3339 UTC.
    pub last: Option<String>,
}

/// The queries for one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsName {
    /// The name queried, as logged.
    pub query_name: String,
    /// Record types queried.
    pub query_types: Vec<String>,
    /// The attacker instances that asked.
    pub instances: Vec<String>,
    /// Queries.
    pub count: u64,
    /// First, RFC 3339 UTC.
    pub first: String,
    /// Last, RFC 3339 UTC.
    pub last: String,
    /// The first records, up to five.
    pub refs: Vec<RecordRef>,
}
