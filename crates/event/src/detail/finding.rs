//! One GuardDuty finding, typed.

use crate::EventTime;

/// What a GuardDuty finding says, and what it names that scope can join on.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Finding {
    /// The finding's id.
    pub id: String,
    /// The finding type, e.g. `CryptoCurrency:EC2/BitcoinTool.B!DNS`.
    pub finding_type: String,
    /// Severity, 0.1–10 (GuardDuty: 7–8.9 high, 9–10 critical).
    pub severity: f64,
    /// The finding's title.
    pub title: Option<String>,
    /// The account the finding is about.
    pub account_id: Option<String>,
    /// The region the finding is about.
    pub region: Option<String>,
    /// When GuardDuty first saw the activity (`service.eventFirstSeen`).
    pub first_seen: Option<EventTime>,
    /// When GuardDuty last saw the activity (`service.eventLastSeen`).
    pub last_seen: Option<EventTime>,
    /// How many times the activity was seen (`service.count`).
    pub count: Option<u64>,
    /// `resource.resourceType`, e.g. `Instance`, `AccessKey`, `S3Bucket`.
    pub resource_type: Option<String>,
    /// The instance named (`resource.instanceDetails.instanceId`).
    pub instance_id: Option<String>,
    /// The access key named (`resource.accessKeyDetails.accessKeyId`).
    pub access_key_id: Option<String>,
    /// The principal named (`resource.accessKeyDetails.userName`, or the principal id).
    pub user_name: Option<String>,
    /// Buckets named (`resource.s3BucketDetails[].name`).
    pub buckets: Vec<String>,
    /// Remote addresses named in the action (`service.action.*.remoteIpDetails.ipAddressV4`).
    pub remote_ips: Vec<String>,
    /// Domains named in the action (`service.action.dnsRequestAction.domain`).
    pub domains: Vec<String>,
    /// Whether the finding was archived.
    pub archived: bool,
}
