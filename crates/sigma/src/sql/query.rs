//! Assembling the one query, which scans the table once: per event, the
//! indexes of the rules whose log and detection match are collected in a
//! list, unnested, and joined with the rules' metadata (a `VALUES` table),
//! under a comment header listing what was compiled and what was refused.

use super::condition::detection;
use super::dialect::SqlDialect;
use super::field::{pivot_column, raw_column, Fields, RAW_JSON};
use super::refusal::{SqlRefusal, CORRELATION};
use super::{SqlOptions, SqlQuery, SqlSchema};
use crate::engine::Engine;
use crate::meta::Level;
use crate::record::Pivot;
use crate::rule::Rule;
use cloudcase_event::LogSource;

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

/// A compiled rule: its metadata row and its condition.
struct Compiled {
    meta: String,
    hit: String,
}

/// Compiles every standalone rule of `engine` into one query.
pub fn rules_to_sql(engine: &Engine, opts: &SqlOptions) -> SqlQuery {
    let mut rules = Vec::new();
    let mut refused = Vec::new();
    for rule in engine.rules().iter().filter(|r| r.is_standalone()) {
        let mut f = Fields::new(opts.dialect, opts.schema);
        match detection(&rule.detection, &mut f).and_then(|pred| ocsf_pivots(rule, &f, pred)) {
            Ok(pred) => rules.push(compiled(rules.len(), rule, &pred, opts)),
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
    let mut sql = header(opts, rules.len(), &refused);
    sql.push_str(&if rules.is_empty() {
        empty(opts)
    } else {
        one_scan(&rules, opts)
    });
    SqlQuery {
        sql,
        compiled: rules.len(),
        refused,
    }
}

/// The query over `rules` (not empty).
fn one_scan(rules: &[Compiled], opts: &SqlOptions) -> String {
    let d = opts.dialect;
    let hits = rules
        .iter()
        .map(|r| r.hit.as_str())
        .collect::<Vec<_>>()
        .join(",\n    ");
    let list = match d {
        SqlDialect::DuckDb => {
            format!("list_filter([\n    {hits}\n  ], lambda hit: hit IS NOT NULL)")
        }
        SqlDialect::Spark => format!("filter(array(\n    {hits}\n  ), hit -> hit IS NOT NULL)"),
        SqlDialect::Trino => format!("filter(ARRAY[\n    {hits}\n  ], hit -> hit IS NOT NULL)"),
    };
    let unnest = match d {
        SqlDialect::Spark => "LATERAL VIEW explode(m.hits) h AS i",
        _ => "CROSS JOIN UNNEST(m.hits) AS h(i)",
    };
    let metas = rules
        .iter()
        .map(|r| r.meta.as_str())
        .collect::<Vec<_>>()
        .join(",\n  ");
    let event = "event_id, time, principal, source_ip, file, record";
    let m_event = event
        .split(", ")
        .map(|c| format!("m.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let x_event = event
        .split(", ")
        .map(|c| format!("x.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT r.rule_id, r.rule_title, r.level, {x_event}\nFROM (\nSELECT {m_event}, h.i AS rule_index\nFROM (\nSELECT {},\n  {list} AS hits\nFROM (SELECT *, {} AS {RAW_JSON} FROM {}) e\n) m\n{unnest}\n) x\nJOIN (VALUES\n  {metas}\n) AS r(rule_index, rule_id, rule_title, level) ON r.rule_index = x.rule_index\n",
        event_columns(opts),
        d.json_root(raw_column(opts.schema)),
        opts.table
    )
}

/// Rule number `index`: its metadata row and its `CASE` giving `index` when it matches.
fn compiled(index: usize, rule: &Rule, pred: &str, opts: &SqlOptions) -> Compiled {
    let d = opts.dialect;
    let id = rule.id().unwrap_or(rule.title());
    let level = rule.level().unwrap_or(Level::Medium).as_str();
    let log = rule.log_source().map_or("", LogSource::as_str);
    Compiled {
        meta: format!(
            "({index}, {}, {}, {})",
            d.string(id),
            d.string(rule.title()),
            d.string(level)
        ),
        hit: format!(
            "CASE WHEN {} AND {pred} THEN {index} END",
            log_filter(log, opts)
        ),
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

/// Under the OCSF schema billing is not exported, and pivots are read from `raw_data`, where CloudTrail
/// records hold them as the reader does; other logs' pivots are derived by
/// their readers (a flow's action is its `eventName`) and are in no column.
fn ocsf_pivots(rule: &Rule, f: &Fields, pred: String) -> Result<String, String> {
    let log = rule.log_source();
    if f.schema == SqlSchema::Ocsf && log == Some(LogSource::Billing) {
        return Err(
            "under --schema ocsf billing records are not exported (OCSF has no class for them)"
                .into(),
        );
    }
    if f.schema == SqlSchema::Ocsf && f.used_pivot && log != Some(LogSource::CloudTrail) {
        return Err(format!(
            "under --schema ocsf, the CloudTrail-named fields of {} records are derived by cloudcase's reader and stored in no OCSF attribute for every class",
            log.map_or("these", LogSource::as_str)
        ));
    }
    Ok(pred)
}

/// The columns every finding row carries, from the event's row.
fn event_columns(opts: &SqlOptions) -> String {
    let d = opts.dialect;
    let (arn, user, principal_id, invoked_by, event_id, time, source_ip) = match opts.schema {
        SqlSchema::CloudTrail => (
            pivot_column(Pivot::IdentityArn).to_owned(),
            pivot_column(Pivot::IdentityUserName).to_owned(),
            pivot_column(Pivot::IdentityPrincipalId).to_owned(),
            pivot_column(Pivot::IdentityInvokedBy).to_owned(),
            pivot_column(Pivot::EventId).to_owned(),
            "event_time".to_owned(),
            pivot_column(Pivot::SourceIpAddress).to_owned(),
        ),
        SqlSchema::Ocsf => {
            let raw = raw_column(opts.schema);
            (
                d.json_scalar(raw, "userIdentity.arn"),
                d.json_scalar(raw, "userIdentity.userName"),
                d.json_scalar(raw, "userIdentity.principalId"),
                d.json_scalar(raw, "userIdentity.invokedBy"),
                "metadata.uid".to_owned(),
                "time".to_owned(),
                "coalesce(src_endpoint.ip, src_endpoint.domain)".to_owned(),
            )
        }
    };
    // Finding principal: the role session of an assumed-role ARN, else the
    // user name, ARN, principal id or invoking service.
    let principal = format!(
        "coalesce({}, {user}, {arn}, {principal_id}, {invoked_by})",
        d.after_first(&arn, ":assumed-role/"),
    );
    format!(
        "{event_id} AS event_id, {time} AS time, {principal} AS principal, {source_ip} AS source_ip, source_file AS file, record"
    )
}

/// The condition selecting the rule's log.
fn log_filter(log: &str, opts: &SqlOptions) -> String {
    let column = match opts.schema {
        SqlSchema::CloudTrail => "log_source",
        SqlSchema::Ocsf => "metadata.log_provider",
    };
    format!("{column} = {}", opts.dialect.string(log))
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
