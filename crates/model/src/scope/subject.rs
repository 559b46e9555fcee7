//! The `subject` section: what was scoped and its history before the first attacker event.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::common::{RecordRef, SourceUse};

/// How the subject was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubjectKind {
    /// `--access-key` (or `--instance`, through the key that launched it).
    AccessKey,
    /// `--principal`.
    Principal,
    /// `--ip`.
    Ip,
    /// `--auto`.
    Auto,
}

impl SubjectKind {
    /// Every kind.
    pub const ALL: [SubjectKind; 4] = [
        SubjectKind::AccessKey,
        SubjectKind::Principal,
        SubjectKind::Ip,
        SubjectKind::Auto,
    ];

    /// The spelling in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::AccessKey => "access_key",
            SubjectKind::Principal => "principal",
            SubjectKind::Ip => "ip",
            SubjectKind::Auto => "auto",
        }
    }
}

/// The `subject` section. When no departure is found, `accounts` and `owner_ranges` are absent
/// and, for `--auto` without a candidate, the profile fields are null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subject {
    /// How it was given.
    pub kind: SubjectKind,
    /// The key, name or range scoped.
    pub value: Option<String>,
    /// Principal ARNs seen with it.
    pub principals: Option<Vec<String>>,
    /// Accounts seen with it (absent when no departure was found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<Vec<String>>,
    /// Its events over the whole input.
    pub events: Option<u64>,
    /// Its first event, RFC 3339 UTC.
    pub first_seen: Option<String>,
    /// Its last event, RFC 3339 UTC.
    pub last_seen: Option<String>,
    /// `--auto` ranking, best first (empty otherwise).
    pub auto_ranking: Vec<AutoRank>,
    /// `--owner-ip` ranges (absent when no departure was found).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_ranges: Option<Vec<String>>,
    /// Its history before the first attacker event (the whole history when none was found).
    pub history: Option<History>,
    /// With `--instance`: the launch the subject was found from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_from: Option<StartedFrom>,
}

/// One `--auto` candidate: any identity (long-term key, root, user session, role session,
/// instance/Lambda/ECS session, SSO user).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutoRank {
    /// The long-term key, when the candidate is one (else null).
    pub access_key: Option<String>,
    /// The identity: the key, `root:ACCOUNT`, or the user or assumed-role ARN.
    #[serde(default)]
    pub principal: Option<String>,
    /// Its kind (`long_term_key`, `root`, `user_session`, `role_session`, `instance_session`,
    /// `lambda_session`, `ecs_session`, `sso_user`, `federated_user`).
    #[serde(default)]
    pub kind: Option<String>,
    /// Its score: the total weight of its signals.
    pub score: i64,
    /// The confidence its signals give (null: too weak to claim).
    #[serde(default)]
    pub confidence: Option<super::Confidence>,
    /// Its first departure, RFC 3339 UTC.
    pub first_departure: String,
    /// Why it scores.
    pub reasons: Vec<String>,
}

/// The subject's history. Before the first attacker event every field is set; when no
/// departure was found only `events` and `sources` (over the whole input) are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct History {
    /// The first attacker event, RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
    /// Events before it.
    pub events: u64,
    /// Networks used before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub networks: Option<Vec<String>>,
    /// Sources first used before it (counts over the whole input).
    pub sources: Vec<SourceUse>,
    /// Events per user-agent family before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent_families: Option<BTreeMap<String, u64>>,
    /// Events per region before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regions: Option<BTreeMap<String, u64>>,
    /// Events per hour of day (UTC) before it: 24 counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hours_utc: Option<Vec<u64>>,
}

/// The launch record of `--instance`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StartedFrom {
    /// The instance id given.
    pub instance: String,
    /// When it was launched, RFC 3339 UTC.
    pub launched: String,
    /// The access key that launched it.
    pub access_key: Option<String>,
    /// The principal that launched it.
    pub principal: Option<String>,
    /// Where the call came from.
    pub source_ip: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// The `RunInstances` record.
    pub refs: Vec<RecordRef>,
}
