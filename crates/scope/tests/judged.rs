//! The shared judge on incidents of every credential kind, in CloudTrail's real shape: roaming
//! owners (no claim), an attack at the very start of the logs (judged by behaviour), a root
//! console takeover, and stolen EC2 instance, Lambda and ECS role credentials (credential
//! misuse). Each is scoped by `--auto` and by the credential itself.

use cloudcase_scope::Subject;
use serde_json::{json, Value};

mod common;
use common::{field_values as strings, string_values as list};

/// Scopes `records` from `subject`, as JSON.
fn run(records: &[Value], subject: Subject) -> Value {
    common::to_json(&common::scope_records(records, subject))
}

/// Scopes `records` from the access key `key` and by `--auto`: both must name `key`.
fn by_key_and_auto(records: &[Value], key: &str) -> [Value; 2] {
    [Subject::AccessKey(key.into()), Subject::Auto].map(|subject| {
        let d = run(records, subject);
        assert_eq!(d["subject"]["value"], key, "{}", d["subject"]);
        d
    })
}

const ACCT: &str = "111122223333";
/// 2024-05-01T00:00:00Z.
const START: i64 = 1_714_521_600;
const HOUR: i64 = 3600;
const DAY: i64 = 24 * HOUR;
const MAC_CLI: &str =
    "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/s3.ls";
const WIN_CLI: &str = "aws-cli/2.13.0 Python/3.11.4 Windows/10 exe/AMD64 prompt/off";
const CI_SDK: &str = "Boto3/1.34.84 md/Botocore#1.34.84 ua/2.0 os/linux#6.5.0-1017-azure md/arch#x86_64 lang/python#3.11.9 cfg/retry-mode#legacy Botocore/1.34.84";
const ATTACKER_SDK: &str = "Boto3/1.28.0 md/Botocore#1.31.0 ua/2.0 os/linux#5.15.0-kali3-amd64 md/arch#x86_64 lang/python#3.11.4 Botocore/1.31.0";
const EC2_CLI: &str = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.61-85.141.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/s3.cp";
const LAMBDA_SDK: &str = "Boto3/1.34.42 md/Botocore#1.34.42 ua/2.0 os/linux#5.10.209-219.811.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 exec-env/AWS_Lambda_python3.12 Botocore/1.34.42";
const ECS_SDK: &str = "aws-sdk-js/3.556.0 ua/2.1 os/linux#5.10.213-201.855.amzn2.x86_64 lang/js md/nodejs#20.12.2 api/s3#3.556.0 exec-env/AWS_ECS_FARGATE";
const BROWSER: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
const ATTACKER_BROWSER: &str =
    "Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0";

fn time(t: i64) -> String {
    jiff::Timestamp::from_second(t)
        .map(|ts| ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn user(name: &str, key: &str) -> Value {
    json!({"type": "IAMUser", "principalId": format!("AIDA{}", name.to_uppercase()),
           "arn": format!("arn:aws:iam::{ACCT}:user/{name}"), "accountId": ACCT,
           "accessKeyId": key, "userName": name})
}

fn root(key: Option<&str>, mfa: bool) -> Value {
    let mut id = json!({"type": "Root", "principalId": ACCT, "arn": format!("arn:aws:iam::{ACCT}:root"), "accountId": ACCT});
    if let Some(k) = key {
        id["accessKeyId"] = json!(k);
        id["sessionContext"] = json!({"sessionIssuer": {}, "webIdFederationData": {},
            "attributes": {"creationDate": "2024-05-01T00:00:00Z", "mfaAuthenticated": mfa.to_string()}});
    }
    id
}

fn role_session(role: &str, session: &str, key: &str) -> Value {
    json!({"type": "AssumedRole", "principalId": format!("AROAEXAMPLE:{session}"),
           "arn": format!("arn:aws:sts::{ACCT}:assumed-role/{role}/{session}"), "accountId": ACCT,
           "accessKeyId": key,
           "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
                "arn": format!("arn:aws:iam::{ACCT}:role/{role}"), "accountId": ACCT, "userName": role},
                "webIdFederationData": {},
                "attributes": {"creationDate": "2024-05-01T00:00:00Z", "mfaAuthenticated": "false"}}})
}

/// Records, each with its own `eventID`.
#[derive(Default)]
struct Trail {
    records: Vec<Value>,
}

/// One call.
struct Call<'a> {
    t: i64,
    ip: &'a str,
    ua: &'a str,
    who: &'a Value,
    source: &'a str,
    name: &'a str,
    region: &'a str,
    req: Value,
    resp: Value,
}

