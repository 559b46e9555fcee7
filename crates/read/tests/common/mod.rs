//! What the reader's integration tests share: fixtures, files written for a
//! test, and a read that collects every event and rejection and checks that
//! the accounting adds up.
// Each test binary uses a part of this module.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cloudcase_event::Event;
use cloudcase_read::{discover, read_files, Accounting, EventSink, Limits, Rejection};
use flate2::write::GzEncoder;
use flate2::Compression;

/// The path of `name` under the repository's `tests/fixtures`.
pub fn fixture_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures")
        .join(name)
}

/// The text of the fixture `name`.
pub fn fixture(name: &str) -> String {
    let path = fixture_path(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `bytes`, gzipped.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// Writes `bytes` to `dir/name` (making its folders) and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, bytes).unwrap();
    path
}

/// What a read gave.
pub struct Run {
    /// The events, by time, then file ordinal and record.
    pub events: Vec<Event>,
    /// The rejections, by file and record.
    pub rejections: Vec<Rejection>,
    /// The read's accounting, discovery included.
    pub accounting: Accounting,
}

/// A sink that keeps what it is given.
struct Collect(Vec<Event>);

impl EventSink for Collect {
    fn accept(&mut self, e: Event) {
        self.0.push(e);
    }
}

/// Reads `paths` with `limits` into two sinks and checks that the accounting
/// adds up: every file seen is read or skipped, every record parsed is an
/// event, every rejected record or skipped file is a rejection.
pub fn read_with(paths: &[PathBuf], limits: Limits) -> Run {
    let rejections = Mutex::new(Vec::new());
    let on_reject = |r: Rejection| rejections.lock().unwrap().push(r);
    let inputs = discover(paths, &on_reject).unwrap();
    let sinks = vec![Collect(Vec::new()), Collect(Vec::new())];
    let (sinks, mut accounting) = read_files(&inputs.files, limits, sinks, &on_reject);
    accounting.merge(&inputs.accounting);
    let mut events: Vec<Event> = sinks.into_iter().flat_map(|c| c.0).collect();
    events.sort_by_key(|e| (e.time, e.provenance.file.ordinal, e.provenance.record));
    let mut rejections = rejections.into_inner().unwrap();
    rejections.sort_by(|a, b| (&a.file, a.record).cmp(&(&b.file, b.record)));
    assert_eq!(
        accounting.files_seen,
        accounting.files_read + accounting.skipped_files()
    );
    assert_eq!(accounting.records_parsed, events.len() as u64);
    assert_eq!(
        accounting.records_rejected() + accounting.skipped_files(),
        rejections.len() as u64
    );
    Run {
        events,
        rejections,
        accounting,
    }
}

/// Reads `paths` with the default limits (see [`read_with`]).
pub fn read(paths: &[PathBuf]) -> Run {
    read_with(paths, Limits::default())
}
