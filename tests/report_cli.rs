//! `cloudcase report evidence` and reading a case's evidence with `timeline --case`.

mod common;
use common::{cloudcase, ok};

use std::path::Path;

use sha2::Digest;

/// A case holding a small generated incident (gzip S3 delivery files).
fn case_with_logs(dir: &Path) -> (String, cloudcase_gen::Summary) {
    let logs = dir.join("logs");
    let truth = cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 5,
        out_dir: logs.clone(),
        target_bytes: 200_000,
        days: 3,
        incident: true,
        ..cloudcase_gen::Config::default()
    })
    .unwrap();
    let case = dir.join("case");
    let c = case.to_str().unwrap().to_owned();
    ok(&[
        "case",
        "init",
        &c,
        "--name",
        "<script>alert(1)</script> =HYPERLINK(\"http://x\",\"y\")",
        "--examiner",
        "Aiko Tanaka",
        "--tz",
        "Asia/Tokyo",
    ]);
    ok(&["acquire", "--case", &c, logs.to_str().unwrap()]);
    (c, truth)
}

fn sha256s(case: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in std::fs::read_to_string(Path::new(case).join("manifest.jsonl"))
        .unwrap()
        .lines()
    {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        out.push(v["sha256"].as_str().unwrap().to_owned());
    }
    out.sort();
    out.dedup();
    out
}

#[test]
fn evidence_record_lists_every_hash_in_both_languages_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (case, _) = case_with_logs(dir.path());
    ok(&["verify", "--case", &case]);
    let hashes = sha256s(&case);
    assert!(hashes.len() > 10);
    for (lang, format, marker) in [
        ("en", "md", "Chain of custody"),
        ("ja", "md", "保管の連続性"),
        ("en", "html", "Evidence record"),
        ("ja", "html", "証拠記録"),
    ] {
        let path = ok(&[
            "report", "evidence", "--case", &case, "--lang", lang, "--format", format,
        ]);
        let text = std::fs::read_to_string(path.trim()).unwrap();
        assert!(text.contains(marker), "{lang} {format}");
        for h in &hashes {
            assert!(text.contains(h.as_str()), "{lang} {format} lacks {h}");
        }
        assert!(
            !text.contains("<script>"),
            "{lang} {format} lets markup through"
        );
        if format == "html" {
            assert!(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
            assert!(text.contains(&format!("lang=\"{lang}\"")));
        }
    }
    ok(&[
        "report", "--kind", "evidence", "--case", &case, "--format", "md", "--lang", "en",
    ]);
    let custody = std::fs::read_to_string(Path::new(&case).join("custody.jsonl")).unwrap();
    assert_eq!(custody.matches("\"report_produced\"").count(), 5);
    let verify = ok(&["verify", "--case", &case]);
    assert!(verify.contains("INTACT"), "{verify}");
}

#[test]
fn the_record_states_what_was_last_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (case, _) = case_with_logs(dir.path());
    let before = ok(&["report", "evidence", "--case", &case, "--format", "md"]);
    assert!(std::fs::read_to_string(before.trim())
        .unwrap()
        .contains("Not verified yet"));
    ok(&["verify", "--case", &case]);
    let after = ok(&["report", "evidence", "--case", &case, "--format", "md"]);
    let text = std::fs::read_to_string(after.trim()).unwrap();
    assert!(text.contains("intact (ok=true"), "{text}");
}

#[test]
fn reports_need_a_kind() {
    let dir = tempfile::tempdir().unwrap();
    let (case, _) = case_with_logs(dir.path());
    let out = cloudcase(&["report", "--case", &case]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("name the report kind"));
}

#[test]
fn timeline_reads_a_case_with_hashes_and_original_locations() {
    let dir = tempfile::tempdir().unwrap();
    let (case, truth) = case_with_logs(dir.path());
    let out = ok(&["timeline", "--case", &case, "--format", "jsonl", "--strict"]);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, truth.records);
    let first = &lines[0]["cloudcase"];
    assert_eq!(first["sha256"].as_str().unwrap().len(), 64);
    assert!(first["origin"].as_str().unwrap().contains("/AWSLogs/"));
    assert!(first["file"]
        .as_str()
        .unwrap()
        .contains("/evidence/objects/sha256/"));
    let verify = ok(&["verify", "--case", &case]);
    assert!(
        verify.contains("INTACT"),
        "reading a case must not change it: {verify}"
    );
}

