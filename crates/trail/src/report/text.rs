//! The text report, for people: per-file lines as `aws cloudtrail validate-logs
//! --verbose` prints them (so examiners who know that tool read it at once), then the
//! signatures, unproven periods, uncovered files, other findings, and summaries.

use cloudcase_model::LogTotals;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use jiff::Timestamp;

use super::{
    digest_status_text, log_status_text, nonzero, signature_expected, Chain, DigestCounts,
    DigestOutcome, DigestStatus, LogOutcome, LogStatus, ProblemKind, Report, SignatureCheck,
    SignatureSource, Tally,
};

/// How to render the text report.
#[derive(Debug, Clone)]
pub struct TextOptions {
    /// Zone for displayed times (offset always shown; UTC shows `Z`).
    pub tz: jiff::tz::TimeZone,
    /// List every file, as `validate-logs --verbose` does; otherwise only failures.
    pub verbose: bool,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            tz: jiff::tz::TimeZone::UTC,
            verbose: false,
        }
    }
}

/// RFC 3339 in `tz` to the second, offset always shown (`Z` for UTC), so that times
/// in a report are unambiguous whatever zone the examiner reads them in.
pub fn fmt_time(ts: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    let offset = tz.to_offset(ts);
    if offset.seconds() == 0 {
        return ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    ts.to_zoned(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// Kinds of finding the text report shows in their own sections (file lines,
/// signatures, periods, uncovered files), so not again under "Findings".
const SHOWN_ELSEWHERE: [ProblemKind; 7] = [
    ProblemKind::LogModified,
    ProblemKind::LogDeleted,
    ProblemKind::LogUnreadable,
    ProblemKind::LogUncovered,
    ProblemKind::DigestSignatureUnchecked,
    ProblemKind::DigestMissing,
    ProblemKind::DigestMoved,
];

/// Findings of one kind shown before the rest are summed up (all with `--verbose`).
const FINDINGS_PER_KIND: usize = 3;

impl Report {
    /// The text form: per-file lines as `aws cloudtrail validate-logs` prints them
    /// (all files with `verbose`, otherwise failures only), then signatures, unproven
    /// periods, uncovered files, other findings, per-chain and overall summaries.
    pub fn to_text(&self, opts: &TextOptions) -> String {
        let mut text = Text {
            report: self,
            opts,
            out: String::new(),
        };
        text.header();
        text.files();
        text.signatures();
        text.gaps();
        text.uncovered();
        text.findings();
        text.per_chain();
        text.totals();
        text.out
    }
}

/// The text report being written, section by section.
struct Text<'a> {
    report: &'a Report,
    opts: &'a TextOptions,
    out: String,
}

impl Text<'_> {
    /// A time in the chosen zone, `?` when unknown.
    fn time(&self, ts: Option<Timestamp>) -> String {
        ts.map(|ts| fmt_time(ts, &self.opts.tz))
            .unwrap_or_else(|| "?".into())
    }

    /// What is validated, which inputs were ignored, and how many digests lie outside
    /// the requested period.
    fn header(&mut self) {
        let r = self.report;
        let dcount = r.digests.iter().filter(|d| d.local.is_some()).count();
        let _ = writeln!(
            self.out,
            "Validating CloudTrail log files offline: {} digest file{} and {} listed log file{} in {} chain{}",
            dcount,
            plural(dcount),
            r.logs.len(),
            plural(r.logs.len()),
            r.chains.len(),
            plural(r.chains.len())
        );
        if !r.ignored.is_empty() {
            let _ = writeln!(
                self.out,
                "{} other file{} in the inputs ignored (neither digest, log nor signature){}",
                r.ignored.len(),
                plural(r.ignored.len()),
                if self.opts.verbose {
                    ":"
                } else {
                    "; --verbose lists them"
                }
            );
            if self.opts.verbose {
                for p in &r.ignored {
                    let _ = writeln!(self.out, "  {}", r.local(p));
                }
            }
        }
        if r.outside_period > 0 {
            let _ = writeln!(
                self.out,
                "{} digest file{} outside the requested period not validated",
                r.outside_period,
                plural(r.outside_period as usize)
            );
        }
        let _ = writeln!(self.out);
    }

    /// One line per digest and per listed log file: every one with `verbose`, otherwise
    /// only those that failed (with the digest whose logs failed). Verbose output heads
    /// each chain and notes digests that prove no log was delivered.
    fn files(&mut self) {
        let r = self.report;
        let verbose = self.opts.verbose;
        let by_digest = r.logs_by_digest();
        let mut last_chain = None;
        for (d, logs) in r.digests.iter().zip(&by_digest) {
            let bad = d.status != DigestStatus::Valid;
            let bad_logs = logs.iter().any(|l| l.status != LogStatus::Valid);
            if !(verbose || bad || bad_logs) {
                continue;
            }
            if verbose && last_chain != Some(d.chain) {
                if let Some(c) = r.chains.get(d.chain) {
                    let _ = writeln!(self.out, "== {}", c.label());
                }
                last_chain = Some(d.chain);
            }
            if verbose || bad {
                self.digest_line(d);
            }
            for l in logs
                .iter()
                .filter(|l| verbose || l.status != LogStatus::Valid)
            {
                self.log_line(l);
            }
            if verbose && d.status == DigestStatus::Valid && d.log_files == 0 {
                let _ = writeln!(
                    self.out,
                    "No log files were delivered by CloudTrail between {} and {}",
                    self.time(d.start),
                    self.time(d.end)
                );
            }
        }
    }

    /// `Digest file    URI<TAB>verdict`, with the local file when it is not valid.
    fn digest_line(&mut self, d: &DigestOutcome) {
        let detail = digest_status_text(d).detail;
        let place = match (&d.local, d.status != DigestStatus::Valid) {
            (Some(p), true) => format!("  (local: {})", self.report.place(p, d.stored.as_deref())),
            _ => String::new(),
        };
        let _ = writeln!(self.out, "Digest file    {}\t{detail}{place}", d.uri);
    }

    /// `Log file       URI<TAB>verdict`, with the local file when it is modified or
    /// unreadable.
    fn log_line(&mut self, l: &LogOutcome) {
        let detail = log_status_text(l).detail;
        let place = match (&l.local, &l.status) {
            (Some(p), LogStatus::Modified { .. } | LogStatus::Unreadable(_)) => {
                format!("  (local: {})", self.report.place(p, l.stored.as_deref()))
            }
            _ => String::new(),
        };
        let _ = writeln!(self.out, "Log file       {}\t{detail}{place}", l.uri);
    }

    /// How the signatures were checked, and which digests could not be.
    fn signatures(&mut self) {
        let r = self.report;
        let count = |c: SignatureCheck| r.digests.iter().filter(|d| d.signature == c).count();
        let supplied = count(SignatureCheck::Verified(SignatureSource::Supplied));
        let chained = count(SignatureCheck::Verified(SignatureSource::NextDigest));
        let failed = count(SignatureCheck::Failed);
        let no_key = r
            .digests
            .iter()
            .filter(|d| signature_expected(d) && d.signature == SignatureCheck::NotAttempted)
            .count();
        let _ = writeln!(self.out);
        let mut line = format!(
            "Signatures: {} verified ({supplied} with supplied signatures, {chained} with the previousDigestSignature in the next digest)",
            supplied + chained
        );
        if failed > 0 {
            let _ = write!(line, ", {failed} FAILED");
        }
        if no_key > 0 {
            let _ = write!(line, ", {no_key} NOT checked for lack of a public key");
        }
        let _ = writeln!(self.out, "{line}.");
        let unchecked: Vec<&DigestOutcome> = r
            .digests
            .iter()
            .filter(|d| d.signature == SignatureCheck::NotAvailable)
            .collect();
        if !unchecked.is_empty() {
            self.unchecked_signatures(&unchecked);
        }
    }

    /// The digests whose signature was not available, and what that means for their logs.
    fn unchecked_signatures(&mut self, unchecked: &[&DigestOutcome]) {
        let n = unchecked.len();
        let _ = writeln!(
            self.out,
            "Signatures were NOT checked for {} digest file{}: {} signature{} only in S3 object metadata (x-amz-meta-signature){}.",
            n,
            plural(n),
            if n == 1 { "its" } else { "their" },
            if n == 1 { " is" } else { "s are" },
            if self.report.signatures_supplied == 0 {
                " and no --signatures were given"
            } else {
                " and none was supplied for them"
            }
        );
        for d in unchecked {
            let _ = writeln!(self.out, "  {}", d.uri);
        }
        let _ = writeln!(
            self.out,
            "  Their log files are hash-checked against an unauthenticated digest: they are counted as unverified, not valid."
        );
    }

    /// The periods no valid digest proves, with their chain.
    fn gaps(&mut self) {
        let r = self.report;
        if r.gaps.is_empty() {
            return;
        }
        let _ = writeln!(self.out, "\nPeriods not proven by a valid digest:");
        for g in &r.gaps {
            let chain = r.chains.get(g.chain).map(Chain::label).unwrap_or_default();
            let _ = writeln!(
                self.out,
                "  {} to {}  {}  [{chain}]",
                self.time(g.from),
                self.time(g.to),
                g.detail
            );
        }
    }

    /// The log files no digest lists.
    fn uncovered(&mut self) {
        let r = self.report;
        if r.uncovered.is_empty() {
            return;
        }
        let _ = writeln!(
            self.out,
            "\nLog files covered by no digest ({}): nothing proves CloudTrail delivered them",
            r.uncovered.len()
        );
        for p in &r.uncovered {
            let _ = writeln!(self.out, "  {}", r.local(p));
        }
    }

    /// The findings not shown in another section: the first few of each kind (all with
    /// `verbose`), then how many more of each kind there are.
    fn findings(&mut self) {
        let r = self.report;
        let verbose = self.opts.verbose;
        let mut others = r
            .problems
            .iter()
            .filter(|p| !SHOWN_ELSEWHERE.contains(&p.kind))
            .peekable();
        if others.peek().is_none() {
            return;
        }
        let _ = writeln!(self.out, "\nFindings:");
        let mut shown: BTreeMap<ProblemKind, usize> = BTreeMap::new();
        for p in others {
            let n = shown.entry(p.kind).or_default();
            *n += 1;
            if *n <= FINDINGS_PER_KIND || verbose {
                let _ = writeln!(self.out, "  {}: {}: {}", p.kind.as_str(), p.file, p.detail);
            }
        }
        if verbose {
            return;
        }
        for (k, n) in shown.iter().filter(|(_, n)| **n > FINDINGS_PER_KIND) {
            let _ = writeln!(
                self.out,
                "  … and {} more {} (--verbose lists all)",
                n - FINDINGS_PER_KIND,
                k.as_str()
            );
        }
    }

    /// Valid counts per chain, when there are several chains or with `verbose`.
    fn per_chain(&mut self) {
        let r = self.report;
        if !(r.chains.len() > 1 || self.opts.verbose) {
            return;
        }
        let _ = writeln!(self.out, "\nPer chain:");
        for (i, c) in r.chains.iter().enumerate() {
            let d = r.digest_counts(Some(i));
            let l = r.log_counts(Some(i));
            let _ = writeln!(
                self.out,
                "  {}: {}/{} digest files valid, {}/{} log files valid",
                c.label(),
                d.valid,
                d.total,
                l.valid,
                l.total
            );
        }
    }

    /// The period asked and found, the overall counts, and the result.
    fn totals(&mut self) {
        let r = self.report;
        let tz = &self.opts.tz;
        let _ = writeln!(self.out);
        let _ = writeln!(
            self.out,
            "Results requested for {} to {}",
            r.requested_from
                .map(|x| fmt_time(x, tz))
                .unwrap_or_else(|| "the first digest".into()),
            r.requested_to
                .map(|x| fmt_time(x, tz))
                .unwrap_or_else(|| "the last digest".into())
        );
        let _ = writeln!(
            self.out,
            "Results found for {} to {}:",
            self.time(r.found_from),
            self.time(r.found_to)
        );
        let _ = writeln!(self.out);
        let _ = writeln!(self.out, "{}", digest_totals(r.digest_counts(None)));
        let _ = writeln!(self.out, "{}", log_totals(r.log_counts(None)));
        if r.ok() {
            let _ = writeln!(
                self.out,
                "RESULT: OK: every digest and log file checked is valid"
            );
        } else {
            let _ = writeln!(self.out, "RESULT: FAILED: {}", r.failure_summary());
        }
    }
}

/// `s` unless there is exactly one.
fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// `V/T digest files valid`, then what is invalid, missing, or not checked.
fn digest_totals(d: DigestCounts) -> String {
    let mut line = format!("{}/{} digest files valid", d.valid, d.total);
    let invalid = d.invalid + d.missing;
    if invalid > 0 {
        let _ = write!(line, ", {}/{} digest files INVALID", invalid, d.total);
    }
    if d.missing > 0 {
        let _ = write!(line, " ({} missing)", d.missing);
    }
    if d.unchecked > 0 {
        let _ = write!(
            line,
            ", {}/{} digest files signature NOT checked",
            d.unchecked, d.total
        );
    }
    line
}

/// `V/T log files valid`, then what is invalid (and how), unverified, or uncovered.
fn log_totals(l: LogTotals) -> String {
    let mut line = format!("{}/{} log files valid", l.valid, l.total);
    let bad = l.modified + l.deleted + l.unreadable;
    if bad > 0 {
        let parts = nonzero(&[
            Tally::new(l.modified, "modified"),
            Tally::new(l.deleted, "not found"),
            Tally::new(l.unreadable, "unreadable"),
        ]);
        let _ = write!(
            line,
            ", {}/{} log files INVALID ({})",
            bad,
            l.total,
            parts.join(", ")
        );
    }
    if l.unverified > 0 {
        let _ = write!(
            line,
            ", {}/{} log files match an unverified digest",
            l.unverified, l.total
        );
    }
    if l.uncovered > 0 {
        let _ = write!(
            line,
            "; {} log file{} covered by no digest",
            l.uncovered,
            plural(l.uncovered as usize)
        );
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_show_their_offset() {
        let ts: Timestamp = "2024-03-01T00:17:28Z".parse().expect("ts");
        assert_eq!(
            fmt_time(ts, &jiff::tz::TimeZone::UTC),
            "2024-03-01T00:17:28Z"
        );
        let ny = jiff::tz::TimeZone::get("America/New_York").expect("tz");
        assert_eq!(fmt_time(ts, &ny), "2024-02-29T19:17:28-05:00");
    }
}
