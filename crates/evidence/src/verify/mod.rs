//! Verification: is the case as it was recorded?
//!
//! Re-hashes every object in the store (in parallel), checks the custody
//! chain, cross-checks custody, manifest and store, checks `case.json`
//! against its recorded hash, and looks for stray and leftover files. Every
//! finding is a named [`Problem`]. The result is recorded as a `verified`
//! custody entry (after repairing a torn final line, which is itself reported).

mod claims;
mod image;
mod objects;
mod records;

use std::collections::BTreeMap;
use std::fs;

use serde::Serialize;
use serde_json::json;

pub use crate::problem::{Problem, ProblemKind};

use crate::custody::{self, Action, ChainScan, CustodyWriter};
use crate::error::{Error, IoContext};
use crate::layout::Layout;
use crate::lock::CaseLock;
use crate::meta;
use crate::store;
use claims::{CustodyClaims, ManifestClaims};
use cloudcase_util::parallel;

/// At most this many problems are listed in the `verified` custody entry
/// (all are counted by kind).
const PROBLEMS_LISTED: usize = 100;

/// How to verify.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// Worker threads for re-hashing; 0 means one per available core.
    pub threads: usize,
    /// Who verifies; the case's examiner when `None`.
    pub examiner: Option<String>,
    /// Command line to record (defaults to this process's arguments).
    pub command_line: Vec<String>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        Self {
            threads: 0,
            examiner: None,
            command_line: meta::process_command_line(),
        }
    }
}

/// The result of verifying a case. Its JSON form (keys `ok`,
/// `objects_checked`, `bytes_checked`, `custody_entries`, `manifest_entries`,
/// `custody_head`, `recorded_as`, `problems`) is the stable `verify --json`
/// output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// True when no problem was found.
    pub ok: bool,
    /// Objects re-hashed.
    pub objects_checked: u64,
    /// Bytes re-hashed.
    pub bytes_checked: u64,
    /// Complete lines in the custody log before this verification.
    pub custody_entries: u64,
    /// Complete lines in the manifest.
    pub manifest_entries: u64,
    /// Hash of the last custody entry before this verification: record it
    /// outside the case to detect later removal of entries from the end.
    pub custody_head: Option<String>,
    /// Sequence number of the `verified` entry recording this result, if it
    /// could be written (not when the custody log is missing or empty).
    pub recorded_as: Option<u64>,
    /// Everything found, ordered by kind (in [`ProblemKind`]'s declaration
    /// order: objects, store, custody, manifest, case file), then by place.
    pub problems: Vec<Problem>,
}

/// Runs a verification (see the module documentation).
/// `case_examiner` is who verifies when the options name nobody. Takes the
/// case's paths, not the case, so verification depends on no case handle.
pub(crate) fn run(
    layout: &Layout,
    case_examiner: &str,
    options: &VerifyOptions,
) -> Result<VerifyReport, Error> {
    let _lock = CaseLock::acquire(layout)?;
    let mut problems = Vec::new();

    let custody_path = layout.custody_file();
    let mut custody_claims = CustodyClaims::default();
    let chain = if custody_path.is_file() {
        custody::scan_file(&custody_path, |line, entry| {
            custody_claims.take(line, &entry)
        })?
    } else {
        let mut scan = ChainScan::default();
        scan.problems.push(
            Problem::new(
                ProblemKind::CustodyMissing,
                "custody.jsonl is missing: the case's record of custody is gone".to_owned(),
            )
            .path("custody.jsonl"),
        );
        scan
    };
    problems.extend(chain.problems.iter().cloned());

    let manifest_path = layout.manifest_file();
    let manifest = if manifest_path.is_file() {
        ManifestClaims::read(&manifest_path)?
    } else {
        let mut claims = ManifestClaims::default();
        claims.problems.push(
            Problem::new(
                ProblemKind::ManifestMissing,
                "manifest.jsonl is missing".to_owned(),
            )
            .path("manifest.jsonl"),
        );
        claims
    };
    problems.extend(manifest.problems.iter().cloned());

    let case_path = layout.case_file();
    let case_json = fs::read(&case_path).at(&case_path, "read")?;
    problems.extend(records::check_case_file(&custody_claims, &case_json));

    let inventory = store::inventory(layout)?;
    let rehash = objects::rehash(
        layout,
        &inventory.objects,
        parallel::threads(options.threads),
        1 << 20,
    );
    problems.extend(records::cross_check(&custody_claims, &manifest, &inventory));
    let blocks = image::bad_blocks(layout, &rehash.problems)?;
    problems.extend(rehash.problems);
    problems.extend(blocks);
    problems.sort_by_key(|p| p.kind); // stable: place order kept within a kind

    let mut report = VerifyReport {
        ok: problems.is_empty(),
        objects_checked: rehash.checked,
        bytes_checked: rehash.bytes,
        custody_entries: chain.lines,
        manifest_entries: manifest.line_hashes.len() as u64,
        custody_head: chain.head.clone(),
        recorded_as: None,
        problems,
    };
    if custody_path.is_file() && chain.lines > 0 {
        let examiner = options
            .examiner
            .as_deref()
            .filter(|e| !e.trim().is_empty())
            .unwrap_or(case_examiner);
        let mut writer = CustodyWriter::open(layout, examiner)?;
        let entry = writer.append(Action::Verified, details(&report, &options.command_line))?;
        report.recorded_as = Some(entry.seq);
    }
    Ok(report)
}

/// Details of the `verified` custody entry.
fn details(r: &VerifyReport, command: &[String]) -> serde_json::Value {
    let mut by_kind: BTreeMap<&str, u64> = BTreeMap::new();
    for p in &r.problems {
        *by_kind.entry(p.kind.as_str()).or_default() += 1;
    }
    json!({
        "ok": r.ok,
        "objects_checked": r.objects_checked,
        "bytes_checked": r.bytes_checked,
        "custody_entries": r.custody_entries,
        "manifest_entries": r.manifest_entries,
        "custody_head": r.custody_head,
        "problem_count": r.problems.len(),
        "problems_by_kind": by_kind,
        "problems": r.problems.iter().take(PROBLEMS_LISTED).collect::<Vec<_>>(),
        "command": command,
    })
}