/// One CloudTrail file holding an attacker call whose user agent and created user name are
/// hostile: `<script>alert(1)</script>` and `=HYPERLINK("http://x","y")`.
fn hostile_logs(dir: &Path, summary: &cloudcase_gen::Summary) -> std::path::PathBuf {
    let truth = summary.incident.as_ref().unwrap();
    let time = jiff::Timestamp::from_second(truth.first_attacker_event_time + 120).unwrap();
    let account = &summary.account_id;
    let name = HOSTILE_USER;
    let record = serde_json::json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAHOSTILE000000001",
            "arn": format!("arn:aws:iam::{account}:user/{}", truth.user_name),
            "accountId": account,
            "accessKeyId": truth.access_key_id,
            "userName": truth.user_name,
        },
        "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "eventSource": "iam.amazonaws.com",
        "eventName": "CreateUser",
        "awsRegion": "us-east-1",
        "sourceIPAddress": truth.attacker_ips[0],
        "userAgent": HOSTILE_AGENT,
        "requestParameters": {"userName": name},
        "responseElements": {"user": {
            "userName": name,
            "path": "/",
            "arn": format!("arn:aws:iam::{account}:user/{name}"),
            "userId": "AIDAHOSTILE000000002",
            "createDate": time.strftime("%b %d, %Y %I:%M:%S %p").to_string(),
        }},
        "requestID": "11111111-2222-3333-4444-555555555555",
        "eventID": "66666666-7777-8888-9999-000000000000",
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": account,
        "eventCategory": "Management",
    });
    let path = dir.join("hostile.json");
    std::fs::write(
        &path,
        serde_json::json!({ "Records": [record] }).to_string(),
    )
    .unwrap();
    path
}

const HOSTILE_AGENT: &str = "<script>alert(1)</script>";
const HOSTILE_USER: &str = "=HYPERLINK(\"http://x\",\"y\")";

/// An incident in a case with scope and hunt results recorded.
struct Analysed {
    case: String,
    summary: cloudcase_gen::Summary,
    scope: serde_json::Value,
}

fn scope_and_hunt(case: &str, key: &str) -> serde_json::Value {
    let doc = common::scope_access_key(case, key);
    ok(&["hunt", "--case", case, "--format", "jsonl"]);
    serde_json::from_str(&doc).unwrap()
}

fn analysed_case(dir: &Path, hostile: bool) -> Analysed {
    let logs = dir.join("logs");
    let summary = cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 21,
        out_dir: logs.clone(),
        target_bytes: 1_000_000,
        days: 10,
        incident: true,
        ..cloudcase_gen::Config::default()
    })
    .unwrap();
    let case = dir.join("case");
    let c = case.to_str().unwrap().to_owned();
    common::init_case(&c, "Bill tripled", "Aiko Tanaka");
    ok(&["acquire", "--case", &c, logs.to_str().unwrap()]);
    if hostile {
        let extra = hostile_logs(dir, &summary);
        ok(&["acquire", "--case", &c, extra.to_str().unwrap()]);
    }
    let key = summary.incident.as_ref().unwrap().access_key_id.clone();
    let scope = scope_and_hunt(&c, &key);
    Analysed {
        case: c,
        summary,
        scope,
    }
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path.trim()).unwrap()
}

#[test]
fn scope_and_hunt_record_their_results_in_the_case() {
    let dir = tempfile::tempdir().unwrap();
    let a = analysed_case(dir.path(), false);
    let custody = read(&format!("{}/custody.jsonl", a.case));
    let recorded: Vec<serde_json::Value> = custody
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|e| e["action"] == "analysis_recorded")
        .collect();
    assert_eq!(recorded.len(), 2, "{custody}");
    for (e, kind) in recorded.iter().zip(["scope", "hunt"]) {
        let d = &e["details"];
        assert_eq!(d["kind"], kind);
        let rel = d["output"].as_str().unwrap();
        assert!(rel.starts_with(&format!("analysis/{kind}/")), "{rel}");
        let bytes = std::fs::read(Path::new(&a.case).join(rel)).unwrap();
        let sha = sha2::Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>();
        assert_eq!(d["output_sha256"], sha.as_str());
        assert!(d["command"][1] == kind && d["tool"].as_str().unwrap().starts_with("cloudcase "));
    }
    let verify = ok(&["verify", "--case", &a.case]);
    assert!(verify.contains("INTACT"), "{verify}");
}

