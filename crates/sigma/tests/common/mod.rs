//! Shared helpers of the integration tests: locating `../shared`, reading
//! events with `cloudcase-read`, loading rules.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cloudcase_event::Event;
use cloudcase_sigma::{Engine, LoadProblem, RuleSet};

/// `../shared` next to the workspace, or `None` after printing `SKIPPED`
/// (failing instead when `CLOUDCASE_REQUIRE_SHARED=1`).
pub fn shared() -> Option<PathBuf> {
    let shared = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"));
    if shared.is_dir() {
        return Some(
            shared
                .canonicalize()
                .unwrap_or_else(|_| shared.to_path_buf()),
        );
    }
    assert!(
        std::env::var("CLOUDCASE_REQUIRE_SHARED").as_deref() != Ok("1"),
        "CLOUDCASE_REQUIRE_SHARED=1 but {} was not found",
        shared.display()
    );
    println!("SKIPPED: ../shared not found");
    None
}

/// Every event in `paths` (files or directories), read as `cloudcase` reads
/// them, in (file path, record index) order.
pub fn read_events(paths: &[PathBuf]) -> Vec<Event> {
    let inputs = cloudcase_read::discover(paths, &|_| {}).expect("inputs exist");
    let sink = Vec::<Event>::new();
    let (sinks, _) = cloudcase_read::read_files(
        &inputs.files,
        cloudcase_read::Limits::default(),
        vec![CollectSink(sink)],
        &|_| {},
    );
    let mut events: Vec<Event> = sinks.into_iter().flat_map(|s| s.0).collect();
    events.sort_by(|a, b| {
        (&a.provenance.file.path, a.provenance.record)
            .cmp(&(&b.provenance.file.path, b.provenance.record))
    });
    events
}

struct CollectSink(Vec<Event>);

impl cloudcase_read::EventSink for CollectSink {
    fn accept(&mut self, event: Event) {
        self.0.push(event);
    }
}

/// A stable name for an event: its file relative to `base`, and `#record`
/// when the file holds several.
pub fn event_name(base: &Path, e: &Event) -> String {
    let file: &Arc<cloudcase_event::SourceFile> = &e.provenance.file;
    let rel = file.path.strip_prefix(base).unwrap_or(&file.path);
    format!("{}#{}", rel.display(), e.provenance.record)
}

/// The Panther test events, written as JSON Lines into `dir` and read back.
pub fn panther_events(shared: &Path, dir: &Path) -> Vec<Event> {
    let text =
        std::fs::read_to_string(shared.join("datasets/panther-cloudtrail-tests/tests.jsonl"))
            .expect("panther tests.jsonl");
    let mut out = String::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).expect("panther line is JSON");
        let log = v.get("log").cloned().unwrap_or_default();
        out.push_str(&serde_json::to_string(&log).expect("serializable"));
        out.push('\n');
    }
    let path = dir.join("panther.jsonl");
    std::fs::write(&path, out).expect("write panther events");
    read_events(&[path])
}

/// The TrailDiscover events: `docs/logExamples` and `events/`.
pub fn traildiscover_events(shared: &Path) -> Vec<Event> {
    let base = shared.join("datasets/traildiscover");
    read_events(&[base.join("docs/logExamples"), base.join("events")])
}

/// Loads rules from `paths` and compiles them; all problems together.
pub fn load(paths: &[PathBuf]) -> (Engine, Vec<LoadProblem>) {
    let (set, mut problems) = RuleSet::load_paths(paths);
    let (engine, more) = set.compile();
    problems.extend(more);
    (engine, problems)
}
