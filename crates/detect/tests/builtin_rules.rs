//! Every built-in rule loads, fires on each of its positive test events and on
//! none of its negative ones (rules/builtin/tests/<rule>/{positive,negative}*.json).
//!
//! CloudTrail test records are read by the reader. Records of the other logs
//! are the raw records their readers produce (`"logSource"` naming the log);
//! they become events here with the common fields filled as the readers'
//! contract says, so the engine dispatches and looks fields up exactly as it
//! does in a hunt.

use std::path::{Path, PathBuf};

use cloudcase_event::{Category, Event, EventTime, LogSource, OtherRecord, Provenance, SourceFile};
use cloudcase_read::{discover, read_files, Limits};
use cloudcase_sigma::{EventRecord, RuleSet};
use serde_json::Value;

/// For each non-CloudTrail log: its event source, and the raw keys holding the
/// event name and the source address (an event name key absent means the fixed name).
struct Contract {
    source: LogSource,
    event_source: &'static str,
    name_key: &'static str,
    fixed_name: &'static str,
    address_key: &'static str,
}

const CONTRACTS: &[Contract] = &[
    Contract {
        source: LogSource::S3Access,
        event_source: "s3.amazonaws.com",
        name_key: "eventName",
        fixed_name: "",
        address_key: "sourceIPAddress",
    },
    Contract {
        source: LogSource::VpcFlow,
        event_source: "vpc-flow-logs",
        name_key: "action",
        fixed_name: "",
        address_key: "srcaddr",
    },
    Contract {
        source: LogSource::GuardDuty,
        event_source: "guardduty.amazonaws.com",
        name_key: "type",
        fixed_name: "",
        address_key: "",
    },
    Contract {
        source: LogSource::Route53Resolver,
        event_source: "route53resolver.amazonaws.com",
        name_key: "",
        fixed_name: "ResolverQuery",
        address_key: "srcaddr",
    },
    Contract {
        source: LogSource::Billing,
        event_source: "billing",
        name_key: "lineItem/LineItemType",
        fixed_name: "",
        address_key: "",
    },
];

/// The event a reader of `source` makes of `raw` (its common fields).
fn event_of_raw(path: &Path, source: LogSource, raw: &Value) -> Event {
    let c = CONTRACTS
        .iter()
        .find(|c| c.source == source)
        .unwrap_or_else(|| panic!("{}: no contract for {source:?}", path.display()));
    let text = |key: &str| raw.get(key).and_then(Value::as_str).map(str::to_owned);
    Event {
        region: text("region"),
        source_ip: text(c.address_key),
        error_code: text("errorCode"),
        ..Event::other(OtherRecord {
            source,
            time: EventTime::parse("2026-06-01T10:00:00Z").expect("fixed time"),
            time_field: "start",
            event_source: c.event_source.to_owned(),
            event_name: text(c.name_key).unwrap_or_else(|| c.fixed_name.to_owned()),
            category: Category::Data,
            raw: raw.to_string().into(),
            detail: None,
            provenance: Provenance::first_of(SourceFile::plain(path)),
        })
    }
}

struct Collect(Vec<Event>);

impl cloudcase_read::EventSink for Collect {
    fn accept(&mut self, e: Event) {
        self.0.push(e);
    }
}

fn events_in(path: &Path) -> Vec<Event> {
    let inputs = discover(&[path.to_path_buf()], &|r| panic!("{r}")).unwrap();
    let (sinks, acc) = read_files(
        &inputs.files,
        Limits::default(),
        vec![Collect(Vec::new())],
        &|r| panic!("{r}"),
    );
    assert_eq!(acc.records_rejected(), 0, "{}", path.display());
    sinks.into_iter().flat_map(|c| c.0).collect()
}

