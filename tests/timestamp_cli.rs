//! `cloudcase timestamp` and `verify --tsa-cert` against a real RFC 3161 TSA: Debian's
//! `openssl ts -reply`, with a root CA and TSA certificates made by
//! tests/support/tsa_pki.sh, answering over HTTP on 127.0.0.1 (a thread here) or
//! through files (`--request` / `--import`).
//!
//! Without openssl the tests print `SKIPPED: openssl not found` and pass, unless
//! CLOUDCASE_REQUIRE_OPENSSL=1 (as in CI), where they fail.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use sha2::{Digest, Sha256};

use common::{cloudcase, ok};

/// A temporary folder with the test PKI and a case holding one evidence file.
struct Env {
    dir: tempfile::TempDir,
    case: PathBuf,
}

impl Env {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn case(&self) -> &str {
        self.case.to_str().expect("UTF-8 path")
    }
}

fn support(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/support")
        .join(name)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Whether openssl runs here; prints the skip line when not.
fn openssl_available() -> bool {
    let found = Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|st| st.success());
    if !found {
        assert!(
            std::env::var("CLOUDCASE_REQUIRE_OPENSSL").as_deref() != Ok("1"),
            "CLOUDCASE_REQUIRE_OPENSSL=1 but `openssl version` failed: install Debian's openssl"
        );
        println!("SKIPPED: openssl not found");
    }
    found
}

/// Runs openssl in the PKI folder (TSA_DIR for the configuration); must succeed.
fn openssl(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .env("TSA_DIR", dir)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The PKI and a case with one acquired file, or `None` (skipped) without openssl.
fn setup() -> Option<Env> {
    if !openssl_available() {
        return None;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let st = Command::new("bash")
        .arg(support("tsa_pki.sh"))
        .arg(dir.path())
        .status()
        .expect("run tsa_pki.sh");
    assert!(st.success(), "tsa_pki.sh failed");
    let logs = dir.path().join("logs");
    fs::create_dir_all(&logs).expect("mkdir");
    fs::write(logs.join("a.json"), b"{\"Records\":[]}").expect("write");
    let case = dir.path().join("case");
    ok(&[
        "case",
        "init",
        s(&case),
        "--name",
        "IR-TSA",
        "--examiner",
        "alice",
        "--tz",
        "UTC",
    ]);
    ok(&["acquire", "--case", s(&case), s(&logs)]);
    Some(Env { dir, case })
}

/// `openssl ts -reply` to `query` signed by `signer` with `key`, written to `out`.
fn reply(env: &Env, query: &Path, signer: &str, key: &str, out: &Path) {
    reply_in(env, "test_tsa", query, signer, key, out);
}

/// [`reply`] with the TSA configuration `section` of tsa_openssl.cnf.
fn reply_in(env: &Env, section: &str, query: &Path, signer: &str, key: &str, out: &Path) {
    let cnf = support("tsa_openssl.cnf");
    let args = [
        "ts",
        "-reply",
        "-config",
        s(&cnf),
        "-section",
        section,
        "-queryfile",
        s(query),
        "-signer",
        signer,
        "-inkey",
        key,
        "-out",
        s(out),
    ];
    openssl(env.dir.path(), &args);
}

/// `cloudcase timestamp --request` to `name`; its path.
fn request(env: &Env, name: &str) -> PathBuf {
    let q = env.path(name);
    ok(&["timestamp", "--case", env.case(), "--request", s(&q)]);
    q
}

/// Requests, has openssl answer with `signer`/`key`, imports the reply.
fn stamp_with(env: &Env, signer: &str, key: &str) {
    let q = request(env, "q.tsq");
    let r = env.path("r.tsr");
    reply(env, &q, signer, key, &r);
    ok(&["timestamp", "--case", env.case(), "--import", s(&r)]);
}

/// `cloudcase verify --case … --tsa-cert roots…`: exit code and stdout.
fn verify(env: &Env, roots: &[&str]) -> (i32, String) {
    let mut args = vec!["verify", "--case", env.case()];
    let paths: Vec<PathBuf> = roots.iter().map(|r| env.path(r)).collect();
    if !paths.is_empty() {
        args.push("--tsa-cert");
        args.extend(paths.iter().map(|p| s(p)));
    }
    let out = cloudcase(&args);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A TSA on 127.0.0.1 answering `count` requests with `openssl ts -reply`; its URL. The
/// server refuses requests without Content-Type application/timestamp-query, and keeps
/// its n-th reply as `http-<signer stem>-<n>.tsr` in the PKI folder.
fn serve(env: &Env, signer: &'static str, key: &'static str, count: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let dir = env.dir.path().to_path_buf();
    let cnf = support("tsa_openssl.cnf");
    std::thread::spawn(move || {
        for n in 0..count {
            let Ok((mut conn, _)) = listener.accept() else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head_end, length) = loop {
                let got = conn.read(&mut chunk).unwrap_or(0);
                if got == 0 {
                    return;
                }
                buf.extend_from_slice(&chunk[..got]);
                if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let length = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse::<usize>().ok())
                        .unwrap_or(0);
                    if !head.contains("content-type: application/timestamp-query") {
                        let _ = conn.write_all(b"HTTP/1.0 415 Unsupported\r\n\r\n");
                        break (0, usize::MAX);
                    }
                    break (end + 4, length);
                }
            };
            if length == usize::MAX {
                continue;
            }
            while buf.len() < head_end + length {
                let got = conn.read(&mut chunk).unwrap_or(0);
                if got == 0 {
                    break;
                }
                buf.extend_from_slice(&chunk[..got]);
            }
            let tag = signer.trim_end_matches(".pem");
            let query = dir.join(format!("http-{tag}-{n}.tsq"));
            let answer = dir.join(format!("http-{tag}-{n}.tsr"));
            fs::write(&query, &buf[head_end..]).expect("write query");
            let st = Command::new("openssl")
                .args(["ts", "-reply", "-config", s(&cnf), "-queryfile", s(&query)])
                .args(["-signer", signer, "-inkey", key, "-out", s(&answer)])
                .current_dir(&dir)
                .env("TSA_DIR", &dir)
                .stderr(Stdio::null())
                .status()
                .expect("openssl ts -reply");
            let body = if st.success() {
                fs::read(&answer).expect("read reply")
            } else {
                Vec::new()
            };
            let head = format!(
                "HTTP/1.0 200 OK\r\nContent-Type: application/timestamp-reply\r\nContent-Length: {}\r\n\r\n",
                body.len()
            );
            let _ = conn.write_all(head.as_bytes());
            let _ = conn.write_all(&body);
        }
    });
    format!("http://127.0.0.1:{port}/tsa")
}

