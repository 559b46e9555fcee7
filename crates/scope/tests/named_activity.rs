//! A named subject that never departs from its history still gets its activity listed, labelled
//! unattributed; and the attacker's console sessions are followed like other sessions: their
//! temporary keys are attacker keys, and what they did is the attacker's.
//!
//! Fixtures are CloudTrail records in their real shape: console sign-ins
//! (`AwsConsoleSignIn`, `responseElements.ConsoleLogin`), console-session calls with `ASIA…`
//! keys, `sessionContext` and `sessionCredentialFromConsole`.

use cloudcase_scope::{render_markdown, render_table, Subject};
use serde_json::{json, Value};

mod common;
use common::{field_values as names, scope_records};

const ACCT: &str = "111122223333";
const CLI: &str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0 exe/x86_64.ubuntu.22";
const BROWSER: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0";

/// One API call record.
struct Call<'a> {
    time: &'a str,
    source: &'a str,
    name: &'a str,
    ip: &'a str,
    identity: Value,
    request: Value,
    response: Value,
}

/// Counts records so that each gets its own `eventID`.
#[derive(Default)]
struct Trail {
    records: Vec<Value>,
}

impl Trail {
    /// Adds an `AwsApiCall` record.
    fn call(&mut self, c: Call<'_>) -> &mut Value {
        let n = self.records.len();
        let read_only = ["Get", "List", "Describe"]
            .iter()
            .any(|p| c.name.starts_with(p));
        let data = c.source == "s3.amazonaws.com" && c.name == "GetObject";
        let ua = if c
            .identity
            .pointer("/accessKeyId")
            .and_then(Value::as_str)
            .is_some_and(|k| k.starts_with("ASIA"))
        {
            BROWSER
        } else {
            CLI
        };
        self.records.push(json!({
            "eventVersion": "1.09", "userIdentity": c.identity, "eventTime": c.time,
            "eventSource": c.source, "eventName": c.name, "awsRegion": "us-east-1",
            "sourceIPAddress": c.ip, "userAgent": ua,
            "requestParameters": c.request, "responseElements": c.response,
            "requestID": format!("req-{n}"), "eventID": format!("ev-{n:04}"), "readOnly": read_only,
            "eventType": "AwsApiCall", "managementEvent": !data, "recipientAccountId": ACCT,
            "eventCategory": if data { "Data" } else { "Management" },
            "tlsDetails": {"tlsVersion": "TLSv1.3", "cipherSuite": "TLS_AES_128_GCM_SHA256",
                           "clientProvidedHostHeader": format!("{}", c.source)},
        }));
        self.records.last_mut().expect("just pushed")
    }

    /// Adds a call made from a console session: CloudTrail marks it
    /// `sessionCredentialFromConsole`.
    fn console_call(&mut self, c: Call<'_>) {
        self.call(c)["sessionCredentialFromConsole"] = json!("true");
    }

    /// Adds a successful console sign-in (`AwsConsoleSignIn`).
    fn console_login(&mut self, time: &str, ip: &str, identity: Value) {
        let n = self.records.len();
        self.records.push(json!({
            "eventVersion": "1.09", "userIdentity": identity, "eventTime": time,
            "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1",
            "sourceIPAddress": ip, "userAgent": BROWSER, "requestParameters": null,
            "responseElements": {"ConsoleLogin": "Success"},
            "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
                                    "MobileVersion": "No", "MFAUsed": "No"},
            "eventID": format!("ev-{n:04}"), "readOnly": false, "eventType": "AwsConsoleSignIn",
            "managementEvent": true, "recipientAccountId": ACCT, "eventCategory": "Management",
        }));
    }
}

/// An IAM user calling with an access key; `ASIA…` keys get the console session's context.
fn user(name: &str, key: Option<&str>) -> Value {
    let mut id = json!({"type": "IAMUser", "principalId": format!("AIDA{}", name.to_uppercase()),
        "arn": format!("arn:aws:iam::{ACCT}:user/{name}"), "accountId": ACCT, "userName": name});
    if let Some(k) = key {
        id["accessKeyId"] = json!(k);
        if k.starts_with("ASIA") {
            id["sessionContext"] = json!({"sessionIssuer": {}, "webIdFederationData": {},
                "attributes": {"creationDate": "2024-03-04T20:05:00Z", "mfaAuthenticated": "false"}});
        }
    }
    id
}

