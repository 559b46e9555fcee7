//! Differential test against the reference Sigma implementation: pySigma
//! with its SQLite backend (`pip install pysigma pysigma-backend-sqlite`).
//!
//! Every SigmaHQ AWS rule in `../shared/sigma/rules/cloud/aws`, and a set of
//! correlation rules written for this test, are converted by pySigma to SQLite
//! and run (by `tests/support/pysigma_eval.py`) over the TrailDiscover and
//! Panther events of `../shared/datasets` plus a generated corpus with an
//! embedded incident; the matching event ids per rule, and the correlation
//! alerts (group, window end), must equal this engine's, except for the
//! documented disagreements, each due to a limitation of the reference.
//!
//! Prints `SKIPPED` and passes when `../shared` is absent (fails if
//! `CLOUDCASE_REQUIRE_SHARED=1`), and when python3 or pySigma is missing.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use cloudcase_event::Event;
use cloudcase_sigma::{Correlator, EventRecord, RuleSet};

/// Correlation rules written for this test (base rules, then correlations).
const CORRELATIONS: &str = r#"
title: Access denied
id: 7b1c0a57-0001-4000-8000-000000000001
name: access_denied
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        errorCode:
            - AccessDenied
            - '*UnauthorizedOperation'
    condition: selection
---
title: Read-only enumeration call
id: 7b1c0a57-0001-4000-8000-000000000002
name: enumeration
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName|startswith:
            - List
            - Describe
            - Get
    condition: selection
---
title: Caller identity check
id: 7b1c0a57-0001-4000-8000-000000000003
name: whoami
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName: GetCallerIdentity
    condition: selection
---
title: IAM user created
id: 7b1c0a57-0001-4000-8000-000000000004
name: create_user
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventSource: iam.amazonaws.com
        eventName: CreateUser
    condition: selection
---
title: Access key created
id: 7b1c0a57-0001-4000-8000-000000000005
name: create_key
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName: CreateAccessKey
    condition: selection
---
title: Instances launched
id: 7b1c0a57-0001-4000-8000-000000000006
name: run_instances
logsource: {product: aws, service: cloudtrail}
detection:
    selection:
        eventName: RunInstances
    condition: selection
---
title: Access denied storm per key
id: 7b1c0a57-0002-4000-8000-000000000001
correlation:
    type: event_count
    rules: [access_denied]
    group-by: [userIdentity.accessKeyId]
    timespan: 5m
    condition: {gte: 5}
---
title: Repeated denials per principal and region
id: 7b1c0a57-0002-4000-8000-000000000002
correlation:
    type: event_count
    rules: [access_denied]
    group-by: [userIdentity.arn, awsRegion]
    timespan: 1h
    condition: {gte: 2}
---
title: Broad enumeration from one address
id: 7b1c0a57-0002-4000-8000-000000000003
correlation:
    type: value_count
    rules: [enumeration]
    group-by: [sourceIPAddress]
    timespan: 10m
    condition: {field: eventName, gte: 10}
---
title: Identity check then user creation by one key
id: 7b1c0a57-0002-4000-8000-000000000004
correlation:
    type: temporal
    rules: [whoami, create_user]
    group-by: [userIdentity.accessKeyId]
    timespan: 2h
---
title: User, key, then instances by one key
id: 7b1c0a57-0002-4000-8000-000000000005
correlation:
    type: temporal_ordered
    rules: [create_user, create_key, run_instances]
    group-by: [userIdentity.accessKeyId]
    timespan: 1h
---
title: Isolated denial
id: 7b1c0a57-0002-4000-8000-000000000006
correlation:
    type: event_count
    rules: [access_denied]
    group-by: [userIdentity.arn]
    timespan: 30m
    condition: {lt: 2}
---
title: Key creation near identity check, aliased
id: 7b1c0a57-0002-4000-8000-000000000007
correlation:
    type: temporal
    rules: [whoami, create_key]
    group-by: [actor]
    timespan: 1d
    aliases:
        actor:
            whoami: userIdentity.arn
            create_key: userIdentity.arn
"#;

/// Rules probing modifiers the SigmaHQ AWS rules do not use, all matched
/// against [`PROBE_EVENTS`] (and the rest of the corpus).
const PROBE_RULES: &str = r#"
title: re with flags
id: 7b1c0a57-0003-4000-8000-000000000001
logsource: {product: aws, service: cloudtrail}
detection:
    s:
        eventName: ProbeCall
        userAgent|re|i: '^boto3/1\.[0-9]+ '
    condition: s
