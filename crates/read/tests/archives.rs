//! Archives (zip, tar, tar.gz) read in place: members in order as
//! `archive!member`, and every hostile archive reported, never extracted.
//! The archives are built byte by byte here, small.

mod common;

use std::io::Write;

use cloudcase_read::{discover, read_records, Limits, RejectKind};
use common::{gzip, read, read_with, write, Run};
use flate2::write::DeflateEncoder;
use flate2::Compression;

fn record(name: &str, id: &str) -> String {
    format!(
        r#"{{"eventVersion":"1.09","userIdentity":{{"type":"IAMUser","arn":"arn:aws:iam::111122223333:user/bot","accountId":"111122223333","userName":"bot"}},"eventTime":"2024-05-14T02:00:00Z","eventSource":"iam.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","eventID":"{id}"}}"#
    )
}

fn log(ids: &[&str]) -> Vec<u8> {
    let records: Vec<String> = ids.iter().map(|id| record("ListUsers", id)).collect();
    format!("{{\"Records\":[{}]}}", records.join(",")).into_bytes()
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut enc = DeflateEncoder::new(Vec::new(), Compression::default());
    enc.write_all(bytes).unwrap();
    enc.finish().unwrap()
}

/// One zip member: name, general-purpose flags, method, data as stored, and
/// the uncompressed size the header claims.
struct Entry<'a> {
    name: &'a [u8],
    flags: u16,
    method: u16,
    data: Vec<u8>,
    claimed: u32,
}

fn stored(name: &str, data: &[u8]) -> Entry<'static> {
    let name: &'static [u8] = Box::leak(name.as_bytes().to_vec().into_boxed_slice());
    Entry {
        name,
        flags: 0,
        method: 0,
        data: data.to_vec(),
        claimed: data.len() as u32,
    }
}

fn deflated(name: &str, data: &[u8]) -> Entry<'static> {
    Entry {
        method: 8,
        data: deflate(data),
        ..stored(name, data)
    }
}

/// A zip of `entries`: local headers and data, then an empty end record.
fn zip(entries: &[Entry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&20u16.to_le_bytes());
        out.extend_from_slice(&e.flags.to_le_bytes());
        out.extend_from_slice(&e.method.to_le_bytes());
        out.extend_from_slice(&[0; 8]); // time, date, crc
        out.extend_from_slice(&(e.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&e.claimed.to_le_bytes());
        out.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(e.name);
        out.extend_from_slice(&e.data);
    }
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0; 18]);
    out
}

