//! The complete listing beside the evidence record: every (object, source)
//! pair of the manifest, one row per manifest line, as CSV and as JSON Lines.
//!
//! Rows are streamed to temporary files in the report's folder while the
//! manifest is read, hashed as they are written, synced, and renamed into
//! place only once the record itself could be rendered (then the folder is
//! synced too), so a listing is either complete or absent.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use cloudcase_evidence::ManifestRecord;
use cloudcase_evidence::Sha256Hasher;
use cloudcase_util::sanitize::{push_json_string, terminal_safe};
use tempfile::NamedTempFile;

use crate::ReportError;

/// File name of the listings without extension: `evidence-listing.csv`,
/// `evidence-listing.jsonl`.
pub const LISTING_STEM: &str = "evidence-listing";

/// Columns of the listing, in order: CSV header and JSON keys.
pub const COLUMNS: &[&str] = &[
    "object",
    "source",
    "size",
    "sha256",
    "acquired",
    "examiner",
    "manifest_line",
];

/// First characters that make a spreadsheet read a cell as a formula (or
/// drop it into one): such a CSV cell gets a leading `'`, as every CSV
/// output of cloudcase does (`cloudcase_util::sanitize::push_csv_cell`).
const FORMULA_TRIGGERS: &[u8] = b"=+-@\t\r";

/// Write buffer of each listing.
const BUFFER: usize = 256 * 1024;

/// A listing's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingFormat {
    /// RFC 4180 CSV with a header row, cells made safe for spreadsheets.
    Csv,
    /// One JSON object per line, values exactly as in the manifest.
    Jsonl,
}

impl ListingFormat {
    /// File extension and name in custody details.
    pub fn as_str(self) -> &'static str {
        match self {
            ListingFormat::Csv => "csv",
            ListingFormat::Jsonl => "jsonl",
        }
    }
}

/// A written listing: what the record and the custody entry state about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingInfo {
    /// Format.
    pub format: ListingFormat,
    /// Where it is (once placed).
    pub path: PathBuf,
    /// Its file name, as the record names it.
    pub file_name: String,
    /// SHA-256 of the file's bytes.
    pub sha256: String,
    /// Data rows (manifest lines), header excluded.
    pub rows: u64,
}

/// A listing written to a synced temporary file, not yet in place.
#[derive(Debug)]
pub struct PendingListing {
    tmp: NamedTempFile,
    /// What it will be once placed.
    pub info: ListingInfo,
}

impl PendingListing {
    /// Renames the listing into place and syncs its folder.
    pub fn persist(self) -> Result<ListingInfo, ReportError> {
        let path = self.info.path.clone();
        self.tmp
            .persist(&path)
            .map_err(|e| ReportError::Write(path.clone(), e.error))?;
        sync_dir(&path)?;
        Ok(self.info)
    }
}

/// Syncs the folder holding `path`, so a rename into it survives a crash.
fn sync_dir(path: &Path) -> Result<(), ReportError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| ReportError::Write(dir.to_path_buf(), e))
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256Hasher,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

type Sink = Hashing<BufWriter<NamedTempFile>>;

/// `text` as a CSV cell value: control and bidirectional characters shown
/// as `\u{…}`, and a leading formula trigger neutralised with `'`.
pub fn csv_value(text: &str) -> Cow<'_, str> {
    let safe = terminal_safe(text);
    match safe.as_bytes().first() {
        Some(b) if FORMULA_TRIGGERS.contains(b) => Cow::Owned(format!("'{safe}")),
        _ => safe,
    }
}

/// Streams rows into both listings.
pub struct ListingWriter {
    dir: PathBuf,
    csv: csv::Writer<Sink>,
    jsonl: Sink,
    row: Vec<u8>,
    rows: u64,
}

