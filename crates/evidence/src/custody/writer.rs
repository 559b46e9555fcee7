//! Appending to the custody log: chaining, durability, and torn-tail repair.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;

use serde_json::{json, Value};

use super::entry::{Action, CustodyEntry};
use crate::error::{Error, IoContext};
use crate::fsutil::{self, TornTail};
use crate::hash::{sha256_hex, ZERO};
use crate::layout::Layout;
use crate::meta;

/// What an append wrote: enough to cite the entry elsewhere (reports, notes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendedEntry {
    /// The entry's sequence number (its line number in `custody.jsonl`).
    pub seq: u64,
    /// The entry's hash (the chain head after this append).
    pub hash: String,
    /// SHA-256 of the entry's line bytes: the next entry's `prev`.
    pub line_sha256: String,
}

/// An open custody log positioned for appending. Callers hold the case lock.
#[derive(Debug)]
pub(crate) struct CustodyWriter {
    file: File,
    path: PathBuf,
    prev: String,
    next_seq: u64,
    actor: String,
    host: String,
    repaired: Option<TornTail>,
}

impl CustodyWriter {
    /// Opens the log of an existing case for appending. A torn final line
    /// (bytes after the last newline, left by an interrupted write) is cut off
    /// and a `repaired` entry recording its length and hash is appended; any
    /// complete line, valid or not, is left as found for `verify` to judge.
    pub(crate) fn open(layout: &Layout, actor: &str) -> Result<Self, Error> {
        let path = layout.custody_file();
        if !path.is_file() {
            return Err(Error::CustodyMissing { path });
        }
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .at(&path, "open custody log")?;
        let torn = fsutil::cut_torn_tail(&mut file, &path)?;
        let last = fsutil::last_complete_line(&mut file, &path)?;
        let (prev, next_seq) = match &last {
            // No entry at all: continuing would start a new chain and hide the loss.
            None => return Err(Error::CustodyMissing { path }),
            Some(line) => {
                let seq = serde_json::from_slice::<Value>(line)
                    .ok()
                    .and_then(|v| v.get("seq").and_then(Value::as_u64));
                let next = match seq {
                    Some(s) => s + 1,
                    None => fsutil::count_lines(&mut file, &path)? + 1,
                };
                (sha256_hex(line), next)
            }
        };
        let mut writer = Self {
            file,
            path,
            prev,
            next_seq,
            actor: actor.to_owned(),
            host: meta::host_name(),
            repaired: None,
        };
        if let Some(torn) = torn {
            writer.append(Action::Repaired, repair_details("custody.jsonl", &torn))?;
            writer.repaired = Some(torn);
        }
        Ok(writer)
    }

    /// Creates the log of a new case with its first entry. Fails if it exists.
    pub(crate) fn create(
        layout: &Layout,
        actor: &str,
        action: Action,
        details: Value,
    ) -> Result<AppendedEntry, Error> {
        let path = layout.custody_file();
        let file = OpenOptions::new()
            .create_new(true)
            .append(true)
            .read(true)
            .open(&path)
            .at(&path, "create custody log")?;
        let mut writer = Self {
            file,
            path,
            prev: ZERO.to_owned(),
            next_seq: 1,
            actor: actor.to_owned(),
            host: meta::host_name(),
            repaired: None,
        };
        writer.append(action, details)
    }

    /// The torn final line [`CustodyWriter::open`] cut off, if it did.
    pub(crate) fn repaired_tail(&self) -> Option<&TornTail> {
        self.repaired.as_ref()
    }

    /// Appends one entry durably (one write of the whole line, then fsync).
    pub(crate) fn append(
        &mut self,
        action: Action,
        details: Value,
    ) -> Result<AppendedEntry, Error> {
        let mut out = self.append_many(vec![(action, details)])?;
        out.pop()
            .ok_or_else(|| Error::Internal("custody append wrote no entry".into()))
    }

