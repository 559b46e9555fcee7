//! The Spark job of `contrib/spark/` differentially against hunt, in local Spark (PyPI
//! `pyspark`, Debian's headless OpenJDK): `cloudcase export` of a generated incident (all log
//! sources), `cloudcase rules sql --dialect spark`, and `contrib/spark/cloudcase_spark.py` run
//! by `tests/sql/spark_diff.py` in one local SparkSession must write exactly the (rule_id, file,
//! record) pairs of `cloudcase hunt --format jsonl --min-level informational --no-analytics`,
//! with hunt's keys in hunt's order and hunt's values in the keys the query fills — for the
//! built-in pack over both export schemas, and with SigmaHQ's AWS rules added.
//!
//! Without pyspark or java the test prints `SKIPPED: <why>`, unless `CLOUDCASE_REQUIRE_SPARK`
//! is set; without ../shared the SigmaHQ set prints `SKIPPED: ../shared not found` (and fails
//! when `CLOUDCASE_REQUIRE_SHARED` is set).

mod common;
use common::{ok, shared};

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sql/spark_diff.py")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// One comparison: its label, the export folder, and the rule arguments of hunt and rules sql.
struct Set {
    label: &'static str,
    parquet: PathBuf,
    schema: &'static str,
    rules: Vec<String>,
}

/// Writes the set's hunt findings and spark query; the five arguments spark_diff.py takes.
fn prepare(work: &Path, logs: &Path, set: &Set) -> Vec<String> {
    let rules: Vec<&str> = set.rules.iter().map(String::as_str).collect();
    let mut hunt = vec![
        "hunt",
        path(logs),
        "--format",
        "jsonl",
        "--min-level",
        "informational",
        "--no-analytics",
    ];
    hunt.extend(&rules);
    let findings = work.join(format!("{}-hunt.jsonl", set.label));
    std::fs::write(&findings, ok(&hunt)).expect("write findings");
    let mut sql = vec!["rules", "sql", "--dialect", "spark", "--schema", set.schema];
    sql.extend(&rules);
    let query = work.join(format!("{}.sql", set.label));
    std::fs::write(&query, ok(&sql)).expect("write query");
    // One set goes through Spark's writer (a folder URI), the others through the driver's file.
    let out = if set.rules.is_empty() {
        path(&work.join(format!("{}-spark.jsonl", set.label))).to_owned()
    } else {
        format!(
            "file://{}",
            path(&work.join(format!("{}-spark", set.label)))
        )
    };
    vec![
        set.label.to_owned(),
        path(&set.parquet).to_owned(),
        path(&query).to_owned(),
        path(&findings).to_owned(),
        out,
    ]
}

fn export(logs: &Path, out: &Path, schema: &str) {
    ok(&[
        "export",
        path(logs),
        "--format",
        "parquet",
        "--out",
        path(out),
        "--schema",
        schema,
    ]);
}

#[test]
fn local_spark_writes_exactly_hunts_rule_findings_on_the_incident() {
    let dir = tempfile::tempdir().expect("tempdir");
    let work = dir.path();
    let logs = common::all_source_incident(&work.join("logs"));
    let (ct, ocsf) = (work.join("ct"), work.join("ocsf"));
    export(&logs, &ct, "cloudtrail");
    export(&logs, &ocsf, "ocsf");
    let mut sets = vec![
        Set {
            label: "builtin",
            parquet: ct.clone(),
            schema: "cloudtrail",
            rules: Vec::new(),
        },
        Set {
            label: "builtin-ocsf",
            parquet: ocsf,
            schema: "ocsf",
            rules: Vec::new(),
        },
    ];
    if let Some(sigmahq) = shared("sigma/rules") {
        sets.push(Set {
            label: "sigmahq",
            parquet: ct,
            schema: "cloudtrail",
            rules: vec!["--rules".into(), path(&sigmahq).to_owned()],
        });
    }
    let args: Vec<String> = sets.iter().flat_map(|s| prepare(work, &logs, s)).collect();
    let run = Command::new("python3").arg(script()).args(&args).output();
    let required = std::env::var("CLOUDCASE_REQUIRE_SPARK").is_ok();
    let Ok(run) = run else {
        assert!(
            !required,
            "CLOUDCASE_REQUIRE_SPARK is set but python3 is missing"
        );
        println!("SKIPPED: python3 not found");
        return;
    };
    let report = String::from_utf8_lossy(&run.stdout);
    if run.status.code() == Some(3) {
        assert!(!required, "CLOUDCASE_REQUIRE_SPARK is set but {report}");
        println!("{}", report.trim());
        return;
    }
    println!("{report}");
    assert!(
        run.status.success(),
        "Spark and hunt differ: {report}{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let summaries: Vec<Value> = report
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON summary"))
        .collect();
    let pairs = |label: &str| {
        summaries
            .iter()
            .find(|s| s["label"] == label)
            .and_then(|s| s["pairs"].as_u64())
            .expect("the set's summary")
    };
    assert!(pairs("builtin") > 100, "the incident gives rule findings");
    assert!(pairs("builtin-ocsf") > 100, "and over OCSF too");
    if sets.len() > 2 {
        assert!(pairs("sigmahq") > pairs("builtin"), "SigmaHQ adds findings");
    }
}

#[test]
fn the_job_refuses_a_dotted_view_name() {
    let out = Command::new("python3")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/spark/cloudcase_spark.py"))
        .args([
            "--parquet",
            "x",
            "--sql",
            "y",
            "--out",
            "z",
            "--table",
            "db.t",
        ])
        .output();
    let Ok(out) = out else {
        println!("SKIPPED: python3 not found");
        return;
    };
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("No module named 'pyspark'") {
        assert!(std::env::var("CLOUDCASE_REQUIRE_SPARK").is_err(), "{err}");
        println!("SKIPPED: python module pyspark not installed");
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("a temporary view needs a plain name"), "{err}");
}