#[test]
fn every_builtin_rule_passes_its_own_tests() {
    let mut set = RuleSet::new();
    let problems = cloudcase_detect::add_builtin(&mut set);
    assert!(problems.is_empty(), "{problems:#?}");
    let (engine, problems) = set.compile();
    assert!(problems.is_empty(), "{problems:#?}");
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/builtin/tests");
    let mut checked = 0;
    for name in cloudcase_detect::builtin_rule_names() {
        let stem = name.trim_end_matches(".yml").trim_end_matches(".yaml");
        let (id, rule) = engine
            .rules()
            .iter()
            .enumerate()
            .find(|(_, r)| r.source() == format!("builtin:{name}"))
            .unwrap_or_else(|| panic!("{name} is not in the engine"));
        assert!(
            rule.meta().attack.len() >= 2,
            "{name} needs ATT&CK tactic and technique tags"
        );
        let dir = tests.join(stem);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{name}: no tests at {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        let (mut pos, mut neg) = (0, 0);
        for file in files {
            let fname = file.file_name().unwrap().to_str().unwrap().to_owned();
            let expect = fname.starts_with("positive");
            if expect {
                pos += 1
            } else {
                neg += 1
            }
            let events = match rule.log_source() {
                Some(LogSource::CloudTrail) => events_in(&file),
                Some(source) => {
                    let text = std::fs::read_to_string(&file).expect("test record");
                    let raw: Value = serde_json::from_str(&text).expect("test record JSON");
                    assert_eq!(
                        raw.get("logSource").and_then(Value::as_str),
                        Some(source.as_str()),
                        "{name}: {fname} must name its log"
                    );
                    vec![event_of_raw(&file, source, &raw)]
                }
                None => panic!("{name} applies to no log"),
            };
            for event in events {
                let mut hits = Vec::new();
                engine.evaluate(&EventRecord::new(&event), &mut hits);
                let fired = hits.iter().any(|h| h.index() == id);
                assert_eq!(
                    fired,
                    expect,
                    "{name}: {fname} should {}fire",
                    if expect { "" } else { "not " }
                );
                checked += 1;
            }
        }
        assert!(
            pos >= 1 && neg >= 1,
            "{name}: needs positive and negative events"
        );
    }
    assert!(checked >= 140, "only {checked} test events");
}

/// A rule of one log never fires on another log's record, even one shaped
/// like it: an S3 access line uploading a ransom note is a CloudTrail-shaped
/// PutObject, yet the CloudTrail rule for ransom notes skips it (and fires on
/// the same record read as CloudTrail); no flow, DNS or GuardDuty rule fires
/// on it either.
#[test]
fn rules_see_only_their_own_log() {
    let mut set = RuleSet::new();
    cloudcase_detect::add_builtin(&mut set);
    let (engine, _) = set.compile();
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules/builtin/tests");
    let file = tests.join("aws_s3_object_read_anonymously/positive.json");
    let mut raw: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    raw["eventName"] = "PutObject".into();
    raw["requestParameters"]["key"] = "HOW_TO_DECRYPT_YOUR_FILES.txt".into();
    let titles = |source: LogSource| -> Vec<(String, Option<LogSource>)> {
        let mut event = event_of_raw(&file, LogSource::S3Access, &raw);
        event.source = source;
        let mut hits = Vec::new();
        engine.evaluate(&EventRecord::new(&event), &mut hits);
        hits.iter()
            .map(|h| {
                (
                    engine.rule(*h).title().to_owned(),
                    engine.rule(*h).log_source(),
                )
            })
            .collect()
    };
    let ransom = "AWS S3 Ransom Note Uploaded".to_owned();
    assert_eq!(
        titles(LogSource::CloudTrail),
        [(ransom, Some(LogSource::CloudTrail))]
    );
    assert_eq!(titles(LogSource::S3Access), []);
    for source in [
        LogSource::VpcFlow,
        LogSource::GuardDuty,
        LogSource::Route53Resolver,
    ] {
        assert_eq!(titles(source), [], "{source:?}");
    }
    for source in LogSource::ALL {
        assert!(
            engine.rules_for(source) > 0 || source == LogSource::Billing,
            "no built-in rule for {source:?}"
        );
    }
    assert_eq!(engine.rules_for(LogSource::CloudTrail), 169);
}
