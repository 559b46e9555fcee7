//! RFC 3161 trusted timestamps for cloudcase cases: build a `TimeStampReq` over a custody
//! chain head, send it to a TSA over HTTP, read the `TimeStampResp`, and verify the token
//! offline.
//!
//! * [`build_request`]: version 1, SHA-256 message imprint over the head's 32 raw bytes
//!   ([`imprint_of_head`]), a random 64-bit nonce, certReq TRUE.
//! * [`parse_reply`] / [`parse_token`]: status granted or grantedWithMods (a valid token
//!   either way, RFC 3161 2.4.2), the CMS `SignedData` and its `TSTInfo`.
//! * [`verify_token`]: the imprint and nonce asked for; content-type and message-digest
//!   signed attributes; the TSA's signature (RSA PKCS #1 v1.5, RSASSA-PSS, ECDSA P-256 /
//!   P-384 with SHA-256/384/512); ESSCertIDv2 (or ESSCertID, SHA-1) naming the TSA
//!   certificate; its critical extendedKeyUsage id-kp-timeStamping (RFC 3161 2.3); and the
//!   path to the given roots: each signature, validity at genTime, cA on every issuer.
//!   Revocation (CRL, OCSP) is not checked.
//!
//! Every refusal is a [`TsaError`] naming what was expected and what was found.
#![deny(missing_docs)]

pub mod asn1;
mod chain;
mod error;
pub mod http;
pub mod oids;
mod request;
mod signature;
mod token;
mod verify;

pub use chain::{load_roots, subject};
pub use error::TsaError;
pub use request::{
    build_request, build_request_with_nonce, imprint_of_head, nonce_hex, nonce_int, parse_request,
    Request,
};
pub use token::{int_hex, parse_reply, parse_token, GrantedReply, Token};
pub use verify::{check_answers, verify_token, Expected, Verified};
/// The X.509 certificate type roots are given as.
pub use x509_cert::Certificate;
