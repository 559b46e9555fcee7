//! Complete scope documents for the report's tests, built from a base with every required
//! key, so that each test states only what it is about.

use cloudcase_evidence::results::{AnalysisKind, Recorded};
use cloudcase_model::ScopeResult;
use serde_json::{json, Value};

use crate::analysis::{Analysis, Loaded};
use crate::versions::Placement;
use crate::{DocumentOptions, Lang};

/// The analysis of a case whose one recorded result is `scope` (no hunt).
pub fn analysis(scope: ScopeResult) -> Analysis {
    let record = Recorded {
        kind: AnalysisKind::Scope,
        path: "/c/analysis/scope/x.json".into(),
        rel: "analysis/scope/x.json".into(),
        sha256: "ab".repeat(32),
        recorded: "2026-01-01T00:00:00Z".into(),
        seq: 4,
        command: vec![],
        summary: Value::Null,
        content: vec![],
    };
    Analysis {
        scope: Some(Loaded {
            record,
            result: scope,
        }),
        hunt: None,
    }
}

/// A report's first version.
pub fn first_version() -> Placement {
    Placement {
        version: 1,
        previous: None,
    }
}

/// A document's options (executive summary, technical report, runbook) for case `c` in
/// `lang`, as of (and generated at) `as_of`.
pub fn document_options(lang: Lang, as_of: &str) -> DocumentOptions {
    DocumentOptions {
        lang,
        case_name: "c".into(),
        as_of: as_of.into(),
        generated: as_of.into(),
        tool: "cloudcase test".into(),
    }
}

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

