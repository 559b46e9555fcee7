//! IAM identities in a snapshot: who exists now, how they can sign in, and what they may do.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// IAM users, groups, roles, customer-managed policies and the credential report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IamInventory {
    /// Every IAM user.
    pub users: Vec<User>,
    /// Every IAM group.
    pub groups: Vec<Group>,
    /// Every IAM role.
    pub roles: Vec<Role>,
    /// Customer-managed policies (scope `Local`) with their default version's document.
    pub policies: Vec<Policy>,
    /// The credential report as AWS returns it (CSV), when it could be generated.
    pub credential_report: Option<String>,
}

/// One IAM user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct User {
    /// User name.
    pub name: String,
    /// User ARN.
    pub arn: String,
    /// Creation time, RFC 3339 UTC.
    pub created: Option<String>,
    /// Access keys, active or not.
    pub access_keys: Vec<AccessKey>,
    /// The console password, when the user has one.
    pub login_profile: Option<LoginProfile>,
    /// Serial numbers (ARNs) of MFA devices.
    pub mfa_devices: Vec<String>,
    /// Names of the groups the user is in.
    pub groups: Vec<String>,
    /// ARNs of managed policies attached to the user.
    pub attached_policies: Vec<String>,
    /// Inline policies, name to document.
    pub inline_policies: BTreeMap<String, serde_json::Value>,
}

/// One access key of a user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AccessKey {
    /// Access key id, `AKIA…` (an identifier, not a secret).
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: Option<String>,
    /// Creation time, RFC 3339 UTC.
    pub created: Option<String>,
    /// Last use, RFC 3339 UTC, when ever used.
    pub last_used: Option<String>,
    /// The service of the last use.
    pub last_used_service: Option<String>,
    /// The region of the last use.
    pub last_used_region: Option<String>,
}

/// A user's console password.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoginProfile {
    /// When it was created, RFC 3339 UTC.
    pub created: Option<String>,
}

/// One IAM group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Group {
    /// Group name.
    pub name: String,
    /// Group ARN.
    pub arn: String,
    /// Creation time, RFC 3339 UTC.
    pub created: Option<String>,
    /// ARNs of managed policies attached to the group.
    pub attached_policies: Vec<String>,
    /// Inline policies, name to document.
    pub inline_policies: BTreeMap<String, serde_json::Value>,
}

/// One IAM role.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Role {
    /// Role name.
    pub name: String,
    /// Role ARN.
    pub arn: String,
    /// Creation time, RFC 3339 UTC.
    pub created: Option<String>,
    /// Who may assume the role (the assume-role policy document).
    pub trust_policy: Option<serde_json::Value>,
    /// ARNs of managed policies attached to the role.
    pub attached_policies: Vec<String>,
    /// Inline policies, name to document.
    pub inline_policies: BTreeMap<String, serde_json::Value>,
}

/// One customer-managed policy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Policy {
    /// Policy ARN.
    pub arn: String,
    /// Policy name.
    pub name: String,
    /// The document of its default version.
    pub default_version_document: Option<serde_json::Value>,
}