    /// Appends several entries with one write and one fsync (entries are still
    /// chained one to the next). A crash can leave a prefix of them plus one
    /// torn line, which the next writer repairs.
    pub(crate) fn append_many(
        &mut self,
        entries: Vec<(Action, Value)>,
    ) -> Result<Vec<AppendedEntry>, Error> {
        let mut buf = Vec::new();
        let mut written = Vec::with_capacity(entries.len());
        let (mut prev, mut seq) = (self.prev.clone(), self.next_seq);
        for (action, details) in entries {
            let entry = CustodyEntry::seal(
                seq,
                meta::now_utc(),
                self.actor.clone(),
                self.host.clone(),
                meta::TOOL.to_owned(),
                action,
                details,
                prev,
            )
            .map_err(|error| Error::Serialize {
                what: "custody entry",
                error,
            })?;
            let line = serde_json::to_vec(&entry).map_err(|error| Error::Serialize {
                what: "custody entry",
                error,
            })?;
            prev = sha256_hex(&line);
            written.push(AppendedEntry {
                seq,
                hash: entry.hash,
                line_sha256: prev.clone(),
            });
            buf.extend_from_slice(&line);
            buf.push(b'\n');
            seq += 1;
        }
        if buf.is_empty() {
            return Ok(written);
        }
        fsutil::append_durable(&mut self.file, &self.path, &buf)?;
        self.prev = prev;
        self.next_seq = seq;
        Ok(written)
    }
}

/// Details of a `repaired` entry: which file, where it was cut, what was removed.
pub(crate) fn repair_details(file: &str, torn: &TornTail) -> Value {
    let preview: String = String::from_utf8_lossy(&torn.bytes)
        .chars()
        .take(512)
        .collect();
    json!({
        "file": file,
        "reason": "incomplete final line (no newline) left by an interrupted write; removed",
        "truncated_at": torn.offset,
        "removed_bytes": torn.bytes.len(),
        "removed_sha256": sha256_hex(&torn.bytes),
        "removed_preview": preview,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn new_log() -> (tempfile::TempDir, Layout) {
        let dir = tempfile::tempdir().expect("tempdir");
        let layout = Layout::new(dir.path());
        CustodyWriter::create(&layout, "alice", Action::CaseCreated, json!({})).expect("create");
        (dir, layout)
    }

    #[test]
    fn entries_chain_to_previous_line_bytes() {
        let (_dir, layout) = new_log();
        let mut w = CustodyWriter::open(&layout, "alice").expect("open");
        let a = w
            .append(Action::Verified, json!({"ok": true}))
            .expect("append");
        assert_eq!(a.seq, 2);
        let content = fs::read(layout.custody_file()).expect("read");
        let (lines, tail) = fsutil::split_lines(&content);
        assert!(tail.is_empty());
        let second: CustodyEntry = serde_json::from_slice(lines[1]).expect("parse");
        assert_eq!(second.prev, sha256_hex(lines[0]));
        assert_eq!(a.line_sha256, sha256_hex(lines[1]));
        // Re-opening continues the chain.
        let mut w = CustodyWriter::open(&layout, "bob").expect("reopen");
        let b = w.append(Action::Verified, json!({})).expect("append");
        assert_eq!(b.seq, 3);
    }

    #[test]
    fn torn_tail_is_repaired_and_recorded() {
        let (_dir, layout) = new_log();
        let path = layout.custody_file();
        let mut content = fs::read(&path).expect("read");
        content.extend_from_slice(b"{\"seq\":2,\"ti");
        fs::write(&path, &content).expect("write torn");
        let mut w = CustodyWriter::open(&layout, "alice").expect("open repairs");
        let next = w.append(Action::Verified, json!({})).expect("append");
        assert_eq!(next.seq, 3, "seq 2 is the repaired entry");
        let content = fs::read(&path).expect("read");
        let (lines, tail) = fsutil::split_lines(&content);
        assert!(tail.is_empty());
        let repaired: CustodyEntry = serde_json::from_slice(lines[1]).expect("parse");
        assert_eq!(repaired.action, Action::Repaired);
        assert_eq!(repaired.details["removed_bytes"], json!(12));
    }

    #[test]
    fn missing_or_empty_log_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let layout = Layout::new(dir.path());
        match CustodyWriter::open(&layout, "a") {
            Err(Error::CustodyMissing { .. }) => {}
            other => panic!("expected CustodyMissing, got {other:?}"),
        }
        fs::write(layout.custody_file(), b"").expect("write");
        match CustodyWriter::open(&layout, "a") {
            Err(Error::CustodyMissing { .. }) => {}
            other => panic!("expected CustodyMissing for an empty log, got {other:?}"),
        }
    }
}
