//! Acquisition: copying sources into the evidence store, hashing while copying,
//! and recording each (object, source) pair in the manifest and custody log.
//!
//! Each item is read once: every chunk is hashed and written to a temporary
//! file in `evidence/tmp/`, which is then made durable, made read-only and
//! renamed to its content name. Large copies are fsynced by their worker;
//! copies under 1 MiB are made durable a batch at a time by the committer with
//! one `syncfs` (Linux), since one fsync per small file dominates the cost of
//! acquiring thousands of small log files. Either way no object appears under
//! its name, and nothing names it, before its bytes are on disk. Items are processed in parallel (one worker per core by
//! default, plus one); a single committer thread records results in batches, appending
//! manifest and custody lines only after the objects they name and their
//! directories are durable.
//!
//! Re-running is idempotent: content already held from the same source is
//! reported as [`ItemStatus::AlreadyHeld`] (and, when the source's size and
//! mtime are unchanged, only re-hashed, not copied again); known content from a
//! new source is recorded as another source of the same object
//! ([`ItemStatus::NewSource`]), never stored twice.
//!
//! A run first recovers from any interrupted one: it cuts torn final lines off
//! the custody log and manifest (recording `repaired` entries), removes
//! leftovers in `evidence/tmp/`, and records in the custody log the manifest
//! lines an interrupted run wrote but did not get to record.

mod commit;
mod ingest;
#[cfg(target_os = "linux")]
mod kcopy;
mod pipeline;
mod plan;
mod progress;
mod recover;
mod run;

use std::sync::Arc;
use std::time::Duration;

use crate::error::Error;
use crate::meta;

pub use progress::AcquireProgress;
pub(crate) use run::run;

/// How to acquire.
#[derive(Debug, Clone)]
pub struct AcquireOptions {
    /// Who acquires; the case's examiner when `None`.
    pub examiner: Option<String>,
    /// Command line to record (defaults to this process's arguments).
    pub command_line: Vec<String>,
    /// Worker threads; 0 means one per available core plus one (a worker
    /// waiting on fsync then leaves no core idle: ~15% faster on 2 cores).
    pub threads: usize,
    /// Read size per chunk in bytes.
    pub chunk_size: usize,
    /// Counters updated while the run goes, for a progress display.
    pub progress: Option<Arc<AcquireProgress>>,
}

impl Default for AcquireOptions {
    fn default() -> Self {
        Self {
            examiner: None,
            command_line: meta::process_command_line(),
            threads: 0,
            chunk_size: 1 << 20,
            progress: None,
        }
    }
}

/// How an acquired item relates to what the case already held.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ItemStatus {
    /// Content not held before: a new object (or one left unrecorded by an
    /// interrupted run) was recorded.
    New,
    /// Content already held from another source: recorded as another source
    /// of the same object, not stored twice.
    NewSource,
    /// Content already held from this same source: nothing recorded.
    AlreadyHeld,
}

impl ItemStatus {
    /// Name used in custody details and JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::NewSource => "new_source",
            Self::AlreadyHeld => "already_held",
        }
    }
}

/// A successfully acquired item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acquired {
    /// SHA-256 of the content read.
    pub sha256: String,
    /// Bytes read.
    pub size: u64,
    /// Relation to what was held.
    pub status: ItemStatus,
}

/// What happened to one item.
#[derive(Debug)]
pub enum Outcome {
    /// Held in the case (newly or already).
    Acquired(Acquired),
    /// Deliberately not acquired, with the reason.
    Skipped(String),
    /// Could not be acquired; nothing was recorded for it.
    Failed(Error),
}

/// One item of a run and what happened to it.
#[derive(Debug)]
pub struct ItemOutcome {
    /// The item's absolute path or URI.
    pub source: String,
    /// What happened.
    pub outcome: Outcome,
}

/// What one acquisition run did.
#[derive(Debug, Default)]
pub struct AcquireSummary {
    /// Every item listed, in listing order.
    pub items: Vec<ItemOutcome>,
    /// Bytes read from sources.
    pub bytes_read: u64,
    /// Bytes of objects newly placed in the store.
    pub bytes_stored: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Leftovers of interrupted runs removed from `evidence/tmp/`.
    pub cleaned_temp_files: Vec<String>,
    /// Repairs made before the run (torn final lines cut off), described.
    pub repairs: Vec<String>,
    /// Manifest lines of an interrupted run recorded in custody by this run.
    pub recovered_entries: u64,
}

impl AcquireSummary {
    /// Number of acquired items with this status.
    pub fn count(&self, status: ItemStatus) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(&i.outcome, Outcome::Acquired(a) if a.status == status))
            .count()
    }

    /// Failed items with their errors.
    pub fn failures(&self) -> impl Iterator<Item = (&str, &Error)> {
        self.items.iter().filter_map(|i| match &i.outcome {
            Outcome::Failed(e) => Some((i.source.as_str(), e)),
            _ => None,
        })
    }

    /// Skipped items with their reasons.
    pub fn skipped(&self) -> impl Iterator<Item = (&str, &str)> {
        self.items.iter().filter_map(|i| match &i.outcome {
            Outcome::Skipped(r) => Some((i.source.as_str(), r.as_str())),
            _ => None,
        })
    }

    /// Acquired items of zero bytes. They are kept as found (an empty file
    /// is a fact worth preserving), but named: log services never deliver an
    /// empty file, so one is a truncated delivery or copy.
    pub fn empty(&self) -> impl Iterator<Item = &str> {
        self.items.iter().filter_map(|i| match &i.outcome {
            Outcome::Acquired(a) if a.size == 0 => Some(i.source.as_str()),
            _ => None,
        })
    }

    /// Whether any item failed.
    pub fn has_failures(&self) -> bool {
        self.failures().next().is_some()
    }

    /// Read throughput in MB/s (10^6 bytes per second).
    pub fn mb_per_s(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.bytes_read as f64 / 1e6 / secs
        } else {
            0.0
        }
    }
}