#[test]
fn every_kind_in_both_languages_states_what_the_analysis_found() {
    let dir = tempfile::tempdir().unwrap();
    let a = analysed_case(dir.path(), false);
    let truth = a.summary.incident.as_ref().unwrap();
    let hashes = sha256s(&a.case);
    let cost = format!("USD {:.2}", a.scope["cost"]["total_usd"].as_f64().unwrap());
    let buckets: Vec<&str> = a.scope["data_access"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["store"] == "s3_bucket" && d["verdict"] == "UNKNOWN")
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert!(
        !buckets.is_empty(),
        "no data events: S3 buckets are UNKNOWN"
    );
    for (lang, unknown_heading) in [
        ("en", "What is not yet known"),
        ("ja", "まだ分からないこと"),
    ] {
        for format in ["md", "html"] {
            let out = ok(&[
                "report", "--kind", "all", "--case", &a.case, "--lang", lang, "--format", format,
            ]);
            let paths: Vec<&str> = out.lines().collect();
            assert_eq!(paths.len(), 4, "four kinds: {out}");
            let (exec, tech, evid) = (read(paths[0]), read(paths[1]), read(paths[2]));
            assert!(paths[0].contains("executive-summary.v1."), "{}", paths[0]);
            let ids = truth
                .created_users
                .iter()
                .chain(&truth.created_access_keys)
                .chain(&truth.created_roles);
            for id in ids.clone().chain([&truth.access_key_id]) {
                assert!(
                    exec.contains(id.as_str()),
                    "{lang} {format}: executive lacks {id}"
                );
                assert!(
                    tech.contains(id.as_str()),
                    "{lang} {format}: technical lacks {id}"
                );
            }
            assert!(
                exec.contains(&cost),
                "{lang} {format}: executive lacks {cost}"
            );
            let unknown = exec.find(unknown_heading).unwrap();
            for b in &buckets {
                let first = exec.find(b).unwrap_or(usize::MAX);
                assert!(
                    first > unknown && first != usize::MAX,
                    "{lang} {format}: {b} must be listed as not yet known only"
                );
            }
            for i in &truth.instances {
                assert!(
                    tech.contains(&i.instance_id),
                    "{lang} {format}: technical lacks {}",
                    i.instance_id
                );
            }
            // Every object is in the listing beside the record, whose hash the record states.
            let listing_path = Path::new(paths[2]).with_file_name("evidence-listing.jsonl");
            let listing = std::fs::read(&listing_path).unwrap();
            assert!(evid.contains(&hex_sha256(&listing)), "{lang} {format}");
            let listing = String::from_utf8(listing).unwrap();
            for h in &hashes {
                assert!(
                    listing.contains(h.as_str()),
                    "{lang} {format}: the listing lacks {h}"
                );
            }
            assert!(evid.contains("analysis/scope/") && evid.contains("analysis/hunt/"));
            if format == "html" {
                assert!(tech.contains("<svg") || a.scope.get("activity").is_none());
                assert!(tech.contains("href=\"#ref-1\"") && tech.contains("id=\"ref-1\""));
            }
        }
    }
}

