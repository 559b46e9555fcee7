//! Timelines of CloudTrail and the other logs cloudcase reads: filter events
//! (by log source too), order them by time with bounded memory, and write
//! them in formats that stay safe with attacker-controlled text, each event
//! naming its log and, for logs other than CloudTrail, what its record says
//! in one line ([`describe()`]).
//!
//! [`write_timeline`] reads files in parallel (via `cloudcase-read`), keeps the
//! events a [`Filter`] passes, formats each as a line on the worker that read
//! it, and merges the workers' sorted runs into time order (spilling to
//! temporary files past a memory budget; see [`sort`]).
#![deny(missing_docs)]

mod describe;
mod filter;
pub mod format;
mod glob;
mod ipnet;
pub mod sort;
#[cfg(test)]
mod testing;

use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use cloudcase_event::Event;
use cloudcase_read::{
    read_files_tracked, Accounting, EventSink, Files, Limits, Progress, Rejection,
};

pub use describe::describe;
pub use filter::{parse_log_source, Filter, UnknownLogSource};
pub use format::{LineFormat, OutputFormat};
pub use glob::Glob;
pub use ipnet::IpFilter;

use sort::{LineKey, RunBuilder};

/// How to build a timeline.
pub struct TimelineOptions {
    /// Which events to show.
    pub filter: Filter,
    /// How to render them.
    pub format: OutputFormat,
    /// Display zone for times.
    pub tz: jiff::tz::TimeZone,
    /// Bytes of formatted lines kept in memory (all workers together) before
    /// sorted runs are spilled to temporary files.
    pub sort_memory: usize,
    /// Where spilled runs go (the system temporary directory if `None`).
    pub temp_dir: Option<PathBuf>,
    /// Worker threads.
    pub threads: usize,
    /// Reader limits.
    pub limits: Limits,
    /// Live counters for a progress display.
    pub progress: Arc<Progress>,
}

/// What a timeline run did.
#[derive(Debug, Clone)]
pub struct TimelineSummary {
    /// The reader's accounting.
    pub accounting: Accounting,
    /// Events written.
    pub shown: u64,
    /// Sorted runs spilled to temporary files.
    pub spilled_runs: usize,
}

/// Errors that stop a timeline.
#[derive(Debug, thiserror::Error)]
pub enum TimelineError {
    /// Writing a spilled run to the temporary directory failed.
    #[error("cannot spill sorted events to the temporary directory (--temp-dir): {0}")]
    Spill(#[source] io::Error),
    /// Writing the output failed (other than the reader closing a pipe).
    #[error("cannot write the timeline: {0}")]
    Output(#[source] io::Error),
}

struct TimelineSink<'a> {
    filter: &'a Filter,
    format: &'a dyn LineFormat,
    runs: RunBuilder,
    error: Option<io::Error>,
}

impl EventSink for TimelineSink<'_> {
    fn accept(&mut self, event: Event) {
        if self.error.is_some() || !self.filter.matches(&event) {
            return;
        }
        let format = self.format;
        if let Err(e) = self
            .runs
            .push_with(LineKey::of(&event), |buf| format.write_line(&event, buf))
        {
            self.error = Some(e);
        }
    }

    fn wants_bodies(&self) -> bool {
        self.format.reads_bodies()
    }
}

/// Writes the timeline of `files` to `out` and returns what was done.
/// `after_read` runs once every file is read, before the first line is
/// written (e.g. to clear a progress display).
///
/// A closed pipe on `out` (e.g. `| head`) ends the output quietly.
pub fn write_timeline(
    files: &dyn Files,
    opts: &TimelineOptions,
    out: &mut dyn Write,
    on_reject: &(dyn Fn(Rejection) + Sync),
    after_read: &dyn Fn(),
) -> Result<TimelineSummary, TimelineError> {
    let format = opts.format.formatter(opts.tz.clone());
    let threads = opts.threads.max(1);
    let per_worker = opts.sort_memory / threads;
    let first = RunBuilder::new(per_worker, opts.temp_dir.clone());
    let sinks: Vec<_> = (0..threads)
        .map(|_| TimelineSink {
            filter: &opts.filter,
            format: &*format,
            runs: first.share(per_worker),
            error: None,
        })
        .collect();
    drop(first);
    let (sinks, accounting) =
        read_files_tracked(files, opts.limits, sinks, on_reject, &opts.progress);
    after_read();
    let mut runs = Vec::with_capacity(sinks.len());
    for sink in sinks {
        if let Some(e) = sink.error {
            return Err(TimelineError::Spill(e));
        }
        runs.push(sink.runs.finish());
    }
    let spilled_runs = runs.iter().map(sort::Runs::spilled).sum();
    let written = write_all(format.header(), runs, out);
    let shown = match written {
        Ok(n) => n,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
        Err(e) => return Err(TimelineError::Output(e)),
    };
    Ok(TimelineSummary {
        accounting,
        shown,
        spilled_runs,
    })
}

fn write_all(
    header: Option<String>,
    runs: Vec<sort::Runs>,
    out: &mut dyn Write,
) -> io::Result<u64> {
    let mut w = io::BufWriter::with_capacity(1 << 20, out);
    if let Some(h) = header {
        w.write_all(h.as_bytes())?;
    }
    let n = sort::merge(runs, &mut w)?;
    w.flush()?;
    Ok(n)
}
