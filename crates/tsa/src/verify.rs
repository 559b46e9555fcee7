//! Verifying a token offline: imprint, nonce, the signed attributes, the TSA's signature,
//! the signing-certificate attribute, the TSA certificate's purpose and its path to roots.

use cms::cert::CertificateChoices;
use cms::signed_data::{SignerIdentifier, SignerInfo};
use const_oid::ObjectIdentifier as Oid;
use der::asn1::OctetString;
use der::{Decode, Encode};
use x509_cert::attr::Attribute;
use x509_cert::Certificate;

use crate::asn1::{IssuerSerial, SigningCertificate, SigningCertificateV2};
use crate::chain::{check_path, check_tsa_usage, subject};
use crate::oids::{self, hex, signing_digest, DigestAlg};
use crate::request::nonce_hex;
use crate::signature::{verify, SignatureCheck};
use crate::token::{int_hex, signed_attrs_der, Token};
use crate::TsaError;

/// What a token must answer: the request's imprint and nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expected {
    /// SHA-256 message imprint asked for.
    pub imprint: [u8; 32],
    /// The request's nonce.
    pub nonce: u64,
}

/// A token that verified, and what it proves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// genTime, RFC 3339 UTC.
    pub gen_time: String,
    /// The token's serial number (hex).
    pub serial: String,
    /// The TSA policy OID.
    pub policy: String,
    /// Subjects from the TSA certificate to the root that vouches for it.
    pub chain: Vec<String>,
    /// Which signing-certificate attribute named the TSA certificate.
    pub cert_id: &'static str,
}

/// Checks `token` against `expected` and the trusted `roots` (see the module documentation).
pub fn verify_token(
    token: &Token,
    expected: &Expected,
    roots: &[Certificate],
) -> Result<Verified, TsaError> {
    check_answers(token, expected)?;
    let sd = &token.signed_data;
    let signer = match sd.signer_infos.0.as_slice() {
        [one] => one,
        many => {
            return Err(TsaError::unexpected(
                "signerInfos",
                "exactly one SignerInfo",
                format!("{}", many.len()),
            ))
        }
    };
    let pool: Vec<Certificate> = sd
        .certificates
        .iter()
        .flat_map(|set| set.0.iter())
        .filter_map(|c| match c {
            CertificateChoices::Certificate(cert) => Some(cert.clone()),
            CertificateChoices::Other(_) => None,
        })
        .collect();
    let tsa = find_signer(&signer.sid, &pool, roots)?;
    check_signed_attributes(token, signer, tsa)?;
    let cert_id = check_cert_id(signer, tsa)?;
    check_tsa_usage(tsa)?;
    let chain = check_path(tsa, &pool, roots, token.gen_time)?;
    Ok(Verified {
        gen_time: token.gen_time_text(),
        serial: token.serial_hex(),
        policy: token.policy(),
        chain,
        cert_id,
    })
}

/// Whether `token` answers the request `expected` describes: its message imprint, then
/// its nonce. No signature is checked (see [`verify_token`]).
pub fn check_answers(token: &Token, expected: &Expected) -> Result<(), TsaError> {
    check_imprint(token, expected)?;
    check_nonce(token, expected)
}

/// The token's imprint is SHA-256 and equals the one asked for.
fn check_imprint(token: &Token, expected: &Expected) -> Result<(), TsaError> {
    let (alg, value) = token.imprint();
    let want = hex(&expected.imprint);
    if alg != Some(DigestAlg::Sha256) || value != want {
        let name = alg.map_or_else(
            || token.info.message_imprint.hash_algorithm.oid.to_string(),
            |a| a.name().to_owned(),
        );
        return Err(TsaError::Imprint {
            expected: want,
            found: if alg == Some(DigestAlg::Sha256) {
                value
            } else {
                format!("{name} {value}")
            },
        });
    }
    Ok(())
}

/// The token repeats the request's nonce.
fn check_nonce(token: &Token, expected: &Expected) -> Result<(), TsaError> {
    let want = nonce_hex(expected.nonce);
    let found = token.info.nonce.as_ref().map(int_hex);
    if found.as_deref() != Some(want.as_str()) {
        return Err(TsaError::Nonce {
            expected: want,
            found: found.unwrap_or_else(|| "none".to_owned()),
        });
    }
    Ok(())
}

