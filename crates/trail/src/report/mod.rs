//! The outcome of a validation: per-file results, unproven periods, findings, and
//! the counts and verdict drawn from them. Rendered as text in the style of
//! `aws cloudtrail validate-logs --verbose` (`text`) and as JSON with stable keys (`json`).

use cloudcase_model::LogTotals;
use std::path::{Path, PathBuf};

use jiff::Timestamp;

mod json;
mod text;

pub use text::{fmt_time, TextOptions};

/// What kind of finding a [`Problem`] is. `as_str` gives the stable JSON name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ProblemKind {
    /// No digest file was found in the inputs (or in the requested period): nothing is proven.
    NoDigests,
    /// A digest file could not be decompressed or parsed ("INVALID: invalid format").
    DigestUnparsable,
    /// A digest file decompressed past the size limit (gzip bomb, or not a digest).
    DigestTooLarge,
    /// A digest is not where its own `digestS3Object` says it was delivered.
    DigestMoved,
    /// A digest referenced by the chain is absent.
    DigestMissing,
    /// Two different files claim to be the same digest.
    DigestConflict,
    /// No signature of the digest verified with its public key.
    DigestSignatureFailed,
    /// No signature was available for the digest (the newest of a chain, without `--signatures`).
    DigestSignatureUnchecked,
    /// `previousDigestHashValue` in a digest differs from the hash of the previous digest.
    ChainHashMismatch,
    /// `previousDigestSignature` in a digest does not verify the previous digest.
    ChainSignatureMismatch,
    /// A signature supplied with `--signatures` does not verify its digest.
    SuppliedSignatureInvalid,
    /// A supplied signature is not hex, or a signature source could not be read.
    SignatureUnreadable,
    /// No public key with the digest's `digestPublicKeyFingerprint` was supplied.
    UnknownPublicKey,
    /// A public key was listed but could not be loaded as an RSA key.
    PublicKeyUnloadable,
    /// A key file states a fingerprint that is not the key's MD5.
    PublicKeyFingerprintMismatch,
    /// A digest or signature names an algorithm other than SHA256withRSA / SHA-256.
    UnsupportedAlgorithm,
    /// A log file's SHA-256 differs from the digest's `hashValue`.
    LogModified,
    /// A log file listed in a digest is absent.
    LogDeleted,
    /// A log file listed in a digest could not be read or decompressed.
    LogUnreadable,
    /// A log file on disk is listed in no digest, so nothing proves it came from CloudTrail.
    LogUncovered,
    /// A file or directory in the inputs could not be read.
    FileUnreadable,
    /// Two digests name the same previous digest.
    ChainFork,
}

impl ProblemKind {
    /// The stable snake_case name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::NoDigests => "no_digests",
            ProblemKind::DigestUnparsable => "digest_unparsable",
            ProblemKind::DigestTooLarge => "digest_too_large",
            ProblemKind::DigestMoved => "digest_moved",
            ProblemKind::DigestMissing => "digest_missing",
            ProblemKind::DigestConflict => "digest_conflict",
            ProblemKind::DigestSignatureFailed => "digest_signature_failed",
            ProblemKind::DigestSignatureUnchecked => "digest_signature_unchecked",
            ProblemKind::ChainHashMismatch => "chain_hash_mismatch",
            ProblemKind::ChainSignatureMismatch => "chain_signature_mismatch",
            ProblemKind::SuppliedSignatureInvalid => "supplied_signature_invalid",
            ProblemKind::SignatureUnreadable => "signature_unreadable",
            ProblemKind::UnknownPublicKey => "unknown_public_key",
            ProblemKind::PublicKeyUnloadable => "public_key_unloadable",
            ProblemKind::PublicKeyFingerprintMismatch => "public_key_fingerprint_mismatch",
            ProblemKind::UnsupportedAlgorithm => "unsupported_algorithm",
            ProblemKind::LogModified => "log_modified",
            ProblemKind::LogDeleted => "log_deleted",
            ProblemKind::LogUnreadable => "log_unreadable",
            ProblemKind::LogUncovered => "log_uncovered",
            ProblemKind::FileUnreadable => "file_unreadable",
            ProblemKind::ChainFork => "chain_fork",
        }
    }
}

