//! `cloudcase export`: every normalized event as one row of Hive-partitioned Parquet
//! (`account=…/region=…/day=…/part-<n>.parquet`, zstd), in a flat CloudTrail schema
//! ([`cloudtrail`]) or OCSF 1.1 ([`ocsf`]), so the same logs can be queried by DuckDB, Spark
//! or Athena.
//!
//! Events arrive through `cloudcase_read`'s sinks, one per reader thread, exactly as `hunt`
//! reads them. Each worker buffers rows per partition, column by column
//! ([`columns::Columns`]), and writes a row group when a partition reaches the row group size
//! or the worker's memory share is spent; it keeps a bounded number of part files open and
//! finishes the least recently written first ([`sink`]). Part files are written under hidden
//! temporary names and renamed once complete ([`part`]).
#![deny(missing_docs)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use cloudcase_event::LogSource;
use cloudcase_read::{read_files_tracked, Accounting, Files, Limits, Progress, Rejection};
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

pub mod cloudtrail;
pub mod columns;
pub mod context;
mod digest;
mod error;
pub mod guard;
pub mod ocsf;
pub mod part;
pub mod partition;
pub mod schema;
pub mod sink;

pub use error::ExportError;

use columns::Row;
use context::Ctx;
use schema::Table;
use sink::{Shared, WorkerSink, WorkerStats};

/// The table written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaKind {
    /// Flat typed columns, the raw record and provenance.
    CloudTrail,
    /// OCSF 1.1 classes, as Security Lake maps CloudTrail.
    Ocsf,
}

impl SchemaKind {
    /// `cloudtrail` or `ocsf`.
    pub fn as_str(self) -> &'static str {
        match self {
            SchemaKind::CloudTrail => "cloudtrail",
            SchemaKind::Ocsf => "ocsf",
        }
    }
}

/// A table and how events become its rows.
pub enum Mapping {
    /// `--schema cloudtrail`.
    CloudTrail(cloudtrail::CloudTrail),
    /// `--schema ocsf`.
    Ocsf(ocsf::Ocsf),
}

impl Mapping {
    /// The mapping of `kind`.
    pub fn new(kind: SchemaKind) -> Result<Mapping, ExportError> {
        Ok(match kind {
            SchemaKind::CloudTrail => Mapping::CloudTrail(cloudtrail::CloudTrail::new()?),
            SchemaKind::Ocsf => Mapping::Ocsf(ocsf::Ocsf::new()?),
        })
    }

    /// The table.
    pub fn table(&self) -> &Table {
        match self {
            Mapping::CloudTrail(m) => m.table(),
            Mapping::Ocsf(m) => m.table(),
        }
    }

    /// The row of an event; `None` when the schema has no place for its log.
    pub fn row<'a>(&self, c: &Ctx<'a>) -> Option<Row<'a>> {
        match self {
            Mapping::CloudTrail(m) => Some(m.row(c)),
            Mapping::Ocsf(m) => m.row(c),
        }
    }

    /// Columns whose values are long and mostly unique: no dictionary, no statistics.
    fn bulky(&self) -> &'static [&'static str] {
        match self {
            Mapping::CloudTrail(_) => cloudtrail::BULKY,
            Mapping::Ocsf(_) => ocsf::BULKY,
        }
    }
}

/// How to export.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// The output directory (absent or empty; see [`guard::prepare_out`]).
    pub out: PathBuf,
    /// The table written.
    pub schema: SchemaKind,
    /// Reader threads (each with its own buffers and part files).
    pub threads: usize,
    /// Reader limits.
    pub limits: Limits,
    /// Bytes buffered in all before the largest partition's rows are written.
    pub memory_bytes: usize,
    /// Bytes a partition buffers before they are written as one row group.
    pub row_group_bytes: usize,
    /// Part files open at once, in all.
    pub max_open_files: usize,
    /// zstd level.
    pub zstd_level: i32,
}

/// Part files open at once by default: each open writer holds its column chunks' pages and
/// metadata (several MB), so this bounds memory as much as file descriptors — with 128 open the
/// OCSF export of 20 GB peaked at 838 MB, with 16 at 306 MB (245 MB at 2 GB). Input is read in path order
/// (account, region, day), so a small set of open partitions is rarely closed early.
pub const MAX_OPEN_PARTS: usize = 16;

