//! Finding the input files and telling them apart: walking the input paths, adding the
//! known files (read from a stored copy, located at their original), and classifying
//! each file as a digest (loaded and parsed here, in parallel), a log file, a
//! signature sidecar, or something else.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

use crate::digest::{looks_like_digest, looks_like_log, Digest};
use crate::error::TrailError;
use crate::read::{self, ReadError};
use crate::report::{Problem, ProblemKind};
use crate::signatures::is_sidecar;

use super::{Inputs, KnownFile, Options};

/// How many bytes of a file are sniffed to tell digests and logs apart by content.
const SNIFF_BYTES: u64 = 4096;

/// One input file: `loc` is where it is (matched, shown), `read` where its bytes are.
/// The same path for ordinary files; for a [`KnownFile`], its original and its stored copy.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Src {
    pub(super) loc: PathBuf,
    pub(super) read: PathBuf,
}

impl Src {
    /// An ordinary file, read where it is.
    pub(super) fn plain(path: PathBuf) -> Src {
        Src {
            loc: path.clone(),
            read: path,
        }
    }

    /// The stored copy, when the bytes are read from somewhere else than the location.
    pub(super) fn stored(&self) -> Option<PathBuf> {
        (self.read != self.loc).then(|| self.read.clone())
    }

    /// The location, and the stored copy when there is one, for messages.
    pub(super) fn describe(&self) -> String {
        match self.stored() {
            Some(s) => format!("{} (stored as {})", self.loc.display(), s.display()),
            None => self.loc.display().to_string(),
        }
    }
}

/// A digest file read and parsed.
pub(super) struct Loaded {
    /// Where the digest is (its location; see [`Src`]).
    pub(super) path: PathBuf,
    /// Where its bytes were read from, when that is elsewhere (a stored copy).
    pub(super) stored: Option<PathBuf>,
    /// Its content.
    pub(super) digest: Digest,
    /// SHA-256 of its uncompressed bytes (what the next digest and the signature cover).
    pub(super) sha256: [u8; 32],
    /// `digestStartTime`.
    pub(super) start: Timestamp,
    /// `digestEndTime`.
    pub(super) end: Timestamp,
}

impl Loaded {
    /// The location, and the stored copy when there is one, for messages.
    pub(super) fn describe(&self) -> String {
        match &self.stored {
            Some(s) => format!("{} (stored as {})", self.path.display(), s.display()),
            None => self.path.display().to_string(),
        }
    }
}

/// What an input file turned out to be.
pub(super) enum Item {
    /// A digest, loaded.
    Digest(Box<Loaded>),
    /// A file named or looking like a digest that could not be loaded, and why.
    BadDigest {
        src: Src,
        kind: ProblemKind,
        detail: String,
    },
    /// A CloudTrail log file.
    Log(Src),
    /// Anything else (reported as ignored unless a digest lists it).
    Other(Src),
    /// A signature sidecar (`<digest>.sig`, `<digest>.head.json`).
    Sidecar(Src),
}

/// The input files in order, each once: walked files deduplicated by canonical path.
#[derive(Default)]
struct Collector {
    seen: HashSet<PathBuf>,
    files: Vec<Src>,
}

impl Collector {
    /// Adds an ordinary file unless the same file was already added.
    fn push_plain(&mut self, p: PathBuf) {
        let canon = std::fs::canonicalize(&p).unwrap_or_else(|_| p.clone());
        if self.seen.insert(canon) {
            self.files.push(Src::plain(p));
        }
    }

    /// Adds an input path: a file, or every file under a directory in name order.
    /// Entries that cannot be read are findings; a missing input path is an error.
    fn walk(&mut self, input: &Path, problems: &mut Vec<Problem>) -> Result<(), TrailError> {
        let meta = std::fs::metadata(input).map_err(|reason| TrailError::Io {
            path: input.to_path_buf(),
            reason,
        })?;
        if !meta.is_dir() {
            self.push_plain(input.to_path_buf());
            return Ok(());
        }
        for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
            match entry {
                Ok(e) if e.file_type().is_file() => self.push_plain(e.into_path()),
                Ok(_) => {}
                Err(e) => problems.push(Problem::new(
                    ProblemKind::FileUnreadable,
                    e.path().unwrap_or(input).display().to_string(),
                    e.to_string(),
                )),
            }
        }
        Ok(())
    }
}

