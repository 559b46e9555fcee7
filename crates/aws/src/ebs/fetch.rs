//! Reading a snapshot's blocks into a sparse image: ListSnapshotBlocks (every
//! page), then GetSnapshotBlock for each block not yet in the journal, with at
//! most `concurrency` requests in flight and at most `max_rate` bytes per
//! second. Every block's SHA-256 is checked against the `x-amz-Checksum` EBS
//! sends (base64); throttling and transient errors are retried by the SDK, a
//! checksum mismatch or a cut body by this module.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_sdk_ebs::types::ChecksumAlgorithm;
use cloudcase_evidence::image::{Geometry, ImageStage, Journal, JournalEntry, SparseImage};
use cloudcase_evidence::AcquireProgress;
use sha2::{Digest, Sha256};
use tokio::task::JoinSet;

use crate::client::Aws;
use crate::error::AwsError;

/// Attempts per block when its bytes do not match their checksum.
const BLOCK_ATTEMPTS: u32 = 4;
/// Journal entries written at most per batch, and the longest a completed
/// block waits to be journaled.
const JOURNAL_BATCH: usize = 256;
const JOURNAL_WAIT: Duration = Duration::from_secs(1);
/// Bytes in a GiB (EBS volume sizes).
const GIB: u64 = 1 << 30;

/// How to read the blocks.
#[derive(Debug, Clone, Default)]
pub struct FetchOptions {
    /// GetSnapshotBlock requests in flight at most (at least 1).
    pub concurrency: usize,
    /// Bytes per second at most; `None`: unlimited.
    pub max_rate: Option<f64>,
    /// Counters for the progress line: items are blocks, bytes block bytes.
    pub progress: Option<Arc<AcquireProgress>>,
}

/// What a fetch did.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The image's block and total size.
    pub geometry: Geometry,
    /// Every present block, by index.
    pub present: BTreeMap<u64, JournalEntry>,
    /// Blocks a previous run had already fetched.
    pub resumed: u64,
    /// Blocks fetched by this run.
    pub fetched: u64,
    /// The listing's `ExpiryTime` (block tokens expire), RFC 3339.
    pub expiry: Option<String>,
}

/// One listed block.
#[derive(Debug, Clone)]
struct Listed {
    index: u64,
    token: String,
}

/// Lists the snapshot's blocks (every page).
async fn list(
    ebs: &aws_sdk_ebs::Client,
    id: &str,
) -> Result<(Geometry, Vec<Listed>, Option<String>), AwsError> {
    let mut next: Option<String> = None;
    let mut blocks = Vec::new();
    let mut geometry = None;
    let mut expiry = None;
    loop {
        let out = ebs
            .list_snapshot_blocks()
            .snapshot_id(id)
            .set_next_token(next.take())
            .send()
            .await
            .map_err(|e| AwsError::call("ListSnapshotBlocks", id.to_owned(), e))?;
        if geometry.is_none() {
            let (Some(gib), Some(bs)) = (out.volume_size(), out.block_size()) else {
                return Err(AwsError::Invalid {
                    expected: "VolumeSize and BlockSize in the ListSnapshotBlocks answer",
                    found: format!(
                        "{:?} and {:?} for {id}",
                        out.volume_size(),
                        out.block_size()
                    ),
                });
            };
            let (Ok(gib), Ok(bs)) = (u64::try_from(gib), u64::try_from(bs)) else {
                return Err(AwsError::Invalid {
                    expected: "a positive VolumeSize and BlockSize",
                    found: format!("{gib} GiB, {bs} bytes for {id}"),
                });
            };
            if bs == 0 {
                return Err(AwsError::Invalid {
                    expected: "a positive BlockSize",
                    found: format!("0 for {id}"),
                });
            }
            geometry = Some(Geometry {
                block_size: bs,
                image_size: gib * GIB,
            });
            expiry = out
                .expiry_time()
                .and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok());
        }
        for b in out.blocks() {
            let (Some(index), Some(token)) = (b.block_index(), b.block_token()) else {
                continue;
            };
            let index = u64::try_from(index).map_err(|_| AwsError::Invalid {
                expected: "a non-negative BlockIndex",
                found: index.to_string(),
            })?;
            blocks.push(Listed {
                index,
                token: token.to_owned(),
            });
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => next = Some(t.to_owned()),
            _ => break,
        }
    }
    let geometry = geometry.ok_or(AwsError::Invalid {
        expected: "a ListSnapshotBlocks answer",
        found: format!("none for {id}"),
    })?;
    if let Some(b) = blocks.iter().find(|b| b.index >= geometry.blocks()) {
        return Err(AwsError::Invalid {
            expected: "block indexes inside the volume",
            found: format!(
                "block {} of {id}, whose volume has {}",
                b.index,
                geometry.blocks()
            ),
        });
    }
    blocks.sort_by_key(|b| b.index);
    blocks.dedup_by_key(|b| b.index);
    Ok((geometry, blocks, expiry))
}

