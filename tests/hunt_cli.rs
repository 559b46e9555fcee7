//! `cloudcase hunt` end to end on a generated incident.

mod common;
use common::cloudcase;

use std::collections::HashMap;
use std::path::Path;
use std::process::Output;

use serde_json::Value;

fn incident(dir: &Path) -> cloudcase_gen::IncidentTruth {
    let truth = cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 21,
        out_dir: dir.to_path_buf(),
        target_bytes: 3_000_000,
        days: 21,
        incident: true,
        ..cloudcase_gen::Config::default()
    })
    .unwrap();
    truth.incident.unwrap()
}

fn findings(out: &Output) -> Vec<Value> {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_incident_is_found_with_pointers_to_raw_records() {
    let dir = tempfile::tempdir().unwrap();
    let truth = incident(dir.path());
    let d = dir.path().to_str().unwrap();
    let out = cloudcase(&["hunt", d, "--format", "jsonl", "--min-level", "medium"]);
    let found = findings(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("== hunt summary") && stderr.contains("records:"),
        "{stderr}"
    );
    let attacker: Vec<&Value> = found
        .iter()
        .filter(|f| {
            f["access_key"] == truth.access_key_id.as_str()
                && truth
                    .attacker_ips
                    .iter()
                    .any(|ip| f["source_ip"] == ip.as_str())
        })
        .collect();
    let events: Vec<&str> = attacker
        .iter()
        .map(|f| f["event_name"].as_str().unwrap())
        .collect();
    for expected in [
        "CreateUser",
        "CreateAccessKey",
        "AttachUserPolicy",
        "CreateRole",
        "RunInstances",
        "StopLogging",
    ] {
        assert!(
            events.contains(&expected),
            "no medium+ finding on the attacker's {expected}: {events:?}"
        );
    }
    let network = found
        .iter()
        .find(|f| {
            f["rule_id"] == "cloudcase.analytics.new-network"
                && f["access_key"] == truth.access_key_id.as_str()
        })
        .expect("first use of the leaked key from a new network");
    assert!(network["detail"].as_str().unwrap().contains("first use of"));
    // Every finding points to its raw record: same event name at that file and index.
    let timeline = cloudcase(&["timeline", d, "--format", "jsonl"]);
    let mut records: HashMap<(String, u64), String> = HashMap::new();
    for line in String::from_utf8_lossy(&timeline.stdout).lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let key = (
            v["cloudcase"]["file"].as_str().unwrap().to_owned(),
            v["cloudcase"]["record"].as_u64().unwrap(),
        );
        records.insert(key, v["eventName"].as_str().unwrap().to_owned());
    }
    for f in &found {
        let key = (
            f["file"].as_str().unwrap().to_owned(),
            f["record"].as_u64().unwrap(),
        );
        assert_eq!(
            records.get(&key).map(String::as_str),
            f["event_name"].as_str(),
            "{f}"
        );
        assert!(!f["tactics"].as_str().unwrap().is_empty(), "{f}");
    }
    // The owners' three weeks before the attack stay quiet above low.
    let before: Vec<&Value> = found
        .iter()
        .filter(|f| {
            f["time"].as_str().unwrap() < truth_time(truth.first_attacker_event_time).as_str()
        })
        .filter(|f| f["level"] != "medium")
        .collect();
    assert!(
        before.len() <= 2,
        "high/critical findings in the background: {before:#?}"
    );
}

fn truth_time(secs: i64) -> String {
    cloudcase_event::EventTime::from_millis(secs * 1000).to_utc_string()
}

#[test]
fn min_level_own_rules_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    incident(dir.path());
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(
        rules.join("mine.yml"),
        "title: My GetCallerIdentity watch\nid: 0b8a3c52-7f0e-4a53-9d55-0b7a3c3f1a11\nstatus: test\nlevel: high\ntags: [attack.discovery, attack.t1033]\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName: GetCallerIdentity}\n  condition: sel\n",
    )
    .unwrap();
    std::fs::write(
        rules.join("broken.yml"),
        "title: Uses a modifier nobody has\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  sel: {eventName|frobnicate: x}\n  condition: sel\n",
    )
    .unwrap();
    let d = dir.path().join("AWSLogs");
    let out = cloudcase(&[
        "hunt",
        d.to_str().unwrap(),
        "--no-builtin",
        "--no-analytics",
        "--rules",
        rules.to_str().unwrap(),
        "--format",
        "jsonl",
        "--min-level",
        "high",
    ]);
    let found = findings(&out);
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|f| f["rule_title"] == "My GetCallerIdentity watch" && f["level"] == "high"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("Uses a modifier nobody has") && stderr.contains("frobnicate"),
        "{stderr}"
    );
    assert!(stderr.contains("1 refused"), "{stderr}");
}

