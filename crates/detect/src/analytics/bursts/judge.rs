//! The judgement of the windows, read back from the sort in key order: the
//! parts of one window (from several workers or spills) are combined, and each
//! principal's windows of one analytic are judged together, so that only one
//! principal's measures are held at a time.

use std::io;

use cloudcase_read::FileFinder;
use cloudcase_sigma::Level;

use super::entry::WindowEntry;
use super::{Measure, BURSTS};
use crate::analytics::names::Names;
use crate::analytics::written::{self, unreadable};
use crate::analytics::Candidate;

/// A window at or over its threshold, waiting for its principal's median.
struct Over {
    window: WindowEntry,
    measured: u64,
    what: String,
}

/// Reads the windows in (principal, analytic, bucket) order, as the sort's
/// merge writes them, and collects the candidates.
pub(super) struct Judge<'a> {
    names: &'a Names,
    files: FileFinder<'a>,
    /// The window being combined from its parts.
    window: Option<WindowEntry>,
    /// The measure of every window of the current principal and analytic.
    measures: Vec<u64>,
    /// Its windows at or over the threshold.
    over: Vec<Over>,
    found: Vec<Candidate>,
}

impl<'a> Judge<'a> {
    /// A judgement naming principals from `names` and pointing into `files`.
    pub fn new(names: &'a Names, files: &'a dyn cloudcase_read::Files) -> Self {
        Judge {
            names,
            files: FileFinder::new(files),
            window: None,
            measures: Vec::new(),
            over: Vec::new(),
            found: Vec::new(),
        }
    }

    /// Takes a window whose parts are all combined (`self.window` is already
    /// the next one, if any).
    fn complete(&mut self, window: WindowEntry) {
        let next_principal = self
            .window
            .as_ref()
            .is_some_and(|w| (w.who, w.burst) != (window.who, window.burst));
        let Some(burst) = BURSTS.get(usize::from(window.burst)) else {
            return;
        };
        let (measured, what) = measure(burst.measure, &window);
        self.measures.push(measured);
        if measured >= burst.threshold {
            self.over.push(Over {
                window,
                measured,
                what,
            });
        }
        // The next window belongs to another principal or analytic: judge this one's.
        if next_principal {
            self.judge_principal();
        }
    }

    /// Judges the current principal's windows of one analytic against their median.
    fn judge_principal(&mut self) {
        self.measures.sort_unstable();
        let median = self
            .measures
            .get(self.measures.len() / 2)
            .copied()
            .unwrap_or(0);
        for over in self.over.drain(..) {
            let w = &over.window;
            let Some(burst) = BURSTS.get(usize::from(w.burst)) else {
                continue;
            };
            let Some(pointer) = w.first.pointer(&mut self.files) else {
                continue;
            };
            let n = over.measured;
            let mut spec = burst.spec;
            let mut detail = format!(
                "{n} {} by {} within {} minutes (threshold {}; its median window: {median})",
                over.what,
                self.names.name(w.who),
                burst.window_minutes,
                burst.threshold
            );
            if n < median.saturating_mul(4) {
                spec.level = Level::Informational;
                detail.push_str("; within this principal's routine");
            }
            self.found.push(Candidate {
                spec,
                pointer,
                detail,
            });
        }
        self.measures.clear();
    }

    /// The candidates, once every window has been read.
    pub fn finish(mut self) -> Vec<Candidate> {
        if let Some(last) = self.window.take() {
            self.complete(last);
        }
        self.judge_principal();
        self.found
    }
}

/// What a window measured, and how to say it.
fn measure(measure: Measure, w: &WindowEntry) -> (u64, String) {
    let distinct = w.hashes.len() as u64;
    match measure {
        Measure::Calls => (w.calls, "calls".to_owned()),
        Measure::DistinctEvents => (distinct, format!("different calls ({} in all)", w.calls)),
        Measure::DistinctRegions => {
            let mut regions: Vec<&str> = w.labels.iter().map(String::as_str).collect();
            regions.sort_unstable();
            (distinct, format!("regions ({})", regions.join(", ")))
        }
    }
}

impl written::Judge for Judge<'_> {
    const WHAT: &'static str = "a burst window";

    /// Takes one part of a window.
    fn part(&mut self, body: &[u8]) -> io::Result<()> {
        let entry = WindowEntry::decode(body).ok_or_else(|| unreadable(Self::WHAT))?;
        match &mut self.window {
            Some(w) if w.same_window(&entry) => w.absorb(entry),
            _ => {
                if let Some(done) = self.window.replace(entry) {
                    self.complete(done);
                }
            }
        }
        Ok(())
    }
}
