//! A lead: the findings of one identity (or, for unauthenticated activity, of one source
//! address), scored and explained, as `cloudcase hunt --leads --format json` prints them,
//! best first.

use serde::{Deserialize, Serialize};

/// What a lead groups findings by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeadKind {
    /// An IAM user: its long-term keys, console sessions and session tokens together.
    User,
    /// The account's root user.
    Root,
    /// One role session (role and session name): SSO users, instance, Lambda and ECS
    /// credentials, CI runs.
    RoleSession,
    /// An AWS service acting for the account.
    Service,
    /// Any other named principal (federated user, another account's principal), by name.
    Principal,
    /// Unauthenticated activity (no principal or access key: a failed console sign-in of an
    /// unknown user, anonymous requests), grouped by source address.
    Address,
}

/// Findings counted by level; every level is present, zero when none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LevelCounts {
    /// Critical findings.
    pub critical: u64,
    /// High findings.
    pub high: u64,
    /// Medium findings.
    pub medium: u64,
    /// Low findings.
    pub low: u64,
    /// Informational findings.
    pub informational: u64,
}

/// One ranked lead. The keys `rank`, `score`, `principal`, `access_key`, `sources`, `first`,
/// `last`, `findings` and `reasons` are the documented core; `kind`, `account`,
/// `access_keys`, `other_sources` and `tactics` add context. Unknown keys are refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lead {
    /// Place in the ranking, from 1.
    pub rank: u32,
    /// Points: weighted findings, breadth across tactics, novelty that behaviour confirms.
    pub score: u64,
    /// What the findings are grouped by.
    pub kind: LeadKind,
    /// Who: user name, `ROLE/SESSION`, the root ARN, a service or principal name; for
    /// unauthenticated activity, `unauthenticated`.
    pub principal: String,
    /// The account the calls were made in, when known.
    pub account: Option<String>,
    /// The identity's access key: its long-term key when it used one, else its most used
    /// key; `null` when none.
    pub access_key: Option<String>,
    /// Every access key seen in the identity's findings, most used first (at most 10).
    pub access_keys: Vec<String>,
    /// Source addresses (or service names), most used first (at most 5).
    pub sources: Vec<String>,
    /// Source addresses beyond those listed.
    pub other_sources: u64,
    /// Time of the first finding, RFC 3339 UTC.
    pub first: String,
    /// Time of the last finding, RFC 3339 UTC.
    pub last: String,
    /// Findings by level.
    pub findings: LevelCounts,
    /// Behaviour categories of its findings (`persistence`, `privilege escalation`, …),
    /// strongest first.
    pub tactics: Vec<String>,
    /// Why the lead ranks where it does, one sentence each, most telling first.
    pub reasons: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_reads_back_and_unknown_keys_are_refused() {
        let lead = Lead {
            rank: 1,
            score: 420,
            kind: LeadKind::User,
            principal: "deploy-bot".to_owned(),
            account: Some("123456789012".to_owned()),
            access_key: Some("AKIAEXAMPLE".to_owned()),
            access_keys: vec!["AKIAEXAMPLE".to_owned()],
            sources: vec!["203.0.113.9".to_owned()],
            other_sources: 0,
            first: "2024-05-24T11:15:00.000Z".to_owned(),
            last: "2024-05-24T11:45:00.000Z".to_owned(),
            findings: LevelCounts {
                high: 2,
                ..LevelCounts::default()
            },
            tactics: vec!["persistence".to_owned()],
            reasons: vec!["2 high findings: persistence (CreateUser)".to_owned()],
        };
        let text = serde_json::to_string(&lead).expect("serialize");
        assert!(text.contains(r#""kind":"user""#), "{text}");
        assert!(
            text.contains(r#""findings":{"critical":0,"high":2,"#),
            "{text}"
        );
        let back: Lead = serde_json::from_str(&text).expect("parse");
        assert_eq!(back, lead);
        let extra = text.replacen('{', r#"{"extra":1,"#, 1);
        assert!(serde_json::from_str::<Lead>(&extra).is_err());
    }
}