/// One finding: what kind, which file (S3 URI or local path), and the specifics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// What kind of finding.
    pub kind: ProblemKind,
    /// The S3 URI or local path it is about.
    pub file: String,
    /// Expected/found details.
    pub detail: String,
}

impl Problem {
    /// A finding of `kind` about `file`.
    pub fn new(kind: ProblemKind, file: impl Into<String>, detail: impl Into<String>) -> Self {
        Problem {
            kind,
            file: file.into(),
            detail: detail.into(),
        }
    }
}

/// One digest chain: what CloudTrail delivers for one trail in one region of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    /// Account the digests were delivered for.
    pub account: String,
    /// Organization id for organization trails (from the `AWSLogs/o-…/` path).
    pub org: Option<String>,
    /// Region the digests were delivered from.
    pub region: String,
    /// Trail name.
    pub trail: String,
    /// Region the trail was created in.
    pub home_region: String,
}

impl Chain {
    fn label(&self) -> String {
        let org = self
            .org
            .as_deref()
            .map(|o| format!(" (org {o})"))
            .unwrap_or_default();
        format!(
            "trail {} (home {}), region {}, account {}{org}",
            self.trail, self.home_region, self.region, self.account
        )
    }
}

/// Why a digest is not valid; `message` is the text `validate-logs` prints after `INVALID: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestFailure {
    /// The chain references it but it is absent.
    NotFound,
    /// Its location differs from its `digestS3Object`.
    Moved,
    /// It could not be decompressed or parsed.
    InvalidFormat(String),
    /// No key with this fingerprint was supplied.
    PublicKeyNotFound(String),
    /// The key with this fingerprint could not be loaded.
    KeyUnloadable(String),
    /// No available signature verified.
    SignatureFailed,
    /// No signature to check, and the next digest records a different hash for it.
    HashMismatch,
    /// Another file with different content claims the same key.
    Conflict,
    /// An algorithm other than SHA256withRSA / SHA-256.
    UnsupportedAlgorithm(String),
}

impl DigestFailure {
    /// The `validate-logs`-style message.
    pub fn message(&self) -> String {
        match self {
            DigestFailure::NotFound => "not found".into(),
            DigestFailure::Moved => "has been moved from its original location".into(),
            DigestFailure::InvalidFormat(why) => format!("invalid format ({why})"),
            DigestFailure::PublicKeyNotFound(fp) => {
                format!("public key not found for fingerprint {fp}")
            }
            DigestFailure::KeyUnloadable(fp) => {
                format!("Unable to load PKCS #1 key with fingerprint {fp}")
            }
            DigestFailure::SignatureFailed => "signature verification failed".into(),
            DigestFailure::HashMismatch => {
                "hash value doesn't match the previousDigestHashValue recorded in the next digest"
                    .into()
            }
            DigestFailure::Conflict => {
                "another file with different content claims the same S3 key".into()
            }
            DigestFailure::UnsupportedAlgorithm(a) => format!("unsupported algorithm {a}"),
        }
    }
}

/// The verdict on one digest file. Only `Valid` proves a digest, and so the hashes of
/// the log files it lists, authentic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestStatus {
    /// Authentic: a signature verified, it is where it claims, its chain link holds.
    Valid,
    /// Present and in place, but no signature was available to check (see [`SignatureCheck`]).
    Unchecked,
    /// Not valid, and why.
    Invalid(DigestFailure),
}

/// Where the signature that verified a digest came from: the newest digest of a chain
/// can only be proven by a supplied signature, the others also by their successor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureSource {
    /// From `--signatures` (the S3 metadata, saved separately) or a sidecar file.
    Supplied,
    /// From `previousDigestSignature` in the next digest of the chain.
    NextDigest,
}

