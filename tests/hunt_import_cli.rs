//! `hunt --import FILE --case DIR`: a local hunt's findings, imported back into the case
//! (as hunt JSON Lines, and as the bare `rules sql` columns in JSON Lines and CSV), give the
//! same report findings; tampered lines are rejected with their line and reason.

mod common;
use common::{cloudcase, ok};

use std::path::Path;

use cloudcase_sigma::SQL_COLUMNS;
use serde_json::Value;

/// The technical report's findings section, without the line naming the recorded file.
fn findings_section(case: &str, out: &Path) -> String {
    ok(&[
        "report",
        "--case",
        case,
        "technical",
        "--out",
        out.to_str().expect("path"),
    ]);
    let text = std::fs::read_to_string(out).expect("report");
    let start = text.find("<h2>Hunt findings").expect("findings section");
    let rest = &text[start..];
    let end = rest[4..].find("<h2>").map_or(rest.len(), |e| e + 4);
    rest[..end]
        .lines()
        .filter(|l| !l.starts_with("<p>From analysis/hunt/"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn csv_cell(v: &Value) -> String {
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// Imports `file`; the command's standard error.
fn import(case: &str, file: &Path) -> String {
    let out = cloudcase(&[
        "hunt",
        "--import",
        file.to_str().expect("path"),
        "--case",
        case,
        "--format",
        "jsonl",
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stderr}");
    stderr
}

#[test]
fn imported_findings_report_as_the_local_hunt_and_false_claims_are_rejected() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("logs");
    let l = logs.to_str().expect("path");
    // As `cloudcase-gen --out DIR --size 5MB --seed 7 --days 3 --incident`.
    cloudcase_gen::generate(&cloudcase_gen::Config {
        seed: 7,
        out_dir: logs.clone(),
        target_bytes: 5_000_000,
        days: 3,
        incident: true,
        ..cloudcase_gen::Config::default()
    })
    .expect("generate");
    let case = dir.path().join("case");
    let c = case.to_str().expect("path");
    ok(&["case", "init", c, "--name", "n", "--examiner", "e"]);
    ok(&["acquire", "--case", c, l]);
    let local = ok(&["hunt", "--case", c, "--format", "jsonl", "--no-analytics"]);
    let rows: Vec<Value> = local
        .lines()
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert!(rows.len() > 10, "{} findings", rows.len());
    let expected = findings_section(c, &dir.path().join("local.md"));

    // The hunt's own lines, and the SQL columns as JSON Lines and as CSV.
    let hunt_file = dir.path().join("hunt.jsonl");
    std::fs::write(&hunt_file, &local).expect("write");
    let sql: Vec<Value> = rows
        .iter()
        .map(|r| {
            Value::Object(
                SQL_COLUMNS
                    .iter()
                    .map(|k| ((*k).into(), r[*k].clone()))
                    .collect(),
            )
        })
        .collect();
    let sql_jsonl = dir.path().join("sql.jsonl");
    let lines: Vec<String> = sql.iter().map(Value::to_string).collect();
    std::fs::write(&sql_jsonl, lines.join("\n") + "\n").expect("write");
    let sql_csv = dir.path().join("sql.csv");
    let mut csv = SQL_COLUMNS.join(",") + "\r\n";
    for r in &sql {
        let cells: Vec<String> = SQL_COLUMNS.iter().map(|k| csv_cell(&r[*k])).collect();
        csv += &(cells.join(",") + "\r\n");
    }
    std::fs::write(&sql_csv, csv).expect("write");
    for (file, form) in [
        (&hunt_file, "hunt JSON Lines"),
        (&sql_jsonl, "SQL result JSON Lines"),
        (&sql_csv, "SQL result CSV"),
    ] {
        let stderr = import(c, file);
        let n = rows.len();
        assert!(
            stderr.contains(&format!("import: {n} read, {n} imported, 0 below --min-level or outside --status, 0 rejected ({form}")),
            "{stderr}"
        );
        let sha = cloudcase_util::hex::sha256_hex(&std::fs::read(file).expect("read"));
        let custody = std::fs::read_to_string(case.join("custody.jsonl")).expect("custody");
        let last = custody.lines().last().expect("an entry");
        assert!(
            last.contains(&sha) && last.contains("analysis_recorded"),
            "{last}"
        );
        let name = format!("{}.md", form.replace(' ', "-"));
        assert_eq!(
            findings_section(c, &dir.path().join(name)),
            expected,
            "{form}"
        );
    }

    // Tampered lines: unknown rule, a record that does not exist, a file outside the case,
    // an event id that is not the record's.
    let mut tampered = rows.clone();
    tampered[0]["rule_id"] = "00000000-0000-0000-0000-000000000000".into();
    tampered[1]["record"] = 999_999.into();
    tampered[2]["file"] = "/etc/passwd".into();
    tampered[3]["event_id"] = "not-the-event".into();
    let file = dir.path().join("tampered.jsonl");
    let lines: Vec<String> = tampered.iter().map(Value::to_string).collect();
    std::fs::write(&file, lines.join("\n")).expect("write");
    let stderr = import(c, &file);
    for expected in [
        "line 1: unknown rule:",
        "line 2: no such record:",
        "line 3: file not in the case:",
        "line 4: event_id mismatch:",
    ] {
        assert!(stderr.contains(expected), "{expected}: {stderr}");
    }
    let n = rows.len();
    assert!(
        stderr.contains(&format!(
            "import: {n} read, {} imported, 0 below --min-level or outside --status, 4 rejected (1 unknown rule, 1 file not in the case, 1 no such record, 1 event_id mismatch)",
            n - 4
        )),
        "{stderr}"
    );
    let recorded = findings_section(c, &dir.path().join("tampered.md"));
    assert_ne!(recorded, expected);
}

#[test]
fn import_needs_a_case() {
    let out = cloudcase(&["hunt", "--import", "findings.jsonl"]);
    assert!(!out.status.success());
}
