//! End-to-end scenarios over synthetic trails signed in AWS's exact format with the
//! test key in `tests/fixtures/` (self-contained: no ../shared needed).

use std::path::{Path, PathBuf};

use cloudcase_trail::testkit::{build_trail, BuiltTrail, Signer, TrailSpec};
use cloudcase_trail::{
    validate, DigestFailure, DigestStatus, GapReason, Inputs, KnownFile, LogStatus, Options,
    ProblemKind, PublicKeys, Report, SignatureCheck, SignatureSource, Signatures, TextOptions,
};

const KEY: &str = include_str!("fixtures/test-rsa-2048.pem");

struct Case {
    dir: tempfile::TempDir,
    trail: BuiltTrail,
    keys: PublicKeys,
}

fn signer() -> Signer {
    Signer::from_pkcs1_pem(KEY).expect("fixture key loads")
}

fn case_with(spec: &TrailSpec) -> Case {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = signer();
    let trail = build_trail(&dir.path().join("bucket"), spec, &s).expect("fixture builds");
    let kf = dir.path().join("keys.json");
    std::fs::write(&kf, s.public_keys_json()).expect("write keys");
    let mut keys = PublicKeys::new();
    keys.load_file(&kf).expect("keys load");
    Case { dir, trail, keys }
}

fn case() -> Case {
    case_with(&TrailSpec::default())
}

impl Case {
    fn sig_map(&self) -> Signatures {
        let p = self.dir.path().join("signatures.json");
        self.trail.write_signature_map(&p).expect("write map");
        let mut s = Signatures::new();
        s.load(&p).expect("map loads");
        s
    }

    fn run(&self, sigs: &Signatures) -> Report {
        self.run_with(sigs, &Options::default())
    }

    fn run_with(&self, sigs: &Signatures, opts: &Options) -> Report {
        let inputs = Inputs {
            paths: vec![self.trail.root.clone()],
            root: Some(self.trail.root.clone()),
            known: Vec::new(),
        };
        validate(&inputs, &self.keys, sigs, opts).expect("validation runs")
    }
}

fn kinds(r: &Report) -> Vec<&'static str> {
    r.problems.iter().map(|p| p.kind.as_str()).collect()
}

fn has(r: &Report, k: ProblemKind) -> bool {
    r.problems.iter().any(|p| p.kind == k)
}

fn text(r: &Report) -> String {
    r.to_text(&TextOptions::default())
}

#[test]
fn all_valid() {
    let c = case();
    let r = c.run(&c.sig_map());
    assert!(r.ok(), "{}", text(&r));
    assert!(r.signatures_checked());
    let d = r.digest_counts(None);
    assert_eq!(
        (d.total, d.valid, d.invalid, d.missing, d.unchecked),
        (6, 6, 0, 0, 0)
    );
    let l = r.log_counts(None);
    assert_eq!((l.total, l.valid, l.uncovered), (12, 12, 0));
    assert!(r.gaps.is_empty());
    let t = text(&r);
    assert!(
        t.contains("6/6 digest files valid") && t.contains("12/12 log files valid"),
        "{t}"
    );
    assert!(t.contains("RESULT: OK"), "{t}");
    let j = r.to_json(false);
    assert_eq!(j["ok"], true);
    assert_eq!(j["signatures_checked"], true);
    assert_eq!(j["digests"]["valid"], 6);
    assert_eq!(j["logs"]["valid"], 12);
    // The head is verified by its supplied signature, the others by the chain.
    let head = r.digests.first().expect("digests");
    assert_eq!(
        head.signature,
        SignatureCheck::Verified(SignatureSource::Supplied)
    );
}

#[test]
fn sidecars_next_to_digests_are_picked_up() {
    let c = case();
    c.trail.write_sidecars().expect("sidecars");
    let r = c.run(&Signatures::new());
    assert!(r.ok(), "{}", text(&r));
    assert_eq!(r.signatures_supplied, 6);
}

#[test]
fn log_file_modified() {
    let c = case();
    let victim = &c.trail.digests[2].logs[1];
    std::fs::write(&victim.path, b"{\"Records\":[]}").expect("tamper");
    let r = c.run(&c.sig_map());
    assert!(!r.ok());
    assert_eq!(kinds(&r), vec!["log_modified"]);
    assert_eq!(r.log_counts(None).modified, 1);
    let t = text(&r);
    assert!(
        t.contains(&format!(
            "Log file       s3://case-bucket/{}\tINVALID: hash value doesn't match",
            victim.key
        )),
        "{t}"
    );
    assert!(
        t.contains("11/12 log files valid, 1/12 log files INVALID"),
        "{t}"
    );
}

