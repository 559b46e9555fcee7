//! A case folder: creating it with its documented layout, opening it, and
//! listing its evidence for the stages that read it.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::acquire::{self, AcquireOptions, AcquireSummary};
use crate::custody::{Action, Custody, CustodyEntry, CustodyWriter};
use crate::error::{Error, IoContext};
use crate::fsutil;
use crate::hash::sha256_hex;
use crate::layout::{Layout, CASE_FILE};
use crate::lock::CaseLock;
use crate::manifest::{self, LineStats, ManifestLineRef};
use crate::meta;
use crate::source::{LocalSource, Source};
use crate::verify::{self, VerifyOptions, VerifyReport};

/// Format tag written in `case.json`; bumped on incompatible layout changes.
pub const CASE_FORMAT: &str = "cloudcase-case/1";

/// The content of `case.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseInfo {
    /// Layout format, [`CASE_FORMAT`].
    pub format: String,
    /// Unique identifier of the case (32 hex digits).
    pub case_id: String,
    /// Human name of the case (ticket, incident name).
    pub name: String,
    /// Examiner who opened the case; the default actor of custody entries.
    pub examiner: String,
    /// IANA time zone for displaying times to people; everything is stored in UTC.
    pub tz: String,
    /// When the case was created, RFC 3339 UTC.
    pub created: String,
    /// Tool and version that created it.
    pub tool: String,
}

/// One stored object and every source it was acquired from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceObject {
    /// SHA-256 of the content (lower-case hex).
    pub sha256: String,
    /// Absolute path of the stored, read-only object.
    pub path: PathBuf,
    /// Size in bytes.
    pub size: u64,
    /// Where the content was acquired from, in acquisition order.
    pub sources: Vec<SourceRecord>,
}

/// One source of an object, as recorded in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRecord {
    /// Original absolute path or URI.
    pub uri: String,
    /// Kind of source (`file`, …).
    pub kind: String,
    /// Source modification time, RFC 3339 UTC, if any.
    pub mtime: Option<String>,
    /// When it was acquired, RFC 3339 UTC.
    pub acquired: String,
    /// Who acquired it.
    pub examiner: String,
    /// Source metadata recorded at acquisition (S3: `etag`, `version_id`,
    /// `x-amz-meta-signature`…); empty for local files.
    pub metadata: std::collections::BTreeMap<String, String>,
}

/// The fields of a custody entry that summaries need, read without building
/// the entry's `details` (see [`CustodyLineRef::brief`]).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CustodyBrief {
    /// Position in the log, from 1.
    pub seq: u64,
    /// When the act was recorded, RFC 3339 UTC.
    pub time: String,
    /// What was done.
    pub action: Action,
    /// The entry's hash (the chain head when it is the last entry).
    pub hash: String,
}

/// One complete line of `custody.jsonl`, as handed out by
/// [`Case::for_each_custody_line`].
#[derive(Debug, Clone, Copy)]
pub struct CustodyLineRef<'a> {
    /// Line number, from 1 (counting unparsable lines too).
    pub number: u64,
    /// The line's exact bytes, including its trailing `\n`.
    pub bytes: &'a [u8],
    /// Sequence number, time, action and hash of the entry; `None` when the
    /// line is not a custody entry (`verify` names it).
    pub brief: Option<&'a CustodyBrief>,
}

impl CustodyLineRef<'_> {
    /// The whole entry, `details` included; `None` when the line does not
    /// parse as one. Only parsing: `verify` judges the chain.
    pub fn entry(&self) -> Option<CustodyEntry> {
        let content = self.bytes.strip_suffix(b"\n").unwrap_or(self.bytes);
        serde_json::from_slice(content).ok()
    }
}

/// An open case folder.
#[derive(Debug, Clone)]
pub struct Case {
    layout: Layout,
    info: CaseInfo,
}

