//! Reading a `TimeStampResp` and the token inside it: status, `SignedData`, `TSTInfo`.

use cms::content_info::ContentInfo;
use cms::signed_data::SignedData;
use der::asn1::Int;
use der::{Decode, Encode, Reader, SliceReader, Tag, Tagged};
use jiff::Timestamp;

use crate::asn1::{PkiStatusInfo, TstInfo};
use crate::oids::{hex, DigestAlg, SIGNED_DATA, TST_INFO};
use crate::TsaError;

/// PKIStatus names, by value (RFC 3161 2.4.2).
const STATUS_NAMES: &[&str] = &[
    "granted",
    "grantedWithMods",
    "rejection",
    "waiting",
    "revocationWarning",
    "revocationNotification",
];

/// PKIFailureInfo bit names, by bit number (RFC 3161 2.4.2).
const FAILURE_BITS: &[(usize, &str)] = &[
    (0, "badAlg"),
    (2, "badRequest"),
    (5, "badDataFormat"),
    (14, "timeNotAvailable"),
    (15, "unacceptedPolicy"),
    (16, "unacceptedExtension"),
    (17, "addInfoNotAvailable"),
    (25, "systemFailure"),
];

/// A reply whose status is granted or grantedWithMods (RFC 3161 says a token with
/// grantedWithMods is a valid token; the modification is the TSA's to state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantedReply {
    /// 0 (granted) or 1 (grantedWithMods).
    pub status: u8,
    /// The status name.
    pub status_name: &'static str,
    /// The token's exact DER bytes (a CMS `ContentInfo`).
    pub token_der: Vec<u8>,
}

/// Reads a DER `TimeStampResp` and returns its token when the status grants one.
pub fn parse_reply(der: &[u8]) -> Result<GrantedReply, TsaError> {
    let what = "TimeStampResp";
    let mut reader = SliceReader::new(der).map_err(|e| TsaError::decode(what, "SEQUENCE", e))?;
    let (info, token) = reader
        .sequence(|r| {
            let info = PkiStatusInfo::decode(r)?;
            let token = if r.is_finished() {
                None
            } else {
                Some(r.tlv_bytes()?.to_vec())
            };
            Ok((info, token))
        })
        .map_err(|e| {
            TsaError::decode(
                what,
                "SEQUENCE { PKIStatusInfo, TimeStampToken OPTIONAL }",
                e,
            )
        })?;
    reader
        .finish(())
        .map_err(|e| TsaError::decode(what, "nothing after the reply", e))?;
    let status_name = STATUS_NAMES
        .get(usize::from(info.status))
        .copied()
        .unwrap_or("unknown");
    if info.status > 1 {
        return Err(not_granted(&info, status_name));
    }
    let token_der = token.ok_or(TsaError::NoToken)?;
    Ok(GrantedReply {
        status: info.status,
        status_name,
        token_der,
    })
}

/// The error for a reply that grants nothing.
fn not_granted(info: &PkiStatusInfo<'_>, name: &str) -> TsaError {
    let text: Vec<&str> = info
        .status_string
        .iter()
        .flatten()
        .map(|s| s.as_str())
        .collect();
    let bits: Vec<&str> = info
        .fail_info
        .as_ref()
        .map(|b| {
            FAILURE_BITS
                .iter()
                .filter(|(bit, _)| b.bits().nth(*bit).unwrap_or(false))
                .map(|(_, n)| *n)
                .collect()
        })
        .unwrap_or_default();
    TsaError::NotGranted {
        status: format!("{} ({name})", info.status),
        text: if text.is_empty() {
            String::new()
        } else {
            format!(": {}", text.join("; "))
        },
        fail_info: if bits.is_empty() {
            String::new()
        } else {
            format!("; failInfo {}", bits.join(", "))
        },
    }
}

/// A time-stamp token read (not yet verified).
#[derive(Debug, Clone)]
pub struct Token {
    /// The token's DER bytes.
    pub der: Vec<u8>,
    /// The CMS `SignedData`.
    pub signed_data: SignedData,
    /// The exact `TSTInfo` bytes that were signed (the eContent).
    pub tst_der: Vec<u8>,
    /// The `TSTInfo`.
    pub info: TstInfo,
    /// genTime.
    pub gen_time: Timestamp,
}

impl Token {
    /// genTime as RFC 3339 UTC (fractional seconds as the TSA gave them).
    pub fn gen_time_text(&self) -> String {
        self.gen_time.to_string()
    }

    /// The serial number as hex.
    pub fn serial_hex(&self) -> String {
        int_hex(&self.info.serial_number)
    }

    /// The nonce as hex (16 digits when it fits 64 bits), if the token has one.
    pub fn nonce_hex(&self) -> Option<String> {
        self.info.nonce.as_ref().map(int_hex)
    }

    /// The TSA policy OID.
    pub fn policy(&self) -> String {
        self.info.policy.to_string()
    }

    /// The message imprint's algorithm and value (hex).
    pub fn imprint(&self) -> (Option<DigestAlg>, String) {
        let mi = &self.info.message_imprint;
        (
            DigestAlg::from_oid(&mi.hash_algorithm.oid),
            hex(mi.hashed_message.as_bytes()),
        )
    }
}

/// An INTEGER as hex: its value bytes without a leading sign byte; numbers up to 64
/// bits padded to 16 digits, as nonces are written.
pub fn int_hex(value: &Int) -> String {
    let bytes = value.as_bytes();
    let bytes = match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        all => all,
    };
    let text = hex(bytes);
    if bytes.len() <= 8 {
        format!("{text:0>16}")
    } else {
        text
    }
}