#[test]
fn log_file_deleted() {
    let c = case();
    let victim = &c.trail.digests[4].logs[0];
    std::fs::remove_file(&victim.path).expect("delete");
    let r = c.run(&c.sig_map());
    assert!(!r.ok());
    assert_eq!(kinds(&r), vec!["log_deleted"]);
    assert_eq!(r.log_counts(None).deleted, 1);
    assert!(text(&r).contains("INVALID: not found"));
}

#[test]
fn one_digest_removed() {
    let c = case();
    let gone = &c.trail.digests[3];
    std::fs::remove_file(&gone.path).expect("delete");
    let r = c.run(&c.sig_map());
    assert!(!r.ok());
    assert!(has(&r, ProblemKind::DigestMissing));
    let d = r.digest_counts(None);
    assert_eq!((d.valid, d.missing, d.total), (5, 1, 6), "{}", text(&r));
    assert_eq!(r.gaps.len(), 1);
    let g = &r.gaps[0];
    assert_eq!(g.reason, GapReason::DigestsMissing);
    assert_eq!(g.missing_digests, 1);
    assert_eq!(
        (g.from, g.to),
        (Some(c.trail.digests[2].end), Some(c.trail.digests[4].start))
    );
    // Its logs are no longer covered by any digest.
    assert_eq!(r.log_counts(None).uncovered, 2);
    let t = text(&r);
    assert!(
        t.contains(&format!(
            "s3://case-bucket/{}\tINVALID: not found",
            gone.key
        )),
        "{t}"
    );
    assert!(t.contains("1 digest file missing"), "{t}");
}

#[test]
fn two_consecutive_digests_removed() {
    let c = case();
    std::fs::remove_file(&c.trail.digests[2].path).expect("delete");
    std::fs::remove_file(&c.trail.digests[3].path).expect("delete");
    let r = c.run(&c.sig_map());
    assert!(!r.ok());
    let d = r.digest_counts(None);
    assert_eq!((d.valid, d.missing, d.total), (4, 2, 6), "{}", text(&r));
    assert_eq!(r.gaps.len(), 1, "one gap, not two");
    assert_eq!(r.gaps[0].missing_digests, 2);
    assert_eq!(r.gaps[0].from, Some(c.trail.digests[1].end));
    assert_eq!(r.gaps[0].to, Some(c.trail.digests[4].start));
    assert!(
        text(&r).contains("about 2 consecutive hourly digest files missing"),
        "{}",
        text(&r)
    );
    let j = r.to_json(false);
    assert_eq!(j["digests"]["missing"], 2);
    assert_eq!(j["gaps"][0]["reason"], "digests_missing");
}

#[test]
fn head_signature_altered() {
    let c = case();
    let mut sigs = Signatures::new();
    let mut bad = c.trail.digests[5].signature_hex.clone();
    bad.replace_range(0..2, if bad.starts_with("00") { "11" } else { "00" });
    sigs.insert(
        &c.trail.digests[5].key,
        &bad,
        Some("SHA256withRSA"),
        Path::new("tampered.json"),
    );
    let r = c.run(&sigs);
    assert!(!r.ok());
    assert!(
        has(&r, ProblemKind::DigestSignatureFailed),
        "{:?}",
        kinds(&r)
    );
    assert_eq!(
        r.digests[0].status,
        DigestStatus::Invalid(DigestFailure::SignatureFailed)
    );
    assert!(text(&r).contains("INVALID: signature verification failed"));
    // The head is not valid, so its log files are only hash-checked, not proven.
    assert_eq!(r.log_counts(None).unverified, 2);
}

#[test]
fn middle_supplied_signature_altered_is_reported_but_chain_proves_the_digest() {
    let c = case();
    let mut sigs = c.sig_map();
    sigs.insert(
        &c.trail.digests[1].key,
        &"ab".repeat(256),
        None,
        Path::new("other.json"),
    );
    let r = c.run(&sigs);
    assert!(!r.ok());
    assert_eq!(kinds(&r), vec!["supplied_signature_invalid"]);
}

