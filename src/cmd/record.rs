//! Recording `scope` and `hunt` results in a case (`--case DIR`), so that reports read
//! what the analysis concluded; see `cloudcase_evidence::results`.

use std::path::Path;

use anyhow::{Context, Result};
use cloudcase_evidence::results::{record, AnalysisKind, NewRecord};
use cloudcase_evidence::Case;
use serde_json::Value;

/// Writes `content` into the case at `dir` as a result of `kind` and appends its
/// `analysis_recorded` custody entry; says where on standard error.
pub fn record_analysis(
    dir: &Path,
    kind: AnalysisKind,
    label: &str,
    content: &[u8],
    summary: Value,
) -> Result<()> {
    let case = Case::open(dir)?;
    let tool = format!("cloudcase {}", env!("CARGO_PKG_VERSION"));
    let rec = record(
        &case,
        &NewRecord {
            kind,
            label,
            content,
            command: command_line(),
            tool: &tool,
            summary,
        },
    )
    .with_context(|| format!("cannot record the {} result in the case", kind.as_str()))?;
    eprintln!(
        "cloudcase: {} result recorded in the case as {} (SHA-256 {}, custody entry {})",
        kind.as_str(),
        rec.rel,
        rec.sha256,
        rec.seq
    );
    Ok(())
}

/// This process's command line, as custody entries record it.
pub(super) fn command_line() -> Vec<String> {
    std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect()
}
