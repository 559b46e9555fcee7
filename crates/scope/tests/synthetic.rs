//! Transitive following on a small hand-written trail: leaked key → new user → new key →
//! AssumeRole session → launches, data reads and a snapshot share; a backdoored existing role.
//! The same trail checks that the typed result keeps every key of the document, and that the
//! document does not depend on how workers split the inputs.

use std::io::Write;

use cloudcase_inventory::{Kind, Snapshot};
use cloudcase_model::scope::{Resource, ScopeResult, Verdict};
use cloudcase_read::{discover, Limits, Progress};
use cloudcase_scope::{scope, Options, Subject};
use serde_json::{json, Value};

const ACCT: &str = "111122223333";

#[allow(clippy::too_many_arguments)]
fn rec(
    t: &str,
    src: &str,
    name: &str,
    ip: &str,
    ident: Value,
    req: Value,
    resp: Value,
    ro: bool,
    cat: &str,
    n: usize,
) -> Value {
    json!({
        "eventVersion": "1.09", "eventTime": t, "eventSource": src, "eventName": name,
        "awsRegion": "us-east-1", "sourceIPAddress": ip, "userAgent": format!("aws-cli/2.15.{} Python/3.11", n % 7),
        "userIdentity": ident, "requestParameters": req, "responseElements": resp,
        "eventID": format!("ev-{n}"), "readOnly": ro, "eventCategory": cat,
        "recipientAccountId": ACCT, "eventType": "AwsApiCall",
    })
}

fn user(name: &str, key: &str) -> Value {
    json!({"type": "IAMUser", "arn": format!("arn:aws:iam::{ACCT}:user/{name}"), "accountId": ACCT, "accessKeyId": key, "userName": name, "principalId": "AIDAX"})
}

fn session(role: &str, key: &str) -> Value {
    json!({"type": "AssumedRole", "arn": format!("arn:aws:sts::{ACCT}:assumed-role/{role}/s1"), "accountId": ACCT, "accessKeyId": key,
        "sessionContext": {"sessionIssuer": {"type": "Role", "arn": format!("arn:aws:iam::{ACCT}:role/{role}"), "userName": role}}})
}

