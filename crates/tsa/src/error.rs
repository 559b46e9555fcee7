//! Every way a request, a reply or a token can be refused, each naming what was expected
//! and what was found.

use thiserror::Error;

/// Why a time-stamp request could not be built or a reply or token was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum TsaError {
    /// Bytes that do not decode as the DER structure expected.
    #[error("{what}: expected DER {expected}, found bytes that do not decode: {reason}")]
    Decode {
        /// Which structure was being read.
        what: &'static str,
        /// The ASN.1 type expected.
        expected: &'static str,
        /// The decoder's message.
        reason: String,
    },
    /// The chain head to time-stamp is not 64 hex digits.
    #[error("custody chain head: expected 64 hex digits (a SHA-256), found {found:?}")]
    BadHead {
        /// What was given.
        found: String,
    },
    /// The TSA did not grant the request.
    #[error("reply status: expected granted (0) or grantedWithMods (1), found {status}{text}{fail_info}")]
    NotGranted {
        /// The status and its name, e.g. `2 (rejection)`.
        status: String,
        /// The TSA's status text, prefixed with `: ` when present.
        text: String,
        /// The failure bits named, prefixed with `; failInfo ` when present.
        fail_info: String,
    },
    /// A granted reply without a token.
    #[error("reply: expected a timeStampToken with status granted, found none")]
    NoToken,
    /// A field holding another value than the one RFC 3161 or RFC 5652 require.
    #[error("{what}: expected {expected}, found {found}")]
    Unexpected {
        /// The field.
        what: &'static str,
        /// The value required.
        expected: String,
        /// The value found.
        found: String,
    },
    /// The token covers other data than the custody chain head it is checked against.
    #[error("message imprint: expected SHA-256 {expected}, found {found}")]
    Imprint {
        /// The imprint the request asked for (hex).
        expected: String,
        /// The token's imprint (hex, with its algorithm when not SHA-256).
        found: String,
    },
    /// The token answers another request.
    #[error("nonce: expected {expected} (the request's), found {found}")]
    Nonce {
        /// The request's nonce (hex).
        expected: String,
        /// The token's nonce (hex, or `none`).
        found: String,
    },
    /// An algorithm this crate does not verify.
    #[error("{what}: expected one of {supported}, found OID {oid}")]
    Unsupported {
        /// Where the algorithm is used.
        what: &'static str,
        /// The algorithms this crate verifies.
        supported: &'static str,
        /// The OID found.
        oid: String,
    },
    /// A signed attribute RFC 3161 requires is absent.
    #[error("signed attributes: expected {name} ({oid}), found none")]
    MissingAttribute {
        /// The attribute's name.
        name: &'static str,
        /// Its OID.
        oid: &'static str,
    },
    /// A signature that does not verify.
    #[error("signature of {what}: expected a valid {algorithm} signature by {signer}, found one that does not verify")]
    BadSignature {
        /// What was signed.
        what: String,
        /// The algorithm.
        algorithm: String,
        /// Whose key.
        signer: String,
    },
    /// A public key that cannot be read.
    #[error("public key of {subject}: expected {expected}, found {found}")]
    BadKey {
        /// The certificate holding the key.
        subject: String,
        /// The key type expected.
        expected: String,
        /// What was found.
        found: String,
    },
    /// The token names a signer whose certificate it does not carry.
    #[error("TSA certificate: expected the signer's certificate ({sid}) in the token or among the given certificates, found none")]
    SignerCertificateMissing {
        /// The signer identifier.
        sid: String,
    },
    /// A certificate not valid at the token's genTime.
    #[error("certificate {subject}: expected valid at genTime {at}, found validity {not_before} to {not_after}")]
    NotValidAt {
        /// The certificate's subject.
        subject: String,
        /// Start of validity.
        not_before: String,
        /// End of validity.
        not_after: String,
        /// The token's genTime.
        at: String,
    },
    /// A certificate that signs another but is not a CA.
    #[error("certificate {subject}: expected basicConstraints cA TRUE (it issued {issued}), found {found}")]
    NotCa {
        /// The issuing certificate's subject.
        subject: String,
        /// The certificate it issued.
        issued: String,
        /// What its basic constraints say.
        found: String,
    },
    /// The TSA certificate's extended key usage is not RFC 3161's.
    #[error("TSA certificate {subject}: expected a critical extendedKeyUsage holding only id-kp-timeStamping (RFC 3161 2.3), found {found}")]
    KeyUsage {
        /// The TSA certificate's subject.
        subject: String,
        /// What the certificate has.
        found: String,
    },
    /// No path from the TSA certificate to a given root.
    #[error("certificate chain: expected a path from {subject} to one of the {roots} given root certificates, found none (stuck at issuer {issuer})")]
    NoPath {
        /// The TSA certificate's subject.
        subject: String,
        /// How many roots were given.
        roots: usize,
        /// The issuer no certificate was found for.
        issuer: String,
    },
    /// The signing-certificate attribute names another certificate.
    #[error("{attribute}: expected the {algorithm} of the TSA certificate {subject}: {expected}, found {found}")]
    CertId {
        /// `ESSCertID` or `ESSCertIDv2`.
        attribute: &'static str,
        /// The hash algorithm.
        algorithm: String,
        /// The TSA certificate's subject.
        subject: String,
        /// The certificate's hash (hex), or its serial.
        expected: String,
        /// The attribute's value.
        found: String,
    },
    /// Root certificates that cannot be read.
    #[error("root certificates: expected PEM certificates, found {found}")]
    Roots {
        /// What was wrong.
        found: String,
    },
    /// The exchange with a TSA over HTTP failed.
    #[error("{url}: expected {expected}, found {found}")]
    Http {
        /// The TSA's URL.
        url: String,
        /// What was expected.
        expected: String,
        /// What happened.
        found: String,
    },
    /// The operating system's random source failed.
    #[error("nonce: expected 8 random bytes from the operating system, found an error: {reason}")]
    Random {
        /// The error.
        reason: String,
    },
}

impl TsaError {
    /// A decoding error for `what`, expected to be an `expected`.
    pub(crate) fn decode(what: &'static str, expected: &'static str, e: der::Error) -> Self {
        TsaError::Decode {
            what,
            expected,
            reason: e.to_string(),
        }
    }

    /// A field with another value than required.
    pub(crate) fn unexpected(
        what: &'static str,
        expected: impl Into<String>,
        found: impl Into<String>,
    ) -> Self {
        TsaError::Unexpected {
            what,
            expected: expected.into(),
            found: found.into(),
        }
    }
}