/// The account's root user, with the key of a console session when given.
fn root(key: Option<&str>) -> Value {
    let mut id = json!({"type": "Root", "principalId": ACCT, "arn": format!("arn:aws:iam::{ACCT}:root"), "accountId": ACCT});
    if let Some(k) = key {
        id["accessKeyId"] = json!(k);
        id["sessionContext"] = json!({"sessionIssuer": {}, "webIdFederationData": {},
            "attributes": {"creationDate": "2024-03-04T20:05:00Z", "mfaAuthenticated": "false"}});
    }
    id
}

fn run_instances(instance: &str) -> (Value, Value) {
    (
        json!({"instancesSet": {"items": [{"imageId": "ami-0abcdef1234567890", "minCount": 1, "maxCount": 1}]},
               "instanceType": "g4dn.xlarge", "blockDeviceMapping": {}, "monitoring": {"enabled": false},
               "disableApiTermination": false, "disableApiStop": false, "clientToken": "abc"}),
        json!({"requestId": "r-1", "reservationId": "r-0123", "ownerId": ACCT,
               "instancesSet": {"items": [{"instanceId": instance, "imageId": "ami-0abcdef1234567890",
                 "instanceState": {"code": 0, "name": "pending"}, "instanceType": "g4dn.xlarge",
                 "launchTime": 1709583000000_i64, "placement": {"availabilityZone": "us-east-1a"},
                 "groupSet": {"items": [{"groupId": "sg-0aa", "groupName": "default"}]}}]}}),
    )
}

fn create_access_key(user: &str, key: &str) -> (Value, Value) {
    (
        json!({"userName": user}),
        json!({"accessKey": {"accessKeyId": key, "status": "Active", "userName": user,
                             "createDate": "Mar 4, 2024, 8:30:00 PM"}}),
    )
}

/// Three days of routine `ListBuckets`/`DescribeInstances` by `identity` from `ip`.
fn routine(t: &mut Trail, identity: &Value, ip: &str, days: std::ops::RangeInclusive<u32>) {
    for day in days {
        for h in [8, 12, 16] {
            for (source, name) in [
                ("s3.amazonaws.com", "ListBuckets"),
                ("ec2.amazonaws.com", "DescribeInstances"),
            ] {
                t.call(Call {
                    time: &format!("2024-03-0{day}T{h:02}:00:00Z"),
                    source,
                    name,
                    ip,
                    identity: identity.clone(),
                    request: json!({}),
                    response: Value::Null,
                });
            }
        }
    }
}

