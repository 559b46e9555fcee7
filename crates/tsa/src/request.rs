//! Building a `TimeStampReq` over a custody chain head.
//!
//! The datum time-stamped is the chain head as the 32 raw bytes its 64 hex digits name
//! (the head is itself the SHA-256 of the last custody entry's canonical content), and the
//! message imprint is SHA-256 of those 32 bytes. With OpenSSL:
//! `printf %s HEAD | xxd -r -p > head.bin; openssl ts -verify -data head.bin -in reply.tsr -CAfile root.pem`.

use der::asn1::{Int, OctetString};
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;

use crate::asn1::{MessageImprint, TimeStampReq};
use crate::oids::{hex, DigestAlg};
use crate::TsaError;

/// A request built, with what its token will be checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The DER `TimeStampReq` (send it with Content-Type `application/timestamp-query`).
    pub der: Vec<u8>,
    /// The message imprint asked for: SHA-256 of the head's 32 bytes.
    pub imprint: [u8; 32],
    /// The nonce the token must repeat.
    pub nonce: u64,
}

/// The message imprint for a custody chain head given as 64 hex digits: SHA-256 of the
/// 32 bytes they name.
pub fn imprint_of_head(head: &str) -> Result<[u8; 32], TsaError> {
    let bad = || TsaError::BadHead {
        found: head.to_owned(),
    };
    if head.len() != 64 {
        return Err(bad());
    }
    let mut raw = [0u8; 32];
    for (i, byte) in raw.iter_mut().enumerate() {
        let pair = head.get(2 * i..2 * i + 2).ok_or_else(bad)?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    let digest = DigestAlg::Sha256.digest(&raw);
    let mut imprint = [0u8; 32];
    imprint.copy_from_slice(&digest);
    Ok(imprint)
}

/// The DER INTEGER holding `nonce`, as a request or token carries it.
pub fn nonce_int(nonce: u64) -> Result<Int, TsaError> {
    let encoded = nonce
        .to_der()
        .map_err(|e| TsaError::decode("nonce", "INTEGER", e))?;
    Int::from_der(&encoded).map_err(|e| TsaError::decode("nonce", "INTEGER", e))
}

/// The nonce as written in custody details and messages: 16 hex digits.
pub fn nonce_hex(nonce: u64) -> String {
    format!("{nonce:016x}")
}

/// A request over the chain head `head` (64 hex digits): version 1, SHA-256 imprint,
/// a random 64-bit nonce, certReq TRUE, no policy.
pub fn build_request(head: &str) -> Result<Request, TsaError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(|e| TsaError::Random {
        reason: e.to_string(),
    })?;
    build_request_with_nonce(head, u64::from_be_bytes(bytes))
}

/// [`build_request`] with a given nonce.
pub fn build_request_with_nonce(head: &str, nonce: u64) -> Result<Request, TsaError> {
    let imprint = imprint_of_head(head)?;
    let request = TimeStampReq {
        version: 1,
        message_imprint: MessageImprint {
            hash_algorithm: AlgorithmIdentifierOwned {
                oid: DigestAlg::Sha256.oid(),
                parameters: None,
            },
            hashed_message: OctetString::new(imprint.to_vec())
                .map_err(|e| TsaError::decode("message imprint", "OCTET STRING", e))?,
        },
        req_policy: None,
        nonce: Some(nonce_int(nonce)?),
        cert_req: true,
    };
    let der = request
        .to_der()
        .map_err(|e| TsaError::decode("TimeStampReq", "SEQUENCE", e))?;
    Ok(Request {
        der,
        imprint,
        nonce,
    })
}

/// Reads a request back (e.g. one stored in a case): its imprint and nonce.
pub fn parse_request(der: &[u8]) -> Result<Request, TsaError> {
    let req =
        TimeStampReq::from_der(der).map_err(|e| TsaError::decode("TimeStampReq", "SEQUENCE", e))?;
    let found = req.message_imprint.hashed_message.as_bytes();
    let imprint: [u8; 32] = found
        .try_into()
        .map_err(|_| TsaError::unexpected("request imprint", "32 bytes", hex(found)))?;
    let nonce_bytes = req.nonce.as_ref().map(Int::as_bytes).unwrap_or_default();
    let nonce = int_to_u64(nonce_bytes)
        .ok_or_else(|| TsaError::unexpected("request nonce", "a 64-bit nonce", hex(nonce_bytes)))?;
    Ok(Request {
        der: der.to_vec(),
        imprint,
        nonce,
    })
}

/// The non-negative INTEGER content `bytes` as a u64, when it fits.
fn int_to_u64(bytes: &[u8]) -> Option<u64> {
    let trimmed = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        [first, ..] if first & 0x80 != 0 => return None,
        [] => return None,
        all => all,
    };
    if trimmed.len() > 8 {
        return None;
    }
    Some(
        trimmed
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

    #[test]
    fn the_imprint_is_sha256_of_the_heads_raw_bytes() {
        let imprint = imprint_of_head(HEAD).expect("imprint");
        let raw: Vec<u8> = (0..32)
            .map(|i| {
                [
                    0x00u8, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc,
                    0xdd, 0xee, 0xff,
                ][i % 16]
            })
            .collect();
        assert_eq!(imprint.to_vec(), DigestAlg::Sha256.digest(&raw));
        assert!(imprint_of_head("zz").is_err());
        assert!(imprint_of_head(&"g".repeat(64)).is_err());
    }

    #[test]
    fn requests_round_trip_with_any_nonce() {
        for nonce in [0, 1, 0x7f, 0x80, 0xff, u64::MAX, 0x8000_0000_0000_0000] {
            let req = build_request_with_nonce(HEAD, nonce).expect("build");
            let back = parse_request(&req.der).expect("parse");
            assert_eq!(back, req, "nonce {nonce:#x}");
        }
        let random = build_request(HEAD).expect("random");
        assert_eq!(
            parse_request(&random.der).expect("parse").nonce,
            random.nonce
        );
    }
}
