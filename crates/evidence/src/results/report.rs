//! Producing a report into a case: the rendered bytes written atomically, their SHA-256,
//! the `report_produced` custody entry and the line of the report index
//! (`reports/index.jsonl`) that the next version reads.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::details::{to_details, ListingFact, ReliedOn, ReportProducedDetails};
use super::write_file;
use crate::custody::Action;
use crate::error::{Error, IoContext};
use crate::Case;

/// File name of the report index inside `reports/`.
pub const INDEX_FILE: &str = "index.jsonl";

/// One line of the report index: a report produced, its version, the analysis it read
/// (`basis`, the scope result's SHA-256) and the key facts it stated (`F`, the report's
/// own type; `null` for kinds that state none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct IndexEntry<F> {
    /// Report kind.
    pub kind: String,
    /// Version among the reports of its kind.
    pub version: u64,
    /// The time the report describes the case at.
    pub as_of: String,
    /// When it was produced.
    pub generated: String,
    /// Language tag.
    pub lang: String,
    /// File format.
    pub format: String,
    /// Where it was written.
    pub output: String,
    /// SHA-256 of the report file.
    pub sha256: String,
    /// SHA-256 of the scope result it rests on (`""` without one).
    pub basis: String,
    /// Its `report_produced` custody entry.
    pub custody_seq: u64,
    /// The facts it stated.
    pub facts: Option<F>,
}

impl<F> Default for IndexEntry<F> {
    fn default() -> Self {
        IndexEntry {
            kind: String::new(),
            version: 0,
            as_of: String::new(),
            generated: String::new(),
            lang: String::new(),
            format: String::new(),
            output: String::new(),
            sha256: String::new(),
            basis: String::new(),
            custody_seq: 0,
            facts: None,
        }
    }
}

/// A rendered report to put into the case.
#[derive(Debug, Clone)]
pub struct NewReport<'a, F> {
    /// Where it goes (its folder is created).
    pub path: &'a Path,
    /// The bytes to write: the rendered document, or the PDF printed from it.
    pub bytes: &'a [u8],
    /// Report kind.
    pub kind: &'a str,
    /// Language tag.
    pub lang: &'a str,
    /// File format (the extension).
    pub format: &'a str,
    /// Version among the reports of its kind.
    pub version: u64,
    /// The time the report describes the case at.
    pub as_of: &'a str,
    /// When it is produced.
    pub generated: &'a str,
    /// The custody chain head when the report read the log.
    pub read_custody_head: Option<String>,
    /// The analysis results it relied on.
    pub relied_on: Vec<ReliedOn>,
    /// Listings already written beside it.
    pub listings: Vec<ListingFact>,
    /// SHA-256 of the scope result it rests on (`""` without one).
    pub basis: &'a str,
    /// The facts it states, kept in the index for the next version.
    pub facts: Option<F>,
}

/// A report written and recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProducedReport {
    /// Where it was written.
    pub path: PathBuf,
    /// SHA-256 of its bytes.
    pub sha256: String,
    /// Its `report_produced` custody entry.
    pub custody_seq: u64,
}

/// Writes `report` atomically, records its `report_produced` custody entry and appends its
/// line to the report index; in this order, so an index line always names a report that
/// is in place and in the custody log.
pub fn produce_report<F: Serialize>(
    case: &Case,
    report: NewReport<'_, F>,
) -> Result<ProducedReport, Error> {
    let sha256 = write_file(report.path, report.bytes)?;
    let output = report.path.to_string_lossy().into_owned();
    let details = ReportProducedDetails {
        kind: report.kind.to_owned(),
        lang: report.lang.to_owned(),
        format: report.format.to_owned(),
        version: report.version,
        as_of: report.as_of.to_owned(),
        output: output.clone(),
        output_sha256: sha256.clone(),
        read_custody_head: report.read_custody_head,
        relied_on: report.relied_on,
        listings: report.listings,
    };
    let entry = case.custody().append(
        Action::ReportProduced,
        to_details(&details, "report_produced details")?,
    )?;
    let line = IndexEntry {
        kind: details.kind,
        version: details.version,
        as_of: details.as_of,
        generated: report.generated.to_owned(),
        lang: details.lang,
        format: details.format,
        output,
        sha256: sha256.clone(),
        basis: report.basis.to_owned(),
        custody_seq: entry.seq,
        facts: report.facts,
    };
    append_index(case, &line)?;
    Ok(ProducedReport {
        path: report.path.to_path_buf(),
        sha256,
        custody_seq: entry.seq,
    })
}

/// Every line of the report index that parses as an entry (a torn last line is ignored);
/// empty when there is no index yet.
pub fn read_index<F: DeserializeOwned>(case: &Case) -> Result<Vec<IndexEntry<F>>, Error> {
    let path = case.layout().reports_dir().join(INDEX_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io(path, "read report index", e)),
    }
}

/// Appends `entry` as one line to the index (one write, then a sync). Keys are written
/// sorted, as custody lines are.
fn append_index<F: Serialize>(case: &Case, entry: &IndexEntry<F>) -> Result<(), Error> {
    let path = case.layout().reports_dir().join(INDEX_FILE);
    let value = to_details(entry, "report index entry")?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .at(&path, "open report index")?;
    file.write_all(format!("{value}\n").as_bytes())
        .at(&path, "append to report index")?;
    file.sync_all().at(&path, "fsync report index")
}
