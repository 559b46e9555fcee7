//! [`S3Source`]: the objects under an `s3://` prefix as an evidence source.

use std::collections::{BTreeMap, VecDeque};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use aws_sdk_s3::types::Object;
use cloudcase_evidence::{ItemMeta, ListEntry, Locator, Opened, Source, SourceError, SourceItem};

use super::body::BodyReader;
use super::filter::{KeyFilter, Rejected};
use super::url::S3Url;
use crate::client::Aws;
use crate::error::AwsError;

/// Every object under a bucket prefix that the filter selects. Items carry
/// their ETag and size as identity, so a re-run skips what is held; their S3
/// metadata (ETag, version id, last-modified, `x-amz-meta-*`) is recorded.
pub struct S3Source {
    aws: Aws,
    client: aws_sdk_s3::Client,
    url: S3Url,
    filter: KeyFilter,
    gets: Arc<AtomicU64>,
}

impl S3Source {
    /// A source for `url`, keeping the keys `filter` selects.
    pub fn new(aws: &Aws, url: S3Url, filter: KeyFilter) -> Self {
        S3Source {
            client: aws.s3(),
            aws: aws.clone(),
            url,
            filter,
            gets: Arc::default(),
        }
    }

    /// A live count of the GetObject requests this source made: what a re-run
    /// downloaded again, so that resumption can be checked from outside.
    pub fn get_requests(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.gets)
    }

    /// One ListObjectsV2 page.
    fn page(&self, token: Option<String>) -> Result<(Vec<Object>, Option<String>), AwsError> {
        let out = self
            .aws
            .block_on(
                self.client
                    .list_objects_v2()
                    .bucket(&self.url.bucket)
                    .prefix(&self.url.prefix)
                    .set_continuation_token(token)
                    .send(),
            )
            .map_err(|e| AwsError::call("ListObjectsV2", self.url.to_string(), e))?;
        let next = out
            .is_truncated()
            .unwrap_or(false)
            .then(|| out.next_continuation_token().map(str::to_owned))
            .flatten();
        Ok((out.contents.unwrap_or_default(), next))
    }

    fn entry(&self, object: Object) -> Option<ListEntry> {
        let key = object.key?;
        let uri = self.url.object_uri(&key);
        match self.filter.check(&key) {
            Ok(()) => {}
            Err(Rejected::Undated) => {
                return Some(ListEntry::Skipped {
                    uri,
                    reason: "--since/--until given but the key names no time".into(),
                })
            }
            Err(_) => return None,
        }
        let size = object.size.and_then(|s| u64::try_from(s).ok());
        let etag = object.e_tag.unwrap_or_default();
        Some(ListEntry::Item(SourceItem {
            uri,
            identity: Some(identity(&etag, size)),
            locator: Locator::Key(key),
            size,
            mtime: object.last_modified.map(|t| t.to_string()),
        }))
    }
}

/// The identity recorded for an object: its ETag and size (an overwrite
/// changes the ETag; a multipart ETag alone could collide across part sizes).
fn identity(etag: &str, size: Option<u64>) -> String {
    match size {
        Some(n) => format!("etag={etag};size={n}"),
        None => format!("etag={etag}"),
    }
}

fn io_error(uri: &str, action: &'static str, error: impl std::fmt::Display) -> SourceError {
    SourceError::Io {
        uri: uri.to_owned(),
        action,
        error: io::Error::other(error.to_string()),
    }
}

impl Source for S3Source {
    fn kind(&self) -> &'static str {
        "s3"
    }

    fn describe(&self) -> String {
        self.url.to_string()
    }

    fn list(&self) -> Box<dyn Iterator<Item = ListEntry> + '_> {
        let mut token: Option<String> = None;
        let mut queue: VecDeque<ListEntry> = VecDeque::new();
        let mut more = true;
        Box::new(std::iter::from_fn(move || loop {
            if let Some(e) = queue.pop_front() {
                return Some(e);
            }
            if !more {
                return None;
            }
            match self.page(token.take()) {
                Ok((objects, next)) => {
                    more = next.is_some();
                    token = next;
                    queue.extend(objects.into_iter().filter_map(|o| self.entry(o)));
                }
                Err(e) => {
                    more = false;
                    return Some(ListEntry::Failed(io_error(&self.describe(), "list", e)));
                }
            }
        }))
    }

    fn open(&self, item: &SourceItem) -> Result<Opened, SourceError> {
        let Locator::Key(key) = &item.locator else {
            return Err(SourceError::Unsupported {
                uri: item.uri.clone(),
                found: "a local path given to the S3 source".into(),
            });
        };
        self.gets.fetch_add(1, Ordering::Relaxed);
        let out = self
            .aws
            .block_on(
                self.client
                    .get_object()
                    .bucket(&self.url.bucket)
                    .key(key)
                    .send(),
            )
            .map_err(|e| {
                io_error(
                    &item.uri,
                    "GetObject",
                    AwsError::call("GetObject", &item.uri, e),
                )
            })?;
        let mut metadata = BTreeMap::new();
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                metadata.insert(k.to_owned(), v);
            }
        };
        put("etag", out.e_tag.clone());
        put("version_id", out.version_id.clone());
        put("last_modified", out.last_modified.map(|t| t.to_string()));
        put("content_type", out.content_type.clone());
        put("content_encoding", out.content_encoding.clone());
        put(
            "storage_class",
            out.storage_class.as_ref().map(|s| s.as_str().to_owned()),
        );
        for (k, v) in out.metadata.iter().flatten() {
            metadata.insert(format!("x-amz-meta-{}", k.to_ascii_lowercase()), v.clone());
        }
        let size = out.content_length.and_then(|n| u64::try_from(n).ok());
        Ok(Opened {
            meta: ItemMeta {
                size,
                mtime: out.last_modified.map(|t| t.to_string()),
                metadata,
            },
            reader: Box::new(BodyReader::new(self.aws.clone(), out.body)),
        })
    }

    /// Fails when the object read is not the one listed (overwritten between
    /// listing and reading) or the byte count differs from its length.
    fn confirm_unchanged(
        &self,
        item: &SourceItem,
        opened: &ItemMeta,
        bytes_read: u64,
    ) -> Result<(), SourceError> {
        let read = identity(
            opened.metadata.get("etag").map_or("", String::as_str),
            opened.size,
        );
        if let Some(listed) = item.identity.as_deref().filter(|l| *l != read) {
            return Err(SourceError::Changed {
                uri: item.uri.clone(),
                detail: format!("listed as {listed}, read {read}"),
            });
        }
        match opened.size {
            Some(size) if size != bytes_read => Err(SourceError::Changed {
                uri: item.uri.clone(),
                detail: format!("Content-Length was {size} bytes, read {bytes_read}"),
            }),
            _ => Ok(()),
        }
    }
}
