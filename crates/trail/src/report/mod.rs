//! The outcome of a validation: per-file results, unproven periods, findings, and
//! their renderings (text in the style of `aws cloudtrail validate-logs --verbose`,
//! and JSON with stable keys).

use std::fmt::Write as _;
use std::path::PathBuf;

use jiff::Timestamp;
use serde_json::{json, Value};

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

/// The verdict on one digest file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DigestStatus {
    /// Authentic: a signature verified, it is where it claims, its chain link holds.
    Valid,
    /// Present and in place, but no signature was available to check (see [`SignatureCheck`]).
    Unchecked,
    /// Not valid, and why.
    Invalid(DigestFailure),
}

/// Where the signature that verified a digest came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignatureSource {
    /// From `--signatures` (the S3 metadata, saved separately) or a sidecar file.
    Supplied,
    /// From `previousDigestSignature` in the next digest of the chain.
    NextDigest,
}

/// What happened when checking a digest's signature.
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

/// One digest file's result.
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

/// The verdict on one log file listed in a digest.
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

/// One listed log file's result.
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

/// A period of one chain that no valid digest proves.
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

/// Counts over digests.
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

/// Counts over log files.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LogCounts {
    /// Listings checked: valid + unverified + modified + deleted + unreadable.
    pub total: u64,
    /// Hash matches a valid digest.
    pub valid: u64,
    /// Hash matches, but the digest listing it is not valid.
    pub unverified: u64,
    /// Hash differs.
    pub modified: u64,
    /// Listed but absent.
    pub deleted: u64,
    /// Present but unreadable.
    pub unreadable: u64,
    /// On disk, listed in no digest.
    pub uncovered: u64,
}

