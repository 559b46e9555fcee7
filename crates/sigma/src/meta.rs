//! Rule metadata: level, status, ATT&CK tags, log source, and the descriptive
//! fields every Sigma rule and correlation rule carries.

use std::fmt;
use std::str::FromStr;

/// A rule's severity (`level`), ordered from `Informational` to `Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// `informational`: context, not a finding on its own.
    Informational,
    /// `low`.
    Low,
    /// `medium`.
    Medium,
    /// `high`.
    High,
    /// `critical`.
    Critical,
}

impl Level {
    /// Every level, lowest first.
    pub const ALL: [Level; 5] = [
        Level::Informational,
        Level::Low,
        Level::Medium,
        Level::High,
        Level::Critical,
    ];

    /// The Sigma spelling (`informational`, `low`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Informational => "informational",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A level or status name that is not one of Sigma's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected one of {expected}, found {found:?}")]
pub struct UnknownName {
    /// The accepted names.
    pub expected: &'static str,
    /// The text given.
    pub found: String,
}

impl FromStr for Level {
    type Err = UnknownName;

    /// Parses a level name, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Level::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownName {
                expected: "informational, low, medium, high, critical",
                found: s.to_owned(),
            })
    }
}

/// A rule's maturity (`status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// `stable`.
    Stable,
    /// `test`.
    Test,
    /// `experimental`.
    Experimental,
    /// `deprecated`: replaced by another rule.
    Deprecated,
    /// `unsupported`: SigmaHQ's mark for rules using obsolete syntax.
    Unsupported,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 5] = [
        Status::Stable,
        Status::Test,
        Status::Experimental,
        Status::Deprecated,
        Status::Unsupported,
    ];

    /// The Sigma spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Stable => "stable",
            Status::Test => "test",
            Status::Experimental => "experimental",
            Status::Deprecated => "deprecated",
            Status::Unsupported => "unsupported",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = UnknownName;

    /// Parses a status name, ignoring ASCII case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownName {
                expected: "stable, test, experimental, deprecated, unsupported",
                found: s.to_owned(),
            })
    }
}

/// A MITRE ATT&CK reference read from a rule's `attack.*` tags.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttackTag {
    /// A tactic, normalized to lowercase with hyphens: `attack.privilege_escalation`
    /// and `attack.privilege-escalation` both give `privilege-escalation`.
    Tactic(String),
    /// A technique or sub-technique id in ATT&CK's spelling: `attack.t1098.001` gives `T1098.001`.
    Technique(String),
    /// A group (`attack.g0016` gives `G0016`).
    Group(String),
    /// A software entry (`attack.s0002` gives `S0002`).
    Software(String),
}

impl AttackTag {
    /// Reads one tag; `None` for tags outside the `attack.` namespace.
    pub fn parse(tag: &str) -> Option<AttackTag> {
        let rest = tag.trim();
        let rest = rest
            .get(..7)
            .filter(|p| p.eq_ignore_ascii_case("attack."))
            .map(|_| &rest[7..])?;
        let lower = rest.to_ascii_lowercase();
        let bytes = lower.as_bytes();
        let is_id = |prefix: u8| {
            bytes.len() > 1
                && bytes[0] == prefix
                && bytes[1..].iter().all(|b| b.is_ascii_digit() || *b == b'.')
                && bytes[1].is_ascii_digit()
        };
        Some(if is_id(b't') {
            AttackTag::Technique(lower.to_ascii_uppercase())
        } else if is_id(b'g') {
            AttackTag::Group(lower.to_ascii_uppercase())
        } else if is_id(b's') {
            AttackTag::Software(lower.to_ascii_uppercase())
        } else {
            AttackTag::Tactic(lower.replace('_', "-"))
        })
    }

    /// The ATT&CK Enterprise tactic id (`TA0003` for `persistence`), for the
    /// tactics whose ids are stable; `None` for other tags and unknown tactics.
    pub fn tactic_id(&self) -> Option<&'static str> {
        let AttackTag::Tactic(name) = self else {
            return None;
        };
        Some(match name.as_str() {
            "reconnaissance" => "TA0043",
            "resource-development" => "TA0042",
            "initial-access" => "TA0001",
            "execution" => "TA0002",
            "persistence" => "TA0003",
            "privilege-escalation" => "TA0004",
            "defense-evasion" => "TA0005",
            "credential-access" => "TA0006",
            "discovery" => "TA0007",
            "lateral-movement" => "TA0008",
            "collection" => "TA0009",
            "command-and-control" => "TA0011",
            "exfiltration" => "TA0010",
            "impact" => "TA0040",
            _ => return None,
        })
    }
}

