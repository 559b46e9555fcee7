//! The object identifiers this crate reads and writes, and the digest algorithms it
//! computes, in tables.

use const_oid::ObjectIdentifier as Oid;
use sha2::Digest as _;

/// id-ct-TSTInfo (RFC 3161): the content type of a time-stamp token's signed content.
pub const TST_INFO: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.4");
/// id-signedData (RFC 5652).
pub const SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
/// The content-type signed attribute (RFC 5652 11.1).
pub const ATTR_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
/// The message-digest signed attribute (RFC 5652 11.2).
pub const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
/// id-aa-signingCertificate (RFC 2634 5.4): ESSCertID, SHA-1.
pub const ATTR_SIGNING_CERT: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// id-aa-signingCertificateV2 (RFC 5035): ESSCertIDv2.
pub const ATTR_SIGNING_CERT_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");
/// id-kp-timeStamping (RFC 5280 4.2.1.12).
pub const KP_TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");
/// The extendedKeyUsage extension.
pub const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
/// The subjectKeyIdentifier extension.
pub const SUBJECT_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.14");
/// The basicConstraints extension.
pub const BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
/// rsaEncryption: an RSA key, or PKCS #1 v1.5 with the digest named elsewhere.
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// id-RSASSA-PSS.
pub const RSASSA_PSS: Oid = Oid::new_unwrap("1.2.840.113549.1.1.10");
/// id-ecPublicKey: an elliptic-curve key, or ECDSA with the digest named elsewhere.
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
/// The P-256 curve (secp256r1).
pub const CURVE_P256: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
/// The P-384 curve (secp384r1).
pub const CURVE_P384: Oid = Oid::new_unwrap("1.3.132.0.34");

/// A digest algorithm this crate computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlg {
    /// SHA-1 (only for ESSCertID, whose RFC fixes it).
    Sha1,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
}

/// Every digest algorithm: OID and name, in the enum's order (indexed by it).
const DIGESTS: &[(DigestAlg, Oid, &str)] = &[
    (DigestAlg::Sha1, Oid::new_unwrap("1.3.14.3.2.26"), "SHA-1"),
    (
        DigestAlg::Sha256,
        Oid::new_unwrap("2.16.840.1.101.3.4.2.1"),
        "SHA-256",
    ),
    (
        DigestAlg::Sha384,
        Oid::new_unwrap("2.16.840.1.101.3.4.2.2"),
        "SHA-384",
    ),
    (
        DigestAlg::Sha512,
        Oid::new_unwrap("2.16.840.1.101.3.4.2.3"),
        "SHA-512",
    ),
];

/// The digests accepted where a signature's digest is chosen by the signer.
pub const SIGNING_DIGESTS: &str = "SHA-256, SHA-384, SHA-512";

impl DigestAlg {
    /// The algorithm with this OID.
    pub fn from_oid(oid: &Oid) -> Option<DigestAlg> {
        DIGESTS
            .iter()
            .find(|(_, o, _)| o == oid)
            .map(|(d, _, _)| *d)
    }

    /// The algorithm's OID.
    pub fn oid(self) -> Oid {
        DIGESTS[self as usize].1
    }

    /// The algorithm's name.
    pub fn name(self) -> &'static str {
        DIGESTS[self as usize].2
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        match self {
            DigestAlg::Sha1 => sha1::Sha1::digest(data).to_vec(),
            DigestAlg::Sha256 => sha2::Sha256::digest(data).to_vec(),
            DigestAlg::Sha384 => sha2::Sha384::digest(data).to_vec(),
            DigestAlg::Sha512 => sha2::Sha512::digest(data).to_vec(),
        }
    }
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The digest named by `oid` for a signature; SHA-1 is refused there.
pub(crate) fn signing_digest(oid: &Oid, what: &'static str) -> Result<DigestAlg, crate::TsaError> {
    match DigestAlg::from_oid(oid) {
        Some(d) if d != DigestAlg::Sha1 => Ok(d),
        _ => Err(crate::TsaError::Unsupported {
            what,
            supported: SIGNING_DIGESTS,
            oid: oid.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_table_is_in_the_enums_order() {
        for (i, (alg, oid, _)) in DIGESTS.iter().enumerate() {
            assert_eq!(*alg as usize, i);
            assert_eq!(DigestAlg::from_oid(oid), Some(*alg));
        }
    }
}
