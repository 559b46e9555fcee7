//! The RFC 3161 tokens stored in a case, each checked offline against the custody log and
//! the roots given with `--tsa-cert`.

use std::path::PathBuf;

use anyhow::{Context, Result};
use cloudcase_evidence::timestamps::{self, Stamped, TimestampedDetails};
use cloudcase_evidence::{Action, Case, CustodyEntry};
use cloudcase_tsa::Certificate;
use cloudcase_tsa::{
    imprint_of_head, load_roots, parse_reply, parse_request, parse_token, verify_token, Expected,
};
use cloudcase_util::hex::sha256_hex;
use serde::Serialize;

use crate::cmd::record::command_line;

/// One stored token and what checking it found.
#[derive(Debug, Clone, Serialize)]
pub struct TokenResult {
    /// The `timestamped` custody entry that stored it.
    pub entry: u64,
    /// The custody entry it covers.
    pub covers_seq: u64,
    /// That entry's hash (the chain head time-stamped).
    pub covers_hash: String,
    /// The reply file, relative to the case root.
    pub reply: String,
    /// genTime: the TSA's time (as recorded when the token was stored if not checked).
    pub gen_time: String,
    /// The token's serial number.
    pub serial: String,
    /// Whether the token was checked (roots were given).
    pub checked: bool,
    /// Whether it verified.
    pub ok: bool,
    /// Subjects from the TSA certificate to the root, when verified.
    pub chain: Vec<String>,
    /// The signing-certificate attribute that named the TSA certificate (`ESSCertIDv2` or
    /// `ESSCertID`), when verified.
    pub signing_certificate: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
}

/// Every stored token, with the result of checking it.
#[derive(Debug, Clone, Serialize)]
pub struct TokensReport {
    /// Whether roots were given and the tokens checked.
    pub checked: bool,
    /// The root certificate files given.
    pub roots: Vec<RootFile>,
    /// Each token, in custody order.
    pub tokens: Vec<TokenResult>,
    /// The `timestamps_verified` custody entry recording this result, when tokens were
    /// checked.
    pub recorded_as: Option<u64>,
}

/// A root certificate file given with `--tsa-cert`.
#[derive(Debug, Clone, Serialize)]
pub struct RootFile {
    /// Its path, as given.
    pub path: String,
    /// SHA-256 of its content.
    pub sha256: String,
}

/// At most this many token results are listed in the custody entry (all are counted).
const TOKENS_RECORDED: usize = 100;

/// The custody action recording a check of the case's tokens.
const RECORDED_ACTION: &str = "timestamps_verified";

impl TokensReport {
    /// Whether no checked token failed.
    pub fn ok(&self) -> bool {
        self.tokens.iter().all(|t| t.ok || !t.checked)
    }
}

/// Checks every token stored in `case` against the root certificates in `roots` (PEM
/// files); with no roots, lists them unchecked.
pub fn check(case: &Case, roots: &[PathBuf]) -> Result<TokensReport> {
    let mut anchors: Vec<Certificate> = Vec::new();
    let mut files = Vec::new();
    for path in roots {
        let pem =
            std::fs::read(path).with_context(|| format!("{}: read --tsa-cert", path.display()))?;
        anchors.extend(load_roots(&pem).with_context(|| format!("{}", path.display()))?);
        files.push(RootFile {
            path: path.display().to_string(),
            sha256: sha256_hex(&pem),
        });
    }
    let entries = case.custody().entries()?;
    let tokens = timestamps::tokens(&entries)
        .into_iter()
        .map(|stored| {
            let d = &stored.details;
            let mut result = TokenResult {
                entry: stored.seq,
                covers_seq: d.covers_seq,
                covers_hash: d.covers_hash.clone(),
                reply: d.reply.clone(),
                gen_time: d.gen_time.clone(),
                serial: d.serial.clone(),
                checked: !anchors.is_empty(),
                ok: false,
                chain: Vec::new(),
                signing_certificate: None,
                error: None,
            };
            if result.checked {
                match check_one(case, &entries, &stored, &anchors) {
                    Ok(v) => {
                        result.ok = true;
                        result.gen_time = v.gen_time;
                        result.serial = v.serial;
                        result.chain = v.chain;
                        result.signing_certificate = Some(v.cert_id.to_owned());
                    }
                    Err(e) => result.error = Some(format!("{e:#}")),
                }
            }
            result
        })
        .collect();
    Ok(TokensReport {
        checked: !anchors.is_empty(),
        roots: files,
        tokens,
        recorded_as: None,
    })
}

/// Records a check of the case's tokens as a `timestamps_verified` custody entry: the
/// outcome, the roots (with their SHA-256), each token's result, the command line. Nothing
/// is recorded when no token was checked.
pub fn record(case: &Case, report: &mut TokensReport) -> Result<()> {
    if !report.checked || report.tokens.is_empty() {
        return Ok(());
    }
    let details = serde_json::json!({
        "ok": report.ok(),
        "tokens_checked": report.tokens.len(),
        "failed": report.tokens.iter().filter(|t| !t.ok).count(),
        "roots": report.roots,
        "tokens": report.tokens.iter().take(TOKENS_RECORDED).collect::<Vec<_>>(),
        "command": command_line(),
    });
    let entry = case
        .custody()
        .append(Action::Other(RECORDED_ACTION.to_owned()), details)?;
    report.recorded_as = Some(entry.seq);
    Ok(())
}

/// Checks one token: its files against their recorded SHA-256, the entry it claims to
/// cover against the custody log, then the token itself (cloudcase-tsa).
fn check_one(
    case: &Case,
    entries: &[CustodyEntry],
    stored: &Stamped<TimestampedDetails>,
    roots: &[Certificate],
) -> Result<cloudcase_tsa::Verified> {
    let d = &stored.details;
    let reply = timestamps::read_checked(case, stored.seq, &d.reply, &d.reply_sha256)?;
    let request = timestamps::read_checked(case, stored.seq, &d.request, &d.request_sha256)?;
    let covered = entries
        .iter()
        .find(|e| e.seq == d.covers_seq)
        .with_context(|| {
            format!(
                "custody entry {}: expected in the log (the token covers it), found none",
                d.covers_seq
            )
        })?;
    if covered.hash != d.covers_hash {
        anyhow::bail!(
            "custody entry {}: expected hash {} (the head the token covers), found {}",
            d.covers_seq,
            d.covers_hash,
            covered.hash
        );
    }
    let asked = parse_request(&request)?;
    let granted = parse_reply(&reply)?;
    let token_sha256 = sha256_hex(&granted.token_der);
    if token_sha256 != d.token_sha256 {
        anyhow::bail!(
            "token: expected SHA-256 {} (as recorded), found {token_sha256}",
            d.token_sha256
        );
    }
    let token = parse_token(&granted.token_der)?;
    let expected = Expected {
        imprint: imprint_of_head(&covered.hash)?,
        nonce: asked.nonce,
    };
    Ok(verify_token(&token, &expected, roots)?)
}