impl Case {
    /// Creates a case folder at `dir` (absent or empty) with the documented
    /// layout, `case.json`, an empty manifest, and a custody log whose first
    /// entry (`case_created`) records the SHA-256 of `case.json`, so a later
    /// edit of the case metadata is detected by `verify`. `tz` is an IANA
    /// name used only for display (e.g. `UTC`, `Europe/Berlin`).
    ///
    /// `case.json` is written last: a crash during `init` leaves a folder that
    /// [`Case::open`] rejects as "not a case" (delete it and run `init` again).
    pub fn init(dir: &Path, name: &str, examiner: &str, tz: &str) -> Result<Self, Error> {
        let (name, examiner, tz) = (name.trim(), examiner.trim(), tz.trim());
        for (field, value) in [
            ("case name", name),
            ("examiner", examiner),
            ("time zone", tz),
        ] {
            if value.is_empty() {
                return Err(Error::EmptyField { field });
            }
        }
        if jiff::tz::TimeZone::get(tz).is_err() {
            return Err(Error::BadTimeZone { tz: tz.to_owned() });
        }
        let dir = &absolute(dir)?;
        let layout = Layout::new(dir);
        if layout.case_file().exists() {
            return Err(Error::AlreadyACase {
                path: dir.to_path_buf(),
            });
        }
        if dir.exists() {
            let entries = fs::read_dir(dir).at(dir, "list")?.count();
            if entries > 0 {
                return Err(Error::NotEmpty {
                    path: dir.to_path_buf(),
                    entries,
                });
            }
        }
        fsutil::create_dir_durable(dir)?;
        let _lock = CaseLock::acquire(&layout)?;
        for d in [
            layout.objects_dir(),
            layout.tmp_dir(),
            layout.work_dir(),
            layout.reports_dir(),
        ] {
            fsutil::create_dir_durable(&d)?;
        }
        fsutil::touch_durable(&layout.manifest_file())?;

        let created = meta::now_utc();
        let info = CaseInfo {
            format: CASE_FORMAT.to_owned(),
            case_id: meta::unique_id(&format!("{name}|{examiner}|{created}")),
            name: name.to_owned(),
            examiner: examiner.to_owned(),
            tz: tz.to_owned(),
            created,
            tool: meta::TOOL.to_owned(),
        };
        let mut case_json = serde_json::to_vec_pretty(&info).map_err(|error| Error::Serialize {
            what: "case.json",
            error,
        })?;
        case_json.push(b'\n');
        CustodyWriter::create(
            &layout,
            examiner,
            Action::CaseCreated,
            json!({
                "case_id": info.case_id,
                "name": info.name,
                "examiner": info.examiner,
                "tz": info.tz,
                "case_json_sha256": sha256_hex(&case_json),
                "command": meta::process_command_line(),
            }),
        )?;
        fsutil::sync_dir(dir)?;
        fsutil::write_atomic(&layout.case_file(), &case_json)?;
        Ok(Self { layout, info })
    }

