//! The verdict on one digest: where it sits, which algorithm it names, which
//! signatures could prove it (supplied ones, and the `previousDigestSignature` of each
//! digest naming it as previous), whether its public key is known, and whether any of
//! those signatures verifies.
//!
//! Findings are collected in the order they are checked (placement, algorithm,
//! supplied signatures, chain links, key, signatures), which is the order reports show.

use crate::keys::PublicKeys;
use crate::report::{
    DigestFailure, DigestOutcome, DigestStatus, Problem, ProblemKind, SignatureCheck,
    SignatureSource,
};
use crate::signatures::Signatures;
use cloudcase_util::hex;

use super::{Engine, Node};

/// The only digest signature algorithm CloudTrail uses.
const SIGNATURE_ALGORITHM: &str = "SHA256withRSA";
/// The only hash algorithm CloudTrail uses for digests and log files.
pub(super) const HASH_ALGORITHM: &str = "SHA-256";

/// One signature that may prove a digest.
struct Candidate {
    /// The signature bytes; `None` when the hex did not decode (it cannot verify).
    bytes: Option<Vec<u8>>,
    /// Supplied, or from the next digest of the chain.
    source: SignatureSource,
    /// Where it came from, for messages: a signature file, or the next digest's URI.
    from: String,
}

/// A candidate signature and whether it verified with the digest's key.
struct Attempt<'c> {
    candidate: &'c Candidate,
    verified: bool,
}

/// What judging one digest has found so far: the first failure, which decides the
/// verdict, and every finding in the order found.
#[derive(Default)]
struct Verdict {
    failure: Option<DigestFailure>,
    problems: Vec<Problem>,
}

impl Verdict {
    /// Records `failure` unless an earlier one already decides the verdict.
    fn fail(&mut self, failure: DigestFailure) {
        self.failure.get_or_insert(failure);
    }

    /// Adds a finding.
    fn find(&mut self, kind: ProblemKind, file: impl Into<String>, detail: impl Into<String>) {
        self.problems.push(Problem::new(kind, file, detail));
    }

    /// True when a successor records another hash for this digest than its own.
    fn has_hash_mismatch(&self) -> bool {
        self.problems
            .iter()
            .any(|p| p.kind == ProblemKind::ChainHashMismatch)
    }
}

/// How a signature that does not verify is reported, by where it came from.
struct RejectedText {
    kind: ProblemKind,
    /// Text before the digest's URI.
    prefix: &'static str,
    /// Added when another signature did verify the digest.
    when_proven_otherwise: &'static str,
}

/// The table of [`RejectedText`]s, one per [`SignatureSource`].
fn rejected_text(source: SignatureSource) -> RejectedText {
    match source {
        SignatureSource::Supplied => RejectedText {
            kind: ProblemKind::SuppliedSignatureInvalid,
            prefix: "the supplied signature does not verify",
            when_proven_otherwise: " (another signature of it does)",
        },
        SignatureSource::NextDigest => RejectedText {
            kind: ProblemKind::ChainSignatureMismatch,
            prefix: "its previousDigestSignature does not verify the previous digest",
            when_proven_otherwise: " (which is authentic by another signature)",
        },
    }
}

