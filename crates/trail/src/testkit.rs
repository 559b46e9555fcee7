//! Signed synthetic CloudTrail trails, for tests and demos (cargo feature `testkit`).
//!
//! Builds hourly digests over gzip'd log files in the real S3 layout, chained and
//! signed in AWS's exact format with a test RSA key (PKCS#1 PEM, such as aws-cli's
//! `sample_private_key.pem` or the key in this crate's `tests/fixtures/`). It cannot
//! forge real evidence: AWS's private keys never leave AWS.

use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use flate2::write::GzEncoder;
use jiff::{SignedDuration, Timestamp};

use crate::digest::{Digest, LogFileRef};
use crate::read::sha256;

/// Signs with an RSA private key, as CloudTrail does (PKCS#1 v1.5, SHA-256).
pub struct Signer {
    pair: ring::signature::RsaKeyPair,
    public_der: Vec<u8>,
}

impl Signer {
    /// Loads a `-----BEGIN RSA PRIVATE KEY-----` (PKCS#1) PEM.
    pub fn from_pkcs1_pem(pem: &str) -> Result<Signer, String> {
        let body: String = pem
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("-----") && !l.is_empty())
            .collect();
        let der = base64::engine::general_purpose::STANDARD
            .decode(body)
            .map_err(|e| format!("expected base64 PEM body, found an error: {e}"))?;
        let pair = ring::signature::RsaKeyPair::from_der(&der)
            .map_err(|e| format!("expected a PKCS#1 RSAPrivateKey, found an error: {e}"))?;
        let public_der = ring::signature::KeyPair::public_key(&pair)
            .as_ref()
            .to_vec();
        Ok(Signer { pair, public_der })
    }

    /// The public key as PKCS#1 `RSAPublicKey` DER (what `list-public-keys` returns).
    pub fn public_der(&self) -> &[u8] {
        &self.public_der
    }

    /// The CloudTrail fingerprint (hex MD5 of the public DER).
    pub fn fingerprint(&self) -> String {
        crate::keys::fingerprint(&self.public_der)
    }

    /// RSA PKCS#1 v1.5 SHA-256 signature of `message`.
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        let rng = ring::rand::SystemRandom::new();
        let mut sig = vec![0u8; self.pair.public().modulus_len()];
        // Signing with a loaded key into a buffer of the modulus size cannot fail
        // except on an RNG failure, which leaves an all-zero (invalid) signature.
        let _ = self
            .pair
            .sign(&ring::signature::RSA_PKCS1_SHA256, &rng, message, &mut sig);
        sig
    }

    /// The key in `aws cloudtrail list-public-keys` JSON form.
    pub fn public_keys_json(&self) -> String {
        serde_json::json!({"PublicKeyList": [{
            "ValidityStartTime": 1_700_000_000.0,
            "ValidityEndTime": 1_900_000_000.0,
            "Value": base64::engine::general_purpose::STANDARD.encode(&self.public_der),
            "Fingerprint": self.fingerprint(),
        }]})
        .to_string()
    }
}

/// What trail to synthesize.
#[derive(Debug, Clone)]
pub struct TrailSpec {
    /// Account id.
    pub account: String,
    /// Organization id for an organization-trail layout.
    pub org: Option<String>,
    /// Delivery region (also the home region).
    pub region: String,
    /// Trail name.
    pub trail: String,
    /// Bucket name written into the digests.
    pub bucket: String,
    /// S3 prefix before `AWSLogs/` (also the local folder under the root).
    pub prefix: Option<String>,
    /// `digestStartTime` of the first digest.
    pub start: Timestamp,
    /// Number of hourly digests.
    pub hours: usize,
    /// Log files per hour.
    pub logs_per_hour: usize,
    /// Hours (digest indexes) with no log files (empty digests).
    pub empty_hours: Vec<usize>,
    /// `(i, h)`: logging is off for `h` hours before digest `i`, which starts a new chain.
    pub logging_off: Option<(usize, i64)>,
}

impl Default for TrailSpec {
    fn default() -> Self {
        TrailSpec {
            account: "111122223333".into(),
            org: None,
            region: "us-east-1".into(),
            trail: "case-trail".into(),
            bucket: "case-bucket".into(),
            prefix: None,
            start: Timestamp::from_second(1_709_252_248).unwrap_or(Timestamp::UNIX_EPOCH), // 2024-03-01T00:17:28Z
            hours: 6,
            logs_per_hour: 2,
            empty_hours: Vec::new(),
            logging_off: None,
        }
    }
}

/// A log file written by [`build_trail`].
#[derive(Debug, Clone)]
pub struct BuiltLog {
    /// Its S3 key.
    pub key: String,
    /// Where it was written.
    pub path: PathBuf,
}

/// A digest written by [`build_trail`].
#[derive(Debug, Clone)]
pub struct BuiltDigest {
    /// Its S3 key.
    pub key: String,
    /// Where it was written.
    pub path: PathBuf,
    /// Hex signature (what S3 metadata would hold).
    pub signature_hex: String,
    /// `digestStartTime`.
    pub start: Timestamp,
    /// `digestEndTime`.
    pub end: Timestamp,
    /// The log files it lists.
    pub logs: Vec<BuiltLog>,
}

/// A synthesized trail.
#[derive(Debug, Clone)]
pub struct BuiltTrail {
    /// Local root (as after `aws s3 sync s3://bucket root`).
    pub root: PathBuf,
    /// Digests, oldest first.
    pub digests: Vec<BuiltDigest>,
}

