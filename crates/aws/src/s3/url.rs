//! `s3://BUCKET[/PREFIX]` locations.

use crate::error::AwsError;

/// A bucket and an optional key prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    /// Bucket name.
    pub bucket: String,
    /// Key prefix (may be empty: the whole bucket).
    pub prefix: String,
}

impl S3Url {
    /// Parses `s3://BUCKET` or `s3://BUCKET/PREFIX`.
    pub fn parse(s: &str) -> Result<S3Url, AwsError> {
        let invalid = || AwsError::Invalid {
            expected: "s3://BUCKET[/PREFIX]",
            found: s.to_owned(),
        };
        let rest = s.strip_prefix("s3://").ok_or_else(invalid)?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() || bucket.contains(char::is_whitespace) {
            return Err(invalid());
        }
        Ok(S3Url {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        })
    }

    /// The URI of an object in this bucket, as recorded in the manifest.
    pub fn object_uri(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    /// `prefix` joined to `name` with exactly one `/` between them.
    pub fn key(&self, name: &str) -> String {
        match self.prefix.trim_end_matches('/') {
            "" => name.to_owned(),
            p => format!("{p}/{name}"),
        }
    }
}

impl std::fmt::Display for S3Url {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bucket_and_prefix() {
        let u = S3Url::parse("s3://trail/AWSLogs/1/").expect("valid");
        assert_eq!(
            (u.bucket.as_str(), u.prefix.as_str()),
            ("trail", "AWSLogs/1/")
        );
        assert_eq!(u.key("x"), "AWSLogs/1/x");
        assert_eq!(S3Url::parse("s3://b").expect("valid").key("x"), "x");
        assert!(S3Url::parse("https://b/x").is_err());
        assert!(S3Url::parse("s3:///x").is_err());
    }
}
