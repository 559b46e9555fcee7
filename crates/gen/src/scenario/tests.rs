//! End-to-end tests of the scenarios: each generates a small corpus, its
//! truth's events are in the corpus with the stated eventIDs, and the
//! records say what the truth says.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::tests::{is_uuid, parse_time, Corpus};
use crate::{generate, Config, EventRef, Scenario, Summary};

fn config(dir: &Path, scenario: Scenario, seed: u64) -> Config {
    Config {
        seed,
        out_dir: dir.to_path_buf(),
        target_bytes: 400_000,
        days: 5,
        threads: 2,
        scenario,
        ..Config::default()
    }
}

/// Generates, reads back, and checks what every scenario shares: unique
/// UUID eventIDs, summary counts, and the truth's first event in place.
fn run(scenario: Scenario, seed: u64) -> (Summary, Vec<Value>) {
    run_with(config(Path::new(""), scenario, seed))
}

/// [`run`] with a given configuration (its `out_dir` is replaced).
fn run_with(mut c: Config) -> (Summary, Vec<Value>) {
    let dir = tempfile::tempdir().unwrap();
    c.out_dir = dir.path().to_path_buf();
    let scenario = c.scenario;
    let s = generate(&c).unwrap();
    assert_eq!(s.scenario, scenario);
    let corpus = Corpus::read(dir.path());
    for (path, _, _, recs) in &corpus.files {
        // Each record is in its region's file, in (nearly) time order.
        let region = path.iter().nth(3).and_then(|p| p.to_str()).unwrap();
        assert!(recs.iter().all(|r| r["awsRegion"] == region), "{path:?}");
        let times: Vec<i64> = recs.iter().map(time).collect();
        let late = times.windows(2).filter(|w| w[1] < w[0]).count();
        assert!(late <= 2 + times.len() / 10, "{path:?} out of order");
    }
    let recs: Vec<Value> = corpus.records().cloned().collect();
    assert_eq!(recs.len() as u64, s.records);
    let ids: BTreeSet<&str> = recs
        .iter()
        .map(|r| r["eventID"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), recs.len(), "eventIDs are unique");
    assert!(ids.iter().all(|i| is_uuid(i)));
    let counted: u64 = s.event_counts.values().sum();
    assert_eq!(counted, s.records);
    (s, recs)
}

/// The record `e` names, checked for time and name.
fn find<'a>(recs: &'a [Value], e: &EventRef) -> &'a Value {
    let r = recs
        .iter()
        .find(|r| r["eventID"] == e.event_id.as_str())
        .unwrap_or_else(|| panic!("no record with eventID {}", e.event_id));
    assert_eq!(r["eventName"], e.event_name.as_str());
    assert_eq!(parse_time(r["eventTime"].as_str().unwrap()), e.time);
    r
}

fn key(r: &Value) -> &str {
    r["userIdentity"]["accessKeyId"].as_str().unwrap_or("")
}

fn time(r: &Value) -> i64 {
    parse_time(r["eventTime"].as_str().unwrap())
}

#[test]
fn names_parse_and_incident_keeps_meaning_the_leaked_key() {
    for s in Scenario::ALL {
        assert_eq!(s.name().parse::<Scenario>().unwrap(), *s);
    }
    assert!("nope".parse::<Scenario>().is_err());
    let dir = tempfile::tempdir().unwrap();
    let mut c = config(dir.path(), Scenario::None, 1);
    c.incident = true;
    assert_eq!(c.effective_scenario(), Scenario::LeakedKey);
    c.scenario = Scenario::RootConsole;
    assert!(
        generate(&c).is_err(),
        "incident with another scenario is refused"
    );
}

#[test]
fn leaked_key_truth_names_its_first_event() {
    for seed in [2, 9] {
        let (s, recs) = run(Scenario::LeakedKey, seed);
        let inc = s.incident.unwrap();
        let first = find(&recs, &inc.first_attacker_event);
        assert_eq!(key(first), inc.access_key_id);
        assert_eq!(inc.first_attacker_event.time, inc.first_attacker_event_time);
        assert!(!inc.logs_start_mid_attack);
    }
}

