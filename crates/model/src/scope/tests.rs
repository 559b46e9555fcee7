//! Round trips of hand-written documents through the types: the shapes the demo incident does
//! not produce (no departure, countries, sessions, every resource kind, shares as data stores,
//! a planner error). The scope crate's tests round-trip real results.

use serde_json::{json, Value};

use super::{ScopeResult, SectionsAttribution};

fn refs() -> Value {
    json!([{"file": "a.json.gz", "record": 3, "event_id": null}])
}

fn by() -> Value {
    json!({"arn": "arn:aws:iam::111122223333:user/u", "access_key": "AKIAX", "ip": "203.0.113.9", "user_agent": null})
}

fn round_trip(doc: &Value) -> ScopeResult {
    let typed: ScopeResult = serde_json::from_value(doc.clone()).expect("the document reads");
    let back = serde_json::to_value(&typed).expect("the document writes");
    assert_eq!(&back, doc);
    typed
}

fn source(country: Value) -> Value {
    json!({"ip": "203.0.113.9", "network": "203.0.113.0/24", "country": country, "first_seen": "t",
           "last_seen": "t", "events": 4, "user_agents": ["boto3"], "refs": refs()})
}

#[test]
fn a_no_departure_document_round_trips() {
    let doc = json!({
        "subject": {"kind": "auto", "value": null, "principals": null, "events": null, "first_seen": null,
                    "last_seen": null, "auto_ranking": [], "history": null},
        "intrusion": {"first_attacker_event": null, "finding": "no_departure", "explanation": "none", "attacker_countries": {}},
        "attribution": "unattributed",
        "attacker_sources": [], "identities": {"compromised": null, "users": [], "access_keys": [], "roles": [], "attacker_access_keys": []},
        "sessions": [], "permission_changes": [], "resources": [], "responder_actions": [], "data_access": [],
        "coverage": {"first_event": "t0", "last_event": "t1"},
        "cost": null, "containment": null, "activity": null,
        "unknowns": [{"question": "q", "why": "w", "would_resolve": "r"}],
    });
    let typed = round_trip(&doc);
    assert_eq!(typed.intrusion.first_attacker_event(), None);
    assert_eq!(typed.attribution, SectionsAttribution::Unattributed);
    // A document written before `attribution` existed reads as the attacker's.
    let mut older = doc;
    if let Some(o) = older.as_object_mut() {
        o.remove("attribution");
    }
    let typed: ScopeResult = serde_json::from_value(older).expect("an older document reads");
    assert_eq!(typed.attribution, SectionsAttribution::Attacker);
}

