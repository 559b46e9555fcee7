//! The inventory snapshots a case holds (`acquire aws:iam` / `aws:ec2`), as `scope` and `harden`
//! read them: each distinct object once, in manifest order.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use cloudcase_inventory::Snapshot;

/// The source kind of inventory objects in a case's manifest.
const INVENTORY_SOURCE_KIND: &str = "aws-inventory";

/// The evidence paths of the inventory snapshots in the case at `dir`.
pub fn case_snapshot_paths(dir: &Path) -> Result<Vec<PathBuf>> {
    let case = cloudcase_evidence::Case::open(dir)?;
    let mut paths = Vec::new();
    let mut seen = HashSet::new();
    case.for_each_manifest_line::<cloudcase_evidence::Error, _>(|line| {
        if let Some(r) = line
            .record
            .filter(|r| r.source_kind == INVENTORY_SOURCE_KIND)
        {
            if seen.insert(r.sha256.clone()) {
                paths.push(case.layout().object_path(&r.sha256));
            }
        }
        Ok(())
    })?;
    Ok(paths)
}

/// Reads one inventory snapshot file.
pub fn read_snapshot(path: &Path) -> Result<Snapshot> {
    let bytes = std::fs::read(path)
        .with_context(|| format!("reading inventory snapshot {}", path.display()))?;
    Snapshot::from_json(&bytes).with_context(|| format!("inventory snapshot {}", path.display()))
}