impl fmt::Display for AttackTag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttackTag::Tactic(s)
            | AttackTag::Technique(s)
            | AttackTag::Group(s)
            | AttackTag::Software(s) => f.write_str(s),
        }
    }
}

/// A rule's `logsource`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Logsource {
    /// `product`, e.g. `aws`.
    pub product: Option<String>,
    /// `service`, e.g. `cloudtrail`.
    pub service: Option<String>,
    /// `category`.
    pub category: Option<String>,
}

impl fmt::Display for Logsource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for (k, v) in [
            ("product", &self.product),
            ("service", &self.service),
            ("category", &self.category),
        ] {
            if let Some(v) = v {
                if !first {
                    f.write_str(", ")?;
                }
                write!(f, "{k}: {v}")?;
                first = false;
            }
        }
        if first {
            f.write_str("(none)")?;
        }
        Ok(())
    }
}

/// What Sigma says about a rule besides its detection logic; shared by
/// detection rules and correlation rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    /// `title` (mandatory).
    pub title: String,
    /// `id`, usually a UUID.
    pub id: Option<String>,
    /// `name`: a unique human-readable name correlation rules may refer to.
    pub name: Option<String>,
    /// `status`.
    pub status: Option<Status>,
    /// `description`.
    pub description: Option<String>,
    /// `references`.
    pub references: Vec<String>,
    /// `author`.
    pub author: Option<String>,
    /// `date`, as written.
    pub date: Option<String>,
    /// `modified`, as written.
    pub modified: Option<String>,
    /// `tags`, as written.
    pub tags: Vec<String>,
    /// The `attack.*` tags, parsed.
    pub attack: Vec<AttackTag>,
    /// `falsepositives`.
    pub falsepositives: Vec<String>,
    /// `level`.
    pub level: Option<Level>,
    /// `logsource` (empty for correlation rules).
    pub logsource: Logsource,
}

impl Metadata {
    /// ATT&CK tactics, normalized (`persistence`, `privilege-escalation`, …).
    pub fn tactics(&self) -> impl Iterator<Item = &str> {
        self.attack.iter().filter_map(|t| match t {
            AttackTag::Tactic(s) => Some(s.as_str()),
            _ => None,
        })
    }

    /// ATT&CK technique ids (`T1098`, `T1098.001`, …).
    pub fn techniques(&self) -> impl Iterator<Item = &str> {
        self.attack.iter().filter_map(|t| match t {
            AttackTag::Technique(s) => Some(s.as_str()),
            _ => None,
        })
    }

    /// `id`, else `name`, else `title`: how problems and findings name the rule.
    pub fn label(&self) -> &str {
        self.id
            .as_deref()
            .or(self.name.as_deref())
            .unwrap_or(&self.title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_order_and_parse() {
        assert!(Level::Informational < Level::Low);
        assert!(Level::High < Level::Critical);
        assert_eq!("HIGH".parse::<Level>(), Ok(Level::High));
        let err = "severe".parse::<Level>().unwrap_err();
        assert_eq!(err.found, "severe");
        assert_eq!(Level::Medium.to_string(), "medium");
        assert_eq!("test".parse::<Status>(), Ok(Status::Test));
        assert!("beta".parse::<Status>().is_err());
    }

    #[test]
    fn attack_tags_normalize() {
        assert_eq!(
            AttackTag::parse("attack.privilege_escalation"),
            Some(AttackTag::Tactic("privilege-escalation".into()))
        );
        assert_eq!(
            AttackTag::parse("attack.t1098.001"),
            Some(AttackTag::Technique("T1098.001".into()))
        );
        assert_eq!(
            AttackTag::parse("attack.g0016"),
            Some(AttackTag::Group("G0016".into()))
        );
        assert_eq!(AttackTag::parse("cve.2021-44228"), None);
        assert_eq!(
            AttackTag::parse("attack.persistence").and_then(|t| t.tactic_id()),
            Some("TA0003")
        );
        assert_eq!(
            AttackTag::parse("attack.stealth"),
            Some(AttackTag::Tactic("stealth".into()))
        );
    }

    #[test]
    fn logsource_applicability() {
        let ls = Logsource {
            product: Some("AWS".into()),
            service: Some("cloudtrail".into()),
            category: None,
        };
        assert!(ls.is_cloudtrail());
        let az = Logsource {
            product: Some("azure".into()),
            service: Some("signinlogs".into()),
            category: None,
        };
        assert!(!az.is_cloudtrail());
        assert_eq!(az.to_string(), "product: azure, service: signinlogs");
    }
}
