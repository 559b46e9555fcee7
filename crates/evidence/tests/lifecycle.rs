//! End-to-end behaviour of a case through the library API: acquire, verify,
//! tampering of every kind, idempotent re-runs, and recovery from crashes.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use cloudcase_evidence::{
    AcquireOptions, Action, Case, ItemStatus, Outcome, ProblemKind, VerifyReport,
};
use serde_json::json;

struct Fixture {
    _dir: tempfile::TempDir,
    case: Case,
    src: PathBuf,
}

/// A case and a source tree of 6 files (two with identical content).
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = dir.path().join("src");
    fs::create_dir_all(src.join("nested/deeper")).expect("mkdir");
    for (name, content) in [
        ("a.json", b"{\"Records\":[]}".to_vec()),
        ("b.json.gz", vec![0x1f, 0x8b, 8, 0, 1, 2, 3]),
        ("nested/c.log", vec![b'c'; 300_000]),
        (
            "nested/deeper/d.bin",
            (0..=255u8).cycle().take(2_500_000).collect(),
        ),
        ("nested/deeper/e.bin", vec![]),
        ("dup-of-a.json", b"{\"Records\":[]}".to_vec()),
    ] {
        fs::write(src.join(name), content).expect("write");
    }
    let case = Case::init(&dir.path().join("case"), "IR-7", "alice", "UTC").expect("init");
    Fixture {
        _dir: dir,
        case,
        src,
    }
}

fn opts() -> AcquireOptions {
    AcquireOptions {
        command_line: vec!["cloudcase".into(), "acquire".into()],
        ..AcquireOptions::default()
    }
}

fn kinds(r: &VerifyReport) -> Vec<ProblemKind> {
    r.problems.iter().map(|p| p.kind).collect()
}

fn has(r: &VerifyReport, kind: ProblemKind) -> bool {
    r.problems.iter().any(|p| p.kind == kind)
}