/// A tar of `(name, type flag, data)`, with its end-of-archive blocks.
fn tar(entries: &[(&[u8], u8, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, flag, data) in entries {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name);
        h[100..107].copy_from_slice(b"0000644");
        h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
        h[136..147].copy_from_slice(b"00000000000");
        h[156] = *flag;
        if *flag == b'2' {
            h[157..168].copy_from_slice(b"/etc/shadow");
        }
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn paths(run: &Run) -> Vec<String> {
    run.events
        .iter()
        .map(|e| e.provenance.file.path.display().to_string())
        .collect()
}

fn ids(run: &Run) -> Vec<&str> {
    run.events
        .iter()
        .filter_map(|e| e.event_id.as_deref())
        .collect()
}

fn rejected(run: &Run) -> Vec<(String, RejectKind, &str)> {
    run.rejections
        .iter()
        .map(|r| (r.file.display().to_string(), r.kind, r.detail.as_str()))
        .collect()
}

const KEY_A: &str = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/14/a.json.gz";
const KEY_B: &str = "AWSLogs/111122223333/CloudTrail/us-east-1/2024/05/14/b.json";

#[test]
fn a_zipped_cloudtrail_tree_reads_like_the_tree_member_by_member() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = zip(&[
        stored("AWSLogs/", b""),
        stored(KEY_A, &gzip(&log(&["a1", "a2"]))),
        deflated(KEY_B, &log(&["b1"])),
    ]);
    let path = write(dir.path(), "logs.zip", &bytes);
    let run = read(std::slice::from_ref(&path));
    assert_eq!(ids(&run), ["a1", "a2", "b1"]);
    let shown = format!("{}!{KEY_A}", path.display());
    assert_eq!(paths(&run)[0], shown);
    assert_eq!(run.events[0].provenance.record, 0);
    assert_eq!(run.events[1].provenance.record, 1);
    assert_eq!(run.accounting.files_read, 2);
    // The directory entry is reported but is no loss.
    assert_eq!(
        run.accounting.files_skipped.get(&RejectKind::NotAFile),
        Some(&1)
    );
    assert!(!run.accounting.has_losses());
    // Each member is an input of its own, with an ordinal of its own.
    let inputs = discover(&[path], &|_| {}).unwrap();
    let ordinals: Vec<u64> = inputs.files.iter().map(|f| f.ordinal).collect();
    assert_eq!(ordinals, [0, 1, 2]);
}

#[test]
fn tar_and_tar_gz_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let a = gzip(&log(&["t1"]));
    let b = log(&["t2", "t3"]);
    let t = tar(&[
        (b"AWSLogs/", b'5', b""),
        (KEY_A.as_bytes(), b'0', &a),
        (KEY_B.as_bytes(), b'0', &b),
        (b"AWSLogs/link", b'2', b""),
    ]);
    let plain = write(dir.path(), "logs.tar", &t);
    let gz = write(dir.path(), "logs.tgz", &gzip(&t));
    for path in [plain, gz] {
        let run = read(std::slice::from_ref(&path));
        assert_eq!(ids(&run), ["t1", "t2", "t3"], "{}", path.display());
        assert_eq!(paths(&run)[2], format!("{}!{KEY_B}", path.display()));
        let skipped = rejected(&run);
        assert_eq!(skipped.len(), 2, "{skipped:?}");
        assert!(
            skipped[1].2.contains("symbolic link to etc/shadow"),
            "{skipped:?}"
        );
        assert!(!run.accounting.has_losses());
    }
}

#[test]
fn a_bomb_member_stops_at_the_cap_naming_archive_and_member_and_the_rest_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let bomb = || {
        let mut bomb = deflated("AWSLogs/bomb.json", &vec![b' '; 4 << 20]);
        bomb.claimed = 10;
        bomb
    };
    let bytes = zip(&[deflated(KEY_A, &log(&["before"])), bomb()]);
    let path = write(dir.path(), "bomb.zip", &bytes);
    let limits = Limits {
        max_decompressed_bytes: 1 << 20,
        ..Limits::default()
    };
    let run = read_with(std::slice::from_ref(&path), limits);
    assert_eq!(ids(&run), ["before"]);
    let r = rejected(&run);
    assert_eq!(r[0].0, format!("{}!AWSLogs/bomb.json", path.display()));
    assert_eq!(r[0].1, RejectKind::DecompressLimit);
    assert!(r[0].2.contains("limit of"), "{r:?}");
    // The ratio guard (per member) too, long before the size cap; the
    // members after the bomb are read.
    let bytes = zip(&[bomb(), deflated(KEY_B, &log(&["after"]))]);
    let path = write(dir.path(), "bomb2.zip", &bytes);
    let ratio = Limits {
        ratio_grace_bytes: 1 << 16,
        ..Limits::default()
    };
    let run = read_with(&[path], ratio);
    assert_eq!(ids(&run), ["after"]);
    assert!(
        rejected(&run)[0].2.contains("ratio"),
        "{:?}",
        rejected(&run)
    );
}

#[test]
fn hostile_names_are_shown_sanitized_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = zip(&[
        stored("../../etc/passwd", &log(&["p1"])),
        stored("/abs/x.json", &log(&["p2"])),
        stored("C:\\win\\..\\y.json", &log(&["p3"])),
        stored("z\0\x1b[2J.json", &log(&["p4"])),
    ]);
    let path = write(dir.path(), "evil.zip", &bytes);
    let run = read(std::slice::from_ref(&path));
    assert_eq!(ids(&run), ["p1", "p2", "p3", "p4"]);
    let shown: Vec<String> = paths(&run)
        .iter()
        .map(|p| p.rsplit_once("evil.zip!").unwrap().1.to_owned())
        .collect();
    assert_eq!(
        shown,
        [
            "%2E%2E/%2E%2E/etc/passwd",
            "abs/x.json",
            "win/%2E%2E/y.json",
            "z\\u{0}\\u{1b}[2J.json"
        ]
    );
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "nothing is extracted");
}

