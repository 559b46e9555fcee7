//! Offline CloudTrail log-file integrity validation: the equivalent of
//! `aws cloudtrail validate-logs`, for digest and log files already copied out of S3.
//!
//! # What is checked
//! For every digest file (`…/CloudTrail-Digest/…_CloudTrail-Digest_….json.gz`, found by
//! name or content):
//! - it sits where its own `digestS3Object` says it was delivered (else *moved*);
//! - its RSA PKCS#1 v1.5 SHA-256 signature over AWS's [signing string](signing_string)
//!   verifies with the public key whose MD5 fingerprint it names. The signature comes
//!   from `--signatures` (S3 metadata saved separately, see [`Signatures`]) or, for any
//!   digest that has a successor, from that successor's `previousDigestSignature`;
//!   only the newest digest of each chain needs a supplied signature;
//! - the chain links hold: the next digest's `previousDigestHashValue` is the SHA-256 of
//!   this digest's uncompressed bytes; digests the chain names but the inputs lack are
//!   *missing*, and the hours they leave unproven are a [`Gap`] with an estimate of how
//!   many hourly digests are gone (from the `digestStartTime`/`digestEndTime` gap, so two
//!   or more consecutive deletions are counted, not reported as one); a chain that
//!   restarts (`previous*` null) is CloudTrail's own statement that logging or
//!   validation was off, reported as such;
//! - every log file it lists is present and the SHA-256 of its **uncompressed** content
//!   matches (gzip detected by magic bytes, multi-member, streamed; a log that was
//!   gunzipped locally still validates);
//! - log files on disk that no digest lists are reported as *uncovered*: nothing proves
//!   CloudTrail delivered them.
//!
//! # Mapping S3 keys onto the local copy
//! Keys inside digests (`digestS3Object`, `previousDigestS3Object`, `logFiles[].s3Object`)
//! are matched to local files on the path suffix starting at the `AWSLogs/` component
//! (`AWSLogs/[ORG-ID/]ACCOUNT/CloudTrail[-Digest]/REGION/YYYY/MM/DD/NAME`), ignoring a
//! trailing `.gz`, so any bucket folder or prefix in front works; files outside that
//! layout are matched on their file name, which CloudTrail makes unique. With
//! [`Inputs::root`], a path relative to the root also matches the full S3 key.
//!
//! Files kept away from where they were found — evidence objects of a case, stored under
//! content-addressed names — are given as [`KnownFile`]s: bytes read from the stored copy,
//! location (for matching, the *moved* check, sidecar names and reports) taken from the
//! original path or URI (`/x/AWSLogs/…`, `s3://bucket/AWSLogs/…`).
//!
//! # Signature input forms
//! See [`Signatures`]: a JSON/JSON Lines map from digest key (or path, or file name) to
//! hex signature or to `aws s3api head-object` output; or sidecars `<digest>.sig` (hex) /
//! `<digest>.head.json` (head-object output), next to the digests or under a directory.
//!
//! # Resource bounds
//! Digests are read whole but capped (64 MiB uncompressed by default: a gzip bomb is
//! reported, not inflated); log files are hashed in 64 KiB blocks; JSON nesting is
//! limited by serde_json; files are read on all cores with `std::thread::scope`.

#![deny(missing_docs)]

mod digest;
mod error;
mod keys;
mod layout;
mod read;
mod report;
mod signatures;
#[cfg(any(test, feature = "testkit"))]
pub mod testkit;
mod validate;

pub use digest::{signing_string, Digest, LogFileRef};
pub use error::TrailError;
pub use keys::{fingerprint, PublicKey, PublicKeys};
pub use report::{
    fmt_time, Chain, DigestCounts, DigestFailure, DigestOutcome, DigestStatus, Gap, GapReason,
    LogOutcome, LogStatus, Problem, ProblemKind, Report, SignatureCheck, SignatureSource,
    TextOptions,
};
pub use signatures::{Signatures, SuppliedSignature};
pub use validate::{validate, Inputs, KnownFile, Options};