    /// Opens the case folder at `dir`, failing with [`Error::NotACase`] when it
    /// is not one and [`Error::BadCaseFile`] when `case.json` is unreadable.
    /// Nothing else is checked here: `verify` judges the rest.
    pub fn open(dir: &Path) -> Result<Self, Error> {
        let dir = &absolute(dir)?;
        if !dir.is_dir() {
            return Err(Error::NotACase {
                path: dir.to_path_buf(),
                missing: "an existing directory",
            });
        }
        let layout = Layout::new(dir);
        let path = layout.case_file();
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::NotACase {
                    path: dir.to_path_buf(),
                    missing: CASE_FILE,
                })
            }
            Err(e) => return Err(Error::io(&path, "read", e)),
        };
        let info: CaseInfo = serde_json::from_slice(&bytes).map_err(|e| Error::BadCaseFile {
            path: path.clone(),
            reason: format!("expected a JSON object with format, case_id, name, examiner, tz, created, tool: {e}"),
        })?;
        if info.format != CASE_FORMAT {
            return Err(Error::BadCaseFile {
                path,
                reason: format!(
                    "format {:?} is not supported, expected {CASE_FORMAT:?}",
                    info.format
                ),
            });
        }
        Ok(Self { layout, info })
    }

    /// The case folder (absolute).
    pub fn root(&self) -> &Path {
        self.layout.root()
    }

    /// Paths of the case's parts.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The case metadata from `case.json`.
    pub fn info(&self) -> &CaseInfo {
        &self.info
    }

    /// The custody log, for recording work done on the case.
    pub fn custody(&self) -> Custody<'_> {
        Custody::new(&self.layout, &self.info.examiner)
    }

    /// Acquires `sources` into the evidence store (see [`crate::acquire`]).
    pub fn acquire(
        &self,
        sources: &[Box<dyn Source>],
        options: &AcquireOptions,
    ) -> Result<AcquireSummary, Error> {
        acquire::run(&self.layout, &self.info.examiner, sources, options)
    }

    /// Acquires local files and directories: [`Case::acquire`] with a
    /// [`LocalSource`] per path.
    pub fn acquire_paths<P: AsRef<Path>>(
        &self,
        paths: &[P],
        options: &AcquireOptions,
    ) -> Result<AcquireSummary, Error> {
        let sources: Vec<Box<dyn Source>> = paths
            .iter()
            .map(|p| Box::new(LocalSource::new(p.as_ref())) as Box<dyn Source>)
            .collect();
        self.acquire(&sources, options)
    }

    /// Re-hashes every object, checks the custody chain and the manifest, and
    /// records a `verified` custody entry with the result (see [`crate::verify`]).
    pub fn verify(&self) -> Result<VerifyReport, Error> {
        self.verify_with(&VerifyOptions::default())
    }

    /// [`Case::verify`] with options (threads, command line to record).
    pub fn verify_with(&self, options: &VerifyOptions) -> Result<VerifyReport, Error> {
        verify::run(&self.layout, &self.info.examiner, options)
    }

    /// Every object recorded in the manifest with its sources, in order of
    /// first acquisition: the input list for stages that read a case's
    /// evidence. Integrity is not checked here; run `verify` for that.
    pub fn evidence_objects(&self) -> Result<Vec<EvidenceObject>, Error> {
        let mut order: Vec<EvidenceObject> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        manifest::stream::<Error, _>(&self.layout.manifest_file(), |line| {
            let Some(r) = line.record else { return Ok(()) };
            let source = SourceRecord {
                uri: r.source.clone(),
                kind: r.source_kind.clone(),
                mtime: r.mtime.clone(),
                acquired: r.acquired.clone(),
                examiner: r.examiner.clone(),
                metadata: r.metadata.clone(),
            };
            match at.get(&r.sha256) {
                Some(&i) => {
                    if !order[i].sources.iter().any(|s| s.uri == source.uri) {
                        order[i].sources.push(source);
                    }
                }
                None => {
                    at.insert(r.sha256.clone(), order.len());
                    order.push(EvidenceObject {
                        path: self.layout.object_path(&r.sha256),
                        sha256: r.sha256.clone(),
                        size: r.size,
                        sources: vec![source],
                    });
                }
            }
            Ok(())
        })?;
        Ok(order)
    }
}

