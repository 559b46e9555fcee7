//! The document when nothing departs from the subject's history: the history itself, the
//! coverage of the inputs, and the plain statement that no attacker event was found — which is
//! not proof that none happened.

use cloudcase_model::scope::{
    Coverage, Finding, History, Identities, Intrusion, LogSpan, NoDeparture, ScopeResult, Subject,
    Unknown,
};

use super::common::{source_use, time};
use super::narrative::subject_kind;
use crate::scan::{Pass1, Profile, Use};

/// The chosen profile: its key and aggregates.
pub struct ProfileRef<'a> {
    /// The profile's key (access key, principal or range).
    pub key: &'a str,
    /// Its aggregates.
    pub profile: &'a Profile,
}

/// Builds the document for a subject (with its profile, unless `--auto` found no candidate)
/// whose history shows no departure; `explanation` says what was looked for.
pub fn no_departure(
    subject: &crate::scan::Subject,
    profile: Option<ProfileRef<'_>>,
    history: &Pass1,
    explanation: &str,
) -> ScopeResult {
    let p = profile.as_ref().map(|r| r.profile);
    let whole_history = p.map(|p| {
        let mut ips: Vec<(&Box<str>, &Use)> = p.ips.iter().collect();
        ips.sort_by_key(|(ip, u)| (u.first.key(), (*ip).clone()));
        History {
            until: None,
            events: p.count,
            networks: None,
            sources: ips.into_iter().map(|(ip, u)| source_use(ip, u)).collect(),
            user_agent_families: None,
            regions: None,
            hours_utc: None,
        }
    });
    ScopeResult {
        subject: Subject {
            kind: subject_kind(subject),
            value: profile.as_ref().map(|r| r.key.to_owned()),
            principals: p.map(|p| p.arns.to_strings()),
            accounts: None,
            events: p.map(|p| p.count),
            first_seen: p.and_then(|p| p.first.as_ref().map(|f| time(f.ms))),
            last_seen: p.map(|p| time(p.last_ms)),
            auto_ranking: Vec::new(),
            owner_ranges: None,
            history: whole_history,
            started_from: None,
        },
        intrusion: Intrusion::NoDeparture(NoDeparture {
            first_attacker_event: None,
            finding: Finding::NoDeparture,
            explanation: explanation.to_owned(),
            attacker_countries: None,
        }),
        attacker_sources: Vec::new(),
        identities: Identities {
            compromised: None,
            users: Vec::new(),
            access_keys: Vec::new(),
            roles: Vec::new(),
            attacker_access_keys: Vec::new(),
        },
        sessions: Vec::new(),
        permission_changes: Vec::new(),
        resources: Vec::new(),
        responder_actions: Vec::new(),
        data_access: Vec::new(),
        coverage: Coverage::Span(LogSpan {
            first_event: history.span.map(|s| time(s.0)),
            last_event: history.span.map(|s| time(s.1)),
        }),
        cost: None,
        containment: None,
        activity: None,
        unknowns: vec![Unknown {
            question: "whether this credential was misused".to_owned(),
            why: format!("{explanation}; a departure the rule cannot see (an attacker on the owner's own networks and clients) is not excluded"),
            would_resolve: "scope from another indicator (--ip, --instance, --principal), review `cloudcase hunt` findings, or pass --owner-ip for the owner's ranges so other networks stand out".to_owned(),
            refs: None,
        }],
    }
}
