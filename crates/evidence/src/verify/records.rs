//! Cross-checking the records against each other and against the store:
//! custody `acquired` entries, manifest lines, objects on disk, `case.json`.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::problem::{Problem, ProblemKind};
use crate::custody::{Action, CustodyEntry};
use crate::hash::sha256_hex;
use crate::layout::Layout;
use crate::manifest::ManifestScan;
use crate::store::Inventory;

/// An `acquired` custody entry's claims.
struct Recorded<'a> {
    line: u64,
    sha256: &'a str,
    manifest_line_sha256: Option<&'a str>,
    source: &'a str,
}

fn recorded(entries: &[(u64, CustodyEntry)]) -> Vec<Recorded<'_>> {
    entries
        .iter()
        .filter(|(_, e)| e.action == Action::Acquired)
        .filter_map(|(line, e)| {
            Some(Recorded {
                line: *line,
                sha256: e.details.get("sha256")?.as_str()?,
                manifest_line_sha256: e
                    .details
                    .get("manifest_line_sha256")
                    .and_then(Value::as_str),
                source: e
                    .details
                    .get("source")
                    .and_then(Value::as_str)
                    .unwrap_or("?"),
            })
        })
        .collect()
}

/// Problems between custody, manifest and store.
pub(crate) fn cross_check(
    entries: &[(u64, CustodyEntry)],
    manifest: &ManifestScan,
    inventory: &Inventory,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let recorded = recorded(entries);
    let custody_shas: HashSet<&str> = recorded.iter().map(|r| r.sha256).collect();
    let recorded_lines: HashSet<&str> = recorded
        .iter()
        .filter_map(|r| r.manifest_line_sha256)
        .collect();
    let manifest_lines: HashSet<&str> = manifest.line_hashes.iter().map(String::as_str).collect();
    let manifest_shas: HashSet<&str> = manifest
        .lines
        .iter()
        .map(|l| l.record.sha256.as_str())
        .collect();
    let on_disk: HashMap<&str, ()> = inventory
        .objects
        .iter()
        .map(|o| (o.sha256.as_str(), ()))
        .collect();

    for l in &manifest.lines {
        let sha = l.record.sha256.as_str();
        if !recorded_lines.contains(l.line_sha256.as_str()) {
            problems.push(
                Problem::new(
                    ProblemKind::ManifestUnrecorded,
                    format!(
                        "manifest entry {} (source {}) is not recorded in the custody log: edited or inserted, or left by an interrupted acquisition (re-run it to record)",
                        l.line, l.record.source
                    ),
                )
                .entry(l.line)
                .object(sha)
                .actual(&l.line_sha256),
            );
        }
        if !on_disk.contains_key(sha) && !custody_shas.contains(sha) {
            problems.push(
                Problem::new(
                    ProblemKind::ManifestUnknownObject,
                    format!(
                        "manifest entry {} refers to object {sha}, which is neither stored nor recorded in the custody log",
                        l.line
                    ),
                )
                .entry(l.line)
                .object(sha),
            );
        }
    }
    for r in &recorded {
        if let Some(want) = r.manifest_line_sha256 {
            if !manifest_lines.contains(want) {
                problems.push(
                    Problem::new(
                        ProblemKind::ManifestEntryMissing,
                        format!(
                            "custody entry {} records a manifest line for {} that is no longer in the manifest (deleted or edited)",
                            r.line, r.source
                        ),
                    )
                    .entry(r.line)
                    .object(r.sha256)
                    .expected(want),
                );
            }
        }
    }
    let mut reported = HashSet::new();
    for r in &recorded {
        if !on_disk.contains_key(r.sha256) && reported.insert(r.sha256) {
            let rel = Layout::object_rel(r.sha256);
            problems.push(
                Problem::new(
                    ProblemKind::ObjectMissing,
                    format!(
                        "object {rel} (acquired from {}, custody entry {}) is missing from the store",
                        r.source, r.line
                    ),
                )
                .object(r.sha256)
                .path(&rel),
            );
        }
    }
    for o in &inventory.objects {
        let sha = o.sha256.as_str();
        if !custody_shas.contains(sha) && !manifest_shas.contains(sha) {
            let rel = Layout::object_rel(sha);
            problems.push(
                Problem::new(
                    ProblemKind::OrphanObject,
                    format!(
                        "object {rel} is recorded neither in the manifest nor in the custody log: left by an interrupted acquisition (re-run it to record) or placed by hand"
                    ),
                )
                .object(sha)
                .path(&rel),
            );
        }
    }
    for path in &inventory.unexpected {
        problems.push(
            Problem::new(
                ProblemKind::UnexpectedFile,
                format!("{path} is not part of the evidence layout (evidence/ holds only objects/sha256/<xx>/<sha256> and tmp/)"),
            )
            .path(path),
        );
    }
    for path in &inventory.leftovers {
        problems.push(
            Problem::new(
                ProblemKind::LeftoverTemp,
                format!("{path} is a temporary copy left by an interrupted acquisition, not evidence; the next acquisition removes it"),
            )
            .path(path),
        );
    }
    problems
}

/// Checks `case.json` against the hash recorded by the `case_created` entry.
pub(crate) fn check_case_file(
    entries: &[(u64, CustodyEntry)],
    case_json: &[u8],
) -> Option<Problem> {
    let (line, created) = entries
        .iter()
        .find(|(_, e)| e.action == Action::CaseCreated)?;
    let want = created.details.get("case_json_sha256")?.as_str()?;
    let have = sha256_hex(case_json);
    (want != have).then(|| {
        Problem::new(
            ProblemKind::CaseFileModified,
            format!("case.json differs from the version recorded when the case was created (custody entry {line})"),
        )
        .path("case.json")
        .expected(want)
        .actual(&have)
    })
}
