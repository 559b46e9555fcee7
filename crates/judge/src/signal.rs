//! Weighted signals, the one table of their weights and explanations, and the confidence their
//! sum gives.

use serde::{Deserialize, Serialize};

/// What a signal says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignalKind {
    /// A /24 or /64 never used, inside a /16 or /48 the identity uses.
    NewNetwork,
    /// A /16 or /48 never used.
    NewWideNetwork,
    /// A country never used (with a country lookup).
    NewCountry,
    /// An autonomous system never used (with an ASN lookup).
    NewAsn,
    /// An exact user agent never seen, of a known client family and OS.
    NewUserAgent,
    /// A client family and OS never used.
    NewClient,
    /// The exact user agent was used before.
    KnownUserAgent,
    /// A region never used.
    NewRegion,
    /// An hour of day never used.
    UnusualHour,
    /// The identity already roams across many networks.
    OwnerRoams,
    /// IAM users, keys, login profiles, roles, key pairs, functions created.
    Persistence,
    /// Policies attached or written, group membership, policy versions.
    PrivilegeEscalation,
    /// Logging or detection turned off.
    DefenceEvasion,
    /// Many distinct list/describe/get calls.
    DiscoveryBurst,
    /// Calls refused for lack of permission.
    AccessDeniedProbing,
    /// Instances launched or models invoked.
    ResourceHijacking,
    /// Launches in new regions or of GPU instance types.
    UnusualResourceHijacking,
    /// Stored data or secrets read.
    DataReads,
    /// A compute session credential used from a person's device.
    ComputeCredentialOffCompute,
    /// A compute session credential used by a client that does not name its compute.
    ComputeCredentialNoExecEnv,
    /// A compute session credential used from outside its role's other sessions' networks.
    ComputeCredentialOutsideRole,
    /// One session key used from two networks.
    SessionKeyTwoNetworks,
    /// Console sign-in failures, then a success.
    ConsoleFailuresThenSuccess,
    /// No MFA where the identity used MFA before.
    MfaAbsent,
    /// Too little history before the activity: judged by behaviour alone.
    NoBaseline,
}

/// Which family of evidence a signal belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Where the calls came from.
    Network,
    /// Which tool made them.
    Client,
    /// When and in which region.
    Routine,
    /// What the calls did.
    Behaviour,
    /// How the credential was used against its nature.
    CredentialMisuse,
    /// What the judgement could rest on.
    Baseline,
}

/// One row of the weight table.
#[derive(Debug, Clone, Copy)]
pub struct Weight {
    /// The signal.
    pub kind: SignalKind,
    /// Its family.
    pub family: Family,
    /// Points per unit (negative: speaks for the owner).
    pub weight: i32,
    /// Units counted in steps of this many (denied calls count in tens).
    pub per: u32,
    /// Most steps counted.
    pub cap: u32,
    /// What it means.
    pub sentence: &'static str,
}

const fn w(
    kind: SignalKind,
    family: Family,
    weight: i32,
    per: u32,
    cap: u32,
    sentence: &'static str,
) -> Weight {
    Weight {
        kind,
        family,
        weight,
        per,
        cap,
        sentence,
    }
}