---
title: re multiline dotall
id: 7b1c0a57-0003-4000-8000-000000000002
logsource: {product: aws, service: cloudtrail}
detection:
    m:
        requestParameters.text|re|m: '^second$'
    d:
        requestParameters.text|re|s: 'first.second'
    condition: 1 of them
---
title: cidr v4
id: 7b1c0a57-0003-4000-8000-000000000003
logsource: {product: aws, service: cloudtrail}
detection:
    s:
        sourceIPAddress|cidr: 203.0.113.0/24
    condition: s
---
title: cidr v6
id: 7b1c0a57-0003-4000-8000-000000000004
logsource: {product: aws, service: cloudtrail}
detection:
    s:
        sourceIPAddress|cidr: '2001:db8::/32'
    condition: s
---
title: base64offset
id: 7b1c0a57-0003-4000-8000-000000000005
logsource: {product: aws, service: cloudtrail}
detection:
    s:
        requestParameters.userData|base64offset|contains: 'curl http'
    condition: s
---
title: windash
id: 7b1c0a57-0003-4000-8000-000000000006
logsource: {product: aws, service: cloudtrail}
detection:
    s:
        requestParameters.command|windash|contains: ' -enc '
    condition: s
---
title: neq
id: 7b1c0a57-0003-4000-8000-000000000007
logsource: {product: aws, service: cloudtrail}
detection:
    s:
        eventName: ProbeCall
        awsRegion|neq:
            - us-east-1
            - eu-west-1
    condition: s
---
title: exists
id: 7b1c0a57-0003-4000-8000-000000000008
logsource: {product: aws, service: cloudtrail}
detection:
    present:
        requestParameters.probe|exists: true
    absent:
        requestParameters.other|exists: false
    condition: present and absent
---
title: fieldref endswith
id: 7b1c0a57-0003-4000-8000-000000000009
logsource: {product: aws, service: cloudtrail}
detection:
    s:
        eventName: ProbeCall
        userIdentity.arn|fieldref|endswith: requestParameters.userName
    condition: s
---
title: numeric comparison
id: 7b1c0a57-0003-4000-8000-000000000010
logsource: {product: aws, service: cloudtrail}
detection:
    s:
        requestParameters.count|gte: 10
        requestParameters.count|lt: 100
    condition: s
---
title: cased
id: 7b1c0a57-0003-4000-8000-000000000011
logsource: {product: aws, service: cloudtrail}
detection:
    s:
        userAgent|cased|startswith: 'Probe'
    condition: s
---
title: contains all
id: 7b1c0a57-0003-4000-8000-000000000012
logsource: {product: aws, service: cloudtrail}
detection:
    s:
        userAgent|contains|all:
            - probe
            - agent
    condition: s
---
title: null in a list
id: 7b1c0a57-0003-4000-8000-000000000013
logsource: {product: aws, service: cloudtrail}
detection:
    s:
        eventName: ProbeCall
        errorCode:
            - null
            - ProbeError
    condition: s
---
title: wildcards and escapes
id: 7b1c0a57-0003-4000-8000-000000000014
logsource: {product: aws, service: cloudtrail}
detection:
    star:
        requestParameters.path: 'C:\Temp\*.exe'
    glob:
        requestParameters.path: 'D:\dir\?ile*'
    condition: 1 of them
---
title: numbers and booleans
id: 7b1c0a57-0003-4000-8000-000000000015
logsource: {product: aws, service: cloudtrail}
detection:
    n:
        requestParameters.count: 42
    b:
        requestParameters.flag: true
    condition: n or b
---
title: nested condition
id: 7b1c0a57-0003-4000-8000-000000000016
logsource: {product: aws, service: cloudtrail}
detection:
    a:
        awsRegion: eu-west-1
    b:
        awsRegion: ap-south-1
    c:
        userAgent|contains: agent
    condition: (a or b) and not c
---
title: timestamp part
id: 7b1c0a57-0003-4000-8000-000000000017
logsource: {product: aws, service: cloudtrail}
detection:
    s:
        eventName: ProbeCall
        eventTime|hour: 9
    condition: s
---
title: all of pattern
id: 7b1c0a57-0003-4000-8000-000000000018
logsource: {product: aws, service: cloudtrail}
detection:
    sel_region:
        awsRegion|startswith: eu-
    sel_call:
        eventName|endswith: call
    condition: all of sel_*
"#;

