//! The `permission_changes` and `responder_actions` sections.

use serde::{Deserialize, Serialize};

use super::common::{Attribution, Caller, RecordRef};

/// A mutating IAM/Organizations call or resource-policy change in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionChange {
    /// RFC 3339 UTC.
    pub time: String,
    /// Event name.
    pub event: String,
    /// Service.
    pub service: String,
    /// What it changes (user, role, group, policy, bucket, key…), space-separated.
    pub target: String,
    /// Who made it.
    pub attribution: Attribution,
    /// The caller.
    pub by: Caller,
    /// Its error code, if it failed.
    pub error: Option<String>,
    /// Its record.
    pub refs: Vec<RecordRef>,
}

/// Who made a responder action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponderAttribution {
    /// The responder.
    Responder,
    /// The owner of the compromised principal.
    Owner,
}

/// A change by the responder or the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResponderAction {
    /// RFC 3339 UTC.
    pub time: String,
    /// Event name.
    pub event: String,
    /// Service.
    pub service: String,
    /// Region.
    pub region: String,
    /// Responder or owner.
    pub attribution: ResponderAttribution,
    /// Why it is attributed so.
    pub why: String,
    /// The caller.
    pub by: Caller,
    /// Its error code, if it failed.
    pub error: Option<String>,
    /// Its record.
    pub refs: Vec<RecordRef>,
}