/// The certificate the signer identifier names, in the token or among the roots.
fn find_signer<'c>(
    sid: &SignerIdentifier,
    pool: &'c [Certificate],
    roots: &'c [Certificate],
) -> Result<&'c Certificate, TsaError> {
    let matches = |c: &&Certificate| match sid {
        SignerIdentifier::IssuerAndSerialNumber(ias) => {
            c.tbs_certificate.issuer == ias.issuer
                && c.tbs_certificate.serial_number == ias.serial_number
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => key_identifier(c) == ski.0.as_bytes(),
    };
    pool.iter()
        .chain(roots)
        .find(matches)
        .ok_or_else(|| TsaError::SignerCertificateMissing {
            sid: match sid {
                SignerIdentifier::IssuerAndSerialNumber(ias) => format!(
                    "issuer {}, serial {}",
                    ias.issuer,
                    hex(ias.serial_number.as_bytes())
                ),
                SignerIdentifier::SubjectKeyIdentifier(ski) => {
                    format!("subject key identifier {}", hex(ski.0.as_bytes()))
                }
            },
        })
}

/// A certificate's subject key identifier: its extension's value, else SHA-1 of its
/// public key (RFC 5280 4.2.1.2, method 1).
fn key_identifier(cert: &Certificate) -> Vec<u8> {
    let tbs = &cert.tbs_certificate;
    tbs.extensions
        .iter()
        .flatten()
        .find(|e| e.extn_id == oids::SUBJECT_KEY_IDENTIFIER)
        .and_then(|e| OctetString::from_der(e.extn_value.as_bytes()).ok())
        .map(|id| id.as_bytes().to_vec())
        .unwrap_or_else(|| {
            DigestAlg::Sha1.digest(tbs.subject_public_key_info.subject_public_key.raw_bytes())
        })
}

/// The single value of signed attribute `oid`, or `MissingAttribute`.
fn attribute<'a>(
    attrs: &'a [Attribute],
    oid: Oid,
    name: &'static str,
    oid_text: &'static str,
) -> Result<&'a der::Any, TsaError> {
    let attr = attrs
        .iter()
        .find(|a| a.oid == oid)
        .ok_or(TsaError::MissingAttribute {
            name,
            oid: oid_text,
        })?;
    match attr.values.as_slice() {
        [one] => Ok(one),
        many => Err(TsaError::unexpected(
            name,
            "exactly one value",
            format!("{} values", many.len()),
        )),
    }
}

/// content-type is id-ct-TSTInfo, message-digest is the digest of the TSTInfo, and the
/// TSA's key signed the attributes.
fn check_signed_attributes(
    token: &Token,
    signer: &SignerInfo,
    tsa: &Certificate,
) -> Result<(), TsaError> {
    let attrs = signer
        .signed_attrs
        .as_ref()
        .ok_or(TsaError::MissingAttribute {
            name: "signedAttrs",
            oid: "RFC 5652 5.3",
        })?;
    let list = attrs.as_slice();
    let content_type: Oid = attribute(
        list,
        oids::ATTR_CONTENT_TYPE,
        "content-type",
        "1.2.840.113549.1.9.3",
    )?
    .decode_as()
    .map_err(|e| TsaError::decode("content-type attribute", "OBJECT IDENTIFIER", e))?;
    if content_type != oids::TST_INFO {
        return Err(TsaError::unexpected(
            "content-type attribute",
            format!("id-ct-TSTInfo ({})", oids::TST_INFO),
            content_type.to_string(),
        ));
    }
    let digest_alg = signing_digest(&signer.digest_alg.oid, "SignerInfo digestAlgorithm")?;
    let claimed: OctetString = attribute(
        list,
        oids::ATTR_MESSAGE_DIGEST,
        "message-digest",
        "1.2.840.113549.1.9.4",
    )?
    .decode_as()
    .map_err(|e| TsaError::decode("message-digest attribute", "OCTET STRING", e))?;
    let actual = digest_alg.digest(&token.tst_der);
    if claimed.as_bytes() != actual.as_slice() {
        return Err(TsaError::unexpected(
            "message-digest attribute",
            format!("{} of the TSTInfo {}", digest_alg.name(), hex(&actual)),
            hex(claimed.as_bytes()),
        ));
    }
    let signed = signed_attrs_der(attrs)?;
    let signer_name = subject(tsa);
    verify(&SignatureCheck {
        what: "the token's signed attributes",
        signer: &signer_name,
        algorithm: &signer.signature_algorithm,
        digest_hint: Some(&signer.digest_alg),
        key: &tsa.tbs_certificate.subject_public_key_info,
        message: &signed,
        signature: signer.signature.as_bytes(),
    })
}

