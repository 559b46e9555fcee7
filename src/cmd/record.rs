//! Recording `scope` and `hunt` results in a case (`--case DIR`), so that reports read
//! what the analysis concluded; see `cloudcase_report::case_records`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use cloudcase_evidence::Case;
use cloudcase_report::case_records::{record, AnalysisKind, NewRecord};
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
            command: std::env::args_os()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
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

/// A writer that also keeps a copy of what passes through, when asked to.
pub struct Tee<W: Write> {
    /// Where the output goes.
    pub inner: W,
    /// The copy, when recording.
    pub copy: Option<Vec<u8>>,
}

impl<W: Write> Write for Tee<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        if let Some(copy) = &mut self.copy {
            copy.extend_from_slice(&buf[..n]);
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tee_copies_only_when_asked() {
        let mut t = Tee {
            inner: Vec::new(),
            copy: Some(Vec::new()),
        };
        t.write_all(b"abc").unwrap();
        assert_eq!(
            (t.inner.as_slice(), t.copy.as_deref()),
            (&b"abc"[..], Some(&b"abc"[..]))
        );
        let mut t = Tee {
            inner: Vec::new(),
            copy: None,
        };
        t.write_all(b"x").unwrap();
        assert!(t.copy.is_none());
    }
}
