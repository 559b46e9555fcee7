//! `cloudcase monitor`: the CloudFormation passes cfn-lint, the Terraform parses with
//! python-hcl2, eventbridge-json keeps its contract and every pattern matches its rule's
//! positive test events and no negative one (this crate's matcher, and moto's EventBridge as a
//! second opinion), and a case's UNKNOWN buckets and tables get data events, exactly those.
//! Tools missing print `SKIPPED: <tool> not installed` unless `CLOUDCASE_REQUIRE_CFN_LINT`,
//! `CLOUDCASE_REQUIRE_HCL2` or `CLOUDCASE_REQUIRE_MOTO` is set.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use common::server::{moto_available, start_moto};
use common::{cloudcase, ok};
use serde_json::Value;

fn rules_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rules/builtin")
}

/// Whether `cmd args` runs; otherwise prints the skip line, or fails when `require` is set.
fn tool(cmd: &str, args: &[&str], name: &str, require: &str) -> bool {
    let ran = Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !ran {
        assert!(
            std::env::var(require).as_deref() != Ok("1"),
            "{require}=1 but {name} is not installed"
        );
        println!("SKIPPED: {name} not installed");
    }
    ran
}

/// A demo case (its scope recorded) in `dir`; returns the case folder.
fn demo_case(dir: &Path) -> PathBuf {
    ok(&["demo", "--out", dir.to_str().unwrap()]);
    dir.join("case")
}