#[test]
fn an_encrypted_member_is_reported_and_the_others_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut secret = stored("secret.json", b"\x8a\x11 not readable without the password");
    secret.flags = 1;
    let bytes = zip(&[secret, stored("open.json", &log(&["o1"]))]);
    let path = write(dir.path(), "enc.zip", &bytes);
    let run = read(std::slice::from_ref(&path));
    assert_eq!(ids(&run), ["o1"]);
    let r = rejected(&run);
    assert_eq!(r[0].0, format!("{}!secret.json", path.display()));
    assert_eq!(r[0].1, RejectKind::Unreadable);
    assert!(r[0].2.starts_with("encrypted member, not read"), "{r:?}");
}

#[test]
fn a_truncated_archive_is_reported_after_what_it_holds() {
    let dir = tempfile::tempdir().unwrap();
    let whole = zip(&[
        stored("one.json", &log(&["k1"])),
        stored("two.json", &log(&["k2"])),
    ]);
    let cut = &whole[..whole.len() - 40];
    let path = write(dir.path(), "cut.zip", cut);
    let run = read(std::slice::from_ref(&path));
    assert_eq!(ids(&run), ["k1"]);
    let r = rejected(&run);
    assert!(
        r.iter().any(|(f, k, d)| *f == path.display().to_string()
            && *k == RejectKind::Truncated
            && d.contains("truncated")),
        "{r:?}"
    );
    let t = tar(&[(b"one.json", b'0', &log(&["k1"]))]);
    let path = write(dir.path(), "cut.tar", &t[..600]);
    let run = read(&[path]);
    assert!(run.accounting.has_losses());
    assert!(
        rejected(&run)
            .iter()
            .any(|(_, _, d)| d.contains("truncated")),
        "{:?}",
        rejected(&run)
    );
}

#[test]
fn too_many_members_and_nested_archives_are_refused_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let inner = zip(&[stored("in.json", &log(&["n0"]))]);
    let bytes = zip(&[
        stored("nested.zip", &inner),
        stored("a.json", &log(&["m1"])),
        stored("b.json", &log(&["m2"])),
    ]);
    let path = write(dir.path(), "many.zip", &bytes);
    let run = read(std::slice::from_ref(&path));
    assert_eq!(ids(&run), ["m1", "m2"]);
    let r = rejected(&run);
    assert!(r[0].2.contains("inside an archive is not read"), "{r:?}");
    let limits = Limits {
        max_archive_members: 2,
        ..Limits::default()
    };
    let run = read_with(&[path], limits);
    assert_eq!(ids(&run), ["m1"]);
    let r = rejected(&run);
    assert!(
        r.iter()
            .any(|(_, k, d)| *k == RejectKind::DecompressLimit && d.contains("at most 2 members")),
        "{r:?}"
    );
}

#[test]
fn an_archive_named_like_a_log_is_still_read_as_one() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = zip(&[
        stored("a.json", &log(&["j1"])),
        stored("b.json", &log(&["j2"])),
    ]);
    let path = write(dir.path(), "export.json", &bytes);
    // Not opened at discovery (a log is opened once): one input, read as an archive.
    assert_eq!(
        discover(std::slice::from_ref(&path), &|_| {})
            .unwrap()
            .files
            .len(),
        1
    );
    let run = read(std::slice::from_ref(&path));
    assert_eq!(ids(&run), ["j1", "j2"]);
    assert_eq!(paths(&run)[1], format!("{}!b.json", path.display()));
    assert_eq!(run.accounting.files_read, 2);
    // Its members share its ordinal: a record read again is found in its own member only.
    for (i, want) in ["j1", "j2"].iter().enumerate() {
        let file = &run.events[i].provenance.file;
        let again = read_records(file, Limits::default(), &[0]);
        let got: Vec<_> = again.iter().map(|e| e.event_id.as_deref()).collect();
        assert_eq!(got, [Some(*want)], "{}", file.path.display());
    }
}