impl Case {
    /// Calls `f` with every complete line of `manifest.jsonl`, in order: its
    /// number, its exact bytes (newline included) and its parsed record.
    /// The file is read line by line through one bounded buffer, so memory
    /// does not grow with the number of objects. An incomplete final line
    /// (an interrupted write) is skipped and counted in the returned
    /// [`LineStats`], as are lines that do not parse; a missing manifest
    /// reads as empty. Stops at the first error `f` returns.
    pub fn for_each_manifest_line<E, F>(&self, f: F) -> Result<LineStats, E>
    where
        E: From<Error>,
        F: FnMut(ManifestLineRef<'_>) -> Result<(), E>,
    {
        manifest::stream(&self.layout.manifest_file(), f)
    }

    /// Calls `f` with every complete line of `custody.jsonl`, in order, with
    /// the entry's [`CustodyBrief`] (the whole entry on demand through
    /// [`CustodyLineRef::entry`]), reading through one bounded buffer: a
    /// million `acquired` entries need not be held at once. An incomplete
    /// final line is skipped and counted, as are lines that do not parse.
    /// Fails with [`Error::CustodyMissing`] when the log is missing.
    pub fn for_each_custody_line<E, F>(&self, mut f: F) -> Result<LineStats, E>
    where
        E: From<Error>,
        F: FnMut(CustodyLineRef<'_>) -> Result<(), E>,
    {
        let path = self.layout.custody_file();
        let missing = Error::CustodyMissing { path: path.clone() };
        let mut unparsable = 0;
        let mut stats = fsutil::for_each_line(&path, Some(missing), |number, bytes| {
            let content = bytes.strip_suffix(b"\n").unwrap_or(bytes);
            let brief = serde_json::from_slice::<CustodyBrief>(content).ok();
            if brief.is_none() {
                unparsable += 1;
            }
            f(CustodyLineRef {
                number,
                bytes,
                brief: brief.as_ref(),
            })
        })?;
        stats.unparsable = unparsable;
        Ok(stats)
    }
}

/// `dir` made absolute (not resolving symbolic links), so recorded and
/// returned paths do not depend on the working directory.
fn absolute(dir: &Path) -> Result<PathBuf, Error> {
    std::path::absolute(dir).at(dir, "resolve path")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_creates_layout_and_open_reads_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("case");
        let case = Case::init(&root, "IR-1", "alice", "Europe/Berlin").expect("init");
        for p in [
            "case.json",
            "custody.jsonl",
            "manifest.jsonl",
            "evidence/objects/sha256",
            "evidence/tmp",
            "work",
            "reports",
        ] {
            assert!(root.join(p).exists(), "{p} missing");
        }
        let opened = Case::open(&root).expect("open");
        assert_eq!(opened.info(), case.info());
        assert_eq!(opened.info().case_id.len(), 32);
        assert!(opened.info().created.ends_with('Z'));
        let entries = opened.custody().entries().expect("entries");
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].action, Action::CaseCreated);
        assert_eq!(entries[0].actor, "alice");
    }

    #[test]
    fn init_refuses_existing_case_nonempty_dir_and_bad_input() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("case");
        Case::init(&root, "n", "e", "UTC").expect("init");
        assert!(matches!(
            Case::init(&root, "n", "e", "UTC"),
            Err(Error::AlreadyACase { .. })
        ));
        fs::write(dir.path().join("f"), b"x").expect("write");
        assert!(matches!(
            Case::init(dir.path(), "n", "e", "UTC"),
            Err(Error::NotEmpty { entries: 2, .. })
        ));
        let fresh = dir.path().join("fresh");
        assert!(matches!(
            Case::init(&fresh, "n", "e", "Mars/Olympus"),
            Err(Error::BadTimeZone { .. })
        ));
        assert!(matches!(
            Case::init(&fresh, " ", "e", "UTC"),
            Err(Error::EmptyField { .. })
        ));
    }

    #[test]
    fn streams_the_manifest_and_the_custody_log_line_by_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("case");
        let case = Case::init(&root, "n", "alice", "UTC").expect("init");
        let src = dir.path().join("src");
        fs::create_dir_all(&src).expect("mkdir");
        for (name, body) in [("a.json", "{}"), ("b.json", "[]"), ("c.json", "{}")] {
            fs::write(src.join(name), body).expect("write");
        }
        case.acquire_paths(&[&src], &AcquireOptions::default())
            .expect("acquire");
        let mut manifest = Vec::new();
        let mut sources = Vec::new();
        let stats = case
            .for_each_manifest_line::<Error, _>(|l| {
                manifest.extend_from_slice(l.bytes);
                sources.push(l.record.map(|r| r.source.clone()).unwrap_or_default());
                Ok(())
            })
            .expect("manifest");
        assert_eq!(
            manifest,
            fs::read(root.join("manifest.jsonl")).expect("read")
        );
        assert_eq!(
            (stats.lines, stats.unparsable, stats.torn_tail_bytes),
            (3, 0, 0)
        );
        assert!(sources.iter().all(|s| s.ends_with(".json")), "{sources:?}");
        let mut briefs = Vec::new();
        let mut last = None;
        case.for_each_custody_line::<Error, _>(|l| {
            briefs.push(l.brief.cloned().expect("brief"));
            last = l.entry();
            Ok(())
        })
        .expect("custody");
        let entries = case.custody().entries().expect("entries");
        assert_eq!(briefs.len(), entries.len());
        for (b, e) in briefs.iter().zip(&entries) {
            assert_eq!(
                (b.seq, &b.time, &b.action, &b.hash),
                (e.seq, &e.time, &e.action, &e.hash)
            );
        }
        assert_eq!(last.as_ref(), entries.last());
        fs::remove_file(root.join("custody.jsonl")).expect("remove");
        let missing = case.for_each_custody_line::<Error, _>(|_| Ok(()));
        assert!(matches!(missing, Err(Error::CustodyMissing { .. })));
    }

    #[test]
    fn open_names_what_is_missing_or_wrong() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = Case::open(dir.path()).expect_err("not a case");
        assert!(err.to_string().contains("case.json"), "{err}");
        fs::write(dir.path().join("case.json"), b"{}").expect("write");
        let err = Case::open(dir.path()).expect_err("bad case file");
        assert!(matches!(err, Error::BadCaseFile { .. }), "{err}");
        let err = Case::open(&dir.path().join("nope")).expect_err("missing dir");
        assert!(matches!(err, Error::NotACase { .. }), "{err}");
    }
}