impl ListingWriter {
    /// Opens temporary files for both listings in `dir` (created if absent)
    /// and writes the CSV header.
    pub fn create(dir: &Path) -> Result<Self, ReportError> {
        let io = |e: io::Error| ReportError::Write(dir.to_path_buf(), e);
        std::fs::create_dir_all(dir).map_err(io)?;
        let sink = || -> Result<Sink, ReportError> {
            Ok(Hashing {
                inner: BufWriter::with_capacity(BUFFER, NamedTempFile::new_in(dir).map_err(io)?),
                hasher: Sha256Hasher::new(),
            })
        };
        let mut csv = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(sink()?);
        csv.write_record(COLUMNS)
            .map_err(|e| ReportError::Write(dir.to_path_buf(), e.into()))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            csv,
            jsonl: sink()?,
            row: Vec::with_capacity(1024),
            rows: 0,
        })
    }

    fn error(&self, e: io::Error) -> ReportError {
        ReportError::Write(self.dir.clone(), e)
    }

    /// Writes the row of manifest line `line`.
    pub fn push(&mut self, line: u64, r: &ManifestRecord) -> Result<(), ReportError> {
        let size = r.size.to_string();
        let number = line.to_string();
        let cells = [
            csv_value(&r.object),
            csv_value(&r.source),
            Cow::Borrowed(size.as_str()),
            csv_value(&r.sha256),
            csv_value(&r.acquired),
            csv_value(&r.examiner),
            Cow::Borrowed(number.as_str()),
        ];
        if let Err(e) = self.csv.write_record(cells.iter().map(|c| c.as_bytes())) {
            return Err(self.error(e.into()));
        }
        self.row.clear();
        let texts = [(COLUMNS[0], &r.object), (COLUMNS[1], &r.source)];
        self.row.push(b'{');
        for (key, value) in texts {
            self.field(key);
            push_json_string(&mut self.row, value);
        }
        self.field(COLUMNS[2]);
        self.row.extend_from_slice(size.as_bytes());
        for (key, value) in [
            (COLUMNS[3], &r.sha256),
            (COLUMNS[4], &r.acquired),
            (COLUMNS[5], &r.examiner),
        ] {
            self.field(key);
            push_json_string(&mut self.row, value);
        }
        self.field(COLUMNS[6]);
        self.row.extend_from_slice(number.as_bytes());
        self.row.extend_from_slice(b"}\n");
        if let Err(e) = self.jsonl.write_all(&self.row) {
            return Err(self.error(e));
        }
        self.rows += 1;
        Ok(())
    }

    /// Appends `"key":` (with a separating comma after the first field).
    fn field(&mut self, key: &str) {
        if self.row.len() > 1 {
            self.row.push(b',');
        }
        self.row.push(b'"');
        self.row.extend_from_slice(key.as_bytes());
        self.row.extend_from_slice(b"\":");
    }

    /// Flushes and syncs both files; they are placed later by
    /// [`PendingListing::persist`] (or removed if dropped).
    pub fn finish(self) -> Result<Vec<PendingListing>, ReportError> {
        let dir = self.dir.clone();
        let io = |e: io::Error| ReportError::Write(dir.clone(), e);
        let csv = self
            .csv
            .into_inner()
            .map_err(|e| io(io::Error::other(e.to_string())))?;
        let mut out = Vec::with_capacity(2);
        for (format, sink) in [
            (ListingFormat::Csv, csv),
            (ListingFormat::Jsonl, self.jsonl),
        ] {
            let sha256 = sink.hasher.finish_hex();
            let tmp = sink.inner.into_inner().map_err(|e| io(e.into_error()))?;
            tmp.as_file().sync_all().map_err(io)?;
            let file_name = format!("{LISTING_STEM}.{}", format.as_str());
            out.push(PendingListing {
                tmp,
                info: ListingInfo {
                    format,
                    path: dir.join(&file_name),
                    file_name,
                    sha256,
                    rows: self.rows,
                },
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn record(source: &str, examiner: &str) -> ManifestRecord {
        ManifestRecord {
            sha256: "ab".repeat(32),
            size: 42,
            object: format!("evidence/objects/sha256/ab/{}", "ab".repeat(32)),
            source: source.into(),
            source_kind: "file".into(),
            mtime: None,
            acquired: "2024-05-18T09:35:12.5Z".into(),
            examiner: examiner.into(),
            host: "h".into(),
            tool: "t".into(),
            command: Vec::new(),
            identity: None,
            metadata: BTreeMap::new(),
        }
    }

    #[test]
    fn cells_are_neutralised_like_every_other_csv_of_cloudcase() {
        for text in [
            "=HYPERLINK(\"x\")",
            "+1",
            "-2",
            "@SUM(A1)",
            "\tx",
            "a,b",
            "plain",
            "a\u{1b}[2J",
            "日本",
        ] {
            let mut theirs = Vec::new();
            cloudcase_util::sanitize::push_csv_cell(&mut theirs, text);
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(theirs.as_slice());
            let parsed = reader.records().next().expect("a row").expect("valid CSV");
            assert_eq!(&parsed[0], csv_value(text).as_ref(), "{text:?}");
        }
    }

    #[test]
    fn rows_stream_into_both_files_with_their_hashes_and_appear_only_when_placed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut w = ListingWriter::create(dir.path()).expect("create");
        let hostile = "=HYPERLINK(\"http://x\",\"y\")";
        w.push(1, &record("/logs/a,b.json", "Aiko")).expect("row");
        w.push(2, &record("s3://b/k\u{7f}", hostile)).expect("row");
        let pending = w.finish().expect("finish");
        assert!(std::fs::read_dir(dir.path()).expect("list").all(|e| !e
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .starts_with(LISTING_STEM)));
        let infos: Vec<ListingInfo> = pending
            .into_iter()
            .map(|p| p.persist().expect("placed"))
            .collect();
        assert_eq!(infos.len(), 2);
        for info in &infos {
            let bytes = std::fs::read(&info.path).expect("read");
            assert_eq!(info.sha256, cloudcase_util::hex::sha256_hex(&bytes));
            assert_eq!(info.rows, 2);
            assert_eq!(info.path, dir.path().join(&info.file_name));
        }
        let csv_text = std::fs::read(&infos[0].path).expect("csv");
        let mut reader = csv::Reader::from_reader(csv_text.as_slice());
        assert_eq!(
            reader.headers().expect("header").iter().collect::<Vec<_>>(),
            COLUMNS
        );
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
        assert_eq!(&rows[0][1], "/logs/a,b.json");
        assert_eq!(&rows[1][5], format!("'{hostile}"));
        assert_eq!(&rows[1][1], "s3://b/k\\u{7f}");
        assert_eq!((&rows[1][2], &rows[1][6]), ("42", "2"));
        let jsonl = std::fs::read_to_string(&infos[1].path).expect("jsonl");
        let lines: Vec<serde_json::Value> = jsonl
            .lines()
            .map(|l| serde_json::from_str(l).expect("JSON"))
            .collect();
        assert_eq!(lines[1]["examiner"], hostile);
        assert_eq!(lines[1]["source"], "s3://b/k\u{7f}");
        assert!(!jsonl.contains('\u{7f}'), "DEL is escaped");
        assert_eq!(lines[0]["manifest_line"], 1);
        assert_eq!(lines[0]["size"], 42);
        let keys: Vec<&String> = lines[0].as_object().expect("object").keys().collect();
        assert_eq!(keys.len(), COLUMNS.len());
    }
}
