//! The custody log, `custody.jsonl`: an append-only, hash-chained record of
//! every act on a case.
//!
//! Each line is one JSON [`CustodyEntry`]: `seq` (from 1), `time` (UTC), `actor`
//! (examiner), `host`, `tool` (name and version), `action`, `details`, `prev`
//! (SHA-256 of the previous line's exact bytes, 64 zeros for the first) and
//! `hash` (SHA-256 of the entry's canonical JSON without `hash`). Appends write
//! whole lines and fsync. An incomplete final line (a crash mid-write) is
//! reported by `verify` and cut off by the next writer, which records a
//! `repaired` entry saying what it removed; a complete line is never rewritten.
//!
//! Other crates record their work through [`Custody::append`], e.g.
//! `case.custody().append(Action::ReportProduced, json!({...}))`.

mod chain;
mod entry;
mod writer;

use std::fs;

use serde_json::Value;

pub use entry::{Action, CustodyEntry};
pub use writer::AppendedEntry;

pub(crate) use chain::{scan, scan_file, ChainScan};
pub(crate) use writer::{repair_details, CustodyWriter};

use crate::error::{Error, IoContext};
use crate::layout::Layout;
use crate::lock::CaseLock;

/// Handle on one case's custody log (from [`crate::Case::custody`]).
#[derive(Debug, Clone)]
pub struct Custody<'a> {
    layout: &'a Layout,
    examiner: &'a str,
}

impl<'a> Custody<'a> {
    pub(crate) fn new(layout: &'a Layout, examiner: &'a str) -> Self {
        Self { layout, examiner }
    }

    /// Appends one entry recorded as done by the case's examiner. `details`
    /// should name what was read and written (object hashes, output paths,
    /// command line). Takes the case's writer lock for the duration, so it
    /// waits up to two seconds for another writer to finish, then fails with
    /// [`Error::Locked`].
    pub fn append(&self, action: Action, details: Value) -> Result<AppendedEntry, Error> {
        self.append_as(self.examiner, action, details)
    }

    /// Like [`Custody::append`], recording `actor` as who acted (e.g. a second
    /// examiner working on the case).
    pub fn append_as(
        &self,
        actor: &str,
        action: Action,
        details: Value,
    ) -> Result<AppendedEntry, Error> {
        let _lock = CaseLock::acquire(self.layout)?;
        CustodyWriter::open(self.layout, actor)?.append(action, details)
    }

    /// Reads every well-formed entry in log order. Use `verify` to know whether
    /// the chain is intact; this only parses.
    pub fn entries(&self) -> Result<Vec<CustodyEntry>, Error> {
        let path = self.layout.custody_file();
        if !path.is_file() {
            return Err(Error::CustodyMissing { path });
        }
        let content = fs::read(&path).at(&path, "read custody log")?;
        Ok(scan(&content).entries.into_iter().map(|(_, e)| e).collect())
    }
}
