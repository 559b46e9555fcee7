//! Cross-checking the records against each other and against the store:
//! custody `acquired` entries, manifest lines, objects on disk, `case.json`.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use super::claims::{CustodyClaims, ManifestClaims};
use super::problem::{Problem, ProblemKind};
use crate::hash::{sha256_hex, Sha256Digest};
use crate::layout::Layout;
use crate::store::Inventory;

/// Problems between custody, manifest and store.
pub(crate) fn cross_check(
    custody: &CustodyClaims,
    manifest: &ManifestClaims,
    inventory: &Inventory,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let recorded = &custody.acquired;
    let custody_shas: HashSet<Sha256Digest> = recorded.iter().filter_map(|r| r.sha256).collect();
    let recorded_lines: HashSet<Sha256Digest> =
        recorded.iter().filter_map(|r| r.manifest_line).collect();
    let manifest_lines: HashSet<Sha256Digest> = manifest.line_hashes.iter().copied().collect();
    let manifest_shas: HashSet<Sha256Digest> = manifest
        .lines
        .iter()
        .filter_map(|l| l.object.as_ref().ok().copied())
        .collect();
    // The first source of each object the manifest names, for messages: built
    // only when a problem needs one.
    let sources: OnceCell<HashMap<Sha256Digest, &str>> = OnceCell::new();
    let sources = || {
        sources.get_or_init(|| {
            let mut map = HashMap::new();
            for l in &manifest.lines {
                if let Ok(sha) = l.object {
                    map.entry(sha).or_insert(&*l.source);
                }
            }
            map
        })
    };
    let on_disk: HashSet<Sha256Digest> = inventory.objects.iter().map(|o| o.sha256).collect();

    for l in &manifest.lines {
        let name = match &l.object {
            Ok(sha) => sha.to_hex(),
            Err(text) => text.to_string(),
        };
        if !recorded_lines.contains(&l.line_sha256) {
            problems.push(
                Problem::new(
                    ProblemKind::ManifestUnrecorded,
                    format!(
                        "manifest entry {} (source {}) is not recorded in the custody log: edited or inserted, or left by an interrupted acquisition (re-run it to record)",
                        l.line, l.source
                    ),
                )
                .entry(l.line)
                .object(&name)
                .actual(&l.line_sha256.to_hex()),
            );
        }
        let known = l
            .object
            .as_ref()
            .is_ok_and(|sha| on_disk.contains(sha) || custody_shas.contains(sha));
        if !known {
            problems.push(
                Problem::new(
                    ProblemKind::ManifestUnknownObject,
                    format!(
                        "manifest entry {} refers to object {name}, which is neither stored nor recorded in the custody log",
                        l.line
                    ),
                )
                .entry(l.line)
                .object(&name),
            );
        }
    }
    let source_of = |sha: Option<Sha256Digest>, line: u64| {
        sha.and_then(|s| sources().get(&s).map(|src| (*src).to_owned()))
            .unwrap_or_else(|| format!("the source named in custody entry {line}"))
    };
    for r in recorded {
        if let Some(want) = r
            .manifest_line
            .filter(|want| !manifest_lines.contains(want))
        {
            let object = r.sha256.map(Sha256Digest::to_hex).unwrap_or_default();
            problems.push(
                Problem::new(
                    ProblemKind::ManifestEntryMissing,
                    format!(
                        "custody entry {} records a manifest line for {} that is no longer in the manifest (deleted or edited)",
                        r.line,
                        source_of(r.sha256, r.line)
                    ),
                )
                .entry(r.line)
                .object(&object)
                .expected(&want.to_hex()),
            );
        }
    }
    let mut reported = HashSet::new();
    for r in recorded {
        let Some(sha) = r.sha256 else { continue };
        if !on_disk.contains(&sha) && reported.insert(sha) {
            let hex = sha.to_hex();
            let rel = Layout::object_rel(&hex);
            problems.push(
                Problem::new(
                    ProblemKind::ObjectMissing,
                    format!(
                        "object {rel} (acquired from {}, custody entry {}) is missing from the store",
                        source_of(Some(sha), r.line),
                        r.line
                    ),
                )
                .object(&hex)
                .path(&rel),
            );
        }
    }
    for o in &inventory.objects {
        let sha = o.sha256;
        if !custody_shas.contains(&sha) && !manifest_shas.contains(&sha) {
            let hex = sha.to_hex();
            let rel = Layout::object_rel(&hex);
            problems.push(
                Problem::new(
                    ProblemKind::OrphanObject,
                    format!(
                        "object {rel} is recorded neither in the manifest nor in the custody log: left by an interrupted acquisition (re-run it to record) or placed by hand"
                    ),
                )
                .object(&hex)
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
pub(crate) fn check_case_file(custody: &CustodyClaims, case_json: &[u8]) -> Option<Problem> {
    let created = custody.case_created.as_ref()?;
    let line = created.line;
    let want = created.case_json_sha256.as_deref()?;
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