impl Engine<'_> {
    /// Signature, key, location and chain-link checks for digest `i`, whose successors
    /// (digests naming it as previous) are `succ`. Its findings go to the report.
    pub(super) fn judge(
        &mut self,
        i: usize,
        succ: &[usize],
        keys: &PublicKeys,
        sigs: &Signatures,
    ) -> DigestOutcome {
        let node = &self.nodes[i];
        let sha_hex = hex::encode(&node.l.sha256);
        let mut verdict = Verdict::default();
        check_placement(node, &mut verdict);
        let mut candidates = supplied_candidates(node, sigs, &mut verdict);
        candidates.extend(self.successor_candidates(node, succ, &sha_hex, &mut verdict));
        let signature = self.check_signature(node, &candidates, keys, &sha_hex, &mut verdict);
        let outcome = DigestOutcome {
            chain: node.chain,
            uri: node.uri.clone(),
            local: Some(node.l.path.clone()),
            stored: node.l.stored.clone(),
            start: Some(node.l.start),
            end: Some(node.l.end),
            status: status_of(verdict.failure, signature),
            signature,
            log_files: node.l.digest.log_files.len(),
        };
        self.report.problems.extend(verdict.problems);
        outcome
    }

    /// The `previousDigestSignature` of each successor as a candidate, and the checks of
    /// the link each successor makes to this digest (hash value and hash algorithm).
    fn successor_candidates(
        &self,
        node: &Node,
        succ: &[usize],
        sha_hex: &str,
        verdict: &mut Verdict,
    ) -> Vec<Candidate> {
        let mut candidates = Vec::new();
        for &s in succ {
            let next = &self.nodes[s];
            let Some(sig) = next.l.digest.previous_digest_signature.as_deref() else {
                verdict.find(
                    ProblemKind::ChainSignatureMismatch,
                    next.uri.clone(),
                    "previousDigestS3Object is set but previousDigestSignature is null",
                );
                continue;
            };
            candidates.push(Candidate {
                bytes: hex::decode(sig),
                source: SignatureSource::NextDigest,
                from: next.uri.clone(),
            });
            check_link(node, next, sha_hex, verdict);
        }
        candidates
    }

    /// Verifies the candidates with the digest's public key; reports each one that does
    /// not verify, and the digest when none does or none was available. Without a usable
    /// key nothing is attempted and the key is the failure.
    fn check_signature(
        &self,
        node: &Node,
        candidates: &[Candidate],
        keys: &PublicKeys,
        sha_hex: &str,
        verdict: &mut Verdict,
    ) -> SignatureCheck {
        let d = &node.l.digest;
        let fp = d.digest_public_key_fingerprint.trim().to_ascii_lowercase();
        let Some(key) = keys.get(&fp) else {
            let failure = self.key_failure(node, &fp, keys, verdict);
            verdict.fail(failure);
            return SignatureCheck::NotAttempted;
        };
        let message = d.signing_string(sha_hex);
        let attempts: Vec<Attempt> = candidates
            .iter()
            .map(|c| Attempt {
                candidate: c,
                verified: c
                    .bytes
                    .as_deref()
                    .is_some_and(|b| key.verify(message.as_bytes(), b)),
            })
            .collect();
        let signature = signature_check(&attempts);
        report_rejected(node, &attempts, verdict);
        match signature {
            SignatureCheck::Failed => {
                let sources: Vec<&str> = candidates.iter().map(|c| c.from.as_str()).collect();
                verdict.find(
                    ProblemKind::DigestSignatureFailed,
                    node.uri.clone(),
                    format!(
                        "no signature verifies with key {fp} (tried {}); the digest was altered or the signatures are not its own",
                        sources.join(", ")
                    ),
                );
                verdict.fail(DigestFailure::SignatureFailed);
            }
            SignatureCheck::NotAvailable if verdict.has_hash_mismatch() => {
                verdict.fail(DigestFailure::HashMismatch);
            }
            SignatureCheck::NotAvailable => verdict.find(
                ProblemKind::DigestSignatureUnchecked,
                node.uri.clone(),
                "no signature available: it is the newest digest of its chain (or the next digest is absent) and its signature is only in S3 object metadata; save it with `aws s3api head-object` and pass --signatures",
            ),
            _ => {}
        }
        signature
    }

    /// Why no key can check the digest: the key with fingerprint `fp` was listed but
    /// could not be loaded, or was not supplied at all (with how to get it).
    fn key_failure(
        &self,
        node: &Node,
        fp: &str,
        keys: &PublicKeys,
        verdict: &mut Verdict,
    ) -> DigestFailure {
        if let Some(why) = keys.unloadable(fp) {
            verdict.find(
                ProblemKind::PublicKeyUnloadable,
                node.uri.clone(),
                format!("unable to load PKCS #1 key with fingerprint {fp}: {why}"),
            );
            return DigestFailure::KeyUnloadable(fp.to_string());
        }
        let region = self.chains.get(node.chain).map(|c| c.region.as_str());
        verdict.find(
            ProblemKind::UnknownPublicKey,
            node.uri.clone(),
            format!(
                "public key not found for fingerprint {fp} (region {}); save `aws cloudtrail list-public-keys --region {} --start-time {}` and pass it with --public-keys",
                region.unwrap_or("?"),
                region.unwrap_or("REGION"),
                node.l.digest.digest_start_time
            ),
        );
        DigestFailure::PublicKeyNotFound(fp.to_string())
    }
}

/// A conflicting copy, a digest away from where it was delivered, and a signature
/// algorithm other than CloudTrail's fail the digest whatever its signatures say.
fn check_placement(node: &Node, verdict: &mut Verdict) {
    if node.conflict {
        verdict.fail(DigestFailure::Conflict);
    } else if node.moved {
        verdict.fail(DigestFailure::Moved);
        verdict.find(
            ProblemKind::DigestMoved,
            node.uri.clone(),
            format!(
                "found at {}, which is not where digestS3Object says it was delivered",
                node.l.describe()
            ),
        );
    }
    let algorithm = &node.l.digest.digest_signature_algorithm;
    if !algorithm.eq_ignore_ascii_case(SIGNATURE_ALGORITHM) {
        verdict.fail(DigestFailure::UnsupportedAlgorithm(algorithm.clone()));
        verdict.find(
            ProblemKind::UnsupportedAlgorithm,
            node.uri.clone(),
            format!("expected digestSignatureAlgorithm {SIGNATURE_ALGORITHM}, found {algorithm:?}"),
        );
    }
}

