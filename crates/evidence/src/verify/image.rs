//! Naming the bad blocks of a modified disk image: an image object recorded
//! with a block manifest (`block_manifest_sha256` in its manifest metadata)
//! that no longer matches its name is re-hashed block by block against that
//! manifest, and every block that differs is named by index and offset.

use std::collections::BTreeMap;

use crate::error::{Error, IoContext};
use crate::image::blocks::check_image;
use crate::layout::Layout;
use crate::manifest::ManifestRecord;
use crate::problem::{Problem, ProblemKind};

/// Bad blocks listed per image at most (all are counted).
const BLOCKS_LISTED: usize = 100;
/// The manifest metadata key naming an image's block manifest.
const BLOCK_MANIFEST: &str = "block_manifest_sha256";

/// One problem per bad block of each modified image among `problems`.
pub(crate) fn bad_blocks(layout: &Layout, problems: &[Problem]) -> Result<Vec<Problem>, Error> {
    let modified: Vec<&str> = problems
        .iter()
        .filter(|p| p.kind == ProblemKind::ObjectModified)
        .filter_map(|p| p.object.as_deref())
        .collect();
    if modified.is_empty() {
        return Ok(Vec::new());
    }
    let images = block_manifests(layout, &modified)?;
    let mut out = Vec::new();
    for (image, blocks) in images {
        let rel = Layout::object_rel(&image);
        let brel = Layout::object_rel(&blocks);
        let named = |detail: String| {
            Problem::new(ProblemKind::ObjectModified, detail)
                .object(&image)
                .path(&rel)
        };
        if modified.contains(&blocks.as_str()) {
            out.push(named(format!(
                "image object {rel}: its block manifest {brel} was modified too; blocks cannot be named"
            )));
            continue;
        }
        match check_image(
            &layout.object_path(&image),
            &layout.object_path(&blocks),
            BLOCKS_LISTED,
        ) {
            Ok((bad, total)) => {
                for b in &bad {
                    out.push(
                        named(format!(
                            "image object {rel}: block {} at offset {} differs from its block manifest {brel}",
                            b.index, b.offset
                        ))
                        .expected(&b.expected)
                        .actual(&b.actual),
                    );
                }
                if total > bad.len() as u64 {
                    out.push(named(format!(
                        "image object {rel}: {} more bad blocks not listed ({total} in all)",
                        total - bad.len() as u64
                    )));
                }
                if total == 0 {
                    out.push(named(format!(
                        "image object {rel}: every block matches {brel}, so its length changed"
                    )));
                }
            }
            Err(e) => out.push(named(format!(
                "image object {rel}: blocks could not be checked against {brel}: {e}"
            ))),
        }
    }
    Ok(out)
}

/// The block manifest recorded for each of `objects` that has one.
fn block_manifests(layout: &Layout, objects: &[&str]) -> Result<BTreeMap<String, String>, Error> {
    let path = layout.manifest_file();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(e) => return Err(e).at(&path, "read manifest"),
    };
    let mut found = BTreeMap::new();
    for line in text.lines() {
        if !line.contains(BLOCK_MANIFEST) || !objects.iter().any(|o| line.contains(o)) {
            continue;
        }
        let Ok(record) = serde_json::from_str::<ManifestRecord>(line) else {
            continue; // unparsable lines are reported by the manifest check
        };
        if let Some(blocks) = record.metadata.get(BLOCK_MANIFEST) {
            if objects.contains(&record.sha256.as_str()) {
                found.insert(record.sha256, blocks.clone());
            }
        }
    }
    Ok(found)
}
