//! `cloudcase rules sql` end to end, and differentially against real engines: DuckDB
//! (PyPI `duckdb`) running the duckdb query over the events table must return exactly the
//! (rule_id, file, record) pairs of `cloudcase hunt --format jsonl` (rule findings at every
//! level, analytics off), for the built-in pack and with SigmaHQ's AWS rules added, on a
//! generated incident (all log sources) and on the shared datasets; the trino query must
//! parse with `sqlglot` (PyPI) in its trino dialect.
//!
//! The events table is `cloudcase export --format parquet` of the same inputs, read by
//! `tests/sql/duckdb_diff.py` through the README's view; the incident is also compared under
//! `--schema ocsf` (rules sql and export both in OCSF). Findings of rules the query's header
//! lists as refused are left out of the comparison (and counted in its summary).
//!
//! Without the Python modules the tests print `SKIPPED: …` — unless `CLOUDCASE_REQUIRE_DUCKDB`
//! (resp. `CLOUDCASE_REQUIRE_SQLGLOT`) is set; without ../shared they print
//! `SKIPPED: ../shared not found` (and fail when `CLOUDCASE_REQUIRE_SHARED` is set).

mod common;
use common::{cloudcase, shared};

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

/// Whether python3 can import `module`; `false` after printing SKIPPED, unless `require` is set.
fn python_has(module: &str, require: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var(require).is_err(),
            "{require} is set but python3 cannot import {module}"
        );
        println!("SKIPPED: python module {module} not installed");
    }
    ok
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sql")
        .join(name)
}

/// `cloudcase rules sql` with `args`, which must succeed: the query and stderr.
fn rules_sql(args: &[&str]) -> (String, String) {
    let mut all = vec!["rules", "sql"];
    all.extend_from_slice(args);
    let out = cloudcase(&all);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{all:?}: {err}");
    (String::from_utf8(out.stdout).unwrap(), err)
}

/// Rule arguments of one comparison: the built-in pack, optionally SigmaHQ's rules.
fn rule_args(sigmahq: Option<&Path>) -> Vec<String> {
    match sigmahq {
        Some(p) => vec!["--rules".into(), p.to_string_lossy().into_owned()],
        None => Vec::new(),
    }
}

/// Runs hunt and the duckdb query over `inputs` and compares; returns the number of pairs.
fn differential(work: &Path, inputs: &[PathBuf], sigmahq: Option<&Path>, label: &str) -> u64 {
    differential_with(work, inputs, &rule_args(sigmahq), "cloudtrail", label)
}

/// Exports `inputs` with `cloudcase export --format parquet --schema SCHEMA` into `out`.
fn export(inputs: &[PathBuf], schema: &str, out: &Path) {
    let mut args: Vec<String> = vec!["export".into()];
    args.extend(inputs.iter().map(|p| p.to_string_lossy().into_owned()));
    args.extend(["--format", "parquet", "--schema", schema, "--out"].map(String::from));
    args.push(out.to_string_lossy().into_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let done = cloudcase(&args);
    assert!(
        done.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&done.stderr)
    );
}

