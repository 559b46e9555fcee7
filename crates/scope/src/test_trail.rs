//! Small CloudTrail trails for unit tests of the passes and the builders: records in AWS's shape,
//! written as an S3 delivery file (`{"Records": [...]}`) and read back through `cloudcase-read`,
//! so that the tests see the events the real inputs produce.

use cloudcase_event::Event;
use cloudcase_read::{discover, read_files, EventSink, Limits};
use serde_json::{json, Value};

/// The account of every record.
pub(crate) const ACCOUNT: &str = "111122223333";

/// `userIdentity` of an IAM user calling with a long-term key.
pub(crate) fn iam_user(name: &str, key: &str) -> Value {
    json!({"type": "IAMUser", "principalId": "AIDAEXAMPLE", "arn": format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
           "accountId": ACCOUNT, "accessKeyId": key, "userName": name})
}

/// `userIdentity` of a session of `role` (key `ASIA…`).
pub(crate) fn assumed_role(role: &str, session: &str, key: &str) -> Value {
    json!({"type": "AssumedRole", "principalId": format!("AROAEXAMPLE:{session}"),
           "arn": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/{session}"),
           "accountId": ACCOUNT, "accessKeyId": key,
           "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": "AROAEXAMPLE",
                              "arn": format!("arn:aws:iam::{ACCOUNT}:role/{role}"), "accountId": ACCOUNT, "userName": role},
                              "attributes": {"creationDate": "2024-03-01T00:00:00Z", "mfaAuthenticated": "false"}}})
}

/// A management API call at `time` (RFC 3339) by `identity` from `ip`, in `us-east-1`, with no
/// request or response; `readOnly` follows the name (`Get…`, `List…`, `Describe…`). Other fields
/// are set with [`with`].
pub(crate) fn call(time: &str, service: &str, name: &str, ip: &str, identity: &Value) -> Value {
    let read_only = ["Get", "List", "Describe"]
        .iter()
        .any(|prefix| name.starts_with(prefix));
    json!({
        "eventVersion": "1.09", "userIdentity": identity, "eventTime": time,
        "eventSource": format!("{service}.amazonaws.com"), "eventName": name,
        "awsRegion": "us-east-1", "sourceIPAddress": ip,
        "userAgent": "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64",
        "requestParameters": null, "responseElements": null,
        "eventID": format!("{time}/{name}/{ip}"), "readOnly": read_only, "eventType": "AwsApiCall",
        "managementEvent": true, "recipientAccountId": ACCOUNT, "eventCategory": "Management",
    })
}

/// An S3 object read (`GetObject`, a data event) of `bucket`/`object` at `time`.
pub(crate) fn object_read(
    time: &str,
    bucket: &str,
    object: &str,
    ip: &str,
    identity: &Value,
) -> Value {
    with(
        call(time, "s3", "GetObject", ip, identity),
        json!({"requestParameters": {"bucketName": bucket, "key": object, "Host": format!("{bucket}.s3.amazonaws.com")},
               "managementEvent": false, "eventCategory": "Data",
               "resources": [{"type": "AWS::S3::Object", "ARN": format!("arn:aws:s3:::{bucket}/{object}")},
                             {"accountId": ACCOUNT, "type": "AWS::S3::Bucket", "ARN": format!("arn:aws:s3:::{bucket}")}]}),
    )
}

/// `record` with the top-level fields of `fields` set (replacing those it has).
pub(crate) fn with(mut record: Value, fields: Value) -> Value {
    if let (Some(record), Value::Object(fields)) = (record.as_object_mut(), fields) {
        record.extend(fields);
    }
    record
}

/// Hourly calls of `name` by `identity` from `ip` over three days before the attack
/// (2024-03-01T09:00Z to 2024-03-03T17:00Z): a history to depart from.
pub(crate) fn history(service: &str, name: &str, ip: &str, identity: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for day in 1..=3 {
        for hour in [9, 13, 17] {
            let time = format!("2024-03-0{day}T{hour:02}:00:00Z");
            out.push(call(&time, service, name, ip, identity));
        }
    }
    out
}

/// A trail written to a temporary directory, and its input files.
pub(crate) struct Trail {
    /// Keeps the files until the trail is dropped.
    _dir: tempfile::TempDir,
    /// The discovered input files.
    pub files: cloudcase_read::FileList,
}

/// Writes `records` as one delivery file and discovers it.
pub(crate) fn trail(records: &[Value]) -> Trail {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join(format!(
        "{ACCOUNT}_CloudTrail_us-east-1_20240304T0000Z_test.json"
    ));
    let body = json!({ "Records": records });
    std::fs::write(&path, body.to_string()).expect("the trail is written");
    let inputs = discover(&[path], &|r| panic!("rejected: {r}")).expect("the trail is found");
    Trail {
        _dir: dir,
        files: inputs.files,
    }
}

/// A sink that keeps every event.
#[derive(Default)]
struct Collect(Vec<Event>);

impl EventSink for Collect {
    fn accept(&mut self, event: Event) {
        self.0.push(event);
    }
}

/// The run's input list `events` were read from: each distinct file once, by ordinal (the
/// list pass 2's spilled entries find their files in again).
pub(crate) fn listed(events: &[Event]) -> Vec<std::sync::Arc<cloudcase_event::SourceFile>> {
    let mut files: Vec<_> = events.iter().map(|e| e.provenance.file.clone()).collect();
    files.sort_by_key(|f| f.ordinal);
    files.dedup_by_key(|f| f.ordinal);
    files
}

/// The events of `records`, in record order, as the reader produces them.
pub(crate) fn events(records: &[Value]) -> Vec<Event> {
    let trail = trail(records);
    let (sinks, _) = read_files(
        &trail.files,
        Limits::default(),
        vec![Collect::default()],
        &|r| panic!("rejected: {r}"),
    );
    let mut events: Vec<Event> = sinks.into_iter().flat_map(|s| s.0).collect();
    events.sort_by_key(|e| e.provenance.record);
    assert_eq!(events.len(), records.len(), "every record is an event");
    events
}
