//! Live counters of a run, shared with whoever displays progress.

use std::sync::atomic::{AtomicU64, Ordering};

/// What a running acquisition has done so far. Totals are known once every
/// source was listed (zero before); counters only grow.
#[derive(Debug, Default)]
pub struct AcquireProgress {
    items_total: AtomicU64,
    bytes_total: AtomicU64,
    items_done: AtomicU64,
    bytes_read: AtomicU64,
}

impl AcquireProgress {
    /// Items listed in all sources (including those already held or skipped).
    pub fn items_total(&self) -> u64 {
        self.items_total.load(Ordering::Relaxed)
    }

    /// Bytes of the items to read, as listed (unknown sizes count as zero).
    pub fn bytes_total(&self) -> u64 {
        self.bytes_total.load(Ordering::Relaxed)
    }

    /// Items finished (acquired, already held, skipped or failed).
    pub fn items_done(&self) -> u64 {
        self.items_done.load(Ordering::Relaxed)
    }

    /// Bytes copied from sources so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes_read.load(Ordering::Relaxed)
    }

    /// Sets the totals (items and bytes to read), once they are known.
    pub fn set_totals(&self, items: u64, bytes: u64) {
        self.items_total.store(items, Ordering::Relaxed);
        self.bytes_total.store(bytes, Ordering::Relaxed);
    }

    /// Counts `n` more items finished.
    pub fn add_items(&self, n: u64) {
        self.items_done.fetch_add(n, Ordering::Relaxed);
    }

    /// Counts `n` more bytes read.
    pub fn add_bytes(&self, n: u64) {
        self.bytes_read.fetch_add(n, Ordering::Relaxed);
    }
}
