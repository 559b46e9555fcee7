//! The `identities` and `sessions` sections: the compromised credential, and the users, keys,
//! roles and sessions the attacker created or used, with what each can do now when an
//! `aws:iam` inventory snapshot is given.

use serde::{Deserialize, Serialize};

use super::common::{Attribution, Caller, Occurrence, RecordRef, SourceUse};

/// The `identities` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Identities {
    /// The compromised credential; `None` when no departure was found.
    pub compromised: Option<Compromised>,
    /// Users the attacker created.
    pub users: Vec<User>,
    /// Access keys the attacker created.
    pub access_keys: Vec<AccessKey>,
    /// Roles the attacker created or backdoored.
    pub roles: Vec<Role>,
    /// Every key followed, including session keys, sorted.
    pub attacker_access_keys: Vec<String>,
}

/// The compromised credential.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Compromised {
    /// The key (or name, or range) scoped.
    pub subject: String,
    /// Its principal ARNs.
    pub principals: Vec<String>,
    /// When the subject is a principal (a role or instance session, a user, root): its
    /// temporary keys used from the attacker's networks — the credential copied off its owner,
    /// which the owner may still be using too. Absent when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub access_keys: Vec<String>,
    /// The key as of the `aws:iam` snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<Now<AccessKeyNow>>,
}

/// An identity as of an inventory snapshot: found (with what it can do), or gone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Now<T> {
    /// It exists in the snapshot.
    Found(T),
    /// It does not.
    Gone(IdentityGone),
}

/// An identity missing from the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityGone {
    /// Always false.
    pub exists: bool,
    /// When the snapshot was taken (absent for the compromised key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_taken: Option<String>,
}

/// A user as of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserNow {
    /// Always true.
    pub exists: bool,
    /// Whether it can sign in to the console.
    pub login_profile: bool,
    /// Its keys.
    pub access_keys: Vec<KeyNowEntry>,
    /// Its groups.
    pub groups: Vec<String>,
    /// ARNs of attached managed policies.
    pub attached_policies: Vec<String>,
    /// Names of inline policies.
    pub inline_policies: Vec<String>,
    /// Number of MFA devices.
    pub mfa_devices: u64,
    /// When the snapshot was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_taken: Option<String>,
}

/// One key of a user as of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyNowEntry {
    /// Key id.
    pub id: String,
    /// `Active` or `Inactive`.
    pub status: Option<String>,
    /// When it was last used.
    pub last_used: Option<String>,
}

/// A role as of the snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleNow {
    /// Always true.
    pub exists: bool,
    /// Its trust policy document.
    pub trust_policy: Option<serde_json::Value>,
    /// ARNs of attached managed policies.
    pub attached_policies: Vec<String>,
    /// Names of inline policies.
    pub inline_policies: Vec<String>,
    /// When the snapshot was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_taken: Option<String>,
}

/// An access key as of the snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKeyNow {
    /// Always true.
    pub exists: bool,
    /// Its user.
    pub user: String,
    /// `Active` or `Inactive`.
    pub status: Option<String>,
    /// When it was last used.
    pub last_used: Option<String>,
    /// The service it was last used with.
    pub last_used_service: Option<String>,
    /// When the snapshot was taken (absent for the compromised key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot_taken: Option<String>,
}

/// A console password set by `CreateLoginProfile` or `UpdateLoginProfile`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginProfileChange {
    /// Event name.
    pub event: String,
    /// RFC 3339 UTC.
    pub time: String,
    /// Its record.
    pub refs: Vec<RecordRef>,
}

/// A policy attached to or put on an attacker identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyGrant {
    /// Policy ARN or inline policy name.
    pub policy: String,
    /// Event name.
    pub event: String,
    /// RFC 3339 UTC.
    pub time: String,
    /// Its record.
    pub refs: Vec<RecordRef>,
}

/// A user the attacker created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    /// User name.
    pub name: String,
    /// User ARN from the response.
    pub arn: Option<String>,
    /// RFC 3339 UTC.
    pub created: String,
    /// Who created it.
    pub by: Caller,
    /// Its console password, if one was set.
    pub login_profile: Option<LoginProfileChange>,
    /// Policies granted to it.
    pub policies: Vec<PolicyGrant>,
    /// Its deletion, if any.
    pub deleted: Option<Occurrence>,
    /// The `CreateUser` record.
    pub refs: Vec<RecordRef>,
    /// As of the `aws:iam` snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<Now<UserNow>>,
}

/// A later status change or deletion of an attacker key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyStatusChange {
    /// `UpdateAccessKey` or `DeleteAccessKey`.
    pub event: String,
    /// The new status.
    pub status: Option<String>,
    /// RFC 3339 UTC.
    pub time: String,
    /// Who made it.
    pub by: Attribution,
    /// Its record.
    pub refs: Vec<RecordRef>,
}

/// An access key the attacker created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccessKey {
    /// Key id.
    pub access_key: String,
    /// Its user.
    pub user: String,
    /// RFC 3339 UTC.
    pub created: String,
    /// Who created it.
    pub by: Caller,
    /// Where it was used from in the window.
    pub used_from: Vec<SourceUse>,
    /// Later status changes.
    pub status_changes: Vec<KeyStatusChange>,
    /// The `CreateAccessKey` record.
    pub refs: Vec<RecordRef>,
    /// As of the `aws:iam` snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<Now<AccessKeyNow>>,
}

/// How an attacker role came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleOrigin {
    /// `CreateRole` by the attacker.
    AttackerCreated,
    /// `UpdateAssumeRolePolicy` by the attacker.
    Backdoored,
}

impl RoleOrigin {
    /// The spelling in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleOrigin::AttackerCreated => "attacker_created",
            RoleOrigin::Backdoored => "backdoored",
        }
    }
}

/// Principals allowed by a trust policy, and the accounts they belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trust {
    /// Every principal of an `Allow` statement, as written (`arn:aws:iam::111122223333:root`,
    /// `111122223333`, `ec2.amazonaws.com`, `*`, a federated provider).
    pub principals: Vec<String>,
    /// 12-digit account ids among them (from ARNs or bare ids), sorted, unique.
    pub accounts: Vec<String>,
    /// Whether anyone (`"*"`) is allowed.
    pub public: bool,
}

/// A role the attacker created or backdoored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Role name.
    pub name: String,
    /// Created or backdoored.
    pub origin: RoleOrigin,
    /// RFC 3339 UTC.
    pub time: String,
    /// Who did it.
    pub by: Caller,
    /// Who its trust policy lets in; `None` when the document could not be read.
    pub trust: Option<Trust>,
    /// Policies granted to it.
    pub policies: Vec<PolicyGrant>,
    /// Its deletion, if any.
    pub deleted: Option<Occurrence>,
    /// The record.
    pub refs: Vec<RecordRef>,
    /// As of the `aws:iam` snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub now: Option<Now<RoleNow>>,
}

/// A session the attacker opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Session {
    /// Event name.
    pub event: String,
    /// RFC 3339 UTC.
    pub time: String,
    /// Who opened it.
    pub by: Caller,
    /// The role assumed.
    pub role_arn: Option<String>,
    /// The session name.
    pub role_session_name: Option<String>,
    /// The source identity.
    pub source_identity: Option<String>,
    /// The federated user name (`GetFederationToken`).
    pub federated_name: Option<String>,
    /// The session's key.
    pub session_access_key: Option<String>,
    /// Where the session key was used from.
    pub used_from: Vec<SourceUse>,
    /// The record.
    pub refs: Vec<RecordRef>,
}
