//! Test fixtures for the analytics: CloudTrail records in the shape AWS
//! delivers them (`{"Records":[…]}` files), read through the real reader into
//! events.

use std::sync::Arc;

use cloudcase_event::{Event, SourceFile};
use cloudcase_read::{discover, read_files, Limits};
use serde_json::{json, Value};

/// The account every fixture record is made against.
pub const ACCOUNT: &str = "111122223333";

/// Events read from one delivery file, with the directory that keeps the
/// file alive for analytics that read their witnesses again.
pub struct Trail {
    /// Keeps the file until the test ends.
    _dir: tempfile::TempDir,
    /// The events, in the file's order.
    pub events: Vec<Event>,
}

impl Trail {
    /// The files the events were read from, by ordinal: the inputs of a run.
    pub fn files(&self) -> Vec<Arc<SourceFile>> {
        files_of(&self.events)
    }
}

/// The files `events` were read from, by ordinal.
pub fn files_of(events: &[Event]) -> Vec<Arc<SourceFile>> {
    let mut files: Vec<Arc<SourceFile>> = Vec::new();
    for e in events {
        if !files.iter().any(|f| f.ordinal == e.provenance.file.ordinal) {
            files.push(Arc::clone(&e.provenance.file));
        }
    }
    files.sort_by_key(|f| f.ordinal);
    files
}

/// Writes `records` as one CloudTrail delivery file, giving each an `eventID`
/// and `requestID` unless it has them, and reads it back.
pub fn read_trail(records: Vec<Value>) -> Trail {
    let dir = tempfile::tempdir().expect("temporary directory");
    let records: Vec<Value> = records
        .into_iter()
        .enumerate()
        .map(|(i, mut r)| {
            if r.get("eventID").is_none() {
                r["eventID"] = json!(format!("8f0e51c4-3d1e-4c51-9a1b-{i:012}"));
                r["requestID"] = json!(format!("c0ffee00-0000-4000-8000-{i:012}"));
            }
            r
        })
        .collect();
    let path = dir
        .path()
        .join("111122223333_CloudTrail_us-east-1_20240301T1000Z_fixture.json");
    std::fs::write(&path, json!({ "Records": records }).to_string()).expect("write fixture");
    let inputs = discover(&[path], &|r| panic!("fixture rejected: {r}")).expect("discover");
    let (mut sinks, _) = read_files(
        &inputs.files,
        Limits::default(),
        vec![Collect(Vec::new())],
        &|r| panic!("fixture rejected: {r}"),
    );
    let mut events: Vec<Event> = sinks.pop().map(|c| c.0).unwrap_or_default();
    events.sort_by_key(|e| e.provenance.record);
    Trail { _dir: dir, events }
}

/// Writes `lines` as one S3 server access log file and reads it back.
pub fn read_access_log(lines: &[String]) -> Trail {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("access-2026-06-01-00-00-00-FIXTURE");
    std::fs::write(&path, lines.join("\n") + "\n").expect("write fixture");
    let inputs = discover(&[path], &|r| panic!("fixture rejected: {r}")).expect("discover");
    let (mut sinks, _) = read_files(
        &inputs.files,
        Limits::default(),
        vec![Collect(Vec::new())],
        &|r| panic!("fixture rejected: {r}"),
    );
    let mut events: Vec<Event> = sinks.pop().map(|c| c.0).unwrap_or_default();
    events.sort_by_key(|e| e.provenance.record);
    Trail { _dir: dir, events }
}

/// Collects the events of the one worker the fixtures read with, reading
/// what `hunt` reads: the record text without the JSON bodies.
struct Collect(Vec<Event>);

impl cloudcase_read::EventSink for Collect {
    fn accept(&mut self, event: Event) {
        self.0.push(event);
    }

    fn wants_bodies(&self) -> bool {
        false
    }
}

/// An IAM user's call with its long-term access key, from `ip`.
pub fn user_call(user: &str, key: &str, time: &str, name: &str, ip: &str) -> Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": format!("AIDA{}", user.to_ascii_uppercase()),
            "arn": format!("arn:aws:iam::{ACCOUNT}:user/{user}"),
            "accountId": ACCOUNT,
            "accessKeyId": key,
            "userName": user
        },
        "eventTime": time,
        "eventSource": source_of(name),
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.5.0 md/arch#x86_64 lang/python#3.11.8",
        "requestParameters": null,
        "responseElements": null,
        "readOnly": true,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": "ec2.us-east-1.amazonaws.com"
        }
    })
}

/// A call by session `session` of role `role` with a temporary key, from `ip`.
pub fn role_call(role: &str, session: &str, time: &str, name: &str, ip: &str) -> Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "AssumedRole",
            "principalId": format!("AROAEXAMPLEROLEID:{session}"),
            "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"),
            "accountId": ACCOUNT,
            "accessKeyId": "ASIAEXAMPLETEMPKEY01",
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": "AROAEXAMPLEROLEID",
                    "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"),
                    "accountId": ACCOUNT,
                    "userName": role
                },
                "attributes": {
                    "creationDate": "2024-03-01T09:00:00Z",
                    "mfaAuthenticated": "false"
                }
            }
        },
        "eventTime": time,
        "eventSource": source_of(name),
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": ip,
        "userAgent": "Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#5.10.213 md/arch#x86_64 lang/python#3.12.2",
        "requestParameters": null,
        "responseElements": null,
        "readOnly": true,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": ACCOUNT,
        "eventCategory": "Management"
    })
}

/// The same record as made by an AWS service on the principal's behalf
/// (`invokedBy`, and the service as source address).
pub fn via_service(mut record: Value, service: &str) -> Value {
    record["userIdentity"]["invokedBy"] = json!(service);
    record["sourceIPAddress"] = json!(service);
    record["userAgent"] = json!(service);
    record
}

/// The same record, failed with `code`.
pub fn failed(mut record: Value, code: &str) -> Value {
    record["errorCode"] = json!(code);
    record["errorMessage"] = json!("User is not authorized to perform this operation");
    record
}

/// The same record, in `region`.
pub fn in_region(mut record: Value, region: &str) -> Value {
    record["awsRegion"] = json!(region);
    record
}

/// The same record, with `user_agent`.
pub fn with_agent(mut record: Value, user_agent: &str) -> Value {
    record["userAgent"] = json!(user_agent);
    record
}

/// `eventSource` for the calls the fixtures make.
fn source_of(name: &str) -> &'static str {
    match name {
        "GetSecretValue" | "BatchGetSecretValue" => "secretsmanager.amazonaws.com",
        "GetParameter" | "GetParameters" | "GetParametersByPath" => "ssm.amazonaws.com",
        "GetObject" => "s3.amazonaws.com",
        n if n.starts_with("ListUser") || n.starts_with("GetUser") => "iam.amazonaws.com",
        _ => "ec2.amazonaws.com",
    }
}

/// `base` (`YYYY-MM-DDTHH:MM:SSZ`) plus `seconds`, in CloudTrail's spelling.
pub fn at(base: &str, seconds: i64) -> String {
    let t: jiff::Timestamp = base.parse().expect("fixture time");
    let later = t
        .checked_add(jiff::SignedDuration::from_secs(seconds))
        .expect("fixture time in range");
    later.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}
