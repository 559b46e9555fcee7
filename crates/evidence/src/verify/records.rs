//! Cross-checking the records against each other and against the store:
//! custody `acquired` entries, manifest lines, objects on disk, `case.json`.

use std::cell::OnceCell;
use std::collections::{HashMap, HashSet};

use super::claims::{CustodyClaims, ManifestClaims};
use crate::hash::{sha256_hex, Sha256Digest};
use crate::layout::Layout;
use crate::problem::{Problem, ProblemKind};
use crate::store::Inventory;

/// The indexes the cross-checks share, built once.
struct Index<'a> {
    custody: &'a CustodyClaims,
    manifest: &'a ManifestClaims,
    custody_shas: HashSet<Sha256Digest>,
    recorded_lines: HashSet<Sha256Digest>,
    manifest_lines: HashSet<Sha256Digest>,
    manifest_shas: HashSet<Sha256Digest>,
    on_disk: HashSet<Sha256Digest>,
    /// The first source of each object the manifest names, for messages:
    /// built only when a problem needs one.
    sources: OnceCell<HashMap<Sha256Digest, &'a str>>,
}

impl<'a> Index<'a> {
    fn new(
        custody: &'a CustodyClaims,
        manifest: &'a ManifestClaims,
        inventory: &Inventory,
    ) -> Self {
        let recorded = &custody.acquired;
        Self {
            custody,
            manifest,
            custody_shas: recorded.iter().filter_map(|r| r.sha256).collect(),
            recorded_lines: recorded.iter().filter_map(|r| r.manifest_line).collect(),
            manifest_lines: manifest.line_hashes.iter().copied().collect(),
            manifest_shas: manifest
                .lines
                .iter()
                .filter_map(|l| l.object.as_ref().ok().copied())
                .collect(),
            on_disk: inventory.objects.iter().map(|o| o.sha256).collect(),
            sources: OnceCell::new(),
        }
    }

    /// Where `sha` was first acquired from, or where to look it up.
    fn source_of(&self, sha: Option<Sha256Digest>, custody_line: u64) -> String {
        let sources = self.sources.get_or_init(|| {
            let mut map = HashMap::new();
            for l in &self.manifest.lines {
                if let Ok(sha) = l.object {
                    map.entry(sha).or_insert(&*l.source);
                }
            }
            map
        });
        sha.and_then(|s| sources.get(&s).map(|src| (*src).to_owned()))
            .unwrap_or_else(|| format!("the source named in custody entry {custody_line}"))
    }

    /// Manifest lines custody does not record, or that name unknown objects.
    fn manifest_lines(&self, problems: &mut Vec<Problem>) {
        for l in &self.manifest.lines {
            let name = match &l.object {
                Ok(sha) => sha.to_hex(),
                Err(text) => text.to_string(),
            };
            if !self.recorded_lines.contains(&l.line_sha256) {
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
                .is_ok_and(|sha| self.on_disk.contains(sha) || self.custody_shas.contains(sha));
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
    }

    /// Custody entries whose manifest line is gone.
    fn missing_manifest_lines(&self, problems: &mut Vec<Problem>) {
        for r in &self.custody.acquired {
            let Some(want) = r.manifest_line.filter(|w| !self.manifest_lines.contains(w)) else {
                continue;
            };
            let object = r.sha256.map(Sha256Digest::to_hex).unwrap_or_default();
            problems.push(
                Problem::new(
                    ProblemKind::ManifestEntryMissing,
                    format!(
                        "custody entry {} records a manifest line for {} that is no longer in the manifest (deleted or edited)",
                        r.line,
                        self.source_of(r.sha256, r.line)
                    ),
                )
                .entry(r.line)
                .object(&object)
                .expected(&want.to_hex()),
            );
        }
    }

    /// Recorded objects missing from the store, each named once.
    fn missing_objects(&self, problems: &mut Vec<Problem>) {
        let mut reported = HashSet::new();
        for r in &self.custody.acquired {
            let Some(sha) = r.sha256 else { continue };
            if self.on_disk.contains(&sha) || !reported.insert(sha) {
                continue;
            }
            let hex = sha.to_hex();
            let rel = Layout::object_rel(&hex);
            problems.push(
                Problem::new(
                    ProblemKind::ObjectMissing,
                    format!(
                        "object {rel} (acquired from {}, custody entry {}) is missing from the store",
                        self.source_of(Some(sha), r.line),
                        r.line
                    ),
                )
                .object(&hex)
                .path(&rel),
            );
        }
    }

    /// Stored objects neither record names.
    fn orphans(&self, inventory: &Inventory, problems: &mut Vec<Problem>) {
        for o in &inventory.objects {
            let sha = o.sha256;
            if self.custody_shas.contains(&sha) || self.manifest_shas.contains(&sha) {
                continue;
            }
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
}

/// Problems between custody, manifest and store.
pub(crate) fn cross_check(
    custody: &CustodyClaims,
    manifest: &ManifestClaims,
    inventory: &Inventory,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let index = Index::new(custody, manifest, inventory);
    index.manifest_lines(&mut problems);
    index.missing_manifest_lines(&mut problems);
    index.missing_objects(&mut problems);
    index.orphans(inventory, &mut problems);
    stray_files(inventory, &mut problems);
    problems
}

/// Unexpected files and leftovers of interrupted runs in `evidence/`.
fn stray_files(inventory: &Inventory, problems: &mut Vec<Problem>) {
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
