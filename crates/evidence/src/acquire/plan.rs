//! Planning a run: listing every source and deciding, per item, whether it is
//! ingested (and whether it probably only needs re-hashing) or reported as is.

use std::collections::HashSet;
use std::path::Path;

use super::{Acquired, ItemStatus, Outcome};
use crate::layout::Layout;
use crate::manifest::ManifestIndex;
use crate::source::{ListEntry, Locator, Source, SourceItem};

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

/// What a run will do.
pub(crate) struct Plan {
    /// Every listed item in listing order, with its outcome when already known
    /// (skipped, failed to list); `None` until ingested.
    pub slots: Vec<(String, Option<Outcome>)>,
    /// Items to ingest, largest first (so the last file does not run alone).
    pub work: Vec<Work>,
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
    let mut slots: Vec<(String, Option<Outcome>)> = Vec::new();
    let mut work: Vec<Work> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    for (s, source) in sources.iter().enumerate() {
        for entry in source.list() {
            match entry {
                ListEntry::Item(item) => {
                    let skip = if matches!(&item.locator, Locator::Path(p) if p.starts_with(case_root))
                    {
                        Some("inside the case folder itself")
                    } else if !seen.insert(item.uri.clone()) {
                        Some("listed more than once in this run")
                    } else {
                        None
                    };
                    if let Some(why) = skip {
                        slots.push((item.uri, Some(Outcome::Skipped(why.into()))));
                        continue;
                    }
                    if let Some(held) = held(index, layout, &item) {
                        slots.push((item.uri, Some(Outcome::Acquired(held))));
                        continue;
                    }
                    let expected = index.expected_sha(&item.uri, item.size, item.mtime.as_deref());
                    slots.push((item.uri.clone(), None));
                    work.push(Work {
                        source: s,
                        item,
                        expected,
                        slot: slots.len() - 1,
                    });
                }
                ListEntry::Skipped { uri, reason } => {
                    slots.push((uri, Some(Outcome::Skipped(reason))));
                }
                ListEntry::Failed(e) => {
                    slots.push((e.uri().to_owned(), Some(Outcome::Failed(e.into()))));
                }
            }
        }
    }
    work.sort_by_key(|w| std::cmp::Reverse(w.item.size));
    Plan { slots, work }
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
