//! Complete scope documents for the report's tests, built from a base with every required
//! key, so that each test states only what it is about.

use cloudcase_model::ScopeResult;
use serde_json::{json, Value};

/// Who did it: a caller with only an ARN.
pub fn by(arn: &str) -> Value {
    json!({"arn": arn, "access_key": null, "ip": null, "user_agent": null})
}

/// A scope result: the base document with `overrides`' top-level keys replaced.
pub fn scope(overrides: Value) -> ScopeResult {
    let mut doc = json!({
        "subject": subject("AKIAEXAMPLE"),
        "intrusion": departure("2026-01-01T00:10:00Z"),
        "attacker_sources": [],
        "identities": identities(vec![], vec![], vec![]),
        "sessions": [], "permission_changes": [], "resources": [], "responder_actions": [],
        "data_access": [],
        "coverage": {"first_event": null, "last_event": null},
        "cost": null, "containment": null, "activity": null,
        "unknowns": [],
    });
    if let (Some(base), Value::Object(over)) = (doc.as_object_mut(), overrides) {
        base.extend(over);
    }
    serde_json::from_value(doc).expect("a complete scope document")
}

/// The subject section for an access key.
pub fn subject(key: &str) -> Value {
    json!({"kind": "access_key", "value": key, "principals": null, "events": null,
           "first_seen": null, "last_seen": null, "auto_ranking": [], "history": null})
}

/// An intrusion found at `first`.
pub fn departure(first: &str) -> Value {
    json!({"first_attacker_event": first, "first_attacker_event_ms": 0, "method": "network",
           "novel": "203.0.113.0/24", "rule": null, "attacker_client_family": null,
           "last_attacker_event": null, "attacker_events_in_candidates": 0,
           "owner_changes_after": 0, "owner_changes_note": "", "other_attacker_changes": [],
           "refs": []})
}

/// The identities section.
pub fn identities(users: Vec<Value>, keys: Vec<Value>, roles: Vec<Value>) -> Value {
    json!({"compromised": null, "users": users, "access_keys": keys, "roles": roles,
           "attacker_access_keys": []})
}

/// A user created at `created`.
pub fn user(name: &str, created: &str) -> Value {
    json!({"name": name, "arn": null, "created": created, "by": by("arn:x"),
           "login_profile": null, "policies": [], "deleted": null, "refs": []})
}

/// An access key.
pub fn key(id: &str) -> Value {
    json!({"access_key": id, "user": "u", "created": "t", "by": by("arn:x"), "used_from": [],
           "status_changes": [], "refs": []})
}

/// A role the attacker created.
pub fn role(name: &str) -> Value {
    json!({"name": name, "origin": "attacker_created", "time": "t", "by": by("arn:x"),
           "trust": null, "policies": [], "deleted": null, "refs": []})
}

/// An instance still there at the end of the logs.
pub fn instance(id: &str, region: &str) -> Value {
    json!({"kind": "instance", "instance_id": id, "region": region, "instance_type": "p3.2xlarge",
           "image_id": null, "key_name": null, "security_groups": [], "launched": "t",
           "stopped": null, "terminated": null, "exists_at_end_of_logs": true,
           "state_changes": [], "refs": [], "exists_now": null})
}

/// A key pair.
pub fn key_pair(name: &str, region: &str) -> Value {
    json!({"kind": "key_pair", "name": name, "region": region, "event": "CreateKeyPair",
           "time": "t", "deleted": null, "refs": [], "exists_now": null})
}

/// The cost section.
pub fn cost(total_usd: f64, unpriced_runs: u64) -> Value {
    json!({"currency": "USD", "instances": [], "by_region": [], "by_type": [], "total_hours": 1.0,
           "total_usd": total_usd, "unpriced_runs": unpriced_runs, "assumptions": []})
}

/// A data-access verdict.
pub fn data_access(store: &str, name: &str, verdict: &str) -> Value {
    json!({"store": store, "name": name, "region": null, "verdict": verdict, "basis": "b",
           "refs": []})
}

/// An open question.
pub fn unknown(question: &str, would_resolve: &str) -> Value {
    json!({"question": question, "why": "w", "would_resolve": would_resolve})
}

/// An attacker source.
pub fn source(ip: &str, user_agents: &[&str]) -> Value {
    json!({"ip": ip, "network": null, "first_seen": "t", "last_seen": "t", "events": 1,
           "user_agents": user_agents, "refs": []})
}

/// An intrusion claimed with `confidence` and `signals` (`[signal, weight, detail]`), each
/// resting on record `n` of `logs/a.json.gz` for its position `n`.
pub fn judged(method: &str, confidence: &str, signals: &[(&str, i32, &str)]) -> Value {
    let mut d = departure("2026-01-01T00:10:00Z");
    d["method"] = json!(method);
    d["confidence"] = json!(confidence);
    d["signals"] = signals
        .iter()
        .zip(10u64..)
        .map(|((signal, weight, detail), n)| {
            json!({"signal": signal, "weight": weight, "detail": detail,
                   "refs": [{"file": "logs/a.json.gz", "record": n, "event_id": format!("s{n}")}]})
        })
        .collect();
    d
}

/// No departure found, for `explanation`.
pub fn no_departure(explanation: &str) -> Value {
    json!({"first_attacker_event": null, "finding": "no_departure", "explanation": explanation})
}

/// The subject section of a named credential with its whole history: `events` from `first`
/// to `last`.
pub fn named_subject(key: &str, events: u64, first: &str, last: &str) -> Value {
    let mut s = subject(key);
    s["events"] = json!(events);
    s["first_seen"] = json!(first);
    s["last_seen"] = json!(last);
    s
}

/// An `--auto` candidate.
pub fn candidate(principal: &str, kind: &str, score: i64, confidence: Option<&str>) -> Value {
    json!({"access_key": null, "principal": principal, "kind": kind, "score": score,
           "confidence": confidence, "first_departure": "2026-01-01T00:10:00Z",
           "reasons": ["new network", "persistence"]})
}

/// A permission change by the subject (attribution `attacker`).
pub fn permission_change(event: &str, target: &str) -> Value {
    json!({"time": "2026-01-01T00:30:00Z", "event": event, "service": "iam", "target": target,
           "attribution": "attacker", "by": by("arn:aws:iam::1:user/ci"), "error": null,
           "refs": []})
}
