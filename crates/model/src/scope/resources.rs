//! The `resources` section: what the attacker launched, opened, imported or shared, with later
//! changes and, with an `aws:ec2` inventory snapshot, whether each exists now (`exists_now`:
//! null when the snapshot did not cover its region or a call failed there).

use crate::contain::IngressRule;
use serde::{Deserialize, Serialize};

use super::common::{Attribution, Caller, Occurrence, RecordRef};

/// One attacker resource, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Resource {
    /// An instance the attacker launched.
    Instance(Instance),
    /// A spot request or fleet.
    SpotRequest(SpotRequest),
    /// Ingress rules the attacker opened on a security group.
    SecurityGroupIngress(SecurityGroupIngress),
    /// A key pair the attacker created or imported.
    KeyPair(KeyPair),
    /// A snapshot shared with other accounts.
    SnapshotShare(Share),
    /// An AMI shared with other accounts.
    AmiShare(Share),
    /// A Lambda function the attacker created.
    LambdaFunction(LambdaFunction),
}

impl Resource {
    /// Every `kind`, in the order resources are listed.
    pub const KINDS: [&'static str; 7] = [
        "instance",
        "spot_request",
        "security_group_ingress",
        "key_pair",
        "snapshot_share",
        "ami_share",
        "lambda_function",
    ];

    /// The `kind` as written in the document.
    pub fn kind(&self) -> &'static str {
        match self {
            Resource::Instance(_) => "instance",
            Resource::SpotRequest(_) => "spot_request",
            Resource::SecurityGroupIngress(_) => "security_group_ingress",
            Resource::KeyPair(_) => "key_pair",
            Resource::SnapshotShare(_) => "snapshot_share",
            Resource::AmiShare(_) => "ami_share",
            Resource::LambdaFunction(_) => "lambda_function",
        }
    }

    /// Its region.
    pub fn region(&self) -> &str {
        match self {
            Resource::Instance(x) => &x.region,
            Resource::SpotRequest(x) => &x.region,
            Resource::SecurityGroupIngress(x) => &x.region,
            Resource::KeyPair(x) => &x.region,
            Resource::SnapshotShare(x) | Resource::AmiShare(x) => &x.region,
            Resource::LambdaFunction(x) => &x.region,
        }
    }

    /// Whether it exists now: `None` when no snapshot could say.
    pub fn exists_now(&self) -> Option<bool> {
        match self {
            Resource::Instance(x) => x.exists_now.as_ref().map(|n| n.exists),
            Resource::SpotRequest(x) => x.exists_now.as_ref().map(|n| n.exists),
            Resource::SecurityGroupIngress(x) => x.exists_now.as_ref().map(|n| n.exists),
            Resource::KeyPair(x) => x.exists_now.as_ref().map(|n| n.exists),
            Resource::SnapshotShare(x) | Resource::AmiShare(x) => {
                x.exists_now.as_ref().map(|n| n.exists)
            }
            Resource::LambdaFunction(x) => x.exists_now.as_ref().map(|n| n.exists),
        }
    }
}

/// A state change of an attacker instance (by anyone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StateChange {
    /// `StopInstances`, `StartInstances` or `TerminateInstances`.
    pub event: String,
    /// RFC 3339 UTC.
    pub time: String,
    /// Who made it.
    pub by: Attribution,
    /// Its record.
    pub refs: Vec<RecordRef>,
}

/// An instance the attacker launched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    /// Instance id.
    pub instance_id: String,
    /// Region.
    pub region: String,
    /// Instance type.
    pub instance_type: String,
    /// AMI.
    pub image_id: Option<String>,
    /// Key pair.
    pub key_name: Option<String>,
    /// Security groups at launch.
    pub security_groups: Vec<String>,
    /// Launch time, RFC 3339 UTC.
    pub launched: String,
    /// Last stop (unless started again), RFC 3339 UTC.
    pub stopped: Option<String>,
    /// Termination, RFC 3339 UTC.
    pub terminated: Option<String>,
    /// Whether it was not terminated in the logs.
    pub exists_at_end_of_logs: bool,
    /// Later state changes, in order.
    pub state_changes: Vec<StateChange>,
    /// The `RunInstances` record.
    pub refs: Vec<RecordRef>,
    /// As of the `aws:ec2` snapshot.
    pub exists_now: Option<InstanceNow>,
}

