//! The acquisition manifest, `manifest.jsonl`: one JSON line per (object,
//! source) pair, appended after the object is durable. Each line's SHA-256 is
//! recorded in the `acquired` custody entry written for it, which is how
//! `verify` detects edited, inserted or deleted manifest lines.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext};
use crate::fsutil::{self, split_lines, TornTail};
use crate::hash::sha256_hex;
use crate::verify::{Problem, ProblemKind};

/// One acquired (object, source) pair: what was taken, from where, when, by whom.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestRecord {
    /// SHA-256 of the content, lower-case hex: the object's name.
    pub sha256: String,
    /// Content length in bytes.
    pub size: u64,
    /// Object path relative to the case root (`evidence/objects/sha256/ab/ab…`).
    pub object: String,
    /// Original location: an absolute path for local files, otherwise a URI.
    pub source: String,
    /// Kind of source (`file`; later `s3`, `aws-api`, …).
    pub source_kind: String,
    /// Source modification time, RFC 3339 UTC, when the source has one.
    pub mtime: Option<String>,
    /// When the acquisition was recorded, RFC 3339 UTC.
    pub acquired: String,
    /// Who acquired it.
    pub examiner: String,
    /// Host it was acquired on.
    pub host: String,
    /// Tool and version that acquired it.
    pub tool: String,
    /// Command line of the acquiring process.
    pub command: Vec<String>,
    /// The source's identity of the content when acquired (see
    /// `SourceItem::identity`); absent for local files and in older manifests.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// Source metadata at acquisition (S3: `etag`, `version_id`,
    /// `last_modified`, `x-amz-meta-signature`…); absent when empty, so
    /// manifests without it read and verify unchanged.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
}

/// A manifest line that parsed, with where it is and its line hash.
#[derive(Debug, Clone)]
pub(crate) struct ManifestLine {
    /// Line number, from 1.
    pub line: u64,
    /// SHA-256 of the line's bytes (as recorded in custody).
    pub line_sha256: String,
    /// The record.
    pub record: ManifestRecord,
}

/// The manifest as read: parsed lines and what could not be read.
#[derive(Debug, Default)]
pub(crate) struct ManifestScan {
    /// Lines that parsed.
    pub lines: Vec<ManifestLine>,
    /// SHA-256 of every complete line, parsed or not, in order.
    pub line_hashes: Vec<String>,
    /// Unparsable lines and torn tail.
    pub problems: Vec<Problem>,
}

/// Reads the manifest at `path`; a missing file reads as empty.
pub(crate) fn read(path: &Path) -> Result<ManifestScan, Error> {
    let content = match fs::read(path) {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io(path, "read manifest", e)),
    };
    Ok(parse(&content))
}

/// Parses manifest content.
pub(crate) fn parse(content: &[u8]) -> ManifestScan {
    let (lines, tail) = split_lines(content);
    let mut scan = ManifestScan::default();
    for (i, line) in lines.iter().enumerate() {
        let n = i as u64 + 1;
        let line_sha256 = sha256_hex(line);
        scan.line_hashes.push(line_sha256.clone());
        match serde_json::from_slice::<ManifestRecord>(line) {
            Ok(record) => scan.lines.push(ManifestLine {
                line: n,
                line_sha256,
                record,
            }),
            Err(e) => scan.problems.push(
                Problem::new(
                    ProblemKind::ManifestUnparsable,
                    format!("manifest entry {n} is unreadable ({e})"),
                )
                .entry(n),
            ),
        }
    }
    if !tail.is_empty() {
        let n = lines.len() as u64 + 1;
        scan.problems.push(
            Problem::new(
                ProblemKind::ManifestTornTail,
                format!(
                    "manifest entry {n} is an incomplete final line ({} bytes, no newline) left by an interrupted write; the next acquisition removes it",
                    tail.len()
                ),
            )
            .entry(n),
        );
    }
    scan
}

/// What an acquisition needs to know about what the case already holds.
#[derive(Debug, Default)]
pub(crate) struct ManifestIndex {
    pairs: HashSet<(String, String)>,
    shas: HashSet<String>,
    last_by_source: HashMap<String, (u64, Option<String>, String)>,
    by_identity: HashMap<(String, String), (String, u64)>,
}

impl ManifestIndex {
    /// Index of the parsed lines of a manifest.
    pub(crate) fn new(lines: &[ManifestLine]) -> Self {
        let mut index = Self::default();
        for l in lines {
            index.insert(&l.record);
        }
        index
    }

    /// Adds a record.
    pub(crate) fn insert(&mut self, r: &ManifestRecord) {
        self.pairs.insert((r.sha256.clone(), r.source.clone()));
        self.shas.insert(r.sha256.clone());
        self.last_by_source.insert(
            r.source.clone(),
            (r.size, r.mtime.clone(), r.sha256.clone()),
        );
        if let Some(identity) = &r.identity {
            self.by_identity.insert(
                (r.source.clone(), identity.clone()),
                (r.sha256.clone(), r.size),
            );
        }
    }

    /// The content (SHA-256 and size) recorded for `source` when it had this
    /// same source-defined identity: the item need not be read again.
    pub(crate) fn held_identity(&self, source: &str, identity: &str) -> Option<(&str, u64)> {
        self.by_identity
            .get(&(source.to_owned(), identity.to_owned()))
            .map(|(sha, size)| (sha.as_str(), *size))
    }

    /// Whether this content is recorded as coming from this source.
    pub(crate) fn has_pair(&self, sha256: &str, source: &str) -> bool {
        self.pairs.contains(&(sha256.to_owned(), source.to_owned()))
    }

