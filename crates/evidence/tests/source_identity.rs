//! Remote-style sources: per-item metadata reaches the manifest, and a re-run
//! skips items whose identity the manifest records without opening them.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use cloudcase_evidence::{
    AcquireOptions, AcquireProgress, Case, ItemMeta, ItemStatus, ListEntry, Locator, Opened,
    Outcome, Source, SourceError, SourceItem,
};

/// An in-memory source whose items carry an identity (a version number) and
/// metadata; counts how often items are opened.
struct Versioned {
    version: u32,
    opens: Arc<AtomicUsize>,
}

impl Versioned {
    fn content(&self, key: &str) -> Vec<u8> {
        format!("{key} v{}", self.version).into_bytes()
    }
}

impl Source for Versioned {
    fn kind(&self) -> &'static str {
        "test"
    }

    fn describe(&self) -> String {
        "mem://".into()
    }

    fn list(&self) -> Box<dyn Iterator<Item = ListEntry> + '_> {
        Box::new(["a", "b"].into_iter().map(|k| {
            ListEntry::Item(SourceItem {
                uri: format!("mem://{k}"),
                locator: Locator::Key(k.into()),
                size: Some(self.content(k).len() as u64),
                mtime: None,
                identity: Some(format!("v{}", self.version)),
            })
        }))
    }

    fn open(&self, item: &SourceItem) -> Result<Opened, SourceError> {
        self.opens.fetch_add(1, Ordering::Relaxed);
        let Locator::Key(k) = &item.locator else {
            panic!("expected a key locator, got {:?}", item.locator)
        };
        let content = self.content(k);
        Ok(Opened {
            meta: ItemMeta {
                size: Some(content.len() as u64),
                mtime: None,
                metadata: BTreeMap::from([("etag".to_owned(), format!("e{}", self.version))]),
            },
            reader: Box::new(Cursor::new(content)),
        })
    }
}

fn acquire(case: &Case, version: u32) -> (cloudcase_evidence::AcquireSummary, usize, u64) {
    let opens = Arc::new(AtomicUsize::new(0));
    let source = Versioned {
        version,
        opens: opens.clone(),
    };
    let progress = Arc::new(AcquireProgress::default());
    let options = AcquireOptions {
        progress: Some(progress.clone()),
        ..AcquireOptions::default()
    };
    let boxed: Vec<Box<dyn Source>> = vec![Box::new(source)];
    let summary = case.acquire(&boxed, &options).expect("acquire");
    assert_eq!(progress.items_done(), progress.items_total());
    (
        summary,
        opens.load(Ordering::Relaxed),
        progress.items_total(),
    )
}

#[test]
fn metadata_is_recorded_and_unchanged_identities_are_not_opened_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let case = Case::init(&dir.path().join("case"), "IR-9", "alice", "UTC").expect("init");

    let (first, opens, total) = acquire(&case, 1);
    assert_eq!((opens, total), (2, 2));
    assert_eq!(first.count(ItemStatus::New), 2);
    let manifest = std::fs::read_to_string(dir.path().join("case/manifest.jsonl")).expect("read");
    let lines: Vec<serde_json::Value> = manifest
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 2);
    for l in &lines {
        assert_eq!(l["identity"], "v1");
        assert_eq!(l["metadata"]["etag"], "e1");
    }

    let (again, opens, _) = acquire(&case, 1);
    assert_eq!(opens, 0, "unchanged identities must not be opened");
    assert_eq!(again.count(ItemStatus::AlreadyHeld), 2);
    for item in &again.items {
        let Outcome::Acquired(a) = &item.outcome else {
            panic!("expected acquired, got {:?}", item.outcome)
        };
        assert_eq!(a.size, 4, "\"a v1\" and \"b v1\"");
    }

    let (changed, opens, _) = acquire(&case, 2);
    assert_eq!(opens, 2, "a new identity is read");
    assert_eq!(changed.count(ItemStatus::New), 2);
    let report = case.verify().expect("verify");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
}
