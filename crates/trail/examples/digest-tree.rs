//! Signs hourly CloudTrail digests over an existing tree of log files, such as a
//! `cloudcase-gen` corpus, for the validation benchmark (`bench/trail.sh`).
//!
//! Every `…/AWSLogs/[ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/*_CloudTrail_*` file under
//! LOGS is listed, with the SHA-256 of its uncompressed content, in the digest of the hour
//! its name's time stamp falls in; each account and region gets one chain of hourly digests
//! (empty ones for hours without logs), signed with the test key, written under OUT in the
//! real layout (`…/CloudTrail-Digest/REGION/YYYY/MM/DD/…`), so LOGS itself is not modified.
//! Also writes `OUT/keys.json` (the public key) and `OUT/signatures.json` (each chain's
//! newest digest), and prints the number of log files and of digests.
//!
//! `cargo run --release -p cloudcase-trail --features testkit --example digest-tree -- LOGS OUT`

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::thread;

use cloudcase_trail::testkit::Signer;
use cloudcase_trail::{Digest, LogFileRef};
use jiff::{SignedDuration, Timestamp};
use sha2::{Digest as _, Sha256};

const KEY: &str = include_str!("../tests/fixtures/test-rsa-2048.pem");
const BUCKET: &str = "bench-trail-bucket";
const TRAIL: &str = "bench-trail";

/// A log file found under LOGS.
struct Log {
    /// `AWSLogs/[ORG/]ACCOUNT`.
    base: String,
    /// Its account.
    account: String,
    /// Its region.
    region: String,
    /// The time in its name.
    time: Timestamp,
    /// Its S3 key (from `AWSLogs` on).
    key: String,
    /// Where it is.
    path: PathBuf,
}

/// The chain a log belongs to: account (with its base) and region.
#[derive(PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Chain {
    base: String,
    account: String,
    region: String,
}

/// Parses `…/AWSLogs/[ORG/]ACCOUNT/CloudTrail/REGION/Y/M/D/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHMMZ_…`.
fn parse(path: &Path) -> Option<Log> {
    let comps: Vec<String> = path
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let start = comps.iter().rposition(|c| c == "AWSLogs")?;
    let ct = start + comps[start..].iter().position(|c| c == "CloudTrail")?;
    if ct < start + 2 || comps.len() != ct + 6 {
        return None;
    }
    let name = &comps[ct + 5];
    let stamp = name.split('_').nth(3)?;
    let num = |r: std::ops::Range<usize>| stamp.get(r)?.parse::<i16>().ok();
    let (y, mo, d, h, mi) = (
        num(0..4)?,
        num(4..6)?,
        num(6..8)?,
        num(9..11)?,
        num(11..13)?,
    );
    let time = jiff::civil::date(y, mo as i8, d as i8)
        .at(h as i8, mi as i8, 0, 0)
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()?
        .timestamp();
    Some(Log {
        base: comps[start..ct].join("/"),
        account: comps[ct - 1].clone(),
        region: comps[ct + 1].clone(),
        time,
        key: comps[start..].join("/"),
        path: path.to_path_buf(),
    })
}

/// Hex SHA-256 of a gzip file's uncompressed content.
fn hash_log(path: &Path) -> Result<String, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut gz = flate2::read::MultiGzDecoder::new(std::io::BufReader::new(file));
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = gz
            .read(&mut buf)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(cloudcase_util::hex::encode(&hasher.finalize()))
}

/// Hashes every log, on every core.
fn hash_all(logs: &[Log]) -> Result<Vec<String>, String> {
    let workers = thread::available_parallelism().map_or(2, |n| n.get());
    let size = logs.len().div_ceil(workers).max(1);
    thread::scope(|s| {
        let handles: Vec<_> = logs
            .chunks(size)
            .map(|chunk| s.spawn(move || chunk.iter().map(|l| hash_log(&l.path)).collect()))
            .collect();
        let mut out = Vec::with_capacity(logs.len());
        for h in handles {
            let part: Result<Vec<String>, String> =
                h.join().map_err(|_| "a hasher panicked".to_string())?;
            out.extend(part?);
        }
        Ok(out)
    })
}

fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn gzip(data: &[u8]) -> Result<Vec<u8>, String> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).map_err(|e| e.to_string())?;
    e.finish().map_err(|e| e.to_string())
}

/// The previous digest of a chain: key, hex SHA-256, hex signature.
struct Previous {
    key: String,
    hash: String,
    signature: String,
}

