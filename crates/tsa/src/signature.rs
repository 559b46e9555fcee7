//! Checking one signature: RSA PKCS #1 v1.5, RSA-PSS, or ECDSA on P-256 or P-384, with
//! SHA-256, SHA-384 or SHA-512. Certificates' and the TSA's signatures go through here.

use const_oid::ObjectIdentifier as Oid;
use der::{Decode, Encode};
use ecdsa::signature::hazmat::PrehashVerifier;
use rsa::pkcs1::{DecodeRsaPublicKey, RsaPssParams};
use rsa::{Pkcs1v15Sign, Pss, RsaPublicKey};
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};

use crate::oids::{self, signing_digest, DigestAlg, CURVE_P256, CURVE_P384};
use crate::TsaError;

/// The signature algorithms verified, for messages.
pub const SUPPORTED: &str = "RSA PKCS#1 v1.5, RSASSA-PSS (MGF1 with the same digest), ECDSA on P-256 or P-384; with SHA-256, SHA-384 or SHA-512";

/// How a signature is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    /// RSA PKCS #1 v1.5.
    Pkcs1,
    /// RSASSA-PSS, parameters in the algorithm identifier.
    Pss,
    /// ECDSA, DER-encoded (r, s).
    Ecdsa,
}

impl Scheme {
    /// The scheme's name in messages.
    fn name(self) -> &'static str {
        match self {
            Scheme::Pkcs1 => "RSA PKCS#1 v1.5",
            Scheme::Pss => "RSASSA-PSS",
            Scheme::Ecdsa => "ECDSA",
        }
    }
}

/// Signature algorithm OIDs: scheme and digest (`None`: the digest is named elsewhere,
/// as CMS does with `rsaEncryption` or `id-ecPublicKey` and its `digestAlgorithm`).
const ALGORITHMS: &[(Oid, Scheme, Option<DigestAlg>)] = &[
    (Oid::new_unwrap("1.2.840.113549.1.1.1"), Scheme::Pkcs1, None),
    (
        Oid::new_unwrap("1.2.840.113549.1.1.11"),
        Scheme::Pkcs1,
        Some(DigestAlg::Sha256),
    ),
    (
        Oid::new_unwrap("1.2.840.113549.1.1.12"),
        Scheme::Pkcs1,
        Some(DigestAlg::Sha384),
    ),
    (
        Oid::new_unwrap("1.2.840.113549.1.1.13"),
        Scheme::Pkcs1,
        Some(DigestAlg::Sha512),
    ),
    (Oid::new_unwrap("1.2.840.113549.1.1.10"), Scheme::Pss, None),
    (Oid::new_unwrap("1.2.840.10045.2.1"), Scheme::Ecdsa, None),
    (
        Oid::new_unwrap("1.2.840.10045.4.3.2"),
        Scheme::Ecdsa,
        Some(DigestAlg::Sha256),
    ),
    (
        Oid::new_unwrap("1.2.840.10045.4.3.3"),
        Scheme::Ecdsa,
        Some(DigestAlg::Sha384),
    ),
    (
        Oid::new_unwrap("1.2.840.10045.4.3.4"),
        Scheme::Ecdsa,
        Some(DigestAlg::Sha512),
    ),
];

/// One signature to check.
#[derive(Debug, Clone, Copy)]
pub struct SignatureCheck<'a> {
    /// What was signed, for messages.
    pub what: &'a str,
    /// Who signed (the certificate's subject), for messages.
    pub signer: &'a str,
    /// The signature algorithm.
    pub algorithm: &'a AlgorithmIdentifierOwned,
    /// The digest when the algorithm does not name one (CMS `digestAlgorithm`).
    pub digest_hint: Option<&'a AlgorithmIdentifierOwned>,
    /// The signer's public key.
    pub key: &'a SubjectPublicKeyInfoOwned,
    /// The signed bytes.
    pub message: &'a [u8],
    /// The signature.
    pub signature: &'a [u8],
}

/// Checks `check`'s signature; errors name the algorithm, the signer and what was signed.
pub fn verify(check: &SignatureCheck<'_>) -> Result<(), TsaError> {
    let oid = check.algorithm.oid;
    let (scheme, named) = ALGORITHMS
        .iter()
        .find(|(o, _, _)| *o == oid)
        .map(|(_, s, d)| (*s, *d))
        .ok_or_else(|| TsaError::Unsupported {
            what: "signature algorithm",
            supported: SUPPORTED,
            oid: oid.to_string(),
        })?;
    let (digest, salt) = match (scheme, named) {
        (Scheme::Pss, _) => pss_parameters(check.algorithm)?,
        (_, Some(d)) => (d, 0),
        (_, None) => {
            let hint = check.digest_hint.ok_or_else(|| {
                TsaError::unexpected(
                    "signature algorithm",
                    "one naming its digest",
                    oid.to_string(),
                )
            })?;
            (signing_digest(&hint.oid, "digest algorithm")?, 0)
        }
    };
    let hashed = digest.digest(check.message);
    let ok = match scheme {
        Scheme::Pkcs1 | Scheme::Pss => verify_rsa(check, scheme, digest, salt, &hashed)?,
        Scheme::Ecdsa => verify_ecdsa(check, &hashed)?,
    };
    if ok {
        Ok(())
    } else {
        Err(TsaError::BadSignature {
            what: check.what.to_owned(),
            algorithm: format!("{} with {}", scheme.name(), digest.name()),
            signer: check.signer.to_owned(),
        })
    }
}