/// Events for [`PROBE_RULES`] (one JSON object per line; `eventID` names it).
const PROBE_EVENTS: &str = r#"
{"eventID":"boto","eventName":"ProbeCall","userAgent":"Boto3/1.34 Python/3.11","text":"x"}
{"eventID":"boto-no-space","eventName":"ProbeCall","userAgent":"boto3/1.34/Python"}
{"eventID":"lines","requestParameters":{"text":"first\nsecond\nthird"}}
{"eventID":"one-line","requestParameters":{"text":"first second"}}
{"eventID":"ip4-in","sourceIPAddress":"203.0.113.77"}
{"eventID":"ip4-out","sourceIPAddress":"203.0.114.1"}
{"eventID":"ip4-service","sourceIPAddress":"ec2.amazonaws.com"}
{"eventID":"ip6-in","sourceIPAddress":"2001:db8:85a3::8a2e:370:7334"}
{"eventID":"ip6-in-upper","sourceIPAddress":"2001:DB8::1"}
{"eventID":"ip6-out","sourceIPAddress":"2001:db9::1"}
{"eventID":"b64-0","requestParameters":{"userData":"Y3VybCBodHRwOi8vZXZpbC5leGFtcGxlL3ggfCBzaA=="}}
{"eventID":"b64-1","requestParameters":{"userData":"IGN1cmwgaHR0cDovL2V2aWwuZXhhbXBsZS94IHwgc2g="}}
{"eventID":"b64-2","requestParameters":{"userData":"ICBjdXJsIGh0dHA6Ly9ldmlsLmV4YW1wbGUveCB8IHNo"}}
{"eventID":"b64-other","requestParameters":{"userData":"d2dldCBodHRwczovL2V4YW1wbGUuY29tLw=="}}
{"eventID":"dash","requestParameters":{"command":"powershell -enc AAA"}}
{"eventID":"slash","requestParameters":{"command":"powershell /enc AAA"}}
{"eventID":"endash","requestParameters":{"command":"powershell \u2013enc AAA"}}
{"eventID":"nodash","requestParameters":{"command":"powershell enc AAA"}}
{"eventID":"region-us","eventName":"ProbeCall","awsRegion":"us-east-1"}
{"eventID":"region-eu","eventName":"ProbeCall","awsRegion":"eu-west-1"}
{"eventID":"region-ap","eventName":"ProbeCall","awsRegion":"ap-south-1","userAgent":"x"}
{"eventID":"region-none","eventName":"ProbeCall"}
{"eventID":"exists-yes","requestParameters":{"probe":null}}
{"eventID":"exists-both","requestParameters":{"probe":1,"other":2}}
{"eventID":"ref-yes","eventName":"ProbeCall","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/Bob"},"requestParameters":{"userName":"bob"}}
{"eventID":"ref-no","eventName":"ProbeCall","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/alice"},"requestParameters":{"userName":"bob"}}
{"eventID":"ref-pct","eventName":"ProbeCall","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a_b"},"requestParameters":{"userName":"%b"}}
{"eventID":"count-9","requestParameters":{"count":9}}
{"eventID":"count-10","requestParameters":{"count":10}}
{"eventID":"count-42","requestParameters":{"count":42}}
{"eventID":"count-42-text","requestParameters":{"count":"42"}}
{"eventID":"count-100","requestParameters":{"count":100}}
{"eventID":"count-2e1","requestParameters":{"count":2e1}}
{"eventID":"flag-true","requestParameters":{"flag":true}}
{"eventID":"flag-text","requestParameters":{"flag":"True"}}
{"eventID":"flag-false","requestParameters":{"flag":false}}
{"eventID":"cased-yes","userAgent":"ProbeAgent/1"}
{"eventID":"cased-no","userAgent":"probeagent/1"}
{"eventID":"all-reversed","userAgent":"the agent of the probe"}
{"eventID":"error-null","eventName":"ProbeCall","errorCode":null}
{"eventID":"error-probe","eventName":"ProbeCall","errorCode":"PROBEERROR"}
{"eventID":"error-other","eventName":"ProbeCall","errorCode":"AccessDenied"}
{"eventID":"path-star","requestParameters":{"path":"c:\\temp*.exe"}}
{"eventID":"path-backslash","requestParameters":{"path":"C:\\Temp\\x.exe"}}
{"eventID":"path-glob","requestParameters":{"path":"D:\\dir\\file.txt"}}
{"eventID":"path-glob-short","requestParameters":{"path":"D:\\dir\\ile"}}
{"eventID":"hour-9","eventName":"ProbeCall","eventTime":"2025-01-01T09:59:59Z"}
{"eventID":"hour-10","eventName":"ProbeCall","eventTime":"2025-01-01T10:00:00Z"}
"#;

