//! The document when nothing departs from the subject's history: the history itself, the
//! coverage of the inputs, and the plain statement that no attacker event was found — which is
//! not proof that none happened.

use serde_json::{json, Value};

use super::json::{time, use_json};
use super::narrative::subject_kind;
use crate::scan::{Pass1, Profile, Subject, Use};

/// Builds the document for a subject (with its profile, unless `--auto` found no candidate)
/// whose history shows no departure; `explanation` says what was looked for.
pub fn no_departure(
    subject: &Subject,
    profile: Option<(&str, &Profile)>,
    p1: &Pass1,
    explanation: &str,
) -> Value {
    let history = profile.map(|(_, p)| {
        let mut ips: Vec<(&Box<str>, &Use)> = p.ips.iter().collect();
        ips.sort_by_key(|(ip, u)| (u.first.key(), (*ip).clone()));
        json!({
            "events": p.count,
            "sources": ips.into_iter().map(|(ip, u)| use_json(ip, u)).collect::<Vec<_>>(),
        })
    });
    json!({
        "subject": {
            "kind": subject_kind(subject),
            "value": profile.map(|(k, _)| k),
            "principals": profile.map(|(_, p)| p.arns.iter().map(|s| &**s).collect::<Vec<_>>()),
            "events": profile.map(|(_, p)| p.count),
            "first_seen": profile.and_then(|(_, p)| p.first.as_ref().map(|f| time(f.ms))),
            "last_seen": profile.map(|(_, p)| time(p.last_ms)),
            "auto_ranking": [],
            "history": history,
        },
        "intrusion": {
            "first_attacker_event": Value::Null,
            "finding": "no_departure",
            "explanation": explanation,
        },
        "attacker_sources": [],
        "identities": {"compromised": Value::Null, "users": [], "access_keys": [], "roles": [], "attacker_access_keys": []},
        "sessions": [],
        "permission_changes": [],
        "resources": [],
        "responder_actions": [],
        "data_access": [],
        "coverage": {
            "first_event": p1.span.map(|s| time(s.0)),
            "last_event": p1.span.map(|s| time(s.1)),
        },
        "cost": Value::Null,
        "containment": Value::Null,
        "activity": Value::Null,
        "unknowns": [{
            "question": "whether this credential was misused",
            "why": format!("{explanation}; a departure the rule cannot see (an attacker on the owner's own networks and clients) is not excluded"),
            "would_resolve": "scope from another indicator (--ip, --instance, --principal), review `cloudcase hunt` findings, or pass --owner-ip for the owner's ranges so other networks stand out",
        }],
    })
}
