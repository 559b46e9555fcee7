//! The document built from a small attack in CloudTrail's shape, read through `cloudcase-read`
//! and both passes: following the attacker, attribution of the other changes, data-access
//! verdicts, resource lifecycle and the cost's unknowns.

use cloudcase_model::scope::{
    Attribution, DataAccess, Resource, ResponderAttribution, ScopeResult, Verdict,
};
use cloudcase_pricing::{estimate, InstanceRun, PriceTable};
use cloudcase_read::{Limits, Progress};
use serde_json::{json, Value};

use super::cost_unknowns;
use crate::net::Cidr;
use crate::scan::Subject;
use crate::test_trail::{assumed_role, call, history, iam_user, object_read, trail, with, Trail};
use crate::{scope, Options};

/// The leaked key.
const KEY: &str = "AKIALEAKED0000000001";
/// Its usual source.
const HOME: &str = "198.51.100.10";
/// The first attacker source.
const ATTACKER: &str = "203.0.113.5";
/// The key the attacker creates, and where it is used from.
const NEW_KEY: &str = "AKIANEWKEY0000000001";
const NEW_KEY_SOURCE: &str = "192.0.2.7";
/// The session the new key opens on the backdoored role, and where it is used from.
const SESSION_KEY: &str = "ASIASESSION000000001";
const SESSION_SOURCE: &str = "192.0.2.8";
/// Someone else using the backdoored role's trust.
const BACKDOOR_SOURCE: &str = "192.0.2.9";
/// The responder, who acts on the attacker's key and instance.
const RESPONDER: &str = "192.0.2.50";
/// Another administrator.
const ADMIN: &str = "192.0.2.60";

fn request(record: Value, parameters: Value) -> Value {
    with(record, json!({ "requestParameters": parameters }))
}

fn launch(time: &str, instance: &str, instance_type: &str) -> Value {
    with(
        call(
            time,
            "ec2",
            "RunInstances",
            SESSION_SOURCE,
            &assumed_role("ops", "s1", SESSION_KEY),
        ),
        json!({"requestParameters": {"instanceType": instance_type, "minCount": 1, "maxCount": 1},
               "responseElements": {"instancesSet": {"items": [{"instanceId": instance, "instanceType": instance_type,
                                                                 "imageId": "ami-0abc"}]}}}),
    )
}

/// Three days of the key's history, then the attack, the responder's and the owner's work.
fn attack() -> Vec<Value> {
    let me = iam_user("ci", KEY);
    let new_user = iam_user("backup-adm", NEW_KEY);
    let session = assumed_role("ops", "s1", SESSION_KEY);
    let app = iam_user("app", "AKIAAPP0000000000001");
    let secops = iam_user("secops", "AKIASECOPS0000000001");
    let admin = iam_user("admin", "AKIAADMIN00000000001");
    let mut records = history("s3", "ListBuckets", HOME, &me);
    records.extend([
        call("2024-03-03T20:00:00Z", "sts", "GetCallerIdentity", ATTACKER, &me),
        request(call("2024-03-03T20:01:00Z", "iam", "CreateUser", ATTACKER, &me), json!({"userName": "backup-adm"})),
        with(
            call("2024-03-03T20:02:00Z", "iam", "CreateAccessKey", ATTACKER, &me),
            json!({"requestParameters": {"userName": "backup-adm"},
                   "responseElements": {"accessKey": {"accessKeyId": NEW_KEY, "userName": "backup-adm", "status": "Active"}}}),
        ),
        request(
            call("2024-03-03T20:03:00Z", "iam", "UpdateAssumeRolePolicy", ATTACKER, &me),
            json!({"roleName": "ops", "policyDocument": "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::999988887777:root\"},\"Action\":\"sts:AssumeRole\"}]}"}),
        ),
        with(
            call("2024-03-03T20:04:00Z", "sts", "AssumeRole", NEW_KEY_SOURCE, &new_user),
            json!({"requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/ops", "roleSessionName": "s1"},
                   "responseElements": {"credentials": {"accessKeyId": SESSION_KEY, "sessionToken": "x"},
                                        "assumedRoleUser": {"arn": "arn:aws:sts::111122223333:assumed-role/ops/s1"}}}),
        ),
        launch("2024-03-03T20:05:00Z", "i-0miner", "p3.2xlarge"),
        launch("2024-03-03T20:06:00Z", "i-0odd", "zz9.mega"),
        object_read("2024-03-03T20:07:00Z", "customer-data", "a.csv", SESSION_SOURCE, &session),
        request(
            call("2024-03-03T20:08:00Z", "ec2", "CreateKeyPair", BACKDOOR_SOURCE, &assumed_role("ops", "other", "ASIABACKDOOR00000001")),
            json!({"keyName": "implant"}),
        ),
        object_read("2024-03-03T20:30:00Z", "reports", "q1.pdf", "10.1.2.4", &app),
        request(call("2024-03-03T21:00:00Z", "s3", "PutBucketPolicy", HOME, &me), json!({"bucketName": "website", "bucketPolicy": {}})),
        request(call("2024-03-03T21:01:00Z", "iam", "DeleteAccessKey", RESPONDER, &secops), json!({"userName": "backup-adm", "accessKeyId": NEW_KEY})),
        request(call("2024-03-03T21:02:00Z", "iam", "UpdateAccessKey", RESPONDER, &secops), json!({"userName": "ci", "accessKeyId": KEY, "status": "Inactive"})),
        request(call("2024-03-03T21:03:00Z", "iam", "AttachUserPolicy", ADMIN, &admin), json!({"userName": "ci", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})),
        request(call("2024-03-03T21:04:00Z", "iam", "CreateUser", ADMIN, &admin), json!({"userName": "intern"})),
        request(
            call("2024-03-03T21:05:00Z", "ec2", "TerminateInstances", RESPONDER, &secops),
            json!({"instancesSet": {"items": [{"instanceId": "i-0miner"}]}}),
        ),
    ]);
    records
}

