//! `cloudcase report`: reports produced from a case.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Args as ClapArgs, ValueEnum};
use cloudcase_evidence::{Action, Case};
use cloudcase_report::evidence_record::{evidence_record, EvidenceRecordOptions};
use cloudcase_report::{Format, Lang};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Report kinds.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Every evidence object with its hash, size, source, acquisition time and
    /// examiner; the custody chain; the last verification and log validation.
    Evidence,
}

/// Write a report of a case into its `reports/` folder (or `--out`), and
/// record it — with the hashes of what it read and wrote — in the custody log.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Report kind (also accepted as --kind).
    #[arg(value_enum, value_name = "KIND")]
    pub kind: Option<Kind>,
    /// Report kind.
    #[arg(long = "kind", value_enum, value_name = "KIND")]
    pub kind_flag: Option<Kind>,
    /// Case folder.
    #[arg(long = "case", value_name = "DIR")]
    pub case: PathBuf,
    /// Language: en or ja.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    pub lang: Lang,
    /// Format: md or html.
    #[arg(long, default_value = "html", value_parser = parse_format)]
    pub format: Format,
    /// Output file (default: CASE/reports/<kind>-record.<lang>.<ext>).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
}

fn parse_format(s: &str) -> Result<Format, String> {
    s.parse()
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Writes `bytes` to `path` through a temporary file in the same folder and a
/// rename, so a reader never sees a half-written report.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in {}", dir.display()))?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Runs `cloudcase report`.
pub fn run(args: Args) -> Result<ExitCode> {
    let kind = match (args.kind, args.kind_flag) {
        (Some(a), Some(b)) if a != b => {
            bail!("the report kind is given twice, differently ({a:?} and {b:?})")
        }
        (Some(k), _) | (None, Some(k)) => k,
        (None, None) => bail!(
            "name the report kind: `cloudcase report evidence --case DIR` (or --kind evidence)"
        ),
    };
    let case = Case::open(&args.case)?;
    let generated = jiff::Timestamp::now()
        .round(jiff::Unit::Second)?
        .to_string();
    let tool = format!("cloudcase {}", env!("CARGO_PKG_VERSION"));
    let doc = match kind {
        Kind::Evidence => evidence_record(
            &case,
            &EvidenceRecordOptions {
                lang: args.lang,
                generated,
                tool,
            },
        )?,
    };
    let text = args.format.render(&doc);
    let out = args.out.unwrap_or_else(|| {
        case.root().join("reports").join(format!(
            "evidence-record.{}.{}",
            args.lang.tag(),
            args.format.extension()
        ))
    });
    write_atomically(&out, text.as_bytes())?;
    let custody_head = case.custody().entries()?.last().map(|e| e.hash.clone());
    let entry = case.custody().append(
        Action::ReportProduced,
        json!({
            "kind": "evidence",
            "lang": args.lang.tag(),
            "format": args.format.extension(),
            "output": out.to_string_lossy(),
            "output_sha256": sha256_hex(text.as_bytes()),
            "read_custody_head": custody_head,
        }),
    )?;
    println!("{}", out.display());
    eprintln!(
        "cloudcase: report written; recorded as custody entry {}",
        entry.seq
    );
    Ok(ExitCode::SUCCESS)
}