/// What happened when checking a digest's signature. Kept apart from the verdict so
/// that reports can tell a digest with no signature to check from one whose
/// signatures are wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureCheck {
    /// A signature verified.
    Verified(SignatureSource),
    /// Signatures were available; none verified.
    Failed,
    /// No signature was available (newest digest of a chain, without `--signatures`).
    NotAvailable,
    /// Not attempted (missing, unparsable, or no usable key).
    NotAttempted,
}

/// One digest file's result: one line of the report, and the digest its log files'
/// outcomes point to.
#[derive(Debug, Clone)]
pub struct DigestOutcome {
    /// Index into [`Report::chains`].
    pub chain: usize,
    /// `s3://bucket/key` as the digest (or its successor) names it.
    pub uri: String,
    /// Where it is on disk (for an input [`crate::KnownFile`], its original path or URI);
    /// `None` when missing.
    pub local: Option<PathBuf>,
    /// Where its bytes were read from, when that is not `local` (a stored evidence object).
    pub stored: Option<PathBuf>,
    /// `digestStartTime`.
    pub start: Option<Timestamp>,
    /// `digestEndTime` (for a missing digest: the time in its name).
    pub end: Option<Timestamp>,
    /// The verdict.
    pub status: DigestStatus,
    /// How the signature check went.
    pub signature: SignatureCheck,
    /// How many log files it lists.
    pub log_files: usize,
}

/// The verdict on one log file listed in a digest. A matching hash proves the file
/// only when the digest is valid too (see [`LogOutcome::digest_valid`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogStatus {
    /// SHA-256 of the uncompressed content matches the digest.
    Valid,
    /// SHA-256 differs: modified after delivery.
    Modified {
        /// `hashValue` from the digest.
        expected: String,
        /// SHA-256 of the file on disk.
        found: String,
    },
    /// Listed, but not in the inputs.
    NotFound,
    /// Present but unreadable (corrupt gzip, too large, I/O error).
    Unreadable(String),
}

/// One listed log file's result: one line of the report.
#[derive(Debug, Clone)]
pub struct LogOutcome {
    /// Index into [`Report::chains`].
    pub chain: usize,
    /// Index into [`Report::digests`] of the digest that lists it.
    pub digest: usize,
    /// `s3://bucket/key` from the digest.
    pub uri: String,
    /// The file on disk it was matched to (for an input [`crate::KnownFile`], its
    /// original path or URI).
    pub local: Option<PathBuf>,
    /// Where its bytes were read from, when that is not `local` (a stored evidence object).
    pub stored: Option<PathBuf>,
    /// The verdict.
    pub status: LogStatus,
    /// True when the listing digest is itself valid; a matching hash from an
    /// unverified digest proves nothing and is counted as `unverified`.
    pub digest_valid: bool,
}

/// Why a period is not proven by a valid digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GapReason {
    /// The chain references digests that are absent (deleted, or not collected).
    DigestsMissing,
    /// The digest for the period is present but not valid.
    DigestInvalid,
    /// CloudTrail restarted the chain: logging or log-file validation was off
    /// (a StopLogging, a trail update, or a deleted and re-created trail). CloudTrail's
    /// own signed statement, so it does not by itself fail validation.
    LoggingOff,
    /// The requested period starts before the first digest found.
    BeforeFirstDigest,
    /// The requested period ends after the last digest found (later digests absent).
    AfterLastDigest,
}

impl GapReason {
    /// Stable JSON name.
    pub fn as_str(self) -> &'static str {
        match self {
            GapReason::DigestsMissing => "digests_missing",
            GapReason::DigestInvalid => "digest_invalid",
            GapReason::LoggingOff => "logging_off",
            GapReason::BeforeFirstDigest => "before_first_digest",
            GapReason::AfterLastDigest => "after_last_digest",
        }
    }

    /// True when this gap makes the validation fail.
    pub fn fails(self) -> bool {
        self != GapReason::LoggingOff
    }
}