/// An instance as of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceNow {
    /// Whether it exists and is not terminated.
    pub exists: bool,
    /// Its state.
    pub state: Option<String>,
    /// When the snapshot was taken.
    pub snapshot_taken: String,
}

/// A spot request or fleet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpotRequest {
    /// `RequestSpotInstances`, `RequestSpotFleet` or `CreateFleet`.
    pub event: String,
    /// Request or fleet ids from the response.
    pub request_ids: Vec<String>,
    /// Region.
    pub region: String,
    /// Instance type asked for.
    pub instance_type: Option<String>,
    /// Instances or capacity asked for.
    pub count: Option<i64>,
    /// Maximum price.
    pub spot_price: Option<String>,
    /// RFC 3339 UTC.
    pub time: String,
    /// Who asked.
    pub by: Caller,
    /// Its cancellation, if any.
    pub cancelled: Option<Occurrence>,
    /// Its record.
    pub refs: Vec<RecordRef>,
    /// As of the `aws:ec2` snapshot.
    pub exists_now: Option<SpotRequestNow>,
}

/// Spot requests as of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpotRequestNow {
    /// Whether any of the request ids is in the snapshot.
    pub exists: bool,
    /// Those found.
    pub requests: Vec<SpotRequestState>,
    /// When the snapshot was taken.
    pub snapshot_taken: String,
}

/// One spot request in the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpotRequestState {
    /// Request id.
    pub id: String,
    /// Its state.
    pub state: Option<String>,
    /// The instance it launched.
    pub instance_id: Option<String>,
}

/// Ingress rules the attacker opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupIngress {
    /// Security group id.
    pub group_id: String,
    /// Region.
    pub region: String,
    /// RFC 3339 UTC.
    pub time: String,
    /// Who opened them.
    pub by: Caller,
    /// The rules.
    pub rules: Vec<IngressRule>,
    /// Its record.
    pub refs: Vec<RecordRef>,
    /// As of the `aws:ec2` snapshot.
    pub exists_now: Option<SecurityGroupNow>,
}

/// A security group as of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupNow {
    /// Whether the group exists.
    pub exists: bool,
    /// The attacker's rules still in it.
    pub rules_still_open: Vec<IngressRule>,
    /// When the snapshot was taken.
    pub snapshot_taken: String,
}

/// A key pair the attacker created or imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyPair {
    /// Key pair name.
    pub name: String,
    /// Region.
    pub region: String,
    /// `CreateKeyPair` or `ImportKeyPair`.
    pub event: String,
    /// RFC 3339 UTC.
    pub time: String,
    /// Its deletion, if any.
    pub deleted: Option<Occurrence>,
    /// Its record.
    pub refs: Vec<RecordRef>,
    /// As of the `aws:ec2` snapshot.
    pub exists_now: Option<ExistsNow>,
}

/// A resource as of the snapshot: whether it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExistsNow {
    /// Whether it exists.
    pub exists: bool,
    /// When the snapshot was taken.
    pub snapshot_taken: String,
}

/// A snapshot or AMI shared with other accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Share {
    /// Snapshot or image id.
    pub id: String,
    /// Region.
    pub region: String,
    /// Accounts (or `all`) it was shared with.
    pub shared_with: Vec<String>,
    /// RFC 3339 UTC.
    pub time: String,
    /// Who shared it.
    pub by: Caller,
    /// Its record.
    pub refs: Vec<RecordRef>,
    /// As of the `aws:ec2` snapshot.
    pub exists_now: Option<ShareNow>,
}

/// A share as of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareNow {
    /// Whether the snapshot or image exists.
    pub exists: bool,
    /// The accounts it is still shared with.
    pub still_shared_with: Vec<String>,
    /// When the snapshot was taken.
    pub snapshot_taken: String,
}

/// A Lambda function the attacker created.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LambdaFunction {
    /// Function name.
    pub name: String,
    /// Region.
    pub region: String,
    /// RFC 3339 UTC.
    pub time: String,
    /// Who created it.
    pub by: Caller,
    /// Its deletion, if any.
    pub deleted: Option<Occurrence>,
    /// Its record.
    pub refs: Vec<RecordRef>,
    /// Always null: inventory snapshots do not list functions.
    pub exists_now: Option<ExistsNow>,
}