impl Trail {
    fn call(&mut self, c: Call<'_>) -> &mut Value {
        let n = self.records.len();
        let read_only = ["Get", "List", "Describe", "Head"]
            .iter()
            .any(|p| c.name.starts_with(p));
        let data = c.source == "s3.amazonaws.com"
            && ["GetObject", "ListObjects", "PutObject"].contains(&c.name);
        self.records.push(json!({
            "eventVersion": "1.09", "userIdentity": c.who, "eventTime": time(c.t),
            "eventSource": c.source, "eventName": c.name, "awsRegion": c.region,
            "sourceIPAddress": c.ip, "userAgent": c.ua,
            "requestParameters": c.req, "responseElements": c.resp,
            "requestID": format!("req-{n}"), "eventID": format!("ev-{n:05}"), "readOnly": read_only,
            "eventType": "AwsApiCall", "managementEvent": !data, "recipientAccountId": ACCT,
            "eventCategory": if data { "Data" } else { "Management" },
        }));
        self.records.last_mut().expect("just pushed")
    }

    /// A simple call with empty request and response.
    fn simple(&mut self, t: i64, ip: &str, ua: &str, who: &Value, source: &str, name: &str) {
        self.call(Call {
            t,
            ip,
            ua,
            who,
            source,
            name,
            region: "us-east-1",
            req: json!({}),
            resp: Value::Null,
        });
    }

    fn console_login(&mut self, t: i64, ip: &str, ua: &str, who: &Value, ok: bool, mfa: bool) {
        let n = self.records.len();
        let mut r = json!({
            "eventVersion": "1.09", "userIdentity": who, "eventTime": time(t),
            "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin", "awsRegion": "us-east-1",
            "sourceIPAddress": ip, "userAgent": ua, "requestParameters": null,
            "responseElements": {"ConsoleLogin": if ok { "Success" } else { "Failure" }},
            "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/console/home",
                                    "MobileVersion": "No", "MFAUsed": if mfa { "Yes" } else { "No" }},
            "eventID": format!("ev-{n:05}"), "readOnly": false, "eventType": "AwsConsoleSignIn",
            "managementEvent": true, "recipientAccountId": ACCT, "eventCategory": "Management",
        });
        if !ok {
            r["errorMessage"] = json!("Failed authentication");
        }
        self.records.push(r);
    }

    /// `days` working days of routine reads by `who` from `ip(day)` with `ua`.
    fn routine(
        &mut self,
        who: &Value,
        ua: &str,
        days: std::ops::Range<i64>,
        ip: &dyn Fn(i64) -> String,
    ) {
        for day in days {
            for h in [9, 11, 14, 16] {
                let t = START + day * DAY + h * HOUR;
                let ip = ip(day);
                self.simple(t, &ip, ua, who, "s3.amazonaws.com", "ListBuckets");
                self.simple(
                    t + 60,
                    &ip,
                    ua,
                    who,
                    "ec2.amazonaws.com",
                    "DescribeInstances",
                );
            }
        }
    }
}

fn signals(d: &Value) -> Vec<String> {
    strings(&d["intrusion"]["signals"], "signal")
}

/// Two employees: office in the morning, a home ISP whose address changes every day in the
/// afternoon, a phone's mobile network some evenings, and a CI key on shared runner addresses.
fn roaming_trail() -> Vec<Value> {
    let mut t = Trail::default();
    let ana = user("ana", "AKIAANA0000000000001");
    let ben = user("ben", "AKIABEN0000000000001");
    let ci = user("ci", "AKIACI00000000000001");
    for day in 0..20 {
        for (who, ua, home) in [(&ana, MAC_CLI, 81), (&ben, WIN_CLI, 92)] {
            let office = "192.0.2.10";
            let home_ip = format!("198.51.{}.{}", home + day % 9, 10 + day);
            let mobile = format!("100.{}.{}.7", 64 + day % 5, day * 3);
            for h in [8, 10] {
                t.simple(
                    START + day * DAY + h * HOUR,
                    office,
                    ua,
                    who,
                    "s3.amazonaws.com",
                    "ListBuckets",
                );
            }
            for h in [14, 17] {
                let at = START + day * DAY + h * HOUR;
                t.simple(
                    at,
                    &home_ip,
                    ua,
                    who,
                    "ec2.amazonaws.com",
                    "DescribeInstances",
                );
                t.simple(
                    at + 60,
                    &home_ip,
                    ua,
                    who,
                    "s3.amazonaws.com",
                    "GetBucketLocation",
                );
            }
            if day % 3 == 2 {
                t.simple(
                    START + day * DAY + 21 * HOUR,
                    &mobile,
                    ua,
                    who,
                    "s3.amazonaws.com",
                    "ListBuckets",
                );
            }
            if day == 15 {
                // Routine admin work from home: a key rotation.
                t.call(Call {
                    t: START + day * DAY + 15 * HOUR,
                    ip: &home_ip,
                    ua,
                    who,
                    source: "iam.amazonaws.com",
                    name: "CreateAccessKey",
                    region: "us-east-1",
                    req: json!({}),
                    resp: json!({"accessKey": {"accessKeyId": "AKIAROTATED000000001", "status": "Active"}}),
                });
            }
        }
        for h in 0..6 {
            let ip = format!("20.{}.{}.{}", 40 + (day + h) % 7, h * 11, day + 1);
            t.simple(
                START + day * DAY + h * 4 * HOUR,
                &ip,
                CI_SDK,
                &ci,
                "s3.amazonaws.com",
                "ListBuckets",
            );
        }
    }
    t.records
}

