//! Writes a large signed CloudTrail tree for the scale benchmark (`bench/scale.sh`):
//! an organization trail of ACCOUNTS accounts × REGIONS regions × DAYS days, hourly
//! digests chained and signed with the test key, LOGS log files per hour (one event
//! each), in the S3 layout. Prints the number of files, then writes `keys.json` and
//! `signatures.json` beside the tree.
//!
//! `cargo run --release -p cloudcase-trail --features testkit --example scale-trail --
//!  OUT ACCOUNTS REGIONS DAYS LOGS`

use std::path::PathBuf;
use std::thread;

use cloudcase_trail::testkit::{build_trail, BuiltTrail, Signer, TrailSpec};

const KEY: &str = include_str!("../tests/fixtures/test-rsa-2048.pem");
const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-north-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-south-1",
    "sa-east-1",
];

/// One trail to write: an account and a region.
struct Job {
    account: String,
    region: &'static str,
}

fn arg(args: &[String], i: usize, name: &str) -> Result<usize, String> {
    args.get(i)
        .ok_or_else(|| format!("expected {name} as argument {i}"))?
        .parse()
        .map_err(|e| format!("expected a number for {name}, found {:?}: {e}", args[i]))
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let out = PathBuf::from(args.get(1).ok_or("expected OUT as argument 1")?);
    let accounts = arg(&args, 2, "ACCOUNTS")?;
    let regions = arg(&args, 3, "REGIONS")?.min(REGIONS.len());
    let days = arg(&args, 4, "DAYS")?;
    let logs = arg(&args, 5, "LOGS")?;
    let signer = Signer::from_pkcs1_pem(KEY)?;
    let jobs: Vec<Job> = (0..accounts)
        .flat_map(|a| {
            REGIONS[..regions].iter().map(move |region| Job {
                account: format!("{:012}", 111_122_220_000u64 + a as u64),
                region,
            })
        })
        .collect();
    let workers = thread::available_parallelism().map_or(2, |n| n.get());
    let chunks: Vec<&[Job]> = jobs.chunks(jobs.len().div_ceil(workers).max(1)).collect();
    let built: Vec<BuiltTrail> = thread::scope(|s| {
        let handles: Vec<_> = chunks
            .iter()
            .map(|chunk| {
                let (out, signer) = (&out, &signer);
                s.spawn(move || {
                    chunk
                        .iter()
                        .map(|job| {
                            let spec = TrailSpec {
                                account: job.account.clone(),
                                org: Some("o-scale00000".into()),
                                region: job.region.into(),
                                hours: days * 24,
                                logs_per_hour: logs,
                                ..TrailSpec::default()
                            };
                            build_trail(&out.join("bucket"), &spec, signer)
                                .map_err(|e| format!("writing the trail: {e}"))
                        })
                        .collect::<Result<Vec<_>, String>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().map_err(|_| "a writer panicked".to_string())?)
            .collect::<Result<Vec<Vec<_>>, String>>()
    })?
    .into_iter()
    .flatten()
    .collect();
    let mut sigs = serde_json::Map::new();
    let mut files = 0usize;
    for trail in &built {
        // Only the newest digest of a chain needs its signature; the others
        // are proven by the next digest's previousDigestSignature.
        if let Some(head) = trail.head() {
            sigs.insert(head.key.clone(), head.signature_hex.clone().into());
        }
        files += trail
            .digests
            .iter()
            .map(|d| d.logs.len() + 1)
            .sum::<usize>();
    }
    let write = |name: &str, text: String| {
        std::fs::write(out.join(name), text).map_err(|e| format!("writing {name}: {e}"))
    };
    write("keys.json", signer.public_keys_json())?;
    write(
        "signatures.json",
        serde_json::Value::Object(sigs).to_string(),
    )?;
    println!("{files}");
    Ok(())
}
