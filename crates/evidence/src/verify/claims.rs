//! What the custody log and the manifest claim about the evidence, read line
//! by line and kept compact (digests as bytes, one source path per manifest
//! line), so that verifying a case of millions of objects needs memory for
//! its index only, never for the logs' text.

use std::path::Path;

use serde_json::Value;

use crate::custody::{Action, CustodyEntry};
use crate::error::Error;
use crate::fsutil;
use crate::hash::Sha256Digest;
use crate::manifest::ManifestRecord;
use crate::problem::{Problem, ProblemKind};

/// One `acquired` custody entry's claims.
#[derive(Debug)]
pub(crate) struct AcquiredClaim {
    /// Its line in `custody.jsonl`, from 1.
    pub line: u64,
    /// The object it records (`None` when the entry names no valid SHA-256).
    pub sha256: Option<Sha256Digest>,
    /// The SHA-256 of the manifest line it records, when it records one.
    pub manifest_line: Option<Sha256Digest>,
}

/// What the custody log claims: every acquisition, and the hash of
/// `case.json` recorded at creation.
#[derive(Debug, Default)]
pub(crate) struct CustodyClaims {
    /// `acquired` entries, in log order.
    pub acquired: Vec<AcquiredClaim>,
    /// The first `case_created` entry: its line and recorded `case.json` hash.
    pub case_created: Option<CaseCreated>,
}

/// The `case_created` entry's claim about `case.json`.
#[derive(Debug)]
pub(crate) struct CaseCreated {
    /// Its line in `custody.jsonl`.
    pub line: u64,
    /// The recorded SHA-256 of `case.json`, hex.
    pub case_json_sha256: Option<String>,
}

impl CustodyClaims {
    /// Takes what one well-formed custody entry claims.
    pub(crate) fn take(&mut self, line: u64, entry: &CustodyEntry) {
        let detail = |k: &str| entry.details.get(k).and_then(Value::as_str);
        match entry.action {
            Action::Acquired => self.acquired.push(AcquiredClaim {
                line,
                sha256: detail("sha256").and_then(Sha256Digest::from_hex),
                manifest_line: detail("manifest_line_sha256").and_then(Sha256Digest::from_hex),
            }),
            Action::CaseCreated if self.case_created.is_none() => {
                self.case_created = Some(CaseCreated {
                    line,
                    case_json_sha256: detail("case_json_sha256").map(str::to_owned),
                });
            }
            _ => {}
        }
    }
}

/// One manifest line's claims.
#[derive(Debug)]
pub(crate) struct ManifestClaim {
    /// Its line in `manifest.jsonl`, from 1.
    pub line: u64,
    /// SHA-256 of the line's bytes (what custody records).
    pub line_sha256: Sha256Digest,
    /// The object it names, or the text it has instead of a valid SHA-256.
    pub object: Result<Sha256Digest, Box<str>>,
    /// Where the content was acquired from.
    pub source: Box<str>,
}

/// What the manifest claims, with its unreadable lines.
#[derive(Debug, Default)]
pub(crate) struct ManifestClaims {
    /// Lines that parsed, in order.
    pub lines: Vec<ManifestClaim>,
    /// SHA-256 of every complete line, parsed or not.
    pub line_hashes: Vec<Sha256Digest>,
    /// Unparsable lines and a torn tail.
    pub problems: Vec<Problem>,
}

impl ManifestClaims {
    /// Reads the manifest at `path` line by line.
    pub(crate) fn read(path: &Path) -> Result<Self, Error> {
        let mut claims = Self::default();
        let stats = fsutil::for_each_line::<Error, _>(path, None, |_, bytes| {
            claims.take(fsutil::content(bytes));
            Ok(())
        })?;
        let tail = stats.torn_tail_bytes;
        if tail > 0 {
            let n = claims.line_hashes.len() as u64 + 1;
            claims.problems.push(
                Problem::new(
                    ProblemKind::ManifestTornTail,
                    format!(
                        "manifest entry {n} is an incomplete final line ({tail} bytes, no newline) left by an interrupted write; the next acquisition removes it"
                    ),
                )
                .entry(n),
            );
        }
        Ok(claims)
    }

    fn take(&mut self, bytes: &[u8]) {
        let line_sha256 = Sha256Digest::of(bytes);
        self.line_hashes.push(line_sha256);
        let n = self.line_hashes.len() as u64;
        match serde_json::from_slice::<ManifestRecord>(bytes) {
            Ok(record) => self.lines.push(ManifestClaim {
                line: n,
                line_sha256,
                object: Sha256Digest::from_hex(&record.sha256).ok_or(record.sha256.into()),
                source: record.source.into(),
            }),
            Err(e) => self.problems.push(
                Problem::new(
                    ProblemKind::ManifestUnparsable,
                    format!("manifest entry {n} is unreadable ({e})"),
                )
                .entry(n),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_torn_lines_are_problems() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("manifest.jsonl");
        std::fs::write(&path, b"{}\nnope\n{\"sha").expect("write");
        let claims = ManifestClaims::read(&path).expect("read");
        let kinds: Vec<_> = claims.problems.iter().map(|p| (p.kind, p.entry)).collect();
        assert_eq!(
            kinds,
            vec![
                (ProblemKind::ManifestUnparsable, Some(1)),
                (ProblemKind::ManifestUnparsable, Some(2)),
                (ProblemKind::ManifestTornTail, Some(3)),
            ]
        );
        assert_eq!(claims.line_hashes.len(), 2);
        assert!(claims.lines.is_empty());
    }
}