#[test]
fn digest_content_altered() {
    let c = case();
    // Drop one log from digest 2, re-gzip: its chained signature and hash no longer match.
    let d = &c.trail.digests[2];
    let bytes = std::fs::read(&d.path).expect("read");
    let mut text_json = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(&bytes[..]),
        &mut text_json,
    )
    .expect("gunzip");
    let mut v: serde_json::Value = serde_json::from_str(&text_json).expect("json");
    v["logFiles"].as_array_mut().expect("array").pop();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut e, v.to_string().as_bytes()).expect("gzip");
    std::fs::write(&d.path, e.finish().expect("gzip")).expect("write");
    let r = c.run(&c.sig_map());
    assert!(!r.ok());
    assert!(has(&r, ProblemKind::DigestSignatureFailed));
    assert!(has(&r, ProblemKind::ChainHashMismatch));
    // The log dropped from the digest is now uncovered.
    assert_eq!(r.log_counts(None).uncovered, 1);
}

#[test]
fn public_key_missing() {
    let c = case();
    let r = {
        let inputs = Inputs {
            paths: vec![c.trail.root.clone()],
            root: None,
            known: Vec::new(),
        };
        validate(
            &inputs,
            &PublicKeys::new(),
            &c.sig_map(),
            &Options::default(),
        )
        .expect("runs")
    };
    assert!(!r.ok());
    assert!(r
        .problems
        .iter()
        .all(|p| p.kind == ProblemKind::UnknownPublicKey));
    assert_eq!(r.digest_counts(None).invalid, 6);
    assert!(!r.signatures_checked(), "no key: nothing was checked");
    let fp = signer().fingerprint();
    assert!(text(&r).contains(&format!("public key not found for fingerprint {fp}")));
}

#[test]
fn no_signatures_given() {
    let c = case();
    std::fs::write(&c.trail.digests[0].logs[0].path, b"tampered").expect("tamper");
    let r = c.run(&Signatures::new());
    assert!(!r.ok());
    assert!(!r.signatures_checked());
    assert_eq!(r.digests[0].status, DigestStatus::Unchecked);
    // Every older digest is verified through the chain.
    assert!(r.digests[1..]
        .iter()
        .all(|d| d.signature == SignatureCheck::Verified(SignatureSource::NextDigest)));
    assert!(has(&r, ProblemKind::DigestSignatureUnchecked));
    assert!(
        has(&r, ProblemKind::LogModified),
        "hashes are still checked"
    );
    let t = text(&r);
    assert!(
        t.contains("Signatures were NOT checked for 1 digest file"),
        "{t}"
    );
    assert!(t.contains("no --signatures were given"), "{t}");
    let j = r.to_json(false);
    assert_eq!(j["signatures_checked"], false);
    assert_eq!(j["digests"]["unchecked"], 1);
}

#[test]
fn injected_log_is_uncovered() {
    let c = case();
    let real = &c.trail.digests[1].logs[0].path;
    let fake = real.with_file_name(
        "111122223333_CloudTrail_us-east-1_20240301T0135Z_FAKEFAKEFAKEFAKE.json.gz",
    );
    std::fs::copy(real, &fake).expect("copy");
    let r = c.run(&c.sig_map());
    assert!(!r.ok());
    assert_eq!(kinds(&r), vec!["log_uncovered"]);
    assert_eq!(r.uncovered, vec![fake]);
}

#[test]
fn logging_off_restarts_the_chain_and_is_not_a_failure() {
    let c = case_with(&TrailSpec {
        logging_off: Some((3, 5)),
        ..TrailSpec::default()
    });
    let r = c.run(&c.sig_map());
    assert!(r.ok(), "{}", text(&r));
    assert_eq!(r.gaps.len(), 1);
    assert_eq!(r.gaps[0].reason, GapReason::LoggingOff);
    assert_eq!(r.gaps[0].from, Some(c.trail.digests[2].end));
    assert_eq!(r.gaps[0].to, Some(c.trail.digests[3].start));
    assert!(text(&r).contains("logging or log-file validation was off"));
}

#[test]
fn empty_hours_prove_nothing_was_delivered() {
    let c = case_with(&TrailSpec {
        empty_hours: vec![1, 2],
        ..TrailSpec::default()
    });
    let r = c.run(&c.sig_map());
    assert!(r.ok(), "{}", text(&r));
    let t = r.to_text(&TextOptions {
        verbose: true,
        ..TextOptions::default()
    });
    assert_eq!(
        t.matches("No log files were delivered by CloudTrail between")
            .count(),
        2,
        "{t}"
    );
}

