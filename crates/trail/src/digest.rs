//! CloudTrail digest files: their fields, and the string AWS signs.

use serde::{Deserialize, Serialize};

use crate::error::TrailError;

/// One CloudTrail digest file, as AWS writes it (field names are AWS's).
///
/// A digest is delivered per region per hour while log-file validation is on. It
/// lists the log files delivered in `[digestStartTime, digestEndTime]` with the
/// SHA-256 of their uncompressed content, and links to the previous digest by
/// key, hash and signature, which makes deletions detectable. Its own signature
/// is not inside: it lives in the S3 object metadata (see [`crate::Signatures`]).
/// Unknown fields are ignored, so that additions by AWS do not break validation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Digest {
    /// The account the digest was delivered for.
    pub aws_account_id: String,
    /// Start of the delivery period covered, RFC 3339 UTC.
    pub digest_start_time: String,
    /// End of the delivery period covered; also the first line of the signing string.
    pub digest_end_time: String,
    /// Bucket the digest was delivered to.
    pub digest_s3_bucket: String,
    /// Key the digest was delivered to; used to check that it was not moved.
    pub digest_s3_object: String,
    /// Hex MD5 of the DER public key whose private key signed this digest.
    pub digest_public_key_fingerprint: String,
    /// Always `SHA256withRSA` so far.
    pub digest_signature_algorithm: String,
    /// Newest event in the listed log files (null when none were delivered).
    #[serde(default)]
    pub newest_event_time: Option<String>,
    /// Oldest event in the listed log files (null when none were delivered).
    #[serde(default)]
    pub oldest_event_time: Option<String>,
    /// Bucket of the previous digest; null in the first digest of a chain.
    #[serde(default)]
    pub previous_digest_s3_bucket: Option<String>,
    /// Key of the previous digest; null in the first digest of a chain.
    #[serde(default)]
    pub previous_digest_s3_object: Option<String>,
    /// Hex SHA-256 of the previous digest's uncompressed bytes.
    #[serde(default)]
    pub previous_digest_hash_value: Option<String>,
    /// Always `SHA-256` so far.
    #[serde(default)]
    pub previous_digest_hash_algorithm: Option<String>,
    /// Hex signature of the previous digest (the one in its S3 metadata).
    #[serde(default)]
    pub previous_digest_signature: Option<String>,
    /// The log files delivered in this digest's period; empty proves none were.
    pub log_files: Vec<LogFileRef>,
}

/// One log file listed in a digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogFileRef {
    /// Bucket the log file was delivered to.
    pub s3_bucket: String,
    /// Key the log file was delivered to.
    pub s3_object: String,
    /// Hex SHA-256 of the log file's uncompressed content.
    pub hash_value: String,
    /// Always `SHA-256` so far.
    pub hash_algorithm: String,
    /// Newest event in the file.
    #[serde(default)]
    pub newest_event_time: Option<String>,
    /// Oldest event in the file.
    #[serde(default)]
    pub oldest_event_time: Option<String>,
}

/// The keys whose presence near the start of a JSON object marks it as a digest.
pub(crate) const SNIFF_KEYS: [&[u8]; 3] = [
    b"\"digestStartTime\"",
    b"\"digestS3Object\"",
    b"\"digestPublicKeyFingerprint\"",
];

/// True when `prefix` (the first bytes of an uncompressed file) looks like a digest.
pub(crate) fn looks_like_digest(prefix: &[u8]) -> bool {
    let start = prefix.iter().position(|b| !b.is_ascii_whitespace());
    start.is_some_and(|i| prefix[i] == b'{')
        && SNIFF_KEYS
            .iter()
            .any(|k| prefix.windows(k.len()).any(|w| w == *k))
}

/// True when `prefix` looks like a CloudTrail log file (`{"Records":[...`).
pub(crate) fn looks_like_log(prefix: &[u8]) -> bool {
    let head = &prefix[..prefix.len().min(64)];
    let start = head.iter().position(|b| !b.is_ascii_whitespace());
    start.is_some_and(|i| head[i] == b'{') && head.windows(9).any(|w| w == b"\"Records\"")
}

impl Digest {
    /// Parses the uncompressed bytes of a digest file. `path` is only used in errors.
    ///
    /// Nesting deeper than serde_json's limit (128) is rejected rather than
    /// overflowing the stack; size is capped by the caller before this is reached.
    pub fn parse(bytes: &[u8], path: &std::path::Path) -> Result<Digest, TrailError> {
        serde_json::from_slice(bytes).map_err(|e| {
            TrailError::format(
                path,
                "a CloudTrail digest JSON object (awsAccountId, digestEndTime, logFiles, …)",
                e.to_string(),
            )
        })
    }

