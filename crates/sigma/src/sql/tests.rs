//! End-to-end checks of the generated SQL text for small rules.

use super::*;
use crate::RuleSet;

fn compile(yaml: &str, dialect: SqlDialect) -> SqlQuery {
    let mut set = RuleSet::new();
    let problems = set.add_yaml("t.yml", yaml);
    assert!(problems.is_empty(), "{problems:?}");
    let (engine, _) = set.compile();
    rules_to_sql(
        &engine,
        &SqlOptions::new(dialect, SqlSchema::CloudTrail, "events").unwrap(),
    )
}

const RULE: &str =
    "title: T\nid: r1\nlevel: high\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n";

#[test]
fn fieldref_is_a_column_comparison_never_a_literal() {
    let q = compile(
        &format!("{RULE}  s:\n    userIdentity.arn|fieldref|endswith: requestParameters.userName\n  condition: s\n"),
        SqlDialect::DuckDb,
    );
    assert_eq!(q.compiled, 1, "{:?}", q.refused);
    assert!(q.sql.contains("user_identity_arn"), "{}", q.sql);
    assert!(q.sql.contains("$.\"userName\""), "{}", q.sql);
    assert!(!q.sql.contains("'requestParameters.userName'"), "{}", q.sql);
}

#[test]
fn rules_select_their_log_and_output_columns() {
    let q = compile(
        &format!("{RULE}  s:\n    eventName: StopLogging\n  condition: s\n"),
        SqlDialect::Trino,
    );
    assert!(
        q.sql.contains("CASE WHEN log_source = 'cloudtrail' AND"),
        "{}",
        q.sql
    );
    assert!(
        q.sql.contains("(lower(event_name) = 'stoplogging')"),
        "{}",
        q.sql
    );
    assert!(q.sql.contains(
        "SELECT r.rule_id, r.rule_title, r.level, x.event_id, x.time, x.principal, x.source_ip, x.file, x.record\n"
    ));
    assert!(
        q.sql.contains("CROSS JOIN UNNEST(m.hits) AS h(i)"),
        "{}",
        q.sql
    );
    assert!(q.sql.contains("(0, 'r1', 'T', 'high')"), "{}", q.sql);
}

#[test]
fn wildcards_become_like_with_escapes() {
    let q = compile(
        &format!("{RULE}  s:\n    eventName: 'a_b%c*'\n  condition: s\n"),
        SqlDialect::DuckDb,
    );
    assert!(
        q.sql
            .contains(r"lower(event_name) LIKE 'a\_b\%c%' ESCAPE '\'"),
        "{}",
        q.sql
    );
}

#[test]
fn refusals_are_named_and_listed_in_the_header() {
    let q = compile(
        &format!("{RULE}  s:\n    eventName|re: '\\bStop'\n  condition: s\n"),
        SqlDialect::DuckDb,
    );
    assert_eq!(q.compiled, 0);
    assert_eq!(q.refused.len(), 1);
    assert!(q.refused[0].reason.contains("\\b"));
    assert!(
        q.sql.contains("-- refused: t.yml: rule \"T\" (r1)"),
        "{}",
        q.sql
    );
    assert!(q.sql.contains("WHERE FALSE"));
}

#[test]
fn table_names_are_checked() {
    assert!(SqlOptions::new(SqlDialect::Spark, SqlSchema::CloudTrail, "db.events").is_ok());
    assert!(SqlOptions::new(SqlDialect::Spark, SqlSchema::CloudTrail, "x; DROP").is_err());
}

#[test]
fn ocsf_refuses_what_its_table_cannot_hold() {
    let mut set = RuleSet::new();
    let billing = "title: B\nlogsource: {product: aws, service: billing}\ndetection:\n  s:\n    line_item_usage_type|contains: GPU\n  condition: s\n";
    let flow = "title: F\nlogsource: {product: aws, service: vpc_flow}\ndetection:\n  s:\n    eventName: REJECT\n  condition: s\n";
    let trail = "title: T\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  s:\n    eventName: StopLogging\n  condition: s\n";
    for (name, y) in [("b.yml", billing), ("f.yml", flow), ("t.yml", trail)] {
        assert!(set.add_yaml(name, y).is_empty());
    }
    let (engine, _) = set.compile();
    let q = rules_to_sql(
        &engine,
        &SqlOptions::new(SqlDialect::DuckDb, SqlSchema::Ocsf, "events").unwrap(),
    );
    assert_eq!(q.compiled, 1);
    let reasons: Vec<&str> = q.refused.iter().map(|r| r.reason.as_str()).collect();
    assert!(
        reasons[0].contains("billing") && reasons[1].contains("vpc_flow"),
        "{reasons:?}"
    );
    assert!(
        q.sql.contains("metadata.log_provider = 'cloudtrail'"),
        "{}",
        q.sql
    );
    assert!(q.sql.contains("raw_data"), "{}", q.sql);
}
