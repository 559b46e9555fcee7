//! The acquisition manifest, `manifest.jsonl`: one JSON line per (object,
//! source) pair, appended after the object is durable. Each line's SHA-256 is
//! recorded in the `acquired` custody entry written for it, which is how
//! `verify` detects edited, inserted or deleted manifest lines.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, IoContext};
use crate::fsutil::{self, TornTail};
use crate::hash::{sha256_hex, Sha256Digest};

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

/// One complete line of `manifest.jsonl`, as handed out by
/// [`crate::Case::for_each_manifest_line`].
#[derive(Debug, Clone, Copy)]
pub struct ManifestLineRef<'a> {
    /// Line number, from 1 (counting unparsable lines too).
    pub number: u64,
    /// The line's exact bytes, including its trailing `\n`.
    pub bytes: &'a [u8],
    /// The parsed record; `None` when the line is not a manifest record
    /// (`verify` names such lines as `manifest_unparsable`).
    pub record: Option<&'a ManifestRecord>,
}

impl ManifestLineRef<'_> {
    /// The line without its trailing newline: the bytes whose SHA-256 the
    /// `acquired` custody entry records as `manifest_line_sha256`.
    pub fn content(&self) -> &[u8] {
        self.bytes.strip_suffix(b"\n").unwrap_or(self.bytes)
    }
}

pub use crate::fsutil::LineStats;

