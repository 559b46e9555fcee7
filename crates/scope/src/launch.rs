//! Starting from an instance: who launched it.

use std::sync::Arc;

use cloudcase_event::{Event, EventTime, SourceFile};
use cloudcase_read::{read_files, EventSink, Files, Limits, Rejection};

/// The `RunInstances` call that launched an instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// The instance id looked for.
    pub instance_id: String,
    /// When it was launched.
    pub time: EventTime,
    /// The access key that launched it, if the record has one.
    pub access_key: Option<String>,
    /// The principal's ARN, if the record has one.
    pub principal_arn: Option<String>,
    /// Where the call came from.
    pub source_ip: Option<String>,
    /// Region.
    pub region: Option<String>,
    /// The raw record: file, index, event id.
    pub file: Arc<SourceFile>,
    /// The record's index in its file.
    pub record: u64,
    /// `eventID`.
    pub event_id: Option<String>,
}

/// Whether `event` is a successful `RunInstances` whose response lists `instance_id`.
fn launched(event: &Event, needle: &str) -> bool {
    event.event_name == "RunInstances"
        && event.error_code.is_none()
        && event
            .response_elements
            .as_ref()
            .is_some_and(|r| r.get().contains(needle))
}

struct Finder<'a> {
    needle: &'a str,
    id: &'a str,
    found: Option<Launch>,
}

impl EventSink for Finder<'_> {
    fn accept(&mut self, event: Event) {
        if !launched(&event, self.needle) {
            return;
        }
        let earlier = self.found.as_ref().is_none_or(|f| {
            (
                event.time,
                event.provenance.file.ordinal,
                event.provenance.record,
            ) < (f.time, f.file.ordinal, f.record)
        });
        if earlier {
            self.found = Some(Launch {
                instance_id: self.id.to_owned(),
                time: event.time,
                access_key: event.identity.access_key_id.clone(),
                principal_arn: event.identity.arn.clone(),
                source_ip: event.source_ip.clone(),
                region: event.region.clone(),
                file: Arc::clone(&event.provenance.file),
                record: event.provenance.record,
                event_id: event.event_id.clone(),
            });
        }
    }
}

/// Finds the launch of `instance_id` (`i-…`) in `files`, reading them once in
/// parallel. Rejections were reported by the caller's other passes and are
/// ignored here.
pub fn find_launch(
    files: &dyn Files,
    instance_id: &str,
    limits: Limits,
    threads: usize,
) -> Option<Launch> {
    let needle = format!("\"instanceId\":\"{instance_id}\"");
    let sinks: Vec<Finder<'_>> = (0..threads.max(1))
        .map(|_| Finder {
            needle: &needle,
            id: instance_id,
            found: None,
        })
        .collect();
    let ignore = |_: Rejection| {};
    let (sinks, _) = read_files(files, limits, sinks, &ignore);
    sinks
        .into_iter()
        .filter_map(|s| s.found)
        .min_by_key(|l| (l.time, l.file.ordinal, l.record))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn finds_the_launching_key_of_an_instance() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.jsonl");
        let mut f = std::fs::File::create(&path).unwrap();
        let rec = |t: &str, key: &str, id: &str, err: &str| {
            format!(
                r#"{{"eventTime":"{t}","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","awsRegion":"eu-north-1","sourceIPAddress":"198.51.100.7","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/u","accessKeyId":"{key}"}},"responseElements":{{"instancesSet":{{"items":[{{"instanceId":"{id}","instanceType":"g4dn.xlarge"}}]}}}}{err},"eventID":"e-{t}"}}"#
            )
        };
        writeln!(
            f,
            "{}",
            rec(
                "2024-05-18T11:33:11Z",
                "AKIAWRONGWRONG000001",
                "i-0other",
                ""
            )
        )
        .unwrap();
        writeln!(
            f,
            "{}",
            rec(
                "2024-05-18T11:30:00Z",
                "AKIADENIED0000000001",
                "i-0miner",
                ",\"errorCode\":\"Client.VcpuLimitExceeded\""
            )
        )
        .unwrap();
        writeln!(
            f,
            "{}",
            rec(
                "2024-05-18T11:33:43Z",
                "AKIALAUNCHER00000001",
                "i-0miner",
                ""
            )
        )
        .unwrap();
        drop(f);
        let inputs = cloudcase_read::discover(&[path], &|_| {}).unwrap();
        let launch = find_launch(&inputs.files, "i-0miner", Limits::default(), 2).expect("launch");
        assert_eq!(launch.access_key.as_deref(), Some("AKIALAUNCHER00000001"));
        assert_eq!(launch.record, 2);
        assert_eq!(launch.region.as_deref(), Some("eu-north-1"));
        assert!(find_launch(&inputs.files, "i-0absent", Limits::default(), 1).is_none());
    }
}