/// `(store, name)` of the stores the case's recorded scope left UNKNOWN, of the kinds data
/// events cover.
fn unknown_stores(case: &Path) -> BTreeSet<(String, String)> {
    let dir = case.join("analysis/scope");
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "json"))
        .unwrap();
    let scope: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    scope["data_access"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["verdict"] == "UNKNOWN"
                && (d["store"] == "s3_bucket" || d["store"] == "dynamodb_table")
        })
        .map(|d| {
            (
                d["store"].as_str().unwrap().to_owned(),
                d["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn monitor(args: &[&str], out: &Path) -> String {
    let mut all = vec!["monitor"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    let o = cloudcase(&all);
    assert!(
        o.status.success(),
        "{all:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn cloudformation_passes_cfn_lint() {
    if !tool(
        "cfn-lint",
        &["--version"],
        "cfn-lint",
        "CLOUDCASE_REQUIRE_CFN_LINT",
    ) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_case(&tmp.path().join("demo"));
    for (label, args) in [
        ("all", vec!["--all"]),
        ("case", vec!["--case", case.to_str().unwrap()]),
    ] {
        let out = tmp.path().join(format!("{label}.json"));
        let mut a = args.clone();
        a.extend(["--format", "cloudformation"]);
        monitor(&a, &out);
        let lint = Command::new("cfn-lint").arg(&out).output().unwrap();
        assert!(
            lint.status.success(),
            "cfn-lint on the {label} template:\n{}{}",
            String::from_utf8_lossy(&lint.stdout),
            String::from_utf8_lossy(&lint.stderr)
        );
        let t: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
        let res = t["Resources"].as_object().unwrap();
        let count = |ty: &str| res.values().filter(|r| r["Type"] == ty).count();
        assert_eq!(count("AWS::Logs::MetricFilter"), 15);
        assert_eq!(count("AWS::CloudWatch::Alarm"), 15);
        assert_eq!(count("AWS::GuardDuty::Detector"), 1);
        assert!(
            count("AWS::Events::Rule") >= 100,
            "{} event rules",
            count("AWS::Events::Rule")
        );
        let trail = &res["Trail"]["Properties"];
        assert_eq!(trail["IsMultiRegionTrail"], true);
        assert_eq!(trail["EnableLogFileValidation"], true);
        assert!(!t["Metadata"]["cloudcase"]["refused_rules"]
            .as_array()
            .unwrap()
            .is_empty());
    }
}

#[test]
fn terraform_parses_with_python_hcl2() {
    if !tool(
        "python3",
        &["-c", "import hcl2"],
        "python-hcl2",
        "CLOUDCASE_REQUIRE_HCL2",
    ) {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let tf = tmp.path().join("main.tf");
    monitor(
        &[
            "--all",
            "--format",
            "terraform",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
        ],
        &tf,
    );
    let eb = tmp.path().join("rules.json");
    monitor(&["--all", "--format", "eventbridge-json"], &eb);
    let script = "import hcl2, json, sys\nd = hcl2.load(open(sys.argv[1]))\nn = {}\nfor r in d['resource']:\n    for k, v in r.items():\n        n[k.strip('\"')] = n.get(k.strip('\"'), 0) + len(v)\nprint(json.dumps(n))";
    let out = Command::new("python3")
        .args(["-c", script, tf.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python-hcl2 cannot parse the Terraform: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let counts: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<Value> = serde_json::from_slice(&std::fs::read(&eb).unwrap()).unwrap();
    assert_eq!(counts["aws_guardduty_detector"], 2, "{counts}");
    assert_eq!(counts["aws_cloudwatch_event_rule"], rules.len(), "{counts}");
    assert_eq!(counts["aws_cloudwatch_event_target"], rules.len());
    assert_eq!(counts["aws_cloudwatch_log_metric_filter"], 15);
    assert_eq!(counts["aws_cloudwatch_metric_alarm"], 15);
    assert_eq!(counts["aws_cloudtrail"], 1);
}

#[test]
fn eventbridge_json_patterns_match_their_positive_events_only() {
    let tmp = tempfile::tempdir().unwrap();
    let eb = tmp.path().join("rules.json");
    let stderr = monitor(&["--all", "--format", "eventbridge-json"], &eb);
    let rules: Vec<Value> = serde_json::from_slice(&std::fs::read(&eb).unwrap()).unwrap();
    // Refused rules are named with their reason.
    assert!(
        stderr.contains("refused builtin:aws_s3_object_read_anonymously.yml")
            && stderr.contains("not delivered to EventBridge"),
        "{stderr}"
    );
    assert!(stderr.contains("modifier `re`"), "{stderr}");
    let ids = rule_files();
    let mut checked = 0;
    for r in &rules {
        let keys: BTreeSet<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            BTreeSet::from(["name", "pattern", "rule_id", "title", "level"])
        );
        let stem = &ids[r["rule_id"].as_str().unwrap()];
        for (file, positive, record) in test_events(stem) {
            let got =
                cloudcase_monitor::matches(&r["pattern"], &cloudcase_monitor::envelope(&record));
            assert_eq!(got, positive, "{stem}/{file}");
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked} events checked");
}

/// Rule id to file stem, for every built-in rule.
fn rule_files() -> std::collections::BTreeMap<String, String> {
    let mut out = std::collections::BTreeMap::new();
    for e in std::fs::read_dir(rules_dir()).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "yml") {
            let text = std::fs::read_to_string(&p).unwrap();
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("id: "))
                .unwrap()
                .trim()
                .to_owned();
            out.insert(id, p.file_stem().unwrap().to_str().unwrap().to_owned());
        }
    }
    out
}

fn test_events(stem: &str) -> Vec<(String, bool, Value)> {
    let dir = rules_dir().join("tests").join(stem);
    let mut out = Vec::new();
    for e in std::fs::read_dir(&dir).unwrap().flatten() {
        let name = e.file_name().to_str().unwrap().to_owned();
        let v: Value = serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap();
        out.push((name.clone(), name.starts_with("positive"), v));
    }
    assert!(
        out.iter().any(|e| e.1) && out.iter().any(|e| !e.1),
        "{stem}"
    );
    out
}

#[test]
fn a_case_gets_data_events_on_exactly_its_unknown_stores() {
    let tmp = tempfile::tempdir().unwrap();
    let case = demo_case(&tmp.path().join("demo"));
    let unknown = unknown_stores(&case);
    assert!(
        unknown.iter().any(|(s, _)| s == "s3_bucket"),
        "the demo case leaves buckets UNKNOWN: {unknown:?}"
    );
    let out = tmp.path().join("case.json");
    let stderr = monitor(
        &[
            "--case",
            case.to_str().unwrap(),
            "--format",
            "cloudformation",
        ],
        &out,
    );
    assert!(
        stderr.contains(&format!("data events on {} UNKNOWN stores", unknown.len())),
        "{stderr}"
    );
    let t: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    let selectors = t["Resources"]["Trail"]["Properties"]["AdvancedEventSelectors"]
        .as_array()
        .unwrap()
        .clone();
    let mut got = BTreeSet::new();
    for s in &selectors[1..] {
        let fields = s["FieldSelectors"].as_array().unwrap();
        let arn = fields
            .iter()
            .find(|f| f["Field"] == "resources.ARN")
            .unwrap();
        let list = arn
            .get("StartsWith")
            .or(arn.get("Equals"))
            .unwrap()
            .as_array()
            .unwrap();
        for a in list {
            let text = a["Fn::Sub"].as_str().unwrap();
            let (store, name) = match text.split_once(":s3:::") {
                Some((_, rest)) => ("s3_bucket", rest.trim_end_matches('/')),
                None => ("dynamodb_table", text.rsplit_once(":table/").unwrap().1),
            };
            got.insert((store.to_owned(), name.to_owned()));
        }
    }
    assert_eq!(got, unknown);
    assert_eq!(selectors[0]["FieldSelectors"][0]["Equals"][0], "Management");
    let settings = t["Metadata"]["cloudcase"]["trail_settings"]
        .as_array()
        .unwrap();
    let data = settings
        .iter()
        .find(|s| s["setting"] == "AdvancedEventSelectors")
        .unwrap();
    for (_, name) in &unknown {
        assert!(
            data["closes"].as_str().unwrap().contains(name.as_str()),
            "{data}"
        );
    }
    // Without a case: the baseline, management events only.
    let base = tmp.path().join("base.json");
    monitor(&["--all", "--format", "cloudformation"], &base);
    let t: Value = serde_json::from_slice(&std::fs::read(&base).unwrap()).unwrap();
    assert_eq!(
        t["Resources"]["Trail"]["Properties"]["AdvancedEventSelectors"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn a_case_without_a_scope_result_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let case = tmp.path().join("case");
    ok(&[
        "case",
        "init",
        "--name",
        "t",
        "--examiner",
        "e",
        case.to_str().unwrap(),
    ]);
    let o = cloudcase(&[
        "monitor",
        "--case",
        case.to_str().unwrap(),
        "--format",
        "terraform",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("expected a recorded scope result") && err.contains("--all"),
        "{err}"
    );
    let o = cloudcase(&["monitor", "--format", "terraform"]);
    assert!(!o.status.success());
}

/// Moto's EventBridge decides, through PutRule, PutTargets (an SQS queue) and PutEvents,
/// which test events each pattern delivers (its TestEventPattern returns no result in 5.2.1).
const MOTO_CHECK: &str = r#"
import glob, json, os, re, sys
import boto3
endpoint, patterns_file, rules_dir = sys.argv[1:4]
kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
events = boto3.client("events", **kw)
sqs = boto3.client("sqs", **kw)
ids = {}
for f in glob.glob(os.path.join(rules_dir, "*.yml")):
    ids[re.search(r"^id: (\S+)", open(f).read(), re.M).group(1)] = os.path.basename(f)[:-4]
DETAIL = {"AwsApiCall": "AWS API Call via CloudTrail", "AwsConsoleSignIn": "AWS Console Sign In via CloudTrail",
          "AwsServiceEvent": "AWS Service Event via CloudTrail", "AwsConsoleAction": "AWS Console Action via CloudTrail"}
def paths(p, pre=()):
    for k, v in p.items():
        if k == "$or":
            for a in v:
                yield from paths(a, pre)
        elif isinstance(v, dict):
            yield from paths(v, pre + (k,))
        else:
            yield pre + (k,)
def crosses_array(rec, path):
    node = {"detail": rec}
    for k in path[:-1]:
        if isinstance(node, list):
            return True
        if not isinstance(node, dict) or k not in node:
            return False
        node = node[k]
    return isinstance(node, list) or (isinstance(node, dict) and isinstance(node.get(path[-1]), list) and any(isinstance(x, dict) for x in node[path[-1]]))
q = sqs.create_queue(QueueName="cloudcase-monitor-check")["QueueUrl"]
qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
for rule in json.load(open(patterns_file)):
    stem = ids[rule["rule_id"]]
    events.put_rule(Name=rule["name"], EventPattern=json.dumps(rule["pattern"]))
    events.put_targets(Rule=rule["name"], Targets=[{"Id": "q", "Arn": qarn}])
    for f in sorted(glob.glob(os.path.join(rules_dir, "tests", stem, "*.json"))):
        rec = json.load(open(f))
        src = "aws." + rec.get("eventSource", "unknown").split(".")[0]
        events.put_events(Entries=[{"Source": src, "DetailType": DETAIL.get(rec.get("eventType"), "AWS API Call via CloudTrail"), "Detail": json.dumps(rec)}])
        got = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        for m in got:
            sqs.delete_message(QueueUrl=q, ReceiptHandle=m["ReceiptHandle"])
        arrays = any(crosses_array(rec, p) for p in paths(rule["pattern"]))
        print(json.dumps({"rule": stem, "file": os.path.basename(f), "positive": os.path.basename(f).startswith("positive"), "moto": len(got) > 0, "crosses_array": arrays}))
    events.remove_targets(Rule=rule["name"], Ids=["q"])
    events.delete_rule(Name=rule["name"])
"#;

#[test]
fn moto_eventbridge_gives_the_same_verdicts() {
    if !moto_available() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let eb = tmp.path().join("rules.json");
    monitor(&["--all", "--format", "eventbridge-json"], &eb);
    let moto = start_moto();
    let out = Command::new("python3")
        .args([
            "-c",
            MOTO_CHECK,
            &moto.endpoint,
            eb.to_str().unwrap(),
            rules_dir().to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // moto flattens nested objects but not arrays of objects: a path crossing an array (where
    // EventBridge matches any element) is not a verdict it can give.
    let comparable: Vec<&Value> = rows
        .iter()
        .filter(|r| r["crosses_array"] == false)
        .collect();
    let disagree: Vec<&&Value> = comparable
        .iter()
        .filter(|r| r["moto"] != r["positive"])
        .collect();
    println!(
        "moto: {} verdicts, {} comparable, {} disagree",
        rows.len(),
        comparable.len(),
        disagree.len()
    );
    assert!(
        comparable.len() > 300,
        "{} comparable verdicts",
        comparable.len()
    );
    assert!(disagree.is_empty(), "moto disagrees: {disagree:?}");
}