/// The signing-certificate attribute (ESSCertIDv2, else ESSCertID) names the TSA
/// certificate: its hash, and its issuer serial when given.
fn check_cert_id(signer: &SignerInfo, tsa: &Certificate) -> Result<&'static str, TsaError> {
    let list = signer
        .signed_attrs
        .as_ref()
        .map(|a| a.as_slice())
        .unwrap_or_default();
    let cert_der = tsa
        .to_der()
        .map_err(|e| TsaError::decode("TSA certificate", "Certificate", e))?;
    let v2 = attribute(
        list,
        oids::ATTR_SIGNING_CERT_V2,
        "signingCertificateV2",
        "1.2.840.113549.1.9.16.2.47",
    );
    let (attribute_name, alg, hash, issuer_serial) = if let Ok(value) = v2 {
        let sc: SigningCertificateV2 = value
            .decode_as()
            .map_err(|e| TsaError::decode("signingCertificateV2", "SigningCertificateV2", e))?;
        let first = sc.certs.into_iter().next().ok_or_else(|| {
            TsaError::unexpected("signingCertificateV2", "at least one ESSCertIDv2", "none")
        })?;
        let alg = match &first.hash_algorithm {
            None => DigestAlg::Sha256,
            Some(a) => DigestAlg::from_oid(&a.oid).ok_or_else(|| TsaError::Unsupported {
                what: "ESSCertIDv2 hash algorithm",
                supported: "SHA-1, SHA-256, SHA-384, SHA-512",
                oid: a.oid.to_string(),
            })?,
        };
        ("ESSCertIDv2", alg, first.cert_hash, first.issuer_serial)
    } else {
        let value = attribute(
            list,
            oids::ATTR_SIGNING_CERT,
            "signingCertificate or signingCertificateV2",
            "1.2.840.113549.1.9.16.2.12 or .47",
        )?;
        let sc: SigningCertificate = value
            .decode_as()
            .map_err(|e| TsaError::decode("signingCertificate", "SigningCertificate", e))?;
        let first = sc.certs.into_iter().next().ok_or_else(|| {
            TsaError::unexpected("signingCertificate", "at least one ESSCertID", "none")
        })?;
        (
            "ESSCertID",
            DigestAlg::Sha1,
            first.cert_hash,
            first.issuer_serial,
        )
    };
    let want = alg.digest(&cert_der);
    if hash.as_bytes() != want.as_slice() {
        return Err(TsaError::CertId {
            attribute: attribute_name,
            algorithm: alg.name().to_owned(),
            subject: subject(tsa),
            expected: hex(&want),
            found: hex(hash.as_bytes()),
        });
    }
    check_issuer_serial(attribute_name, issuer_serial.as_ref(), tsa)?;
    Ok(attribute_name)
}

/// An ESSCertID's issuerSerial, when present, carries the TSA certificate's serial.
fn check_issuer_serial(
    attribute: &'static str,
    given: Option<&IssuerSerial>,
    tsa: &Certificate,
) -> Result<(), TsaError> {
    let Some(given) = given else { return Ok(()) };
    let serial = &tsa.tbs_certificate.serial_number;
    if given.serial_number != *serial {
        return Err(TsaError::CertId {
            attribute,
            algorithm: "issuerSerial".to_owned(),
            subject: subject(tsa),
            expected: format!("serial {}", hex(serial.as_bytes())),
            found: format!("serial {}", hex(given.serial_number.as_bytes())),
        });
    }
    Ok(())
}