/// Disagreements on single-event rules, each due to a limitation of the
/// reference: (rule file, event name, reason), both with `*` wildcards.
/// Event names are `dataset/path#record`, or `synthetic/RULE/SELECTION/MUTATION`.
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    (
        "aws_sts_assumerole_misuse.yml",
        "panther/tests.jsonl#80",
        "the record spells its keys in lowercase (`sessioncontext.sessionissuer`); SQLite column names ignore case, JSON keys do not (CloudTrail writes `sessionContext.sessionIssuer`)",
    ),
    (
        "aws_sts_assumerole_misuse.yml",
        "panther/tests.jsonl#84",
        "the record spells its keys in lowercase (`sessioncontext.sessionissuer`); SQLite column names ignore case, JSON keys do not (CloudTrail writes `sessionContext.sessionIssuer`)",
    ),
    (
        "*",
        "synthetic/*/array*:*",
        "the value is an element of an array: the flattened SQLite table holds the array as JSON text, so no element can equal the value; this engine matches any element",
    ),
    (
        "aws_ecs_task_definition_cred_endpoint_query.yml",
        "synthetic/hand/nested/containers",
        "the path crosses an array of objects (`containerDefinitions[].command`): the flattened table has no such column; this engine searches every element",
    ),
    (
        "aws_new_lambda_layer_attached.yml",
        "synthetic/hand/nested/layers-empty",
        "`layers` is an empty array: stored as the text `[]`, which `contains: '*'` (LIKE '%') matches; this engine finds no element, so no layer is attached",
    ),
    (
        "probe:exists",
        "probe/exists-yes",
        "the field is present with a null value: Sigma's `exists` tests presence only, but in SQL a null and an absent field are both NULL",
    ),
    (
        "probe:numeric comparison",
        "probe/count-*",
        "the flattened table stores text (as Zircolite does, so that numbers also match their string form); SQLite then compares `gte`/`lt` operands as text (`'42' < 100` is false), this engine as numbers",
    ),
];

/// `*`-only glob match.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    let (first, rest) = parts.split_first().unwrap_or((&"", &[]));
    let Some(mut tail) = text.strip_prefix(first) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return tail.is_empty();
    };
    for m in middle {
        match tail.find(m) {
            Some(i) => tail = &tail[i + m.len()..],
            None => return false,
        }
    }
    tail.ends_with(last)
}

fn python_has_pysigma() -> Option<&'static str> {
    for py in ["python3", "python"] {
        let ok = Command::new(py)
            .args(["-c", "import sigma.backends.sqlite, sigma.collection"])
            .output()
            .is_ok_and(|o| o.status.success());
        if ok {
            return Some(py);
        }
    }
    None
}

struct Corpus {
    events: Vec<Event>,
    names: Vec<String>,
}