/// Everything a validation found.
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
    pub fn log_counts(&self, chain: Option<usize>) -> LogCounts {
        let mut c = LogCounts::default();
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

    fn local(&self, p: &std::path::Path) -> String {
        self.root
            .as_deref()
            .and_then(|r| p.strip_prefix(r).ok())
            .unwrap_or(p)
            .display()
            .to_string()
    }

    /// `local`, and where it is stored when read from elsewhere.
    fn place(&self, local: &std::path::Path, stored: Option<&std::path::Path>) -> String {
        match stored {
            Some(s) => format!("{}, stored as {}", self.local(local), s.display()),
            None => self.local(local),
        }
    }

    /// The JSON form. Keys are stable: `ok`, `signatures_checked`, `requested`, `found`,
    /// `digests`, `logs`, `gaps`, `problems`, `chains`, and with `verbose` also `files`
    /// (`type`, `uri`, `local`, `stored` — the stored copy of a [`crate::KnownFile`], else
    /// null —, `status`, `detail`). Times are RFC 3339 UTC.
    pub fn to_json(&self, verbose: bool) -> Value {
        let ts = |t: Option<Timestamp>| {
            t.map(|t| Value::String(t.to_string()))
                .unwrap_or(Value::Null)
        };
        let dc = |c: DigestCounts| json!({"total": c.total, "valid": c.valid, "invalid": c.invalid, "missing": c.missing, "unchecked": c.unchecked});
        let lc = |c: LogCounts| {
            json!({"total": c.total, "valid": c.valid, "unverified": c.unverified, "modified": c.modified,
                   "deleted": c.deleted, "unreadable": c.unreadable, "uncovered": c.uncovered})
        };
        let mut digests = dc(self.digest_counts(None));
        digests["outside_period"] = json!(self.outside_period);
        digests["signatures_supplied"] = json!(self.signatures_supplied);
        let chains: Vec<Value> = self
            .chains
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let (first, last) = self.chain_span(i);
                let mut logs = lc(self.log_counts(Some(i)));
                if let Some(o) = logs.as_object_mut() {
                    o.remove("uncovered");
                }
                json!({"account": c.account, "org": c.org, "region": c.region, "trail": c.trail,
                       "home_region": c.home_region, "first": ts(first), "last": ts(last),
                       "digests": dc(self.digest_counts(Some(i))), "logs": logs})
            })
            .collect();
        let gaps: Vec<Value> = self
            .gaps
            .iter()
            .map(|g| {
                let c = self.chains.get(g.chain);
                json!({"from": ts(g.from), "to": ts(g.to), "reason": g.reason.as_str(),
                       "missing_digests": g.missing_digests, "detail": g.detail,
                       "account": c.map(|c| c.account.as_str()), "region": c.map(|c| c.region.as_str()),
                       "trail": c.map(|c| c.trail.as_str())})
            })
            .collect();
        let problems: Vec<Value> = self
            .problems
            .iter()
            .map(|p| json!({"kind": p.kind.as_str(), "file": p.file, "detail": p.detail}))
            .collect();
        let mut out = json!({
            "ok": self.ok(),
            "signatures_checked": self.signatures_checked(),
            "requested": {"from": ts(self.requested_from), "to": ts(self.requested_to)},
            "found": {"from": ts(self.found_from), "to": ts(self.found_to)},
            "digests": digests,
            "logs": lc(self.log_counts(None)),
            "gaps": gaps,
            "problems": problems,
            "chains": chains,
        });
        if verbose {
            let mut files = Vec::new();
            for (i, d) in self.digests.iter().enumerate() {
                let (status, detail) = digest_status_text(d);
                files.push(json!({"type": "digest", "uri": d.uri, "local": d.local.as_deref().map(|p| self.local(p)),
                                  "stored": d.stored.as_deref().map(|p| p.display().to_string()), "status": status, "detail": detail}));
                for l in self.logs.iter().filter(|l| l.digest == i) {
                    let (status, detail) = log_status_text(l);
                    files.push(json!({"type": "log", "uri": l.uri, "local": l.local.as_deref().map(|p| self.local(p)),
                                      "stored": l.stored.as_deref().map(|p| p.display().to_string()), "status": status, "detail": detail}));
                }
            }
            out["files"] = Value::Array(files);
        }
        out
    }

    fn chain_span(&self, chain: usize) -> (Option<Timestamp>, Option<Timestamp>) {
        let present = self
            .digests
            .iter()
            .filter(|d| d.chain == chain && d.local.is_some());
        let first = present.clone().filter_map(|d| d.start).min();
        let last = present.filter_map(|d| d.end).max();
        (first, last)
    }

    /// The text form: per-file lines as `aws cloudtrail validate-logs` prints them
    /// (all files with `verbose`, otherwise failures only), then signatures, unproven
    /// periods, uncovered files, other findings, per-chain and overall summaries.
    pub fn to_text(&self, opts: &TextOptions) -> String {
        let t = |ts: Option<Timestamp>| {
            ts.map(|ts| fmt_time(ts, &opts.tz))
                .unwrap_or_else(|| "?".into())
        };
        let mut o = String::new();
        let dcount = self.digests.iter().filter(|d| d.local.is_some()).count();
        let _ = writeln!(
            o,
            "Validating CloudTrail log files offline: {} digest file{} and {} listed log file{} in {} chain{}",
            dcount,
            plural(dcount),
            self.logs.len(),
            plural(self.logs.len()),
            self.chains.len(),
            plural(self.chains.len())
        );
        if !self.ignored.is_empty() {
            let _ = writeln!(
                o,
                "{} other file{} in the inputs ignored (neither digest, log nor signature){}",
                self.ignored.len(),
                plural(self.ignored.len()),
                if opts.verbose {
                    ":"
                } else {
                    "; --verbose lists them"
                }
            );
            if opts.verbose {
                for p in &self.ignored {
                    let _ = writeln!(o, "  {}", self.local(p));
                }
            }
        }
        if self.outside_period > 0 {
            let _ = writeln!(
                o,
                "{} digest file{} outside the requested period not validated",
                self.outside_period,
                plural(self.outside_period as usize)
            );
        }
        let _ = writeln!(o);

        let mut last_chain = None;
        for (i, d) in self.digests.iter().enumerate() {
            let logs: Vec<&LogOutcome> = self.logs.iter().filter(|l| l.digest == i).collect();
            let bad = d.status != DigestStatus::Valid;
            let bad_logs: Vec<&&LogOutcome> = logs
                .iter()
                .filter(|l| l.status != LogStatus::Valid)
                .collect();
            if !(opts.verbose || bad || !bad_logs.is_empty()) {
                continue;
            }
            if opts.verbose && last_chain != Some(d.chain) {
                if let Some(c) = self.chains.get(d.chain) {
                    let _ = writeln!(o, "== {}", c.label());
                }
                last_chain = Some(d.chain);
            }
            let (_, detail) = digest_status_text(d);
            let place = match (&d.local, bad) {
                (Some(p), true) => format!("  (local: {})", self.place(p, d.stored.as_deref())),
                _ => String::new(),
            };
            if opts.verbose || bad {
                let _ = writeln!(o, "Digest file    {}\t{detail}{place}", d.uri);
            }
            for l in logs {
                if !(opts.verbose || l.status != LogStatus::Valid) {
                    continue;
                }
                let (_, detail) = log_status_text(l);
                let place = match (&l.local, &l.status) {
                    (Some(p), LogStatus::Modified { .. } | LogStatus::Unreadable(_)) => {
                        format!("  (local: {})", self.place(p, l.stored.as_deref()))
                    }
                    _ => String::new(),
                };
                let _ = writeln!(o, "Log file       {}\t{detail}{place}", l.uri);
            }
            if opts.verbose && d.status == DigestStatus::Valid && d.log_files == 0 {
                let _ = writeln!(
                    o,
                    "No log files were delivered by CloudTrail between {} and {}",
                    t(d.start),
                    t(d.end)
                );
            }
        }

        let count = |c: SignatureCheck| self.digests.iter().filter(|d| d.signature == c).count();
        let supplied = count(SignatureCheck::Verified(SignatureSource::Supplied));
        let chained = count(SignatureCheck::Verified(SignatureSource::NextDigest));
        let failed = count(SignatureCheck::Failed);
        let unchecked: Vec<&DigestOutcome> = self
            .digests
            .iter()
            .filter(|d| d.signature == SignatureCheck::NotAvailable)
            .collect();
        let no_key = self
            .digests
            .iter()
            .filter(|d| signature_expected(d) && d.signature == SignatureCheck::NotAttempted)
            .count();
        let _ = writeln!(o);
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
        let _ = writeln!(o, "{line}.");
        if !unchecked.is_empty() {
            let _ = writeln!(
                o,
                "Signatures were NOT checked for {} digest file{}: {} signature{} only in S3 object metadata (x-amz-meta-signature){}.",
                unchecked.len(),
                plural(unchecked.len()),
                if unchecked.len() == 1 { "its" } else { "their" },
                if unchecked.len() == 1 { " is" } else { "s are" },
                if self.signatures_supplied == 0 {
                    " and no --signatures were given"
                } else {
                    " and none was supplied for them"
                }
            );
            for d in &unchecked {
                let _ = writeln!(o, "  {}", d.uri);
            }
            let _ = writeln!(
                o,
                "  Their log files are hash-checked against an unauthenticated digest: they are counted as unverified, not valid."
            );
        }

        if !self.gaps.is_empty() {
            let _ = writeln!(o, "\nPeriods not proven by a valid digest:");
            for g in &self.gaps {
                let chain = self
                    .chains
                    .get(g.chain)
                    .map(Chain::label)
                    .unwrap_or_default();
                let _ = writeln!(o, "  {} to {}  {}  [{chain}]", t(g.from), t(g.to), g.detail);
            }
        }
        if !self.uncovered.is_empty() {
            let _ = writeln!(
                o,
                "\nLog files covered by no digest ({}): nothing proves CloudTrail delivered them",
                self.uncovered.len()
            );
            for p in &self.uncovered {
                let _ = writeln!(o, "  {}", self.local(p));
            }
        }
        let listed = |k: ProblemKind| {
            matches!(
                k,
                ProblemKind::LogModified
                    | ProblemKind::LogDeleted
                    | ProblemKind::LogUnreadable
                    | ProblemKind::LogUncovered
                    | ProblemKind::DigestSignatureUnchecked
                    | ProblemKind::DigestMissing
                    | ProblemKind::DigestMoved
            )
        };
        let others: Vec<&Problem> = self.problems.iter().filter(|p| !listed(p.kind)).collect();
        if !others.is_empty() {
            let _ = writeln!(o, "\nFindings:");
            let mut shown: std::collections::HashMap<ProblemKind, usize> =
                std::collections::HashMap::new();
            for p in &others {
                let n = shown.entry(p.kind).or_default();
                *n += 1;
                if *n <= 3 || opts.verbose {
                    let _ = writeln!(o, "  {}: {}: {}", p.kind.as_str(), p.file, p.detail);
                }
            }
            let mut kinds: Vec<(&ProblemKind, &usize)> =
                shown.iter().filter(|(_, n)| **n > 3).collect();
            kinds.sort();
            for (k, n) in kinds {
                if !opts.verbose {
                    let _ = writeln!(
                        o,
                        "  … and {} more {} (--verbose lists all)",
                        n - 3,
                        k.as_str()
                    );
                }
            }
        }

        if self.chains.len() > 1 || opts.verbose {
            let _ = writeln!(o, "\nPer chain:");
            for (i, c) in self.chains.iter().enumerate() {
                let d = self.digest_counts(Some(i));
                let l = self.log_counts(Some(i));
                let _ = writeln!(
                    o,
                    "  {}: {}/{} digest files valid, {}/{} log files valid",
                    c.label(),
                    d.valid,
                    d.total,
                    l.valid,
                    l.total
                );
            }
        }

        let d = self.digest_counts(None);
        let l = self.log_counts(None);
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Results requested for {} to {}",
            self.requested_from
                .map(|x| fmt_time(x, &opts.tz))
                .unwrap_or_else(|| "the first digest".into()),
            self.requested_to
                .map(|x| fmt_time(x, &opts.tz))
                .unwrap_or_else(|| "the last digest".into())
        );
        let _ = writeln!(
            o,
            "Results found for {} to {}:",
            t(self.found_from),
            t(self.found_to)
        );
        let _ = writeln!(o);
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
        let _ = writeln!(o, "{line}");
        let mut line = format!("{}/{} log files valid", l.valid, l.total);
        let bad = l.modified + l.deleted + l.unreadable;
        if bad > 0 {
            let parts: Vec<String> = [
                (l.modified, "modified"),
                (l.deleted, "not found"),
                (l.unreadable, "unreadable"),
            ]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, w)| format!("{n} {w}"))
            .collect();
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
        let _ = writeln!(o, "{line}");
        if self.ok() {
            let _ = writeln!(o, "RESULT: OK: every digest and log file checked is valid");
        } else {
            let _ = writeln!(o, "RESULT: FAILED: {}", self.failure_summary());
        }
        o
    }

    /// One line naming what failed, e.g. `1 log file modified, 2 digest files missing`.
    pub fn failure_summary(&self) -> String {
        let d = self.digest_counts(None);
        let l = self.log_counts(None);
        let mut parts = Vec::new();
        let mut add = |n: u64, what: &str| {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        };
        add(d.invalid, "digest file(s) INVALID");
        add(d.missing, "digest file(s) missing");
        add(d.unchecked, "digest signature(s) NOT checked");
        add(l.modified, "log file(s) modified");
        add(l.deleted, "log file(s) not found");
        add(l.unreadable, "log file(s) unreadable");
        add(l.unverified, "log file(s) only in unverified digests");
        add(l.uncovered, "log file(s) covered by no digest");
        let failing_gaps = self.gaps.iter().filter(|g| g.reason.fails()).count() as u64;
        add(failing_gaps, "unproven period(s)");
        if parts.is_empty() {
            if self.digests.is_empty() {
                parts.push("no digest files to validate".into());
            } else {
                parts.push(format!("{} finding(s)", self.problems.len()));
            }
        }
        parts.join(", ")
    }
}

