//! Recovering from an interrupted acquisition before starting a new one.

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use serde_json::{json, Value};

use crate::custody::{self, repair_details, Action, CustodyWriter};
use crate::error::Error;
use crate::fsutil;
use crate::hash::{hash_reader, Sha256Digest};
use crate::layout::Layout;
use crate::manifest::{ManifestIndex, ManifestLine, ManifestRecord, ManifestWriter};
use crate::store;

/// What recovery did, for the run summary.
#[derive(Debug, Default)]
pub(crate) struct Recovery {
    /// Torn final lines cut off, described.
    pub repairs: Vec<String>,
    /// Leftovers removed from `evidence/tmp/`.
    pub cleaned: Vec<String>,
    /// Manifest lines recorded in custody after the fact.
    pub adopted: u64,
}

/// Brings the case to a consistent state under the writer lock: the custody
/// log was already repaired by `custody`'s opening; here the manifest's torn
/// tail is cut (and recorded), `evidence/tmp/` is emptied, and manifest lines
/// written after the last custody-recorded one — an interrupted run got them
/// durable but not recorded — are recorded now, if their object is present
/// and intact. Manifest lines elsewhere that custody does not know are left
/// alone for `verify` to report: they are not a crash's signature.
pub(crate) fn recover(
    layout: &Layout,
    custody: &mut CustodyWriter,
    command: &[String],
    buf: &mut [u8],
) -> Result<(ManifestWriter, ManifestRead, Recovery), Error> {
    let mut rec = Recovery::default();
    if let Some(torn) = custody.repaired_tail() {
        rec.repairs.push(format!(
            "custody.jsonl: removed an incomplete final line of {} bytes",
            torn.bytes.len()
        ));
    }
    let manifest_path = layout.manifest_file();
    let (manifest_writer, torn) = ManifestWriter::open(&manifest_path)?;
    if let Some(torn) = torn {
        custody.append(Action::Repaired, repair_details("manifest.jsonl", &torn))?;
        rec.repairs.push(format!(
            "manifest.jsonl: removed an incomplete final line of {} bytes",
            torn.bytes.len()
        ));
    }
    fsutil::create_dir_durable(&layout.objects_dir())?;
    rec.cleaned = store::clean_tmp(layout)?;

    let recorded = recorded_manifest_lines(layout)?;
    let read = read_manifest(&manifest_path, &recorded)?;
    let mut entries = Vec::new();
    for line in &read.unrecorded_tail {
        if object_intact(layout, line, buf) {
            entries.push((Action::Acquired, adopted_details(line, command)));
        }
    }
    rec.adopted = entries.len() as u64;
    custody.append_many(entries)?;
    Ok((manifest_writer, read, rec))
}

/// The manifest as an acquisition needs it: what it holds, and the lines an
/// interrupted run wrote after the last one custody records.
pub(crate) struct ManifestRead {
    /// What the case holds.
    pub index: ManifestIndex,
    /// Complete lines.
    pub lines: u64,
    /// Parsed lines after the last line recorded in custody.
    unrecorded_tail: Vec<ManifestLine>,
}

/// Reads the manifest line by line into its index, keeping only the lines
/// after the last one custody records (memory for the index, not the text).
fn read_manifest(path: &Path, recorded: &HashSet<Sha256Digest>) -> Result<ManifestRead, Error> {
    let mut read = ManifestRead {
        index: ManifestIndex::default(),
        lines: 0,
        unrecorded_tail: Vec::new(),
    };
    fsutil::for_each_line::<Error, _>(path, None, |_, bytes| {
        let bytes = fsutil::content(bytes);
        read.lines += 1;
        let line_sha256 = Sha256Digest::of(bytes);
        if recorded.contains(&line_sha256) {
            read.unrecorded_tail.clear();
        }
        if let Ok(record) = serde_json::from_slice::<ManifestRecord>(bytes) {
            read.index.insert(&record);
            if !recorded.contains(&line_sha256) {
                read.unrecorded_tail.push(ManifestLine {
                    line: read.lines,
                    line_sha256: line_sha256.to_hex(),
                    record,
                });
            }
        }
        Ok(())
    })?;
    Ok(read)
}

/// SHA-256s of manifest lines named by `acquired` custody entries.
fn recorded_manifest_lines(layout: &Layout) -> Result<HashSet<Sha256Digest>, Error> {
    let mut recorded = HashSet::new();
    custody::scan_file(&layout.custody_file(), |_, e| {
        if e.action == Action::Acquired {
            let line = e
                .details
                .get("manifest_line_sha256")
                .and_then(Value::as_str);
            recorded.extend(line.and_then(Sha256Digest::from_hex));
        }
    })?;
    Ok(recorded)
}

fn object_intact(layout: &Layout, line: &ManifestLine, buf: &mut [u8]) -> bool {
    let sha = &line.record.sha256;
    fs::File::open(layout.object_path(sha))
        .and_then(|f| hash_reader(f, buf))
        .is_ok_and(|(actual, _)| &actual == sha)
}

fn adopted_details(line: &ManifestLine, command: &[String]) -> Value {
    let r = &line.record;
    json!({
        "sha256": r.sha256,
        "size": r.size,
        "object": r.object,
        "source": r.source,
        "source_kind": r.source_kind,
        "status": "recovered",
        "manifest_line": line.line,
        "manifest_line_sha256": line.line_sha256,
        "acquired_by": r.examiner,
        "acquired_at": r.acquired,
        "note": "manifest line written by an interrupted run before its custody entry; object re-hashed and recorded by the next run",
        "command": command,
    })
}
