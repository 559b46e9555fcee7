//! The document when nothing departs from the subject's history: the history itself, the
//! plain statement that no attacker event was found — which is not proof that none happened —
//! and, for `--auto` with no candidate, the coverage of the inputs only. (A named subject's
//! activity is listed by `build` with [`super::Claim::Unattributed`].)

use cloudcase_model::scope::{
    Coverage, Finding, History, Identities, Intrusion, LogSpan, NoDeparture, ScopeResult,
    SectionsAttribution, Subject, Unknown,
};

use super::common::{source_use, time};
use super::narrative::subject_kind;
use crate::scan::{Pass1, Profile, Use};

/// The chosen profile: its key and aggregates.
pub(crate) struct ProfileRef<'a> {
    /// The profile's key (access key, principal or range).
    pub key: &'a str,
    /// Its aggregates.
    pub profile: &'a Profile,
}

/// The `subject` section with no departure: the subject's whole history (every source over the
/// whole input), without a baseline split.
pub(crate) fn subject_section(
    subject: &crate::scan::Subject,
    profile: Option<&ProfileRef<'_>>,
) -> Subject {
    let p = profile.map(|r| r.profile);
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
    Subject {
        kind: subject_kind(subject),
        value: profile.map(|r| r.key.to_owned()),
        principals: p.map(|p| p.arns.to_strings()),
        accounts: None,
        events: p.map(|p| p.count),
        first_seen: p.and_then(|p| p.first.as_ref().map(|f| time(f.ms))),
        last_seen: p.map(|p| time(p.last_ms)),
        auto_ranking: Vec::new(),
        owner_ranges: None,
        history: whole_history,
        started_from: None,
    }
}

/// The `intrusion` section with no departure: no first attacker event, and why.
pub(crate) fn intrusion_section(explanation: &str) -> Intrusion {
    Intrusion::NoDeparture(NoDeparture {
        first_attacker_event: None,
        finding: Finding::NoDeparture,
        explanation: explanation.to_owned(),
        attacker_countries: None,
    })
}

/// The unknowns every no-departure document starts with: whether the credential was misused
/// and, when the sections list the named subject's activity, that listing it proves nothing.
pub(crate) fn unknowns(explanation: &str, activity_listed: bool) -> Vec<Unknown> {
    let mut out = vec![Unknown {
        about: None,
        question: "whether this credential was misused".to_owned(),
        why: format!("{explanation}; a departure the rule cannot see (an attacker on the owner's own networks and clients) is not excluded"),
        would_resolve: "scope from another indicator (--ip, --instance, --principal), review `cloudcase hunt` findings, or pass --owner-ip for the owner's ranges so other networks stand out".to_owned(),
        refs: None,
    }];
    if activity_listed {
        out.push(Unknown {
            about: None,
            question: "whose activity the sections show".to_owned(),
            why: "with no departure, the sources, identities, sessions, permission changes, resources, data readers, cost and containment list everything the named credential did from its first event, and what the identities and keys it created did (attribution: unattributed); this is not proof of misuse, nor of its absence".to_owned(),
            would_resolve: "review the activity with the credential's owner: changes and launches they do not recognise are the misuse".to_owned(),
            refs: None,
        });
    }
    out
}

/// Builds the document for `--auto` with no candidate: the span of the inputs and the
/// explanation; nothing else is listed.
pub fn no_departure(
    subject: &crate::scan::Subject,
    history: &Pass1,
    explanation: &str,
) -> ScopeResult {
    ScopeResult {
        subject: subject_section(subject, None),
        intrusion: intrusion_section(explanation),
        attribution: SectionsAttribution::Unattributed,
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
        network: None,
        guardduty: None,
        dns: None,
        coverage: Coverage::Span(LogSpan {
            first_event: history.span.map(|s| time(s.0)),
            last_event: history.span.map(|s| time(s.1)),
        }),
        cost: None,
        containment: None,
        activity: None,
        unknowns: unknowns(explanation, false),
    }
}