/// Fetches one block, checks it and writes it into the image.
async fn fetch_block(
    ebs: aws_sdk_ebs::Client,
    id: Arc<str>,
    block: Listed,
    geometry: Geometry,
    image: Arc<SparseImage>,
) -> Result<JournalEntry, AwsError> {
    let target = || format!("{id} block {}", block.index);
    let expected_len = geometry.len(block.index);
    let index = i32::try_from(block.index).map_err(|_| AwsError::Invalid {
        expected: "a block index that fits GetSnapshotBlock's BlockIndex",
        found: block.index.to_string(),
    })?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let out = ebs
            .get_snapshot_block()
            .snapshot_id(&*id)
            .block_index(index)
            .block_token(&block.token)
            .send()
            .await
            .map_err(|e| AwsError::call("GetSnapshotBlock", target(), e))?;
        if let Some(a) = out.checksum_algorithm() {
            if *a != ChecksumAlgorithm::ChecksumAlgorithmSha256 {
                return Err(AwsError::Invalid {
                    expected: "checksum algorithm SHA256",
                    found: format!("{} for {}", a.as_str(), target()),
                });
            }
        }
        let checksum = out.checksum().map(str::to_owned);
        let problem = match out.block_data.collect().await {
            Err(e) => format!("body cut: {e}"),
            Ok(data) => {
                let data = data.into_bytes();
                let digest = Sha256::digest(&data);
                let b64 = aws_smithy_types::base64::encode(digest.as_slice());
                if data.len() as u64 != expected_len {
                    format!("expected {expected_len} bytes, found {}", data.len())
                } else if checksum.as_deref() != Some(b64.as_str()) {
                    format!("x-amz-Checksum {checksum:?}, the bytes hash to {b64}")
                } else {
                    image.write_block(geometry.offset(block.index), &data)?;
                    return Ok(JournalEntry {
                        index: block.index,
                        sha256: cloudcase_util::hex::encode(digest.as_slice()),
                        checksum: b64,
                    });
                }
            }
        };
        if attempt >= BLOCK_ATTEMPTS {
            return Err(AwsError::Call {
                call: "GetSnapshotBlock",
                target: target(),
                detail: format!("{problem} (after {attempt} attempts)"),
            });
        }
        tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
    }
}

/// Completed blocks waiting to be journaled.
struct Pending<'a> {
    image: &'a SparseImage,
    journal: &'a mut Journal,
    batch: Vec<JournalEntry>,
    since: Instant,
}

impl Pending<'_> {
    /// Makes the image durable, then journals the batch.
    fn flush(&mut self) -> Result<(), AwsError> {
        if !self.batch.is_empty() {
            self.image.sync()?;
            self.journal.append(&self.batch)?;
            self.batch.clear();
        }
        self.since = Instant::now();
        Ok(())
    }

    fn push(&mut self, e: JournalEntry) -> Result<(), AwsError> {
        self.batch.push(e);
        if self.batch.len() >= JOURNAL_BATCH || self.since.elapsed() >= JOURNAL_WAIT {
            self.flush()?;
        }
        Ok(())
    }
}

/// Reads snapshot `id` of `region` into `stage`'s image, resuming from its
/// journal.
pub fn fetch(
    aws: &Aws,
    region: &str,
    id: &str,
    stage: &ImageStage,
    options: &FetchOptions,
) -> Result<Fetched, AwsError> {
    let ebs = aws.ebs(region);
    aws.block_on(async {
        let (geometry, listed, expiry) = list(&ebs, id).await?;
        let image = Arc::new(SparseImage::open(&stage.image_path(), geometry.image_size)?);
        let (mut journal, mut present) = Journal::open(&stage.journal_path())?;
        present.retain(|i, _| *i < geometry.blocks());
        let resumed = present.len() as u64;
        let todo: Vec<Listed> = listed
            .into_iter()
            .filter(|b| !present.contains_key(&b.index))
            .collect();
        let progress = options.progress.as_deref();
        if let Some(p) = progress {
            let all = resumed + todo.len() as u64;
            p.set_totals(all, all * geometry.block_size);
            p.add_items(resumed);
            p.add_bytes(resumed * geometry.block_size);
        }
        let mut pending = Pending {
            image: &image,
            journal: &mut journal,
            batch: Vec::new(),
            since: Instant::now(),
        };
        let id: Arc<str> = Arc::from(id);
        let mut set = JoinSet::new();
        let started = Instant::now();
        let mut requested = 0u64;
        let mut fetched = 0u64;
        let mut outcome = Ok(());
        let mut take = |r: Result<Result<JournalEntry, AwsError>, tokio::task::JoinError>,
                        pending: &mut Pending<'_>|
         -> Result<(), AwsError> {
            let e = r.map_err(|e| AwsError::Call {
                call: "GetSnapshotBlock",
                target: id.to_string(),
                detail: format!("block task failed: {e}"),
            })??;
            if let Some(p) = progress {
                p.add_items(1);
                p.add_bytes(geometry.len(e.index));
            }
            fetched += 1;
            present.insert(e.index, e.clone());
            pending.push(e)
        };
        for block in todo {
            while set.len() >= options.concurrency.max(1) {
                if let Some(r) = set.join_next().await {
                    outcome = take(r, &mut pending);
                }
                if outcome.is_err() {
                    break;
                }
            }
            if outcome.is_err() {
                break;
            }
            if let Some(rate) = options.max_rate.filter(|r| *r > 0.0) {
                let due = Duration::from_secs_f64(requested as f64 / rate);
                if let Some(wait) = due.checked_sub(started.elapsed()) {
                    tokio::time::sleep(wait).await;
                }
            }
            requested += geometry.len(block.index);
            set.spawn(fetch_block(
                ebs.clone(),
                Arc::clone(&id),
                block,
                geometry,
                Arc::clone(&image),
            ));
        }
        while let Some(r) = set.join_next().await {
            if outcome.is_ok() {
                outcome = take(r, &mut pending);
            }
            if outcome.is_err() {
                set.abort_all();
            }
        }
        // Whatever completed is journaled, failure or not: a re-run resumes.
        let flushed = pending.flush();
        outcome?;
        flushed?;
        Ok(Fetched {
            geometry,
            present,
            resumed,
            fetched,
            expiry,
        })
    })
}
