//! `cloudcase verify`: is a case's evidence and custody record intact, and do its RFC 3161
//! tokens prove when it existed?

mod tokens;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args as ClapArgs;
use cloudcase_evidence::{Case, VerifyOptions};
use cloudcase_util::sanitize::terminal_safe;

use tokens::TokensReport;

/// Re-hash every evidence object and check the custody chain, the manifest and
/// the case file; name each problem (modified or missing object, stray or
/// leftover file, broken custody entry, unrecorded manifest entry, …). The
/// result is recorded in the custody log.
///
/// With --tsa-cert, also check every stored RFC 3161 token offline (status, imprint
/// against the custody entry it covers, nonce, signature, certificate chain to the given
/// roots at genTime, timeStamping key usage, ESSCertID/ESSCertIDv2) and report each
/// token's genTime as third-party proof that the evidence up to that entry existed then;
/// that result is recorded as a `timestamps_verified` custody entry.
///
/// Exit status: 0 intact, 1 problems found or a token failed, 2 error.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Case folder.
    #[arg(long = "case", value_name = "DIR")]
    pub case: PathBuf,
    /// Print the report as JSON: {ok, objects_checked, problems: [{kind, object,
    /// entry, path, expected, actual, detail}], timestamps: {checked, roots, tokens:
    /// [{entry, covers_seq, covers_hash, reply, gen_time, serial, checked, ok, chain,
    /// signing_certificate, error}], recorded_as}, …}; `ok` is false when a checked token fails too.
    #[arg(long)]
    pub json: bool,
    /// Worker threads for re-hashing (default: one per core).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Root certificates (PEM) the TSA's certificate must chain to; checks every stored
    /// time-stamp token. Without it, tokens are listed but not checked.
    #[arg(long = "tsa-cert", value_name = "PEM", num_args = 1..)]
    pub tsa_cert: Vec<PathBuf>,
}

/// Runs `cloudcase verify`.
pub fn run(args: Args) -> Result<ExitCode> {
    let case = Case::open(&args.case)?;
    let report = case.verify_with(&VerifyOptions {
        threads: args.threads,
        ..VerifyOptions::default()
    })?;
    let mut stamps = tokens::check(&case, &args.tsa_cert)?;
    tokens::record(&case, &mut stamps)?;
    let ok = report.ok && stamps.ok();
    if args.json {
        let mut value = serde_json::to_value(&report)?;
        value["timestamps"] = serde_json::to_value(&stamps)?;
        value["ok"] = serde_json::Value::Bool(ok);
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        for p in &report.problems {
            println!("PROBLEM {}", terminal_safe(&p.to_string()));
        }
        print_tokens(&stamps);
        let verdict = if report.ok {
            "INTACT".to_owned()
        } else {
            format!("NOT INTACT: {} problems", report.problems.len())
        };
        println!(
            "{verdict}: {} objects ({:.1} MB) re-hashed, {} custody entries, {} manifest entries",
            report.objects_checked,
            report.bytes_checked as f64 / 1e6,
            report.custody_entries,
            report.manifest_entries
        );
        if let Some(head) = &report.custody_head {
            println!("custody head (record it outside the case): {head}");
        }
        if let Some(seq) = report.recorded_as {
            println!("result recorded as custody entry {seq}");
        }
        if let Some(seq) = stamps.recorded_as {
            println!("time-stamp results recorded as custody entry {seq}");
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// One line per stored token: its genTime as proof, or why it failed.
fn print_tokens(stamps: &TokensReport) {
    if !stamps.checked {
        if !stamps.tokens.is_empty() {
            println!(
                "TIMESTAMPS NOT CHECKED: {} RFC 3161 tokens stored; give --tsa-cert ROOT.pem to verify them",
                stamps.tokens.len()
            );
        }
        return;
    }
    for t in &stamps.tokens {
        if t.ok {
            println!(
                "TIMESTAMP OK: custody entries 1-{} (head {}) existed at {} (genTime of TSA {}, serial {}, token {})",
                t.covers_seq,
                t.covers_hash,
                terminal_safe(&t.gen_time),
                terminal_safe(t.chain.first().map_or("?", String::as_str)),
                t.serial,
                t.reply
            );
        } else {
            println!(
                "TIMESTAMP FAILED: token {} (custody entry {}, covering entry {}): {}",
                t.reply,
                t.entry,
                t.covers_seq,
                terminal_safe(t.error.as_deref().unwrap_or("?"))
            );
        }
    }
    if stamps.tokens.is_empty() {
        println!(
            "TIMESTAMPS: none stored (make one with cloudcase timestamp --case DIR --tsa URL)"
        );
    }
}
