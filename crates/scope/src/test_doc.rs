//! A minimal scope document for unit tests of the steps that annotate a result (`now`, `geo`).

use cloudcase_model::scope::ScopeResult;
use serde_json::{json, Value};

/// A document with a first attacker event and nothing else, with `edit` applied to its JSON
/// form first (to add resources, identities, sources).
pub(crate) fn window_doc(edit: impl FnOnce(&mut Value)) -> ScopeResult {
    let mut doc = json!({
        "subject": {"kind": "access_key", "value": "AKIAOLD", "principals": [], "accounts": [], "events": 1,
                    "first_seen": "t", "last_seen": "t", "auto_ranking": [], "owner_ranges": [],
                    "history": {"until": "t", "events": 0, "networks": [], "sources": [],
                                "user_agent_families": {}, "regions": {}, "hours_utc": []}},
        "intrusion": {"first_attacker_event": "t", "first_attacker_event_ms": 0, "method": "network",
                      "novel": "203.0.113.0/24", "rule": "r", "attacker_client_family": null,
                      "last_attacker_event": null, "attacker_events_in_candidates": 0,
                      "owner_changes_after": 0, "owner_changes_note": "n", "other_attacker_changes": [],
                      "refs": []},
        "attacker_sources": [],
        "identities": {"compromised": {"subject": "AKIAOLD", "principals": []}, "users": [],
                       "access_keys": [], "roles": [], "attacker_access_keys": []},
        "sessions": [], "permission_changes": [], "resources": [], "responder_actions": [],
        "data_access": [],
        "coverage": {"first_event": "t", "last_event": "t", "attacker_window": {"from": "t", "to": "t"},
                     "categories": {}, "management_read_events": 0, "management_write_events": 0,
                     "data_event_buckets": [], "data_event_stores": [], "regions": [],
                     "gaps_over_6h": [], "gaps_note": "g", "inventory": []},
        "cost": null, "containment": null, "activity": null, "unknowns": [],
    });
    edit(&mut doc);
    serde_json::from_value(doc).expect("a valid test document")
}

/// An instance entry of `resources`.
pub(crate) fn instance(id: &str, region: &str) -> Value {
    json!({"kind": "instance", "instance_id": id, "region": region, "instance_type": "t3.micro",
           "image_id": null, "key_name": null, "security_groups": [], "launched": "t",
           "stopped": null, "terminated": null, "exists_at_end_of_logs": true,
           "state_changes": [], "refs": [], "exists_now": null})
}

/// A user entry of `identities.users`.
pub(crate) fn user(name: &str) -> Value {
    json!({"name": name, "arn": null, "created": "t",
           "by": {"arn": null, "access_key": null, "ip": null, "user_agent": null},
           "login_profile": null, "policies": [], "deleted": null, "refs": []})
}

/// An entry of `attacker_sources` or `subject.history.sources`.
pub(crate) fn source(ip: &str, events: u64) -> Value {
    json!({"ip": ip, "network": null, "first_seen": "t", "last_seen": "t", "events": events,
           "user_agents": [], "refs": []})
}
