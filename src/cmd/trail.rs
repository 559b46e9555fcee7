//! `cloudcase trail`: CloudTrail log-file integrity, offline.
//!
//! `validate` is the offline counterpart of `aws cloudtrail validate-logs`: it checks
//! digest signatures, the digest chain and log-file hashes in a local copy of the trail
//! bucket, and says which periods nothing proves. All logic lives in `cloudcase-trail`.
//!
//! With `--case`, the case's evidence objects are validated where they were acquired
//! from (their original paths or URIs), read from the store and never written, and the
//! result is recorded as a `validated` custody entry.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use cloudcase_evidence::results::{record_validation, HashedFile, ValidatedDetails};
use cloudcase_evidence::Case;
use cloudcase_model::ValidationSummary;
use cloudcase_trail::{Inputs, KnownFile, Options, PublicKeys, Report, Signatures, TextOptions};
use serde_json::json;

/// CloudTrail log-file integrity.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(subcommand)]
    pub command: TrailCommand,
}

/// `cloudcase trail` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum TrailCommand {
    /// Validate CloudTrail digest and log files offline, like `aws cloudtrail validate-logs`
    /// without S3: digest signatures, the digest chain (deleted digests, and the hours they
    /// leave unproven), log-file hashes, and log files no digest covers.
    ///
    /// Exit status: 0 when everything checked is valid, 1 when anything is not (including
    /// digest signatures that could not be checked), 2 on a usage or input error (with
    /// `--case`, also when the result could not be recorded in the custody log).
    Validate(ValidateArgs),
}

/// Arguments of `cloudcase trail validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Digest files, log files, or directories holding them (for example an
    /// `aws s3 sync` copy of the trail bucket). Files are told apart by name and content.
    #[arg(value_name = "LOGS", required_unless_present = "case")]
    pub logs: Vec<PathBuf>,

    /// Validate the evidence of this case (as well as any LOGS): every evidence object,
    /// located by the original path or URI it was acquired from (an object acquired from
    /// several places counts once per place). Signature sidecars acquired into the case
    /// (`<digest file>.sig`, `<digest file>.head.json`) are used. Evidence is only read;
    /// the result is recorded in the case's custody log as a `validated` entry.
    #[arg(long = "case", value_name = "DIR")]
    pub case: Option<PathBuf>,

    /// JSON saved from `aws cloudtrail list-public-keys --region R --start-time T`
    /// (one per region; repeat the option for several files).
    #[arg(long = "public-keys", value_name = "FILE", required = true)]
    pub public_keys: Vec<PathBuf>,

    /// Digest signatures from S3 metadata (`x-amz-meta-signature`), which a download
    /// loses: a JSON/JSON Lines map file {"<digest S3 key>": "<hex>"}, or a directory of
    /// `<digest file>.sig` (hex) / `<digest file>.head.json` (`aws s3api head-object`
    /// output) sidecars. Sidecars next to the digests are picked up without this option.
    /// Only the newest digest of each chain needs one; older digests are verified with
    /// the signature recorded in the next digest.
    #[arg(long, value_name = "FILE|DIR")]
    pub signatures: Vec<PathBuf>,

    /// Validate only digests covering time from this point (RFC 3339, or YYYY-MM-DD in UTC).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,

    /// Validate only digests covering time up to this point (RFC 3339, or YYYY-MM-DD in UTC).
    #[arg(long, value_name = "TIME")]
    pub to: Option<String>,

    /// Print the result as JSON (stable keys; times in UTC) instead of text; with `--case`,
    /// `custody_entry` is the sequence number of the `validated` entry recorded.
    #[arg(long)]
    pub json: bool,

    /// Time zone for displayed times (IANA name such as Europe/Berlin, UTC, or "local").
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub tz: String,

    /// List every digest and log file, as `validate-logs --verbose` does (JSON: add `files`).
    #[arg(short, long)]
    pub verbose: bool,
}

/// Runs a `cloudcase trail` subcommand.
pub fn run(args: Args) -> Result<ExitCode> {
    match args.command {
        TrailCommand::Validate(v) => validate(v),
    }
}