#[test]
fn log_start_attack_opens_the_logs() {
    for (seed, bytes, days) in [(3, 400_000, 5), (11, 400_000, 5), (17, 4_000_000, 2)] {
        let mut c = config(Path::new(""), Scenario::LogStart, seed);
        (c.target_bytes, c.days) = (bytes, days);
        let (s, recs) = run_with(c);
        let inc = s.incident.unwrap();
        assert!(inc.logs_start_mid_attack);
        let first = find(&recs, &inc.first_attacker_event);
        let t0 = s.first_event_time.unwrap();
        assert!(time(first) - t0 < 5 * 60, "attack at the very beginning");
        assert!(inc.last_attacker_event_time - t0 < 90 * 60);
        assert!(inc
            .attacker_ips
            .contains(&first["sourceIPAddress"].as_str().unwrap().to_string()));
        // The backdoor user and the key it minted are in the logs.
        let created = recs.iter().any(|r| {
            r["eventName"] == "CreateAccessKey"
                && r["responseElements"]["accessKey"]["accessKeyId"]
                    == inc.created_access_keys[0].as_str()
                && r["requestParameters"]["userName"] == inc.created_users[0].as_str()
        });
        assert!(created);
        assert!(recs.iter().any(|r| r["eventName"] == "CreateUser"
            && r["requestParameters"]["userName"] == inc.created_users[0].as_str()));
        // The key's owner appears later, from its usual networks.
        let owner: Vec<&Value> = recs
            .iter()
            .filter(|r| {
                key(r) == inc.access_key_id
                    && !inc
                        .attacker_ips
                        .iter()
                        .any(|ip| r["sourceIPAddress"] == ip.as_str())
            })
            .collect();
        assert!(!owner.is_empty());
        assert!(owner
            .iter()
            .all(|r| time(r) > inc.first_attacker_event_time));
    }
}

/// The compute's own calls and the attacker's with the same session key.
fn check_stolen(
    scenario: Scenario,
    seed: u64,
    exec_env: &str,
) -> (crate::CredentialTruth, Vec<Value>) {
    let (s, recs) = run(scenario, seed);
    let c = s.credential.unwrap();
    let first = find(&recs, &c.first_attacker_event);
    assert_eq!(key(first), c.access_key_id);
    assert_eq!(first["sourceIPAddress"], c.attacker_ip.as_str());
    assert!(c.access_key_id.starts_with("ASIA"));
    let with_key: Vec<&Value> = recs.iter().filter(|r| key(r) == c.access_key_id).collect();
    let (owner, other): (Vec<&Value>, Vec<&Value>) = with_key.iter().partition(|r| {
        c.owner_ips
            .iter()
            .any(|ip| r["sourceIPAddress"] == ip.as_str())
    });
    assert!(
        owner.len() >= 5,
        "the compute uses its own key ({})",
        owner.len()
    );
    for r in &owner {
        let ua = r["userAgent"].as_str().unwrap();
        assert!(
            ua.contains(exec_env) && ua.to_ascii_lowercase().contains("linux"),
            "{ua}"
        );
        assert_eq!(r["userIdentity"]["type"], "AssumedRole");
    }
    assert!(!other.is_empty());
    for r in &other {
        assert_eq!(r["sourceIPAddress"], c.attacker_ip.as_str());
        let ua = r["userAgent"].as_str().unwrap();
        assert!(
            ua.starts_with("aws-cli/2.") && (ua.contains("os/macos") || ua.contains("os/windows")),
            "{ua}"
        );
        let arn = r["userIdentity"]["arn"].as_str().unwrap();
        assert!(
            arn.ends_with(&format!("/{}/{}", c.role_name, c.session_name)),
            "{arn}"
        );
        assert!(time(r) >= c.first_attacker_event.time);
    }
    (c, recs)
}

#[test]
fn instance_credential_reads_a_bucket_from_a_laptop() {
    for seed in [4, 12] {
        let (c, recs) = check_stolen(Scenario::InstanceCredential, seed, "amzn");
        let iid = c.instance_id.clone().unwrap();
        assert!(iid.starts_with("i-") && c.session_name == iid);
        assert_eq!(c.buckets_read.len(), 1);
        let reads: BTreeSet<&str> = recs
            .iter()
            .filter(|r| {
                key(r) == c.access_key_id
                    && r["sourceIPAddress"] == c.attacker_ip.as_str()
                    && r["eventName"] == "GetObject"
                    && r["eventCategory"] == "Data"
                    && r["requestParameters"]["bucketName"] == c.buckets_read[0].as_str()
            })
            .map(|r| r["requestParameters"]["key"].as_str().unwrap())
            .collect();
        let expected: BTreeSet<&str> = c.objects_read.iter().map(|s| s.as_str()).collect();
        assert_eq!(reads, expected);
        for name in ["ListBuckets", "ListObjects"] {
            assert!(recs
                .iter()
                .any(|r| r["eventName"] == name && r["sourceIPAddress"] == c.attacker_ip.as_str()));
        }
    }
}