/// Digests whose signature can be checked at all: present and parsable.
fn signature_expected(d: &DigestOutcome) -> bool {
    d.local.is_some()
        && !matches!(
            d.status,
            DigestStatus::Invalid(DigestFailure::InvalidFormat(_))
        )
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn digest_status_text(d: &DigestOutcome) -> (&'static str, String) {
    match &d.status {
        DigestStatus::Valid => ("valid", "valid".into()),
        DigestStatus::Unchecked => (
            "unchecked",
            "signature NOT checked (no signature available)".into(),
        ),
        DigestStatus::Invalid(DigestFailure::NotFound) => ("missing", "INVALID: not found".into()),
        DigestStatus::Invalid(f) => ("invalid", format!("INVALID: {}", f.message())),
    }
}

fn log_status_text(l: &LogOutcome) -> (&'static str, String) {
    match (&l.status, l.digest_valid) {
        (LogStatus::Valid, true) => ("valid", "valid".into()),
        (LogStatus::Valid, false) => (
            "unverified",
            "hash matches, but the digest listing it is not valid".into(),
        ),
        (LogStatus::Modified { expected, found }, _) => (
            "modified",
            format!("INVALID: hash value doesn't match (expected {expected}, found {found})"),
        ),
        (LogStatus::NotFound, _) => ("deleted", "INVALID: not found".into()),
        (LogStatus::Unreadable(why), _) => {
            ("unreadable", format!("INVALID: invalid format ({why})"))
        }
    }
}

/// RFC 3339 in `tz` to the second, offset always shown (`Z` for UTC).
pub fn fmt_time(ts: Timestamp, tz: &jiff::tz::TimeZone) -> String {
    let offset = tz.to_offset(ts);
    if offset.seconds() == 0 {
        return ts.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    ts.to_zoned(tz.clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
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