#[test]
fn every_resource_kind_sessions_and_countries_round_trip() {
    let occurred = json!({"time": "t", "refs": refs()});
    let rule = json!({"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr": "0.0.0.0/0"});
    let share = json!({"id": "snap-1", "region": "us-east-1", "shared_with": ["444455556666"], "time": "t",
                       "by": by(), "refs": refs(), "exists_now": {"exists": true, "still_shared_with": [], "snapshot_taken": "s"}});
    let mut ami = share.clone();
    ami["exists_now"] = Value::Null;
    let mut snapshot_share = share.clone();
    snapshot_share["kind"] = json!("snapshot_share");
    ami["kind"] = json!("ami_share");
    let doc = json!({
        "subject": {"kind": "ip", "value": "203.0.113.0/24", "principals": [], "accounts": [], "events": 4,
                    "first_seen": "t", "last_seen": "t", "auto_ranking": [], "owner_ranges": [],
                    "history": {"until": "t", "events": 0, "networks": [], "sources": [source(Value::Null)],
                                "user_agent_families": {}, "regions": {}, "hours_utc": [0, 1]}},
        "intrusion": {"first_attacker_event": "t", "first_attacker_event_ms": 1, "method": "indicator", "novel": "",
                      "rule": "r", "confidence": "medium",
                      "signals": [{"signal": "persistence", "weight": 4, "detail": "d", "refs": refs()}], "attacker_client_family": null, "last_attacker_event": null,
                      "attacker_events_in_candidates": 0, "owner_changes_after": 0, "owner_changes_note": "n",
                      "other_attacker_changes": [], "attacker_countries": {"RU": 4}, "refs": refs()},
        "attribution": "attacker",
        "attacker_sources": [source(json!("RU"))],
        "identities": {"compromised": {"subject": "203.0.113.0/24", "principals": [],
                                       "now": {"exists": false}},
                       "users": [{"name": "u", "arn": null, "created": "t", "by": by(), "login_profile": null, "policies": [],
                                  "deleted": occurred, "refs": refs(), "now": {"exists": false, "snapshot_taken": "s"}}],
                       "access_keys": [], "roles": [], "attacker_access_keys": ["ASIAX"]},
        "sessions": [{"event": "AssumeRole", "time": "t", "by": by(), "role_arn": "arn:aws:iam::1:role/r",
                      "role_session_name": "s", "source_identity": null, "federated_name": null,
                      "session_access_key": "ASIAX", "used_from": [], "refs": refs()}],
        "permission_changes": [],
        "resources": [
            {"kind": "spot_request", "event": "RequestSpotFleet", "request_ids": ["sfr-1"], "region": "us-east-1",
             "instance_type": null, "count": 4, "spot_price": null, "time": "t", "by": by(), "cancelled": occurred,
             "refs": refs(), "exists_now": {"exists": true, "requests": [{"id": "sfr-1", "state": "active", "instance_id": null}], "snapshot_taken": "s"}},
            {"kind": "security_group_ingress", "group_id": "sg-1", "region": "us-east-1", "time": "t", "by": by(),
             "rules": [rule], "refs": refs(), "exists_now": {"exists": true, "rules_still_open": [rule], "snapshot_taken": "s"}},
            snapshot_share, ami,
            {"kind": "lambda_function", "name": "f", "region": "us-east-1", "time": "t", "by": by(), "deleted": null,
             "refs": refs(), "exists_now": null},
        ],
        "responder_actions": [{"time": "t", "event": "DeleteUser", "service": "iam", "region": "us-east-1",
                               "attribution": "responder", "why": "w", "by": by(), "error": null, "refs": refs()}],
        "data_access": [{"store": "snapshot_share", "name": "snap-1", "region": "us-east-1", "verdict": "ACCESSED",
                         "basis": "shared with [\"444455556666\"]", "refs": refs()}],
        "coverage": {"first_event": "t", "last_event": "t", "attacker_window": {"from": "t", "to": "t"},
                     "categories": {"Management": 4}, "management_read_events": 1, "management_write_events": 3,
                     "data_event_buckets": [], "data_event_stores": [], "regions": [], "gaps_over_6h": [],
                     "gaps_note": "g", "inventory": []},
        "cost": {"currency": "USD", "instances": [], "by_region": [], "by_type": [], "total_hours": 0.0,
                 "total_usd": 0.0, "unpriced_runs": 0, "assumptions": []},
        "containment": {"findings": {"case_id": "c", "account_id": "1", "now_ms": 0, "users": [], "roles": [],
                                     "role_sessions": [], "instances": [], "security_groups": [], "key_pairs": [],
                                     "shared_images": [], "lambda_functions": []},
                        "plan": null, "error": "no account"},
        "activity": {"bucket_ms": 3_600_000, "buckets": ["t"], "by_region": [], "by_identity": []},
        "unknowns": [],
    });
    let typed = round_trip(&doc);
    assert_eq!(typed.resources.len(), 5);
    assert_eq!(typed.resources[3].kind(), "ami_share");
}

#[test]
fn an_unknown_key_is_refused() {
    let bad = json!({"file": "f", "record": 0, "event_id": null, "extra": 1});
    assert!(serde_json::from_value::<super::RecordRef>(bad).is_err());
}