fn check_pivot(c: &crate::CredentialTruth, recs: &[Value]) {
    let assumed = c.assumed_access_key_id.as_deref().unwrap();
    let role = c.assumed_role_name.as_deref().unwrap();
    let assume = recs
        .iter()
        .find(|r| r["eventName"] == "AssumeRole" && key(r) == c.access_key_id)
        .expect("AssumeRole with the stolen key");
    assert_eq!(assume["sourceIPAddress"], c.attacker_ip.as_str());
    assert_eq!(
        assume["responseElements"]["credentials"]["accessKeyId"],
        assumed
    );
    assert_eq!(
        assume["requestParameters"]["roleArn"],
        c.assumed_role_arn.as_deref().unwrap()
    );
    let used: Vec<&Value> = recs.iter().filter(|r| key(r) == assumed).collect();
    assert!(used.len() >= 3);
    for r in used {
        assert_eq!(r["sourceIPAddress"], c.attacker_ip.as_str());
        assert_eq!(
            r["userIdentity"]["sessionContext"]["sessionIssuer"]["userName"],
            role
        );
        assert!(time(r) > time(assume));
    }
}

#[test]
fn lambda_credential_pivots_into_a_second_role() {
    for seed in [5, 13] {
        let (c, recs) = check_stolen(
            Scenario::LambdaCredential,
            seed,
            "exec-env/AWS_Lambda_python",
        );
        assert_eq!(c.function_name.as_deref(), Some(c.session_name.as_str()));
        check_pivot(&c, &recs);
    }
}

#[test]
fn ecs_credential_pivots_into_a_second_role() {
    for seed in [6, 14] {
        let (c, recs) = check_stolen(Scenario::EcsCredential, seed, "exec-env/AWS_ECS_FARGATE");
        let task = c.task_id.clone().unwrap();
        assert!(task.len() == 32 && task.bytes().all(|b| b.is_ascii_hexdigit()));
        check_pivot(&c, &recs);
    }
}

#[test]
fn root_console_takeover_is_in_the_logs() {
    let mut regions = BTreeSet::new();
    for seed in [7, 15, 21] {
        let (s, recs) = run(Scenario::RootConsole, seed);
        let root = s.root.unwrap();
        let first = find(&recs, &root.first_attacker_event);
        assert_eq!(first["responseElements"]["ConsoleLogin"], "Failure");
        assert_eq!(first["userIdentity"]["type"], "Root");
        let ok = find(&recs, &root.successful_login);
        assert_eq!(ok["responseElements"]["ConsoleLogin"], "Success");
        assert_eq!(ok["additionalEventData"]["MFAUsed"], "No");
        assert!(root.successful_login.time > root.first_attacker_event.time);
        let attacker: Vec<&Value> = recs
            .iter()
            .filter(|r| r["sourceIPAddress"] == root.attacker_ip.as_str())
            .collect();
        assert_eq!(attacker.len() as u64, root.attacker_events);
        assert!(root.console_access_keys.len() >= 2);
        let by_console: Vec<&&Value> = attacker
            .iter()
            .filter(|r| root.console_access_keys.iter().any(|k| key(r) == k))
            .collect();
        for k in &root.console_access_keys {
            assert!(
                by_console.iter().any(|r| key(r) == k),
                "console key {k} unused"
            );
        }
        assert!(by_console
            .iter()
            .all(|r| r["sessionCredentialFromConsole"] == "true"
                && r["userIdentity"]["sessionContext"]["attributes"]["mfaAuthenticated"]
                    == "false"));
        let root_key = by_console
            .iter()
            .find(|r| r["eventName"] == "CreateAccessKey" && r["requestParameters"].is_null())
            .map(|r| {
                r["responseElements"]["accessKey"]["accessKeyId"]
                    .as_str()
                    .unwrap()
            });
        assert_eq!(root_key, Some(root.root_access_keys[0].as_str()));
        assert!(by_console
            .iter()
            .any(|r| r["eventName"] == "AttachUserPolicy"
                && r["requestParameters"]["userName"] == root.created_users[0].as_str()
                && r["requestParameters"]["policyArn"]
                    == "arn:aws:iam::aws:policy/AdministratorAccess"));
        let launched: Vec<String> = attacker
            .iter()
            .filter(|r| r["eventName"] == "RunInstances" && r.get("errorCode").is_none())
            .flat_map(|r| {
                r["responseElements"]["instancesSet"]["items"]
                    .as_array()
                    .unwrap()
                    .clone()
            })
            .map(|i| i["instanceId"].as_str().unwrap().to_string())
            .collect();
        let expected: Vec<String> = root
            .instances
            .iter()
            .map(|i| i.instance_id.clone())
            .collect();
        assert_eq!(launched, expected);
        for i in &root.instances {
            assert!(!s.home_regions.contains(&i.region));
            assert!(i.instance_type.starts_with('p') || i.instance_type.starts_with('g'));
            regions.insert(i.region.clone());
        }
    }
    assert!(regions.len() > 1, "the region varies by seed");
}

