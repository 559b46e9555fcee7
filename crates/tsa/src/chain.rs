//! The TSA certificate and its path to the given roots: each signature, validity at
//! genTime, basicConstraints cA on every issuer, and RFC 3161's extended key usage.

use der::{Decode, Encode};
use jiff::Timestamp;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage};
use x509_cert::Certificate;

use crate::oids::{BASIC_CONSTRAINTS, EXT_KEY_USAGE, KP_TIME_STAMPING};
use crate::signature::{verify, SignatureCheck};
use crate::TsaError;

/// Longest path followed from the TSA certificate to a root.
const MAX_DEPTH: usize = 8;

/// A certificate's subject as text (RFC 4514).
pub fn subject(cert: &Certificate) -> String {
    cert.tbs_certificate.subject.to_string()
}

/// Reads every certificate of PEM text (roots given on the command line).
pub fn load_roots(pem: &[u8]) -> Result<Vec<Certificate>, TsaError> {
    let certs = Certificate::load_pem_chain(pem).map_err(|e| TsaError::Roots {
        found: e.to_string(),
    })?;
    if certs.is_empty() {
        return Err(TsaError::Roots {
            found: "no CERTIFICATE block".to_owned(),
        });
    }
    Ok(certs)
}

/// Checks that `cert` is valid at `at`.
fn check_validity(cert: &Certificate, at: Timestamp) -> Result<(), TsaError> {
    let v = &cert.tbs_certificate.validity;
    let seconds = |t: x509_cert::time::Time| {
        i64::try_from(t.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
    };
    let (from, to) = (seconds(v.not_before), seconds(v.not_after));
    let now = at.as_second();
    if now < from || now > to {
        return Err(TsaError::NotValidAt {
            subject: subject(cert),
            not_before: v.not_before.to_string(),
            not_after: v.not_after.to_string(),
            at: at.to_string(),
        });
    }
    Ok(())
}

/// The value of `cert`'s extension `oid` and whether it is critical.
fn extension<'c>(
    cert: &'c Certificate,
    oid: &const_oid::ObjectIdentifier,
) -> Option<(&'c [u8], bool)> {
    cert.tbs_certificate
        .extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == *oid)
        .map(|e| (e.extn_value.as_bytes(), e.critical))
}

/// Checks that `issuer` may issue certificates (basicConstraints cA TRUE).
fn check_ca(issuer: &Certificate, issued: &Certificate) -> Result<(), TsaError> {
    let found = match extension(issuer, &BASIC_CONSTRAINTS) {
        None => "no basicConstraints".to_owned(),
        Some((value, _)) => match BasicConstraints::from_der(value) {
            Ok(bc) if bc.ca => return Ok(()),
            Ok(_) => "cA FALSE".to_owned(),
            Err(e) => format!("an unreadable basicConstraints ({e})"),
        },
    };
    Err(TsaError::NotCa {
        subject: subject(issuer),
        issued: subject(issued),
        found,
    })
}

/// RFC 3161 2.3: the TSA certificate has one extendedKeyUsage, critical, holding only
/// id-kp-timeStamping.
pub fn check_tsa_usage(cert: &Certificate) -> Result<(), TsaError> {
    let all: Vec<_> = cert
        .tbs_certificate
        .extensions
        .iter()
        .flatten()
        .filter(|e| e.extn_id == EXT_KEY_USAGE)
        .collect();
    let found = match all.as_slice() {
        [] => "no extendedKeyUsage".to_owned(),
        [one] => match ExtendedKeyUsage::from_der(one.extn_value.as_bytes()) {
            Ok(eku) if one.critical && eku.0 == [KP_TIME_STAMPING] => return Ok(()),
            Ok(eku) => {
                let purposes: Vec<String> = eku.0.iter().map(ToString::to_string).collect();
                format!(
                    "{} extendedKeyUsage [{}]",
                    if one.critical {
                        "critical"
                    } else {
                        "non-critical"
                    },
                    purposes.join(", ")
                )
            }
            Err(e) => format!("an unreadable extendedKeyUsage ({e})"),
        },
        many => format!("{} extendedKeyUsage extensions", many.len()),
    };
    Err(TsaError::KeyUsage {
        subject: subject(cert),
        found,
    })
}

/// Whether `a` and `b` are the same certificate (same DER).
fn same(a: &Certificate, b: &Certificate) -> bool {
    matches!((a.to_der(), b.to_der()), (Ok(x), Ok(y)) if x == y)
}

/// Checks that `issuer` signed `cert`.
fn check_signed_by(cert: &Certificate, issuer: &Certificate) -> Result<(), TsaError> {
    let tbs = cert
        .tbs_certificate
        .to_der()
        .map_err(|e| TsaError::decode("certificate", "TBSCertificate", e))?;
    let what = format!("certificate {}", subject(cert));
    let signer = subject(issuer);
    verify(&SignatureCheck {
        what: &what,
        signer: &signer,
        algorithm: &cert.signature_algorithm,
        digest_hint: None,
        key: &issuer.tbs_certificate.subject_public_key_info,
        message: &tbs,
        signature: cert.signature.raw_bytes(),
    })
}

/// Follows issuers from `tsa` (through `pool`, the token's certificates, and `roots`) to
/// one of `roots`, checking each link at `at`; returns the subjects from the TSA to the root.
pub fn check_path(
    tsa: &Certificate,
    pool: &[Certificate],
    roots: &[Certificate],
    at: Timestamp,
) -> Result<Vec<String>, TsaError> {
    let mut path = vec![subject(tsa)];
    let mut current = tsa;
    for _ in 0..MAX_DEPTH {
        check_validity(current, at)?;
        if roots.iter().any(|r| same(r, current)) {
            return Ok(path);
        }
        let wanted = &current.tbs_certificate.issuer;
        let candidates: Vec<&Certificate> = roots
            .iter()
            .chain(pool)
            .filter(|c| c.tbs_certificate.subject == *wanted && !same(c, current))
            .collect();
        let mut last_error = None;
        let issuer = candidates
            .into_iter()
            .find(|c| match check_signed_by(current, c) {
                Ok(()) => true,
                Err(e) => {
                    last_error = Some(e);
                    false
                }
            });
        let Some(issuer) = issuer else {
            return Err(last_error.unwrap_or_else(|| TsaError::NoPath {
                subject: subject(tsa),
                roots: roots.len(),
                issuer: wanted.to_string(),
            }));
        };
        check_ca(issuer, current)?;
        path.push(subject(issuer));
        current = issuer;
    }
    Err(TsaError::NoPath {
        subject: subject(tsa),
        roots: roots.len(),
        issuer: format!("none within {MAX_DEPTH} certificates"),
    })
}
