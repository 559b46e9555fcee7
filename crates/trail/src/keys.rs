//! CloudTrail public keys, loaded from the JSON saved from `aws cloudtrail list-public-keys`.
//!
//! Each `PublicKeyList[].Value` is base64 of a DER RSA public key. AWS documents it as
//! PKCS#1 `RSAPublicKey`; one documentation example is an X.509 `SubjectPublicKeyInfo`,
//! so both are accepted. `Fingerprint` is the hex **MD5 of those DER bytes** (checked
//! against every key published in AWS's documentation and the aws-cli examples); it is
//! recomputed here, and a key whose stated fingerprint differs is reported and indexed
//! under the fingerprint it really has. Keys are per region; a digest names the one
//! that signed it in `digestPublicKeyFingerprint`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use jiff::Timestamp;
use md5::{Digest as _, Md5};

use crate::error::{shorten, TrailError};
use crate::report::{Problem, ProblemKind};

const MAX_KEY_FILE: u64 = 16 << 20;

/// One usable RSA public key.
#[derive(Debug, Clone)]
pub struct PublicKey {
    /// Hex MD5 of the DER bytes, as computed here.
    pub fingerprint: String,
    /// `ValidityStartTime` from the file, when readable.
    pub validity_start: Option<Timestamp>,
    /// `ValidityEndTime` from the file, when readable.
    pub validity_end: Option<Timestamp>,
    /// The file the key came from.
    pub source: PathBuf,
    /// Modulus size in bits.
    pub bits: usize,
    pkcs1: Vec<u8>,
}

impl PublicKey {
    /// Builds a key from DER bytes (PKCS#1 `RSAPublicKey` or `SubjectPublicKeyInfo`).
    pub fn from_der(der: &[u8], source: &Path) -> Result<PublicKey, String> {
        let pkcs1 = to_pkcs1(der)?;
        let bits = modulus_bits(&pkcs1).ok_or("expected an RSA modulus, found none")?;
        if !(2048..=8192).contains(&bits) {
            return Err(format!(
                "expected an RSA modulus of 2048 to 8192 bits, found {bits} bits"
            ));
        }
        Ok(PublicKey {
            fingerprint: fingerprint(der),
            validity_start: None,
            validity_end: None,
            source: source.to_path_buf(),
            bits,
            pkcs1,
        })
    }

    /// True when `signature` is a valid RSA PKCS#1 v1.5 SHA-256 signature of `message`.
    pub fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        ring::signature::UnparsedPublicKey::new(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            &self.pkcs1,
        )
        .verify(message, signature)
        .is_ok()
    }
}

/// The CloudTrail fingerprint of a DER public key: hex MD5 of the DER bytes.
pub fn fingerprint(der: &[u8]) -> String {
    cloudcase_util::hex::encode(&Md5::digest(der))
}

/// The public keys available for verification, indexed by fingerprint.
#[derive(Debug, Clone, Default)]
pub struct PublicKeys {
    keys: HashMap<String, PublicKey>,
    unloadable: HashMap<String, String>,
    notes: Vec<Problem>,
    files: Vec<(PathBuf, String)>,
}

impl PublicKeys {
    /// An empty key set (every signature check will report "public key not found").
    pub fn new() -> Self {
        Self::default()
    }

    /// Loads every key in a `list-public-keys` JSON file; returns how many were added.
    ///
    /// Accepts `{"PublicKeyList": [...]}` (any capitalisation of the key, as AWS's own
    /// documentation varies), a bare array of key objects, or one key object.
    /// `ValidityStartTime`/`ValidityEndTime` may be epoch seconds (number or string) or
    /// RFC 3339. Keys that cannot be decoded are remembered by their stated fingerprint,
    /// so that digests naming them report "unable to load" rather than "not found".
    ///
    /// The file is read once; the SHA-256 of its bytes is kept ([`PublicKeys::files`]).
    pub fn load_file(&mut self, path: &Path) -> Result<usize, TrailError> {
        let error = |e| match e {
            crate::read::ReadError::Io(reason) => TrailError::Io {
                path: path.to_path_buf(),
                reason,
            },
            crate::read::ReadError::TooLarge => TrailError::TooLarge {
                path: path.to_path_buf(),
                limit: MAX_KEY_FILE,
                what: "a public-key file",
            },
        };
        let raw = crate::read::read_raw_capped(path, MAX_KEY_FILE).map_err(error)?;
        let bytes = crate::read::decode_capped(&raw, MAX_KEY_FILE).map_err(error)?;
        let added = self.load_json(&bytes, path)?;
        let sha256 = cloudcase_util::hex::encode(&crate::read::sha256(&raw));
        self.files.push((path.to_path_buf(), sha256));
        Ok(added)
    }

