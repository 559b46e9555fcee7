//! Ground truth of the sources beside CloudTrail: what each lets a tool
//! decide (who read which bucket, how many bytes left which interface for
//! the attacker, which mining domains were queried, which findings and
//! costs belong to the attack).

use serde_json::{json, Value};

use crate::time::iso;

/// Truth of every source written beside CloudTrail.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourcesTruth {
    /// Names of the sources written (`cloudtrail`, `s3_access`, …).
    pub written: Vec<String>,
    /// S3 server access logs.
    pub s3_access: Option<S3AccessTruth>,
    /// VPC Flow Logs.
    pub vpc_flow: Option<FlowTruth>,
    /// Route 53 Resolver query logs.
    pub route53_resolver: Option<DnsTruth>,
    /// GuardDuty findings.
    pub guardduty: Option<GuardDutyTruth>,
    /// Cost and Usage Report.
    pub billing: Option<BillingTruth>,
}

/// S3 server access logs: coverage and the attacker's reads.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct S3AccessTruth {
    /// The bucket logs are delivered to.
    pub log_bucket: String,
    /// Delivery objects written.
    pub files: u64,
    /// Log lines written.
    pub lines: u64,
    /// Buckets whose access is logged (each to `<log_bucket>/<bucket>/`).
    pub buckets_logged: Vec<String>,
    /// The account's buckets without access logging.
    pub buckets_not_logged: Vec<String>,
    /// The attacker's requester ARNs as access logs print them.
    pub attacker_principals: Vec<String>,
    /// Logged buckets the attacker accessed, with what it read.
    pub accessed: Vec<BucketAccessTruth>,
    /// Logged buckets the attacker never accessed (NOT_OBSERVED is right).
    pub logged_not_accessed: Vec<String>,
}

/// The attacker's requests on one bucket.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BucketAccessTruth {
    /// Bucket name.
    pub bucket: String,
    /// Requester ARNs.
    pub principals: Vec<String>,
    /// Remote IPs.
    pub source_ips: Vec<String>,
    /// Distinct object keys read (REST.GET.OBJECT).
    pub objects: Vec<String>,
    /// REST.GET.OBJECT lines.
    pub get_requests: u64,
    /// REST.GET.BUCKET (listing) lines.
    pub list_requests: u64,
    /// Sum of bytes sent over the GET.OBJECT lines.
    pub object_bytes_sent: u64,
    /// Time of the first and last attacker line (Unix seconds).
    pub first_time: i64,
    /// See `first_time`.
    pub last_time: i64,
}

/// VPC Flow Logs: flow logs and the attacker's interfaces.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowTruth {
    /// Files written.
    pub files: u64,
    /// Flow records written (header lines excluded).
    pub records: u64,
    /// One flow log per region written.
    pub flow_logs: Vec<FlowLogTruth>,
    /// The attacker's instances and their traffic.
    pub attacker_instances: Vec<FlowInstanceTruth>,
    /// The account's own interfaces with flows from an attacker address.
    pub account_enis_contacted: Vec<String>,
}

/// One flow log.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowLogTruth {
    /// `fl-…` id.
    pub id: String,
    /// Region.
    pub region: String,
    /// VPC it captures.
    pub vpc_id: String,
    /// The header line (record format) of its files.
    pub format: String,
}

/// Traffic of one attacker instance's interface.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlowInstanceTruth {
    /// Instance id.
    pub instance_id: String,
    /// Region.
    pub region: String,
    /// `eni-…`, as in RunInstances' responseElements.
    pub network_interface_id: String,
    /// Private address.
    pub private_ip: String,
    /// The attacker address that SSHed in and received the transfer.
    pub attacker_ip: String,
    /// Bytes in records from the attacker address to the interface.
    pub bytes_in_from_attacker: u64,
    /// Bytes in records from the interface to any attacker address.
    pub bytes_out_to_attacker: u64,
    /// The mining pool's address and stratum port.
    pub pool_ip: String,
    /// See `pool_ip`.
    pub pool_port: u16,
    /// Bytes in records from the interface to the pool.
    pub bytes_out_to_pool: u64,
}

/// Route 53 Resolver query logs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsTruth {
    /// Files written.
    pub files: u64,
    /// Queries written.
    pub records: u64,
    /// Mining-pool names the attacker's instances queried.
    pub mining_domains: Vec<String>,
    /// Instances that queried them.
    pub querying_instances: Vec<String>,
}

/// GuardDuty findings exported to S3.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GuardDutyTruth {
    /// Files written.
    pub files: u64,
    /// Every finding written.
    pub findings: Vec<FindingTruth>,
}