    /// Whether this content is recorded at all.
    pub(crate) fn has_sha(&self, sha256: &str) -> bool {
        self.shas.contains(sha256)
    }

    /// The content last recorded for `source` if it was recorded with this same
    /// size and mtime (a likely-unchanged source that only needs re-hashing).
    pub(crate) fn expected_sha(
        &self,
        source: &str,
        size: Option<u64>,
        mtime: Option<&str>,
    ) -> Option<&str> {
        let (s, m, sha) = self.last_by_source.get(source)?;
        (Some(*s) == size && m.is_some() && m.as_deref() == mtime).then_some(sha.as_str())
    }
}

/// The manifest opened for appending. Callers hold the case lock.
#[derive(Debug)]
pub(crate) struct ManifestWriter {
    file: File,
    path: PathBuf,
}

impl ManifestWriter {
    /// Opens (creating if absent) the manifest, cutting off a torn final line,
    /// which is returned so the caller records the repair in the custody log.
    pub(crate) fn open(path: &Path) -> Result<(Self, Option<TornTail>), Error> {
        let mut file = OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .at(path, "open manifest")?;
        let torn = fsutil::cut_torn_tail(&mut file, path)?;
        Ok((
            Self {
                file,
                path: path.to_path_buf(),
            },
            torn,
        ))
    }

    /// Serializes a record as one line (without newline) and its SHA-256.
    pub(crate) fn line(record: &ManifestRecord) -> Result<(Vec<u8>, String), Error> {
        let line = serde_json::to_vec(record).map_err(|error| Error::Serialize {
            what: "manifest record",
            error,
        })?;
        let sha = sha256_hex(&line);
        Ok((line, sha))
    }

    /// Appends lines (each without newline) with one write and one fsync.
    pub(crate) fn append(&mut self, lines: &[Vec<u8>]) -> Result<(), Error> {
        if lines.is_empty() {
            return Ok(());
        }
        let mut buf = Vec::with_capacity(lines.iter().map(|l| l.len() + 1).sum());
        for l in lines {
            buf.extend_from_slice(l);
            buf.push(b'\n');
        }
        fsutil::append_durable(&mut self.file, &self.path, &buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn record(sha: &str, source: &str) -> ManifestRecord {
        ManifestRecord {
            sha256: sha.into(),
            size: 3,
            object: crate::layout::Layout::object_rel(sha),
            source: source.into(),
            source_kind: "file".into(),
            mtime: Some("2024-01-01T00:00:00Z".into()),
            acquired: "2024-01-02T00:00:00Z".into(),
            examiner: "alice".into(),
            host: "h".into(),
            tool: "t".into(),
            command: vec!["cloudcase".into()],
            identity: None,
            metadata: BTreeMap::new(),
        }
    }

    #[test]
    fn write_then_read_and_index() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("manifest.jsonl");
        let (mut w, torn) = ManifestWriter::open(&path).expect("open");
        assert!(torn.is_none());
        let a = "a".repeat(64);
        let (l1, h1) = ManifestWriter::line(&record(&a, "/x")).expect("line");
        let (l2, _) = ManifestWriter::line(&record(&a, "/y")).expect("line");
        w.append(&[l1, l2]).expect("append");
        let scan = read(&path).expect("read");
        assert!(scan.problems.is_empty());
        assert_eq!(scan.lines.len(), 2);
        assert_eq!(scan.lines[0].line_sha256, h1);
        let index = ManifestIndex::new(&scan.lines);
        assert!(index.has_pair(&a, "/y"));
        assert!(!index.has_pair(&a, "/z"));
        assert!(index.has_sha(&a));
        assert_eq!(
            index.expected_sha("/x", Some(3), Some("2024-01-01T00:00:00Z")),
            Some(a.as_str())
        );
        assert_eq!(
            index.expected_sha("/x", Some(4), Some("2024-01-01T00:00:00Z")),
            None
        );
        assert_eq!(index.held_identity("/x", "etag=1"), None);
    }

    #[test]
    fn identity_and_metadata_round_trip_and_old_lines_still_parse() {
        let a = "a".repeat(64);
        let old = ManifestWriter::line(&record(&a, "/x")).expect("line").0;
        let text = String::from_utf8(old.clone()).expect("utf8");
        assert!(
            !text.contains("identity") && !text.contains("metadata"),
            "{text}"
        );
        let mut r = record(&a, "s3://b/k");
        r.identity = Some("etag=\"e\";size=3".into());
        r.metadata
            .insert("x-amz-meta-signature".into(), "ab".into());
        let line = ManifestWriter::line(&r).expect("line").0;
        let scan = parse(&[old, b"\n".to_vec(), line, b"\n".to_vec()].concat());
        assert!(scan.problems.is_empty());
        assert_eq!(scan.lines[1].record, r);
        let index = ManifestIndex::new(&scan.lines);
        assert_eq!(
            index.held_identity("s3://b/k", "etag=\"e\";size=3"),
            Some((a.as_str(), 3))
        );
        assert_eq!(index.held_identity("s3://b/k", "etag=\"f\";size=3"), None);
    }

    #[test]
    fn garbage_and_torn_lines_are_problems() {
        let scan = parse(b"{}\nnope\n{\"sha");
        let kinds: Vec<_> = scan.problems.iter().map(|p| (p.kind, p.entry)).collect();
        assert_eq!(
            kinds,
            vec![
                (ProblemKind::ManifestUnparsable, Some(1)),
                (ProblemKind::ManifestUnparsable, Some(2)),
                (ProblemKind::ManifestTornTail, Some(3)),
            ]
        );
        assert_eq!(scan.line_hashes.len(), 2);
    }
}