fn object_files(case: &Case) -> Vec<PathBuf> {
    walk(&case.layout().objects_dir())
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn make_writable(path: &Path) {
    let mut perms = fs::metadata(path).expect("stat").permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(path, perms).expect("chmod");
}

/// Sources recorded per manifest line.
fn manifest_sources(case: &Case) -> HashMap<String, usize> {
    let mut n = HashMap::new();
    for line in fs::read_to_string(case.layout().manifest_file())
        .expect("manifest")
        .lines()
    {
        let v: serde_json::Value = serde_json::from_str(line).expect("manifest json");
        *n.entry(v["source"].as_str().expect("source").to_owned())
            .or_default() += 1;
    }
    n
}

fn custody_lines(case: &Case) -> Vec<String> {
    fs::read_to_string(case.layout().custody_file())
        .expect("custody")
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_custody(case: &Case, lines: &[String]) {
    fs::write(case.layout().custody_file(), lines.join("\n") + "\n").expect("write custody");
}

#[test]
fn fresh_acquisition_verifies_and_dedupes_content() {
    let f = fixture();
    let s = f.case.acquire_paths(&[&f.src], &opts()).expect("acquire");
    assert!(!s.has_failures());
    assert_eq!(s.count(ItemStatus::New), 5);
    assert_eq!(
        s.count(ItemStatus::NewSource),
        1,
        "dup-of-a is another source of a"
    );
    assert_eq!(object_files(&f.case).len(), 5);
    assert_eq!(s.bytes_read, 14 + 7 + 300_000 + 2_500_000 + 14);

    let objects = f.case.evidence_objects().expect("objects");
    assert_eq!(objects.len(), 5);
    let a = objects
        .iter()
        .find(|o| o.sources.iter().any(|s| s.uri.ends_with("/a.json")))
        .expect("a.json held");
    assert_eq!(a.sources.len(), 2);
    assert!(a.path.is_file());
    assert!(Path::new(&a.sources[0].uri).is_absolute());
    assert!(fs::metadata(&a.path)
        .expect("stat")
        .permissions()
        .readonly());

    let r = f.case.verify().expect("verify");
    assert!(r.ok, "{:#?}", r.problems);
    assert_eq!(r.objects_checked, 5);
    assert!(r.recorded_as.is_some());
    let last = f.case.custody().entries().expect("entries");
    assert_eq!(
        last.last().map(|e| e.action.clone()),
        Some(Action::Verified)
    );
    assert_eq!(
        last.last().map(|e| e.details["ok"].clone()),
        Some(json!(true))
    );
}

#[test]
fn reacquiring_is_idempotent_and_new_sources_are_recorded_once() {
    let f = fixture();
    f.case.acquire_paths(&[&f.src], &opts()).expect("first");
    let manifest_before = fs::read(f.case.layout().manifest_file()).expect("read");
    let s = f.case.acquire_paths(&[&f.src], &opts()).expect("second");
    assert_eq!(s.count(ItemStatus::AlreadyHeld), 6);
    assert_eq!(s.bytes_stored, 0);
    assert_eq!(
        fs::read(f.case.layout().manifest_file()).expect("read"),
        manifest_before
    );

    // Same content at a new path: one more source, no second copy.
    fs::copy(f.src.join("nested/c.log"), f.src.join("copy-of-c.log")).expect("copy");
    let s = f.case.acquire_paths(&[&f.src], &opts()).expect("third");
    assert_eq!(s.count(ItemStatus::NewSource), 1);
    assert_eq!(s.count(ItemStatus::AlreadyHeld), 6);
    assert_eq!(object_files(&f.case).len(), 5);
    assert!(manifest_sources(&f.case).values().all(|&n| n == 1));

    // Changed content at a known path: a new object, the old one kept.
    fs::write(f.src.join("a.json"), b"{\"Records\":[1]}").expect("write");
    let s = f
        .case
        .acquire_paths(&[f.src.join("a.json")], &opts())
        .expect("fourth");
    assert_eq!(s.count(ItemStatus::New), 1);
    assert_eq!(object_files(&f.case).len(), 6);
    assert!(f.case.verify().expect("verify").ok);
}

#[test]
fn missing_sources_fail_by_name_and_the_rest_is_acquired() {
    let f = fixture();
    let missing = f.src.join("nope.json");
    let s = f
        .case
        .acquire_paths(&[missing.clone(), f.src.join("a.json")], &opts())
        .expect("acquire");
    let failures: Vec<_> = s
        .failures()
        .map(|(src, e)| (src.to_owned(), e.to_string()))
        .collect();
    assert_eq!(failures.len(), 1);
    assert!(failures[0].1.contains("nope.json"), "{failures:?}");
    assert_eq!(s.count(ItemStatus::New), 1);
    assert!(f.case.verify().expect("verify").ok);
}

#[test]
fn modified_missing_and_extra_objects_are_named() {
    let f = fixture();
    f.case.acquire_paths(&[&f.src], &opts()).expect("acquire");
    let objects = f.case.evidence_objects().expect("objects");
    let big = objects.iter().find(|o| o.size == 2_500_000).expect("big");
    let small = objects.iter().find(|o| o.size == 300_000).expect("small");

    make_writable(&big.path);
    let mut bytes = fs::read(&big.path).expect("read");
    bytes[1_000_000] ^= 1;
    fs::write(&big.path, bytes).expect("flip");
    make_writable(&small.path);
    fs::remove_file(&small.path).expect("delete");
    fs::write(f.case.layout().evidence_dir().join("extra.txt"), b"x").expect("extra");

    let r = f.case.verify().expect("verify");
    assert!(!r.ok);
    let modified = r
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::ObjectModified)
        .expect("modified named");
    assert_eq!(modified.object.as_deref(), Some(big.sha256.as_str()));
    assert_eq!(modified.expected.as_deref(), Some(big.sha256.as_str()));
    assert_ne!(modified.actual, modified.expected);
    let missing = r
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::ObjectMissing)
        .expect("missing named");
    assert_eq!(missing.object.as_deref(), Some(small.sha256.as_str()));
    let extra = r
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::UnexpectedFile)
        .expect("extra named");
    assert_eq!(extra.path.as_deref(), Some("evidence/extra.txt"));
    assert_eq!(r.problems.len(), 3, "{:#?}", r.problems);
    // The failed result is itself recorded.
    let last = f.case.custody().entries().expect("entries");
    assert_eq!(
        last.last().map(|e| e.details["ok"].clone()),
        Some(json!(false))
    );
}

#[test]
fn custody_edits_deletions_reorders_and_insertions_are_named() {
    let f = fixture();
    f.case.acquire_paths(&[&f.src], &opts()).expect("acquire");
    let original = custody_lines(&f.case);
    assert!(original.len() >= 8);

    // Edit entry 3 (an `acquired` entry): change the source it claims.
    let mut lines = original.clone();
    lines[2] = lines[2].replacen("/src/", "/elsewhere/", 1);
    write_custody(&f.case, &lines);
    let r = f.case.verify().expect("verify");
    assert!(has(&r, ProblemKind::CustodyHashMismatch), "{:?}", kinds(&r));
    assert!(r
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::CustodyHashMismatch && p.entry == Some(3)));

    // Delete entry 4.
    let mut lines = original.clone();
    lines.remove(3);
    write_custody(&f.case, &lines);
    let r = f.case.verify().expect("verify");
    assert!(r
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::CustodyPrevMismatch && p.entry == Some(4)));
    assert!(r
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::CustodyBadSeq && p.entry == Some(4)));
    assert!(
        has(&r, ProblemKind::ManifestUnrecorded),
        "the deleted entry's manifest line"
    );

    // Swap entries 3 and 4.
    let mut lines = original.clone();
    lines.swap(2, 3);
    write_custody(&f.case, &lines);
    let r = f.case.verify().expect("verify");
    assert!(r
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::CustodyBadSeq && p.entry == Some(3)));

    // Insert a copy of entry 2 after it.
    let mut lines = original.clone();
    lines.insert(2, original[1].clone());
    write_custody(&f.case, &lines);
    let r = f.case.verify().expect("verify");
    assert!(r
        .problems
        .iter()
        .any(|p| p.kind == ProblemKind::CustodyPrevMismatch && p.entry == Some(3)));

    // Restored: verifies again (the log keeps the failed verifications).
    write_custody(&f.case, &original);
    assert!(f.case.verify().expect("verify").ok);
}

