//! The `intrusion` section: the first attacker event and how it was found, or the statement
//! that nothing departs from the subject's history.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::common::RecordRef;

/// The `intrusion` section: its shape depends on whether a departure was found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Intrusion {
    /// The first attacker event was found.
    Found(Departure),
    /// Nothing departs from the history (`first_attacker_event` is null).
    NoDeparture(NoDeparture),
}

impl Intrusion {
    /// The first attacker event (RFC 3339 UTC), if one was found.
    pub fn first_attacker_event(&self) -> Option<&str> {
        match self {
            Intrusion::Found(d) => Some(&d.first_attacker_event),
            Intrusion::NoDeparture(_) => None,
        }
    }

    /// Events per country of the attacker's sources (with `--geoip`).
    pub fn attacker_countries_mut(&mut self) -> &mut Option<BTreeMap<String, u64>> {
        match self {
            Intrusion::Found(d) => &mut d.attacker_countries,
            Intrusion::NoDeparture(n) => &mut n.attacker_countries,
        }
    }
}

/// How the first attacker event was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// First event from a network the subject never used.
    Network,
    /// First event from a client family the (roaming) subject never used.
    ClientFamily,
    /// First event from the given address range.
    Indicator,
    /// No baseline (the logs start near the activity): the first event of the activity whose
    /// behaviour is attacker-like.
    Behaviour,
    /// A credential used against its nature: a compute credential off its compute, one session
    /// key from two networks, console sign-in failures then a success, MFA gone.
    CredentialMisuse,
}

impl Method {
    /// Every method.
    pub const ALL: [Method; 5] = [
        Method::Network,
        Method::ClientFamily,
        Method::Indicator,
        Method::Behaviour,
        Method::CredentialMisuse,
    ];

    /// The spelling in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Network => "network",
            Method::ClientFamily => "client_family",
            Method::Indicator => "indicator",
            Method::Behaviour => "behaviour",
            Method::CredentialMisuse => "credential_misuse",
        }
    }
}

/// The intrusion as found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Departure {
    /// The first attacker event, RFC 3339 UTC.
    pub first_attacker_event: String,
    /// The same, milliseconds since the epoch.
    pub first_attacker_event_ms: i64,
    /// How it was found.
    pub method: Method,
    /// The new network or client family (empty for `indicator`).
    pub novel: String,
    /// The rule that found it.
    pub rule: Option<String>,
    /// How sure the claim is, from its signals (documents written before it existed read as
    /// `high`).
    #[serde(default = "Confidence::older")]
    pub confidence: Confidence,
    /// The weighted signals behind the claim, strongest first.
    #[serde(default)]
    pub signals: Vec<IntrusionSignal>,
    /// The client family of the attacker's first source.
    pub attacker_client_family: Option<String>,
    /// The attacker's last event, RFC 3339 UTC.
    pub last_attacker_event: Option<String>,
    /// Candidate events attributed to the attacker.
    pub attacker_events_in_candidates: u64,
    /// Changes by the subject itself from its usual networks after the first attacker event.
    pub owner_changes_after: u64,
    /// What `owner_changes_after` counts.
    pub owner_changes_note: String,
    /// Mutating attacker calls not itemised elsewhere.
    pub other_attacker_changes: Vec<OtherChange>,
    /// Events per country of the attacker's sources (with `--geoip`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attacker_countries: Option<BTreeMap<String, u64>>,
    /// The first attacker event's record.
    pub refs: Vec<RecordRef>,
}

/// How sure a claim is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Novelty without behaviour or misuse, or little of either.
    Low,
    /// Novelty and behaviour (or misuse) agree, or behaviour alone is strong.
    Medium,
    /// Strong behaviour or misuse from a new network or client.
    High,
}

impl Confidence {
    /// Every level.
    pub const ALL: [Confidence; 3] = [Confidence::Low, Confidence::Medium, Confidence::High];

    /// The spelling in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }

    /// What documents written before confidence existed claimed.
    fn older() -> Confidence {
        Confidence::High
    }
}

/// One weighted signal behind an intrusion claim or an `--auto` candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntrusionSignal {
    /// What it says (`new_wide_network`, `persistence`, `compute_credential_off_compute`, …).
    pub signal: String,
    /// Its weight (negative: speaks for the owner).
    pub weight: i32,
    /// The explanation, with the specifics.
    pub detail: String,
    /// The records it rests on.
    pub refs: Vec<RecordRef>,
}

/// What a no-departure document says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// Nothing departs from the subject's history.
    NoDeparture,
}

/// The intrusion when nothing departs from the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoDeparture {
    /// Always null.
    pub first_attacker_event: Option<String>,
    /// Always `no_departure`.
    pub finding: Finding,
    /// What was looked for.
    pub explanation: String,
    /// Events per country of the attacker's sources (with `--geoip`; empty here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attacker_countries: Option<BTreeMap<String, u64>>,
}

/// A mutating attacker call not itemised under identities or resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherChange {
    /// Event name.
    pub event: String,
    /// Service.
    pub service: String,
    /// Region.
    pub region: String,
    /// RFC 3339 UTC.
    pub time: String,
    /// Its record.
    pub refs: Vec<RecordRef>,
}