/// A period of one chain that no valid digest proves: log files of that period may
/// have been removed without trace.
#[derive(Debug, Clone)]
pub struct Gap {
    /// Index into [`Report::chains`].
    pub chain: usize,
    /// Start (end of the last proven digest before it), when known.
    pub from: Option<Timestamp>,
    /// End (start of the next proven digest), when known.
    pub to: Option<Timestamp>,
    /// Why.
    pub reason: GapReason,
    /// Estimated number of hourly digests missing in it (0 when none are).
    pub missing_digests: u64,
    /// Human explanation.
    pub detail: String,
}

/// Counts over digests, for the summaries of the text and JSON reports (and what
/// callers record, such as a case's custody log).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DigestCounts {
    /// valid + invalid + unchecked + missing.
    pub total: u64,
    /// Authentic.
    pub valid: u64,
    /// Present but not valid.
    pub invalid: u64,
    /// Estimated absent digests (named ones plus those inferred from time gaps).
    pub missing: u64,
    /// Present, no signature available.
    pub unchecked: u64,
}

/// Everything a validation found: the model that both renderings
/// ([`Report::to_text`], [`Report::to_json`]) are drawn from, and that callers inspect
/// ([`Report::ok`], [`Report::failure_summary`]).
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// `--from`, if given.
    pub requested_from: Option<Timestamp>,
    /// `--to`, if given.
    pub requested_to: Option<Timestamp>,
    /// Earliest `digestStartTime` among the digests validated.
    pub found_from: Option<Timestamp>,
    /// Latest `digestEndTime` among the digests validated.
    pub found_to: Option<Timestamp>,
    /// How many signatures were supplied (`--signatures` and sidecars).
    pub signatures_supplied: usize,
    /// The chains seen.
    pub chains: Vec<Chain>,
    /// Per digest, newest first within each chain.
    pub digests: Vec<DigestOutcome>,
    /// Per listed log file, grouped after their digest.
    pub logs: Vec<LogOutcome>,
    /// Log files on disk (in the period) listed in no digest, with their chain if known.
    pub uncovered: Vec<PathBuf>,
    /// Unproven periods.
    pub gaps: Vec<Gap>,
    /// All findings.
    pub problems: Vec<Problem>,
    /// Files in the inputs that are neither digests, logs, nor signatures.
    pub ignored: Vec<PathBuf>,
    /// Digests present but outside `--from/--to`.
    pub outside_period: u64,
    /// Optional root; local paths are shown relative to it.
    pub root: Option<PathBuf>,
}

impl Report {
    /// Digest counts, overall (`None`) or for one chain.
    pub fn digest_counts(&self, chain: Option<usize>) -> DigestCounts {
        let mut c = DigestCounts::default();
        for d in self
            .digests
            .iter()
            .filter(|d| chain.is_none_or(|ch| ch == d.chain))
        {
            match &d.status {
                DigestStatus::Valid => c.valid += 1,
                DigestStatus::Unchecked => c.unchecked += 1,
                DigestStatus::Invalid(DigestFailure::NotFound) => {}
                DigestStatus::Invalid(_) => c.invalid += 1,
            }
        }
        c.missing = self
            .gaps
            .iter()
            .filter(|g| chain.is_none_or(|ch| ch == g.chain))
            .map(|g| g.missing_digests)
            .sum();
        c.total = c.valid + c.invalid + c.unchecked + c.missing;
        c
    }

    /// Log counts, overall (`None`) or for one chain (uncovered only overall).
    pub fn log_counts(&self, chain: Option<usize>) -> LogTotals {
        let mut c = LogTotals::default();
        for l in self
            .logs
            .iter()
            .filter(|l| chain.is_none_or(|ch| ch == l.chain))
        {
            c.total += 1;
            match (&l.status, l.digest_valid) {
                (LogStatus::Valid, true) => c.valid += 1,
                (LogStatus::Valid, false) => c.unverified += 1,
                (LogStatus::Modified { .. }, _) => c.modified += 1,
                (LogStatus::NotFound, _) => c.deleted += 1,
                (LogStatus::Unreadable(_), _) => c.unreadable += 1,
            }
        }
        if chain.is_none() {
            c.uncovered = self.uncovered.len() as u64;
        }
        c
    }