#[test]
fn a_later_summary_is_the_next_version_and_lists_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let a = analysed_case(dir.path(), false);
    let v1 = ok(&[
        "report",
        "--kind",
        "executive",
        "--case",
        &a.case,
        "--format",
        "md",
    ]);
    assert!(v1.contains("executive-summary.v1.en.md"), "{v1}");
    let between = jiff::Timestamp::now();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let extra = hostile_logs(dir.path(), &a.summary);
    ok(&["acquire", "--case", &a.case, extra.to_str().unwrap()]);
    let key = &a.summary.incident.as_ref().unwrap().access_key_id;
    scope_and_hunt(&a.case, key);
    let v2 = ok(&[
        "report",
        "--kind",
        "executive",
        "--case",
        &a.case,
        "--format",
        "md",
        "--lang",
        "ja",
    ]);
    assert!(v2.contains("executive-summary.v2.ja.md"), "{v2}");
    let text = read(&v2);
    assert!(text.contains("第 1 版"), "{text}");
    let changes = &text[text.find("前版からの変更点").unwrap()..];
    assert!(
        changes.contains("追加") && changes.contains("HYPERLINK"),
        "{changes}"
    );
    let again = ok(&[
        "report",
        "--kind",
        "executive",
        "--case",
        &a.case,
        "--format",
        "md",
        "--as-of",
        &between.to_string(),
    ]);
    assert!(
        again.contains("executive-summary.v1.en.md"),
        "as of before the second scope: {again}"
    );
    assert!(!read(&again).contains("HYPERLINK"));
    let index = read(&format!("{}/reports/index.jsonl", a.case));
    assert_eq!(index.lines().count(), 3);
}

/// Whether every occurrence of `needle` in the Markdown `line` is inside a code span (an odd
/// number of backtick runs before it), where CommonMark shows it as literal text.
fn only_in_code_spans(line: &str, needle: &str) -> bool {
    line.match_indices(needle).all(|(i, _)| {
        let before = &line[..i];
        let runs = before
            .split(|c| c != '`')
            .filter(|run| !run.is_empty())
            .count();
        runs % 2 == 1
    })
}

