//! The same compiled rules as one SQL query over cloudcase's exported table
//! (`cloudcase export`), for Spark, DuckDB and Trino/Athena.
//!
//! [`rules_to_sql`] turns every standalone rule of an [`Engine`](crate::Engine) into a
//! `SELECT` over the table, restricted to the rule's log (`log_source`), and
//! returns the rows `rule_id, rule_title, level, event_id, time, principal,
//! source_ip, file, record` ([`SQL_COLUMNS`]) for exactly the events the
//! engine matches. A field that is a [`Pivot`](crate::Pivot) reads its
//! column; any other dotted path reads the JSON of the raw record (`raw`, or
//! `raw_data` in the OCSF schema, where pivots are read from the raw record
//! too), crossing arrays (any element matches);
//! keywords search the raw text.
//!
//! A rule that cannot be expressed exactly is left out and reported as a
//! [`SqlRefusal`] with the reason: correlations, timestamp-part modifiers,
//! IPv6 `cidr` networks whose prefix is not whole groups (nor under /16),
//! regular expressions using constructs whose meaning differs in
//! the dialect's regex flavour (`\w`, `\b`, nested classes, `m` outside
//! DuckDB…), patterns that could match inside a JSON object's text in an
//! order-dependent way, field keys the JSON paths cannot spell, and under
//! the OCSF schema rules of non-CloudTrail logs testing pivot fields.
//!
//! Known limits (data, not rules): an array directly inside an array at the
//! end of or along a path is crossed one level (the engine crosses any
//! depth); lowercasing follows the dialect's Unicode tables (they differ
//! from Rust's for a handful of characters such as `İ` and final `Σ`); in
//! Spark a string holding JSON text is descended into like an object.

mod condition;
mod dialect;
mod field;
mod matcher;
mod query;
mod refusal;
mod regex;

pub use dialect::SqlDialect;
pub use query::{rules_to_sql, SQL_COLUMNS};
pub use refusal::SqlRefusal;

/// The exported table's schema the query reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SqlSchema {
    /// Flat snake_case columns plus `raw` (`cloudcase export --schema cloudtrail`).
    #[default]
    CloudTrail,
    /// OCSF 1.1 as Security Lake maps CloudTrail, plus `raw_data`.
    Ocsf,
}

impl SqlSchema {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            SqlSchema::CloudTrail => "cloudtrail",
            SqlSchema::Ocsf => "ocsf",
        }
    }
}

impl std::str::FromStr for SqlSchema {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cloudtrail" => Ok(SqlSchema::CloudTrail),
            "ocsf" => Ok(SqlSchema::Ocsf),
            other => Err(format!("unknown schema {other:?} (cloudtrail, ocsf)")),
        }
    }
}

/// What to compile for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlOptions {
    /// The dialect.
    pub dialect: SqlDialect,
    /// The table's schema.
    pub schema: SqlSchema,
    /// The table or view read (`events` by default): letters, digits, `_` and `.`.
    pub table: String,
}

impl SqlOptions {
    /// Options for `dialect` over `table` in `schema`; `Err` when the table
    /// name is not a plain (optionally qualified) identifier.
    pub fn new(dialect: SqlDialect, schema: SqlSchema, table: &str) -> Result<SqlOptions, String> {
        let ok = !table.is_empty()
            && table
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if !ok {
            return Err(format!(
                "table name {table:?}: use letters, digits and '_' (optionally qualified with '.')"
            ));
        }
        Ok(SqlOptions {
            dialect,
            schema,
            table: table.to_owned(),
        })
    }
}

/// The compiled query and what it left out.
#[derive(Debug, Clone)]
pub struct SqlQuery {
    /// The SQL text: a comment header, then one `SELECT`.
    pub sql: String,
    /// How many rules it evaluates.
    pub compiled: usize,
    /// Rules and correlations left out, with reasons.
    pub refused: Vec<SqlRefusal>,
}

#[cfg(test)]
mod tests;
