//! Shapes shared by every section: record references, callers, source use, attribution and
//! open questions.

use serde::{Deserialize, Deserializer, Serialize};

/// A pointer to one raw record: `{file, record, event_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordRef {
    /// The input file's path.
    pub file: String,
    /// The record's index in the file, from 0.
    pub record: u64,
    /// The record's `eventID`.
    pub event_id: Option<String>,
}

/// The caller of an event (`by`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Caller {
    /// The principal's ARN.
    pub arn: Option<String>,
    /// The access key used.
    pub access_key: Option<String>,
    /// The source address.
    pub ip: Option<String>,
    /// The user agent.
    pub user_agent: Option<String>,
}

/// When something happened, and the record that shows it (a deletion, a cancellation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Occurrence {
    /// RFC 3339 UTC.
    pub time: String,
    /// The record.
    pub refs: Vec<RecordRef>,
}

/// Who made a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attribution {
    /// An attacker identity or source.
    Attacker,
    /// The responder: acts on attacker identities or resources, or from `--owner-ip`.
    Responder,
    /// The owner of the compromised principal.
    Owner,
    /// Anyone else.
    Other,
}

impl Attribution {
    /// The spelling in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            Attribution::Attacker => "attacker",
            Attribution::Responder => "responder",
            Attribution::Owner => "owner",
            Attribution::Other => "other",
        }
    }
}

/// Whose activity the document's sections (sources, identities, sessions, resources, data
/// readers, cost, containment) show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionsAttribution {
    /// The attacker's, from the first attacker event on (an intrusion is claimed). Documents
    /// written before this field existed read as this.
    #[default]
    Attacker,
    /// Everything the named subject did from its first event, and what it created: no
    /// departure was found, and nothing is attributed to an attacker.
    Unattributed,
}

impl SectionsAttribution {
    /// The spelling in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            SectionsAttribution::Attacker => "attacker",
            SectionsAttribution::Unattributed => "unattributed",
        }
    }
}

/// One source address's use: first and last seen, events, up to five user agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceUse {
    /// The address.
    pub ip: String,
    /// Its /24 (IPv4) or /64 (IPv6) network; `None` for a service name.
    pub network: Option<String>,
    /// ISO country code with `--geoip`: absent without it, `Some(None)` (null) when the
    /// database does not know the address.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub country: Option<Option<String>>,
    /// First use, RFC 3339 UTC.
    pub first_seen: String,
    /// Last use, RFC 3339 UTC.
    pub last_seen: String,
    /// Events.
    pub events: u64,
    /// Up to five user agents.
    pub user_agents: Vec<String>,
    /// The first record.
    pub refs: Vec<RecordRef>,
}

/// A question the logs cannot answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unknown {
    /// What the question is about, for readers that place it beside a section; `None` for
    /// questions of their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<UnknownTopic>,
    /// The question.
    pub question: String,
    /// Why the inputs cannot answer it.
    pub why: String,
    /// What would.
    pub would_resolve: String,
    /// Records the question rests on, when any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refs: Option<Vec<RecordRef>>,
}

/// What an [`Unknown`] is about, tagged by `kind`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum UnknownTopic {
    /// Whether the attacker read a data store (its `data_access` verdict is UNKNOWN).
    DataStore {
        /// The store's kind.
        store: super::data_access::StoreKind,
        /// The store's name.
        name: String,
    },
    /// Whether data left over the network (`network.exfiltration` is UNKNOWN).
    Exfiltration,
}

/// Deserializes a field that may be present as `null`: present (even null) is `Some`.
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
