//! The rules of the logs beyond CloudTrail, on constructed events: bucket verdicts from access
//! logs, flow direction and exfiltration, GuardDuty joins, resolver queries, and that these
//! records never reach the CloudTrail passes. Shared here: the attacker, a document, a run.

mod access_log;
mod network;
mod sources;

use cloudcase_event::Event;
use cloudcase_model::scope::{
    ExfiltrationVerdict, FlowLogState, FlowReason, JoinKind, LogReaderMatch, ScopeResult,
    StoreCoverage, UnknownTopic, Verdict, WindowSpan,
};
use cloudcase_read::EventSink;
use serde_json::json;

use super::test_events::{in_file, ms, s3_line};
use super::{apply, Facts, InstanceNet, Pass3};
use crate::test_doc::window_doc;

const T0: &str = "2024-03-04T10:00:00Z";
const END: &str = "2024-03-06T00:00:00Z";
const BACKDOOR: &str = "arn:aws:iam::111122223333:user/backdoor";
const COMPROMISED: &str = "arn:aws:iam::111122223333:user/ci-deploy";
const ATTACKER_IP: &str = "198.51.100.7";

/// The attacker: one address, a created user, the compromised user (used before from
/// 192.0.2.10), and instance i-1 on eni-1 at 10.0.1.5.
fn facts() -> Facts {
    let mut f = Facts {
        t0: ms(T0),
        end: ms(END),
        addresses: [(ATTACKER_IP.parse().unwrap(), ATTACKER_IP.to_owned())].into(),
        users: [BACKDOOR.to_owned()].into(),
        compromised: [COMPROMISED.to_owned()].into(),
        usual: ["192.0.2.10".to_owned()].into(),
        keys: ["AKIALEAKED0000000001".to_owned()].into(),
        ..Facts::default()
    };
    let net = InstanceNet {
        interfaces: vec!["eni-1".to_owned()],
        addresses: vec!["10.0.1.5".parse().unwrap()],
    };
    f.instances.insert("i-1".to_owned(), net);
    f.interfaces.insert("eni-1".to_owned(), "i-1".to_owned());
    f.private
        .insert("10.0.1.5".parse().unwrap(), "i-1".to_owned());
    f
}

/// A document whose CloudTrail side left `customer-data` UNKNOWN (no data events).
fn doc() -> ScopeResult {
    window_doc(|d| {
        d["data_access"] = json!([{"store": "s3_bucket", "name": "customer-data", "region": "us-east-1",
            "verdict": "UNKNOWN", "basis": "no data events", "readers": [], "attacker_failed_reads": 0,
            "coverage": {"logging": "data_events", "data_events": 0, "data_events_in_window": 0,
                         "data_events_first": null, "data_events_last": null},
            "refs": []}]);
        d["unknowns"] = json!([{"question": "S3 object reads on bucket customer-data", "why": "w", "would_resolve": "r",
            "about": {"kind": "data_store", "store": "s3_bucket", "name": "customer-data"}}]);
    })
}

fn run(facts: &Facts, events: &[Event]) -> ScopeResult {
    let mut pass = Pass3::default();
    for ev in events {
        pass.add(facts, ev);
    }
    let mut d = doc();
    apply(&mut d, facts, pass);
    d
}

/// The unknowns about data stores.
fn bucket_unknowns(d: &ScopeResult) -> Vec<&cloudcase_model::scope::Unknown> {
    d.unknowns
        .iter()
        .filter(|u| matches!(u.about, Some(UnknownTopic::DataStore { .. })))
        .collect()
}

/// Owner lines over the whole window, so the bucket's logs span it.
fn owner_lines() -> Vec<Event> {
    [
        "2024-03-04T08:00:00Z",
        "2024-03-05T12:00:00Z",
        "2024-03-05T23:40:00Z",
    ]
    .iter()
    .map(|t| {
        in_file(
            s3_line(
                t,
                "customer-data",
                "app/config.json",
                "REST.GET.OBJECT",
                Some(COMPROMISED),
                "192.0.2.10",
                100,
            ),
            7,
        )
    })
    .collect()
}