fn scope_of(records: &[Value], owner: &[&str]) -> ScopeResult {
    scope_within(&trail(records), owner, crate::DEFAULT_CANDIDATE_MEMORY)
}

/// [`scope_of`] on a written `trail`, with `candidate_memory` bytes for the window's candidates.
fn scope_within(trail: &Trail, owner: &[&str], candidate_memory: usize) -> ScopeResult {
    let options = Options {
        subject: Subject::AccessKey(KEY.into()),
        owner: owner
            .iter()
            .map(|c| Cidr::parse(c).expect("a test range"))
            .collect(),
        threads: 1,
        limits: Limits::default(),
        case_id: "case-1".into(),
        inventory: Vec::new(),
        candidate_memory,
        temp_dir: None,
    };
    let outcome = scope(
        &trail.files,
        &options,
        &|r| panic!("rejected: {r}"),
        &Progress::default(),
    );
    outcome.expect("the key has events").result
}

#[test]
fn a_window_spilled_to_disk_gives_the_same_document() {
    let mut records = attack();
    // A busy window: a service's own role sessions, each with a key of its own (so the key
    // uses are spilled too), and the attacker's enumeration.
    for i in 0..1_500 {
        let app = assumed_role("app", "worker", &format!("ASIAAPPWORKER{i:07}"));
        let time = format!("2024-03-03T20:{:02}:{:02}Z", 10 + i / 60 % 40, i % 60);
        records.push(with(
            call(&time, "sts", "AssumeRole", "10.1.2.3", &app),
            json!({"requestParameters": {"roleArn": "arn:aws:iam::111122223333:role/batch", "roleSessionName": format!("job-{i}")},
                   "responseElements": {"credentials": {"accessKeyId": format!("ASIAJOB{i:013}")}}}),
        ));
        records.push(call(
            &time,
            "ec2",
            "DescribeInstances",
            ATTACKER,
            &iam_user("ci", KEY),
        ));
    }
    let json = |doc: &ScopeResult| serde_json::to_string(doc).expect("serializes");
    let trail = trail(&records);
    let in_memory = json(&scope_within(&trail, &[], crate::DEFAULT_CANDIDATE_MEMORY));
    // The smallest budget: the candidates are spilled every few hundred.
    let spilled = json(&scope_within(&trail, &[], 1));
    assert!(in_memory == spilled, "the documents differ");
    assert!(in_memory.contains(NEW_KEY) && in_memory.contains("i-0miner"));
}

#[test]
fn the_attacker_is_followed_through_created_keys_and_sessions_of_attacker_roles() {
    let doc = scope_of(&attack(), &[]);
    assert_eq!(doc.identities.attacker_access_keys, [NEW_KEY, SESSION_KEY]);
    let sources: Vec<&str> = doc.attacker_sources.iter().map(|s| s.ip.as_str()).collect();
    assert_eq!(
        sources,
        [NEW_KEY_SOURCE, SESSION_SOURCE, BACKDOOR_SOURCE, ATTACKER],
        "by address"
    );
    // A session of the backdoored role the attacker did not open is the attacker's too.
    assert!(doc
        .resources
        .iter()
        .any(|r| matches!(r, Resource::KeyPair(k) if k.name == "implant")));
    // The key's own use from its usual network is the owner's, and not a responder's action.
    let policy = doc
        .permission_changes
        .iter()
        .find(|p| p.event == "PutBucketPolicy")
        .expect("listed");
    assert_eq!(policy.attribution, Attribution::Owner);
    assert!(!doc
        .responder_actions
        .iter()
        .any(|a| a.event == "PutBucketPolicy"));
    let cloudcase_model::scope::Intrusion::Found(found) = &doc.intrusion else {
        panic!("a departure: {:?}", doc.intrusion);
    };
    assert_eq!(found.owner_changes_after, 1);
}

