//! The validation engine: discover files, load digests in parallel, walk every
//! chain, verify signatures, hash listed log files in parallel, report.
//!
//! - `discover`: walks the inputs and tells digests (loaded here), log files and
//!   signature sidecars apart;
//! - `index`: the non-digest files, by the keys digests name them with;
//! - `engine`: the digests, their chains and the report being built;
//! - `judge`: one digest's verdict (placement, key, signatures, chain links);
//! - `chain`: the periods no valid digest proves (missing digests, restarts, forks);
//! - `logs`: the listed log files' hashes, and the log files no digest lists;
//! - `parallel`: the order-keeping parallel map used for reading and hashing.

use std::path::PathBuf;

use jiff::{SignedDuration, Timestamp};

use crate::error::TrailError;
use crate::keys::PublicKeys;
use crate::report::{Problem, ProblemKind, Report};
use crate::signatures::Signatures;

mod chain;
mod discover;
mod engine;
mod index;
mod judge;
mod logs;
mod parallel;

use discover::{Item, Loaded};
use engine::{Engine, MissingRef, Node};
use parallel::{par_map, par_map_with};

/// What to validate: files and directories (walked recursively), files stored away
/// from where they were found ([`KnownFile`]), plus an optional root.
///
/// Digests, log files and signature sidecars are told apart by name and content, so
/// one folder holding a whole `aws s3 sync` copy is enough. With a `root`, local paths
/// relative to it are also matched against S3 keys verbatim, and are shown relative to it.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// Files and directories.
    pub paths: Vec<PathBuf>,
    /// Optional root of the local copy (e.g. the bucket folder of a case).
    pub root: Option<PathBuf>,
    /// Files read from one path but located by another (evidence objects of a case).
    pub known: Vec<KnownFile>,
}

/// A file whose bytes are read from one path while its *location* is another: an
/// evidence object kept under a content-addressed name (`evidence/objects/sha256/ab/abcd…`)
/// that was acquired from `original`.
///
/// Everything that depends on where a file is uses `original`: matching digests'
/// `s3Object` keys (on its `AWSLogs/…` suffix, else its file name), the *moved* check
/// of digests, recognising sidecars (`<digest>.sig`, `<digest>.head.json`), and what
/// reports show (with `read_from` added as the stored copy). Content that sat at several
/// places is given once per place: the same bytes can legitimately sit at two keys.
/// A `read_from` that cannot be read is a finding, not an error.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KnownFile {
    /// Where the bytes are read from (never written).
    pub read_from: PathBuf,
    /// Where the file was found: an absolute path or a URI such as `s3://bucket/AWSLogs/…`.
    pub original: String,
}

/// Limits and the period to validate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only digests whose period overlaps `[from, to]` are validated (like `--start-time`).
    pub from: Option<Timestamp>,
    /// End of the period (like `--end-time`).
    pub to: Option<Timestamp>,
    /// Largest uncompressed digest accepted (default 64 MiB); larger ones are reported.
    pub max_digest_bytes: u64,
    /// Largest uncompressed log file hashed (default 4 GiB); larger ones are reported.
    pub max_log_bytes: u64,
    /// Worker threads for reading and hashing (default: available cores).
    pub threads: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            from: None,
            to: None,
            max_digest_bytes: 64 << 20,
            max_log_bytes: 4 << 30,
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// One hour: the period of a digest.
const HOUR: SignedDuration = SignedDuration::from_hours(1);
/// Slack allowed between digest times that should meet (delivery is not to the second).
const TOLERANCE: SignedDuration = SignedDuration::from_mins(5);

/// Validates the CloudTrail digests and log files found in `inputs` offline.
///
/// Fails only when an input path cannot be read at all; everything wrong with the
/// evidence itself is a finding in the returned [`Report`].
pub fn validate(
    inputs: &Inputs,
    keys: &PublicKeys,
    signatures: &Signatures,
    options: &Options,
) -> Result<Report, TrailError> {
    if let (Some(from), Some(to)) = (options.from, options.to) {
        if from >= to {
            return Err(TrailError::Period { from, to });
        }
    }
    let mut problems: Vec<Problem> = keys.notes().to_vec();
    problems.extend(signatures.notes().iter().cloned());
    let files = discover::collect(inputs, &mut problems)?;
    let items = par_map(&files, options.threads, |p| discover::classify(p, options));

    let mut sigs = signatures.clone();
    let mut engine = Engine::new(inputs, options);
    for item in items {
        match item {
            Item::Sidecar(p) => {
                if let Err(e) = sigs.add_sidecar_at(&p.read, &p.loc) {
                    problems.push(Problem::new(
                        ProblemKind::SignatureUnreadable,
                        p.loc.display().to_string(),
                        e.to_string(),
                    ));
                }
            }
            other => engine.add(other),
        }
    }
    engine.problems = problems;
    engine.run(keys, &sigs);
    Ok(engine.finish(sigs.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_period_is_an_error() {
        let t = Timestamp::UNIX_EPOCH;
        let opts = Options {
            from: Some(t),
            to: Some(t),
            ..Options::default()
        };
        let e = validate(
            &Inputs::default(),
            &PublicKeys::new(),
            &Signatures::new(),
            &opts,
        )
        .expect_err("empty period");
        assert!(e.to_string().contains("expected --from before --to"));
    }
}