/// A question the logs cannot answer, placed beside its section by `about`
/// (`{"kind": "exfiltration"}`, `{"kind": "data_store", …}`).
pub fn unknown_about(question: &str, would_resolve: &str, about: Value) -> Value {
    json!({"question": question, "why": "w", "would_resolve": would_resolve, "about": about})
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

/// A record reference to record `n` of `file`.
pub fn record(file: &str, n: u64) -> Value {
    json!([{"file": file, "record": n, "event_id": null}])
}

/// A bucket whose verdict rests on its server access logs, spanning `window` (`whole`,
/// `partial`, `none`) of the attacker window, with the attacker's `reads`.
pub fn logged_bucket(name: &str, verdict: &str, window: &str, reads: Vec<Value>) -> Value {
    let mut d = data_access("s3_bucket", name, verdict);
    d["coverage"] = json!({"logging": "s3_access_log", "files": 7,
        "file_names": (0..7).map(|i| format!("s3-access-logs/{name}/f{i}")).collect::<Vec<_>>(),
        "first": "2026-01-01T00:00:00Z", "last": "2026-01-02T23:00:00Z", "lines": 40,
        "lines_in_window": 12, "window": window, "longest_quiet_hours": 3,
        "data_events_in_window": 0});
    d["access_log_reads"] = json!(reads);
    d
}

/// An access-log reader: `requester` from `ip`, reading `keys`, with its first line as
/// record `n` of the bucket's log.
pub fn log_reader(requester: Option<&str>, ip: &str, keys: &[&str], n: u64) -> Value {
    json!({"requester": requester, "ip": ip, "matched": "attacker_identity", "requests": 9,
           "operations": ["REST.GET.OBJECT"], "objects": keys.len() + 4, "keys": keys,
           "bytes_sent": 124_604_531, "first": "2026-01-01T02:30:00Z",
           "last": "2026-01-01T02:31:00Z", "refs": record("s3-access-logs/f", n)})
}

/// A flow group of `instance`'s interface `eni` with `remote`, sending `bytes_out`.
pub fn flow(instance: &str, eni: &str, remote: &str, port: u16, bytes_out: u64) -> Value {
    json!({"interface_id": eni, "instance_id": instance, "local_address": "10.0.1.25",
           "remote_address": remote, "port": port, "protocol": "tcp",
           "reason": "attacker_instance", "bytes_in": 400, "bytes_out": bytes_out,
           "packets": 10, "records": 2, "first": "2026-01-01T02:25:00Z",
           "last": "2026-01-01T02:39:00Z", "actions": ["ACCEPT"],
           "refs": record("flows.log.gz", u64::from(port))})
}

/// The network section: `flows`, one logged attacker instance, the exfiltration `verdict`
/// (bytes to `203.0.113.9` when observed) and flow logs spanning `window`.
pub fn network(verdict: &str, flows: Vec<Value>, window: &str) -> Value {
    let observed = verdict == "OBSERVED";
    let destinations = if observed {
        json!([{"address": "203.0.113.9", "bytes": 52_450_900, "interfaces": ["eni-1"],
                "first": "2026-01-01T02:25:00Z", "last": "2026-01-01T02:39:00Z"}])
    } else {
        json!([])
    };
    json!({"flows": flows,
        "instances": [{"instance_id": "i-0abc", "interfaces": ["eni-1"],
            "private_addresses": ["10.0.1.25"], "flow_logs": "logged", "records": 8,
            "first": "2026-01-01T02:25:00Z", "last": "2026-01-01T03:20:00Z",
            "skipdata": [{"from": "2026-01-01T03:10:00Z", "to": "2026-01-01T03:19:59Z"}],
            "bytes_out": 52_570_900, "bytes_in": 563_640, "remote_addresses": 3,
            "basis": "8 flow record(s)"}],
        "exfiltration": {"verdict": verdict, "basis": "flow basis",
            "bytes_to_attacker": if observed { 52_450_900 } else { 0 },
            "destinations": destinations},
        "coverage": {"records": 14, "records_in_window": 12, "interfaces": 2,
            "first": "2026-01-01T01:00:00Z", "last": "2026-01-02T08:00:00Z",
            "skipdata_records": 1, "ungrouped_records": 0, "ungrouped_bytes": 0,
            "window": window}})
}

/// A GuardDuty finding of `finding_type` and `severity` titled `title`, joined on an address.
pub fn finding(finding_type: &str, severity: f64, title: &str) -> Value {
    json!({"id": "f1", "finding_type": finding_type, "severity": severity, "title": title,
           "first_seen": "2026-01-01T02:30:00Z", "last_seen": "2026-01-01T05:00:00Z",
           "count": 42, "archived": false,
           "joined_on": [{"on": "address", "value": "203.0.113.9"}],
           "refs": record("guardduty.jsonl", 1)})
}

/// The GuardDuty section.
pub fn guardduty(findings: Vec<Value>, not_joined: u64) -> Value {
    json!({"findings": findings, "not_joined": not_joined, "note": "n"})
}

/// The queries for `name` by the attacker instance.
pub fn dns_query(name: &str) -> Value {
    json!({"query_name": name, "query_types": ["A"], "instances": ["i-0abc"], "count": 2,
           "first": "2026-01-01T02:39:00Z", "last": "2026-01-01T03:39:00Z",
           "refs": record("resolver.log.gz", 3)})
}

/// The DNS section.
pub fn dns(queries: Vec<Value>) -> Value {
    json!({"queries": queries, "records": 4, "first": "2026-01-01T02:26:00Z",
           "last": "2026-01-01T04:00:00Z"})
}

/// The cost section with an estimate of `estimate` USD and a bill of `billed` USD whose
/// period spans the attacker window or not.
pub fn billed_cost(estimate: f64, billed: f64, covers_window: bool) -> Value {
    let mut c = cost(estimate, 0);
    c["actual"] = json!({"items": [{"resource_id": "i-0abc", "region": "us-east-1",
            "product_code": "AmazonEC2", "usage_type": "BoxUsage:c5.4xlarge",
            "currency": "USD", "cost": billed, "usage_amount": 31.0, "line_items": 31,
            "from": "2026-01-01T02:00:00Z", "to": "2026-01-02T09:00:00Z"}],
        "totals": [{"currency": "USD", "cost": billed}], "line_items": 90,
        "period_from": "2026-01-01T00:00:00Z", "period_to": "2026-01-02T10:00:00Z",
        "covers_window": covers_window, "basis": "bill basis"});
    c
}