    /// True when the signature of every digest present (and parsable) was actually
    /// checked (verified or failed). False when some had no signature available (newest
    /// digest of a chain without `--signatures`) or no public key to check it with.
    pub fn signatures_checked(&self) -> bool {
        self.digests
            .iter()
            .filter(|d| signature_expected(d))
            .all(|d| {
                matches!(
                    d.signature,
                    SignatureCheck::Verified(_) | SignatureCheck::Failed
                )
            })
    }

    /// True only when everything checked is valid: every digest authentic, no digest
    /// missing, every listed log present and unmodified, no uncovered log, no finding,
    /// and no unproven period other than CloudTrail's own "logging was off".
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
            && !self.digests.is_empty()
            && self.digests.iter().all(|d| d.status == DigestStatus::Valid)
            && self
                .logs
                .iter()
                .all(|l| l.status == LogStatus::Valid && l.digest_valid)
            && self.uncovered.is_empty()
            && self.gaps.iter().all(|g| !g.reason.fails())
    }

    /// A local path for display: relative to the root when under it.
    fn local(&self, p: &Path) -> String {
        self.root
            .as_deref()
            .and_then(|r| p.strip_prefix(r).ok())
            .unwrap_or(p)
            .display()
            .to_string()
    }

    /// `local`, and where it is stored when read from elsewhere.
    fn place(&self, local: &Path, stored: Option<&Path>) -> String {
        match stored {
            Some(s) => format!("{}, stored as {}", self.local(local), s.display()),
            None => self.local(local),
        }
    }

    /// One line naming what failed, e.g. `1 log file modified, 2 digest files missing`.
    pub fn failure_summary(&self) -> String {
        let d = self.digest_counts(None);
        let l = self.log_counts(None);
        let failing_gaps = self.gaps.iter().filter(|g| g.reason.fails()).count() as u64;
        let mut parts = nonzero(&[
            Tally::new(d.invalid, "digest file(s) INVALID"),
            Tally::new(d.missing, "digest file(s) missing"),
            Tally::new(d.unchecked, "digest signature(s) NOT checked"),
            Tally::new(l.modified, "log file(s) modified"),
            Tally::new(l.deleted, "log file(s) not found"),
            Tally::new(l.unreadable, "log file(s) unreadable"),
            Tally::new(l.unverified, "log file(s) only in unverified digests"),
            Tally::new(l.uncovered, "log file(s) covered by no digest"),
            Tally::new(failing_gaps, "unproven period(s)"),
        ]);
        if parts.is_empty() {
            if self.digests.is_empty() {
                parts.push("no digest files to validate".into());
            } else {
                parts.push(format!("{} finding(s)", self.problems.len()));
            }
        }
        parts.join(", ")
    }

    /// The listed log files of each digest (indexed like [`Report::digests`]), in
    /// report order: one pass instead of a search per digest.
    fn logs_by_digest(&self) -> Vec<Vec<&LogOutcome>> {
        let mut by_digest: Vec<Vec<&LogOutcome>> = vec![Vec::new(); self.digests.len()];
        for l in &self.logs {
            if let Some(logs) = by_digest.get_mut(l.digest) {
                logs.push(l);
            }
        }
        by_digest
    }
}

/// A count and what is counted, for summary lines (`2 log file(s) modified`).
struct Tally {
    n: u64,
    what: &'static str,
}

impl Tally {
    fn new(n: u64, what: &'static str) -> Tally {
        Tally { n, what }
    }
}

/// `"{n} {what}"` for each tally that is not zero, in order.
fn nonzero(tallies: &[Tally]) -> Vec<String> {
    tallies
        .iter()
        .filter(|t| t.n > 0)
        .map(|t| format!("{} {}", t.n, t.what))
        .collect()
}

