//! What a case records besides evidence: analysis results, reports and log validations.
//!
//! Every write of this layer is a file written atomically and durably
//! ([`cloudcase_util::fs::write_atomic`]: temporary file in the same folder, fsync,
//! rename, fsync of the folder) followed by a custody entry carrying its SHA-256, so
//! that nobody ever reads a partial file and every file can be checked against the log.
//!
//! * Analysis results (`scope`, `hunt`) go to `CASE/analysis/<kind>/<UTC time>[-<label>].<ext>`,
//!   never into `evidence/`, attested by an `analysis_recorded` entry ([`record`]). Reports
//!   find them through the custody log only ([`latest`]) and refuse a file whose hash no
//!   longer matches its entry.
//! * Reports go to `CASE/reports/` (or elsewhere), attested by a `report_produced` entry and
//!   a line of `reports/index.jsonl` ([`produce_report`], [`read_index`]).
//! * Log validations are attested by a `validated` entry ([`record_validation`]).
//!
//! Custody details are typed ([`AnalysisRecordedDetails`], [`ReportProducedDetails`],
//! [`ValidatedDetails`]) and read back with [`details_of`].

mod analysis;
mod details;
mod report;
mod validation;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use analysis::{
    all_recorded, latest, record, AnalysisKind, NewRecord, Recorded, RecordedEntry, ANALYSIS_DIR,
};
pub use details::{
    details_of, AnalysisRecordedDetails, CheckOutcome, HashedFile, ListingFact, ReliedOn,
    ReportProducedDetails, ValidatedDetails,
};
pub use report::{produce_report, read_index, IndexEntry, NewReport, ProducedReport, INDEX_FILE};
pub use validation::record_validation;

use crate::error::{Error, IoContext};

/// Writes `bytes` to `path` atomically and durably, creating its folder; returns their
/// SHA-256.
fn write_file(path: &Path, bytes: &[u8]) -> Result<String, Error> {
    let dir = cloudcase_util::fs::parent_dir(path);
    std::fs::create_dir_all(dir).at(dir, "create folder")?;
    cloudcase_util::fs::write_atomic(path, bytes).at(path, "write atomically")?;
    Ok(cloudcase_util::hex::sha256_hex(bytes))
}
