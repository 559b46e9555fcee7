//! `--to s3://OTHER-BUCKET/PREFIX`: a copy of the case's evidence in a bucket
//! of another account, with a hash manifest, so that the preserved copy does
//! not depend on the compromised account.
//!
//! Layout under the prefix: `evidence/objects/sha256/ab/<sha256>` (each object,
//! uploaded with its SHA-256 as an `x-amz-checksum-sha256` that S3 checks on
//! arrival), `case.json`, `manifest.jsonl`, `custody.jsonl`, and `SHA256SUMS`
//! (`sha256sum -c` format) covering all of them. Objects already present with
//! the same size are not uploaded again, so an interrupted replication resumes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use aws_sdk_s3::primitives::ByteStream;
use cloudcase_evidence::{Case, Layout};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;

use crate::client::Aws;
use crate::error::AwsError;
use crate::s3::S3Url;

/// Uploads at once.
const CONCURRENCY: usize = 8;

/// What a replication did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Replicated {
    /// Objects uploaded by this run.
    pub uploaded: usize,
    /// Objects already present at the destination.
    pub present: usize,
    /// Bytes uploaded.
    pub bytes: u64,
    /// The key of the hash manifest.
    pub sums_key: String,
}

/// Replicates every evidence object of `case` and its records to `dest`.
pub fn replicate(aws: &Aws, case: &Case, dest: &S3Url) -> Result<Replicated, AwsError> {
    let objects = case.evidence_objects().map_err(|e| AwsError::Io {
        path: case.root().display().to_string(),
        action: "read manifest",
        error: std::io::Error::other(e.to_string()),
    })?;
    let client = aws.s3();
    let mut result = Replicated::default();
    let mut sums = String::new();
    let outcomes = aws.block_on(async {
        let limit = Arc::new(Semaphore::new(CONCURRENCY));
        let mut tasks = tokio::task::JoinSet::new();
        for o in &objects {
            let rel = Layout::object_rel(&o.sha256);
            let (client, key, path, sha, size) = (
                client.clone(),
                dest.key(&rel),
                o.path.clone(),
                o.sha256.clone(),
                o.size,
            );
            let (bucket, limit) = (dest.bucket.clone(), limit.clone());
            tasks.spawn(async move {
                let _permit = limit.acquire_owned().await;
                upload_object(&client, &bucket, &key, &path, &sha, size).await
            });
        }
        let mut outcomes = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            outcomes.push(joined.map_err(|e| AwsError::Call {
                call: "PutObject",
                target: dest.to_string(),
                detail: e.to_string(),
            })?);
        }
        Ok::<_, AwsError>(outcomes)
    })?;
    for outcome in outcomes {
        match outcome? {
            Some(bytes) => {
                result.uploaded += 1;
                result.bytes += bytes;
            }
            None => result.present += 1,
        }
    }
    for o in &objects {
        sums.push_str(&format!(
            "{}  {}\n",
            o.sha256,
            Layout::object_rel(&o.sha256)
        ));
    }
    let layout = case.layout();
    for (name, path) in [
        ("case.json", layout.case_file()),
        ("manifest.jsonl", layout.manifest_file()),
        ("custody.jsonl", layout.custody_file()),
    ] {
        let content = read(&path)?;
        sums.push_str(&format!(
            "{}  {name}\n",
            cloudcase_util::hex::sha256_hex(&content)
        ));
        put(aws, &client, dest, name, content)?;
    }
    result.sums_key = dest.key("SHA256SUMS");
    put(aws, &client, dest, "SHA256SUMS", sums.into_bytes())?;
    Ok(result)
}

/// Uploads one object unless it is present with the same size; the bytes
/// uploaded, or `None` when it was present.
async fn upload_object(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
    path: &Path,
    sha256: &str,
    size: u64,
) -> Result<Option<u64>, AwsError> {
    let target = || format!("s3://{bucket}/{key}");
    match client.head_object().bucket(bucket).key(key).send().await {
        Ok(h) if h.content_length().and_then(|n| u64::try_from(n).ok()) == Some(size) => {
            return Ok(None)
        }
        Ok(_) => {}
        Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => {}
        Err(e) => return Err(AwsError::call("HeadObject", target(), e)),
    }
    let body = ByteStream::from_path(path)
        .await
        .map_err(|e| AwsError::Io {
            path: path.display().to_string(),
            action: "read evidence object",
            error: std::io::Error::other(e),
        })?;
    client
        .put_object()
        .bucket(bucket)
        .key(key)
        .body(body)
        .checksum_sha256(base64_of_hex(sha256))
        .metadata("sha256", sha256)
        .send()
        .await
        .map_err(|e| AwsError::call("PutObject", target(), e))?;
    Ok(Some(size))
}

fn put(
    aws: &Aws,
    client: &aws_sdk_s3::Client,
    dest: &S3Url,
    name: &str,
    content: Vec<u8>,
) -> Result<(), AwsError> {
    let key = dest.key(name);
    let sha = Sha256::digest(&content);
    aws.block_on(
        client
            .put_object()
            .bucket(&dest.bucket)
            .key(&key)
            .checksum_sha256(aws_smithy_types::base64::encode(sha))
            .body(ByteStream::from(content))
            .send(),
    )
    .map_err(|e| AwsError::call("PutObject", format!("s3://{}/{key}", dest.bucket), e))?;
    Ok(())
}

fn read(path: &PathBuf) -> Result<Vec<u8>, AwsError> {
    std::fs::read(path).map_err(|error| AwsError::Io {
        path: path.display().to_string(),
        action: "read",
        error,
    })
}

/// The base64 form S3 checksums use, of a hex SHA-256.
fn base64_of_hex(hex: &str) -> String {
    let bytes: Vec<u8> = (0..hex.len() / 2)
        .filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok())
        .collect();
    aws_smithy_types::base64::encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_is_base64_of_the_digest() {
        let sha = cloudcase_util::hex::encode(&Sha256::digest(b"abc"));
        assert_eq!(
            base64_of_hex(&sha),
            "ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
        );
    }
}