impl BuiltTrail {
    /// Writes a JSON map `{ "<S3 key>": "<hex signature>" }` for every digest.
    pub fn write_signature_map(&self, path: &Path) -> io::Result<()> {
        let map: serde_json::Map<String, serde_json::Value> = self
            .digests
            .iter()
            .map(|d| {
                (
                    d.key.clone(),
                    serde_json::Value::String(d.signature_hex.clone()),
                )
            })
            .collect();
        std::fs::write(path, serde_json::Value::Object(map).to_string())
    }

    /// Writes `<digest>.sig` next to every digest.
    pub fn write_sidecars(&self) -> io::Result<()> {
        for d in &self.digests {
            let mut p = d.path.clone().into_os_string();
            p.push(".sig");
            std::fs::write(PathBuf::from(p), &d.signature_hex)?;
        }
        Ok(())
    }

    /// The newest digest.
    pub fn head(&self) -> Option<&BuiltDigest> {
        self.digests.last()
    }
}

fn gzip(data: &[u8]) -> io::Result<Vec<u8>> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data)?;
    e.finish()
}

fn write(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes)
}

/// Writes a signed, chained trail under `root` and returns what it wrote.
pub fn build_trail(root: &Path, spec: &TrailSpec, signer: &Signer) -> io::Result<BuiltTrail> {
    let base = {
        let mut b = String::new();
        if let Some(p) = &spec.prefix {
            b.push_str(p.trim_matches('/'));
            b.push('/');
        }
        b.push_str("AWSLogs/");
        if let Some(o) = &spec.org {
            b.push_str(o);
            b.push('/');
        }
        b.push_str(&spec.account);
        b
    };
    let (acct, region) = (&spec.account, &spec.region);
    let mut digests = Vec::new();
    let mut previous: Option<(String, String, String)> = None; // key, hash hex, signature hex
    let mut shift = SignedDuration::ZERO;
    let mut counter = 0u64;
    for i in 0..spec.hours {
        if let Some((at, h)) = spec.logging_off {
            if at == i {
                shift += SignedDuration::from_hours(h);
                previous = None;
            }
        }
        let start = spec.start + SignedDuration::from_hours(i as i64) + shift;
        let end = start + SignedDuration::from_hours(1);
        let day = end.strftime("%Y/%m/%d").to_string();
        let mut logs = Vec::new();
        let mut refs = Vec::new();
        let n = if spec.empty_hours.contains(&i) {
            0
        } else {
            spec.logs_per_hour
        };
        for j in 0..n {
            counter += 1;
            let t = start + SignedDuration::from_mins(10 * (j as i64 + 1));
            let rand: String =
                cloudcase_util::hex::encode(&sha256(format!("{acct}{region}{counter}").as_bytes()))
                    [..16]
                    .to_string();
            let key = format!(
                "{base}/CloudTrail/{region}/{}/{acct}_CloudTrail_{region}_{}_{rand}.json.gz",
                t.strftime("%Y/%m/%d"),
                t.strftime("%Y%m%dT%H%MZ")
            );
            let body = serde_json::json!({"Records": [{
                "eventVersion": "1.09", "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "eventSource": "s3.amazonaws.com", "eventName": "GetObject", "awsRegion": region,
                "sourceIPAddress": "203.0.113.7", "eventID": format!("00000000-0000-0000-0000-{counter:012}"),
                "recipientAccountId": acct, "userIdentity": {"type": "IAMUser", "userName": "alice"}
            }]})
            .to_string();
            let path = root.join(&key);
            write(&path, &gzip(body.as_bytes())?)?;
            refs.push(LogFileRef {
                s3_bucket: spec.bucket.clone(),
                s3_object: key.clone(),
                hash_value: cloudcase_util::hex::encode(&sha256(body.as_bytes())),
                hash_algorithm: "SHA-256".into(),
                newest_event_time: Some(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
                oldest_event_time: Some(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()),
            });
            logs.push(BuiltLog { key, path });
        }
        let key = format!(
            "{base}/CloudTrail-Digest/{region}/{day}/{acct}_CloudTrail-Digest_{region}_{}_{region}_{}.json.gz",
            spec.trail,
            end.strftime("%Y%m%dT%H%M%SZ")
        );
        let fmt = |t: Timestamp| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        let digest = Digest {
            aws_account_id: acct.clone(),
            digest_start_time: fmt(start),
            digest_end_time: fmt(end),
            digest_s3_bucket: spec.bucket.clone(),
            digest_s3_object: key.clone(),
            digest_public_key_fingerprint: signer.fingerprint(),
            digest_signature_algorithm: "SHA256withRSA".into(),
            newest_event_time: refs.last().and_then(|r| r.newest_event_time.clone()),
            oldest_event_time: refs.first().and_then(|r| r.oldest_event_time.clone()),
            previous_digest_s3_bucket: previous.as_ref().map(|_| spec.bucket.clone()),
            previous_digest_s3_object: previous.as_ref().map(|p| p.0.clone()),
            previous_digest_hash_value: previous.as_ref().map(|p| p.1.clone()),
            previous_digest_hash_algorithm: previous.as_ref().map(|_| "SHA-256".to_string()),
            previous_digest_signature: previous.as_ref().map(|p| p.2.clone()),
            log_files: refs,
        };
        let bytes = serde_json::to_vec(&digest).map_err(io::Error::other)?;
        let hash = cloudcase_util::hex::encode(&sha256(&bytes));
        let signature_hex =
            cloudcase_util::hex::encode(&signer.sign(digest.signing_string(&hash).as_bytes()));
        let path = root.join(&key);
        write(&path, &gzip(&bytes)?)?;
        previous = Some((key.clone(), hash, signature_hex.clone()));
        digests.push(BuiltDigest {
            key,
            path,
            signature_hex,
            start,
            end,
            logs,
        });
    }
    Ok(BuiltTrail {
        root: root.to_path_buf(),
        digests,
    })
}