/// An operations key that creates a user and its key, grants it admin, and whose new key
/// launches an instance, opens SSH and reads a bucket — all from the office network, where it
/// always works. A colleague on the same network creates another user.
fn quiet_trail() -> Vec<Value> {
    let ops = user("ops", Some("AKIAOPS0000000000001"));
    let office = "198.51.100.20";
    let mut t = Trail::default();
    routine(&mut t, &ops, office, 1..=3);
    let steps: Vec<(&str, &str, &str, Value, Value, Value, &str)> = vec![
        (
            "2024-03-01T09:00:00Z",
            "iam.amazonaws.com",
            "CreateUser",
            ops.clone(),
            json!({"userName": "svc-backup"}),
            json!({"user": {"userName": "svc-backup", "arn": format!("arn:aws:iam::{ACCT}:user/svc-backup"), "userId": "AIDASVC"}}),
            office,
        ),
        (
            "2024-03-01T09:01:00Z",
            "iam.amazonaws.com",
            "AttachUserPolicy",
            ops.clone(),
            json!({"userName": "svc-backup", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
            Value::Null,
            office,
        ),
        (
            "2024-03-01T09:02:00Z",
            "iam.amazonaws.com",
            "CreateAccessKey",
            ops.clone(),
            create_access_key("svc-backup", "AKIASVC0000000000001").0,
            create_access_key("svc-backup", "AKIASVC0000000000001").1,
            office,
        ),
        (
            "2024-03-01T10:00:00Z",
            "ec2.amazonaws.com",
            "RunInstances",
            user("svc-backup", Some("AKIASVC0000000000001")),
            run_instances("i-0quiet000000001").0,
            run_instances("i-0quiet000000001").1,
            "198.51.100.21",
        ),
        (
            "2024-03-01T10:05:00Z",
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            user("svc-backup", Some("AKIASVC0000000000001")),
            json!({"groupId": "sg-0aa", "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}}),
            json!({"_return": true}),
            "198.51.100.21",
        ),
        (
            "2024-03-01T10:10:00Z",
            "s3.amazonaws.com",
            "GetObject",
            user("svc-backup", Some("AKIASVC0000000000001")),
            json!({"bucketName": "finance-exports", "key": "2024/q1.csv", "Host": "finance-exports.s3.amazonaws.com"}),
            Value::Null,
            "198.51.100.21",
        ),
        (
            "2024-03-02T11:00:00Z",
            "s3.amazonaws.com",
            "GetObject",
            ops.clone(),
            json!({"bucketName": "finance-exports", "key": "2024/q2.csv", "Host": "finance-exports.s3.amazonaws.com"}),
            Value::Null,
            office,
        ),
        // A colleague on the same office network: not the named credential's activity.
        (
            "2024-03-02T12:00:00Z",
            "iam.amazonaws.com",
            "CreateUser",
            user("alice", Some("AKIAALICE00000000001")),
            json!({"userName": "alice-tmp"}),
            json!({"user": {"userName": "alice-tmp"}}),
            office,
        ),
        (
            "2024-03-02T12:05:00Z",
            "s3.amazonaws.com",
            "GetObject",
            user("alice", Some("AKIAALICE00000000001")),
            json!({"bucketName": "hr-files", "key": "x.pdf", "Host": "hr-files.s3.amazonaws.com"}),
            Value::Null,
            office,
        ),
    ];
    for (time, source, name, identity, request, response, ip) in steps {
        t.call(Call {
            time,
            source,
            name,
            ip,
            identity,
            request,
            response,
        });
    }
    t.records
}

#[test]
fn a_named_key_without_departure_lists_its_activity_unattributed() {
    let result = scope_records(
        &quiet_trail(),
        Subject::AccessKey("AKIAOPS0000000000001".into()),
    );
    let d = serde_json::to_value(&result).expect("serializes");
    assert!(
        d["intrusion"]["first_attacker_event"].is_null(),
        "{}",
        d["intrusion"]
    );
    assert_eq!(d["intrusion"]["finding"], "no_departure");
    assert_eq!(d["attribution"], "unattributed");
    assert_eq!(d["subject"]["history"]["sources"][0]["ip"], "198.51.100.20");
    // What it created, and what that did.
    assert_eq!(names(&d["identities"]["users"], "name"), ["svc-backup"]);
    assert_eq!(
        names(&d["identities"]["access_keys"], "access_key"),
        ["AKIASVC0000000000001"]
    );
    let keys = &d["identities"]["attacker_access_keys"];
    assert_eq!(
        keys,
        &json!(["AKIAOPS0000000000001", "AKIASVC0000000000001"])
    );
    let kinds = names(&d["resources"], "kind");
    assert!(kinds.contains(&"instance".to_owned()), "{kinds:?}");
    assert!(
        kinds.contains(&"security_group_ingress".to_owned()),
        "{kinds:?}"
    );
    assert!(d["cost"]["total_hours"].as_f64().unwrap_or(0.0) > 0.0);
    let changes = d["permission_changes"].as_array().expect("a list");
    let of = |target: &str, event: &str| {
        changes
            .iter()
            .find(|c| {
                c["event"] == event && c["target"].as_str().is_some_and(|t| t.starts_with(target))
            })
            .map(|c| c["attribution"].clone())
    };
    assert_eq!(
        of("svc-backup", "AttachUserPolicy"),
        Some(json!("attacker"))
    );
    // The colleague's change on the same network is not the named credential's.
    assert_eq!(of("alice-tmp", "CreateUser"), Some(json!("other")));
    // Data read by the key and by the key it created; not the colleague's bucket.
    let bucket = d["data_access"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "finance-exports"))
        .expect("the bucket");
    assert_eq!(bucket["verdict"], "ACCESSED");
    let mut readers = names(&bucket["readers"], "access_key");
    readers.sort();
    assert_eq!(readers, ["AKIAOPS0000000000001", "AKIASVC0000000000001"]);
    let hr = d["data_access"]
        .as_array()
        .and_then(|a| a.iter().find(|x| x["name"] == "hr-files"));
    assert!(hr.is_none_or(|x| x["verdict"] != "ACCESSED"), "{hr:?}");
    // Sources: the addresses its keys were used from.
    let sources = names(&d["attacker_sources"], "ip");
    assert_eq!(sources, ["198.51.100.20", "198.51.100.21"]);
    // Containment covers what it created.
    let users = names(&d["containment"]["findings"]["users"], "name");
    assert!(users.contains(&"svc-backup".to_owned()), "{users:?}");
    // No plan deletes or stops what the owner may have made on purpose: none is proposed
    // until misuse is established, and the document says why.
    assert!(d["containment"]["plan"].is_null(), "{}", d["containment"]);
    assert!(d["containment"]["error"]
        .as_str()
        .is_some_and(|e| e.contains("no intrusion was established")));
    // The unknowns say what this is and is not.
    let unknowns = d["unknowns"].as_array().expect("a list");
    assert!(unknowns[0]["why"]
        .as_str()
        .unwrap_or("")
        .contains("not excluded"));
    assert!(unknowns.iter().any(|u| u["why"]
        .as_str()
        .is_some_and(|w| w.contains("not proof of misuse, nor of its absence"))));
    // The human renderings label the sections as the named credential's activity.
    let tz = jiff::tz::TimeZone::UTC;
    for text in [render_table(&result, &tz), render_markdown(&result, &tz)] {
        assert!(
            text.contains("activity of the named credential (not attributed to an attacker)"),
            "{text}"
        );
        assert!(!text.contains("attacker identities"), "{text}");
        assert!(text.contains("svc-backup"));
    }
}

#[test]
fn a_named_principal_without_departure_lists_its_activity_unattributed() {
    let d = serde_json::to_value(scope_records(
        &quiet_trail(),
        Subject::Principal("ops".into()),
    ))
    .expect("serializes");
    assert_eq!(d["attribution"], "unattributed");
    assert!(d["intrusion"]["first_attacker_event"].is_null());
    assert_eq!(names(&d["identities"]["users"], "name"), ["svc-backup"]);
    assert!(names(&d["resources"], "kind").contains(&"instance".to_owned()));
}

#[test]
fn auto_without_a_candidate_lists_nothing() {
    let d = serde_json::to_value(scope_records(&quiet_trail(), Subject::Auto)).expect("serializes");
    assert!(d["intrusion"]["first_attacker_event"].is_null());
    assert_eq!(d["identities"]["users"], json!([]));
    assert_eq!(d["resources"], json!([]));
    assert!(d["cost"].is_null());
}

/// A leaked key with three days of history from the office; from a new network the attacker
/// creates a user with a login profile, signs in to the console as it, and from the console
/// session creates another access key and launches an instance.
fn console_trail() -> Vec<Value> {
    let leaked = user("deploy", Some("AKIADEPLOY0000000001"));
    let attacker = "203.0.113.66";
    let console = user("ops-backup", Some("ASIACONSOLE000000001"));
    let mut t = Trail::default();
    routine(&mut t, &leaked, "198.51.100.20", 1..=3);
    t.call(Call {
        time: "2024-03-04T20:00:00Z",
        source: "iam.amazonaws.com",
        name: "CreateUser",
        ip: attacker,
        identity: leaked.clone(),
        request: json!({"userName": "ops-backup"}),
        response: json!({"user": {"userName": "ops-backup", "arn": format!("arn:aws:iam::{ACCT}:user/ops-backup")}}),
    });
    t.call(Call {
        time: "2024-03-04T20:01:00Z",
        source: "iam.amazonaws.com",
        name: "CreateLoginProfile",
        ip: attacker,
        identity: leaked,
        request: json!({"userName": "ops-backup", "passwordResetRequired": false}),
        response: json!({"loginProfile": {"userName": "ops-backup", "passwordResetRequired": false}}),
    });
    t.console_login("2024-03-04T20:05:00Z", attacker, user("ops-backup", None));
    let (req, resp) = create_access_key("ops-backup", "AKIABACKUP0000000001");
    t.console_call(Call {
        time: "2024-03-04T20:30:00Z",
        source: "iam.amazonaws.com",
        name: "CreateAccessKey",
        ip: attacker,
        identity: console.clone(),
        request: req,
        response: resp,
    });
    let (req, resp) = run_instances("i-0console00000001");
    t.console_call(Call {
        time: "2024-03-04T20:35:00Z",
        source: "ec2.amazonaws.com",
        name: "RunInstances",
        ip: attacker,
        identity: console,
        request: req,
        response: resp,
    });
    t.records
}

#[test]
fn an_attacker_console_session_is_followed() {
    let d = serde_json::to_value(scope_records(
        &console_trail(),
        Subject::AccessKey("AKIADEPLOY0000000001".into()),
    ))
    .expect("serializes");
    assert_eq!(
        d["intrusion"]["first_attacker_event"],
        "2024-03-04T20:00:00.000Z"
    );
    assert_eq!(d["attribution"], "attacker");
    let keys = names_of(&d["identities"]["attacker_access_keys"]);
    assert!(
        keys.contains(&"ASIACONSOLE000000001".to_owned()),
        "{keys:?}"
    );
    assert!(
        keys.contains(&"AKIABACKUP0000000001".to_owned()),
        "{keys:?}"
    );
    let instance = d["resources"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["kind"] == "instance"))
        .expect("the console launch is an attacker resource");
    assert_eq!(instance["instance_id"], "i-0console00000001");
    let users = &d["identities"]["users"];
    assert_eq!(names(users, "name"), ["ops-backup"]);
    assert_eq!(users[0]["login_profile"]["event"], "CreateLoginProfile");
    // The sign-in is a session, with the console session's key.
    let login = d["sessions"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["event"] == "ConsoleLogin"))
        .expect("the console sign-in is a session");
    assert_eq!(login["session_access_key"], "ASIACONSOLE000000001");
    assert_eq!(names(&login["used_from"], "ip"), ["203.0.113.66"]);
    let change = d["permission_changes"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["event"] == "CreateAccessKey"))
        .expect("the key creation");
    assert_eq!(change["attribution"], "attacker");
}