/// The digest and salt length of RSASSA-PSS parameters; MGF1 must use the same digest.
fn pss_parameters(alg: &AlgorithmIdentifierOwned) -> Result<(DigestAlg, usize), TsaError> {
    let params = match &alg.parameters {
        Some(any) => any
            .to_der()
            .map_err(|e| TsaError::decode("RSASSA-PSS parameters", "RSASSA-PSS-params", e))?,
        None => Vec::new(),
    };
    let parsed = if params.is_empty() {
        RsaPssParams::default()
    } else {
        RsaPssParams::from_der(&params)
            .map_err(|e| TsaError::decode("RSASSA-PSS parameters", "RSASSA-PSS-params", e))?
    };
    let digest = signing_digest(&parsed.hash.oid, "RSASSA-PSS digest")?;
    let mgf_digest = parsed.mask_gen.parameters.map(|p| p.oid);
    if mgf_digest != Some(parsed.hash.oid) {
        return Err(TsaError::unexpected(
            "RSASSA-PSS mask generation",
            format!("MGF1 with {}", digest.name()),
            format!("{:?}", mgf_digest.map(|o| o.to_string())),
        ));
    }
    Ok((digest, usize::from(parsed.salt_len)))
}

/// Checks an RSA signature; `Err` when the key is not RSA.
fn verify_rsa(
    check: &SignatureCheck<'_>,
    scheme: Scheme,
    digest: DigestAlg,
    salt: usize,
    hashed: &[u8],
) -> Result<bool, TsaError> {
    let key_oid = check.key.algorithm.oid;
    if key_oid != oids::RSA_ENCRYPTION && key_oid != oids::RSASSA_PSS {
        return Err(bad_key(check, "an RSA key", key_oid.to_string()));
    }
    let key = RsaPublicKey::from_pkcs1_der(check.key.subject_public_key.raw_bytes())
        .map_err(|e| bad_key(check, "an RSA key", e.to_string()))?;
    let sig = check.signature;
    let result = match (scheme, digest) {
        (Scheme::Pss, DigestAlg::Sha256) => {
            key.verify(Pss::new_with_salt::<sha2::Sha256>(salt), hashed, sig)
        }
        (Scheme::Pss, DigestAlg::Sha384) => {
            key.verify(Pss::new_with_salt::<sha2::Sha384>(salt), hashed, sig)
        }
        (Scheme::Pss, _) => key.verify(Pss::new_with_salt::<sha2::Sha512>(salt), hashed, sig),
        (_, DigestAlg::Sha256) => key.verify(Pkcs1v15Sign::new::<sha2::Sha256>(), hashed, sig),
        (_, DigestAlg::Sha384) => key.verify(Pkcs1v15Sign::new::<sha2::Sha384>(), hashed, sig),
        (_, _) => key.verify(Pkcs1v15Sign::new::<sha2::Sha512>(), hashed, sig),
    };
    Ok(result.is_ok())
}

/// Checks an ECDSA signature over a P-256 or P-384 key; `Err` for other keys.
fn verify_ecdsa(check: &SignatureCheck<'_>, hashed: &[u8]) -> Result<bool, TsaError> {
    let key_alg = &check.key.algorithm;
    if key_alg.oid != oids::EC_PUBLIC_KEY {
        return Err(bad_key(check, "an EC key", key_alg.oid.to_string()));
    }
    let curve: Option<Oid> = key_alg.parameters.as_ref().and_then(|p| p.decode_as().ok());
    let point = check.key.subject_public_key.raw_bytes();
    let sig = check.signature;
    let bad = |e: ecdsa::Error| bad_key(check, "a P-256 or P-384 point", e.to_string());
    match curve {
        Some(c) if c == CURVE_P256 => {
            let key = p256::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(bad)?;
            Ok(p256::ecdsa::Signature::from_der(sig)
                .and_then(|s| key.verify_prehash(hashed, &s))
                .is_ok())
        }
        Some(c) if c == CURVE_P384 => {
            let key = p384::ecdsa::VerifyingKey::from_sec1_bytes(point).map_err(bad)?;
            Ok(p384::ecdsa::Signature::from_der(sig)
                .and_then(|s| key.verify_prehash(hashed, &s))
                .is_ok())
        }
        other => Err(bad_key(
            check,
            "curve P-256 or P-384",
            other.map_or_else(|| "no named curve".to_owned(), |o| o.to_string()),
        )),
    }
}

/// A key that cannot check this signature.
fn bad_key(check: &SignatureCheck<'_>, expected: &str, found: String) -> TsaError {
    TsaError::BadKey {
        subject: check.signer.to_owned(),
        expected: expected.to_owned(),
        found,
    }
}
