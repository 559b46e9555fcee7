//! Turning the pointers analytics keep into full witnesses, by reading the
//! few records that findings rest on once more.

use std::collections::HashMap;
use std::sync::Arc;

use cloudcase_event::SourceFile;
use cloudcase_read::{read_records, Limits};

use crate::finding::{Pointer, Witness};

/// Key of a record: file input position and record index.
pub type RecordKey = (u64, u64);

/// Reads every pointed-to record (each file once) and returns its witness.
/// A record that can no longer be read (the input changed since) is absent.
pub fn fetch<'a>(
    pointers: impl Iterator<Item = &'a Pointer>,
    limits: Limits,
) -> HashMap<RecordKey, Witness> {
    let mut by_file: HashMap<u64, (Arc<SourceFile>, Vec<u64>)> = HashMap::new();
    for p in pointers {
        let entry = by_file
            .entry(p.file.ordinal)
            .or_insert_with(|| (Arc::clone(&p.file), Vec::new()));
        if !entry.1.contains(&p.record) {
            entry.1.push(p.record);
        }
    }
    let mut out = HashMap::new();
    for (ordinal, (file, wanted)) in by_file {
        for event in read_records(&file, limits, &wanted) {
            out.insert((ordinal, event.provenance.record), Witness::of(&event));
        }
    }
    out
}