#[test]
fn manifest_and_case_file_tampering_is_named() {
    let f = fixture();
    f.case.acquire_paths(&[&f.src], &opts()).expect("acquire");
    let path = f.case.layout().manifest_file();
    let original = fs::read_to_string(&path).expect("read");
    let mut lines: Vec<String> = original.lines().map(str::to_owned).collect();
    lines[0] = lines[0].replacen("alice", "mallory", 1);
    let forged = lines[1].replace(
        &lines[1][11..75],
        "0000000000000000000000000000000000000000000000000000000000000000",
    );
    lines.push(forged);
    fs::write(&path, lines.join("\n") + "\n").expect("write");
    let r = f.case.verify().expect("verify");
    assert!(has(&r, ProblemKind::ManifestUnrecorded), "{:?}", kinds(&r));
    assert!(
        has(&r, ProblemKind::ManifestEntryMissing),
        "{:?}",
        kinds(&r)
    );
    assert!(
        has(&r, ProblemKind::ManifestUnknownObject),
        "{:?}",
        kinds(&r)
    );
    fs::write(&path, original).expect("restore");

    let case_json = f.case.layout().case_file();
    let text = fs::read_to_string(&case_json).expect("read");
    fs::write(&case_json, text.replace("alice", "mallory")).expect("write");
    let r = f.case.verify().expect("verify");
    assert_eq!(kinds(&r), vec![ProblemKind::CaseFileModified]);
}

#[test]
fn crash_leftovers_are_reported_then_recovered_by_rerun() {
    let f = fixture();
    f.case.acquire_paths(&[&f.src], &opts()).expect("acquire");
    let layout = f.case.layout().clone();

    // Simulate a crash: a half-written temp copy and torn final lines; and a
    // source the interrupted run never reached.
    fs::write(layout.tmp_dir().join("999-0.partial"), b"half").expect("temp");
    fs::write(f.src.join("late.json"), b"late content").expect("write");
    let custody = layout.custody_file();
    let mut c = fs::read(&custody).expect("read");
    c.extend_from_slice(b"{\"seq\":99,\"time\":\"20");
    fs::write(&custody, c).expect("torn custody");
    let manifest = layout.manifest_file();
    let mut m = fs::read(&manifest).expect("read");
    m.extend_from_slice(b"{\"sha256\":\"ab");
    fs::write(&manifest, m).expect("torn manifest");

    let r = f.case.verify().expect("verify");
    assert!(!r.ok);
    for k in [
        ProblemKind::LeftoverTemp,
        ProblemKind::CustodyTornTail,
        ProblemKind::ManifestTornTail,
    ] {
        assert!(has(&r, k), "{k:?} not in {:?}", kinds(&r));
    }
    assert!(!has(&r, ProblemKind::ObjectModified));

    let s = f.case.acquire_paths(&[&f.src], &opts()).expect("rerun");
    assert_eq!(s.cleaned_temp_files, vec!["999-0.partial".to_owned()]);
    assert_eq!(
        s.repairs.len(),
        1,
        "manifest tail (custody tail was repaired by verify)"
    );
    assert_eq!(s.count(ItemStatus::New), 1, "late.json");
    assert_eq!(s.count(ItemStatus::AlreadyHeld), 6);
    let r = f.case.verify().expect("verify");
    assert!(r.ok, "{:#?}", r.problems);
    assert!(manifest_sources(&f.case).values().all(|&n| n == 1));
    let actions: Vec<Action> = f
        .case
        .custody()
        .entries()
        .expect("entries")
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions.iter().filter(|a| **a == Action::Repaired).count(),
        2
    );
}

