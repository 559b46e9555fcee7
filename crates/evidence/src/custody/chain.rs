//! Checking the custody chain: every line parses, hashes to its `hash`, names
//! the previous line's hash in `prev`, and numbers itself one past the previous.

use std::path::Path;

use serde_json::Value;

use super::entry::{content_hash, CustodyEntry};
use crate::error::Error;
use crate::fsutil::{self, split_lines};
use crate::hash::{sha256_hex, ZERO};
use crate::problem::{Problem, ProblemKind};

/// The outcome of reading a custody log: its well-formed entries (by line
/// number from 1) and the problems found.
#[derive(Debug, Default)]
pub(crate) struct ChainScan {
    /// Entries that parsed, with their line numbers (even if their hash or
    /// links are broken: their content is still the best record there is).
    pub entries: Vec<(u64, CustodyEntry)>,
    /// Everything wrong with the chain, in line order.
    pub problems: Vec<Problem>,
    /// Number of complete lines.
    pub lines: u64,
    /// Hash of the last well-formed entry: the chain head to record elsewhere.
    pub head: Option<String>,
}

/// Checks the chain one line at a time, so a log of millions of entries is
/// checked in constant memory: each line parses, hashes to its `hash`, names
/// the previous line's hash in `prev`, and numbers itself one past the
/// previous.
#[derive(Debug)]
pub(crate) struct ChainChecker {
    prev_line_hash: String,
    expected_seq: Option<u64>,
    /// Problems found so far, in line order.
    pub problems: Vec<Problem>,
    /// Complete lines seen.
    pub lines: u64,
    /// Hash of the last well-formed entry.
    pub head: Option<String>,
}

impl Default for ChainChecker {
    fn default() -> Self {
        Self {
            prev_line_hash: ZERO.to_owned(),
            expected_seq: Some(1),
            problems: Vec::new(),
            lines: 0,
            head: None,
        }
    }
}

impl ChainChecker {
    /// Checks the next complete line (without its newline); returns its entry
    /// when it parses, even if its hash or links are broken.
    pub(crate) fn line(&mut self, line: &[u8]) -> Option<CustodyEntry> {
        self.lines += 1;
        let n = self.lines;
        let expected_prev = std::mem::replace(&mut self.prev_line_hash, sha256_hex(line));
        let value: Value = match serde_json::from_slice(line) {
            Ok(v) => v,
            Err(e) => {
                self.problems.push(unparsable(n, &format!("not JSON: {e}")));
                self.expected_seq = None;
                return None;
            }
        };
        let computed = content_hash(&value);
        let entry: CustodyEntry = match serde_json::from_value(value) {
            Ok(e) => e,
            Err(e) => {
                self.problems
                    .push(unparsable(n, &format!("not a custody entry: {e}")));
                self.expected_seq = None;
                return None;
            }
        };
        self.check_links(n, &entry, &computed, &expected_prev);
        self.expected_seq = Some(entry.seq.saturating_add(1));
        self.head = Some(entry.hash.clone());
        Some(entry)
    }

    fn check_links(&mut self, n: u64, entry: &CustodyEntry, computed: &str, expected_prev: &str) {
        if computed != entry.hash {
            self.problems.push(
                Problem::new(
                    ProblemKind::CustodyHashMismatch,
                    format!(
                        "custody entry {n} ({}) was altered: its content no longer hashes to its recorded hash",
                        entry.action
                    ),
                )
                .entry(n)
                .expected(&entry.hash)
                .actual(computed),
            );
        }
        if entry.prev != expected_prev {
            self.problems.push(
                Problem::new(
                    ProblemKind::CustodyPrevMismatch,
                    format!(
                        "custody entry {n} ({}) does not link to the line before it: an entry before it was edited, deleted, inserted or moved",
                        entry.action
                    ),
                )
                .entry(n)
                .expected(expected_prev)
                .actual(&entry.prev),
            );
        }
        if let Some(want) = self.expected_seq.filter(|want| *want != entry.seq) {
            self.problems.push(
                Problem::new(
                    ProblemKind::CustodyBadSeq,
                    format!(
                        "custody entry {n} ({}) has sequence number {} where {want} was expected: entries were deleted, inserted or reordered",
                        entry.action, entry.seq
                    ),
                )
                .entry(n)
                .expected(&want.to_string())
                .actual(&entry.seq.to_string()),
            );
        }
    }

    /// Ends the check: names a torn final line of `tail_bytes` bytes, or an
    /// empty log.
    pub(crate) fn finish(&mut self, tail_bytes: usize) {
        if tail_bytes > 0 {
            let n = self.lines + 1;
            self.problems.push(
                Problem::new(
                    ProblemKind::CustodyTornTail,
                    format!(
                        "custody entry {n} is an incomplete final line ({tail_bytes} bytes, no newline) left by an interrupted write; the next writer removes it and records a `repaired` entry"
                    ),
                )
                .entry(n),
            );
        } else if self.lines == 0 {
            self.problems.push(Problem::new(
                ProblemKind::CustodyMissing,
                "custody log is empty: expected at least the case_created entry".to_owned(),
            ));
        }
    }
}

/// Checks the log content `content` (the whole of `custody.jsonl`).
pub(crate) fn scan(content: &[u8]) -> ChainScan {
    let (lines, tail) = split_lines(content);
    let mut checker = ChainChecker::default();
    let mut entries = Vec::new();
    for line in lines {
        if let Some(entry) = checker.line(line) {
            entries.push((checker.lines, entry));
        }
    }
    checker.finish(tail.len());
    ChainScan {
        entries,
        problems: checker.problems,
        lines: checker.lines,
        head: checker.head,
    }
}