/// Walks the inputs; unreadable entries are findings, a missing input path is an error.
/// Known files come after the walked ones; one whose stored copy is unreadable is a finding.
pub(super) fn collect(
    inputs: &Inputs,
    problems: &mut Vec<Problem>,
) -> Result<Vec<Src>, TrailError> {
    let mut collector = Collector::default();
    for input in &inputs.paths {
        collector.walk(input, problems)?;
    }
    let mut files = collector.files;
    let mut known_seen = HashSet::new();
    for k in inputs.known.iter().filter(|k| known_seen.insert(*k)) {
        match known_src(k) {
            Ok(src) => files.push(src),
            Err(problem) => problems.push(problem),
        }
    }
    Ok(files)
}

/// A known file as an input file, or the finding that its stored copy is unusable.
fn known_src(k: &KnownFile) -> Result<Src, Problem> {
    let unreadable = |detail| Problem::new(ProblemKind::FileUnreadable, k.original.clone(), detail);
    match std::fs::metadata(&k.read_from) {
        Ok(m) if m.is_file() => Ok(Src {
            loc: PathBuf::from(&k.original),
            read: k.read_from.clone(),
        }),
        Ok(_) => Err(unreadable(format!(
            "its stored copy {} is not a file",
            k.read_from.display()
        ))),
        Err(e) => Err(unreadable(format!(
            "its stored copy {} cannot be read: {}",
            k.read_from.display(),
            read::describe_io(&e)
        ))),
    }
}

/// Tells what a file is: by name first (cheap), else by its first uncompressed bytes.
/// The name is the location's; the bytes are read from the stored copy.
pub(super) fn classify(src: &Src, options: &Options) -> Item {
    let name = src
        .loc
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if is_sidecar(&name) {
        return Item::Sidecar(src.clone());
    }
    if name.contains("_CloudTrail-Digest_") {
        return load_digest(src, options);
    }
    if name.contains("_CloudTrail_") || name.contains("_CloudTrail-Insight_") {
        return Item::Log(src.clone());
    }
    match read::sniff(&src.read, SNIFF_BYTES) {
        Ok(prefix) if looks_like_digest(&prefix) => load_digest(src, options),
        Ok(prefix) if looks_like_log(&prefix) => Item::Log(src.clone()),
        _ => Item::Other(src.clone()),
    }
}

/// Reads and parses a digest; one that cannot be is a [`Item::BadDigest`].
fn load_digest(src: &Src, options: &Options) -> Item {
    match parse_digest(src, options) {
        Ok(l) => Item::Digest(Box::new(l)),
        Err(bad) => bad,
    }
}

/// An unusable digest: `kind` says how, `detail` what was expected and found.
fn bad_digest(src: &Src, kind: ProblemKind, detail: String) -> Item {
    Item::BadDigest {
        src: src.clone(),
        kind,
        detail,
    }
}

/// The digest at `src`: its bytes (capped), fields, period and hash.
fn parse_digest(src: &Src, options: &Options) -> Result<Loaded, Item> {
    let path = src.loc.as_path();
    let bytes = read_digest_bytes(src, options.max_digest_bytes)?;
    let digest = Digest::parse(&bytes, path)
        .map_err(|e| bad_digest(src, ProblemKind::DigestUnparsable, e.to_string()))?;
    let time = |field: &str, text: &str| {
        parse_time(path, field, text)
            .map_err(|why| bad_digest(src, ProblemKind::DigestUnparsable, why))
    };
    let start = time("digestStartTime", &digest.digest_start_time)?;
    let end = time("digestEndTime", &digest.digest_end_time)?;
    Ok(Loaded {
        path: path.to_path_buf(),
        stored: src.stored(),
        sha256: read::sha256(&bytes),
        digest,
        start,
        end,
    })
}