/// openssl's "Time stamp: Dec  5 17:36:18 2026 GMT" as RFC 3339.
fn openssl_time(text: &str) -> String {
    let line = text
        .lines()
        .find_map(|l| l.strip_prefix("Time stamp: "))
        .expect("Time stamp line");
    let parts: Vec<&str> = line.split_whitespace().collect();
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = months.iter().position(|m| *m == parts[0]).expect("month") + 1;
    let day: u32 = parts[1].parse().expect("day");
    format!("{}-{month:02}-{day:02}T{}Z", parts[3], parts[2])
}

#[test]
fn a_token_from_a_tsa_over_http_is_verified_and_its_gen_time_printed() {
    let Some(env) = setup() else { return };
    let url = serve(&env, "tsa.pem", "tsa.key", 2);
    let out = ok(&["timestamp", "--case", env.case(), "--tsa", &url]);
    assert!(out.contains("token stored as timestamps/"), "{out}");
    // The same with an ECDSA P-256 TSA.
    let url_ec = serve(&env, "tsa_ec.pem", "tsa_ec.key", 1);
    ok(&["timestamp", "--case", env.case(), "--tsa", &url_ec]);

    let (code, text) = verify(&env, &[]);
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("TIMESTAMPS NOT CHECKED: 2 RFC 3161 tokens stored"),
        "{text}"
    );

    let (code, text) = verify(&env, &["root.pem"]);
    assert_eq!(code, 0, "{text}");
    let gen_time = openssl_time(&String::from_utf8_lossy(
        &openssl(
            env.dir.path(),
            &["ts", "-reply", "-in", "http-tsa-0.tsr", "-text"],
        )
        .stdout,
    ));
    let first = text
        .lines()
        .find(|l| l.starts_with("TIMESTAMP OK"))
        .expect("OK line");
    assert!(
        first.contains(&format!("existed at {gen_time}")),
        "{gen_time} in {text}"
    );
    assert!(first.contains("CN=cloudcase test TSA"), "{first}");
    assert!(text.contains("CN=cloudcase test TSA (EC)"), "{text}");
    assert_eq!(text.matches("TIMESTAMP OK").count(), 2, "{text}");

    let json: Value = serde_json::from_str(&ok(&[
        "verify",
        "--case",
        env.case(),
        "--json",
        "--tsa-cert",
        s(&env.path("root.pem")),
    ]))
    .expect("json");
    let tokens = json["timestamps"]["tokens"].as_array().expect("tokens");
    assert_eq!(tokens.len(), 2);
    assert_eq!(tokens[0]["gen_time"], Value::from(gen_time));
    assert_eq!(tokens[0]["ok"], Value::Bool(true));
    assert_eq!(
        tokens[0]["covers_seq"],
        Value::from(3),
        "init, acquired, acquisition_run"
    );
    assert_eq!(json["ok"], Value::Bool(true));
    // The custody log attests each token, and each check of them with the roots used.
    let custody = fs::read_to_string(env.case.join("custody.jsonl")).expect("custody");
    assert_eq!(custody.matches("\"action\":\"timestamped\"").count(), 2);
    let seq = json["timestamps"]["recorded_as"]
        .as_u64()
        .expect("recorded_as");
    let line = custody.lines().nth(seq as usize - 1).expect("entry");
    let entry: Value = serde_json::from_str(line).expect("entry json");
    assert_eq!(entry["action"], Value::from("timestamps_verified"));
    assert_eq!(entry["details"]["ok"], Value::Bool(true));
    let root_sha = format!(
        "{:x}",
        Sha256::digest(fs::read(env.path("root.pem")).expect("root"))
    );
    assert_eq!(
        entry["details"]["roots"][0]["sha256"],
        Value::from(root_sha)
    );
}