/// Writes one chain's hourly digests; returns the newest digest's key and signature.
fn write_chain(
    out: &Path,
    chain: &Chain,
    hours: &BTreeMap<i64, Vec<LogFileRef>>,
    signer: &Signer,
) -> Result<(String, String, usize), String> {
    let (Some(first), Some(last)) = (hours.keys().next(), hours.keys().next_back()) else {
        return Err("a chain without logs".into());
    };
    let mut previous: Option<Previous> = None;
    let mut written = 0;
    for hour in (*first..=*last).step_by(3600) {
        let start = Timestamp::from_second(hour).map_err(|e| e.to_string())?;
        let end = start + SignedDuration::from_hours(1);
        let refs = hours.get(&hour).cloned().unwrap_or_default();
        let (acct, region) = (&chain.account, &chain.region);
        let key = format!(
            "{}/CloudTrail-Digest/{region}/{}/{acct}_CloudTrail-Digest_{region}_{TRAIL}_{region}_{}.json.gz",
            chain.base,
            end.strftime("%Y/%m/%d"),
            end.strftime("%Y%m%dT%H%M%SZ")
        );
        let digest = Digest {
            aws_account_id: acct.clone(),
            digest_start_time: rfc3339(start),
            digest_end_time: rfc3339(end),
            digest_s3_bucket: BUCKET.into(),
            digest_s3_object: key.clone(),
            digest_public_key_fingerprint: signer.fingerprint(),
            digest_signature_algorithm: "SHA256withRSA".into(),
            newest_event_time: refs.last().and_then(|r| r.newest_event_time.clone()),
            oldest_event_time: refs.first().and_then(|r| r.oldest_event_time.clone()),
            previous_digest_s3_bucket: previous.as_ref().map(|_| BUCKET.to_string()),
            previous_digest_s3_object: previous.as_ref().map(|p| p.key.clone()),
            previous_digest_hash_value: previous.as_ref().map(|p| p.hash.clone()),
            previous_digest_hash_algorithm: previous.as_ref().map(|_| "SHA-256".to_string()),
            previous_digest_signature: previous.as_ref().map(|p| p.signature.clone()),
            log_files: refs,
        };
        let bytes = serde_json::to_vec(&digest).map_err(|e| e.to_string())?;
        let hash = cloudcase_util::hex::encode(&Sha256::digest(&bytes));
        let signature =
            cloudcase_util::hex::encode(&signer.sign(digest.signing_string(&hash).as_bytes()));
        let path = out.join(&key);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, gzip(&bytes)?).map_err(|e| format!("{}: {e}", path.display()))?;
        written += 1;
        previous = Some(Previous {
            key,
            hash,
            signature,
        });
    }
    let head = previous.ok_or("a chain without digests")?;
    Ok((head.key, head.signature, written))
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let logs_dir = PathBuf::from(args.get(1).ok_or("expected LOGS as argument 1")?);
    let out = PathBuf::from(args.get(2).ok_or("expected OUT as argument 2")?);
    let signer = Signer::from_pkcs1_pem(KEY)?;
    let mut logs: Vec<Log> = walkdir::WalkDir::new(&logs_dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| parse(e.path()))
        .collect();
    logs.sort_by(|a, b| a.key.cmp(&b.key));
    let hashes = hash_all(&logs)?;
    let mut chains: BTreeMap<Chain, BTreeMap<i64, Vec<LogFileRef>>> = BTreeMap::new();
    for (log, hash) in logs.iter().zip(hashes) {
        let chain = Chain {
            base: log.base.clone(),
            account: log.account.clone(),
            region: log.region.clone(),
        };
        let hour = log.time.as_second().div_euclid(3600) * 3600;
        chains
            .entry(chain)
            .or_default()
            .entry(hour)
            .or_default()
            .push(LogFileRef {
                s3_bucket: BUCKET.into(),
                s3_object: log.key.clone(),
                hash_value: hash,
                hash_algorithm: "SHA-256".into(),
                newest_event_time: Some(rfc3339(log.time)),
                oldest_event_time: Some(rfc3339(log.time)),
            });
    }
    let mut sigs = serde_json::Map::new();
    let mut digests = 0;
    for (chain, hours) in &chains {
        let (key, signature, n) = write_chain(&out, chain, hours, &signer)?;
        sigs.insert(key, signature.into());
        digests += n;
    }
    let write = |name: &str, text: String| {
        std::fs::write(out.join(name), text).map_err(|e| format!("writing {name}: {e}"))
    };
    write("keys.json", signer.public_keys_json())?;
    write(
        "signatures.json",
        serde_json::Value::Object(sigs).to_string(),
    )?;
    println!("{} {digests}", logs.len());
    Ok(())
}
