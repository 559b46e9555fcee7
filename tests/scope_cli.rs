//! `cloudcase scope` end to end on generated incidents: one without S3 data events, one with.

mod common;
use common::cloudcase;

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Mutex;

use serde_json::Value;

fn incident(dir: &Path, seed: u64, data_events: bool) -> cloudcase_gen::IncidentTruth {
    let truth = cloudcase_gen::generate(&cloudcase_gen::Config {
        seed,
        out_dir: dir.to_path_buf(),
        target_bytes: 3_000_000,
        days: 21,
        incident: true,
        data_events,
        ..cloudcase_gen::Config::default()
    })
    .unwrap();
    truth.incident.unwrap()
}

fn scope_json(args: &[&str]) -> Value {
    let out = cloudcase(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON object")
}

fn strings(v: &Value, key: &str) -> BTreeSet<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_str().unwrap().to_owned())
        .collect()
}

/// Every `refs` array anywhere in the document holds `{file, record, event_id}` objects.
fn check_refs(v: &Value, seen: &mut usize) {
    match v {
        Value::Object(m) => {
            if let Some(refs) = m.get("refs") {
                for r in refs.as_array().expect("refs is an array") {
                    assert!(r["file"].is_string() && r["record"].is_u64(), "{r}");
                    assert!(r.get("event_id").is_some(), "{r}");
                    *seen += 1;
                }
            }
            m.values().for_each(|x| check_refs(x, seen));
        }
        Value::Array(a) => a.iter().for_each(|x| check_refs(x, seen)),
        _ => {}
    }
}

/// Launch and termination time of an instance, ms.
type Span = (Option<i64>, Option<i64>);

/// Instance-hours × built-in list price, computed independently from the raw logs: each truth
/// instance from its RunInstances to its TerminateInstances (or the end of the logs).
fn expected_cost(dir: &Path, truth: &cloudcase_gen::IncidentTruth) -> f64 {
    let inputs = cloudcase_read::discover(&[dir.to_path_buf()], &|_| {}).unwrap();
    let times: Mutex<HashMap<String, Span>> = Mutex::default();
    let end = Mutex::new(0i64);
    let sinks: Vec<_> = (0..2)
        .map(|_| {
            |ev: cloudcase_event::Event| {
                let ms = ev.time.millis();
                {
                    let mut e = end.lock().unwrap();
                    *e = (*e).max(ms);
                }
                let launch = ev.event_name == "RunInstances";
                if !(launch || ev.event_name == "TerminateInstances") || ev.error_code.is_some() {
                    return;
                }
                for i in &truth.instances {
                    if ev.raw.contains(&format!("\"{}\"", i.instance_id)) {
                        let mut t = times.lock().unwrap();
                        let e = t.entry(i.instance_id.clone()).or_default();
                        if launch {
                            e.0 = Some(ms);
                        } else {
                            e.1 = Some(ms);
                        }
                    }
                }
            }
        })
        .collect();
    cloudcase_read::read_files(
        &inputs.files,
        cloudcase_read::Limits::default(),
        sinks,
        &|_| {},
    );
    let csv = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/pricing/data/ec2-ondemand-linux.csv"),
    )
    .unwrap();
    let price = |region: &str, itype: &str| {
        csv.lines().find_map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f.len() == 3 && f[0] == region && f[1] == itype).then(|| f[2].parse::<f64>().unwrap())
        })
    };
    let times = times.into_inner().unwrap();
    let end = end.into_inner().unwrap();
    truth
        .instances
        .iter()
        .filter_map(|i| {
            let (start, stop) = times[&i.instance_id];
            let hours = (stop.unwrap_or(end) - start.unwrap()) as f64 / 3_600_000.0;
            price(&i.region, &i.instance_type).map(|p| p * hours)
        })
        .sum()
}