/// The weights: the one place a signal's strength is decided.
pub const WEIGHTS: &[Weight] = &[
    w(SignalKind::NewNetwork, Family::Network, 1, 1, 1,
      "A /24 (or /64) the identity never used, inside a /16 (or /48) it uses: dynamic home and mobile addresses move like this."),
    w(SignalKind::NewWideNetwork, Family::Network, 3, 1, 1,
      "Neither the /24 nor the /16 (/64, /48) was ever used by the identity."),
    w(SignalKind::NewCountry, Family::Network, 2, 1, 1,
      "A country the identity never called from."),
    w(SignalKind::NewAsn, Family::Network, 2, 1, 1,
      "An autonomous system (provider) the identity never called from."),
    w(SignalKind::NewUserAgent, Family::Client, 1, 1, 1,
      "An exact user agent never seen, of a client family and OS the identity uses: an upgrade looks like this."),
    w(SignalKind::NewClient, Family::Client, 3, 1, 1,
      "A client family and operating system the identity never used."),
    w(SignalKind::KnownUserAgent, Family::Client, -2, 1, 1,
      "The exact user agent string was used by the identity before: the owner's own tool."),
    w(SignalKind::NewRegion, Family::Routine, 1, 1, 1,
      "A region the identity never used."),
    w(SignalKind::UnusualHour, Family::Routine, 1, 1, 1,
      "An hour of day (UTC) at which the identity never worked."),
    w(SignalKind::OwnerRoams, Family::Network, -2, 1, 1,
      "The identity already used many networks: its owner roams, so a new network alone says little."),
    w(SignalKind::Persistence, Family::Behaviour, 4, 1, 3,
      "Created a way back in: users, access keys, login profiles, roles or trust, key pairs, functions."),
    w(SignalKind::PrivilegeEscalation, Family::Behaviour, 4, 1, 2,
      "Granted permissions: policies attached or written, group membership, policy versions."),
    w(SignalKind::DefenceEvasion, Family::Behaviour, 6, 1, 2,
      "Turned off or blinded logging or detection (CloudTrail, GuardDuty, Config, flow logs)."),
    w(SignalKind::DiscoveryBurst, Family::Behaviour, 2, 1, 1,
      "Many distinct list/describe/get calls: enumerating the account."),
    w(SignalKind::AccessDeniedProbing, Family::Behaviour, 2, 10, 3,
      "Calls refused for lack of permission (counted in tens): probing what the credential may do."),
    w(SignalKind::ResourceHijacking, Family::Behaviour, 3, 1, 2,
      "Launched instances or invoked models on the account's bill."),
    w(SignalKind::UnusualResourceHijacking, Family::Behaviour, 3, 1, 2,
      "Launches in regions nobody in the account used before, or of GPU/accelerator instance types."),
    w(SignalKind::DataReads, Family::Behaviour, 2, 10, 3,
      "Read stored data or secrets (counted in tens)."),
    w(SignalKind::ComputeCredentialOffCompute, Family::CredentialMisuse, 8, 1, 1,
      "A compute session credential (instance profile, Lambda, ECS task) used from a person's device (desktop OS or browser)."),
    w(SignalKind::ComputeCredentialNoExecEnv, Family::CredentialMisuse, 4, 1, 1,
      "A compute session credential used by a client that does not name the compute environment its other calls name."),
    w(SignalKind::ComputeCredentialOutsideRole, Family::CredentialMisuse, 4, 1, 1,
      "A compute session credential used from a network none of its role's sessions used."),
    w(SignalKind::SessionKeyTwoNetworks, Family::CredentialMisuse, 5, 1, 1,
      "One temporary session key used from two networks: the credential was copied."),
    w(SignalKind::ConsoleFailuresThenSuccess, Family::CredentialMisuse, 4, 1, 1,
      "Console sign-in failures, then a success: password guessing or stuffing."),
    w(SignalKind::MfaAbsent, Family::CredentialMisuse, 3, 1, 1,
      "No MFA on a session of an identity that used MFA before."),
    w(SignalKind::NoBaseline, Family::Baseline, 0, 1, 1,
      "Too little history before the activity to know the owner's habits: judged by behaviour alone."),
];

/// The table row of a signal.
pub fn weight_of(kind: SignalKind) -> &'static Weight {
    // Every kind has a row (a unit test checks it); fall back to the baseline row otherwise.
    WEIGHTS
        .iter()
        .find(|w| w.kind == kind)
        .unwrap_or(&WEIGHTS[WEIGHTS.len() - 1])
}

