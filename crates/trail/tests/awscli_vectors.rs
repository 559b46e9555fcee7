//! Checks against aws-cli's own test material in `../shared/datasets/awscli-vectors/`:
//! its test RSA key pair, the digest signing-string known answer, the `list-public-keys`
//! example, and a CloudTrail Lake sign file whose signature AWS's test suite verifies.
//!
//! When `../shared` is absent these tests print `SKIPPED: ../shared not found` and pass,
//! unless `CLOUDCASE_REQUIRE_SHARED=1`, in which case they fail.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use cloudcase_trail::testkit::{build_trail, Signer, TrailSpec};
use cloudcase_trail::{
    fingerprint, signing_string, validate, Inputs, Options, PublicKey, PublicKeys, Signatures,
    TextOptions,
};

fn vectors() -> Option<PathBuf> {
    let shared = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"));
    if shared.is_dir() {
        return Some(shared.join("datasets/awscli-vectors"));
    }
    assert!(
        std::env::var("CLOUDCASE_REQUIRE_SHARED").as_deref() != Ok("1"),
        "CLOUDCASE_REQUIRE_SHARED=1 but {} was not found",
        shared.display()
    );
    println!("SKIPPED: ../shared not found");
    None
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).expect("hex"))
        .collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn known_answer_signing_string_from_aws_cli() {
    let Some(v) = vectors() else { return };
    let readme = String::from_utf8(read(&v, "README.txt")).expect("utf8");
    // The README quotes the expected string with escaped newlines.
    let quoted = readme
        .split('"')
        .find(|s| s.starts_with("a\\nb/c\\n"))
        .expect("known answer quoted in README.txt");
    let expected = quoted.replace("\\n", "\n");
    assert_eq!(
        signing_string("a", "b", "c", &sha256_hex(b"abc"), None),
        expected
    );
}

#[test]
fn aws_cli_test_key_signs_a_trail_that_validates() {
    let Some(v) = vectors() else { return };
    let pem = String::from_utf8(read(&v, "sample_private_key.pem")).expect("utf8");
    let signer = Signer::from_pkcs1_pem(&pem).expect("aws-cli test key is PKCS#1 PEM");
    let der = read(&v, "sample_public_key.der");
    assert_eq!(
        signer.public_der(),
        &der[..],
        "sample_public_key.der is the PKCS#1 public half"
    );

    let dir = tempfile::tempdir().expect("tempdir");
    let trail = build_trail(
        &dir.path().join("bucket"),
        &TrailSpec {
            hours: 4,
            ..TrailSpec::default()
        },
        &signer,
    )
    .expect("builds");
    // Keys as `list-public-keys` would return them, built from the .der file itself.
    let keys_json = serde_json::json!({"PublicKeyList": [{
        "Value": base64::engine::general_purpose::STANDARD.encode(&der),
        "Fingerprint": fingerprint(&der),
        "ValidityStartTime": 1_700_000_000.0, "ValidityEndTime": 1_900_000_000.0
    }]});
    let mut keys = PublicKeys::new();
    keys.load_json(keys_json.to_string().as_bytes(), Path::new("keys.json"))
        .expect("keys");
    let sig_file = dir.path().join("sigs.json");
    trail.write_signature_map(&sig_file).expect("map");
    let mut sigs = Signatures::new();
    sigs.load(&sig_file).expect("sigs");
    let r = validate(
        &Inputs {
            paths: vec![trail.root.clone()],
            root: None,
            known: Vec::new(),
        },
        &keys,
        &sigs,
        &Options::default(),
    )
    .expect("runs");
    assert!(r.ok(), "{}", r.to_text(&TextOptions::default()));
    assert_eq!(r.digest_counts(None).valid, 4);
}

#[test]
fn list_public_keys_example_fingerprint_is_md5_of_value() {
    let Some(v) = vectors() else { return };
    let rst = String::from_utf8(read(&v, "list-public-keys.rst")).expect("utf8");
    let json = &rst[rst.find('{').expect("json start")..=rst.rfind('}').expect("json end")];
    let mut keys = PublicKeys::new();
    assert_eq!(
        keys.load_json(json.as_bytes(), Path::new("list-public-keys.rst"))
            .ok(),
        Some(1)
    );
    assert!(
        keys.notes().is_empty(),
        "stated fingerprint equals MD5 of Value: {:?}",
        keys.notes()
    );
    assert!(keys.get("7f3f401420072e50a65a141430817ab3").is_some());
}

#[test]
fn real_aws_signature_verifies_with_our_rsa_check() {
    // A CloudTrail Lake sign file signed by AWS: proves verification matches AWS's signer.
    let Some(v) = vectors() else { return };
    let sign: serde_json::Value =
        serde_json::from_slice(&read(&v, "result_sign.json")).expect("json");
    let der = base64::engine::general_purpose::STANDARD
        .decode(
            String::from_utf8(read(&v, "SAMPLE_PUBLIC_KEY_from_test.b64"))
                .expect("utf8")
                .trim(),
        )
        .expect("base64");
    let key = PublicKey::from_der(&der, Path::new("SAMPLE_PUBLIC_KEY_from_test.b64"))
        .expect("PKCS#1 key");
    let hashes: Vec<&str> = sign["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["fileHashValue"].as_str().expect("hash"))
        .collect();
    assert_eq!(hashes[0], sha256_hex(&read(&v, "result_1.csv.gz")));
    let sig = unhex(sign["hashSignature"].as_str().expect("signature"));
    assert!(key.verify(hashes.join(" ").as_bytes(), &sig));
    let mut tampered = sig.clone();
    tampered[10] ^= 1;
    assert!(!key.verify(hashes.join(" ").as_bytes(), &tampered));
}