fn corpus() -> Vec<Value> {
    let k = "AKIALEAKED0000000001";
    let mut v = Vec::new();
    let mut n = 0;
    let mut push = |r: Value| v.push(r);
    // Two days of history from the owner's network.
    for day in 1..=3 {
        for h in [9, 13, 17] {
            n += 1;
            push(rec(
                &format!("2024-03-0{day}T{h:02}:00:00Z"),
                "s3.amazonaws.com",
                "ListBuckets",
                "10.1.2.3",
                user("ci", k),
                json!({}),
                Value::Null,
                true,
                "Management",
                n,
            ));
            n += 1;
            push(rec(
                &format!("2024-03-0{day}T{h:02}:05:00Z"),
                "s3.amazonaws.com",
                "GetObject",
                "10.1.2.4",
                user("app", "AKIAAPP0000000000001"),
                json!({"bucketName": "customer-data", "key": "a.csv"}),
                Value::Null,
                true,
                "Data",
                n,
            ));
        }
    }
    let a = "203.0.113.5";
    let steps = vec![
        (
            "2024-03-03T20:00:00Z",
            "sts.amazonaws.com",
            "GetCallerIdentity",
            a,
            user("ci", k),
            json!({}),
            Value::Null,
            true,
        ),
        (
            "2024-03-03T20:01:00Z",
            "iam.amazonaws.com",
            "CreateUser",
            a,
            user("ci", k),
            json!({"userName": "backup-adm"}),
            json!({"user": {"userName": "backup-adm"}}),
            false,
        ),
        (
            "2024-03-03T20:02:00Z",
            "iam.amazonaws.com",
            "CreateAccessKey",
            a,
            user("ci", k),
            json!({"userName": "backup-adm"}),
            json!({"accessKey": {"accessKeyId": "AKIANEWKEY0000000001", "userName": "backup-adm"}}),
            false,
        ),
        (
            "2024-03-03T20:03:00Z",
            "iam.amazonaws.com",
            "UpdateAssumeRolePolicy",
            a,
            user("ci", k),
            json!({"roleName": "ops", "policyDocument": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::999988887777:root\"},\"Action\":\"sts:AssumeRole\"}]}"}),
            Value::Null,
            false,
        ),
        (
            "2024-03-03T20:10:00Z",
            "sts.amazonaws.com",
            "AssumeRole",
            "198.51.100.9",
            user("backup-adm", "AKIANEWKEY0000000001"),
            json!({"roleArn": format!("arn:aws:iam::{ACCT}:role/ops"), "roleSessionName": "s1"}),
            json!({"credentials": {"accessKeyId": "ASIASESSION000000001"}, "assumedRoleUser": {"arn": format!("arn:aws:sts::{ACCT}:assumed-role/ops/s1")}}),
            true,
        ),
        (
            "2024-03-03T20:20:00Z",
            "ec2.amazonaws.com",
            "RunInstances",
            "192.0.2.7",
            session("ops", "ASIASESSION000000001"),
            json!({"instanceType": "g4dn.xlarge"}),
            json!({"instancesSet": {"items": [{"instanceId": "i-0abc", "instanceType": "g4dn.xlarge", "imageId": "ami-1"}]}}),
            false,
        ),
        (
            "2024-03-03T20:25:00Z",
            "s3.amazonaws.com",
            "GetObject",
            "192.0.2.7",
            session("ops", "ASIASESSION000000001"),
            json!({"bucketName": "customer-data", "key": "all.csv"}),
            Value::Null,
            true,
        ),
        (
            "2024-03-03T20:30:00Z",
            "ec2.amazonaws.com",
            "ModifySnapshotAttribute",
            "192.0.2.7",
            session("ops", "ASIASESSION000000001"),
            json!({"snapshotId": "snap-1", "createVolumePermission": {"add": {"items": [{"userId": "999988887777"}]}}}),
            Value::Null,
            false,
        ),
        (
            "2024-03-03T20:26:00Z",
            "dynamodb.amazonaws.com",
            "Scan",
            "192.0.2.7",
            session("ops", "ASIASESSION000000001"),
            json!({"tableName": "orders"}),
            Value::Null,
            true,
        ),
        (
            "2024-03-03T20:27:00Z",
            "kms.amazonaws.com",
            "Decrypt",
            "192.0.2.7",
            session("ops", "ASIASESSION000000001"),
            json!({"keyId": "alias/prod", "encryptionAlgorithm": "SYMMETRIC_DEFAULT"}),
            Value::Null,
            true,
        ),
        (
            "2024-03-03T20:28:00Z",
            "rds.amazonaws.com",
            "ModifyDBInstance",
            "192.0.2.7",
            session("ops", "ASIASESSION000000001"),
            json!({"dBInstanceIdentifier": "prod-db", "masterUserPassword": "HIDDEN_DUE_TO_SECURITY_REASONS", "applyImmediately": true}),
            Value::Null,
            false,
        ),
        (
            "2024-03-03T20:29:00Z",
            "secretsmanager.amazonaws.com",
            "GetSecretValue",
            a,
            user("ci", k),
            json!({"secretId": "prod/db"}),
            json!({"errorCode": "AccessDenied"}),
            true,
        ),
        (
            "2024-03-03T20:31:00Z",
            "ec2.amazonaws.com",
            "RequestSpotInstances",
            "192.0.2.7",
            session("ops", "ASIASESSION000000001"),
            json!({"instanceCount": 4, "launchSpecification": {"instanceType": "p3.2xlarge"}}),
            json!({"spotInstanceRequestSet": {"items": [{"spotInstanceRequestId": "sir-1"}]}}),
            false,
        ),
        (
            "2024-03-03T20:32:00Z",
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            "192.0.2.7",
            session("ops", "ASIASESSION000000001"),
            json!({"groupId": "sg-1", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
            Value::Null,
            false,
        ),
        (
            "2024-03-03T20:33:00Z",
            "ec2.amazonaws.com",
            "ImportKeyPair",
            "192.0.2.7",
            session("ops", "ASIASESSION000000001"),
            json!({"keyName": "ops-key"}),
            Value::Null,
            false,
        ),
        (
            "2024-03-03T20:34:00Z",
            "iam.amazonaws.com",
            "AttachUserPolicy",
            a,
            user("ci", k),
            json!({"userName": "backup-adm", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
            Value::Null,
            false,
        ),
        (
            "2024-03-03T20:36:00Z",
            "cloudtrail.amazonaws.com",
            "StopLogging",
            a,
            user("ci", k),
            json!({"name": "main-trail"}),
            Value::Null,
            false,
        ),
        (
            "2024-03-03T20:35:00Z",
            "iam.amazonaws.com",
            "CreateLoginProfile",
            a,
            user("ci", k),
            json!({"userName": "backup-adm"}),
            Value::Null,
            false,
        ),
        (
            "2024-03-03T22:20:00Z",
            "ec2.amazonaws.com",
            "TerminateInstances",
            "10.9.9.9",
            user("admin", "AKIAADMIN00000000001"),
            json!({"instancesSet": {"items": [{"instanceId": "i-0abc"}]}}),
            Value::Null,
            false,
        ),
    ];
    for (t, src, name, ip, ident, req, resp, ro) in steps {
        n += 1;
        let cat = if matches!(name, "GetObject" | "Scan") {
            "Data"
        } else {
            "Management"
        };
        let mut r = rec(t, src, name, ip, ident, req, resp, ro, cat, n);
        if name == "GetSecretValue" {
            r["errorCode"] = json!("AccessDeniedException");
            r["responseElements"] = Value::Null;
        }
        push(r);
    }
    v
}

/// How to scope the corpus.
struct Run {
    subject: Subject,
    threads: usize,
    /// The corpus is dealt over this many files, record by record.
    files: usize,
    inventory: Vec<Snapshot>,
}

/// Writes the corpus into `dir`, dealt over `files` files record by record.
fn write_corpus(dir: &std::path::Path, files: usize) {
    write_records(dir, &corpus(), files);
}

/// Writes `records` into `dir`, dealt over `files` files record by record.
fn write_records(dir: &std::path::Path, records: &[Value], files: usize) {
    let mut out: Vec<_> = (0..files)
        .map(|i| std::fs::File::create(dir.join(format!("trail-{i}.jsonl"))).unwrap())
        .collect();
    for (i, r) in records.iter().enumerate() {
        writeln!(out[i % files], "{r}").unwrap();
    }
}

/// Scopes the trail files in `dir`.
fn scope_dir(dir: &std::path::Path, run: Run) -> ScopeResult {
    let inputs = discover(&[dir.to_path_buf()], &|_| {}).unwrap();
    let opts = Options {
        subject: run.subject,
        owner: vec![],
        threads: run.threads,
        limits: Limits::default(),
        case_id: "t1".into(),
        inventory: run.inventory,
        candidate_memory: cloudcase_scope::DEFAULT_CANDIDATE_MEMORY,
        temp_dir: None,
    };
    scope(&inputs.files, &opts, &|_| {}, &Progress::default())
        .unwrap()
        .result
}

/// Scopes the hand-written corpus.
fn scope_corpus(run: Run) -> ScopeResult {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path(), run.files);
    scope_dir(dir.path(), run)
}

/// Scopes the hand-written corpus from `subject`, as JSON.
fn run(subject: Subject) -> Value {
    let result = scope_corpus(Run {
        subject,
        threads: 2,
        files: 1,
        inventory: Vec::new(),
    });
    serde_json::to_value(&result).unwrap()
}

fn verdicts(d: &Value) -> Vec<(String, String, String)> {
    d["data_access"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            let f = |k: &str| x[k].as_str().unwrap_or("").to_owned();
            (f("store"), f("name"), f("verdict"))
        })
        .collect()
}

#[test]
fn verdicts_cover_every_kind_of_store() {
    let d = run(Subject::AccessKey("AKIALEAKED0000000001".into()));
    let v = verdicts(&d);
    let has = |store: &str, name: &str, verdict: &str| {
        v.contains(&(store.to_owned(), name.to_owned(), verdict.to_owned()))
    };
    assert!(has("dynamodb_table", "orders", "ACCESSED"), "{v:?}");
    assert!(has("kms_key", "alias/prod", "ACCESSED"), "{v:?}");
    // A master-password reset opens the database; reads through its engine are never logged.
    assert!(has("rds_instance", "prod-db", "UNKNOWN"), "{v:?}");
    let db = d["data_access"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "prod-db")
        .unwrap();
    assert!(db["basis"].as_str().unwrap().contains("opened a way"));
    // Refused read, read management events logged in the region: not observed.
    assert!(has("secret", "prod/db", "NOT_OBSERVED"), "{v:?}");
    let secret = d["data_access"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "prod/db")
        .unwrap();
    assert_eq!(secret["attacker_failed_reads"], 1);
    assert!(d["unknowns"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["question"].as_str().unwrap().contains("prod-db")));
    let spot = d["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "spot_request")
        .unwrap();
    assert_eq!(spot["request_ids"], json!(["sir-1"]));
    assert_eq!(spot["instance_type"], "p3.2xlarge");
    assert_eq!(spot["count"], 4);
}

#[test]
fn activity_separates_the_attacker() {
    let d = run(Subject::AccessKey("AKIALEAKED0000000001".into()));
    let a = &d["activity"];
    assert_eq!(a["bucket_ms"], 3_600_000);
    let east = a["by_region"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == "us-east-1")
        .unwrap();
    let sum = |k: &str| -> u64 {
        east[k]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap())
            .sum()
    };
    // Every event of the corpus is counted once, the attacker's apart.
    assert_eq!(sum("attacker") + sum("other"), corpus().len() as u64);
    assert!(sum("attacker") >= 12, "{}", sum("attacker"));
    let ids = a["by_identity"].as_array().unwrap();
    assert_eq!(ids[0]["attacker"], true);
}

#[test]
fn a_key_that_never_departs_gets_a_report_saying_so() {
    let d = run(Subject::AccessKey("AKIAAPP0000000000001".into()));
    assert!(d["intrusion"]["first_attacker_event"].is_null());
    assert_eq!(d["intrusion"]["finding"], "no_departure");
    assert_eq!(d["subject"]["events"], 9);
    assert_eq!(d["subject"]["history"]["sources"][0]["ip"], "10.1.2.4");
    assert!(d["unknowns"][0]["why"]
        .as_str()
        .unwrap()
        .contains("not excluded"));
    for key in [
        "attacker_sources",
        "resources",
        "data_access",
        "cost",
        "containment",
    ] {
        assert!(d.get(key).is_some(), "{key}");
    }
}

#[test]
fn follows_keys_sessions_and_data() {
    let d = run(Subject::AccessKey("AKIALEAKED0000000001".into()));
    assert_eq!(
        d["intrusion"]["first_attacker_event"],
        "2024-03-03T20:00:00.000Z"
    );
    let ips: Vec<&str> = d["attacker_sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["ip"].as_str().unwrap())
        .collect();
    assert_eq!(ips, ["192.0.2.7", "198.51.100.9", "203.0.113.5"]);
    assert!(!ips.contains(&"10.9.9.9"));
    let roles = d["identities"]["roles"].as_array().unwrap();
    assert_eq!(roles[0]["origin"], "backdoored");
    assert_eq!(roles[0]["trust"]["accounts"], json!(["999988887777"]));
    let s = &d["sessions"][0];
    assert_eq!(s["session_access_key"], "ASIASESSION000000001");
    assert_eq!(s["used_from"][0]["ip"], "192.0.2.7");
    let inst = d["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "instance")
        .unwrap();
    assert_eq!(inst["instance_id"], "i-0abc");
    assert_eq!(inst["terminated"], "2024-03-03T22:20:00.000Z");
    assert_eq!(inst["state_changes"][0]["by"], "responder");
    let data: Vec<(&str, &str)> = d["data_access"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["name"].as_str().unwrap(), x["verdict"].as_str().unwrap()))
        .collect();
    assert!(data.contains(&("customer-data", "ACCESSED")), "{data:?}");
    assert!(data.contains(&("snap-1", "ACCESSED")), "{data:?}");
    // Two hours of g4dn.xlarge.
    let cost = d["cost"]["total_hours"].as_f64().unwrap();
    assert!((cost - 2.0).abs() < 0.01, "{cost}");
    let findings = &d["containment"]["findings"];
    assert_eq!(findings["shared_images"][0]["id"], "snap-1");
    assert!(findings["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["name"] == "backup-adm"));
}

/// Inventory snapshots that know some of the attacker's identities and resources.
fn snapshots() -> Vec<Snapshot> {
    let regions = vec!["us-east-1".to_owned()];
    let account = Some(ACCT.to_owned());
    let mut ec2 = Snapshot::new(
        Kind::Ec2,
        "2024-03-05T00:00:00Z".into(),
        account.clone(),
        regions.clone(),
    );
    let mut iam = Snapshot::new(Kind::Iam, "2024-03-05T00:00:00Z".into(), account, regions);
    if let Some(inv) = ec2.ec2.as_mut() {
        inv.key_pairs.push(cloudcase_inventory::KeyPair {
            name: "ops-key".into(),
            region: "us-east-1".into(),
            ..Default::default()
        });
    }
    if let Some(inv) = iam.iam.as_mut() {
        inv.users.push(cloudcase_inventory::User {
            name: "backup-adm".into(),
            access_keys: vec![cloudcase_inventory::AccessKey {
                id: "AKIANEWKEY0000000001".into(),
                status: Some("Active".into()),
                ..Default::default()
            }],
            ..Default::default()
        });
    }
    vec![ec2, iam]
}

/// The typed result written as JSON reads back into the types with no key missing and none
/// unknown (every struct denies unknown fields), and writes the same JSON again: the types
/// describe the whole document as the pipeline produces it.
#[test]
fn the_typed_result_round_trips_with_every_key() {
    let result = scope_corpus(Run {
        subject: Subject::AccessKey("AKIALEAKED0000000001".into()),
        threads: 2,
        files: 3,
        inventory: snapshots(),
    });
    // The result exercises every section.
    let ids = &result.identities;
    assert!(!ids.users.is_empty() && !ids.access_keys.is_empty() && !ids.roles.is_empty());
    assert!(ids.users[0].now.is_some() && ids.users[0].login_profile.is_some());
    assert!(!result.sessions.is_empty() && !result.permission_changes.is_empty());
    let kinds: Vec<&str> = result.resources.iter().map(Resource::kind).collect();
    for kind in [
        "instance",
        "spot_request",
        "security_group_ingress",
        "key_pair",
        "snapshot_share",
    ] {
        assert!(kinds.contains(&kind), "{kinds:?}");
    }
    let verdicts: Vec<Verdict> = result.data_access.iter().map(|d| d.verdict).collect();
    for v in [Verdict::Accessed, Verdict::NotObserved, Verdict::Unknown] {
        assert!(verdicts.contains(&v), "{verdicts:?}");
    }
    assert!(!result.unknowns.is_empty() && !result.responder_actions.is_empty());
    let value = serde_json::to_value(&result).unwrap();
    let back: ScopeResult = match serde_json::from_value(value.clone()) {
        Ok(r) => r,
        Err(e) => panic!("the document does not read back: {e}"),
    };
    assert_eq!(serde_json::to_value(&back).unwrap(), value);
    // The no-departure document too.
    let quiet = scope_corpus(Run {
        subject: Subject::AccessKey("AKIAAPP0000000000001".into()),
        threads: 2,
        files: 1,
        inventory: Vec::new(),
    });
    let value = serde_json::to_value(&quiet).unwrap();
    let back: ScopeResult = serde_json::from_value(value.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), value);
}

/// The document is the same however many workers read the inputs, and from run to run: no
/// hash-map order, worker split or arrival order reaches it.
#[test]
fn the_document_is_the_same_for_any_number_of_workers() {
    let dir = tempfile::tempdir().unwrap();
    write_corpus(dir.path(), 7);
    let text = |threads| {
        let run = Run {
            subject: Subject::AccessKey("AKIALEAKED0000000001".into()),
            threads,
            files: 7,
            inventory: snapshots(),
        };
        serde_json::to_string_pretty(&scope_dir(dir.path(), run)).unwrap()
    };
    let one = text(1);
    for threads in [4, 4, 3] {
        let other = text(threads);
        let first_difference = one
            .lines()
            .zip(other.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b);
        assert_eq!(first_difference, None, "{threads} workers");
        assert_eq!(other, one);
    }
}

/// The document without its record references (which name files and record indexes).
fn without_refs(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, _)| k != "refs")
                .map(|(k, x)| (k, without_refs(x)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(without_refs).collect()),
        other => other,
    }
}

/// Records arriving in another order (reversed, dealt over other files) give the same document
/// apart from where each record is: first and last uses, user agents and event names kept are
/// the earliest by time, not the first to arrive.
#[test]
fn the_document_does_not_depend_on_the_order_of_records() {
    let document = |records: Vec<Value>, files: usize| {
        let dir = tempfile::tempdir().unwrap();
        write_records(dir.path(), &records, files);
        let run = Run {
            subject: Subject::AccessKey("AKIALEAKED0000000001".into()),
            threads: 2,
            files,
            inventory: snapshots(),
        };
        without_refs(serde_json::to_value(scope_dir(dir.path(), run)).unwrap())
    };
    let forward = document(corpus(), 1);
    let reversed = document(corpus().into_iter().rev().collect(), 1);
    assert_eq!(reversed, forward);
    let dealt = document(corpus().into_iter().rev().collect(), 5);
    assert_eq!(dealt, forward);
}

/// Every object key anywhere in `v`.
fn keys_in(v: &Value, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                out.insert(k.clone());
                keys_in(x, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| keys_in(x, out)),
        _ => {}
    }
}

/// The rows of the README's `| key | content |` schema table: (top-level key, content).
fn schema_rows() -> Vec<(String, String)> {
    let readme = include_str!("../README.md");
    let (_, table) = readme
        .split_once("## JSON schema")
        .expect("a JSON schema section");
    table
        .lines()
        .skip_while(|l| !l.starts_with("| key |"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let row = l.trim().trim_start_matches('|').trim_end_matches('|');
            let (key, content) = row.split_once('|').expect("two columns");
            (
                key.trim().trim_matches('`').to_owned(),
                content.trim().to_owned(),
            )
        })
        .collect()
}

/// Drops `( … )` groups (values and remarks), `[ … ]` groups without braces (placeholders such
/// as `[source…]`), and the words `or null`.
fn strip_remarks(shape: &str) -> String {
    let mut out = String::new();
    let mut paren = 0;
    let mut chars = shape.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' => paren += 1,
            ')' => paren -= 1,
            '[' if paren == 0 => {
                let rest: String = chars.clone().take_while(|c| *c != ']').collect();
                if rest.contains('{') {
                    out.push(c);
                } else {
                    for _ in 0..=rest.chars().count() {
                        chars.next();
                    }
                }
            }
            _ if paren == 0 => out.push(c),
            _ => {}
        }
    }
    out.replace(" or null", "")
}