fn names_of(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// Root signs in from the office for three days; then from a new address, and from that
/// console session creates an access key and launches an instance.
#[test]
fn a_root_console_session_from_a_new_address_is_the_attacker() {
    let mut t = Trail::default();
    for day in 1..=3 {
        t.console_login(
            &format!("2024-03-0{day}T09:00:00Z"),
            "198.51.100.20",
            root(None),
        );
        t.console_call(Call {
            time: &format!("2024-03-0{day}T09:05:00Z"),
            source: "ec2.amazonaws.com",
            name: "DescribeInstances",
            ip: "198.51.100.20",
            identity: root(Some(&format!("ASIAOWNER00000000{day:03}"))),
            request: json!({}),
            response: Value::Null,
        });
    }
    let attacker = "203.0.113.77";
    t.console_login("2024-03-04T20:05:00Z", attacker, root(None));
    // The owner's console session, still used from the office, also seen once from the
    // attacker's address: the owner holds it too, so it is not learned as an attacker key.
    for (time, ip) in [
        ("2024-03-04T20:06:00Z", "198.51.100.20"),
        ("2024-03-04T20:07:00Z", attacker),
    ] {
        t.console_call(Call {
            time,
            source: "ec2.amazonaws.com",
            name: "DescribeInstances",
            ip,
            identity: root(Some("ASIAOWNER00000000004")),
            request: json!({}),
            response: Value::Null,
        });
    }
    let session = root(Some("ASIAROOTSTOLEN000001"));
    t.console_call(Call {
        time: "2024-03-04T20:10:00Z",
        source: "iam.amazonaws.com",
        name: "CreateAccessKey",
        ip: attacker,
        identity: session.clone(),
        request: json!({}),
        response: json!({"accessKey": {"accessKeyId": "AKIAROOTNEW000000001", "status": "Active"}}),
    });
    let (req, resp) = run_instances("i-0root0000000001");
    t.console_call(Call {
        time: "2024-03-04T20:15:00Z",
        source: "ec2.amazonaws.com",
        name: "RunInstances",
        ip: attacker,
        identity: session,
        request: req,
        response: resp,
    });
    let d = serde_json::to_value(scope_records(
        &t.records,
        Subject::Principal(format!("arn:aws:iam::{ACCT}:root")),
    ))
    .expect("serializes");
    assert_eq!(
        d["intrusion"]["first_attacker_event"],
        "2024-03-04T20:05:00.000Z"
    );
    let keys = names_of(&d["identities"]["attacker_access_keys"]);
    assert!(
        keys.contains(&"ASIAROOTSTOLEN000001".to_owned()),
        "{keys:?}"
    );
    assert!(
        keys.contains(&"AKIAROOTNEW000000001".to_owned()),
        "{keys:?}"
    );
    assert!(!keys.iter().any(|k| k.starts_with("ASIAOWNER")), "{keys:?}");
    let launched = d["resources"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["kind"] == "instance"))
        .map(|r| r["instance_id"].clone());
    assert_eq!(launched, Some(json!("i-0root0000000001")));
}
