//! Checking the custody chain: every line parses, hashes to its `hash`, names
//! the previous line's hash in `prev`, and numbers itself one past the previous.

use serde_json::Value;

use super::entry::{content_hash, CustodyEntry};
use crate::fsutil::split_lines;
use crate::hash::{sha256_hex, ZERO};
use crate::verify::{Problem, ProblemKind};

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

/// Checks the log content `content` (the whole of `custody.jsonl`).
pub(crate) fn scan(content: &[u8]) -> ChainScan {
    let (lines, tail) = split_lines(content);
    let mut scan = ChainScan {
        lines: lines.len() as u64,
        ..ChainScan::default()
    };
    let mut prev_line_hash = ZERO.to_owned();
    let mut expected_seq = Some(1u64);
    for (i, line) in lines.iter().enumerate() {
        let n = i as u64 + 1;
        let expected_prev = std::mem::replace(&mut prev_line_hash, sha256_hex(line));
        let value: Value = match serde_json::from_slice(line) {
            Ok(v) => v,
            Err(e) => {
                scan.problems.push(unparsable(n, &format!("not JSON: {e}")));
                expected_seq = None;
                continue;
            }
        };
        let entry: CustodyEntry = match serde_json::from_value(value.clone()) {
            Ok(e) => e,
            Err(e) => {
                scan.problems
                    .push(unparsable(n, &format!("not a custody entry: {e}")));
                expected_seq = None;
                continue;
            }
        };
        let computed = content_hash(&value);
        if computed != entry.hash {
            scan.problems.push(
                Problem::new(
                    ProblemKind::CustodyHashMismatch,
                    format!(
                        "custody entry {n} ({}) was altered: its content no longer hashes to its recorded hash",
                        entry.action
                    ),
                )
                .entry(n)
                .expected(&entry.hash)
                .actual(&computed),
            );
        }
        if entry.prev != expected_prev {
            scan.problems.push(
                Problem::new(
                    ProblemKind::CustodyPrevMismatch,
                    format!(
                        "custody entry {n} ({}) does not link to the line before it: an entry before it was edited, deleted, inserted or moved",
                        entry.action
                    ),
                )
                .entry(n)
                .expected(&expected_prev)
                .actual(&entry.prev),
            );
        }
        if let Some(want) = expected_seq {
            if entry.seq != want {
                scan.problems.push(
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
        expected_seq = Some(entry.seq.saturating_add(1));
        scan.head = Some(entry.hash.clone());
        scan.entries.push((n, entry));
    }
    if !tail.is_empty() {
        let n = lines.len() as u64 + 1;
        scan.problems.push(
            Problem::new(
                ProblemKind::CustodyTornTail,
                format!(
                    "custody entry {n} is an incomplete final line ({} bytes, no newline) left by an interrupted write; the next writer removes it and records a `repaired` entry",
                    tail.len()
                ),
            )
            .entry(n),
        );
    }
    if lines.is_empty() && tail.is_empty() {
        scan.problems.push(Problem::new(
            ProblemKind::CustodyMissing,
            "custody log is empty: expected at least the case_created entry".to_owned(),
        ));
    }
    scan
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