    /// Every file loaded with [`PublicKeys::load_file`], in order, with the SHA-256 (hex)
    /// of its bytes as read: what a validation relied on, for a record of it.
    pub fn files(&self) -> &[(PathBuf, String)] {
        &self.files
    }

    /// Like [`PublicKeys::load_file`], from bytes already read; `source` is named in messages.
    pub fn load_json(&mut self, bytes: &[u8], source: &Path) -> Result<usize, TrailError> {
        const EXPECTED: &str =
            "the JSON output of `aws cloudtrail list-public-keys` ({\"PublicKeyList\":[{\"Value\":…,\"Fingerprint\":…}]})";
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| TrailError::format(source, EXPECTED, e.to_string()))?;
        let list = match &value {
            serde_json::Value::Array(a) => a.clone(),
            serde_json::Value::Object(o) => {
                match o
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("PublicKeyList"))
                {
                    Some((_, serde_json::Value::Array(a))) => a.clone(),
                    Some((_, other)) => {
                        return Err(TrailError::format(
                            source,
                            "PublicKeyList to be an array",
                            shorten(&other.to_string(), 80),
                        ))
                    }
                    None if o.keys().any(|k| k.eq_ignore_ascii_case("Value")) => {
                        vec![value.clone()]
                    }
                    None => {
                        return Err(TrailError::format(
                            source,
                            EXPECTED,
                            format!("an object with keys {:?}", o.keys().collect::<Vec<_>>()),
                        ))
                    }
                }
            }
            other => {
                return Err(TrailError::format(
                    source,
                    EXPECTED,
                    shorten(&other.to_string(), 80),
                ))
            }
        };
        let mut added = 0;
        for (i, entry) in list.iter().enumerate() {
            let field = |name: &str| -> Option<&serde_json::Value> {
                entry
                    .as_object()?
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .map(|(_, v)| v)
            };
            let stated = field("Fingerprint")
                .and_then(|v| v.as_str())
                .map(|s| s.trim().to_ascii_lowercase());
            let where_ = format!("{}: PublicKeyList[{i}]", source.display());
            let Some(b64) = field("Value").and_then(|v| v.as_str()) else {
                self.note_unloadable(
                    stated,
                    &where_,
                    "expected a base64 string in Value, found none".into(),
                );
                continue;
            };
            let der = match base64::engine::general_purpose::STANDARD.decode(b64.trim()) {
                Ok(d) => d,
                Err(e) => {
                    self.note_unloadable(
                        stated,
                        &where_,
                        format!("expected base64 in Value, found an error: {e}"),
                    );
                    continue;
                }
            };
            let mut key = match PublicKey::from_der(&der, source) {
                Ok(k) => k,
                Err(why) => {
                    let stated = stated.or_else(|| Some(fingerprint(&der)));
                    self.note_unloadable(stated, &where_, why);
                    continue;
                }
            };
            key.validity_start = field("ValidityStartTime").and_then(parse_validity);
            key.validity_end = field("ValidityEndTime").and_then(parse_validity);
            if let Some(stated) = stated.filter(|s| *s != key.fingerprint) {
                self.notes.push(Problem::new(
                    ProblemKind::PublicKeyFingerprintMismatch,
                    where_.clone(),
                    format!(
                        "Fingerprint says {stated}, but the MD5 of the key is {}; the key is used under {}",
                        key.fingerprint, key.fingerprint
                    ),
                ));
            }
            self.unloadable.remove(&key.fingerprint);
            self.keys.insert(key.fingerprint.clone(), key);
            added += 1;
        }
        Ok(added)
    }

    fn note_unloadable(&mut self, stated: Option<String>, where_: &str, why: String) {
        self.notes.push(Problem::new(
            ProblemKind::PublicKeyUnloadable,
            where_.to_string(),
            format!(
                "unable to load PKCS #1 key{}: {why}",
                stated
                    .as_deref()
                    .map(|f| format!(" with fingerprint {f}"))
                    .unwrap_or_default()
            ),
        ));
        if let Some(fp) = stated {
            if !self.keys.contains_key(&fp) {
                self.unloadable.insert(fp, why);
            }
        }
    }

    /// Adds one key (used by tests and by callers that hold keys from elsewhere).
    pub fn insert(&mut self, key: PublicKey) {
        self.unloadable.remove(&key.fingerprint);
        self.keys.insert(key.fingerprint.clone(), key);
    }

    /// The key with this fingerprint (hex, either case).
    pub fn get(&self, fingerprint: &str) -> Option<&PublicKey> {
        self.keys.get(&fingerprint.trim().to_ascii_lowercase())
    }

    /// Why the key with this fingerprint could not be loaded, if it was listed but unusable.
    pub fn unloadable(&self, fingerprint: &str) -> Option<&str> {
        self.unloadable
            .get(&fingerprint.trim().to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Number of usable keys.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// True when no usable key was loaded.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// Findings about the key files themselves (unloadable keys, wrong fingerprints).
    pub fn notes(&self) -> &[Problem] {
        &self.notes
    }
}

fn parse_validity(v: &serde_json::Value) -> Option<Timestamp> {
    let secs = match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => match s.trim().parse::<f64>() {
            Ok(f) => Some(f),
            Err(_) => {
                let s = s.trim();
                return s
                    .parse::<Timestamp>()
                    .ok()
                    .or_else(|| s.replacen(' ', "T", 1).parse::<Timestamp>().ok());
            }
        },
        _ => None,
    }?;
    if !secs.is_finite() {
        return None;
    }
    // Whole seconds are all CloudTrail uses; the cast saturates on absurd values.
    Timestamp::from_second(secs.trunc() as i64).ok()
}

