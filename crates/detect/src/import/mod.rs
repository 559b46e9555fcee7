//! Findings computed elsewhere — the SQL of `rules sql` run on Spark, DuckDB or Athena, or
//! another hunt's JSON Lines — imported as a local hunt would have found them.
//!
//! Each line claims that a rule fired on a record of a file. A claim is kept only when the
//! rule is loaded, the file is an evidence object of the case, the record exists in it, its
//! `eventID` is the one claimed, and the rule matches it; the finding is then rebuilt from
//! the rule and the raw record (title, level, ATT&CK tags, time, principal, key, address,
//! region, account, event name…), never from the line, and marked [`Origin::Imported`]. The
//! findings go to a sink in hunt's order and through its routine step, so what is recorded
//! reads as a hunt's result.

mod claim;
mod csv;
mod objects;
mod reason;
mod verify;

use cloudcase_read::Limits;
use cloudcase_sigma::{Engine, Level, Status};

pub use claim::ClaimFormat;
pub use reason::{ImportAccounting, LineRejection, Reason};

use crate::finding::{FindingView, Origin};
use crate::hunt::rule_infos;
use crate::routine::Routine;
use crate::sink::{FindingSink, SinkError};
use crate::summary::HuntSummary;

/// What an import checks claims against, and which findings it keeps.
pub struct ImportOptions<'a> {
    /// The rules loaded (built-in pack and `--rules`), as hunt compiles them.
    pub engine: &'a Engine,
    /// The case's evidence objects, as hunt lists them (their order sets the output order).
    pub files: &'a dyn cloudcase_read::Files,
    /// Limits for re-reading the objects.
    pub limits: Limits,
    /// Keep findings at or above this level, as hunt does.
    pub min_level: Level,
    /// Keep findings of rules with these statuses (empty: all), as hunt does.
    pub statuses: &'a [Status],
    /// Threads re-reading objects.
    pub threads: usize,
}

/// What an import did.
#[derive(Debug, Clone)]
pub struct ImportOutcome {
    /// The form of the file read.
    pub format: ClaimFormat,
    /// Lines read, imported, left out and rejected.
    pub accounting: ImportAccounting,
    /// The summary a hunt of the same findings would give.
    pub summary: HuntSummary,
}

/// Errors that stop an import.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file is not UTF-8 text.
    #[error("the file is not UTF-8 text")]
    NotText,
    /// The file is neither JSON Lines nor CSV with the needed header.
    #[error("{0}")]
    Format(String),
    /// The sink failed.
    #[error(transparent)]
    Output(#[from] SinkError),
}

/// Reads the claims in `source`, checks each against the case, reports each rejected line
/// to `on_reject` (in line order), and hands the findings that hold to `sink` in hunt's
/// order, then the summary.
pub fn import_findings(
    source: &[u8],
    opts: &ImportOptions<'_>,
    on_reject: &mut dyn FnMut(&LineRejection),
    sink: &mut dyn FindingSink,
) -> Result<ImportOutcome, ImportError> {
    let text = std::str::from_utf8(source).map_err(|_| ImportError::NotText)?;
    let (format, claims) = claim::read_claims(text).map_err(ImportError::Format)?;
    let mut accounting = ImportAccounting {
        read: (claims.claims.len() + claims.unreadable.len()) as u64,
        ..ImportAccounting::default()
    };
    let verified = verify::verify(
        claims.claims,
        opts.engine,
        opts.files,
        opts.limits,
        opts.threads,
    );
    let mut rejected: Vec<LineRejection> = claims
        .unreadable
        .into_iter()
        .map(|u| LineRejection {
            line: u.line,
            reason: u.reason,
            detail: u.detail,
        })
        .chain(verified.rejected)
        .collect();
    rejected.sort_by_key(|r| r.line);
    for r in &rejected {
        accounting.reject(r.reason);
        on_reject(r);
    }
    let infos = rule_infos(opts.engine);
    let rules = opts.engine.rules();
    let mut views: Vec<FindingView<'_>> = Vec::with_capacity(verified.accepted.len());
    let mut below = 0;
    for a in &verified.accepted {
        let info = &infos[a.rule];
        let status_ok = opts.statuses.is_empty()
            || rules[a.rule]
                .status()
                .is_some_and(|s| opts.statuses.contains(&s));
        if info.level < opts.min_level || !status_ok {
            below += 1;
            continue;
        }
        let mut view = FindingView::of_rule(info, &verified.events[a.event]);
        view.origin = Origin::Imported;
        views.push(view);
    }
    views.sort_by(|a, b| {
        (a.time, a.file.ordinal, a.record, a.rule_id).cmp(&(
            b.time,
            b.file.ordinal,
            b.record,
            b.rule_id,
        ))
    });
    let mut routine = Routine::new(sink, opts.min_level);
    for v in &views {
        routine.finding(v)?;
    }
    let summary = HuntSummary {
        tally: std::mem::take(&mut routine.tally),
        below_threshold: below + routine.below,
        min_level: opts.min_level,
        countries_from: None,
    };
    routine.finish_inner(&summary)?;
    accounting.imported = summary.tally.total;
    accounting.below = summary.below_threshold;
    Ok(ImportOutcome {
        format,
        accounting,
        summary,
    })
}

#[cfg(test)]
mod tests;