impl SignalKind {
    /// The spelling in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::NewNetwork => "new_network",
            SignalKind::NewWideNetwork => "new_wide_network",
            SignalKind::NewCountry => "new_country",
            SignalKind::NewAsn => "new_asn",
            SignalKind::NewUserAgent => "new_user_agent",
            SignalKind::NewClient => "new_client",
            SignalKind::KnownUserAgent => "known_user_agent",
            SignalKind::NewRegion => "new_region",
            SignalKind::UnusualHour => "unusual_hour",
            SignalKind::OwnerRoams => "owner_roams",
            SignalKind::Persistence => "persistence",
            SignalKind::PrivilegeEscalation => "privilege_escalation",
            SignalKind::DefenceEvasion => "defence_evasion",
            SignalKind::DiscoveryBurst => "discovery_burst",
            SignalKind::AccessDeniedProbing => "access_denied_probing",
            SignalKind::ResourceHijacking => "resource_hijacking",
            SignalKind::UnusualResourceHijacking => "unusual_resource_hijacking",
            SignalKind::DataReads => "data_reads",
            SignalKind::ComputeCredentialOffCompute => "compute_credential_off_compute",
            SignalKind::ComputeCredentialNoExecEnv => "compute_credential_no_exec_env",
            SignalKind::ComputeCredentialOutsideRole => "compute_credential_outside_role",
            SignalKind::SessionKeyTwoNetworks => "session_key_two_networks",
            SignalKind::ConsoleFailuresThenSuccess => "console_failures_then_success",
            SignalKind::MfaAbsent => "mfa_absent",
            SignalKind::NoBaseline => "no_baseline",
        }
    }

    /// Its family.
    pub fn family(self) -> Family {
        weight_of(self).family
    }
}

/// One weighted signal with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    /// What it says.
    pub signal: SignalKind,
    /// Its weight (the table's weight times the steps counted).
    pub weight: i32,
    /// The sentence, with the specifics of this case.
    pub detail: String,
}

impl Signal {
    /// A signal for `units` occurrences, weighted by the table; `None` when it counts nothing.
    pub fn new(kind: SignalKind, units: u32, specifics: &str) -> Option<Signal> {
        let row = weight_of(kind);
        let steps = (units / row.per.max(1)).min(row.cap);
        if steps == 0 {
            return None;
        }
        let sentence = row.sentence;
        let detail = if specifics.is_empty() {
            sentence.to_owned()
        } else {
            format!("{sentence} {specifics}")
        };
        Some(Signal {
            signal: kind,
            weight: row.weight.saturating_mul(steps as i32),
            detail,
        })
    }
}

/// How sure a call is: the model's type, so scope writes the judge's level as it is.
pub use cloudcase_model::scope::Confidence;

/// A confidence level's thresholds: the total weight and the weight of evidence (behaviour and
/// credential misuse) it needs.
#[derive(Debug, Clone, Copy)]
pub struct Threshold {
    /// The level.
    pub level: Confidence,
    /// Least total weight.
    pub total: i32,
    /// Least weight of behaviour and credential-misuse signals.
    pub evidence: i32,
}

/// The thresholds, highest first. Novelty alone (network, client, routine) never reaches
/// medium: an owner who roams does not read as an attacker.
pub const THRESHOLDS: &[Threshold] = &[
    Threshold {
        level: Confidence::High,
        total: 12,
        evidence: 8,
    },
    Threshold {
        level: Confidence::Medium,
        total: 7,
        evidence: 5,
    },
    Threshold {
        level: Confidence::Low,
        total: 3,
        evidence: 0,
    },
];

/// Without a baseline, confidence is at most this: the owner's habits are unknown.
pub const NO_BASELINE_CEILING: Confidence = Confidence::Medium;

/// The sum of the signals' weights.
pub fn total(signals: &[Signal]) -> i32 {
    signals.iter().map(|s| s.weight).sum()
}

/// The weight of behaviour and credential-misuse signals.
pub fn evidence(signals: &[Signal]) -> i32 {
    signals
        .iter()
        .filter(|s| {
            matches!(
                s.signal.family(),
                Family::Behaviour | Family::CredentialMisuse
            )
        })
        .map(|s| s.weight)
        .sum()
}