    /// The string AWS signs for this digest, given the hex SHA-256 of its uncompressed bytes.
    pub fn signing_string(&self, digest_sha256_hex: &str) -> String {
        signing_string(
            &self.digest_end_time,
            &self.digest_s3_bucket,
            &self.digest_s3_object,
            digest_sha256_hex,
            self.previous_digest_signature.as_deref(),
        )
    }
}

/// The data CloudTrail signs for a digest: four lines joined by `\n`, no trailing newline —
/// `digestEndTime`, `digestS3Bucket/digestS3Object`, the hex SHA-256 of the uncompressed
/// digest bytes, and `previousDigestSignature` (the literal `null` in a chain's first digest).
///
/// The signature is RSA PKCS#1 v1.5 over SHA-256 of this string. Exposed so that other
/// tools (and tests) can reproduce AWS's exact input.
pub fn signing_string(
    digest_end_time: &str,
    digest_s3_bucket: &str,
    digest_s3_object: &str,
    digest_sha256_hex: &str,
    previous_digest_signature: Option<&str>,
) -> String {
    format!(
        "{digest_end_time}\n{digest_s3_bucket}/{digest_s3_object}\n{digest_sha256_hex}\n{}",
        previous_digest_signature.unwrap_or("null")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::sha256;
    use cloudcase_util::hex;

    /// Known answer from aws-cli's unit tests (shared/datasets/awscli-vectors/README.txt).
    #[test]
    fn signing_string_known_answer() {
        let s = signing_string("a", "b", "c", &hex::encode(&sha256(b"abc")), None);
        assert_eq!(
            s,
            "a\nb/c\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\nnull"
        );
    }

    const SAMPLE: &str = r#"{
  "awsAccountId": "111122223333",
  "digestStartTime": "2015-08-20T17:01:31Z",
  "digestEndTime": "2015-08-20T18:01:31Z",
  "digestS3Bucket": "example-bucket-name",
  "digestS3Object": "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/20/111122223333_CloudTrail-Digest_us-east-2_example-trail-name_us-east-2_20150820T180131Z.json.gz",
  "digestPublicKeyFingerprint": "31e8b5433410dfb61a9dc45cc65b22ff",
  "digestSignatureAlgorithm": "SHA256withRSA",
  "newestEventTime": null,
  "oldestEventTime": null,
  "previousDigestS3Bucket": "example-bucket-name",
  "previousDigestS3Object": "AWSLogs/111122223333/CloudTrail-Digest/us-east-2/2015/08/20/111122223333_CloudTrail-Digest_us-east-2_example-trail-name_us-east-2_20150820T170131Z.json.gz",
  "previousDigestHashValue": "ed96c4bac9eaa8fe9716ca0e515da51938be651b1db31d781956416a9d05cdfa",
  "previousDigestHashAlgorithm": "SHA-256",
  "previousDigestSignature": "8270",
  "futureField": {"nested": [1, 2, 3]},
  "logFiles": []
}"#;

    #[test]
    fn parses_the_documented_empty_digest() {
        let d = Digest::parse(SAMPLE.as_bytes(), std::path::Path::new("x")).expect("parses");
        assert!(d.log_files.is_empty());
        assert_eq!(d.previous_digest_signature.as_deref(), Some("8270"));
        assert!(d
            .signing_string("00")
            .starts_with("2015-08-20T18:01:31Z\nexample-bucket-name/AWSLogs/111122223333/"));
        assert!(looks_like_digest(SAMPLE.as_bytes()));
        assert!(!looks_like_log(SAMPLE.as_bytes()));
        assert!(looks_like_log(b"{\"Records\":[]}"));
    }

    #[test]
    fn errors_say_what_was_expected_and_found() {
        let e = Digest::parse(br#"{"awsAccountId":"1"}"#, std::path::Path::new("d.json"))
            .expect_err("incomplete");
        let msg = e.to_string();
        assert!(
            msg.contains("d.json") && msg.contains("expected") && msg.contains("missing field"),
            "{msg}"
        );
    }

    #[test]
    fn deep_nesting_is_rejected_not_a_stack_overflow() {
        let mut s = String::from(r#"{"awsAccountId":"#);
        s.push_str(&"[".repeat(200_000));
        assert!(Digest::parse(s.as_bytes(), std::path::Path::new("deep")).is_err());
        let mut s = String::from(r#"{"unknownField":"#);
        s.push_str(&"[".repeat(200_000));
        assert!(Digest::parse(s.as_bytes(), std::path::Path::new("deep")).is_err());
    }
}