/// One finding.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FindingTruth {
    /// Finding id.
    pub id: String,
    /// Finding type, e.g. `CryptoCurrency:EC2/BitcoinTool.B!DNS`.
    pub finding_type: String,
    /// Severity (1–8.9) in tenths (80 = 8.0).
    pub severity_tenths: u32,
    /// The instance id or access key id it is about.
    pub resource: String,
    /// True when it is part of the attack.
    pub attack: bool,
}

/// Cost and Usage Report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BillingTruth {
    /// Files written.
    pub files: u64,
    /// Line items written.
    pub line_items: u64,
    /// Cost of each attacker instance.
    pub attacker_costs: Vec<CostTruth>,
    /// Their sum, in millionths of a dollar.
    pub attacker_cost_micro_usd: u64,
}

/// Cost of one resource.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CostTruth {
    /// `lineItem/ResourceId`.
    pub resource_id: String,
    /// `lineItem/UsageType`, e.g. `APN1-BoxUsage:p3.2xlarge`.
    pub usage_type: String,
    /// Region.
    pub region: String,
    /// Hourly line items.
    pub hours: u64,
    /// Sum of `lineItem/UnblendedCost`, in millionths of a dollar.
    pub cost_micro_usd: u64,
}

fn usd(micro: u64) -> Value {
    json!(micro as f64 / 1e6)
}

impl SourcesTruth {
    /// The truth as it appears in `truth.json` (`sources`).
    pub(crate) fn json(&self) -> Value {
        json!({
            "written": self.written,
            "s3_access": self.s3_access.as_ref().map(|a| json!({
                "log_bucket": a.log_bucket,
                "files": a.files,
                "lines": a.lines,
                "buckets_logged": a.buckets_logged,
                "buckets_not_logged": a.buckets_not_logged,
                "attacker_principals": a.attacker_principals,
                "accessed": a.accessed.iter().map(|b| json!({
                    "bucket": b.bucket,
                    "principals": b.principals,
                    "source_ips": b.source_ips,
                    "objects": b.objects,
                    "get_requests": b.get_requests,
                    "list_requests": b.list_requests,
                    "object_bytes_sent": b.object_bytes_sent,
                    "first_time": iso(b.first_time),
                    "last_time": iso(b.last_time),
                })).collect::<Vec<_>>(),
                "logged_not_accessed": a.logged_not_accessed,
            })),
            "vpc_flow": self.vpc_flow.as_ref().map(|f| json!({
                "files": f.files,
                "records": f.records,
                "flow_logs": f.flow_logs.iter().map(|l| json!({
                    "id": l.id, "region": l.region, "vpc_id": l.vpc_id, "format": l.format,
                })).collect::<Vec<_>>(),
                "attacker_instances": f.attacker_instances.iter().map(|x| json!({
                    "instance_id": x.instance_id,
                    "region": x.region,
                    "network_interface_id": x.network_interface_id,
                    "private_ip": x.private_ip,
                    "attacker_ip": x.attacker_ip,
                    "bytes_in_from_attacker": x.bytes_in_from_attacker,
                    "bytes_out_to_attacker": x.bytes_out_to_attacker,
                    "pool_ip": x.pool_ip,
                    "pool_port": x.pool_port,
                    "bytes_out_to_pool": x.bytes_out_to_pool,
                })).collect::<Vec<_>>(),
                "account_enis_contacted": f.account_enis_contacted,
            })),
            "route53_resolver": self.route53_resolver.as_ref().map(|d| json!({
                "files": d.files,
                "records": d.records,
                "mining_domains": d.mining_domains,
                "querying_instances": d.querying_instances,
            })),
            "guardduty": self.guardduty.as_ref().map(|g| json!({
                "files": g.files,
                "findings": g.findings.iter().map(|x| json!({
                    "id": x.id,
                    "type": x.finding_type,
                    "severity": x.severity_tenths as f64 / 10.0,
                    "resource": x.resource,
                    "attack": x.attack,
                })).collect::<Vec<_>>(),
            })),
            "billing": self.billing.as_ref().map(|b| json!({
                "files": b.files,
                "line_items": b.line_items,
                "attacker_costs": b.attacker_costs.iter().map(|c| json!({
                    "resource_id": c.resource_id,
                    "usage_type": c.usage_type,
                    "region": c.region,
                    "hours": c.hours,
                    "cost_usd": usd(c.cost_micro_usd),
                })).collect::<Vec<_>>(),
                "attacker_cost_usd": usd(b.attacker_cost_micro_usd),
            })),
        })
    }
}