/// Adds what logs beyond CloudTrail add to a document — buckets decided by S3 server access
/// logs, the `network`, `guardduty` and `dns` sections and `cost.actual` — from the incident fixture that
/// holds all of them (`tests/fixtures/scope_incident` of the workspace).
fn with_other_logs(doc: &mut Value) {
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/scope_incident");
    let other = scope_dir(
        &fixture,
        Run {
            subject: Subject::AccessKey("AKIAQ3EGCIDEPLOY0001".into()),
            threads: 2,
            files: 1,
            inventory: Vec::new(),
        },
    );
    let other = serde_json::to_value(&other).unwrap();
    for key in ["network", "guardduty", "dns"] {
        assert!(other[key].is_object(), "the fixture yields {key}");
        doc[key] = other[key].clone();
    }
    assert!(
        other["cost"]["actual"].is_object(),
        "the fixture yields cost.actual"
    );
    doc["cost"]["actual"] = other["cost"]["actual"].clone();
    let logged = other["data_access"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d.get("access_log_reads").is_some())
        .cloned();
    doc["data_access"].as_array_mut().unwrap().extend(logged);
}

/// The README's schema table against the serialized type, both ways for the top-level keys.
/// For each row, every field name the content column names in backticks must be a key somewhere
/// in that section of a full result (an `--auto` run with inventory snapshots, countries and a
/// `started_from`, so that every optional key is present) or of a no-departure result. Which
/// backticked words are field names:
/// - a shape in backticks (`{…}` or `[{…}]`): every identifier in it, after dropping `( … )`
///   groups (they list values or remarks), `[ … ]` placeholders without braces (`[source…]`),
///   `or null`, and map placeholders written `{name: …}` (the identifier before a colon);
/// - a single snake_case word: a field name unless it is a value of the closed vocabulary the
///   row documents (subject kinds, methods, resource kinds), taken from the model's types;
/// - anything else (paths such as `cloudcase_model::cost::Cost`, event names in
///   CamelCase, `scope-<subject>`, `--auto`, `aws:iam`): prose, not checked.
#[test]
fn the_readme_schema_table_matches_the_type() {
    use cloudcase_model::scope::{
        Confidence, Containment, Finding, Method, StartedFrom, SubjectKind,
    };
    let mut result = scope_corpus(Run {
        subject: Subject::Auto,
        threads: 2,
        files: 1,
        inventory: snapshots(),
    });
    assert!(!result.subject.auto_ranking.is_empty());
    let lookup = |_: &str| Some("ZZ".to_owned());
    cloudcase_scope::annotate_countries(&mut result, Some(&lookup));
    result.subject.started_from = Some(StartedFrom {
        instance: "i-0abc".into(),
        launched: "2024-03-03T20:20:00.000Z".into(),
        access_key: None,
        principal: None,
        source_ip: None,
        region: None,
        refs: Vec::new(),
    });
    let mut doc = serde_json::to_value(&result).unwrap();
    with_other_logs(&mut doc);
    let mut quiet = scope_corpus(Run {
        subject: Subject::AccessKey("AKIAAPP0000000000001".into()),
        threads: 2,
        files: 1,
        inventory: Vec::new(),
    });
    cloudcase_scope::annotate_countries(&mut quiet, Some(&lookup));
    let quiet = serde_json::to_value(&quiet).unwrap();
    let rows = schema_rows();
    let documented: std::collections::BTreeSet<&str> =
        rows.iter().map(|(k, _)| k.as_str()).collect();
    let actual: std::collections::BTreeSet<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(documented, actual, "README table keys vs ScopeResult");
    let mut vocabulary: Vec<String> = SubjectKind::ALL
        .iter()
        .map(|k| k.as_str().to_owned())
        .collect();
    vocabulary.extend(Method::ALL.iter().map(|m| m.as_str().to_owned()));
    vocabulary.extend(Confidence::ALL.iter().map(|c| c.as_str().to_owned()));
    vocabulary.extend(
        cloudcase_judge::IdentityKind::ALL
            .iter()
            .map(|k| k.as_str().to_owned()),
    );
    vocabulary.extend(Resource::KINDS.iter().map(|k| (*k).to_owned()));
    vocabulary.push(
        serde_json::to_value(Finding::NoDeparture)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned(),
    );
    let failed_plan = Containment {
        findings: Default::default(),
        plan: None,
        script: None,
        error: Some("e".into()),
    };
    for (section, content) in &rows {
        let mut keys = std::collections::BTreeSet::new();
        keys_in(&doc[section.as_str()], &mut keys);
        keys_in(&quiet[section.as_str()], &mut keys);
        if section == "containment" {
            keys_in(&serde_json::to_value(&failed_plan).unwrap(), &mut keys);
        }
        let ticked: Vec<&str> = content.split('`').skip(1).step_by(2).collect();
        for token in ticked {
            let is_word = |w: &str| {
                w.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                    && w.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            };
            let names: Vec<String> = if token.contains('{') {
                let shape = strip_remarks(token);
                let mut names = Vec::new();
                let mut word = String::new();
                for c in shape.chars().chain(std::iter::once(' ')) {
                    if c.is_ascii_alphanumeric() || c == '_' {
                        word.push(c);
                    } else {
                        if !word.is_empty() && c != ':' {
                            names.push(std::mem::take(&mut word));
                        }
                        word.clear();
                    }
                }
                names
            } else if is_word(token) && !vocabulary.iter().any(|v| v == token) {
                vec![token.to_owned()]
            } else {
                Vec::new()
            };
            for name in names {
                assert!(
                    keys.contains(&name),
                    "README names `{name}` under `{section}` (in `{token}`), which the serialized result does not have"
                );
            }
        }
    }
}