#[test]
fn unrecorded_tail_of_an_interrupted_run_is_adopted_and_orphans_recorded() {
    let f = fixture();
    f.case
        .acquire_paths(&[f.src.join("a.json")], &opts())
        .expect("acquire");
    // Simulate: the run was killed after placing objects and writing their
    // manifest lines but before the custody entries (drop the last `acquired`
    // and the run summary), and after placing another object it never recorded.
    let lines = custody_lines(&f.case);
    let kept: Vec<String> = lines[..lines.len() - 2].to_vec();
    write_custody(&f.case, &kept);
    let s = f
        .case
        .acquire_paths(&[f.src.join("b.json.gz")], &opts())
        .expect("place b");
    assert_eq!(s.count(ItemStatus::New), 1);
    // Make b an orphan: remove its manifest line and custody entries.
    let m = fs::read_to_string(f.case.layout().manifest_file()).expect("read");
    let mlines: Vec<&str> = m.lines().collect();
    fs::write(f.case.layout().manifest_file(), format!("{}\n", mlines[0])).expect("write");
    let lines = custody_lines(&f.case);
    write_custody(&f.case, &lines[..kept.len() + 1]); // keeps the adoption of a
    let r = f.case.verify().expect("verify");
    assert_eq!(
        kinds(&r),
        vec![ProblemKind::OrphanObject],
        "{:#?}",
        r.problems
    );

    let s = f.case.acquire_paths(&[&f.src], &opts()).expect("rerun");
    assert_eq!(s.count(ItemStatus::AlreadyHeld), 1, "a.json");
    assert_eq!(
        s.count(ItemStatus::New),
        4,
        "b (orphan now recorded), c, d, e"
    );
    let r = f.case.verify().expect("verify");
    assert!(r.ok, "{:#?}", r.problems);
    assert_eq!(object_files(&f.case).len(), 5);
}

#[test]
fn other_crates_can_append_to_custody() {
    let f = fixture();
    let e = f
        .case
        .custody()
        .append(
            Action::ReportProduced,
            json!({"report": "reports/r.html", "sha256": "00"}),
        )
        .expect("append");
    assert_eq!(e.seq, 2);
    let e = f
        .case
        .custody()
        .append_as("bob", Action::Other("timeline_built".into()), json!({}))
        .expect("append as");
    assert_eq!(e.seq, 3);
    assert!(f.case.verify().expect("verify").ok);
    let entries = f.case.custody().entries().expect("entries");
    assert_eq!(entries[2].actor, "bob");
    assert_eq!(entries[2].action, Action::Other("timeline_built".into()));
}

#[test]
fn special_files_and_links_are_skipped_not_failed() {
    let f = fixture();
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("/etc/hostname", f.src.join("link")).expect("symlink");
        let fifo = f.src.join("fifo");
        // libc rather than a `mkfifo` process: a fork while another test holds
        // its case lock would hold that lock too until the child execs.
        let path = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).expect("path");
        // SAFETY: `path` is a valid NUL-terminated string that outlives the call.
        let ok = unsafe { libc::mkfifo(path.as_ptr(), 0o644) } == 0;
        let s = f.case.acquire_paths(&[&f.src], &opts()).expect("acquire");
        assert!(!s.has_failures());
        let skipped: Vec<&str> = s.skipped().map(|(src, _)| src).collect();
        assert!(skipped.iter().any(|p| p.ends_with("/link")), "{skipped:?}");
        if ok {
            assert!(skipped.iter().any(|p| p.ends_with("/fifo")), "{skipped:?}");
        }
        assert!(s
            .items
            .iter()
            .all(|i| !matches!(i.outcome, Outcome::Failed(_))));
    }
}

#[test]
fn a_source_containing_the_case_skips_the_case_itself() {
    let f = fixture();
    let parent = f
        .case
        .root()
        .parent()
        .expect("case has a parent")
        .to_path_buf();
    let s = f.case.acquire_paths(&[&parent], &opts()).expect("acquire");
    assert!(!s.has_failures());
    assert_eq!(
        s.count(ItemStatus::New),
        5,
        "the 6 source files, one a duplicate"
    );
    let inside: Vec<&str> = s
        .skipped()
        .filter(|(_, why)| why.contains("case folder"))
        .map(|(src, _)| src)
        .collect();
    assert!(
        inside.iter().any(|p| p.ends_with("custody.jsonl")),
        "{inside:?}"
    );
    assert!(f.case.verify().expect("verify").ok);
}

#[test]
fn an_emptied_custody_log_is_reported_and_writers_refuse() {
    let f = fixture();
    fs::write(f.case.layout().custody_file(), b"").expect("empty");
    let r = f.case.verify().expect("verify");
    assert!(has(&r, ProblemKind::CustodyMissing), "{:?}", kinds(&r));
    assert_eq!(r.recorded_as, None);
    let err = f
        .case
        .acquire_paths(&[&f.src], &opts())
        .expect_err("refused");
    assert!(
        err.to_string().contains("custody log missing or empty"),
        "{err}"
    );
}
