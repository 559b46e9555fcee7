//! Counting a sort's open run files, so that the merge can keep them under
//! the fan-in and tests can check the most ever open at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// How many run files of one sort are open, and the most at once.
#[derive(Debug, Default)]
pub(super) struct OpenRuns {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl OpenRuns {
    /// Run files open now.
    pub(super) fn now(&self) -> usize {
        self.now.load(Ordering::SeqCst)
    }

    /// The most run files ever open at once.
    #[cfg(test)]
    pub(super) fn peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }
}

/// One open run file, counted in its [`OpenRuns`] until dropped.
pub(super) struct OpenRun(Arc<OpenRuns>);

impl OpenRun {
    /// Counts one more open file in `runs`.
    pub(super) fn new(runs: &Arc<OpenRuns>) -> OpenRun {
        let now = runs.now.fetch_add(1, Ordering::SeqCst) + 1;
        runs.peak.fetch_max(now, Ordering::SeqCst);
        OpenRun(Arc::clone(runs))
    }
}

impl Drop for OpenRun {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}