#[test]
fn moved_digest_is_invalid() {
    let c = case();
    let d = &c.trail.digests[2];
    let elsewhere = d
        .path
        .parent()
        .expect("dir")
        .parent()
        .expect("dir")
        .join(d.path.file_name().expect("name"));
    std::fs::rename(&d.path, &elsewhere).expect("move");
    let r = c.run(&c.sig_map());
    assert!(!r.ok());
    assert!(has(&r, ProblemKind::DigestMoved));
    assert!(text(&r).contains("INVALID: has been moved from its original location"));
}

#[test]
fn unparsable_and_bomb_digests_are_reported_not_fatal() {
    let c = case();
    let d = &c.trail.digests[2];
    // A gzip bomb in place of digest 2: one 1 MiB member repeated 80 times (multi-member
    // gzip inflates all of them), past the default 64 MiB cap.
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut e, &vec![b' '; 1 << 20]).expect("gzip");
    let member = e.finish().expect("gzip");
    std::fs::write(&d.path, member.repeat(80)).expect("write");
    std::fs::write(&c.trail.digests[4].path, b"\x1f\x8bnot really gzip").expect("write");
    let r = c.run(&c.sig_map());
    assert!(!r.ok());
    assert!(has(&r, ProblemKind::DigestTooLarge), "{:?}", kinds(&r));
    assert!(has(&r, ProblemKind::DigestUnparsable), "{:?}", kinds(&r));
    assert!(
        r.gaps.iter().all(|g| g.reason == GapReason::DigestInvalid),
        "{:?}",
        r.gaps
    );
    assert_eq!(
        r.digest_counts(None).missing,
        0,
        "present but invalid is not missing"
    );
}

#[test]
fn period_restriction() {
    let c = case();
    let opts = Options {
        from: Some(c.trail.digests[2].start),
        to: Some(c.trail.digests[3].end),
        ..Options::default()
    };
    // Remove a digest outside the period: it must not matter.
    std::fs::remove_file(&c.trail.digests[0].path).expect("delete");
    let r = c.run_with(&c.sig_map(), &opts);
    assert!(r.ok(), "{}", text(&r));
    assert_eq!(r.digest_counts(None).valid, 2);
    assert_eq!(r.outside_period, 3);
    assert_eq!(r.log_counts(None).total, 4);
    // A period that extends past the last digest is unproven.
    let opts = Options {
        to: Some(c.trail.digests[5].end + jiff::SignedDuration::from_hours(3)),
        ..Options::default()
    };
    let r = c.run_with(&c.sig_map(), &opts);
    assert!(r
        .gaps
        .iter()
        .any(|g| g.reason == GapReason::AfterLastDigest));
    assert!(!r.ok());
}

#[test]
fn missing_digest_inside_period_without_older_ones() {
    let c = case();
    std::fs::remove_file(&c.trail.digests[0].path).expect("delete");
    std::fs::remove_file(&c.trail.digests[1].path).expect("delete");
    // Without --from the edge of the evidence is not a finding...
    let r = c.run(&c.sig_map());
    assert!(!has(&r, ProblemKind::DigestMissing), "{}", text(&r));
    // ...with --from it is, and the gap is sized from the period start.
    let opts = Options {
        from: Some(c.trail.digests[0].start),
        ..Options::default()
    };
    let r = c.run_with(&c.sig_map(), &opts);
    assert!(has(&r, ProblemKind::DigestMissing));
    assert_eq!(r.digest_counts(None).missing, 2, "{}", text(&r));
}

#[test]
fn organization_trail_with_prefix_and_gunzipped_copy() {
    let spec = TrailSpec {
        org: Some("o-abc123".into()),
        prefix: Some("cloudtrail/prod".into()),
        ..TrailSpec::default()
    };
    let c = case_with(&spec);
    // Gunzip one log and one digest locally: still validates.
    for p in [&c.trail.digests[1].logs[0].path, &c.trail.digests[1].path] {
        let bytes = std::fs::read(p).expect("read");
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out)
            .expect("gunzip");
        std::fs::write(p.with_extension(""), out).expect("write");
        std::fs::remove_file(p).expect("rm");
    }
    let r = c.run(&c.sig_map());
    assert!(r.ok(), "{}", text(&r));
    assert_eq!(r.chains[0].org.as_deref(), Some("o-abc123"));
}