impl ExportOptions {
    /// Defaults for `out` and `schema`: 128 MiB row groups, 64 MiB of buffers (peak RSS under
    /// 300 MB on 2 threads), and at most [`MAX_OPEN_PARTS`] part files open (fewer under a low
    /// open-file limit: a quarter of it, at least 8).
    pub fn new(out: PathBuf, schema: SchemaKind) -> ExportOptions {
        ExportOptions {
            out,
            schema,
            threads: 1,
            limits: Limits::default(),
            memory_bytes: 64 << 20,
            row_group_bytes: 128 << 20,
            max_open_files: (cloudcase_util::oslimit::open_file_limit() / 4)
                .clamp(8, MAX_OPEN_PARTS),
            zstd_level: 3,
        }
    }
}

/// What an export wrote.
#[derive(Debug, Default)]
pub struct ExportOutcome {
    /// The read's accounting.
    pub accounting: Accounting,
    /// Rows written, by partition directory (relative to the output directory).
    pub rows: BTreeMap<PathBuf, u64>,
    /// Part files written.
    pub files: u64,
    /// Row groups written.
    pub row_groups: u64,
    /// Events not exported because the schema has no class for their log.
    pub not_exported: BTreeMap<LogSource, u64>,
}

impl ExportOutcome {
    /// Rows written in all.
    pub fn total_rows(&self) -> u64 {
        self.rows.values().sum()
    }

    fn merge(&mut self, w: WorkerStats) {
        for (k, n) in w.rows {
            *self.rows.entry(k).or_default() += n;
        }
        self.files += w.files;
        self.row_groups += w.row_groups;
        for (k, n) in w.not_exported {
            *self.not_exported.entry(k).or_default() += n;
        }
    }

    /// What follows the accounting line: rows, schema, partitions, files, and what was not
    /// exported and why.
    pub fn summary(&self, schema: SchemaKind) -> String {
        let mut s = format!(
            "; exported: {} rows ({}) in {} partitions, {} part files",
            self.total_rows(),
            schema.as_str(),
            self.rows.len(),
            self.files
        );
        for (source, n) in &self.not_exported {
            s.push_str(&format!(
                "; not exported: {n} {} events (no {} class)",
                source.as_str(),
                schema.as_str()
            ));
        }
        s
    }
}

/// Writer properties: zstd, dictionaries and statistics on all but the bulky columns.
fn properties(mapping: &Mapping, level: i32) -> Result<WriterProperties, ExportError> {
    let mut b = WriterProperties::builder()
        .set_compression(Compression::ZSTD(ZstdLevel::try_new(level)?))
        .set_statistics_truncate_length(Some(64))
        .set_column_index_truncate_length(Some(64))
        .set_created_by(format!("cloudcase {}", env!("CARGO_PKG_VERSION")));
    for name in mapping.bulky() {
        let path = ColumnPath::from(name.split('.').map(str::to_owned).collect::<Vec<_>>());
        b = b
            .set_column_dictionary_enabled(path.clone(), false)
            .set_column_statistics_enabled(path, EnabledStatistics::None);
    }
    Ok(b.build())
}

/// Reads `files` as `hunt` does and writes every event to `opts.out` (which
/// [`guard::prepare_out`] has checked and created).
pub fn export(
    files: &dyn Files,
    opts: &ExportOptions,
    on_reject: &(dyn Fn(Rejection) + Sync),
    progress: &Progress,
) -> Result<ExportOutcome, ExportError> {
    let mapping = Mapping::new(opts.schema)?;
    let threads = opts.threads.max(1);
    let shared = Shared {
        out: opts.out.clone(),
        props: Arc::new(properties(&mapping, opts.zstd_level)?),
        mapping: &mapping,
        next_part: AtomicU64::new(0),
        row_group_bytes: opts.row_group_bytes.max(1),
        memory_bytes: (opts.memory_bytes / threads).max(1),
        max_open: (opts.max_open_files / threads).max(1),
    };
    let sinks: Vec<WorkerSink<'_>> = (0..threads).map(|_| WorkerSink::new(&shared)).collect();
    let (sinks, accounting) = read_files_tracked(files, opts.limits, sinks, on_reject, progress);
    let mut outcome = ExportOutcome {
        accounting,
        ..ExportOutcome::default()
    };
    let mut first_error = None;
    for sink in sinks {
        match sink.finish() {
            Ok(stats) => outcome.merge(stats),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    match first_error {
        Some(e) => Err(e),
        None => Ok(outcome),
    }
}