/// One DER element: (tag, content, rest).
fn tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, rest) = rest.split_first()?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 || rest.len() < n {
            return None;
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, &b| acc << 8 | usize::from(b));
        (len, &rest[n..])
    };
    (rest.len() >= len).then(|| (tag, &rest[..len], &rest[len..]))
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` → modulus bits.
fn modulus_bits(der: &[u8]) -> Option<usize> {
    let (0x30, body, []) = tlv(der)? else {
        return None;
    };
    let (0x02, n, rest) = tlv(body)? else {
        return None;
    };
    let (0x02, e, []) = tlv(rest)? else {
        return None;
    };
    if e.is_empty() {
        return None;
    }
    let n = &n[n.iter().position(|&b| b != 0)?..];
    Some(n.len() * 8 - n[0].leading_zeros() as usize)
}

/// PKCS#1 DER as is; `SubjectPublicKeyInfo` for rsaEncryption unwrapped to PKCS#1.
fn to_pkcs1(der: &[u8]) -> Result<Vec<u8>, String> {
    const RSA_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
    if modulus_bits(der).is_some() {
        return Ok(der.to_vec());
    }
    let unwrap = || -> Option<Vec<u8>> {
        let (0x30, body, []) = tlv(der)? else {
            return None;
        };
        let (0x30, alg, rest) = tlv(body)? else {
            return None;
        };
        let (0x06, oid, _) = tlv(alg)? else {
            return None;
        };
        if oid != RSA_OID {
            return None;
        }
        let (0x03, bits, []) = tlv(rest)? else {
            return None;
        };
        let (&0, inner) = bits.split_first()? else {
            return None;
        };
        modulus_bits(inner).map(|_| inner.to_vec())
    };
    unwrap().ok_or_else(|| {
        format!(
            "expected DER of a PKCS#1 RSAPublicKey or an RSA SubjectPublicKeyInfo, found {} bytes starting {}",
            der.len(),
            cloudcase_util::hex::encode(&der[..der.len().min(8)])
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key and fingerprint printed in aws-cli's `list-public-keys` example.
    const LIST: &str = r#"{"PublicKeyList": [{
        "ValidityStartTime": 1453076702.0, "ValidityEndTime": 1455668702.0,
        "Value": "MIIBCgKCAQEAlSS3cl92HDycr/MTj0moOhas8habjrraXw+KzlWF0axSI2tcF+3iJ9BKQAVSKxGwxwu3m0wG3J+kUl1xboEcEPHYoIYMbgfSw7KGnuDKwkLzsQWhUJ0cIbOHASox1vv/5fNXkrHhGbDCHeVXm804c83nvHUEFYThr1PfyP/8HwrCtR3FX5OANtQCP61C1nJtSSkC8JSQUOrIP4CuwJjc+4WGDk+BGH5m9iuiAKkipEHWmUl8/P7XpfpWQuk4h8g3pXZOrNXr08lbh4d39svj7UqdhvOXoBISp9t/EXYuePGEtBdrKD9Dz+VHwyUPtBQvYr9BnkF88qBnaPNhS44rzwIDAQAB",
        "Fingerprint": "7f3f401420072e50a65a141430817ab3"}]}"#;

    /// The SubjectPublicKeyInfo-shaped example from AWS's custom-validation page.
    const SPKI: &str = r#"{"publicKeyList": [{"ValidityStartTime": "1434589370.0", "ValidityEndTime": "1437181370.0",
        "Value": "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqlzPJbvZJ42UdcmLfPUqXYNfOs6I8lCfao/tOs8CmzPOEdtLWugB9xoIUz78qVHdKIqxbaG4jWHfJBiOSSFBM0lt8cdVo4TnRa7oG9io5pysS6DJhBBAeXsicufsiFJR+wrUNh8RSLxL4k6G1+BhLX20tJkZ/erT97tDGBujAelqseGg3vPZbTx9SMfOLN65PdLFudLP7Gat0Z9p5jw/rjpclKfo9Bfc3heeBxWGKwBBOKnFAaN9V57pOaosCvPKmHd9bg7jsQkI9Xp22IzGLsTFJZYVA3KiTAElDMu80iFXPHEq9hKNbt9e4URFam+1utKVEiLkR2disdCmPTK0VQIDAQAB",
        "Fingerprint": "31e8b5433410dfb61a9dc45cc65b22ff"}]}"#;

    #[test]
    fn key_files_are_recorded_with_the_hash_of_their_bytes() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("keys.json");
        std::fs::write(&p, LIST).expect("write");
        let mut keys = PublicKeys::new();
        assert_eq!(keys.load_file(&p).ok(), Some(1));
        assert_eq!(
            keys.files(),
            &[(
                p,
                cloudcase_util::hex::encode(&crate::read::sha256(LIST.as_bytes()))
            )]
        );
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, "not json").expect("write");
        assert!(keys.load_file(&bad).is_err());
        assert_eq!(
            keys.files().len(),
            1,
            "a file that does not load is not recorded"
        );
    }

    #[test]
    fn fingerprint_is_md5_of_der_for_published_keys() {
        let mut keys = PublicKeys::new();
        assert_eq!(
            keys.load_json(LIST.as_bytes(), Path::new("k.json")).ok(),
            Some(1)
        );
        assert_eq!(
            keys.load_json(SPKI.as_bytes(), Path::new("k2.json")).ok(),
            Some(1)
        );
        assert!(keys.notes().is_empty(), "{:?}", keys.notes());
        let k = keys
            .get("7F3F401420072E50A65A141430817AB3")
            .expect("found by fingerprint");
        assert_eq!(k.bits, 2048);
        assert_eq!(k.validity_start.map(|t| t.as_second()), Some(1453076702));
        let k2 = keys
            .get("31e8b5433410dfb61a9dc45cc65b22ff")
            .expect("SPKI accepted");
        assert_eq!(k2.validity_end.map(|t| t.as_second()), Some(1437181370));
    }

    #[test]
    fn wrong_stated_fingerprint_is_reported() {
        let text = LIST.replace("7f3f4014", "00000000");
        let mut keys = PublicKeys::new();
        assert_eq!(
            keys.load_json(text.as_bytes(), Path::new("k.json")).ok(),
            Some(1)
        );
        assert_eq!(keys.notes().len(), 1);
        assert!(keys.get("7f3f401420072e50a65a141430817ab3").is_some());
    }

    #[test]
    fn garbage_keys_are_unloadable_not_fatal() {
        let text = r#"{"PublicKeyList":[{"Value":"AAAA","Fingerprint":"abc"},{"Value":"!!","Fingerprint":"def"}]}"#;
        let mut keys = PublicKeys::new();
        assert_eq!(
            keys.load_json(text.as_bytes(), Path::new("k.json")).ok(),
            Some(0)
        );
        assert!(keys.unloadable("ABC").is_some());
        assert!(keys.unloadable("def").is_some());
        assert_eq!(keys.notes().len(), 2);
    }

    #[test]
    fn non_key_json_is_an_error_naming_the_file() {
        let mut keys = PublicKeys::new();
        let e = keys
            .load_json(br#"{"Records":[]}"#, Path::new("wrong.json"))
            .expect_err("not keys");
        let msg = e.to_string();
        assert!(
            msg.contains("wrong.json") && msg.contains("list-public-keys"),
            "{msg}"
        );
        assert!(keys.load_json(b"not json", Path::new("x")).is_err());
    }
}
