//! EC2 resources in a snapshot: what still runs, who can reach it, and what could leak (shared
//! snapshots and images).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every EC2 resource kind the snapshot records, across all inventoried regions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Ec2Inventory {
    /// Instances in any state (terminated ones linger for about an hour).
    pub instances: Vec<Instance>,
    /// Security groups with their ingress rules.
    pub security_groups: Vec<SecurityGroup>,
    /// SSH key pairs registered in EC2.
    pub key_pairs: Vec<KeyPair>,
    /// EBS volumes.
    pub volumes: Vec<Volume>,
    /// EBS snapshots owned by the account.
    pub snapshots: Vec<Snapshot>,
    /// AMIs owned by the account.
    pub images: Vec<Image>,
    /// Spot instance requests.
    pub spot_requests: Vec<SpotRequest>,
}

/// One EC2 instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Instance {
    /// Instance id, `i-…`.
    pub id: String,
    /// Region it runs in.
    pub region: String,
    /// Instance type, e.g. `p3.16xlarge`.
    #[serde(rename = "type")]
    pub instance_type: Option<String>,
    /// State name: `pending`, `running`, `stopped`, `terminated`…
    pub state: Option<String>,
    /// Launch time, RFC 3339 UTC.
    pub launch_time: Option<String>,
    /// The AMI it was launched from.
    pub image_id: Option<String>,
    /// The key pair it was launched with.
    pub key_name: Option<String>,
    /// Security group ids attached to it.
    pub security_groups: Vec<String>,
    /// Tags, key to value.
    pub tags: BTreeMap<String, String>,
}

/// One security group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecurityGroup {
    /// Group id, `sg-…`.
    pub id: String,
    /// Region it lives in.
    pub region: String,
    /// Group name.
    pub name: Option<String>,
    /// VPC it belongs to.
    pub vpc_id: Option<String>,
    /// Inbound rules.
    pub ingress: Vec<IngressRule>,
}

/// One inbound rule of a security group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct IngressRule {
    /// IP protocol (`tcp`, `udp`, `icmp`, `-1` for all).
    pub protocol: Option<String>,
    /// First port of the range.
    pub from_port: Option<i32>,
    /// Last port of the range.
    pub to_port: Option<i32>,
    /// IPv4 and IPv6 CIDR ranges allowed in.
    pub cidrs: Vec<String>,
}

/// One EC2 key pair.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct KeyPair {
    /// Key name.
    pub name: String,
    /// Key pair id, `key-…`.
    pub id: Option<String>,
    /// Region it is registered in.
    pub region: String,
    /// Creation time, RFC 3339 UTC.
    pub created: Option<String>,
}

/// One EBS volume.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Volume {
    /// Volume id, `vol-…`.
    pub id: String,
    /// Region it lives in.
    pub region: String,
    /// Size in GiB.
    pub size_gib: Option<i32>,
    /// State: `available`, `in-use`…
    pub state: Option<String>,
    /// The snapshot it was created from.
    pub snapshot_id: Option<String>,
    /// Instance ids it is attached to.
    pub attached_to: Vec<String>,
}

/// One EBS snapshot owned by the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Snapshot {
    /// Snapshot id, `snap-…`.
    pub id: String,
    /// Region it lives in.
    pub region: String,
    /// The volume it copies.
    pub volume_id: Option<String>,
    /// Start time, RFC 3339 UTC.
    pub started: Option<String>,
    /// Who may create volumes from it: account ids, or `all` when public.
    pub create_volume_permissions: Vec<String>,
}

/// One AMI owned by the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Image {
    /// Image id, `ami-…`.
    pub id: String,
    /// Region it lives in.
    pub region: String,
    /// Image name.
    pub name: Option<String>,
    /// Creation time as EC2 reports it.
    pub created: Option<String>,
    /// Who may launch it: account ids, or `all` when public.
    pub launch_permissions: Vec<String>,
}

/// One spot instance request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpotRequest {
    /// Request id, `sir-…`.
    pub id: String,
    /// Region it was made in.
    pub region: String,
    /// State: `open`, `active`, `cancelled`…
    pub state: Option<String>,
    /// Requested instance type.
    pub instance_type: Option<String>,
    /// The instance that fulfilled it.
    pub instance_id: Option<String>,
    /// Creation time, RFC 3339 UTC.
    pub created: Option<String>,
}