/// Digests whose signature can be checked at all: present and parsable.
fn signature_expected(d: &DigestOutcome) -> bool {
    d.local.is_some()
        && !matches!(
            d.status,
            DigestStatus::Invalid(DigestFailure::InvalidFormat(_))
        )
}

/// A verdict in words: `status` is the stable JSON name, `detail` what the text
/// report prints after the URI.
struct StatusText {
    status: &'static str,
    detail: String,
}

impl StatusText {
    fn new(status: &'static str, detail: impl Into<String>) -> StatusText {
        StatusText {
            status,
            detail: detail.into(),
        }
    }
}

/// A digest's verdict in words (`INVALID: …` as `validate-logs` says it).
fn digest_status_text(d: &DigestOutcome) -> StatusText {
    match &d.status {
        DigestStatus::Valid => StatusText::new("valid", "valid"),
        DigestStatus::Unchecked => StatusText::new(
            "unchecked",
            "signature NOT checked (no signature available)",
        ),
        DigestStatus::Invalid(DigestFailure::NotFound) => {
            StatusText::new("missing", "INVALID: not found")
        }
        DigestStatus::Invalid(f) => StatusText::new("invalid", format!("INVALID: {}", f.message())),
    }
}

/// A listed log file's verdict in words; a matching hash in a digest that is not
/// valid is *unverified*.
fn log_status_text(l: &LogOutcome) -> StatusText {
    match (&l.status, l.digest_valid) {
        (LogStatus::Valid, true) => StatusText::new("valid", "valid"),
        (LogStatus::Valid, false) => StatusText::new(
            "unverified",
            "hash matches, but the digest listing it is not valid",
        ),
        (LogStatus::Modified { expected, found }, _) => StatusText::new(
            "modified",
            format!("INVALID: hash value doesn't match (expected {expected}, found {found})"),
        ),
        (LogStatus::NotFound, _) => StatusText::new("deleted", "INVALID: not found"),
        (LogStatus::Unreadable(why), _) => {
            StatusText::new("unreadable", format!("INVALID: invalid format ({why})"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_report_is_not_ok_and_says_why() {
        let r = Report::default();
        assert!(!r.ok());
        assert_eq!(r.failure_summary(), "no digest files to validate");
        let j = r.to_json(false);
        assert_eq!(j["ok"], false);
        assert_eq!(j["digests"]["total"], 0);
    }

    #[test]
    fn logging_off_gaps_do_not_fail_other_gaps_do() {
        assert!(!GapReason::LoggingOff.fails());
        for g in [
            GapReason::DigestsMissing,
            GapReason::DigestInvalid,
            GapReason::BeforeFirstDigest,
            GapReason::AfterLastDigest,
        ] {
            assert!(g.fails(), "{}", g.as_str());
        }
    }

    #[test]
    fn problem_kind_names_are_unique() {
        let all = [
            ProblemKind::NoDigests,
            ProblemKind::DigestUnparsable,
            ProblemKind::DigestTooLarge,
            ProblemKind::DigestMoved,
            ProblemKind::DigestMissing,
            ProblemKind::DigestConflict,
            ProblemKind::DigestSignatureFailed,
            ProblemKind::DigestSignatureUnchecked,
            ProblemKind::ChainHashMismatch,
            ProblemKind::ChainSignatureMismatch,
            ProblemKind::SuppliedSignatureInvalid,
            ProblemKind::SignatureUnreadable,
            ProblemKind::UnknownPublicKey,
            ProblemKind::PublicKeyUnloadable,
            ProblemKind::PublicKeyFingerprintMismatch,
            ProblemKind::UnsupportedAlgorithm,
            ProblemKind::LogModified,
            ProblemKind::LogDeleted,
            ProblemKind::LogUnreadable,
            ProblemKind::LogUncovered,
            ProblemKind::FileUnreadable,
            ProblemKind::ChainFork,
        ];
        let names: std::collections::HashSet<&str> = all.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), all.len());
    }
}