#[test]
fn hostile_user_agent_and_user_name_are_inert_in_every_report() {
    let dir = tempfile::tempdir().unwrap();
    let a = analysed_case(dir.path(), true);
    let users: Vec<&str> = a.scope["identities"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert!(
        users.contains(&HOSTILE_USER),
        "scope follows the hostile user: {users:?}"
    );
    for lang in ["en", "ja"] {
        let html = ok(&[
            "report", "--kind", "all", "--case", &a.case, "--lang", lang, "--format", "html",
        ]);
        let md = ok(&[
            "report", "--kind", "all", "--case", &a.case, "--lang", lang, "--format", "md",
        ]);
        for path in html.lines() {
            let text = read(path);
            assert!(!text.contains("<script"), "{path}");
        }
        let tech = read(html.lines().nth(1).unwrap());
        assert!(
            tech.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "the user agent is shown, escaped"
        );
        assert!(tech.contains("=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;)"));
        for path in md.lines() {
            let text = read(path);
            for line in text.lines() {
                assert!(only_in_code_spans(line, "<script"), "{path}: {line}");
                assert!(
                    !line.starts_with("=HYPERLINK") && !line.contains("| =HYPERLINK"),
                    "{path}: a cell starts with a formula: {line}"
                );
            }
        }
        let tech_md = read(md.lines().nth(1).unwrap());
        assert!(tech_md.contains(HOSTILE_AGENT) && tech_md.contains(HOSTILE_USER));
    }
}

#[test]
fn executive_summary_pdf_fits_three_a4_pages_in_both_languages() {
    if cloudcase_report::chromium::Chromium::locate().is_err() {
        assert!(
            std::env::var("CLOUDCASE_REQUIRE_CHROMIUM").is_err(),
            "CLOUDCASE_REQUIRE_CHROMIUM is set but Chromium is not installed"
        );
        println!("SKIPPED: Chromium not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let a = analysed_case(dir.path(), true);
    for lang in ["en", "ja"] {
        let out = ok(&[
            "report",
            "--kind",
            "executive",
            "--case",
            &a.case,
            "--lang",
            lang,
            "--format",
            "pdf",
        ]);
        let pdf = std::fs::read(out.trim()).unwrap();
        let pages = cloudcase_report::chromium::pdf_page_count(&pdf);
        assert!((1..=3).contains(&pages), "{lang}: {pages} pages");
    }
}

/// Lower-case hex SHA-256 of `bytes`.
fn hex_sha256(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A case whose evidence is a copy of a trail bucket: CloudTrail logs and digests of two
/// regions and two days, `per_folder` files in each of the eight folders. The examiner's
/// name is a spreadsheet formula, which the CSV listing must neutralise.
fn cloudtrail_tree_case(dir: &Path, per_folder: usize) -> (String, std::path::PathBuf) {
    let logs = dir.join("trail-bucket");
    for kind in ["CloudTrail", "CloudTrail-Digest"] {
        for region in ["us-east-1", "ap-northeast-1"] {
            for day in ["17", "18"] {
                let folder = logs.join(format!(
                    "AWSLogs/111122223333/{kind}/{region}/2024/05/{day}"
                ));
                std::fs::create_dir_all(&folder).unwrap();
                for i in 0..per_folder {
                    let name = format!("111122223333_{kind}_{region}_202405{day}T{i:04}Z_x.json");
                    let body = format!("{{\"Records\":[],\"file\":\"{kind}/{region}/{day}/{i}\"}}");
                    std::fs::write(folder.join(name), body).unwrap();
                }
            }
        }
    }
    let case = dir.join("case").to_str().unwrap().to_owned();
    ok(&[
        "case",
        "init",
        &case,
        "--name",
        "Trail copy",
        "--examiner",
        "=HYPERLINK(\"http://x\",\"y\")",
    ]);
    ok(&["acquire", "--case", &case, logs.to_str().unwrap()]);
    (case, logs)
}

/// The manifest's lines, each with its newline.
fn manifest_lines(case: &str) -> Vec<Vec<u8>> {
    std::fs::read(Path::new(case).join("manifest.jsonl"))
        .unwrap()
        .split_inclusive(|&b| b == b'\n')
        .map(<[u8]>::to_vec)
        .collect()
}

/// The last `report_produced` custody entry.
fn last_report_entry(case: &str) -> serde_json::Value {
    read(&format!("{case}/custody.jsonl"))
        .lines()
        .rev()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|e| e["action"] == "report_produced")
        .unwrap()
}

#[test]
fn the_evidence_record_summarises_by_group_and_lists_every_pair_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let (case, logs) = cloudtrail_tree_case(dir.path(), 40);
    let lines = manifest_lines(&case);
    assert_eq!(lines.len(), 320);
    let out = ok(&[
        "report", "--kind", "evidence", "--case", &case, "--format", "html",
    ]);
    let html = read(&out);
    let reports = Path::new(&case).join("reports");
    let entry = last_report_entry(&case);
    let recorded = entry["details"]["listings"].as_array().unwrap();
    assert_eq!(recorded.len(), 2, "{entry}");
    for (name, format) in [
        ("evidence-listing.csv", "csv"),
        ("evidence-listing.jsonl", "jsonl"),
    ] {
        let path = reports.join(name);
        let bytes = std::fs::read(&path).unwrap();
        let sha = hex_sha256(&bytes);
        assert!(html.contains(&sha), "the record states the hash of {name}");
        assert!(html.contains(name), "the record names {name}");
        let fact = recorded.iter().find(|l| l["format"] == format).unwrap();
        assert_eq!(fact["sha256"], sha.as_str());
        assert_eq!(fact["rows"], 320);
        assert_eq!(fact["path"], path.to_str().unwrap());
    }
    // One row per (object, source) pair, in manifest order, with its line number.
    let jsonl = read(reports.join("evidence-listing.jsonl").to_str().unwrap());
    let rows: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), lines.len());
    for (i, (row, line)) in rows.iter().zip(&lines).enumerate() {
        let m: serde_json::Value = serde_json::from_slice(line).unwrap();
        assert_eq!(row["manifest_line"], i + 1);
        for key in ["object", "source", "size", "sha256", "acquired", "examiner"] {
            assert_eq!(row[key], m[key], "{key}");
        }
    }
    let csv = read(reports.join("evidence-listing.csv").to_str().unwrap());
    let mut csv_lines = csv.lines();
    assert_eq!(
        csv_lines.next(),
        Some("object,source,size,sha256,acquired,examiner,manifest_line")
    );
    let csv_rows: Vec<&str> = csv_lines.collect();
    assert_eq!(csv_rows.len(), lines.len());
    for (i, row) in csv_rows.iter().enumerate() {
        assert!(
            row.ends_with(&format!(
                ",\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",{}",
                i + 1
            )),
            "the examiner's formula is neutralised: {row}"
        );
    }
    // Each group's hash is the hash of its manifest lines as grep selects them.
    for kind in ["CloudTrail", "CloudTrail-Digest"] {
        for region in ["us-east-1", "ap-northeast-1"] {
            for day in ["17", "18"] {
                let prefix = format!(
                    "\"source\":\"{}/AWSLogs/111122223333/{kind}/{region}/2024/05/{day}/",
                    logs.display()
                );
                let selected: Vec<u8> = lines
                    .iter()
                    .filter(|l| l.windows(prefix.len()).any(|w| w == prefix.as_bytes()))
                    .flatten()
                    .copied()
                    .collect();
                assert!(!selected.is_empty(), "{prefix}");
                assert!(html.contains(&hex_sha256(&selected)), "{prefix}");
            }
        }
    }
    // 320 pairs: no per-object table, the record says where they are.
    assert!(html.contains("too many to print one by one"), "{html}");
    for h in sha256s(&case) {
        assert!(!html.contains(&h), "object {h} is listed in a large record");
    }
    assert!(html.contains("No trusted timestamp recorded"));
    let verify = ok(&["verify", "--case", &case]);
    assert!(verify.contains("INTACT"), "{verify}");
}

