//! The acquisition manifest, `manifest.jsonl`: one JSON line per (object,
//! source) pair, appended after the object is durable. Each line's SHA-256 is
//! recorded in the `acquired` custody entry written for it, which is how
//! `verify` detects edited, inserted or deleted manifest lines.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader};
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

/// What one streaming pass over a line-oriented case file saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineStats {
    /// Complete lines (ending in a newline), parsed or not.
    pub lines: u64,
    /// Bytes of those lines, newlines included.
    pub bytes: u64,
    /// Complete lines that did not parse as a record.
    pub unparsable: u64,
    /// Length of an incomplete final line (no newline) left by an
    /// interrupted write; 0 when the file ends with a newline. Such a line
    /// is never handed out.
    pub torn_tail_bytes: u64,
}

/// Size of the read buffer for streaming passes.
const STREAM_BUFFER: usize = 256 * 1024;

/// Calls `f` with the number (from 1) and exact bytes (newline included) of
/// every complete line of the file at `path`, reading it with one bounded
/// buffer. An incomplete final line is not passed on; its length is returned
/// in [`LineStats::torn_tail_bytes`]. `unparsable` is left at 0 for the caller
/// to count. `missing` is what a missing file means: `None` reads it as
/// empty, `Some(err)` fails with that error.
pub(crate) fn for_each_line<E, F>(
    path: &Path,
    missing: Option<Error>,
    mut f: F,
) -> Result<LineStats, E>
where
    E: From<Error>,
    F: FnMut(u64, &[u8]) -> Result<(), E>,
{
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match missing {
                None => Ok(LineStats::default()),
                Some(err) => Err(err.into()),
            }
        }
        Err(e) => return Err(Error::io(path, "open", e).into()),
    };
    let mut reader = BufReader::with_capacity(STREAM_BUFFER, file);
    let mut buf = Vec::with_capacity(4096);
    let mut stats = LineStats::default();
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(path, "read", e))?;
        if n == 0 {
            break;
        }
        if buf.last() != Some(&b'\n') {
            stats.torn_tail_bytes = buf.len() as u64;
            break;
        }
        stats.lines += 1;
        stats.bytes += buf.len() as u64;
        f(stats.lines, &buf)?;
    }
    Ok(stats)
}

/// Streams the manifest at `path` (see [`crate::Case::for_each_manifest_line`]).
pub(crate) fn stream<E, F>(path: &Path, mut f: F) -> Result<LineStats, E>
where
    E: From<Error>,
    F: FnMut(ManifestLineRef<'_>) -> Result<(), E>,
{
    let mut unparsable = 0;
    let mut stats = for_each_line(path, None, |number, bytes| {
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

/// What an acquisition needs to know about what the case already holds.
#[derive(Debug, Default)]
pub(crate) struct ManifestIndex {
    pairs: HashSet<(String, String)>,
    shas: HashSet<String>,
    last_by_source: HashMap<String, (u64, Option<String>, String)>,
    by_identity: HashMap<(String, String), (String, u64)>,
}

impl ManifestIndex {
    /// Index of the parsed lines of a manifest (acquisition now builds its
    /// index line by line while recovering; tests still build one at once).
    #[cfg(test)]
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
    fn streaming_hands_out_exact_lines_and_skips_a_torn_tail() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("manifest.jsonl");
        let a = "a".repeat(64);
        let l1 = ManifestWriter::line(&record(&a, "/x")).expect("line").0;
        let l2 = ManifestWriter::line(&record(&a, "/y")).expect("line").0;
        let content = [l1.clone(), b"\nnope\n".to_vec(), l2, b"\n{\"sha".to_vec()].concat();
        fs::write(&path, &content).expect("write");
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