#[test]
fn intrusions_and_rankings_written_before_the_judge_still_read() {
    use super::{AutoRank, Confidence, Departure};
    let older = json!({"first_attacker_event": "t", "first_attacker_event_ms": 1, "method": "network",
        "novel": "203.0.113.0/24", "rule": null, "attacker_client_family": null, "last_attacker_event": null,
        "attacker_events_in_candidates": 0, "owner_changes_after": 0, "owner_changes_note": "",
        "other_attacker_changes": [], "refs": refs()});
    let d: Departure = serde_json::from_value(older).expect("an older intrusion reads");
    assert_eq!(d.confidence, Confidence::High);
    assert!(d.signals.is_empty());
    let rank = json!({"access_key": "AKIAX", "score": 9, "first_departure": "t", "reasons": []});
    let r: AutoRank = serde_json::from_value(rank).expect("an older ranking reads");
    assert_eq!((r.principal, r.kind, r.confidence), (None, None, None));
    let now = json!({"access_key": null, "principal": "root:111122223333", "kind": "root", "score": 30,
        "confidence": "high", "first_departure": "t", "reasons": ["r"]});
    let r: AutoRank = serde_json::from_value(now.clone()).expect("a ranking reads");
    assert_eq!(serde_json::to_value(&r).expect("writes"), now);
}

#[test]
fn the_sections_of_logs_beyond_cloudtrail_round_trip_and_are_optional() {
    use super::{DataAccess, Network};
    let bucket = json!({"store": "s3_bucket", "name": "b", "region": null, "verdict": "ACCESSED", "basis": "b",
        "readers": [], "attacker_failed_reads": 0,
        "coverage": {"logging": "s3_access_log", "files": 2, "file_names": ["f"], "first": "t", "last": "t",
                     "lines": 9, "lines_in_window": 7, "window": "partial", "longest_quiet_hours": 3,
                     "data_events_in_window": 0},
        "access_log_reads": [{"requester": null, "ip": "203.0.113.9", "matched": "attacker_address", "requests": 2,
            "operations": ["REST.GET.OBJECT"], "objects": 1, "keys": ["k"], "bytes_sent": 10, "first": "t",
            "last": "t", "refs": refs()}],
        "refs": refs()});
    let typed: DataAccess = serde_json::from_value(bucket.clone()).expect("reads");
    assert_eq!(serde_json::to_value(&typed).expect("writes"), bucket);
    let network = json!({
        "flows": [{"interface_id": "eni-1", "instance_id": null, "local_address": null, "remote_address": "203.0.113.9",
                   "port": 22, "protocol": "tcp", "reason": "attacker_address", "bytes_in": 1, "bytes_out": 2,
                   "packets": 3, "records": 1, "first": "t", "last": "t", "actions": ["ACCEPT"], "refs": refs()}],
        "instances": [{"instance_id": "i-1", "interfaces": [], "private_addresses": [], "flow_logs": "unknown",
                       "records": 0, "first": null, "last": null, "skipdata": [{"from": "t", "to": "t"}],
                       "bytes_out": 0, "bytes_in": 0, "remote_addresses": 0, "basis": "b"}],
        "exfiltration": {"verdict": "NOT_OBSERVED", "basis": "b", "bytes_to_attacker": 0, "destinations": []},
        "coverage": {"records": 1, "records_in_window": 1, "interfaces": 1, "first": "t", "last": "t",
                     "skipdata_records": 0, "ungrouped_records": 0, "ungrouped_bytes": 0, "window": "whole"}});
    let typed: Network = serde_json::from_value(network.clone()).expect("reads");
    assert_eq!(serde_json::to_value(&typed).expect("writes"), network);
    let mut extra = network;
    extra["coverage"]["packets"] = json!(1);
    assert!(
        serde_json::from_value::<Network>(extra).is_err(),
        "unknown keys are refused"
    );
}