#[test]
fn several_chains_are_reported_separately() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = signer();
    let root = dir.path().join("bucket");
    let a = build_trail(&root, &TrailSpec::default(), &s).expect("a");
    let b = build_trail(
        &root,
        &TrailSpec {
            region: "eu-west-1".into(),
            hours: 3,
            ..TrailSpec::default()
        },
        &s,
    )
    .expect("b");
    std::fs::remove_file(&b.digests[1].path).expect("delete");
    a.write_sidecars().expect("sig");
    b.write_sidecars().expect("sig");
    let mut keys = PublicKeys::new();
    keys.load_json(s.public_keys_json().as_bytes(), Path::new("k"))
        .expect("keys");
    let r = validate(
        &Inputs {
            paths: vec![root],
            root: None,
            known: Vec::new(),
        },
        &keys,
        &Signatures::new(),
        &Options::default(),
    )
    .expect("runs");
    assert_eq!(r.chains.len(), 2);
    let eu = r
        .chains
        .iter()
        .position(|c| c.region == "eu-west-1")
        .expect("eu chain");
    let us = 1 - eu;
    assert_eq!(r.digest_counts(Some(eu)).missing, 1);
    assert_eq!(r.digest_counts(Some(us)).missing, 0);
    assert_eq!(r.digest_counts(Some(us)).valid, 6);
    let j = r.to_json(false);
    assert_eq!(j["chains"].as_array().map(Vec::len), Some(2));
    assert_eq!(j["gaps"][0]["region"], "eu-west-1");
}

#[test]
fn nothing_to_validate_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("notes.txt"), "hello").expect("write");
    let r = validate(
        &Inputs {
            paths: vec![dir.path().to_path_buf()],
            root: None,
            known: Vec::new(),
        },
        &PublicKeys::new(),
        &Signatures::new(),
        &Options::default(),
    )
    .expect("runs");
    assert!(!r.ok());
    assert!(has(&r, ProblemKind::NoDigests));
    assert!(text(&r).contains("no digest files to validate") || text(&r).contains("no_digests"));
}

#[test]
fn a_missing_input_path_is_an_error() {
    let e = validate(
        &Inputs {
            paths: vec![PathBuf::from("/nonexistent/cloudcase")],
            root: None,
            known: Vec::new(),
        },
        &PublicKeys::new(),
        &Signatures::new(),
        &Options::default(),
    )
    .expect_err("missing input");
    assert!(e.to_string().contains("/nonexistent/cloudcase"));
}

#[test]
fn tz_changes_display_only() {
    let c = case();
    let r = c.run(&c.sig_map());
    let tz = jiff::tz::TimeZone::get("Asia/Tokyo").expect("tz");
    let t = r.to_text(&TextOptions { tz, verbose: false });
    assert!(t.contains("+09:00"), "{t}");
    assert!(r.to_json(false)["found"]["from"]
        .as_str()
        .is_some_and(|s| s.ends_with('Z')));
}

/// Every digest and log of `c` copied into a flat store under opaque names (as a case
/// keeps evidence objects), each given as a [`KnownFile`] located at `original(key, path)`.
/// The trail folder itself is then removed: only the stored copies can be read.
fn stored_trail(c: &Case, original: impl Fn(&str, &Path) -> String) -> Vec<KnownFile> {
    let store = c.dir.path().join("store");
    std::fs::create_dir_all(&store).expect("store");
    let mut known = Vec::new();
    let files = c.trail.digests.iter().flat_map(|d| {
        std::iter::once((d.key.as_str(), d.path.as_path()))
            .chain(d.logs.iter().map(|l| (l.key.as_str(), l.path.as_path())))
    });
    for (n, (key, path)) in files.enumerate() {
        let read_from = store.join(format!("object-{n:04}"));
        std::fs::copy(path, &read_from).expect("copy");
        known.push(KnownFile {
            read_from,
            original: original(key, path),
        });
    }
    std::fs::remove_dir_all(&c.trail.root).expect("remove the trail");
    known
}

fn validate_known(c: &Case, known: Vec<KnownFile>, sigs: &Signatures) -> Report {
    let inputs = Inputs {
        known,
        ..Inputs::default()
    };
    validate(&inputs, &c.keys, sigs, &Options::default()).expect("validation runs")
}

