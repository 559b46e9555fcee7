//! Planning a run: listing every source and deciding, per item, whether it is
//! ingested (and whether it probably only needs re-hashing) or reported as is.

use std::collections::HashSet;
use std::path::Path;

use super::{Acquired, ItemStatus, Outcome};
use crate::hash::Sha256Digest;
use crate::layout::Layout;
use crate::manifest::ManifestIndex;
use crate::source::{ListEntry, Source, SourceItem};

/// One listed item to ingest.
pub(crate) struct Work {
    /// Index of its source.
    pub source: usize,
    /// The item.
    pub item: SourceItem,
    /// The content this source held when last acquired, if its size and mtime
    /// are unchanged (then the item is only re-hashed, not copied).
    pub expected: Option<String>,
    /// Its place in [`Plan::slots`].
    pub slot: usize,
}

/// One listed item, in listing order, and what happened to it.
pub(crate) struct Slot {
    /// The item: its URI, or the [`Work`] that holds it (each path is held
    /// once, which matters for listings of millions of files).
    pub item: SlotItem,
    /// Its outcome when known (skipped, failed to list, ingested).
    pub outcome: Option<Outcome>,
}

/// Where a slot's URI is.
pub(crate) enum SlotItem {
    /// Reported without ingesting: its URI.
    Listed(String),
    /// Ingested: its index in [`Plan::work`].
    Work(usize),
}

/// What a run will do.
pub(crate) struct Plan {
    /// Every listed item in listing order.
    pub slots: Vec<Slot>,
    /// Items to ingest, in listing order.
    pub work: Vec<Work>,
    /// Indexes into `work`, largest item first (so the last file does not
    /// run alone): the order workers take them in.
    pub order: Vec<usize>,
}

/// Lists `sources`. Items inside the case folder itself (acquiring a parent of
/// the case) and items listed twice are skipped with the reason; items whose
/// source identity the manifest already records, with their object present,
/// are already held and not read again.
pub(crate) fn plan(
    sources: &[Box<dyn Source>],
    index: &ManifestIndex,
    layout: &Layout,
    case_root: &Path,
) -> Plan {
    let mut slots: Vec<Slot> = Vec::new();
    let mut work: Vec<Work> = Vec::new();
    // URIs seen so far, as digests: a listing of a million paths costs 32 MB.
    let mut seen: HashSet<Sha256Digest> = HashSet::new();
    let listed = |uri: String, outcome: Outcome| Slot {
        item: SlotItem::Listed(uri),
        outcome: Some(outcome),
    };
    for (s, source) in sources.iter().enumerate() {
        for entry in source.list() {
            match entry {
                ListEntry::Item(item) => {
                    let skip = if item.local_path().is_some_and(|p| p.starts_with(case_root)) {
                        Some("inside the case folder itself")
                    } else if !seen.insert(Sha256Digest::of(item.uri.as_bytes())) {
                        Some("listed more than once in this run")
                    } else {
                        None
                    };
                    if let Some(why) = skip {
                        slots.push(listed(item.uri, Outcome::Skipped(why.into())));
                        continue;
                    }
                    if let Some(held) = held(index, layout, &item) {
                        slots.push(listed(item.uri, Outcome::Acquired(held)));
                        continue;
                    }
                    let expected = index.expected_sha(&item.uri, item.size, item.mtime.as_deref());
                    slots.push(Slot {
                        item: SlotItem::Work(work.len()),
                        outcome: None,
                    });
                    work.push(Work {
                        source: s,
                        item,
                        expected,
                        slot: slots.len() - 1,
                    });
                }
                ListEntry::Skipped { uri, reason } => {
                    slots.push(listed(uri, Outcome::Skipped(reason)));
                }
                ListEntry::Failed(e) => {
                    slots.push(listed(e.uri().to_owned(), Outcome::Failed(e.into())));
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..work.len()).collect();
    order.sort_by_key(|&k| std::cmp::Reverse(work[k].item.size));
    Plan { slots, work, order }
}

/// The held content of an item whose identity is recorded for its URI, when
/// its object is present.
fn held(index: &ManifestIndex, layout: &Layout, item: &SourceItem) -> Option<Acquired> {
    let (sha256, size) = index.held_identity(&item.uri, item.identity.as_deref()?)?;
    layout.object_path(&sha256).is_file().then_some(Acquired {
        sha256,
        size,
        status: ItemStatus::AlreadyHeld,
    })
}