/// The uncompressed bytes of a digest, at most `limit` of them (a gzip bomb is reported,
/// not inflated).
fn read_digest_bytes(src: &Src, limit: u64) -> Result<Vec<u8>, Item> {
    read::read_capped(&src.read, limit).map_err(|e| match e {
        ReadError::TooLarge => bad_digest(
            src,
            ProblemKind::DigestTooLarge,
            format!(
                "expected at most {limit} bytes uncompressed, found more (gzip bomb, or not a digest)"
            ),
        ),
        e => bad_digest(src, ProblemKind::DigestUnparsable, e.describe(limit)),
    })
}

/// An RFC 3339 time from digest field `field` of the digest at `path`.
fn parse_time(path: &Path, field: &str, text: &str) -> Result<Timestamp, String> {
    text.parse::<Timestamp>().map_err(|_| {
        format!(
            "{}: expected an RFC 3339 time in {field}, found {text:?}",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{build_trail, Signer, TrailSpec};

    const KEY: &str = include_str!("../../tests/fixtures/test-rsa-2048.pem");

    /// `classify` of an ordinary file (its own location).
    fn classify(p: &Path, o: &Options) -> Item {
        super::classify(&Src::plain(p.to_path_buf()), o)
    }

    #[test]
    fn classify_by_name_then_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Signer::from_pkcs1_pem(KEY).expect("key");
        let t = build_trail(
            dir.path(),
            &TrailSpec {
                hours: 1,
                ..TrailSpec::default()
            },
            &s,
        )
        .expect("trail");
        let opts = Options::default();
        let digest = &t.digests[0];
        assert!(matches!(classify(&digest.path, &opts), Item::Digest(_)));
        assert!(matches!(
            classify(&digest.logs[0].path, &opts),
            Item::Log(_)
        ));
        // Renamed files are recognised by content.
        let renamed = dir.path().join("renamed-digest.bin");
        std::fs::copy(&digest.path, &renamed).expect("copy");
        assert!(matches!(classify(&renamed, &opts), Item::Digest(_)));
        let renamed_log = dir.path().join("renamed-log.bin");
        std::fs::copy(&digest.logs[0].path, &renamed_log).expect("copy");
        assert!(matches!(classify(&renamed_log, &opts), Item::Log(_)));
        let other = dir.path().join("keys.json");
        std::fs::write(&other, s.public_keys_json()).expect("write");
        assert!(matches!(classify(&other, &opts), Item::Other(_)));
        assert!(matches!(
            classify(Path::new("x.json.gz.sig"), &opts),
            Item::Sidecar(_)
        ));
        // A file named like a digest that is not one is an unparsable digest, not a log.
        let fake = dir
            .path()
            .join("1_CloudTrail-Digest_us-east-1_t_us-east-1_20240101T000000Z.json.gz");
        std::fs::write(&fake, b"{\"Records\":[]}").expect("write");
        assert!(matches!(
            classify(&fake, &opts),
            Item::BadDigest {
                kind: ProblemKind::DigestUnparsable,
                ..
            }
        ));
    }

    #[test]
    fn digest_times_must_be_rfc3339() {
        let dir = tempfile::tempdir().expect("tempdir");
        let s = Signer::from_pkcs1_pem(KEY).expect("key");
        let t = build_trail(
            dir.path(),
            &TrailSpec {
                hours: 1,
                ..TrailSpec::default()
            },
            &s,
        )
        .expect("trail");
        let bytes = read::read_capped(&t.digests[0].path, 1 << 20)
            .map_err(|e| e.describe(0))
            .expect("read");
        let text = String::from_utf8(bytes)
            .expect("utf8")
            .replace("2024-03-01T01:17:28Z", "yesterday");
        let p = dir.path().join("d.json");
        std::fs::write(&p, text).expect("write");
        match classify(&p, &Options::default()) {
            Item::BadDigest { detail, .. } => assert!(
                detail.contains("digestEndTime") && detail.contains("yesterday"),
                "{detail}"
            ),
            _ => panic!("expected an unparsable digest"),
        }
    }
}