#[test]
fn known_files_are_located_by_their_original_path_or_uri() {
    let c = case();
    let sigs = c.sig_map();
    // Digests by S3 URI, log files by original absolute path.
    let known = stored_trail(&c, |key, path| {
        if !key.contains("CloudTrail-Digest") {
            path.display().to_string()
        } else {
            format!("s3://case-bucket/{key}")
        }
    });
    let r = validate_known(&c, known.clone(), &sigs);
    assert!(r.ok(), "{}", text(&r));
    assert_eq!(r.digest_counts(None).valid, 6);
    assert_eq!(r.log_counts(None).valid, 12);
    let files = r.to_json(true)["files"].as_array().cloned().expect("files");
    assert_eq!(files.len(), 18);
    for f in &files {
        let local = f["local"].as_str().expect("local");
        let stored = f["stored"].as_str().expect("stored");
        let given = known
            .iter()
            .find(|k| k.original == local)
            .expect("shown at its original location");
        assert_eq!(Path::new(stored), given.read_from);
    }
    assert!(known.iter().any(|k| k.original.starts_with("s3://")));
    assert!(known.iter().any(|k| k.original.starts_with('/')));
}

#[test]
fn a_sidecar_among_known_files_is_used() {
    let c = case();
    let head = c.trail.head().expect("head").clone();
    let mut known = stored_trail(&c, |key, _| format!("s3://case-bucket/{key}"));
    let sig = c.dir.path().join("store").join("object-sig");
    std::fs::write(&sig, &head.signature_hex).expect("write");
    known.push(KnownFile {
        read_from: sig,
        original: format!(
            "/downloads/{}.sig",
            head.key.rsplit('/').next().expect("name")
        ),
    });
    let r = validate_known(&c, known, &Signatures::new());
    assert!(r.ok(), "{}", text(&r));
    assert!(r.signatures_checked());
    assert_eq!(r.signatures_supplied, 1);
}

#[test]
fn a_modified_known_file_is_named_by_its_original_and_its_stored_copy() {
    let c = case();
    let sigs = c.sig_map();
    let victim = c.trail.digests[1].logs[0].clone();
    let known = stored_trail(&c, |_, path| path.display().to_string());
    let k = known
        .iter()
        .find(|k| Path::new(&k.original) == victim.path)
        .expect("victim")
        .clone();
    std::fs::write(&k.read_from, b"{\"Records\":[]}").expect("tamper");
    let r = validate_known(&c, known, &sigs);
    assert!(!r.ok());
    assert_eq!(kinds(&r), vec!["log_modified"]);
    let t = text(&r);
    assert!(
        t.contains(&format!(
            "(local: {}, stored as {})",
            victim.path.display(),
            k.read_from.display()
        )),
        "{t}"
    );
    let bad = r
        .logs
        .iter()
        .find(|l| l.status != LogStatus::Valid)
        .expect("modified");
    assert_eq!(bad.local.as_deref(), Some(victim.path.as_path()));
    assert_eq!(bad.stored.as_deref(), Some(k.read_from.as_path()));
}

#[test]
fn one_stored_object_at_several_places_is_one_file_per_place() {
    let c = case();
    let sigs = c.sig_map();
    let head = c.trail.head().expect("head").clone();
    let mut known = stored_trail(&c, |key, _| format!("s3://case-bucket/{key}"));
    let at = known
        .iter()
        .position(|k| k.original.ends_with(&head.key))
        .expect("head");
    // The same stored bytes were also found, earlier, somewhere the digest was not
    // delivered to: the copy in place is the one validated, the other is a duplicate.
    let elsewhere = KnownFile {
        read_from: known[at].read_from.clone(),
        original: "/home/analyst/Downloads/head-digest.json.gz".into(),
    };
    known.insert(0, elsewhere.clone());
    let r = validate_known(&c, known, &sigs);
    assert!(r.ok(), "{}", text(&r));
    assert!(!has(&r, ProblemKind::DigestMoved));
    assert!(r.ignored.contains(&PathBuf::from(&elsewhere.original)));
}

#[test]
fn an_unreadable_stored_copy_is_a_finding() {
    let c = case();
    let sigs = c.sig_map();
    let victim = c.trail.digests[3].logs[1].clone();
    let mut known = stored_trail(&c, |_, path| path.display().to_string());
    for k in &mut known {
        if Path::new(&k.original) == victim.path {
            k.read_from = c.dir.path().join("store").join("gone");
        }
    }
    let r = validate_known(&c, known, &sigs);
    assert!(!r.ok());
    let p = r
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::FileUnreadable)
        .expect("finding");
    assert_eq!(p.file, victim.path.display().to_string());
    assert!(p.detail.contains("gone"), "{}", p.detail);
    assert_eq!(r.log_counts(None).deleted, 1);
}