#[test]
fn a_tiny_case_lists_every_object_in_the_record_and_out_puts_listings_beside_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let (case, _) = cloudtrail_tree_case(dir.path(), 2);
    let target = dir.path().join("elsewhere/record.md");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    let out = ok(&[
        "report",
        "evidence",
        "--case",
        &case,
        "--lang",
        "ja",
        "--format",
        "md",
        "--out",
        target.to_str().unwrap(),
    ]);
    assert_eq!(out.trim(), target.to_str().unwrap());
    let md = read(&out);
    for h in sha256s(&case) {
        assert!(md.contains(&h), "object {h} is listed in a small record");
    }
    assert!(md.contains("取得元グループ") && md.contains("全件一覧"));
    for name in ["evidence-listing.csv", "evidence-listing.jsonl"] {
        let path = target.parent().unwrap().join(name);
        assert!(path.is_file(), "{name} beside --out");
        assert!(md.contains(&hex_sha256(&std::fs::read(&path).unwrap())));
        assert!(!Path::new(&case).join("reports").join(name).exists());
    }
    let leftovers: Vec<String> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn a_named_key_with_no_departure_is_reported_as_its_own_activity_in_both_languages() {
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    let summary = cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 5,
        out_dir: logs.clone(),
        target_bytes: 1_000_000,
        days: 6,
        scenario: cloudcase_gen::Scenario::RoamingOwners,
        ..cloudcase_gen::Config::default()
    })
    .unwrap();
    let case = dir.path().join("case");
    let c = case.to_str().unwrap().to_owned();
    common::init_case(&c, "Roamer", "T");
    ok(&["acquire", "--case", &c, logs.to_str().unwrap()]);
    let key = summary.roaming_owners[0].access_key_id.clone();
    let doc = scope_and_hunt(&c, &key);
    assert_eq!(doc["attribution"], "unattributed", "{doc}");
    for (lang, headline, section) in [
        (
            "en",
            format!("No intrusion was established for the named credential {key}"),
            "activity of the named credential (not attributed to an attacker)",
        ),
        (
            "ja",
            format!("指定された認証情報 {key} について、侵入は確認されませんでした"),
            "指定された認証情報の操作 (攻撃者によるものとは判定されていません)",
        ),
    ] {
        let out = ok(&[
            "report", "--kind", "all", "--case", &c, "--lang", lang, "--format", "md",
        ]);
        let paths: Vec<&str> = out.lines().collect();
        let (exec, tech) = (read(paths[0]), read(paths[1]));
        assert!(exec.contains(&headline), "{lang}: {exec}");
        assert!(
            !exec.contains("Compromised access key") && !exec.contains("漏えいしたアクセスキー")
        );
        assert!(tech.contains(section), "{lang}: {tech}");
    }
}
