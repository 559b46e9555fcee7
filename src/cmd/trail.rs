//! `cloudcase trail`: CloudTrail log-file integrity, offline.
//!
//! `validate` is the offline counterpart of `aws cloudtrail validate-logs`: it checks
//! digest signatures, the digest chain and log-file hashes in a local copy of the trail
//! bucket, and says which periods nothing proves. All logic lives in `cloudcase-trail`.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context as _, Result};
use cloudcase_trail::{Inputs, Options, PublicKeys, Signatures, TextOptions};

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
    /// digest signatures that could not be checked), 2 on a usage or input error.
    Validate(ValidateArgs),
}

/// Arguments of `cloudcase trail validate`.
#[derive(clap::Args, Debug)]
pub struct ValidateArgs {
    /// Digest files, log files, or directories holding them (for example an
    /// `aws s3 sync` copy of the trail bucket). Files are told apart by name and content.
    #[arg(value_name = "LOGS", required = true)]
    pub logs: Vec<PathBuf>,

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

    /// Print the result as JSON (stable keys; times in UTC) instead of text.
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

fn parse_time(flag: &str, text: &str) -> Result<jiff::Timestamp> {
    let t = cloudcase_event::EventTime::parse_bound(text).with_context(|| format!("--{flag}"))?;
    jiff::Timestamp::from_millisecond(t.millis())
        .with_context(|| format!("--{flag} {text:?} is out of range"))
}

fn validate(args: ValidateArgs) -> Result<ExitCode> {
    let tz = if args.tz.eq_ignore_ascii_case("local") {
        jiff::tz::TimeZone::system()
    } else {
        jiff::tz::TimeZone::get(&args.tz).with_context(|| {
            format!(
                "--tz {:?}: expected an IANA time zone name such as UTC or Europe/Berlin",
                args.tz
            )
        })?
    };
    let from = args
        .from
        .as_deref()
        .map(|t| parse_time("from", t))
        .transpose()?;
    let to = args
        .to
        .as_deref()
        .map(|t| parse_time("to", t))
        .transpose()?;
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

    if std::io::stderr().is_terminal() && !args.json {
        eprintln!(
            "cloudcase: validating CloudTrail integrity in {} input path(s)…",
            args.logs.len()
        );
    }
    let inputs = Inputs {
        paths: args.logs,
        root: None,
    };
    let options = Options {
        from,
        to,
        ..Options::default()
    };
    let report = cloudcase_trail::validate(&inputs, &keys, &signatures, &options)?;

    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report.to_json(args.verbose))?;
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
    }
    out.flush()?;
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