#[test]
fn leaked_key_without_data_events() {
    let dir = tempfile::tempdir().unwrap();
    let truth = incident(dir.path(), 21, false);
    let d = dir.path().to_str().unwrap();
    let doc = scope_json(&[
        "scope",
        d,
        "--access-key",
        &truth.access_key_id,
        "--format",
        "json",
    ]);

    let keys: BTreeSet<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let want: BTreeSet<&str> = [
        "subject",
        "intrusion",
        "attacker_sources",
        "identities",
        "sessions",
        "permission_changes",
        "resources",
        "responder_actions",
        "data_access",
        "coverage",
        "cost",
        "containment",
        "unknowns",
    ]
    .into_iter()
    .collect();
    // The contract is "at least these keys"; `activity` (charts) is one more.
    assert!(want.is_subset(&keys), "{want:?} ⊄ {keys:?}");

    // Since when: the first attacker event to the second.
    assert_eq!(
        doc["intrusion"]["first_attacker_event_ms"].as_i64(),
        Some(truth.first_attacker_event_time * 1000)
    );
    // From where.
    let ips = strings(&doc["attacker_sources"], "ip");
    let want_ips: BTreeSet<String> = truth.attacker_ips.iter().cloned().collect();
    assert_eq!(ips, want_ips);
    assert!(!ips.contains(&truth.responder_ip));

    // What the attacker created.
    let id = &doc["identities"];
    let users = strings(&id["users"], "name");
    assert_eq!(users, truth.created_users.iter().cloned().collect());
    let created_keys = strings(&id["access_keys"], "access_key");
    assert_eq!(
        created_keys,
        truth.created_access_keys.iter().cloned().collect()
    );
    let roles = strings(&id["roles"], "name");
    assert_eq!(roles, truth.created_roles.iter().cloned().collect());
    for r in id["roles"].as_array().unwrap() {
        assert!(
            r["trust"]["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|a| a == truth.external_account_id.as_str()),
            "{r}"
        );
    }
    // The created key was used from the attacker's third address too.
    let used: BTreeSet<String> = strings(&id["access_keys"][0]["used_from"], "ip");
    assert!(used.iter().all(|ip| want_ips.contains(ip)) && !used.is_empty());

    let instances: BTreeSet<(String, String, String)> = doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "instance")
        .map(|r| {
            (
                r["instance_id"].as_str().unwrap().to_owned(),
                r["region"].as_str().unwrap().to_owned(),
                r["instance_type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want_instances: BTreeSet<(String, String, String)> = truth
        .instances
        .iter()
        .map(|i| {
            (
                i.instance_id.clone(),
                i.region.clone(),
                i.instance_type.clone(),
            )
        })
        .collect();
    assert_eq!(instances, want_instances);

    // The responder's containment is not the attacker's.
    let responder_arn = format!(":user/{}", truth.responder_user_name);
    for p in doc["permission_changes"].as_array().unwrap() {
        if p["by"]["arn"]
            .as_str()
            .is_some_and(|a| a.ends_with(&responder_arn))
            || p["by"]["ip"] == truth.responder_ip.as_str()
        {
            assert_ne!(p["attribution"], "attacker", "{p}");
        }
    }
    let responder: Vec<&Value> = doc["responder_actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["by"]["ip"] == truth.responder_ip.as_str())
        .collect();
    assert!(
        responder.iter().any(|r| r["event"] == "UpdateAccessKey")
            && responder
                .iter()
                .filter(|r| r["event"] == "TerminateInstances")
                .count()
                == 3,
        "{responder:?}"
    );
    assert!(responder
        .iter()
        .all(|r| r["time"].as_str().unwrap() >= "0" && r["attribution"] == "responder"));
    for r in doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "instance")
    {
        assert_eq!(r["exists_at_end_of_logs"], false, "{r}");
    }

    // No data events: customer buckets are UNKNOWN, and the unknowns say what would resolve it.
    let buckets: Vec<&Value> = doc["data_access"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["store"] == "s3_bucket")
        .collect();
    assert!(!buckets.is_empty());
    assert!(
        buckets.iter().all(|b| b["verdict"] == "UNKNOWN"),
        "{buckets:?}"
    );
    assert!(doc["unknowns"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["would_resolve"].as_str().unwrap().contains("data events")));
    assert_eq!(doc["coverage"]["categories"].get("Data"), None);

    // Cost within 10 % of instance-hours × list price.
    let want_cost = expected_cost(dir.path(), &truth);
    let got = doc["cost"]["total_usd"].as_f64().unwrap();
    assert!(want_cost > 0.0);
    assert!(
        (got - want_cost).abs() <= 0.1 * want_cost,
        "cost {got} vs {want_cost}"
    );

    // Containment covers the attacker's user and role; every item points to raw records.
    let plan = serde_json::to_string(&doc["containment"]["findings"]).unwrap();
    for u in &truth.created_users {
        assert!(plan.contains(u.as_str()));
    }
    assert!(doc["containment"]["script"]
        .as_str()
        .unwrap()
        .contains("aws "));
    let mut refs = 0;
    check_refs(&doc, &mut refs);
    assert!(refs > 20);

    // --auto finds the same key; the summaries render.
    let auto = scope_json(&["scope", d, "--auto", "--format", "json"]);
    assert_eq!(auto["subject"]["value"], truth.access_key_id.as_str());
    assert_eq!(
        auto["intrusion"]["first_attacker_event_ms"],
        doc["intrusion"]["first_attacker_event_ms"]
    );
    for format in ["table", "md"] {
        let out = cloudcase(&[
            "scope",
            d,
            "--access-key",
            &truth.access_key_id,
            "--format",
            format,
            "--tz",
            "Asia/Tokyo",
        ]);
        assert!(out.status.success());
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains(&truth.created_users[0]) && text.contains("+09:00"),
            "{text}"
        );
    }
}

#[test]
fn leaked_key_with_data_events() {
    let dir = tempfile::tempdir().unwrap();
    let truth = incident(dir.path(), 5, true);
    let d = dir.path().to_str().unwrap();
    let doc = scope_json(&[
        "scope",
        d,
        "--access-key",
        &truth.access_key_id,
        "--format",
        "json",
    ]);
    assert_eq!(
        doc["intrusion"]["first_attacker_event_ms"].as_i64(),
        Some(truth.first_attacker_event_time * 1000)
    );
    let covered: BTreeSet<String> = strings(&doc["coverage"]["data_event_buckets"], "bucket");
    assert!(!covered.is_empty());
    // The attacker listed buckets but read no object: buckets whose data events cover the window
    // are NOT OBSERVED, never ACCESSED.
    for b in doc["data_access"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["store"] == "s3_bucket")
    {
        let in_window = b["coverage"]["data_events_in_window"].as_u64().unwrap();
        let want = if in_window > 0 {
            "NOT_OBSERVED"
        } else {
            "UNKNOWN"
        };
        assert_eq!(b["verdict"], want, "{b}");
    }
    assert!(doc["data_access"]
        .as_array()
        .unwrap()
        .iter()
        .any(|b| b["verdict"] == "NOT_OBSERVED" && b["store"] == "s3_bucket"));
    // Secrets the attacker tried (denied) are not ACCESSED.
    assert!(doc["data_access"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["store"] == "secret")
        .all(|x| x["verdict"] != "ACCESSED"));
}

#[test]
fn ip_subject_and_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let truth = incident(dir.path(), 21, false);
    let d = dir.path().to_str().unwrap();
    let doc = scope_json(&[
        "scope",
        d,
        "--ip",
        &truth.attacker_ips[0],
        "--format",
        "json",
    ]);
    assert_eq!(
        doc["intrusion"]["first_attacker_event_ms"].as_i64(),
        Some(truth.first_attacker_event_time * 1000)
    );
    assert_eq!(
        strings(&doc["identities"]["users"], "name"),
        truth.created_users.iter().cloned().collect()
    );
    // A subject is required, and an unknown key is an error, not an empty report.
    assert!(!cloudcase(&["scope", d]).status.success());
    let out = cloudcase(&["scope", d, "--access-key", "AKIANOTINTHELOGS000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no event"));
}

#[test]
fn instance_subject_scopes_the_key_that_launched_it() {
    let dir = tempfile::tempdir().unwrap();
    let truth = incident(dir.path(), 33, false);
    let instance = &truth.instances[0];
    let d = dir.path().to_str().unwrap();
    let doc = scope_json(&[
        "scope",
        d,
        "--instance",
        &instance.instance_id,
        "--format",
        "json",
    ]);
    assert_eq!(doc["subject"]["value"], truth.access_key_id.as_str());
    let started = &doc["subject"]["started_from"];
    assert_eq!(started["instance"], instance.instance_id.as_str());
    assert_eq!(started["region"], instance.region.as_str());
    assert_eq!(started["refs"].as_array().unwrap().len(), 1);
    let missing = cloudcase(&["scope", d, "--instance", "i-0000000000000dead"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no successful RunInstances"));
}

/// Inventory snapshots (as `acquire aws:ec2|aws:iam` writes them) say what exists now; a geo-IP
/// database gives the attacker's countries.
#[test]
fn inventory_snapshots_and_countries() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let truth = incident(&logs, 11, false);
    let (live, gone) = (&truth.instances[0], &truth.instances[1..]);
    let ec2 = serde_json::json!({
        "cloudcase_inventory": 1, "kind": "aws:ec2", "taken": "2030-01-01T00:00:00Z",
        "account": "111122223333", "regions": truth.attacker_regions, "errors": [],
        "ec2": {"instances": [{"id": live.instance_id, "region": live.region, "state": "running"}]},
        "iam": null,
    });
    let iam = serde_json::json!({
        "cloudcase_inventory": 1, "kind": "aws:iam", "taken": "2030-01-01T00:00:00Z",
        "account": "111122223333", "regions": ["us-east-1"], "errors": [], "ec2": null,
        "iam": {"users": [{"name": truth.created_users[0], "arn": "arn:aws:iam::111122223333:user/x",
                           "attached_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"]}]},
    });
    let (ec2_file, iam_file) = (dir.path().join("ec2.json"), dir.path().join("iam.json"));
    std::fs::write(&ec2_file, ec2.to_string()).unwrap();
    std::fs::write(&iam_file, iam.to_string()).unwrap();
    let mut args = vec![
        "scope",
        logs.to_str().unwrap(),
        "--access-key",
        &truth.access_key_id,
        "--format",
        "json",
        "--inventory",
        ec2_file.to_str().unwrap(),
        "--inventory",
        iam_file.to_str().unwrap(),
    ];
    let geo = std::env::var("CLOUDCASE_TEST_GEOIP").ok();
    if let Some(db) = &geo {
        args.extend(["--geoip", db.as_str()]);
    }
    let doc = scope_json(&args);
    let instances: Vec<&Value> = doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["kind"] == "instance")
        .collect();
    for i in &instances {
        let want = i["instance_id"] == live.instance_id.as_str();
        assert_eq!(i["exists_now"]["exists"], want, "{i}");
        assert_eq!(i["exists_now"]["snapshot_taken"], "2030-01-01T00:00:00Z");
    }
    assert_eq!(instances.len(), gone.len() + 1);
    let users = doc["identities"]["users"].as_array().unwrap();
    let first = users
        .iter()
        .find(|u| u["name"] == truth.created_users[0].as_str())
        .unwrap();
    assert_eq!(first["now"]["exists"], true);
    assert_eq!(doc["coverage"]["inventory"].as_array().unwrap().len(), 2);
    match geo {
        Some(_) => {
            let countries = doc["intrusion"]["attacker_countries"].as_object().unwrap();
            assert!(!countries.is_empty(), "{countries:?}");
        }
        None => println!("SKIPPED (countries part): CLOUDCASE_TEST_GEOIP not set"),
    }
}

/// A file given as an inventory snapshot that is not one is refused by name, not skipped.
#[test]
fn a_bad_inventory_snapshot_is_a_located_error() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let truth = incident(&logs, 12, false);
    let bad = dir.path().join("not-a-snapshot.json");
    std::fs::write(&bad, r#"{"Records": []}"#).unwrap();
    let out = cloudcase(&[
        "scope",
        logs.to_str().unwrap(),
        "--access-key",
        &truth.access_key_id,
        "--inventory",
        bad.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not-a-snapshot.json") && err.contains("not a cloudcase inventory snapshot"),
        "{err}"
    );
}

/// One CloudTrail record of the quiet trail below.
fn quiet_record(n: usize, time: &str, name: &str, request: Value, response: Value) -> Value {
    let iam = name != "ListBuckets";
    serde_json::json!({
        "eventVersion": "1.09", "eventTime": time,
        "eventSource": if iam { "iam.amazonaws.com" } else { "s3.amazonaws.com" },
        "eventName": name, "awsRegion": "us-east-1", "sourceIPAddress": "198.51.100.20",
        "userAgent": "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0",
        "userIdentity": {"type": "IAMUser", "principalId": "AIDAOPS", "arn": "arn:aws:iam::111122223333:user/ops",
                         "accountId": "111122223333", "accessKeyId": "AKIAOPS0000000000001", "userName": "ops"},
        "requestParameters": request, "responseElements": response, "requestID": format!("req-{n}"),
        "eventID": format!("ev-{n}"), "readOnly": !iam, "eventType": "AwsApiCall", "managementEvent": true,
        "recipientAccountId": "111122223333", "eventCategory": "Management",
    })
}

/// A key that never departs from its history: exit status 0, its activity listed and labelled
/// unattributed in every format.
#[test]
fn a_named_key_without_departure_gets_its_activity_unattributed() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let mut f = std::fs::File::create(dir.path().join("trail.jsonl")).unwrap();
    let mut n = 0;
    for day in 1..=3 {
        for h in [8, 12, 16] {
            n += 1;
            let t = format!("2024-03-0{day}T{h:02}:00:00Z");
            let r = quiet_record(n, &t, "ListBuckets", serde_json::json!({}), Value::Null);
            writeln!(f, "{r}").unwrap();
        }
    }
    let created = [
        (
            "CreateUser",
            serde_json::json!({"userName": "svc-backup"}),
            serde_json::json!({"user": {"userName": "svc-backup", "arn": "arn:aws:iam::111122223333:user/svc-backup"}}),
        ),
        (
            "CreateAccessKey",
            serde_json::json!({"userName": "svc-backup"}),
            serde_json::json!({"accessKey": {"accessKeyId": "AKIASVC0000000000001", "userName": "svc-backup", "status": "Active"}}),
        ),
    ];
    for (i, (name, req, resp)) in created.into_iter().enumerate() {
        let r = quiet_record(100 + i, &format!("2024-03-02T10:0{i}:00Z"), name, req, resp);
        writeln!(f, "{r}").unwrap();
    }
    drop(f);
    let d = dir.path().to_str().unwrap();
    let doc = scope_json(&[
        "scope",
        d,
        "--access-key",
        "AKIAOPS0000000000001",
        "--format",
        "json",
    ]);
    assert!(doc["intrusion"]["first_attacker_event"].is_null());
    assert_eq!(doc["intrusion"]["finding"], "no_departure");
    assert_eq!(doc["attribution"], "unattributed");
    assert_eq!(
        strings(&doc["identities"]["users"], "name"),
        BTreeSet::from(["svc-backup".to_owned()])
    );
    assert_eq!(
        strings(&doc["identities"]["access_keys"], "access_key"),
        BTreeSet::from(["AKIASVC0000000000001".to_owned()])
    );
    for format in ["table", "md"] {
        let out = cloudcase(&[
            "scope",
            d,
            "--access-key",
            "AKIAOPS0000000000001",
            "--format",
            format,
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("activity of the named credential (not attributed to an attacker)"),
            "{text}"
        );
        assert!(text.contains("svc-backup"), "{text}");
        assert!(!text.contains("attacker identities"), "{text}");
    }
}

/// A stolen EC2 instance-profile credential: `--instance` (launched before the logs: its
/// instance-profile sessions), `--access-key ASIA…` and `--auto` find the theft, with the bucket
/// it read ACCESSED and the judge's confidence and signals in the document and the table.
#[test]
fn stolen_instance_credential_by_instance_key_and_auto() {
    let dir = tempfile::tempdir().unwrap();
    let truth = cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 5,
        out_dir: dir.path().to_path_buf(),
        target_bytes: 1_500_000,
        days: 12,
        scenario: cloudcase_gen::Scenario::InstanceCredential,
        data_events: true,
        ..cloudcase_gen::Config::default()
    })
    .unwrap();
    let cred = truth.credential.unwrap();
    let d = dir.path().to_str().unwrap();
    let instance = cred.instance_id.clone().unwrap();
    let starts: [&[&str]; 3] = [
        &["--instance", instance.as_str()],
        &["--access-key", cred.access_key_id.as_str()],
        &["--auto"],
    ];
    for start in starts {
        let mut args = vec!["scope", d];
        args.extend(start);
        args.extend(["--format", "json"]);
        let doc = scope_json(&args);
        assert_eq!(
            doc["intrusion"]["first_attacker_event_ms"].as_i64(),
            Some(cred.first_attacker_event.time * 1000),
            "{start:?}: {}",
            doc["intrusion"]
        );
        assert_eq!(doc["intrusion"]["method"], "credential_misuse");
        assert!(["high", "medium"].contains(&doc["intrusion"]["confidence"].as_str().unwrap()));
        let signals = strings(&doc["intrusion"]["signals"], "signal");
        assert!(
            signals.contains("compute_credential_off_compute"),
            "{signals:?}"
        );
        for bucket in &cred.buckets_read {
            let entry = doc["data_access"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["name"] == bucket.as_str())
                .unwrap();
            assert_eq!(entry["verdict"], "ACCESSED", "{start:?}: {entry}");
        }
    }
    let table = cloudcase(&["scope", d, "--auto"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("confidence"), "{text}");
    assert!(text.contains("instance_session"), "{text}");
}