/// [`differential`] with explicit rule arguments (`--rules DIR`, `--no-builtin`) and schema.
fn differential_with(
    work: &Path,
    inputs: &[PathBuf],
    extra: &[String],
    schema: &str,
    label: &str,
) -> u64 {
    let events = work.join(format!("{label}-parquet"));
    export(inputs, schema, &events);
    let mut hunt: Vec<String> = vec!["hunt".into()];
    hunt.extend(inputs.iter().map(|p| p.to_string_lossy().into_owned()));
    hunt.extend(
        [
            "--format",
            "jsonl",
            "--min-level",
            "informational",
            "--no-analytics",
        ]
        .map(String::from),
    );
    hunt.extend(extra.iter().cloned());
    let args: Vec<&str> = hunt.iter().map(String::as_str).collect();
    let out = cloudcase(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let findings = work.join(format!("{label}-hunt.jsonl"));
    std::fs::write(&findings, &out.stdout).unwrap();
    let mut sql_args = vec!["--dialect", "duckdb", "--schema", schema];
    sql_args.extend(extra.iter().map(String::as_str));
    let (sql, _) = rules_sql(&sql_args);
    let query = work.join(format!("{label}.sql"));
    std::fs::write(&query, sql).unwrap();
    let out = Command::new("python3")
        .arg(script("duckdb_diff.py"))
        .args([&events, &query, &findings])
        .output()
        .expect("run python3");
    let report = String::from_utf8_lossy(&out.stdout);
    println!("{label}: {report}");
    assert!(
        out.status.success(),
        "{label}: DuckDB and hunt differ: {report}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: Value = serde_json::from_str(report.trim()).expect("a JSON summary");
    summary["pairs"].as_u64().unwrap()
}

#[test]
fn duckdb_returns_exactly_hunts_rule_findings_on_the_incident() {
    if !python_has("duckdb", "CLOUDCASE_REQUIRE_DUCKDB") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    common::all_source_incident(&logs);
    let pairs = differential(
        dir.path(),
        std::slice::from_ref(&logs),
        None,
        "incident-builtin",
    );
    assert!(
        pairs > 100,
        "the incident should give rule findings: {pairs}"
    );
    let ocsf = differential_with(
        dir.path(),
        std::slice::from_ref(&logs),
        &[],
        "ocsf",
        "incident-ocsf",
    );
    assert!(ocsf > 100, "OCSF keeps most findings: {ocsf}");
    if let Some(sigmahq) = shared("sigma/rules") {
        let with = differential(dir.path(), &[logs], Some(&sigmahq), "incident-sigmahq");
        assert!(
            with > pairs,
            "SigmaHQ's rules add findings: {with} vs {pairs}"
        );
    }
}

#[test]
fn duckdb_returns_exactly_hunts_rule_findings_on_the_shared_datasets() {
    let Some(datasets) = shared("datasets") else {
        return;
    };
    if !python_has("duckdb", "CLOUDCASE_REQUIRE_DUCKDB") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Panther's labelled records, one file each (as tests/labelled_events.rs writes them).
    let panther = dir.path().join("panther");
    std::fs::create_dir(&panther).unwrap();
    let text =
        std::fs::read_to_string(datasets.join("panther-cloudtrail-tests/tests.jsonl")).unwrap();
    for (i, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let test: Value = serde_json::from_str(line).unwrap();
        let body = json!({ "Records": [test["log"].clone()] });
        std::fs::write(panther.join(format!("t{i:04}.json")), body.to_string()).unwrap();
    }
    let inputs = vec![
        panther,
        datasets.join("cloudtrail2sightings/extracted"),
        datasets.join("traildiscover/docs/logExamples"),
    ];
    let pairs = differential(dir.path(), &inputs, None, "datasets-builtin");
    assert!(
        pairs > 50,
        "the datasets should give rule findings: {pairs}"
    );
    if let Some(sigmahq) = shared("sigma/rules") {
        differential(dir.path(), &inputs, Some(&sigmahq), "datasets-sigmahq");
    }
}

#[test]
fn trino_and_spark_queries_parse_in_sqlglot() {
    if !python_has("sqlglot", "CLOUDCASE_REQUIRE_SQLGLOT") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let sigmahq = shared("sigma/rules");
    let extra = rule_args(sigmahq.as_deref());
    for dialect in ["trino", "spark"] {
        let mut args = vec!["--dialect", dialect];
        args.extend(extra.iter().map(String::as_str));
        let (sql, _) = rules_sql(&args);
        let path = dir.path().join(format!("{dialect}.sql"));
        std::fs::write(&path, sql).unwrap();
        let out = Command::new("python3")
            .arg(script("sqlglot_parse.py"))
            .arg(dialect)
            .arg(&path)
            .output()
            .expect("run python3");
        let report = String::from_utf8_lossy(&out.stdout);
        println!("{dialect}: {report}");
        assert!(out.status.success(), "{dialect}: {report}");
    }
}

#[test]
fn refused_rules_are_named_on_stderr_and_in_the_header() {
    let (sql, err) = rules_sql(&["--dialect", "duckdb"]);
    let refused: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("not compiled to SQL"))
        .collect();
    for line in &refused {
        let entry = line.trim_start_matches("cloudcase: rules sql: ");
        assert!(sql.contains(&format!("-- refused: {entry}")), "{entry}");
    }
    assert!(err.contains("compiled to duckdb"), "{err}");
    assert!(sql.starts_with(
        "-- cloudcase rules sql --dialect duckdb --schema cloudtrail --table events\n"
    ));
    assert!(sql.contains("SELECT r.rule_id, r.rule_title, r.level, x.event_id, x.time, x.principal, x.source_ip, x.file, x.record\n"));
    let (spark, _) = rules_sql(&[
        "--dialect",
        "spark",
        "--table",
        "db.ct_events",
        "--no-builtin",
    ]);
    assert!(spark.contains("FROM db.ct_events"), "{spark}");
    assert!(spark.contains("WHERE FALSE"), "no rules: an empty result");
    let out = cloudcase(&["rules", "sql", "--dialect", "duckdb", "--table", "x;y"]);
    assert!(!out.status.success());
}

/// Records built to hit each corner of the engine's semantics.
const EDGE_RECORDS: &str = r#"[
 {"eventTime":"2024-05-01T00:00:01Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","sourceIPAddress":"10.1.2.3","userIdentity":{"type":"IAMUser","userName":"Alice","arn":"arn:aws:iam::1:user/Alice"},"requestParameters":{"userName":"alice","port":22,"enable":false,"name":"100%_done","items":[{"v":["a","B"]},{"v":"c"},{"w":null}],"tags":[null,"x"],"VersioningConfiguration":{"Status":"Suspended"},"data":"aHR0cDovL2V2aWw=","cmd":"x /enc y"}},
 {"eventTime":"2024-05-01T00:00:02Z","eventSource":"s3.amazonaws.com","eventName":"GetObjectAcl","sourceIPAddress":" 10.9.9.9","userIdentity":{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/R/sess","userName":null},"requestParameters":{"userName":"ALICE2","port":"22","enable":"False","name":"100x_done","items":[{"v":[1,2]}],"tags":"y","note":"\u00c9V\u00c9NEMENT a*b"}},
 {"eventTime":"2024-05-01T00:00:03Z","eventSource":"ec2.amazonaws.com","eventName":"RunInstances","sourceIPAddress":"010.1.2.3","userIdentity":{"type":"Root","userName":"root"},"requestParameters":{"port":"22.0","enable":0,"items":[],"tags":[],"note":"événement","x":null,"flt":1.5}},
 {"eventTime":"2024-05-01T00:00:04Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","sourceIPAddress":"fd00::1","userIdentity":{"type":"IAMUser","userName":"bob"},"requestParameters":{"port":23,"items":[{"v":"evil tool here"}],"flt":"1.50","ip":["192.168.1.1","8.8.8.8"]}},
 {"eventTime":"2024-05-01T00:00:05Z","eventSource":"ec2.amazonaws.com","eventName":"DescribeRegions","sourceIPAddress":"::0.0.0.1","userIdentity":{"type":"IAMUser","userName":"carol"},"requestParameters":{"port":21.5,"ip":"10.0.0.256"}},
 {"eventTime":"2024-05-01T00:00:06Z","eventSource":"ec2.amazonaws.com","eventName":"Get_Thing","sourceIPAddress":"0:0::1","userIdentity":{"type":"IAMUser","userName":"dave"},"requestParameters":{"userName":"DAVE","arr":["p","q"],"items":[{"v":["x","Q"]}]},"responseElements":null}
]"#;

/// Rules over [`EDGE_RECORDS`], one corner each.
const EDGE_RULES: &[(&str, &str)] = &[
    ("wild", "s:\n    eventName: 'Get?bject*'"),
    ("escape", "s:\n    requestParameters.name: '100%_done'"),
    ("like_chars", "s:\n    eventName: 'get_*'"),
    (
        "contains_array",
        "s:\n    requestParameters.items.v|contains: b",
    ),
    ("array_numbers", "s:\n    requestParameters.items.v: 2"),
    ("null_absent", "s:\n    requestParameters.x: null"),
    ("null_element", "s:\n    requestParameters.tags: null"),
    ("null_nested", "s:\n    requestParameters.items.w: null"),
    ("exists_null", "s:\n    requestParameters.x|exists: true"),
    (
        "exists_false",
        "s:\n    requestParameters.items.w|exists: false",
    ),
    (
        "exists_pivot_null",
        "s:\n    userIdentity.userName|exists: true",
    ),
    ("number", "s:\n    requestParameters.port: 22"),
    ("number_text", "s:\n    requestParameters.flt: 1.5"),
    ("gt", "s:\n    requestParameters.port|gt: 21.5"),
    ("lte", "s:\n    requestParameters.port|lte: 22"),
    ("bool", "s:\n    requestParameters.enable: false"),
    (
        "fieldref",
        "s:\n    userIdentity.userName|fieldref: requestParameters.userName",
    ),
    (
        "fieldref_starts",
        "s:\n    requestParameters.userName|fieldref|startswith: userIdentity.userName",
    ),
    (
        "fieldref_cased",
        "s:\n    userIdentity.userName|fieldref|cased: requestParameters.userName",
    ),
    ("cidr4", "s:\n    sourceIPAddress|cidr: 10.0.0.0/8"),
    (
        "cidr4_json",
        "s:\n    requestParameters.ip|cidr: [192.168.0.0/16, 10.0.0.0/8]",
    ),
    ("cidr6", "s:\n    sourceIPAddress|cidr: [fc00::/7, ::1/128]"),
    ("keyword", "keywords:\n    - 'evil*tool'"),
    ("keyword_cased", "keywords:\n    - '|cased'"),
    ("re_flags", "s:\n    eventName|re|i: '^describe\\w*'"),
    ("re_digits", "s:\n    requestParameters.name|re: '^\\d+%'"),
    (
        "re_space",
        "s:\n    requestParameters.items.v|re: 'evil\\stool'",
    ),
    (
        "unicode",
        "s:\n    requestParameters.note|contains: 'événement'",
    ),
    (
        "escaped_star",
        "s:\n    requestParameters.note|endswith: 'a\\*b'",
    ),
    (
        "object_contains",
        "s:\n    requestParameters|contains: 'suspended'",
    ),
    (
        "base64offset",
        "s:\n    requestParameters.data|base64offset|contains: 'http://'",
    ),
    (
        "windash",
        "s:\n    requestParameters.cmd|windash|contains: ' -enc '",
    ),
    ("all_values", "s:\n    requestParameters.arr|all: [p, q]"),
    ("neq", "s:\n    eventSource|neq: s3.amazonaws.com"),
    ("null_pivot", "s:\n    userIdentity.userName: null"),
    ("object_null", "s:\n    responseElements: null"),
    (
        "fieldref_json",
        "s:\n    requestParameters.userName|fieldref|contains: requestParameters.items.v",
    ),
    (
        "fieldref_arrays",
        "s:\n    requestParameters.arr|fieldref: requestParameters.items.v",
    ),
];

#[test]
fn duckdb_matches_the_engine_on_each_corner_of_the_semantics() {
    if !python_has("duckdb", "CLOUDCASE_REQUIRE_DUCKDB") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let records: Value = serde_json::from_str(EDGE_RECORDS).unwrap();
    std::fs::write(
        logs.join("edge.json"),
        json!({ "Records": records }).to_string(),
    )
    .unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir(&rules).unwrap();
    for (name, detection) in EDGE_RULES {
        let condition = if detection.starts_with("keywords") {
            "keywords"
        } else {
            "s"
        };
        let yaml = format!(
            "title: {name}\nid: edge-{name}\nlevel: low\nlogsource: {{product: aws, service: cloudtrail}}\ndetection:\n  {detection}\n  condition: {condition}\n"
        );
        std::fs::write(rules.join(format!("{name}.yml")), yaml).unwrap();
    }
    let extra = [
        "--no-builtin".to_owned(),
        "--rules".to_owned(),
        rules.to_string_lossy().into_owned(),
    ];
    let pairs = differential_with(dir.path(), &[logs], &extra, "cloudtrail", "edge");
    assert!(pairs >= 40, "the corners should give findings: {pairs}");
}