fn validate(args: ValidateArgs) -> Result<ExitCode> {
    let tz = super::time::parse_tz(&args.tz)?;
    let from = super::time::parse_flag("from", args.from.as_deref())?;
    let to = super::time::parse_flag("to", args.to.as_deref())?;
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            bail!("--from {f} is not before --to {t}");
        }
    }

    let mut keys = PublicKeys::new();
    for path in &args.public_keys {
        keys.load_file(path).context("--public-keys")?;
    }
    let mut signatures = Signatures::new();
    for path in &args.signatures {
        signatures.load(path).context("--signatures")?;
    }
    for (path, why) in signatures.skipped() {
        eprintln!(
            "cloudcase: note: --signatures: skipped {} (not a signature map: {why})",
            path.display()
        );
    }

    let case = args.case.as_deref().map(Case::open).transpose()?;
    let mut known = Vec::new();
    let mut objects = 0usize;
    if let Some(case) = &case {
        for object in case.evidence_objects()? {
            objects += 1;
            for source in &object.sources {
                signatures.add_s3_metadata(
                    &source.uri,
                    &source.metadata,
                    &case.layout().manifest_file(),
                );
                known.push(KnownFile {
                    read_from: object.path.clone(),
                    original: source.uri.clone(),
                });
            }
        }
    }

    if std::io::stderr().is_terminal() && !args.json {
        let what = match &case {
            Some(c) => format!(
                "{objects} evidence object(s) of case {}{}",
                c.root().display(),
                if args.logs.is_empty() {
                    String::new()
                } else {
                    format!(" and {} input path(s)", args.logs.len())
                }
            ),
            None => format!("{} input path(s)", args.logs.len()),
        };
        eprintln!("cloudcase: validating CloudTrail integrity in {what}…");
    }
    let inputs = Inputs {
        paths: args.logs.clone(),
        root: None,
        known,
    };
    let options = Options {
        from,
        to,
        ..Options::default()
    };
    let report = cloudcase_trail::validate(&inputs, &keys, &signatures, &options)?;

    // Recorded before printing, so that JSON output can name the entry; a failure to
    // record is reported after the result is printed.
    let recorded = case.as_ref().map(|c| {
        custody_details(&report, &args, &keys, objects)
            .and_then(|details| Ok(record_validation(c, &details)?))
            .with_context(|| {
                format!(
                    "the validation result was NOT recorded in the custody log of {}",
                    c.root().display()
                )
            })
    });
    let seq = match &recorded {
        Some(Ok(entry)) => Some(entry.seq),
        _ => None,
    };

    let mut out = std::io::stdout().lock();
    if args.json {
        let mut value = report.to_json(args.verbose);
        if let Some(seq) = seq {
            value["custody_entry"] = json!(seq);
        }
        serde_json::to_writer_pretty(&mut out, &value)?;
        writeln!(out)?;
    } else {
        out.write_all(
            report
                .to_text(&TextOptions {
                    tz,
                    verbose: args.verbose,
                })
                .as_bytes(),
        )?;
        if let Some(seq) = seq {
            writeln!(out, "result recorded as custody entry {seq}")?;
        }
    }
    out.flush()?;
    if let (true, Some(seq)) = (args.json, seq) {
        eprintln!("cloudcase: result recorded as custody entry {seq}");
    }
    if let Some(Err(e)) = recorded {
        return Err(e);
    }
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Details of the `validated` custody entry: the verdict, the counts, what was read
/// (evidence objects, other inputs, public-key files with their SHA-256, signature
/// sources) and the command line.
fn custody_details(
    report: &Report,
    args: &ValidateArgs,
    keys: &PublicKeys,
    objects: usize,
) -> Result<ValidatedDetails> {
    let summary: ValidationSummary =
        serde_json::from_value(report.to_json(false)).context("reading the validation result")?;
    let mut problems_by_kind = std::collections::BTreeMap::new();
    for p in &report.problems {
        *problems_by_kind
            .entry(p.kind.as_str().to_owned())
            .or_insert(0u64) += 1;
    }
    let absolute = |p: &Path| {
        std::path::absolute(p)
            .unwrap_or_else(|_| p.to_path_buf())
            .to_string_lossy()
            .into_owned()
    };
    Ok(ValidatedDetails {
        ok: report.ok(),
        signatures_checked: report.signatures_checked(),
        summary: if report.ok() {
            "OK".to_string()
        } else {
            report.failure_summary()
        },
        digests: summary.digests,
        logs: summary.logs,
        gap_count: report.gaps.len() as u64,
        problem_count: report.problems.len() as u64,
        problems_by_kind,
        requested: summary.requested,
        found: summary.found,
        evidence_objects: objects as u64,
        other_inputs: args.logs.iter().map(|p| absolute(p)).collect(),
        public_keys: keys
            .files()
            .iter()
            .map(|(path, sha256)| HashedFile {
                path: absolute(path),
                sha256: sha256.clone(),
            })
            .collect(),
        signatures: args.signatures.iter().map(|p| absolute(p)).collect(),
        command: super::record::command_line(),
    })
}