fn corpus(shared: &Path, tmp: &Path, python: &str) -> Corpus {
    let mut events = Vec::new();
    let mut names = Vec::new();
    let td = shared.join("datasets/traildiscover");
    for e in common::traildiscover_events(shared) {
        names.push(format!("traildiscover/{}", common::event_name(&td, &e)));
        events.push(e);
    }
    for e in common::panther_events(shared, tmp) {
        names.push(format!("panther/tests.jsonl#{}", e.provenance.record));
        events.push(e);
    }
    // Events derived from the rules' own values, and mutants of them.
    let synth = tmp.join("synthetic.jsonl");
    let rules = walk_yml(&shared.join("sigma/rules/cloud/aws"));
    let status = Command::new(python)
        .arg(script())
        .arg("synth")
        .arg(&synth)
        .args(&rules)
        .status()
        .expect("run python");
    assert!(status.success(), "pysigma_eval.py synth failed");
    let synthetic = common::read_events(std::slice::from_ref(&synth));
    let raw_lines = std::fs::read_to_string(&synth)
        .expect("synthetic events")
        .lines()
        .count();
    println!(
        "pysigma: {} synthetic events derived from the rules ({} kept by the reader)",
        raw_lines,
        synthetic.len()
    );
    for e in synthetic {
        names.push(format!(
            "synthetic/{}",
            e.event_id.as_deref().unwrap_or("?")
        ));
        events.push(e);
    }
    // Probes of modifiers the SigmaHQ rules leave out.
    let mut probe_lines = String::new();
    for line in PROBE_EVENTS.lines().filter(|l| !l.trim().is_empty()) {
        let mut v: serde_json::Value = serde_json::from_str(line).expect("probe event");
        let mut base: serde_json::Value = serde_json::json!({
            "eventVersion": "1.09",
            "eventTime": "2025-01-01T08:00:00Z",
            "eventSource": "probe.amazonaws.com",
            "eventName": "Other",
            "awsRegion": "us-west-2",
            "sourceIPAddress": "192.0.2.1",
            "userAgent": "none",
        });
        if let (Some(b), Some(o)) = (base.as_object_mut(), v.as_object_mut()) {
            b.append(o);
        }
        probe_lines.push_str(&base.to_string());
        probe_lines.push('\n');
    }
    let probe_path = tmp.join("probe-events.jsonl");
    std::fs::write(&probe_path, probe_lines).expect("write probe events");
    for e in common::read_events(std::slice::from_ref(&probe_path)) {
        names.push(format!("probe/{}", e.event_id.as_deref().unwrap_or("?")));
        events.push(e);
    }
    let out = tmp.join("generated");
    let cfg = cloudcase_gen::Config {
        seed: 7,
        out_dir: out.clone(),
        target_bytes: 24_000_000,
        days: 3,
        incident: true,
        threads: 2,
        ..cloudcase_gen::Config::default()
    };
    cloudcase_gen::generate(&cfg).expect("generate a corpus");
    for e in common::read_events(std::slice::from_ref(&out)) {
        names.push(format!("generated/{}", common::event_name(&out, &e)));
        events.push(e);
    }
    Corpus { events, names }
}

type Alerts = BTreeSet<(Vec<Option<String>>, i64)>;

