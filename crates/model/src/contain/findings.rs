//! What an investigation found: the input of a containment plan.
//!
//! Plain serde structs, so that `scope` (or a responder by hand) can produce them as JSON. Every
//! name and id here may have been chosen by the attacker; the planner validates them (no control
//! characters, not empty) and quotes them for the shell, so none of them needs to be trusted.

use serde::{Deserialize, Serialize};

/// Everything the plan is built from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Findings {
    /// Case identifier, used in policy, security group and tag names: 1 to 64 characters of
    /// `A-Z a-z 0-9 . _ -`.
    pub case_id: String,
    /// The AWS account the plan applies to (12 digits). The script refuses to run elsewhere.
    pub account_id: String,
    /// "Now", in milliseconds since the Unix epoch (UTC): sessions issued before it are revoked.
    pub now_ms: i64,
    /// Compromised and attacker-created IAM users.
    #[serde(default)]
    pub users: Vec<User>,
    /// Compromised, attacker-created and backdoored IAM roles.
    #[serde(default)]
    pub roles: Vec<Role>,
    /// Active role sessions known from the logs. A role named here and not in `roles` is treated
    /// as a legitimate role whose sessions were stolen: its older sessions are revoked, nothing more.
    #[serde(default)]
    pub role_sessions: Vec<RoleSession>,
    /// EC2 instances launched by the attacker or compromised.
    #[serde(default)]
    pub instances: Vec<Instance>,
    /// Security groups the attacker opened, with the ingress rules the attacker added.
    #[serde(default)]
    pub security_groups: Vec<SecurityGroup>,
    /// Key pairs the attacker created or imported.
    #[serde(default)]
    pub key_pairs: Vec<KeyPair>,
    /// EBS snapshots and AMIs shared with other accounts (or made public).
    #[serde(default)]
    pub shared_images: Vec<SharedImage>,
    /// Lambda functions the attacker created.
    #[serde(default)]
    pub lambda_functions: Vec<LambdaFunction>,
}

/// How an IAM user came to be in the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserOrigin {
    /// A legitimate user whose credentials the attacker used: contained, never deleted.
    Compromised,
    /// A user the attacker created: contained first, deleted only in the eradicate phase.
    AttackerCreated,
}

/// An IAM user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// User name.
    pub name: String,
    /// Compromised or attacker-created.
    pub origin: UserOrigin,
    /// The user's access keys. Keys are listed under their user because
    /// `update-access-key` acts on the caller's own keys unless `--user-name` is given.
    #[serde(default)]
    pub access_keys: Vec<AccessKey>,
    /// Whether the user has a console password (login profile).
    #[serde(default)]
    pub has_login_profile: bool,
    /// ARNs of administrator-level managed policies attached to the user.
    #[serde(default)]
    pub admin_policies: Vec<String>,
}

/// An IAM access key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// Access key id (`AKIA…`).
    pub id: String,
    /// Status at the end of the logs.
    pub status: KeyStatus,
}

/// Status of an access key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyStatus {
    /// Usable.
    Active,
    /// Already deactivated.
    Inactive,
}

/// How an IAM role came to be in the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleOrigin {
    /// A legitimate role the attacker used (its trust policy was not changed).
    Compromised,
    /// A role the attacker created.
    AttackerCreated,
    /// A legitimate role whose trust policy the attacker changed.
    Backdoored,
}

/// An IAM role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Role {
    /// Role name.
    pub name: String,
    /// Compromised, attacker-created or backdoored.
    pub origin: RoleOrigin,
    /// Principals the trust policy allows (ARNs, account ids, services), as found.
    #[serde(default)]
    pub trust_principals: Vec<String>,
    /// The trust policy document before the attacker's change, when known (JSON). It becomes the
    /// rollback of the trust replacement; otherwise the rollback uses the copy saved by the
    /// preserve phase.
    #[serde(default)]
    pub original_trust_policy: Option<String>,
}

/// An active role session known from the logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSession {
    /// Name of the assumed role.
    pub role_name: String,
    /// Role session name.
    pub session_name: String,
}

/// How an instance came to be in the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InstanceOrigin {
    /// Launched by the attacker (for example a miner): isolated, stopped, finally terminated.
    AttackerLaunched,
    /// A legitimate instance the attacker reached: isolated, never stopped or terminated by the plan.
    Compromised,
}

/// An EC2 instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Instance {
    /// Instance id.
    pub id: String,
    /// Region.
    pub region: String,
    /// VPC id; when absent the quarantine security group is created in the region's default VPC.
    #[serde(default)]
    pub vpc_id: Option<String>,
    /// Attacker-launched or compromised.
    pub origin: InstanceOrigin,
    /// Security group ids attached now (the rollback of the isolation).
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// Attached EBS volume ids; when empty, all the instance's volumes are snapshotted.
    #[serde(default)]
    pub volumes: Vec<String>,
}

/// A security group the attacker opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroup {
    /// Group id.
    pub id: String,
    /// Region.
    pub region: String,
    /// The ingress rules the attacker added.
    #[serde(default)]
    pub rules: Vec<IngressRule>,
}

/// One ingress rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngressRule {
    /// `tcp`, `udp`, `icmp` or `-1` (all).
    pub protocol: String,
    /// First port (ICMP type); absent for all traffic.
    #[serde(default)]
    pub from_port: Option<i32>,
    /// Last port (ICMP code); absent for all traffic.
    #[serde(default)]
    pub to_port: Option<i32>,
    /// Source CIDR, IPv4 (`0.0.0.0/0`) or IPv6 (`::/0`).
    pub cidr: String,
}

/// An EC2 key pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyPair {
    /// Key pair name.
    pub name: String,
    /// Region.
    pub region: String,
}

/// Snapshot or AMI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImageKind {
    /// EBS snapshot (`createVolumePermission`).
    Snapshot,
    /// AMI (`launchPermission`).
    Ami,
}

/// A snapshot or AMI shared outside the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedImage {
    /// Snapshot or AMI.
    pub kind: ImageKind,
    /// Snapshot id or image id.
    pub id: String,
    /// Region.
    pub region: String,
    /// Account ids it is shared with; `all` means public.
    #[serde(default)]
    pub shared_with: Vec<String>,
}

/// A Lambda function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LambdaFunction {
    /// Function name.
    pub name: String,
    /// Region.
    pub region: String,
}
