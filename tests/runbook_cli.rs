//! `cloudcase report --kind runbook` on a generated incident: both languages, Markdown and
//! HTML, the commands built from the case's own sources, the attacker's user name (planted
//! as markup in the logs) escaped, and the report recorded in the case like the others.

mod common;
use common::ok;

use std::path::{Path, PathBuf};

/// A user name the attacker chose: markup that would run if it were ever parsed.
const HOSTILE_USER: &str = "<img src=x onerror=alert(1)>";

/// One CloudTrail file in which the compromised key creates the user [`HOSTILE_USER`].
fn hostile_logs(dir: &Path, summary: &cloudcase_gen::Summary) -> PathBuf {
    let truth = summary.incident.as_ref().expect("an incident");
    let time = jiff::Timestamp::from_second(truth.first_attacker_event_time + 120).expect("time");
    let account = &summary.account_id;
    let record = serde_json::json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser", "principalId": "AIDAHOSTILE000000001",
            "arn": format!("arn:aws:iam::{account}:user/{}", truth.user_name),
            "accountId": account, "accessKeyId": truth.access_key_id,
            "userName": truth.user_name,
        },
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "eventSource": "iam.amazonaws.com", "eventName": "CreateUser", "awsRegion": "us-east-1",
        "sourceIPAddress": truth.attacker_ips[0], "userAgent": "aws-cli/2.15.0",
        "requestParameters": {"userName": HOSTILE_USER},
        "responseElements": {"user": {
            "userName": HOSTILE_USER, "path": "/", "userId": "AIDAHOSTILE000000002",
            "arn": format!("arn:aws:iam::{account}:user/{HOSTILE_USER}"),
            "createDate": time.strftime("%b %d, %Y %I:%M:%S %p").to_string(),
        }},
        "requestID": "11111111-2222-3333-4444-555555555555",
        "eventID": "66666666-7777-8888-9999-000000000000",
        "readOnly": false, "eventType": "AwsApiCall", "managementEvent": true,
        "recipientAccountId": account, "eventCategory": "Management",
    });
    let path = dir.join("hostile.json");
    std::fs::write(
        &path,
        serde_json::json!({ "Records": [record] }).to_string(),
    )
    .expect("write");
    path
}

/// The attacker's user name is shown, and only as text: escaped in HTML, inside a code span
/// in Markdown (where it renders literally).
fn assert_inert(text: &str, format: &str) {
    if format == "html" {
        assert!(!text.contains("<img"), "attacker markup left raw in HTML");
        assert!(
            text.contains("&lt;img src=x onerror=alert(1)&gt;"),
            "the name is shown: {text}"
        );
        return;
    }
    let lines: Vec<&str> = text.lines().filter(|l| l.contains(HOSTILE_USER)).collect();
    assert!(!lines.is_empty(), "the name is shown: {text}");
    for line in lines {
        let at = line.find(HOSTILE_USER).unwrap_or_default();
        let ticks = line[..at].matches('`').count();
        assert!(ticks % 2 == 1, "outside a code span: {line}");
    }
}

#[test]
fn runbook_renders_in_both_languages_from_the_case_and_is_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("logs");
    let summary = cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 21,
        out_dir: logs.clone(),
        target_bytes: 600_000,
        days: 5,
        incident: true,
        ..cloudcase_gen::Config::default()
    })
    .expect("generated");
    let case = dir.path().join("case").to_string_lossy().into_owned();
    common::init_case(&case, "Bill tripled", "Aiko");
    ok(&["acquire", "--case", &case, &logs.to_string_lossy()]);
    let extra = hostile_logs(dir.path(), &summary);
    ok(&["acquire", "--case", &case, &extra.to_string_lossy()]);
    let truth = summary.incident.as_ref().expect("incident");
    common::scope_access_key(&case, &truth.access_key_id);
    ok(&["hunt", "--case", &case, "--format", "jsonl"]);
    let account = &summary.account_id;
    for (lang, heading) in [("en", "1. Preserve first"), ("ja", "1. 最初に保全するもの")] {
        for format in ["md", "html"] {
            let out = ok(&[
                "report", "--kind", "runbook", "--case", &case, "--lang", lang, "--format", format,
            ]);
            let path = out.trim();
            assert!(
                path.ends_with(&format!("reports/runbook.{lang}.{format}")),
                "{path}"
            );
            let text = std::fs::read_to_string(path).expect("report written");
            assert!(text.contains(heading), "{lang} {format}: {text}");
            assert!(
                text.contains(&format!("--account {account}")),
                "the trail's account: {text}"
            );
            assert!(text.contains("aws:lookup-events --regions"), "{text}");
            assert!(
                text.contains(&truth.access_key_id),
                "the key to rotate or report: {text}"
            );
            assert_inert(&text, format);
            assert!(!text.contains("rb."), "an untranslated key: {text}");
        }
    }
    let custody = std::fs::read_to_string(Path::new(&case).join("custody.jsonl")).expect("custody");
    let produced = custody
        .lines()
        .filter(|l| l.contains("\"report_produced\"") && l.contains("\"runbook\""))
        .count();
    assert_eq!(produced, 4, "one custody entry per runbook written");
    let index =
        std::fs::read_to_string(Path::new(&case).join("reports/index.jsonl")).expect("index");
    assert_eq!(
        index.lines().filter(|l| l.contains("\"runbook\"")).count(),
        4
    );
    let all = dir.path().join("all");
    std::fs::create_dir(&all).expect("mkdir");
    let out = ok(&[
        "report",
        "--kind",
        "all",
        "--case",
        &case,
        "--format",
        "md",
        "--out",
        &all.to_string_lossy(),
    ]);
    assert!(
        out.lines().any(|l| l.ends_with("runbook.en.md")),
        "--kind all includes the runbook: {out}"
    );
    assert!(ok(&["verify", "--case", &case]).contains("INTACT"));
}