#[test]
fn csv_findings_are_formula_safe() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("x.jsonl");
    std::fs::write(
        &logs,
        r#"{"eventVersion":"1.09","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/=HYPERLINK(\"http://x\",\"y\")","accountId":"111122223333","accessKeyId":"AKIAEXAMPLE","userName":"=HYPERLINK(\"http://x\",\"y\")"},"eventTime":"2024-06-01T10:00:00Z","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.9","userAgent":"<script>alert(1)</script>","requestParameters":{"name":"trail"},"responseElements":null,"eventID":"e1","readOnly":false,"eventType":"AwsApiCall","recipientAccountId":"111122223333"}"#,
    )
    .unwrap();
    let out = cloudcase(&["hunt", logs.to_str().unwrap(), "--format", "csv"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"'=HYPERLINK("), "{text}");
    assert!(!text.contains(",=HYPERLINK"), "{text}");
}

/// Every SigmaHQ AWS CloudTrail rule in ../shared loads or is refused by name with a reason.
#[test]
fn conformance_sigmahq_rules_load_or_are_refused_by_name() {
    let (Some(shared), Some(logs)) = (
        common::shared("sigma"),
        common::shared("datasets/traildiscover/docs/logExamples"),
    ) else {
        return;
    };
    let out = cloudcase(&[
        "hunt",
        logs.to_str().unwrap(),
        "--no-builtin",
        "--rules",
        shared.join("rules").to_str().unwrap(),
        "--format",
        "jsonl",
        "--min-level",
        "informational",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cloudcase: rules: "), "{stderr}");
    assert!(!findings(&out).is_empty());
}

/// With a country database (CI fetches ip-location-db's, see .ci/run): a key used
/// from the US for days, then from Japan twenty minutes later.
#[test]
fn geoip_gives_new_country_and_impossible_travel() {
    let Ok(db) = std::env::var("CLOUDCASE_TEST_GEOIP") else {
        println!("SKIPPED: CLOUDCASE_TEST_GEOIP not set (.ci/run fetches a country database)");
        return;
    };
    let logs = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/geo_travel.jsonl");
    let out = cloudcase(&[
        "hunt",
        logs.to_str().unwrap(),
        "--geoip",
        &db,
        "--format",
        "jsonl",
        "--no-builtin",
    ]);
    let found = findings(&out);
    let rules: Vec<&str> = found
        .iter()
        .map(|f| f["rule_id"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"cloudcase.analytics.new-country"),
        "{rules:?}"
    );
    let travel = found
        .iter()
        .find(|f| f["rule_id"] == "cloudcase.analytics.rapid-country-change")
        .expect("impossible travel");
    assert!(
        travel["detail"].as_str().unwrap().contains("from US")
            && travel["detail"].as_str().unwrap().contains("from JP"),
        "{travel}"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("analytics: countries from"));
    let bad = cloudcase(&[
        "hunt",
        logs.to_str().unwrap(),
        "--geoip",
        logs.to_str().unwrap(),
    ]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("cannot open the geo-IP database"));
}

/// Opens of each evidence object by `hunt --case C` with `args`, counted with
/// `strace`, or `None` (after saying so) where `strace` cannot run.
fn object_opens(case: &str, args: &[&str]) -> Option<HashMap<String, usize>> {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace");
    let run = std::process::Command::new("strace")
        .args(["-f", "-qq", "-e", "trace=openat,open", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_cloudcase"))
        .args(["hunt", "--case", case])
        .args(args)
        .output();
    match run {
        Ok(out) if out.status.success() => {}
        other => {
            assert!(
                std::env::var("CLOUDCASE_REQUIRE_STRACE").is_err(),
                "CLOUDCASE_REQUIRE_STRACE is set but strace cannot run: {other:?}"
            );
            println!("SKIPPED: strace unavailable, opens not counted ({other:?})");
            return None;
        }
    }
    let mut opens: HashMap<String, usize> = HashMap::new();
    for line in std::fs::read_to_string(&trace).unwrap().lines() {
        if line.contains("O_DIRECTORY") {
            continue;
        }
        if let Some(start) = line.find("evidence/objects/sha256/") {
            let path = &line[start..];
            let path = &path[..path.find('"').unwrap()];
            *opens.entry(path.to_owned()).or_default() += 1;
        }
    }
    Some(opens)
}

#[test]
fn hunt_with_a_case_reads_each_evidence_object_once_and_records_what_it_shows() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    incident(&logs);
    let case = dir.path().join("case");
    let c = case.to_str().unwrap();
    let init = cloudcase(&["case", "init", c, "--name", "t", "--examiner", "e"]);
    assert!(init.status.success(), "{init:?}");
    let acquired = cloudcase(&["acquire", "--case", c, logs.to_str().unwrap()]);
    assert!(acquired.status.success(), "{acquired:?}");
    let manifest = std::fs::read_to_string(case.join("manifest.jsonl")).unwrap();
    let objects: Vec<String> = manifest
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["object"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert!(objects.len() > 100, "{}", objects.len());

    // The table run: one read of the inputs, as its single accounting line says.
    let out = cloudcase(&["hunt", "--case", c, "--format", "table"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let seen: Vec<&str> = stderr.lines().filter(|l| l.contains(" seen, ")).collect();
    assert_eq!(seen.len(), 1, "{stderr}");
    assert!(
        seen[0].contains(&format!(
            "files: {} seen, {} read",
            objects.len(),
            objects.len()
        )),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("== hunt summary"), "{stdout}");

    // What it recorded is exactly what `--format jsonl` shows.
    let hunts = case.join("analysis/hunt");
    let recorded: Vec<_> = std::fs::read_dir(&hunts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(recorded.len(), 1);
    let recorded = std::fs::read(&recorded[0]).unwrap();
    let jsonl = cloudcase(&["hunt", "--case", c, "--format", "jsonl"]);
    assert!(jsonl.status.success());
    assert_eq!(
        String::from_utf8_lossy(&recorded),
        String::from_utf8_lossy(&jsonl.stdout)
    );
    let rows = stdout.lines().skip(1).take_while(|l| !l.is_empty()).count();
    assert_eq!(rows, findings(&jsonl).len());

    // Counted opens: each object exactly once, also those holding an
    // analytic finding's record (at any level): their witnesses are captured
    // in the pass, not read again. A second pass would open every object twice.
    let Some(opens) = object_opens(c, &["--format", "table"]) else {
        return;
    };
    let all = cloudcase(&[
        "hunt",
        "--case",
        c,
        "--format",
        "jsonl",
        "--min-level",
        "informational",
    ]);
    let analytic = findings(&all)
        .iter()
        .filter(|f| f["origin"] == "analytic")
        .count();
    assert!(analytic > 0, "the incident shows analytic findings");
    for object in &objects {
        assert_eq!(opens.get(object).copied(), Some(1), "{object}");
    }
    // Leads come from the same single pass.
    let Some(opens) = object_opens(c, &["--leads", "--format", "json"]) else {
        return;
    };
    for object in &objects {
        assert_eq!(opens.get(object).copied(), Some(1), "--leads: {object}");
    }
}

/// The keys of every lead: the documented core and the added context.
const LEAD_KEYS: &[&str] = &[
    "access_key",
    "access_keys",
    "account",
    "findings",
    "first",
    "kind",
    "last",
    "other_sources",
    "principal",
    "rank",
    "reasons",
    "score",
    "sources",
    "tactics",
];

#[test]
fn leads_put_the_leaked_key_first_as_json_a_table_and_lines() {
    let dir = tempfile::tempdir().unwrap();
    let truth = incident(dir.path());
    let d = dir.path().to_str().unwrap();
    let out = cloudcase(&["hunt", d, "--leads", "--format", "json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let leads: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(!leads.is_empty() && leads.len() <= 20, "{}", leads.len());
    for (i, lead) in leads.iter().enumerate() {
        let mut keys: Vec<&str> = lead
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, LEAD_KEYS);
        assert_eq!(lead["rank"].as_u64(), Some(i as u64 + 1));
        for level in ["critical", "high", "medium", "low", "informational"] {
            assert!(lead["findings"][level].is_u64(), "{lead}");
        }
        let (first, last) = (
            lead["first"].as_str().unwrap(),
            lead["last"].as_str().unwrap(),
        );
        assert!(
            first.ends_with('Z') && first <= last && first.len() == 24,
            "{lead}"
        );
        assert!(!lead["reasons"].as_array().unwrap().is_empty(), "{lead}");
    }
    let top = &leads[0];
    assert_eq!(top["principal"], truth.user_name.as_str(), "{top:#}");
    assert_eq!(top["access_key"], truth.access_key_id.as_str(), "{top:#}");
    assert!(
        truth
            .attacker_ips
            .iter()
            .any(|ip| top["sources"][0] == ip.as_str()),
        "{top:#}"
    );
    assert!(top["findings"]["high"].as_u64().unwrap() >= 3, "{top:#}");
    let typed: Vec<cloudcase_model::Lead> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(typed[0].principal, truth.user_name);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("== hunt summary"), "{stderr}");

    let table = cloudcase(&["hunt", d, "--leads", "--top", "3", "--format", "table"]);
    assert!(
        table.status.success(),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    let text = String::from_utf8_lossy(&table.stdout);
    let rows: Vec<&str> = text
        .lines()
        .filter(|l| {
            let mut cells = l.split_whitespace();
            cells.next().is_some_and(|c| c.parse::<u32>().is_ok())
                && cells.next().is_some_and(|c| c.parse::<u64>().is_ok())
        })
        .collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(text.starts_with("RANK SCORE"), "{text}");
    assert!(
        rows[0].starts_with("1 ") && rows[0].contains(&truth.user_name),
        "{text}"
    );
    assert!(text.contains("\n3 of "), "{text}");
    assert!(text.lines().any(|l| l.starts_with("      - ")), "{text}");

    let lines = cloudcase(&["hunt", d, "--leads", "--top", "2", "--format", "jsonl"]);
    let lines = findings(&lines);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], leads[0]);

    let refused = cloudcase(&["hunt", d, "--format", "json"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--leads"));
    let refused = cloudcase(&["hunt", d, "--top", "3"]);
    assert!(!refused.status.success());
}

#[test]
fn stolen_compute_credentials_are_found_the_same_at_the_smallest_sort_memory() {
    use cloudcase_gen::Scenario;
    for scenario in [
        Scenario::InstanceCredential,
        Scenario::LambdaCredential,
        Scenario::EcsCredential,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let truth = cloudcase_gen::generate(&cloudcase_gen::Config {
            seed: 9,
            out_dir: dir.path().to_path_buf(),
            target_bytes: 3_000_000,
            days: 21,
            scenario,
            ..cloudcase_gen::Config::default()
        })
        .unwrap();
        let stolen = truth.credential.expect("a stolen compute credential");
        let run = |extra: &[&str]| {
            let logs = dir.path().to_str().unwrap();
            let mut args = vec!["hunt", "--quiet", "--format", "jsonl", "--threads", "2"];
            args.extend_from_slice(extra);
            args.push(logs);
            findings(&cloudcase(&args))
        };
        let whole = run(&[]);
        // 1 MiB: each worker holds its compute sessions (about 1,400 here) within 48 KiB.
        assert_eq!(run(&["--sort-memory", "1"]), whole, "{scenario:?}");
        let off: Vec<&Value> = whole
            .iter()
            .filter(|f| f["rule_id"] == "cloudcase.analytics.compute-credential-off-compute")
            .collect();
        assert_eq!(off.len(), 1, "{scenario:?}: {off:#?}");
        let detail = off[0]["detail"].as_str().unwrap_or_default();
        assert!(
            detail.contains(&stolen.access_key_id),
            "{scenario:?}: {detail}"
        );
    }
}