#[test]
fn roaming_owners_are_not_called_compromised() {
    let records = roaming_trail();
    for key in [
        "AKIAANA0000000000001",
        "AKIABEN0000000000001",
        "AKIACI00000000000001",
    ] {
        let d = run(&records, Subject::AccessKey(key.into()));
        assert!(
            d["intrusion"]["first_attacker_event"].is_null(),
            "{key}: {}",
            d["intrusion"]
        );
        assert_eq!(d["intrusion"]["finding"], "no_departure");
    }
    let auto = run(&records, Subject::Auto);
    assert!(
        auto["intrusion"]["first_attacker_event"].is_null(),
        "{}",
        auto["subject"]["auto_ranking"]
    );
}

/// The logs start with the attack: a CI key, from the attacker's addresses, creates a backdoor
/// user with a console password and admin rights and mints it a key; the owner's CI keeps using
/// the key from its runners afterwards.
fn log_start_trail() -> Vec<Value> {
    let mut t = Trail::default();
    let ci = user("ci-deploy", "AKIACIDEPLOY00000001");
    let (a1, a2) = ("203.0.113.45", "203.0.113.46");
    let who = &ci;
    let c = |t0: i64,
             ip: &'static str,
             source: &'static str,
             name: &'static str,
             req: Value,
             resp: Value| (t0, ip, source, name, req, resp);
    let steps = [
        c(
            300,
            a1,
            "sts.amazonaws.com",
            "GetCallerIdentity",
            json!({}),
            Value::Null,
        ),
        c(
            360,
            a1,
            "iam.amazonaws.com",
            "ListUsers",
            json!({}),
            Value::Null,
        ),
        c(
            420,
            a1,
            "iam.amazonaws.com",
            "ListRoles",
            json!({}),
            Value::Null,
        ),
        c(
            900,
            a2,
            "iam.amazonaws.com",
            "CreateUser",
            json!({"userName": "support-admin"}),
            json!({"user": {"userName": "support-admin", "arn": format!("arn:aws:iam::{ACCT}:user/support-admin"), "userId": "AIDASUPPORT"}}),
        ),
        c(
            960,
            a2,
            "iam.amazonaws.com",
            "CreateLoginProfile",
            json!({"userName": "support-admin", "passwordResetRequired": false}),
            json!({"loginProfile": {"userName": "support-admin", "passwordResetRequired": false}}),
        ),
        c(
            1020,
            a2,
            "iam.amazonaws.com",
            "AttachUserPolicy",
            json!({"userName": "support-admin", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
            Value::Null,
        ),
        c(
            1080,
            a2,
            "iam.amazonaws.com",
            "CreateAccessKey",
            json!({"userName": "support-admin"}),
            json!({"accessKey": {"accessKeyId": "AKIAMINTED0000000001", "status": "Active", "userName": "support-admin"}}),
        ),
    ];
    for (dt, ip, source, name, req, resp) in steps {
        t.call(Call {
            t: START + dt,
            ip,
            ua: ATTACKER_SDK,
            who,
            source,
            name,
            region: "us-east-1",
            req,
            resp,
        });
    }
    t.simple(
        START + 2 * HOUR,
        "198.18.0.9",
        ATTACKER_SDK,
        &user("support-admin", "AKIAMINTED0000000001"),
        "ec2.amazonaws.com",
        "DescribeRegions",
    );
    t.routine(&ci, CI_SDK, 0..6, &|d| {
        format!("20.{}.7.{}", 40 + d % 3, 10 + d)
    });
    t.records
}

#[test]
fn a_log_start_attack_is_judged_by_behaviour() {
    let records = log_start_trail();
    for d in by_key_and_auto(&records, "AKIACIDEPLOY00000001") {
        assert_eq!(
            d["intrusion"]["first_attacker_event"], "2024-05-01T00:05:00.000Z",
            "{}",
            d["intrusion"]
        );
        assert_eq!(d["intrusion"]["method"], "behaviour");
        assert_eq!(d["intrusion"]["confidence"], "medium");
        let s = signals(&d);
        assert!(
            s.contains(&"no_baseline".to_owned()) && s.contains(&"persistence".to_owned()),
            "{s:?}"
        );
        assert_eq!(
            strings(&d["identities"]["users"], "name"),
            ["support-admin"]
        );
        assert_eq!(
            strings(&d["identities"]["access_keys"], "access_key"),
            ["AKIAMINTED0000000001"]
        );
        let sources = strings(&d["attacker_sources"], "ip");
        assert!(
            sources.contains(&"203.0.113.45".to_owned())
                && sources.contains(&"203.0.113.46".to_owned()),
            "{sources:?}"
        );
        assert!(
            !sources.iter().any(|s| s.starts_with("20.")),
            "the runners are the owner's: {sources:?}"
        );
        let unknowns = d["unknowns"].as_array().expect("a list");
        assert!(
            unknowns.iter().any(|u| u["would_resolve"]
                .as_str()
                .is_some_and(|w| w.contains("LookupEvents"))),
            "{unknowns:?}"
        );
    }
}

/// Root: console sign-ins with MFA from the office every few days; then failed sign-ins from a
/// new address, a success without MFA, a root access key, an admin user and a GPU instance in a
/// region the account never used. Other identities work as usual.
fn root_trail() -> Vec<Value> {
    let mut t = Trail::default();
    let office = "192.0.2.10";
    for day in [0, 3, 6, 9] {
        let at = START + day * DAY + 10 * HOUR;
        t.console_login(at, office, BROWSER, &root(None, true), true, true);
        t.simple(
            at + 120,
            office,
            BROWSER,
            &root(Some(&format!("ASIAROOTOWN00000000{day}")), true),
            "billing.amazonaws.com",
            "GetBillingData",
        );
    }
    let ana = user("ana", "AKIAANA0000000000001");
    t.routine(&ana, MAC_CLI, 0..12, &|d| {
        format!("198.51.{}.20", 100 + d % 2)
    });
    let evil = "185.220.101.33";
    let at = START + 11 * DAY + 2 * HOUR;
    for i in 0..3 {
        t.console_login(
            at + i * 40,
            evil,
            ATTACKER_BROWSER,
            &root(None, false),
            false,
            false,
        );
    }
    t.console_login(
        at + 200,
        evil,
        ATTACKER_BROWSER,
        &root(None, false),
        true,
        false,
    );
    let session = root(Some("ASIAROOTATTACK000001"), false);
    let iam = |t: &mut Trail, dt: i64, name: &str, req: Value, resp: Value| {
        t.call(Call {
            t: at + dt,
            ip: evil,
            ua: ATTACKER_BROWSER,
            who: &session,
            source: "iam.amazonaws.com",
            name,
            region: "us-east-1",
            req,
            resp,
        })["sessionCredentialFromConsole"] = json!("true");
    };
    iam(
        &mut t,
        300,
        "CreateAccessKey",
        json!({}),
        json!({"accessKey": {"accessKeyId": "AKIAROOTNEW000000001", "status": "Active"}}),
    );
    iam(
        &mut t,
        360,
        "CreateUser",
        json!({"userName": "ops-admin"}),
        json!({"user": {"userName": "ops-admin"}}),
    );
    iam(
        &mut t,
        420,
        "AttachUserPolicy",
        json!({"userName": "ops-admin", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
        Value::Null,
    );
    t.call(Call {
        t: at + 900,
        ip: "185.220.101.40",
        ua: ATTACKER_SDK,
        who: &root(Some("AKIAROOTNEW000000001"), false),
        source: "ec2.amazonaws.com",
        name: "RunInstances",
        region: "ap-southeast-3",
        req: json!({"instancesSet": {"items": [{"imageId": "ami-0abc", "minCount": 1, "maxCount": 1}]}, "instanceType": "g5.12xlarge"}),
        resp: json!({"instancesSet": {"items": [{"instanceId": "i-0a1b2c3d4e5f60718", "instanceType": "g5.12xlarge", "launchTime": 1715396400000_i64}]}}),
    });
    t.records
}

#[test]
fn a_root_console_takeover_is_found_by_auto() {
    let d = run(&root_trail(), Subject::Auto);
    assert_eq!(
        d["subject"]["value"],
        format!("root:{ACCT}"),
        "{}",
        d["subject"]["auto_ranking"]
    );
    let top = &d["subject"]["auto_ranking"][0];
    assert_eq!(top["kind"], "root");
    assert!(top["access_key"].is_null());
    assert_eq!(
        d["intrusion"]["first_attacker_event"],
        "2024-05-12T02:00:00.000Z"
    );
    assert_eq!(d["intrusion"]["method"], "credential_misuse");
    let s = signals(&d);
    for want in [
        "console_failures_then_success",
        "mfa_absent",
        "persistence",
        "new_wide_network",
    ] {
        assert!(s.contains(&want.to_owned()), "{want}: {s:?}");
    }
    assert_eq!(d["intrusion"]["confidence"], "high");
    let keys = list(&d["identities"]["attacker_access_keys"]);
    assert!(
        keys.contains(&"AKIAROOTNEW000000001".to_owned()),
        "{keys:?}"
    );
    assert!(
        keys.contains(&"ASIAROOTATTACK000001".to_owned()),
        "{keys:?}"
    );
    assert_eq!(strings(&d["identities"]["users"], "name"), ["ops-admin"]);
    let instances = strings(&d["resources"], "instance_id");
    assert_eq!(instances, ["i-0a1b2c3d4e5f60718"]);
}

/// An instance profile's sessions (named after the instance) rotate keys every six hours and
/// read a bucket from the instance; one key is then used with aws-cli from a macOS laptop to
/// list and read the bucket (S3 data events are logged).
fn instance_trail() -> Vec<Value> {
    let mut t = Trail::default();
    let node = "54.210.33.7";
    let instance = "i-0b0efb52f317a8df6";
    for slot in 0..12 {
        let key = format!("ASIAINSTANCE0000000{slot:x}");
        let who = role_session("web-node", instance, &key);
        for h in [0, 2, 4] {
            let at = START + slot * 6 * HOUR + h * HOUR;
            t.call(Call { t: at, ip: node, ua: EC2_CLI, who: &who, source: "s3.amazonaws.com", name: "GetObject", region: "us-east-1",
                req: json!({"bucketName": "web-assets", "key": "site/index.html", "Host": "web-assets.s3.amazonaws.com"}), resp: Value::Null });
        }
    }
    let stolen = role_session("web-node", instance, "ASIAINSTANCE0000000b");
    let laptop = "203.0.113.200";
    let at = START + 11 * 6 * HOUR + 5 * HOUR;
    t.simple(
        at,
        laptop,
        MAC_CLI,
        &stolen,
        "sts.amazonaws.com",
        "GetCallerIdentity",
    );
    t.simple(
        at + 30,
        laptop,
        MAC_CLI,
        &stolen,
        "s3.amazonaws.com",
        "ListBuckets",
    );
    t.call(Call {
        t: at + 60,
        ip: laptop,
        ua: MAC_CLI,
        who: &stolen,
        source: "s3.amazonaws.com",
        name: "ListObjects",
        region: "us-east-1",
        req: json!({"bucketName": "customer-exports", "Host": "customer-exports.s3.amazonaws.com"}),
        resp: Value::Null,
    });
    for i in 0..12 {
        t.call(Call { t: at + 90 + i, ip: laptop, ua: MAC_CLI, who: &stolen, source: "s3.amazonaws.com", name: "GetObject", region: "us-east-1",
            req: json!({"bucketName": "customer-exports", "key": format!("2024/{i}.csv"), "Host": "customer-exports.s3.amazonaws.com"}), resp: Value::Null });
    }
    let ana = user("ana", "AKIAANA0000000000001");
    t.routine(&ana, MAC_CLI, 0..3, &|_| "198.51.100.20".into());
    t.records
}

#[test]
fn a_stolen_instance_credential_is_found_with_the_bucket_it_read() {
    let records = instance_trail();
    for subject in [
        Subject::AccessKey("ASIAINSTANCE0000000b".into()),
        Subject::Auto,
    ] {
        let d = run(&records, subject);
        assert_eq!(
            d["intrusion"]["first_attacker_event"], "2024-05-03T23:00:00.000Z",
            "{}",
            d["intrusion"]
        );
        assert_eq!(d["intrusion"]["method"], "credential_misuse");
        let s = signals(&d);
        assert!(
            s.contains(&"compute_credential_off_compute".to_owned()),
            "{s:?}"
        );
        assert!(
            s.contains(&"compute_credential_outside_role".to_owned()),
            "{s:?}"
        );
        assert_eq!(strings(&d["attacker_sources"], "ip"), ["203.0.113.200"]);
        let exports = d["data_access"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["name"] == "customer-exports"))
            .expect("the bucket");
        assert_eq!(exports["verdict"], "ACCESSED", "{exports}");
        let assets = d["data_access"]
            .as_array()
            .and_then(|a| a.iter().find(|x| x["name"] == "web-assets"))
            .expect("the instance's bucket");
        assert_ne!(
            assets["verdict"], "ACCESSED",
            "the instance's own reads: {assets}"
        );
    }
    let auto = run(&records, Subject::Auto);
    let top = &auto["subject"]["auto_ranking"][0];
    assert_eq!(top["kind"], "instance_session");
    assert_eq!(
        top["principal"],
        format!("arn:aws:sts::{ACCT}:assumed-role/web-node/i-0b0efb52f317a8df6")
    );
}

/// A compute role's session (Lambda or ECS) works from AWS addresses with its SDK; its key is
/// then used from the internet to enumerate and assume a second, more powerful role, whose
/// session creates a user.
fn compute_trail(role: &str, session: &str, ua: &str) -> Vec<Value> {
    let mut t = Trail::default();
    let key = "ASIACOMPUTE000000001";
    let who = role_session(role, session, key);
    for i in 0..40 {
        let at = START + i * HOUR;
        t.simple(
            at,
            &format!("3.{}.9.{}", 80 + i % 3, 20 + i % 5),
            ua,
            &who,
            "dynamodb.amazonaws.com",
            "DescribeTable",
        );
    }
    let evil = "198.18.77.5";
    let at = START + 41 * HOUR;
    t.simple(
        at,
        evil,
        ATTACKER_SDK,
        &who,
        "sts.amazonaws.com",
        "GetCallerIdentity",
    );
    for (i, name) in [
        "ListRoles",
        "ListUsers",
        "ListPolicies",
        "ListAttachedRolePolicies",
        "GetRole",
        "ListRolePolicies",
        "ListGroups",
        "GetAccountAuthorizationDetails",
        "ListInstanceProfiles",
        "GetPolicy",
        "GetPolicyVersion",
    ]
    .iter()
    .enumerate()
    {
        t.simple(
            at + 10 + i as i64,
            evil,
            ATTACKER_SDK,
            &who,
            "iam.amazonaws.com",
            name,
        );
    }
    t.call(Call { t: at + 120, ip: evil, ua: ATTACKER_SDK, who: &who, source: "sts.amazonaws.com", name: "AssumeRole", region: "us-east-1",
        req: json!({"roleArn": format!("arn:aws:iam::{ACCT}:role/deploy-admin"), "roleSessionName": "x"}),
        resp: json!({"credentials": {"accessKeyId": "ASIASECONDROLE000001", "expiration": "May 3, 2024, 6:00:00 PM", "sessionToken": "t"},
                     "assumedRoleUser": {"assumedRoleId": "AROADEPLOY:x", "arn": format!("arn:aws:sts::{ACCT}:assumed-role/deploy-admin/x")}}) });
    let second = role_session("deploy-admin", "x", "ASIASECONDROLE000001");
    t.call(Call {
        t: at + 200,
        ip: "198.18.77.6",
        ua: ATTACKER_SDK,
        who: &second,
        source: "iam.amazonaws.com",
        name: "CreateUser",
        region: "us-east-1",
        req: json!({"userName": "lambda-sync"}),
        resp: json!({"user": {"userName": "lambda-sync"}}),
    });
    let ana = user("ana", "AKIAANA0000000000001");
    t.routine(&ana, MAC_CLI, 0..3, &|_| "198.51.100.20".into());
    t.records
}

fn check_compute(d: &Value, kind: &str, session: &str) {
    let top = &d["subject"]["auto_ranking"][0];
    assert_eq!(top["kind"], kind, "{}", d["subject"]["auto_ranking"]);
    assert_eq!(
        d["subject"]["value"],
        format!("arn:aws:sts::{ACCT}:assumed-role/{}", session)
    );
    assert_eq!(
        d["intrusion"]["first_attacker_event"], "2024-05-02T17:00:00.000Z",
        "{}",
        d["intrusion"]
    );
    assert_eq!(d["intrusion"]["method"], "credential_misuse");
    let sources = strings(&d["attacker_sources"], "ip");
    assert!(sources.contains(&"198.18.77.5".to_owned()), "{sources:?}");
    let keys = list(&d["identities"]["attacker_access_keys"]);
    assert!(
        keys.contains(&"ASIASECONDROLE000001".to_owned()),
        "{keys:?}"
    );
    assert_eq!(strings(&d["identities"]["users"], "name"), ["lambda-sync"]);
}

#[test]
fn stolen_lambda_credentials_are_found_by_auto() {
    let d = run(
        &compute_trail("resize-fn-role", "resize-images", LAMBDA_SDK),
        Subject::Auto,
    );
    check_compute(&d, "lambda_session", "resize-fn-role/resize-images");
    assert!(
        signals(&d).contains(&"compute_credential_no_exec_env".to_owned()),
        "{:?}",
        signals(&d)
    );
}

#[test]
fn stolen_ecs_credentials_are_found_by_auto() {
    let task = "5f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99";
    let d = run(
        &compute_trail("orders-task-role", task, ECS_SDK),
        Subject::Auto,
    );
    check_compute(&d, "ecs_session", &format!("orders-task-role/{task}"));
}

#[test]
fn principals_of_every_kind_are_subjects() {
    let root = run(&root_trail(), Subject::Principal("root".into()));
    assert_eq!(
        root["intrusion"]["first_attacker_event"], "2024-05-12T02:00:00.000Z",
        "{}",
        root["intrusion"]
    );
    let lambda = compute_trail("resize-fn-role", "resize-images", LAMBDA_SDK);
    for name in [
        "resize-images",
        "resize-fn-role",
        "arn:aws:sts::111122223333:assumed-role/resize-fn-role/resize-images",
    ] {
        let d = run(&lambda, Subject::Principal(name.into()));
        assert_eq!(
            d["intrusion"]["first_attacker_event"], "2024-05-02T17:00:00.000Z",
            "{name}: {}",
            d["intrusion"]
        );
        let keys = list(&d["identities"]["attacker_access_keys"]);
        assert!(
            keys.contains(&"ASIASECONDROLE000001".to_owned()),
            "{name}: {keys:?}"
        );
    }
    let ecs = compute_trail(
        "orders-task-role",
        "5f3c2a1b0e9d8c7b6a5f4e3d2c1b0a99",
        ECS_SDK,
    );
    let d = run(&ecs, Subject::AccessKey("ASIACOMPUTE000000001".into()));
    assert_eq!(
        d["intrusion"]["first_attacker_event"],
        "2024-05-02T17:00:00.000Z"
    );
    assert_eq!(d["intrusion"]["method"], "credential_misuse");
}

/// Two keys, each with three days of history from the office, attacked the same way from two
/// foreign networks a minute apart: `--auto` scopes the earlier and says the tie plainly.
#[test]
fn a_tie_is_said_plainly() {
    let mut t = Trail::default();
    let keys = [
        ("ops", "AKIAOPS0000000000001", "203.0.113.5"),
        ("dev", "AKIADEV0000000000001", "198.18.9.5"),
    ];
    for (i, (name, key, evil)) in keys.iter().enumerate() {
        let who = user(name, key);
        t.routine(&who, MAC_CLI, 0..3, &|_| "192.0.2.10".into());
        let at = START + 3 * DAY + 2 * HOUR + i as i64 * 60;
        for (dt, name) in [
            (0, "CreateUser"),
            (5, "CreateLoginProfile"),
            (10, "AttachUserPolicy"),
        ] {
            t.call(Call {
                t: at + dt,
                ip: evil,
                ua: ATTACKER_SDK,
                who: &who,
                source: "iam.amazonaws.com",
                name,
                region: "us-east-1",
                req: json!({"userName": format!("backdoor-{i}"), "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
                resp: json!({"user": {"userName": format!("backdoor-{i}")}}),
            });
        }
    }
    let d = run(&t.records, Subject::Auto);
    assert_eq!(d["subject"]["value"], "AKIAOPS0000000000001");
    let ranking = d["subject"]["auto_ranking"].as_array().expect("a list");
    assert_eq!(ranking.len(), 2);
    assert_eq!(ranking[0]["score"], ranking[1]["score"]);
    assert!(
        list(&json!(ranking[0]["reasons"]))
            .iter()
            .any(|r| r.starts_with("tie:")),
        "{ranking:?}"
    );
    let unknowns = d["unknowns"].as_array().expect("a list");
    assert!(
        unknowns
            .iter()
            .any(|u| u["why"].as_str().is_some_and(|w| w.starts_with("tie:"))),
        "{unknowns:?}"
    );
    assert!(
        unknowns
            .iter()
            .any(|u| u["question"] == "whether other identities are compromised too"),
        "{unknowns:?}"
    );
}

/// A Lambda whose SDK names no exec-env is still a Lambda session: `lambda.amazonaws.com`
/// opened it (`AssumeRole` by the service, session named after the function).
#[test]
fn a_session_a_compute_service_opened_has_its_kind() {
    const GO_SDK: &str = "aws-sdk-go/1.50.8 (go1.21.6; linux; amd64)";
    let mut records = compute_trail("thumb-fn-role", "thumbnailer", GO_SDK);
    let service = json!({"type": "AWSService", "invokedBy": "lambda.amazonaws.com"});
    let mut t = Trail::default();
    t.call(Call {
        t: START - 60,
        ip: "lambda.amazonaws.com",
        ua: "lambda.amazonaws.com",
        who: &service,
        source: "sts.amazonaws.com",
        name: "AssumeRole",
        region: "us-east-1",
        req: json!({"roleArn": format!("arn:aws:iam::{ACCT}:role/thumb-fn-role"), "roleSessionName": "thumbnailer"}),
        resp: json!({"credentials": {"accessKeyId": "ASIACOMPUTE000000001"}}),
    })["eventID"] = json!("ev-issue");
    records.extend(t.records);
    let d = run(&records, Subject::Auto);
    assert_eq!(
        d["subject"]["auto_ranking"][0]["kind"], "lambda_session",
        "{}",
        d["subject"]["auto_ranking"]
    );
    assert!(
        signals(&d).contains(&"compute_credential_outside_role".to_owned()),
        "{:?}",
        signals(&d)
    );
    assert_eq!(
        d["intrusion"]["first_attacker_event"],
        "2024-05-02T17:00:00.000Z"
    );
}

/// The log-start attacker comes back days later from the same address for a short burst: the
/// cluster is still foreign to the owner's habits.
#[test]
fn a_log_start_attacker_coming_back_is_still_found() {
    let mut records = log_start_trail();
    let mut t = Trail::default();
    let ci = user("ci-deploy", "AKIACIDEPLOY00000001");
    for i in 0..3 {
        t.simple(
            START + 5 * DAY + i * 60,
            "203.0.113.46",
            ATTACKER_SDK,
            &ci,
            "s3.amazonaws.com",
            "ListBuckets",
        );
    }
    for r in &mut t.records {
        r["eventID"] = json!(format!("back-{}", r["eventID"].as_str().unwrap_or("")));
    }
    records.extend(t.records);
    let d = run(&records, Subject::AccessKey("AKIACIDEPLOY00000001".into()));
    assert_eq!(
        d["intrusion"]["first_attacker_event"], "2024-05-01T00:05:00.000Z",
        "{}",
        d["intrusion"]
    );
    assert_eq!(d["intrusion"]["method"], "behaviour");
}

/// Logs of 34 hours, too short to learn the owner's habits from: a deploy key works every hour
/// from its runners (roles, policies, functions, instances: what an attacker does too), and in
/// its 27th hour a burst from a new network with another client creates a user with a login and
/// a key. The burst departs from the key's steady use; the steady use is not the departure from
/// the burst.
#[test]
fn a_burst_in_short_logs_is_the_departure_not_the_steady_owner() {
    let mut t = Trail::default();
    let ci = user("deploy-bot", "AKIADEPLOYBOT0000001");
    let iam = "iam.amazonaws.com";
    for h in 0..34 {
        let at = START + h * HOUR + 120;
        let ip = format!("52.14.20.{}", 10 + h % 2);
        for (dt, source, name) in [
            (0, iam, "CreateRole"),
            (30, iam, "AttachRolePolicy"),
            (60, "lambda.amazonaws.com", "UpdateFunctionCode20150331v2"),
            (90, "ec2.amazonaws.com", "RunInstances"),
            (120, "ec2.amazonaws.com", "DescribeInstances"),
            (150, "secretsmanager.amazonaws.com", "GetSecretValue"),
        ] {
            t.simple(at + dt, &ip, CI_SDK, &ci, source, name);
        }
    }
    let burst = START + 26 * HOUR + 7 * 60;
    for (i, name) in [
        "GetCallerIdentity",
        "ListUsers",
        "CreateUser",
        "CreateLoginProfile",
        "AttachUserPolicy",
        "CreateAccessKey",
    ]
    .into_iter()
    .enumerate()
    {
        let source = if i == 0 { "sts.amazonaws.com" } else { iam };
        t.simple(
            burst + 30 * i as i64,
            "203.0.113.45",
            ATTACKER_SDK,
            &ci,
            source,
            name,
        );
    }
    for d in by_key_and_auto(&t.records, "AKIADEPLOYBOT0000001") {
        assert_eq!(
            d["intrusion"]["first_attacker_event"], "2024-05-02T02:07:00.000Z",
            "{}",
            d["intrusion"]
        );
        let sources = strings(&d["attacker_sources"], "ip");
        assert_eq!(sources, ["203.0.113.45"], "the runners are the owner's");
    }
}
