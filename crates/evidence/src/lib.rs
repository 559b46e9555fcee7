//! Case folders, content-addressed evidence, a hash-chained custody log, and
//! verification: the preservation layer of `cloudcase`.
//!
//! Everything a responder collects goes into a *case folder* first; every later
//! stage (timelines, hunts, reports) reads the evidence from there, and every act
//! on the case is written to the custody log, so that the case can show what was
//! collected, when, by whom, from where, and that nothing changed since.
//!
//! # Case folder layout
//!
//! ```text
//! CASE/
//! ├── case.json          case metadata: format, case id, name, examiner, display
//! │                      time zone, creation time (UTC), tool version. Written once.
//! ├── custody.jsonl      custody log: append-only, one JSON entry per line, each
//! │                      chained to the previous line by SHA-256 (see `custody`).
//! ├── manifest.jsonl     acquisition manifest: append-only, one JSON line per
//! │                      (object, source) pair: original path or URI, size, mtime,
//! │                      SHA-256, acquisition time, examiner, host, tool, command.
//! ├── case.lock          advisory lock taken by every writer (one writer at a time).
//! ├── evidence/          immutable evidence, nothing else:
//! │   ├── objects/sha256/ab/abcdef…   one read-only (0444) file per distinct content,
//! │   │                               named by its SHA-256 (first two hex digits shard).
//! │   └── tmp/           in-flight copies; anything left here is from an interrupted
//! │                      acquisition: removed by the next `acquire`, reported by `verify`.
//! ├── work/              derived, disposable data (indexes, caches); never evidence.
//! ├── analysis/          recorded `scope` and `hunt` results (see `results`).
//! ├── timestamps/        RFC 3161 requests and tokens over the chain head (see `timestamps`).
//! └── reports/           produced reports and their index, `index.jsonl`.
//! ```
//!
//! # Guarantees
//!
//! * An object appears under its content name only after its bytes were written,
//!   flushed to disk (`fsync`, or one `syncfs` for a batch of small copies) and
//!   made read-only; it is placed with an atomic rename.
//! * Manifest and custody lines are appended only after the objects they name are
//!   durable, each append being one write of whole lines followed by `fsync`.
//! * A crash (even `kill -9`) can leave temporary files, objects not yet recorded,
//!   or an incomplete final line; `verify` names each of these, and the next
//!   writer cleans or repairs them (recording a `repaired` custody entry) and a
//!   re-run of the same acquisition completes the job.
//! * Editing, deleting, inserting or reordering custody entries breaks the hash chain
//!   and is reported by `verify`. Removing entries *from the end* of the log cannot
//!   be detected from the folder alone; `verify` prints the chain head so it can be
//!   recorded outside the case (ticket, notes) and compared later.

#![deny(missing_docs)]

mod canonical;
mod case;
mod error;
mod fsutil;
mod hash;
mod layout;
mod limits;
mod lock;
mod manifest;
mod meta;
mod problem;
mod store;

pub mod acquire;
pub mod custody;
pub mod image;
pub mod results;
pub mod source;
pub mod timestamps;
pub mod verify;

pub use acquire::{
    AcquireOptions, AcquireProgress, AcquireSummary, Acquired, ItemOutcome, ItemStatus, Outcome,
};
pub use case::{
    Case, CaseInfo, CustodyBrief, CustodyLineRef, EvidenceObject, SourceRecord, CASE_FORMAT,
};
pub use custody::{Action, AppendedEntry, Custody, CustodyEntry};
pub use error::Error;
pub use hash::Sha256Hasher;
pub use layout::Layout;
pub use manifest::{LineStats, ManifestLineRef, ManifestRecord};
pub use meta::TOOL;
pub use results::{AnalysisKind, NewRecord, Recorded};
pub use source::{
    ItemMeta, ListEntry, LocalSource, Locator, Opened, Source, SourceError, SourceItem, Staged,
};
pub use verify::{Problem, ProblemKind, VerifyOptions, VerifyReport};

/// Result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
