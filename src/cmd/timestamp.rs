//! `cloudcase timestamp`: an RFC 3161 time-stamp over the case's custody chain head, asked
//! of a TSA over HTTP, or written as a request file and imported with the TSA's reply.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use cloudcase_evidence::timestamps::{
    self, chain_head, record_request, record_token, Stamped, TimestampRequestedDetails,
    TimestampedDetails,
};
use cloudcase_evidence::Case;
use cloudcase_tsa::http::{post_query, HttpLimits};
use cloudcase_tsa::{
    build_request, check_answers, nonce_hex, parse_reply, parse_request, parse_token, Expected,
};
use cloudcase_util::hex::sha256_hex;
use cloudcase_util::sanitize::terminal_safe;

use super::record::command_line;

/// Largest TSA reply read, from a file or over HTTP (real replies are a few KB).
const MAX_REPLY: usize = 1 << 20;

/// Time-stamp the case's custody chain head (the hash of its last entry) with an RFC 3161
/// Time-Stamp Authority: the token is third-party proof that the evidence and custody
/// record up to that entry existed at the TSA's genTime.
///
/// The request (SHA-256 of the head's 32 bytes, a random 64-bit nonce, certReq) is kept in
/// CASE/timestamps/ with a `timestamp_requested` custody entry; each reply stored there is
/// a `timestamped` entry. Check tokens with `cloudcase verify --case DIR --tsa-cert ROOT.pem`.
#[derive(ClapArgs, Debug)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["request", "tsa", "import"])))]
pub struct Args {
    /// Case folder.
    #[arg(long = "case", value_name = "DIR")]
    pub case: PathBuf,
    /// Write a DER TimeStampReq to OUT.tsq, for a TSA reached another way (then --import).
    #[arg(long, value_name = "OUT.tsq")]
    pub request: Option<PathBuf>,
    /// Send the request to this TSA (HTTP POST, application/timestamp-query; http:// only)
    /// and store its reply.
    #[arg(long, value_name = "URL")]
    pub tsa: Option<String>,
    /// Store a TSA reply (DER TimeStampResp) to the latest request not yet answered.
    #[arg(long = "import", value_name = "REPLY.tsr")]
    pub import: Option<PathBuf>,
    /// Seconds allowed for the whole exchange with --tsa.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub timeout: u64,
}

/// Runs `cloudcase timestamp`.
pub fn run(args: Args) -> Result<ExitCode> {
    let case = Case::open(&args.case)?;
    if let Some(out) = &args.request {
        let (details, _, der) = new_request(&case)?;
        cloudcase_util::fs::write_atomic(out, &der)
            .with_context(|| format!("{}: write the request", out.display()))?;
        println!(
            "cloudcase: request over custody entry {} (head {}) written to {} and kept as {}; send it to a TSA, then run: cloudcase timestamp --case {} --import REPLY.tsr",
            details.covers_seq,
            details.covers_hash,
            out.display(),
            details.request,
            args.case.display()
        );
    } else if let Some(url) = &args.tsa {
        let (details, seq, der) = new_request(&case)?;
        let limits = HttpLimits {
            timeout: Duration::from_secs(args.timeout.max(1)),
            max_reply: MAX_REPLY,
        };
        let reply = post_query(url, &der, limits)?;
        store(&case, &details, seq, &reply, url.clone())?;
    } else if let Some(path) = &args.import {
        let reply = read_reply(path)?;
        let pending = pending_request(&case)?;
        let source = format!("import:{}", absolute(path));
        store(&case, &pending.details, pending.seq, &reply, source)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Builds a request over the chain head and records it in the case: its details, its
/// `timestamp_requested` entry and its DER.
fn new_request(case: &Case) -> Result<(TimestampRequestedDetails, u64, Vec<u8>)> {
    let head = chain_head(case)?;
    let request = build_request(&head.hash)?;
    let details = TimestampRequestedDetails {
        covers_seq: head.seq,
        covers_hash: head.hash,
        imprint: cloudcase_tsa::oids::hex(&request.imprint),
        nonce: nonce_hex(request.nonce),
        command: command_line(),
        ..Default::default()
    };
    let (details, entry) = record_request(case, &request.der, details)?;
    Ok((details, entry.seq, request.der))
}

/// The latest request recorded in the case that no stored token answers yet.
fn pending_request(case: &Case) -> Result<Stamped<TimestampRequestedDetails>> {
    let entries = case.custody().entries()?;
    let answered: Vec<String> = timestamps::tokens(&entries)
        .into_iter()
        .map(|t| t.details.request)
        .collect();
    let Some(latest) = timestamps::requests(&entries)
        .into_iter()
        .rev()
        .find(|r| !answered.contains(&r.details.request))
    else {
        bail!(
            "{}: expected a request not yet answered (make one with `cloudcase timestamp --case DIR --request OUT.tsq`), found none",
            case.root().display()
        );
    };
    Ok(latest)
}

/// Reads a reply file, refusing one larger than any real reply.
fn read_reply(path: &Path) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("{}: read the reply", path.display()))?
        .len();
    if size > MAX_REPLY as u64 {
        bail!(
            "{}: expected a TimeStampResp of at most {MAX_REPLY} bytes, found {size} bytes",
            path.display()
        );
    }
    std::fs::read(path).with_context(|| format!("{}: read the reply", path.display()))
}

/// Checks that `reply` grants a token answering `request` (imprint and nonce; signatures
/// are `verify`'s work, with the roots) and stores it with its `timestamped` entry.
/// `request_seq` is the request's `timestamp_requested` entry.
fn store(
    case: &Case,
    request: &TimestampRequestedDetails,
    request_seq: u64,
    reply: &[u8],
    source: String,
) -> Result<()> {
    let der =
        timestamps::read_checked(case, request_seq, &request.request, &request.request_sha256)?;
    let asked = parse_request(&der)?;
    let granted = parse_reply(reply).with_context(|| format!("reply from {source}"))?;
    let token = parse_token(&granted.token_der).with_context(|| format!("reply from {source}"))?;
    let expected = Expected {
        imprint: asked.imprint,
        nonce: asked.nonce,
    };
    check_answers(&token, &expected).with_context(|| {
        format!(
            "reply from {source} does not answer request {} (custody entry {})",
            request.request, request.covers_seq
        )
    })?;
    let details = TimestampedDetails {
        covers_seq: request.covers_seq,
        covers_hash: request.covers_hash.clone(),
        nonce: request.nonce.clone(),
        request: request.request.clone(),
        request_sha256: request.request_sha256.clone(),
        token_sha256: sha256_hex(&granted.token_der),
        gen_time: token.gen_time_text(),
        serial: token.serial_hex(),
        policy: token.policy(),
        status: granted.status_name.to_owned(),
        source,
        command: command_line(),
        ..Default::default()
    };
    let (details, entry) = record_token(case, reply, details)?;
    println!(
        "cloudcase: token stored as {} (custody entry {}): genTime {} (TSA's clock, {}), serial {}, covers custody entry {} (head {}); not yet verified: run cloudcase verify --case DIR --tsa-cert ROOT.pem",
        details.reply,
        entry.seq,
        terminal_safe(&details.gen_time),
        details.status,
        details.serial,
        details.covers_seq,
        details.covers_hash
    );
    Ok(())
}

/// `path` made absolute for the record (as given when that fails).
fn absolute(path: &Path) -> String {
    std::path::absolute(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}