#[test]
fn agrees_with_pysigma_sqlite() {
    let Some(shared) = common::shared() else {
        return;
    };
    let Some(python) = python_has_pysigma() else {
        println!("SKIPPED: pySigma not installed (pip install pysigma pysigma-backend-sqlite)");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let tmp = dir.path();
    let corpus = corpus(&shared, tmp, python);
    let n = corpus.events.len();
    assert!(n > 5_000, "{n} events");

    let mut lines = String::new();
    for e in &corpus.events {
        lines.push_str(&e.raw);
        lines.push('\n');
    }
    let events_path = tmp.join("events.jsonl");
    std::fs::write(&events_path, lines).expect("write events");
    let corr_path = tmp.join("correlations.yml");
    std::fs::write(&corr_path, CORRELATIONS).expect("write correlations");

    let rules_dir = shared.join("sigma/rules/cloud/aws");
    let probe_rules = tmp.join("probes.yml");
    std::fs::write(&probe_rules, PROBE_RULES).expect("write probe rules");
    let mut rule_files: Vec<PathBuf> = walk_yml(&rules_dir);
    rule_files.push(probe_rules.clone());
    let config = serde_json::json!({
        "events": events_path,
        "collections": [rule_files, [corr_path.clone()]],
    });
    let config_path = tmp.join("config.json");
    std::fs::write(&config_path, config.to_string()).expect("write config");
    let out_path = tmp.join("out.json");
    let run = Command::new(python)
        .arg(script())
        .arg(&config_path)
        .arg(&out_path)
        .output()
        .expect("run python");
    assert!(
        run.status.success(),
        "pysigma_eval.py failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let reference: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_path).expect("output")).expect("JSON");
    let errors = reference["errors"].as_object().cloned().unwrap_or_default();
    assert!(errors.is_empty(), "pySigma errors: {errors:#?}");

    // Our verdicts.
    let (set, problems) = RuleSet::load_paths(&[rules_dir.clone(), probe_rules.clone()]);
    assert!(problems.is_empty(), "{problems:#?}");
    let (engine, _) = set.compile();
    let mut ours: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for r in engine.rules() {
        ours.insert(r.id().unwrap_or_default().to_owned(), BTreeSet::new());
    }
    for (i, e) in corpus.events.iter().enumerate() {
        let rec = EventRecord::new(e);
        for r in engine.matches(&rec) {
            ours.entry(r.id().unwrap_or_default().to_owned())
                .or_default()
                .insert(i);
        }
    }

    let theirs = reference["rules"].as_object().expect("rules");
    let mut agree_rules = 0;
    let mut agree_pairs = 0usize;
    let mut fired = 0usize;
    let mut disagreements = Vec::new();
    let mut documented = 0usize;
    for r in engine.rules() {
        let id = r.id().unwrap_or_default();
        let label = label(r);
        let file = label.as_str();
        let reference_ids: BTreeSet<usize> = theirs
            .get(id)
            .and_then(|v| v.as_array())
            .unwrap_or_else(|| panic!("pySigma gave no result for {file}"))
            .iter()
            .filter_map(|v| v.as_u64().map(|x| x as usize))
            .collect();
        let mine = &ours[id];
        fired += mine.len();
        let same = mine == &reference_ids;
        for i in mine.symmetric_difference(&reference_ids) {
            let who = if mine.contains(i) {
                "only we match"
            } else {
                "only pySigma matches"
            };
            let name = &corpus.names[*i];
            if KNOWN_DIFFERENCES
                .iter()
                .any(|(f, e, _)| glob(f, file) && glob(e, name))
            {
                documented += 1;
                continue;
            }
            disagreements.push(format!("{file}: {who} {name}"));
        }
        agree_pairs += mine.intersection(&reference_ids).count();
        agree_rules += usize::from(same);
    }
    let silent: Vec<String> = engine
        .rules()
        .iter()
        .filter(|r| ours[r.id().unwrap_or_default()].is_empty())
        .map(label)
        .collect();
    println!(
        "pysigma: rules that fire on no event: {} {silent:?}",
        silent.len()
    );
    assert!(
        silent.is_empty(),
        "every rule should fire on the corpus: {silent:?}"
    );
    println!(
        "pysigma: {} events, {} rules: {agree_rules} give the same verdict on every event, the others differ only on documented cases; {fired} firings, {agree_pairs} shared; {documented} differing (rule, event) pairs",
        n,
        engine.rules().len(),
    );
    assert!(disagreements.is_empty(), "{disagreements:#?}");

    // Correlations: feed the events in time order.
    let mut set = RuleSet::new();
    let problems = set.add_path(&corr_path);
    assert!(problems.is_empty(), "{problems:#?}");
    let (engine, problems) = set.compile();
    assert!(problems.is_empty(), "{problems:#?}");
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| (corpus.events[i].time, i));
    let mut correlator = Correlator::new(&engine);
    let mut out = Vec::new();
    let mut hits = Vec::new();
    for &i in &order {
        let e = &corpus.events[i];
        let rec = EventRecord::new(e);
        hits.clear();
        engine.evaluate(&rec, &mut hits);
        correlator.observe(e.time.millis(), &rec, &hits, i as u64, &mut out);
    }
    correlator.finish(&mut out);
    let mut mine: BTreeMap<String, Alerts> = BTreeMap::new();
    for c in engine.correlations() {
        mine.insert(c.meta().id.clone().unwrap_or_default(), Alerts::new());
    }
    for m in &out {
        let c = engine.correlation(m.correlation);
        let group = m.group.iter().map(|(_, v)| Some(v.clone())).collect();
        mine.entry(c.meta().id.clone().unwrap_or_default())
            .or_default()
            .insert((group, m.window_end));
    }
    let theirs = reference["correlations"].as_object().expect("correlations");
    let mut total = 0;
    for c in engine.correlations() {
        let id = c.meta().id.clone().unwrap_or_default();
        let reference_alerts: Alerts = theirs
            .get(&id)
            .and_then(|v| v.as_array())
            .unwrap_or_else(|| panic!("pySigma gave no result for {}", c.meta().title))
            .iter()
            .map(|row| {
                let group = row[0]
                    .as_array()
                    .map(|g| g.iter().map(|v| v.as_str().map(str::to_owned)).collect())
                    .unwrap_or_default();
                (group, row[1].as_i64().unwrap_or_default())
            })
            .collect();
        let m = &mine[&id];
        assert!(
            !m.is_empty(),
            "{}: no alert; the test corpus should trigger it",
            c.meta().title
        );
        assert_eq!(
            m,
            &reference_alerts,
            "{}: alerts differ (ours vs pySigma)",
            c.meta().title
        );
        total += m.len();
    }
    println!(
        "pysigma: {} correlation rules, {total} alerts, all equal",
        engine.correlations().len()
    );
}

/// The rule's file name, or `probe:TITLE` for the probe rules.
fn label(r: &cloudcase_sigma::Rule) -> String {
    let file = r.source().rsplit('/').next().unwrap_or_default();
    if file == "probes.yml" {
        format!("probe:{}", r.title())
    } else {
        file.to_owned()
    }
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/pysigma_eval.py")
}

fn walk_yml(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("rules dir").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