/// Streams the manifest at `path` (see [`crate::Case::for_each_manifest_line`]).
pub(crate) fn stream<E, F>(path: &Path, mut f: F) -> Result<LineStats, E>
where
    E: From<Error>,
    F: FnMut(ManifestLineRef<'_>) -> Result<(), E>,
{
    let mut unparsable = 0;
    let mut stats = fsutil::for_each_line(path, None, |number, bytes| {
        let content = bytes.strip_suffix(b"\n").unwrap_or(bytes);
        let record = serde_json::from_slice::<ManifestRecord>(content).ok();
        if record.is_none() {
            unparsable += 1;
        }
        f(ManifestLineRef {
            number,
            bytes,
            record: record.as_ref(),
        })
    })?;
    stats.unparsable = unparsable;
    Ok(stats)
}

/// What an acquisition needs to know about what the case already holds,
/// kept compact (digests as 32 bytes, each source path once): a case of a
/// million objects costs about 250 MB here, not the manifest's text.
#[derive(Debug, Default)]
pub(crate) struct ManifestIndex {
    shas: HashSet<Sha256Digest>,
    sources: HashMap<Box<str>, SourceHistory>,
    by_identity: HashMap<IdentityKey, HeldContent>,
}

/// What one source delivered, as recorded.
#[derive(Debug)]
struct SourceHistory {
    /// Size when last recorded.
    size: u64,
    /// Modification time when last recorded.
    mtime: Option<Box<str>>,
    /// Content last recorded.
    last: Sha256Digest,
    /// Contents recorded before (a source that changed between runs).
    earlier: Vec<Sha256Digest>,
}

/// A remote item's URI and its source-defined identity (S3: ETag and size).
type IdentityKey = (Box<str>, Box<str>);

/// Content held for an identity.
#[derive(Debug, Clone, Copy)]
struct HeldContent {
    sha256: Sha256Digest,
    size: u64,
}

impl ManifestIndex {
    /// Adds a record. A record whose `sha256` is not a SHA-256 names nothing
    /// the store can hold and is left out (`verify` names it).
    pub(crate) fn insert(&mut self, r: &ManifestRecord) {
        let Some(sha256) = Sha256Digest::from_hex(&r.sha256) else {
            return;
        };
        self.shas.insert(sha256);
        let mtime = r.mtime.as_deref().map(Box::from);
        match self.sources.get_mut(r.source.as_str()) {
            Some(h) => {
                if h.last != sha256 {
                    h.earlier.push(h.last);
                    h.earlier.retain(|d| *d != sha256);
                }
                (h.size, h.mtime, h.last) = (r.size, mtime, sha256);
            }
            None => {
                let history = SourceHistory {
                    size: r.size,
                    mtime,
                    last: sha256,
                    earlier: Vec::new(),
                };
                self.sources.insert(r.source.as_str().into(), history);
            }
        }
        if let Some(identity) = &r.identity {
            let key = (r.source.as_str().into(), identity.as_str().into());
            let held = HeldContent {
                sha256,
                size: r.size,
            };
            self.by_identity.insert(key, held);
        }
    }

    /// Adds a content only (an object recorded during a run: its source was
    /// listed once in the run and needs no history for the rest of it).
    pub(crate) fn insert_content(&mut self, sha256: &str) {
        if let Some(d) = Sha256Digest::from_hex(sha256) {
            self.shas.insert(d);
        }
    }

    /// The content (SHA-256 and size) recorded for `source` when it had this
    /// same source-defined identity: the item need not be read again.
    pub(crate) fn held_identity(&self, source: &str, identity: &str) -> Option<(String, u64)> {
        let key: IdentityKey = (source.into(), identity.into());
        self.by_identity
            .get(&key)
            .map(|h| (h.sha256.to_hex(), h.size))
    }

    /// Whether this content is recorded as coming from this source.
    pub(crate) fn has_pair(&self, sha256: &str, source: &str) -> bool {
        let Some(d) = Sha256Digest::from_hex(sha256) else {
            return false;
        };
        self.sources
            .get(source)
            .is_some_and(|h| h.last == d || h.earlier.contains(&d))
    }

    /// Whether this content is recorded at all.
    pub(crate) fn has_sha(&self, sha256: &str) -> bool {
        Sha256Digest::from_hex(sha256).is_some_and(|d| self.shas.contains(&d))
    }

    /// The content last recorded for `source` if it was recorded with this same
    /// size and mtime (a likely-unchanged source that only needs re-hashing).
    pub(crate) fn expected_sha(
        &self,
        source: &str,
        size: Option<u64>,
        mtime: Option<&str>,
    ) -> Option<String> {
        let h = self.sources.get(source)?;
        let same = Some(h.size) == size && h.mtime.is_some() && h.mtime.as_deref() == mtime;
        same.then(|| h.last.to_hex())
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
    fn a_source_that_changed_back_and_forth_keeps_every_content_it_gave() {
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        let mut index = ManifestIndex::default();
        for sha in [&a, &b, &a] {
            index.insert(&record(sha, "/x"));
        }
        assert!(index.has_pair(&a, "/x") && index.has_pair(&b, "/x"));
        assert!(!index.has_pair(&a, "/y"));
        assert_eq!(
            index.expected_sha("/x", Some(3), Some("2024-01-01T00:00:00Z")),
            Some(a.clone())
        );
        let bad = record("not a digest", "/z");
        index.insert(&bad);
        assert!(!index.has_sha("not a digest") && !index.has_pair("not a digest", "/z"));
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
        let mut index = ManifestIndex::default();
        let mut hashes = Vec::new();
        let stats = stream::<Error, _>(&path, |l| {
            hashes.push(sha256_hex(l.content()));
            index.insert(l.record.expect("parses"));
            Ok(())
        })
        .expect("read");
        assert_eq!((stats.lines, stats.unparsable), (2, 0));
        assert_eq!(hashes[0], h1);
        assert!(index.has_pair(&a, "/y"));
        assert!(!index.has_pair(&a, "/z"));
        assert!(index.has_sha(&a));
        assert_eq!(
            index.expected_sha("/x", Some(3), Some("2024-01-01T00:00:00Z")),
            Some(a.clone())
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
        let parsed: Vec<ManifestRecord> = [old, line]
            .iter()
            .map(|l| serde_json::from_slice(l).expect("parses"))
            .collect();
        assert_eq!(parsed[1], r);
        let mut index = ManifestIndex::default();
        parsed.iter().for_each(|p| index.insert(p));
        assert_eq!(
            index.held_identity("s3://b/k", "etag=\"e\";size=3"),
            Some((a.clone(), 3))
        );
        assert_eq!(index.held_identity("s3://b/k", "etag=\"f\";size=3"), None);
    }

    #[test]
    fn streaming_hands_out_exact_lines_and_skips_a_torn_tail() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("manifest.jsonl");
        let a = "a".repeat(64);
        let l1 = ManifestWriter::line(&record(&a, "/x")).expect("line").0;
        let l2 = ManifestWriter::line(&record(&a, "/y")).expect("line").0;
        let content = [l1.clone(), b"\nnope\n".to_vec(), l2, b"\n{\"sha".to_vec()].concat();
        std::fs::write(&path, &content).expect("write");
        let mut seen = Vec::new();
        let mut bytes = Vec::new();
        let stats = stream::<Error, _>(&path, |l| {
            seen.push((l.number, l.record.map(|r| r.source.clone())));
            bytes.extend_from_slice(l.bytes);
            assert_eq!(l.content().len() + 1, l.bytes.len());
            Ok(())
        })
        .expect("stream");
        assert_eq!(
            seen,
            vec![(1, Some("/x".into())), (2, None), (3, Some("/y".into()))]
        );
        assert_eq!(bytes, content[..content.len() - 5]);
        assert_eq!(
            stats,
            LineStats {
                lines: 3,
                bytes: bytes.len() as u64,
                unparsable: 1,
                torn_tail_bytes: 5,
            }
        );
        let missing = stream::<Error, _>(&dir.path().join("none"), |_| Ok(())).expect("empty");
        assert_eq!(missing, LineStats::default());
        let stop = stream::<Error, _>(&path, |l| {
            if l.number == 2 {
                Err(Error::Internal("stop".into()))
            } else {
                Ok(())
            }
        });
        assert!(matches!(stop, Err(Error::Internal(_))));
    }
}
