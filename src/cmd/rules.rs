//! `cloudcase rules`: the rules as other engines run them.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use cloudcase_sigma::{rules_to_sql, Severity, SqlDialect, SqlOptions, SqlSchema};
use cloudcase_util::sanitize::terminal_safe;

use super::hunt::{compile_rules, Compiled};

/// Work with the rule pack and your Sigma rules outside cloudcase.
#[derive(ClapArgs, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: RulesCommand,
}

/// `cloudcase rules` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum RulesCommand {
    /// Compile the built-in pack and any Sigma rules into one SQL query (Spark, DuckDB,
    /// Trino/Athena) over the table `cloudcase export` writes; it returns rule_id,
    /// rule_title, level, event_id, time, principal, source_ip, file, record for exactly the
    /// events hunt's rules match. Rules that cannot be expressed exactly are refused by name
    /// (stderr and the query's comment header).
    Sql(SqlArgs),
}

/// Arguments of `cloudcase rules sql`.
#[derive(ClapArgs, Debug)]
pub struct SqlArgs {
    /// The SQL dialect.
    #[arg(long, value_parser = parse_dialect, value_name = "spark|duckdb|trino")]
    pub dialect: SqlDialect,
    /// The exported table's schema.
    #[arg(long, default_value = "cloudtrail", value_parser = parse_schema, value_name = "ocsf|cloudtrail")]
    pub schema: SqlSchema,
    /// A directory (searched recursively) or file of Sigma rules to compile as well (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Do not compile the built-in rule pack.
    #[arg(long)]
    pub no_builtin: bool,
    /// The table or view the query reads.
    #[arg(long, default_value = "events", value_name = "NAME")]
    pub table: String,
}

fn parse_dialect(s: &str) -> Result<SqlDialect, String> {
    s.parse()
}

fn parse_schema(s: &str) -> Result<SqlSchema, String> {
    s.parse()
}

/// Runs `rules`.
pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        RulesCommand::Sql(a) => sql(a),
    }
}

fn sql(args: SqlArgs) -> Result<ExitCode> {
    let opts =
        SqlOptions::new(args.dialect, args.schema, &args.table).map_err(anyhow::Error::msg)?;
    let Compiled {
        engine,
        problems,
        loaded,
    } = compile_rules(args.no_builtin, &args.rules)?;
    let mut refused_at_load = 0;
    for p in problems.iter().filter(|p| p.severity == Severity::Refused) {
        refused_at_load += 1;
        eprintln!("cloudcase: rules: {}", terminal_safe(&p.to_string()));
    }
    let query = rules_to_sql(&engine, &opts);
    for r in &query.refused {
        eprintln!("cloudcase: rules sql: {}", terminal_safe(&r.to_string()));
    }
    eprintln!(
        "cloudcase: rules sql: {loaded} loaded, {} compiled to {}, {} refused by the SQL backend, {refused_at_load} refused by the engine",
        query.compiled,
        opts.dialect,
        query.refused.len()
    );
    let mut out = std::io::stdout().lock();
    match out
        .write_all(query.sql.as_bytes())
        .and_then(|()| out.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write the SQL")
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}