#[test]
fn other_changes_are_the_responders_the_owners_or_someone_elses() {
    let doc = scope_of(&attack(), &[]);
    let actions: Vec<(&str, ResponderAttribution)> = doc
        .responder_actions
        .iter()
        .map(|a| (a.event.as_str(), a.attribution))
        .collect();
    assert_eq!(
        actions,
        [
            ("DeleteAccessKey", ResponderAttribution::Responder),
            ("UpdateAccessKey", ResponderAttribution::Responder),
            ("AttachUserPolicy", ResponderAttribution::Owner),
            ("TerminateInstances", ResponderAttribution::Responder),
        ]
    );
    let by = |target: &str| {
        doc.permission_changes
            .iter()
            .find(|p| p.event == "CreateUser" && p.target == target)
            .map(|p| p.attribution)
    };
    assert_eq!(by("backup-adm"), Some(Attribution::Attacker));
    assert_eq!(by("intern"), Some(Attribution::Other));
    // From an --owner-ip range, the same change is a responder's.
    let doc = scope_of(&attack(), &["192.0.2.60/32"]);
    let intern = doc
        .responder_actions
        .iter()
        .find(|a| a.event == "CreateUser")
        .expect("listed");
    assert_eq!(intern.attribution, ResponderAttribution::Responder);
    assert_eq!(intern.why, "from an --owner-ip range");
}

fn store<'d>(doc: &'d ScopeResult, name: &str) -> &'d DataAccess {
    doc.data_access
        .iter()
        .find(|d| d.name == name)
        .unwrap_or_else(|| panic!("no verdict for {name}: {:?}", doc.data_access))
}

#[test]
fn data_access_verdicts_follow_reads_and_coverage() {
    let doc = scope_of(&attack(), &[]);
    let read = store(&doc, "customer-data");
    assert_eq!(read.verdict, Verdict::Accessed);
    let readers = read.readers.as_deref().unwrap_or_default();
    assert_eq!(readers.len(), 1);
    assert_eq!(
        (readers[0].access_key.as_str(), readers[0].ip.as_str()),
        (SESSION_KEY, SESSION_SOURCE)
    );
    assert_eq!(readers[0].events, 1);
    // Data events cover the bucket in the window, none by the attacker.
    assert_eq!(store(&doc, "reports").verdict, Verdict::NotObserved);
    // Named only in a management event: nothing can say whether it was read.
    assert_eq!(store(&doc, "website").verdict, Verdict::Unknown);
    assert!(doc
        .unknowns
        .iter()
        .any(|u| u.question == "S3 object reads on bucket website"));
}

#[test]
fn a_launched_then_terminated_instance_no_longer_exists_and_is_costed_to_its_end() {
    let doc = scope_of(&attack(), &[]);
    let instance = |id: &str| {
        doc.resources
            .iter()
            .find_map(|r| match r {
                Resource::Instance(i) if i.instance_id == id => Some(i),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no instance {id}"))
    };
    let miner = instance("i-0miner");
    assert!(miner.terminated.is_some() && !miner.exists_at_end_of_logs);
    assert_eq!(miner.state_changes.len(), 1);
    assert_eq!(miner.state_changes[0].event, "TerminateInstances");
    assert_eq!(miner.state_changes[0].by, Attribution::Responder);
    assert!(instance("i-0odd").exists_at_end_of_logs);
    let cost = doc.cost.as_ref().expect("a departure has a cost");
    let miner_cost = cost
        .instances
        .iter()
        .find(|c| c.instance_id == "i-0miner")
        .expect("costed");
    assert!(!miner_cost.still_running);
    assert_eq!(miner_cost.billed_seconds, 3600, "20:05 to 21:05");
    assert_eq!(cost.unpriced_runs, 1);
}

#[test]
fn cost_unknowns_name_unpriced_types_and_instances_still_running() {
    let doc = scope_of(&attack(), &[]);
    let unpriced = doc
        .unknowns
        .iter()
        .find(|u| u.question == "cost of instance runs without a list price")
        .expect("zz9.mega has no price");
    assert!(
        unpriced.why.contains("zz9.mega in us-east-1"),
        "{}",
        unpriced.why
    );
    assert!(doc
        .unknowns
        .iter()
        .any(|u| u.question == "total cost of instances still running"));

    let run = |instance_type: &str, end: Option<i64>| InstanceRun {
        instance_id: "i-1".into(),
        region: "us-east-1".into(),
        instance_type: instance_type.into(),
        start: 0,
        end,
    };
    let questions = |runs: &[InstanceRun]| {
        let cost = estimate(runs, 7_200_000, &PriceTable::builtin());
        cost_unknowns(&cost, runs)
            .into_iter()
            .map(|u| u.question)
            .collect::<Vec<_>>()
    };
    assert!(questions(&[run("p3.2xlarge", Some(3_600_000))]).is_empty());
    assert_eq!(
        questions(&[run("p3.2xlarge", None)]),
        ["total cost of instances still running"]
    );
    assert_eq!(
        questions(&[run("zz9.mega", Some(3_600_000))]),
        ["cost of instance runs without a list price"]
    );
}