/// The confidence the signals give, if they reach the lowest level.
pub fn confidence(signals: &[Signal]) -> Option<Confidence> {
    let (t, e) = (total(signals), evidence(signals));
    let level = THRESHOLDS
        .iter()
        .find(|th| t >= th.total && e >= th.evidence)
        .map(|th| th.level)?;
    if signals.iter().any(|s| s.signal == SignalKind::NoBaseline) {
        return Some(level.min(NO_BASELINE_CEILING));
    }
    Some(level)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [SignalKind; 25] = [
        SignalKind::NewNetwork,
        SignalKind::NewWideNetwork,
        SignalKind::NewCountry,
        SignalKind::NewAsn,
        SignalKind::NewUserAgent,
        SignalKind::NewClient,
        SignalKind::KnownUserAgent,
        SignalKind::NewRegion,
        SignalKind::UnusualHour,
        SignalKind::OwnerRoams,
        SignalKind::Persistence,
        SignalKind::PrivilegeEscalation,
        SignalKind::DefenceEvasion,
        SignalKind::DiscoveryBurst,
        SignalKind::AccessDeniedProbing,
        SignalKind::ResourceHijacking,
        SignalKind::UnusualResourceHijacking,
        SignalKind::DataReads,
        SignalKind::ComputeCredentialOffCompute,
        SignalKind::ComputeCredentialNoExecEnv,
        SignalKind::ComputeCredentialOutsideRole,
        SignalKind::SessionKeyTwoNetworks,
        SignalKind::ConsoleFailuresThenSuccess,
        SignalKind::MfaAbsent,
        SignalKind::NoBaseline,
    ];

    #[test]
    fn every_kind_has_one_row_and_its_spelling() {
        assert_eq!(WEIGHTS.len(), KINDS.len());
        for k in KINDS {
            assert_eq!(WEIGHTS.iter().filter(|w| w.kind == k).count(), 1, "{k:?}");
            let json = serde_json::to_value(k).unwrap();
            assert_eq!(json.as_str(), Some(k.as_str()));
        }
    }

    #[test]
    fn the_readme_lists_every_weight() {
        let readme = include_str!("../README.md");
        for w in WEIGHTS {
            let row = format!("| `{}` |", w.kind.as_str());
            let line = readme
                .lines()
                .find(|l| l.starts_with(&row))
                .unwrap_or_else(|| panic!("README row for {}", w.kind.as_str()));
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            assert_eq!(cells.get(3), Some(&w.weight.to_string().as_str()), "{line}");
            assert_eq!(cells.get(5), Some(&w.sentence), "{line}");
        }
        for th in THRESHOLDS {
            let row = format!(
                "| `{}` | {} | {} |",
                th.level.as_str(),
                th.total,
                th.evidence
            );
            assert!(readme.contains(&row), "README confidence row {row}");
        }
    }

    #[test]
    fn weights_steps_and_caps() {
        let p = Signal::new(SignalKind::Persistence, 5, "CreateUser").unwrap();
        assert_eq!(p.weight, 12);
        assert!(p.detail.ends_with("CreateUser"));
        assert!(Signal::new(SignalKind::AccessDeniedProbing, 9, "").is_none());
        assert_eq!(
            Signal::new(SignalKind::AccessDeniedProbing, 25, "")
                .unwrap()
                .weight,
            4
        );
        assert!(Signal::new(SignalKind::Persistence, 0, "").is_none());
    }

    #[test]
    fn novelty_alone_is_never_more_than_low() {
        let s: Vec<Signal> = [
            SignalKind::NewWideNetwork,
            SignalKind::NewClient,
            SignalKind::NewCountry,
            SignalKind::NewAsn,
            SignalKind::NewRegion,
            SignalKind::UnusualHour,
        ]
        .into_iter()
        .filter_map(|k| Signal::new(k, 1, ""))
        .collect();
        assert_eq!(confidence(&s), Some(Confidence::Low));
        let mut with = s.clone();
        with.extend(Signal::new(SignalKind::Persistence, 3, ""));
        assert_eq!(confidence(&with), Some(Confidence::High));
        let small: Vec<Signal> = Signal::new(SignalKind::NewNetwork, 1, "")
            .into_iter()
            .collect();
        assert_eq!(confidence(&small), None);
    }

    #[test]
    fn no_baseline_caps_at_medium() {
        let s: Vec<Signal> = [
            Signal::new(SignalKind::NoBaseline, 1, ""),
            Signal::new(SignalKind::Persistence, 3, ""),
            Signal::new(SignalKind::PrivilegeEscalation, 2, ""),
        ]
        .into_iter()
        .flatten()
        .collect();
        assert_eq!(confidence(&s), Some(Confidence::Medium));
    }
}