/// The supplied signatures of the digest (`--signatures`, sidecars) as candidates.
/// One naming another algorithm is reported and skipped; one that is not hex is
/// reported and kept (it counts as tried, and cannot verify).
fn supplied_candidates(node: &Node, sigs: &Signatures, verdict: &mut Verdict) -> Vec<Candidate> {
    let mut candidates = Vec::new();
    for s in sigs.lookup(&node.l.digest.digest_s3_object, &node.l.path) {
        let file = s.source.display().to_string();
        if let Some(alg) = s
            .algorithm
            .as_deref()
            .filter(|a| !a.eq_ignore_ascii_case(SIGNATURE_ALGORITHM))
        {
            verdict.find(
                ProblemKind::UnsupportedAlgorithm,
                file,
                format!(
                    "expected signature-algorithm {SIGNATURE_ALGORITHM} for {}, found {alg:?}",
                    node.uri
                ),
            );
            continue;
        }
        let bytes = hex::decode(&s.hex);
        if bytes.is_none() {
            verdict.find(
                ProblemKind::SignatureUnreadable,
                file.clone(),
                format!(
                    "expected a hex signature for {}, found {:?}",
                    node.uri,
                    crate::error::shorten(&s.hex, 40)
                ),
            );
        }
        candidates.push(Candidate {
            bytes,
            source: SignatureSource::Supplied,
            from: file,
        });
    }
    candidates
}

/// The link from `next` back to `node`: `previousDigestHashValue` must be the digest's
/// SHA-256 (`sha_hex`), and `previousDigestHashAlgorithm`, when given, SHA-256.
fn check_link(node: &Node, next: &Node, sha_hex: &str, verdict: &mut Verdict) {
    let d = &next.l.digest;
    match d.previous_digest_hash_value.as_deref() {
        Some(h) if h.trim().eq_ignore_ascii_case(sha_hex) => {}
        other => verdict.find(
            ProblemKind::ChainHashMismatch,
            next.uri.clone(),
            format!(
                "previousDigestHashValue is {}, but the previous digest {} hashes to {sha_hex}",
                other.unwrap_or("null"),
                node.l.describe()
            ),
        ),
    }
    if let Some(a) = d
        .previous_digest_hash_algorithm
        .as_deref()
        .filter(|a| !a.eq_ignore_ascii_case(HASH_ALGORITHM))
    {
        verdict.find(
            ProblemKind::UnsupportedAlgorithm,
            next.uri.clone(),
            format!("expected previousDigestHashAlgorithm {HASH_ALGORITHM}, found {a:?}"),
        );
    }
}

/// How the signature check went: a verifying supplied signature is named first (it is
/// the stronger proof), then one from the chain; with no candidates nothing was available.
fn signature_check(attempts: &[Attempt]) -> SignatureCheck {
    let verified_by = |source| {
        attempts
            .iter()
            .any(|a| a.verified && a.candidate.source == source)
    };
    if verified_by(SignatureSource::Supplied) {
        SignatureCheck::Verified(SignatureSource::Supplied)
    } else if verified_by(SignatureSource::NextDigest) {
        SignatureCheck::Verified(SignatureSource::NextDigest)
    } else if attempts.is_empty() {
        SignatureCheck::NotAvailable
    } else {
        SignatureCheck::Failed
    }
}

/// A finding for every candidate that did not verify, saying whether another did.
fn report_rejected(node: &Node, attempts: &[Attempt], verdict: &mut Verdict) {
    let proven = attempts.iter().any(|a| a.verified);
    for a in attempts.iter().filter(|a| !a.verified) {
        let text = rejected_text(a.candidate.source);
        let otherwise = if proven {
            text.when_proven_otherwise
        } else {
            ""
        };
        verdict.find(
            text.kind,
            a.candidate.from.clone(),
            format!("{} {}{otherwise}", text.prefix, node.uri),
        );
    }
}

/// The verdict: the first failure if any; else valid when a signature verified, and
/// unchecked when none was available.
fn status_of(failure: Option<DigestFailure>, signature: SignatureCheck) -> DigestStatus {
    match (failure, signature) {
        (Some(f), _) => DigestStatus::Invalid(f),
        (None, SignatureCheck::NotAvailable) => DigestStatus::Unchecked,
        (None, SignatureCheck::Verified(_)) => DigestStatus::Valid,
        (None, _) => DigestStatus::Invalid(DigestFailure::SignatureFailed),
    }
}