/// Checks the log at `path` line by line, handing each well-formed entry
/// (with its line number) to `visit` instead of keeping it: constant memory
/// however long the log. The returned scan has no `entries`.
pub(crate) fn scan_file(
    path: &Path,
    mut visit: impl FnMut(u64, CustodyEntry),
) -> Result<ChainScan, Error> {
    let mut checker = ChainChecker::default();
    let stats = fsutil::for_each_line::<Error, _>(path, None, |_, line| {
        if let Some(entry) = checker.line(fsutil::content(line)) {
            visit(checker.lines, entry);
        }
        Ok(())
    })?;
    checker.finish(stats.torn_tail_bytes as usize);
    Ok(ChainScan {
        entries: Vec::new(),
        problems: checker.problems,
        lines: checker.lines,
        head: checker.head,
    })
}

fn unparsable(n: u64, why: &str) -> Problem {
    Problem::new(
        ProblemKind::CustodyUnparsable,
        format!("custody entry {n} is unreadable ({why})"),
    )
    .entry(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::custody::entry::Action;
    use crate::custody::writer::CustodyWriter;
    use crate::layout::Layout;
    use serde_json::json;

    /// A valid log of `n` entries, as lines.
    fn log(n: usize) -> Vec<Vec<u8>> {
        let dir = tempfile::tempdir().expect("tempdir");
        let layout = Layout::new(dir.path());
        CustodyWriter::create(&layout, "a", Action::CaseCreated, json!({})).expect("create");
        let mut w = CustodyWriter::open(&layout, "a").expect("open");
        for i in 1..n {
            w.append(Action::Other("step".into()), json!({ "i": i }))
                .expect("append");
        }
        let content = std::fs::read(layout.custody_file()).expect("read");
        content
            .split(|&b| b == b'\n')
            .filter(|l| !l.is_empty())
            .map(<[u8]>::to_vec)
            .collect()
    }

    fn join(lines: &[Vec<u8>]) -> Vec<u8> {
        let mut out = Vec::new();
        for l in lines {
            out.extend_from_slice(l);
            out.push(b'\n');
        }
        out
    }

    fn kinds(scan: &ChainScan) -> Vec<(ProblemKind, Option<u64>)> {
        scan.problems.iter().map(|p| (p.kind, p.entry)).collect()
    }

    #[test]
    fn intact_log_has_no_problems() {
        let s = scan(&join(&log(5)));
        assert!(s.problems.is_empty(), "{:?}", s.problems);
        assert_eq!(s.entries.len(), 5);
        assert_eq!(s.lines, 5);
        assert!(s.head.is_some());
    }

    #[test]
    fn edited_entry_breaks_its_hash_and_next_prev() {
        let mut lines = log(4);
        let text = String::from_utf8(lines[1].clone()).expect("utf8");
        lines[1] = text.replace("\"i\":1", "\"i\":7").into_bytes();
        assert_eq!(
            kinds(&scan(&join(&lines))),
            vec![
                (ProblemKind::CustodyHashMismatch, Some(2)),
                (ProblemKind::CustodyPrevMismatch, Some(3))
            ]
        );
    }

    #[test]
    fn deleted_entry_breaks_link_and_seq() {
        let mut lines = log(4);
        lines.remove(1);
        assert_eq!(
            kinds(&scan(&join(&lines))),
            vec![
                (ProblemKind::CustodyPrevMismatch, Some(2)),
                (ProblemKind::CustodyBadSeq, Some(2))
            ]
        );
    }

    #[test]
    fn reordered_entries_are_named() {
        let mut lines = log(4);
        lines.swap(1, 2);
        let k = kinds(&scan(&join(&lines)));
        assert!(k.contains(&(ProblemKind::CustodyBadSeq, Some(2))), "{k:?}");
        assert!(
            k.contains(&(ProblemKind::CustodyPrevMismatch, Some(2))),
            "{k:?}"
        );
        assert!(
            k.contains(&(ProblemKind::CustodyPrevMismatch, Some(4))),
            "{k:?}"
        );
    }

    #[test]
    fn inserted_and_garbage_lines_are_named() {
        let mut lines = log(3);
        let copy = lines[1].clone();
        lines.insert(2, copy);
        let k = kinds(&scan(&join(&lines)));
        assert!(
            k.contains(&(ProblemKind::CustodyPrevMismatch, Some(3))),
            "{k:?}"
        );
        assert!(k.contains(&(ProblemKind::CustodyBadSeq, Some(3))), "{k:?}");

        let mut lines = log(3);
        lines[1] = b"not json".to_vec();
        let k = kinds(&scan(&join(&lines)));
        assert_eq!(
            k,
            vec![
                (ProblemKind::CustodyUnparsable, Some(2)),
                (ProblemKind::CustodyPrevMismatch, Some(3))
            ]
        );
    }

    #[test]
    fn torn_tail_and_empty_log_are_named() {
        let mut content = join(&log(2));
        content.extend_from_slice(b"{\"seq\":3");
        assert_eq!(
            kinds(&scan(&content)),
            vec![(ProblemKind::CustodyTornTail, Some(3))]
        );
        assert_eq!(kinds(&scan(b"")), vec![(ProblemKind::CustodyMissing, None)]);
    }
}