fn ipv4(ip: &str) -> u32 {
    ip.split('.')
        .fold(0, |a, p| (a << 8) | p.parse::<u32>().unwrap())
}

/// True when `ip` is inside `cidr`.
fn inside(ip: &str, cidr: &str) -> bool {
    let (base, len) = cidr.split_once('/').unwrap();
    let mask = u32::MAX << (32 - len.parse::<u32>().unwrap());
    ipv4(ip) & mask == ipv4(base) & mask
}

/// The /24 of an IPv4 address.
fn net24(ip: &str) -> String {
    ip.rsplit_once('.').map_or(ip, |(net, _)| net).to_string()
}

#[test]
fn roaming_owners_use_many_networks_with_the_same_clients() {
    for (seed, scenario, incident) in [
        (1, Scenario::RoamingOwners, false),
        (8, Scenario::None, true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut c = config(dir.path(), scenario, seed);
        c.target_bytes = 2_000_000;
        c.days = 10;
        c.incident = incident;
        c.roaming = true;
        let s = generate(&c).unwrap();
        assert_eq!(s.incident.is_some(), incident);
        assert!(s.roaming_owners.len() >= 2);
        let recs: Vec<Value> = Corpus::read(dir.path()).records().cloned().collect();
        let day1 = s.first_event_time.unwrap() + 86_400;
        for o in &s.roaming_owners {
            assert!(o.access_key_id.starts_with("AKIA"));
            let mine: Vec<&Value> = recs.iter().filter(|r| key(r) == o.access_key_id).collect();
            let nets: BTreeSet<String> = mine
                .iter()
                .filter(|r| time(r) >= day1)
                .map(|r| net24(r["sourceIPAddress"].as_str().unwrap()))
                .collect();
            assert!(nets.len() > 5, "{} used only {:?}", o.user_name, nets);
            // Every address is the office's or inside the truth's ranges.
            let ranges: Vec<&String> = o
                .home_ranges
                .iter()
                .chain(&o.mobile_ranges)
                .chain(&o.ci_ranges)
                .collect();
            for r in &mine {
                let ip = r["sourceIPAddress"].as_str().unwrap();
                assert!(
                    o.office_ips.iter().any(|x| x == ip) || ranges.iter().any(|c| inside(ip, c)),
                    "{ip}"
                );
            }
            // One client everywhere (aws-cli appends the command it runs).
            let clients: BTreeSet<&str> = mine
                .iter()
                .map(|r| {
                    let ua = r["userAgent"].as_str().unwrap();
                    ua.find("md/command#")
                        .map_or(ua, |i| &ua[..i + "md/command#".len()])
                })
                .collect();
            assert_eq!(clients.len(), 1, "{clients:?}");
            assert!(o.user_agents.iter().any(|u| clients.contains(u.as_str())));
            // Working hours unchanged: mostly local business hours.
            let mut by_day: BTreeMap<i64, usize> = BTreeMap::new();
            for r in &mine {
                *by_day.entry(time(r) / 86_400).or_default() += 1;
            }
            assert!(by_day.len() >= 5);
        }
    }
}

#[test]
fn same_config_same_truth_whatever_the_threads() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let mut c = config(a.path(), Scenario::EcsCredential, 31);
    c.threads = 1;
    let s1 = generate(&c).unwrap();
    c.out_dir = b.path().to_path_buf();
    c.threads = 3;
    let s2 = generate(&c).unwrap();
    assert_eq!(s1, s2);
    let other = generate(&config(b.path(), Scenario::EcsCredential, 32)).unwrap();
    assert_ne!(
        s1.credential.unwrap().attacker_ip,
        other.credential.unwrap().attacker_ip
    );
}
