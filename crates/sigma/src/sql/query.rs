//! Assembling the one query: a `SELECT` per compiled rule over the table,
//! restricted to the rule's log, joined with `UNION ALL`, under a comment
//! header listing what was compiled and what was refused.

use super::condition::detection;
use super::dialect::SqlDialect;
use super::field::{pivot_column, Fields};
use super::refusal::{SqlRefusal, CORRELATION};
use super::{SqlOptions, SqlQuery, SqlSchema};
use crate::engine::Engine;
use crate::meta::Level;
use crate::record::Pivot;
use crate::rule::Rule;

/// The output columns, in order.
pub const SQL_COLUMNS: [&str; 9] = [
    "rule_id",
    "rule_title",
    "level",
    "event_id",
    "time",
    "principal",
    "source_ip",
    "file",
    "record",
];

/// Compiles every standalone rule of `engine` into one query.
pub fn rules_to_sql(engine: &Engine, opts: &SqlOptions) -> SqlQuery {
    let mut selects = Vec::new();
    let mut refused = Vec::new();
    let mut compiled = 0;
    for rule in engine.rules().iter().filter(|r| r.is_standalone()) {
        let mut f = Fields::new(opts.dialect, opts.schema);
        match detection(&rule.detection, &mut f) {
            Ok(pred) => {
                compiled += 1;
                selects.push(select(rule, &pred, opts));
            }
            Err(reason) => refused.push(refusal(rule, reason)),
        }
    }
    for c in engine.correlations() {
        refused.push(SqlRefusal {
            title: c.meta.title.clone(),
            id: c.meta.id.clone(),
            source: c.source.clone(),
            reason: CORRELATION.into(),
        });
    }
    let mut sql = header(opts, compiled, &refused);
    sql.push_str(&format!("SELECT {} FROM (\n", SQL_COLUMNS.join(", ")));
    if selects.is_empty() {
        sql.push_str(&empty(opts));
    } else {
        sql.push_str(&selects.join("\nUNION ALL\n"));
    }
    sql.push_str("\n) findings\n");
    SqlQuery {
        sql,
        compiled,
        refused,
    }
}

fn refusal(rule: &Rule, reason: String) -> SqlRefusal {
    SqlRefusal {
        title: rule.title().to_owned(),
        id: rule.id().map(str::to_owned),
        source: rule.source().to_owned(),
        reason,
    }
}

fn header(opts: &SqlOptions, compiled: usize, refused: &[SqlRefusal]) -> String {
    let mut h = format!(
        "-- cloudcase rules sql --dialect {} --schema {} --table {}\n-- {compiled} rules compiled, {} refused\n",
        opts.dialect,
        opts.schema.as_str(),
        opts.table,
        refused.len()
    );
    for r in refused {
        let line = r.to_string().replace(['\n', '\r'], " ");
        h.push_str(&format!("-- refused: {line}\n"));
    }
    h
}

/// The columns every finding row carries, from the event's row.
fn event_columns(opts: &SqlOptions) -> String {
    let d = opts.dialect;
    let col = |p: Pivot| pivot_column(p, opts.schema);
    let arn = col(Pivot::IdentityArn);
    // Finding principal: the role session of an assumed-role ARN, else the
    // user name, ARN, principal id or invoking service.
    let principal = format!(
        "coalesce({}, {}, {arn}, {}, {})",
        d.after_first(arn, ":assumed-role/"),
        col(Pivot::IdentityUserName),
        col(Pivot::IdentityPrincipalId),
        col(Pivot::IdentityInvokedBy)
    );
    let time = match opts.schema {
        SqlSchema::CloudTrail => "event_time",
        SqlSchema::Ocsf => "time",
    };
    format!(
        "{} AS event_id, {time} AS time, {principal} AS principal, {} AS source_ip, source_file AS file, record",
        col(Pivot::EventId),
        col(Pivot::SourceIpAddress)
    )
}

fn select(rule: &Rule, pred: &str, opts: &SqlOptions) -> String {
    let d = opts.dialect;
    let id = rule.id().unwrap_or(rule.title());
    let level = rule.level().unwrap_or(Level::Medium).as_str();
    let log = rule
        .log_source()
        .map_or("", cloudcase_event::LogSource::as_str);
    format!(
        "SELECT {} AS rule_id, {} AS rule_title, {} AS level, {}\nFROM {}\nWHERE log_source = {}\n  AND {pred}",
        d.string(id),
        d.string(rule.title()),
        d.string(level),
        event_columns(opts),
        opts.table,
        d.string(log),
    )
}

fn empty(opts: &SqlOptions) -> String {
    let text = match opts.dialect {
        SqlDialect::Spark => "STRING",
        _ => "VARCHAR",
    };
    format!(
        "SELECT CAST(NULL AS {text}) AS rule_id, CAST(NULL AS {text}) AS rule_title, CAST(NULL AS {text}) AS level, {}\nFROM {}\nWHERE FALSE",
        event_columns(opts),
        opts.table
    )
}