/// Reads a token (a CMS `ContentInfo` holding `SignedData` over a `TSTInfo`).
pub fn parse_token(der: &[u8]) -> Result<Token, TsaError> {
    let ci = ContentInfo::from_der(der)
        .map_err(|e| TsaError::decode("TimeStampToken", "ContentInfo", e))?;
    if ci.content_type != SIGNED_DATA {
        return Err(TsaError::unexpected(
            "token content type",
            format!("id-signedData ({SIGNED_DATA})"),
            ci.content_type.to_string(),
        ));
    }
    let signed_data: SignedData = ci
        .content
        .decode_as()
        .map_err(|e| TsaError::decode("TimeStampToken", "SignedData", e))?;
    let eci = &signed_data.encap_content_info;
    if eci.econtent_type != TST_INFO {
        return Err(TsaError::unexpected(
            "eContentType",
            format!("id-ct-TSTInfo ({TST_INFO})"),
            eci.econtent_type.to_string(),
        ));
    }
    let econtent = eci
        .econtent
        .as_ref()
        .ok_or_else(|| TsaError::unexpected("eContent", "the TSTInfo", "none"))?;
    if econtent.tag() != Tag::OctetString {
        return Err(TsaError::unexpected(
            "eContent",
            "an OCTET STRING",
            econtent.tag().to_string(),
        ));
    }
    let tst_der = econtent.value().to_vec();
    let info =
        TstInfo::from_der(&tst_der).map_err(|e| TsaError::decode("TSTInfo", "SEQUENCE", e))?;
    if info.version != 1 {
        return Err(TsaError::unexpected(
            "TSTInfo version",
            "1",
            info.version.to_string(),
        ));
    }
    let gen_time = parse_gen_time(&info.gen_time)?;
    let der = der.to_vec();
    Ok(Token {
        der,
        signed_data,
        tst_der,
        info,
        gen_time,
    })
}

/// genTime: `YYYYMMDDhhmmss[.f…]Z` (RFC 3161 2.4.2: UTC, no trailing zeros in the fraction).
fn parse_gen_time(any: &der::Any) -> Result<Timestamp, TsaError> {
    let text = std::str::from_utf8(any.value()).unwrap_or("");
    let bad = || {
        TsaError::unexpected(
            "genTime",
            "GeneralizedTime YYYYMMDDhhmmss[.fraction]Z",
            format!("{} {text:?}", any.tag()),
        )
    };
    if any.tag() != Tag::GeneralizedTime {
        return Err(bad());
    }
    let body = text.strip_suffix('Z').ok_or_else(bad)?;
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    if whole.len() != 14 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || fraction.len() > 9 {
        return Err(bad());
    }
    let field = |at: usize, len: usize| whole[at..at + len].parse::<i16>().map_err(|_| bad());
    let nanos: i32 = if fraction.is_empty() {
        0
    } else {
        format!("{fraction:0<9}").parse().map_err(|_| bad())?
    };
    let dt = jiff::civil::DateTime::new(
        field(0, 4)?,
        field(4, 2)? as i8,
        field(6, 2)? as i8,
        field(8, 2)? as i8,
        field(10, 2)? as i8,
        field(12, 2)? as i8,
        nanos,
    )
    .map_err(|_| bad())?;
    dt.to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp())
        .map_err(|_| bad())
}

/// The DER of a token's signed attributes as signed: the SET OF tag, not `[0]`.
pub(crate) fn signed_attrs_der(attrs: &x509_cert::attr::Attributes) -> Result<Vec<u8>, TsaError> {
    attrs
        .to_der()
        .map_err(|e| TsaError::decode("signed attributes", "SET OF Attribute", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn time(text: &str) -> Result<Timestamp, TsaError> {
        let any = der::Any::new(Tag::GeneralizedTime, text.as_bytes()).expect("any");
        parse_gen_time(&any)
    }

    #[test]
    fn gen_time_keeps_fractional_seconds_and_refuses_other_forms() {
        assert_eq!(
            time("20261205173618Z").expect("whole").to_string(),
            "2026-12-05T17:36:18Z"
        );
        assert_eq!(
            time("20261205173618.125Z").expect("fraction").to_string(),
            "2026-12-05T17:36:18.125Z"
        );
        for bad in [
            "20261205173618",
            "20261305173618Z",
            "2026120517Z",
            "20261205173618.Z1",
        ] {
            let err = time(bad).expect_err(bad);
            assert!(
                err.to_string()
                    .contains("genTime: expected GeneralizedTime"),
                "{err}"
            );
        }
    }

    #[test]
    fn a_rejection_names_its_status_text_and_failure_bits() {
        // TimeStampResp { status { 2, ["bad"], failInfo badAlg } }
        let reply = [
            0x30, 0x10, 0x30, 0x0e, 0x02, 0x01, 0x02, 0x30, 0x05, 0x0c, 0x03, b'b', b'a', b'd',
            0x03, 0x02, 0x07, 0x80,
        ];
        let err = parse_reply(&reply).expect_err("rejected");
        assert_eq!(
            err.to_string(),
            "reply status: expected granted (0) or grantedWithMods (1), found 2 (rejection): bad; failInfo badAlg"
        );
        let granted_without_token = [0x30, 0x05, 0x30, 0x03, 0x02, 0x01, 0x00];
        assert_eq!(parse_reply(&granted_without_token), Err(TsaError::NoToken));
        assert!(matches!(
            parse_reply(b"not DER"),
            Err(TsaError::Decode { .. })
        ));
    }

    #[test]
    fn integers_print_as_hex_nonces_do() {
        let int = |bytes: &[u8]| Int::new(bytes).expect("int");
        assert_eq!(int_hex(&int(&[0x00, 0xb4, 0x24])), "000000000000b424");
        assert_eq!(int_hex(&int(&[0x01; 9])), "010101010101010101");
    }
}