#[test]
fn a_request_file_is_a_valid_query_and_an_imported_reply_verifies_with_openssl_too() {
    let Some(env) = setup() else { return };
    let q = request(&env, "q.tsq");
    let text = String::from_utf8_lossy(
        &openssl(env.dir.path(), &["ts", "-query", "-in", "q.tsq", "-text"]).stdout,
    )
    .into_owned();
    assert!(text.contains("Version: 1"), "{text}");
    assert!(text.contains("Hash Algorithm: sha256"), "{text}");
    assert!(text.contains("Certificate required: yes"), "{text}");
    assert!(text.contains("Nonce: 0x"), "{text}");
    // The imprint is SHA-256 of the chain head's 32 raw bytes.
    let custody = fs::read_to_string(env.case.join("custody.jsonl")).expect("custody");
    let last: Value = serde_json::from_str(custody.lines().nth(2).expect("entry 3")).expect("json");
    let head = last["hash"].as_str().expect("hash");
    let raw: Vec<u8> = (0..32)
        .map(|i| u8::from_str_radix(&head[2 * i..2 * i + 2], 16).expect("hex"))
        .collect();
    let imprint = Sha256::digest(&raw);
    let data = env.path("head.bin");
    fs::write(&data, &raw).expect("write");
    let r = env.path("r.tsr");
    reply(&env, &q, "tsa.pem", "tsa.key", &r);
    let imported = ok(&["timestamp", "--case", env.case(), "--import", s(&r)]);
    assert!(imported.contains("covers custody entry 3"), "{imported}");
    let digest: String = imprint.iter().map(|b| format!("{b:02x}")).collect();
    let ossl = openssl(
        env.dir.path(),
        &[
            "ts",
            "-verify",
            "-digest",
            &digest,
            "-in",
            "r.tsr",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "tsa.pem",
        ],
    );
    assert!(String::from_utf8_lossy(&ossl.stdout).contains("Verification: OK"));
    openssl(
        env.dir.path(),
        &[
            "ts",
            "-verify",
            "-data",
            "head.bin",
            "-in",
            "r.tsr",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "tsa.pem",
        ],
    );
    let (code, text) = verify(&env, &["root.pem"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("TIMESTAMP OK: custody entries 1-3"), "{text}");
    // Every request is answered: a second import has nothing to answer.
    let again = cloudcase(&["timestamp", "--case", env.case(), "--import", s(&r)]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("expected a request not yet answered"));
}

#[test]
fn tampered_tokens_are_rejected() {
    let Some(env) = setup() else { return };
    // A token whose signature bytes were changed before import: stored, then refused.
    let q = request(&env, "q.tsq");
    let r = env.path("r.tsr");
    reply(&env, &q, "tsa.pem", "tsa.key", &r);
    let mut bytes = fs::read(&r).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    fs::write(&r, &bytes).expect("write");
    ok(&["timestamp", "--case", env.case(), "--import", s(&r)]);
    let (code, text) = verify(&env, &["root.pem"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("TIMESTAMP FAILED"), "{text}");
    assert!(
        text.contains("signature of the token's signed attributes"),
        "{text}"
    );

    // A good token edited in the case after it was stored.
    let env = setup().expect("setup");
    stamp_with(&env, "tsa.pem", "tsa.key");
    assert_eq!(verify(&env, &["root.pem"]).0, 0);
    let stored = fs::read_dir(env.case.join("timestamps"))
        .expect("list")
        .map(|e| e.expect("entry").path())
        .find(|p| p.extension().is_some_and(|x| x == "tsr"))
        .expect("stored reply");
    let mut bytes = fs::read(&stored).expect("read");
    let at = bytes.len() / 2;
    bytes[at] ^= 0x80;
    fs::write(&stored, &bytes).expect("write");
    let (code, text) = verify(&env, &["root.pem"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("(as recorded), found"), "{text}");
}

#[test]
fn a_token_over_another_imprint_is_refused() {
    let Some(env) = setup() else { return };
    request(&env, "q.tsq");
    let other = "ab".repeat(32);
    openssl(
        env.dir.path(),
        &[
            "ts",
            "-query",
            "-digest",
            &other,
            "-sha256",
            "-cert",
            "-out",
            "other.tsq",
        ],
    );
    let r = env.path("r.tsr");
    reply(&env, &env.path("other.tsq"), "tsa.pem", "tsa.key", &r);
    let out = cloudcase(&["timestamp", "--case", env.case(), "--import", s(&r)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("message imprint: expected SHA-256"), "{err}");
    assert!(err.contains(&format!("found {other}")), "{err}");
    assert!(!fs::read_to_string(env.case.join("custody.jsonl"))
        .expect("custody")
        .contains("\"timestamped\""));
}

/// DER length octets.
fn der_len(n: usize) -> Vec<u8> {
    if n < 128 {
        return vec![n as u8];
    }
    let bytes: Vec<u8> = n
        .to_be_bytes()
        .into_iter()
        .skip_while(|b| *b == 0)
        .collect();
    let mut out = vec![0x80 | bytes.len() as u8];
    out.extend(bytes);
    out
}

/// A granted reply to `query` whose token is a genuine TSTInfo from `openssl ts -reply`
/// signed again by `openssl cms -sign` with `signer`, `key` and `flags` (e.g. `-cades`,
/// which adds ESSCertIDv2, or `-keyid`, which names the signer by subject key
/// identifier): how the tests get tokens `openssl ts` refuses to make. Written to `name`.
fn resigned(
    env: &Env,
    query: &Path,
    signer: &str,
    key: &str,
    flags: &[&str],
    name: &str,
) -> PathBuf {
    let cnf = support("tsa_openssl.cnf");
    let dir = env.dir.path();
    let genuine = [
        "ts",
        "-reply",
        "-config",
        s(&cnf),
        "-queryfile",
        s(query),
        "-signer",
        "tsa.pem",
        "-inkey",
        "tsa.key",
        "-token_out",
        "-out",
        "genuine.der",
    ];
    openssl(dir, &genuine);
    let content = [
        "cms",
        "-verify",
        "-noverify",
        "-inform",
        "DER",
        "-in",
        "genuine.der",
    ];
    openssl(dir, &[&content[..], &["-out", "tst.der"]].concat());
    let sign = [
        "cms",
        "-sign",
        "-binary",
        "-nodetach",
        "-in",
        "tst.der",
        "-econtent_type",
        "1.2.840.113549.1.9.16.1.4",
        "-signer",
        signer,
        "-inkey",
        key,
        "-md",
        "sha256",
        "-nosmimecap",
        "-outform",
        "DER",
        "-out",
        "resigned.der",
    ];
    openssl(dir, &[&sign[..], flags].concat());
    let token = fs::read(env.path("resigned.der")).expect("token");
    let out = env.path(name);
    fs::write(&out, granted_reply(&token)).expect("write");
    out
}

/// A DER TimeStampResp { status granted, `token` }.
fn granted_reply(token: &[u8]) -> Vec<u8> {
    let mut inner = vec![0x30, 0x03, 0x02, 0x01, 0x00];
    inner.extend_from_slice(token);
    let mut resp = vec![0x30];
    resp.extend(der_len(inner.len()));
    resp.extend(inner);
    resp
}

#[test]
fn expired_and_wrong_purpose_certificates_and_a_wrong_root_are_rejected() {
    let Some(env) = setup() else { return };
    // Expired: openssl signs with it (it checks the purpose, not the dates).
    stamp_with(&env, "expired.pem", "tsa.key");
    let (code, text) = verify(&env, &["root.pem"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("certificate CN=cloudcase expired TSA: expected valid at genTime"),
        "{text}"
    );

    // Without the timeStamping purpose: openssl ts refuses such a signer, so the TSTInfo
    // of a genuine reply is signed again with `openssl cms -sign -cades` (which adds
    // ESSCertIDv2) and wrapped as a granted TimeStampResp.
    let env = setup().expect("setup");
    let q = request(&env, "q.tsq");
    resigned(&env, &q, "server.pem", "tsa.key", &["-cades"], "server.tsr");
    ok(&[
        "timestamp",
        "--case",
        env.case(),
        "--import",
        s(&env.path("server.tsr")),
    ]);
    let (code, text) = verify(&env, &["root.pem"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("TSA certificate CN=cloudcase test server: expected a critical extendedKeyUsage holding only id-kp-timeStamping"), "{text}");

    // A valid token checked against another root (same name, other key).
    let env = setup().expect("setup");
    stamp_with(&env, "tsa.pem", "tsa.key");
    assert_eq!(verify(&env, &["root.pem"]).0, 0);
    let (code, text) = verify(&env, &["other_root.pem"]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("signature of certificate CN=cloudcase test TSA"),
        "{text}"
    );
}

#[test]
fn ess_cert_id_v1_keyid_pss_and_p384_tokens_verify_and_one_without_a_signing_certificate_is_refused(
) {
    let Some(env) = setup() else { return };
    // openssl's ess_cert_id_alg = sha1: the signingCertificate attribute (ESSCertID).
    let q = request(&env, "q.tsq");
    let r = env.path("r.tsr");
    reply_in(&env, "test_tsa_sha1", &q, "tsa.pem", "tsa.key", &r);
    ok(&["timestamp", "--case", env.case(), "--import", s(&r)]);
    let json: Value = serde_json::from_str(&ok(&[
        "verify",
        "--case",
        env.case(),
        "--json",
        "--tsa-cert",
        s(&env.path("root.pem")),
    ]))
    .expect("json");
    let token = &json["timestamps"]["tokens"][0];
    assert_eq!(token["ok"], Value::Bool(true), "{token}");
    assert_eq!(token["signing_certificate"], Value::from("ESSCertID"));

    // The same TSTInfo signed by the same TSA certificate without any signing-certificate
    // attribute (openssl cms -sign without -cades).
    let q = request(&env, "q2.tsq");
    let bare = resigned(&env, &q, "tsa.pem", "tsa.key", &[], "bare.tsr");
    ok(&["timestamp", "--case", env.case(), "--import", s(&bare)]);
    // And once more with ESSCertIDv2, the signer named by subject key identifier.
    let q = request(&env, "q3.tsq");
    let by_key = resigned(
        &env,
        &q,
        "tsa.pem",
        "tsa.key",
        &["-cades", "-keyid"],
        "keyid.tsr",
    );
    ok(&["timestamp", "--case", env.case(), "--import", s(&by_key)]);
    // And with an RSASSA-PSS signature (its parameters in the algorithm identifier).
    let q = request(&env, "q4.tsq");
    let pss = ["-cades", "-keyopt", "rsa_padding_mode:pss"];
    let pss = resigned(&env, &q, "tsa.pem", "tsa.key", &pss, "pss.tsr");
    ok(&["timestamp", "--case", env.case(), "--import", s(&pss)]);
    // And with ECDSA on P-384.
    let q = request(&env, "q5.tsq");
    let p384 = resigned(
        &env,
        &q,
        "tsa_p384.pem",
        "tsa_p384.key",
        &["-cades"],
        "p384.tsr",
    );
    ok(&["timestamp", "--case", env.case(), "--import", s(&p384)]);
    let (code, text) = verify(&env, &["root.pem"]);
    assert_eq!(code, 1, "{text}");
    assert_eq!(text.matches("TIMESTAMP OK").count(), 4, "{text}");
    assert!(text.contains("CN=cloudcase test TSA (P-384)"), "{text}");
    assert_eq!(text.matches("TIMESTAMP FAILED").count(), 1, "{text}");
    assert!(
        text.contains("signed attributes: expected signingCertificate or signingCertificateV2"),
        "{text}"
    );
}
