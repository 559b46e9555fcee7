//! EBS snapshots as evidence, through the EBS direct APIs (no helper instance,
//! no volume attached): `aws:ebs-snapshot/snap-…` is read block by block into
//! a sparse image staged in the case ([`cloudcase_evidence::image`]),
//! resumable after `kill -9` at block granularity, then stored as three
//! objects: the raw image, its block manifest and the snapshot's
//! DescribeSnapshots metadata. `aws:ebs-volume/vol-…` snapshots the volume
//! first ([`create`]), the only call that changes the account.

pub mod create;
pub mod describe;
mod fetch;
mod spec;

use serde_json::json;

use cloudcase_evidence::image::{ImageStage, StagedImageSource};
use cloudcase_evidence::Layout;

use crate::client::Aws;
use crate::error::AwsError;
pub use describe::SnapshotInfo;
pub use fetch::{FetchOptions, Fetched};
pub use spec::{EbsKind, EbsSpec};

/// Manifest `source_kind` of the image, its block manifest and metadata.
pub const SOURCE_KIND: &str = "aws-ebs-snapshot";

/// A snapshot read into a finished stage, ready to be acquired.
#[derive(Debug)]
pub struct StagedSnapshot {
    /// The three objects to acquire.
    pub source: StagedImageSource,
    /// The stage, to remove once the objects are held.
    pub stage: ImageStage,
    /// What DescribeSnapshots said.
    pub info: SnapshotInfo,
    /// How its region was found.
    pub region_found: &'static str,
    /// Blocks read by this run and by earlier, interrupted ones (0 and 0
    /// when an earlier run had finished the image).
    pub fetched: u64,
    /// See `fetched`.
    pub resumed: u64,
}

/// Reads snapshot `id` into a stage of the case at `layout` (or takes the
/// stage an earlier run finished), looking for it in `region` or else in
/// `candidates`. The snapshot must be `completed`.
pub fn stage_snapshot(
    aws: &Aws,
    layout: &Layout,
    id: &str,
    region: Option<&str>,
    candidates: &[String],
    options: &FetchOptions,
) -> Result<StagedSnapshot, AwsError> {
    let (info, region_found) = describe::locate(aws, id, region, candidates)?;
    if info.state != "completed" {
        return Err(AwsError::Invalid {
            expected: "a completed snapshot (EBS direct APIs read only those)",
            found: format!("{id} in {}: {}", info.region, info.state),
        });
    }
    let stage = ImageStage::open(layout, &format!("ebs-snapshot/{}/{id}", info.region))?;
    let (finished, fetched, resumed) = match stage.finished()? {
        Some(f) => (f, 0, 0),
        None => {
            let got = fetch::fetch(aws, &info.region, id, &stage, options)?;
            let metadata = json!({
                "describe_snapshots": info.json,
                "ebs_direct": {
                    "block_size": got.geometry.block_size,
                    "volume_size_bytes": got.geometry.image_size,
                    "blocks_present": got.present.len(),
                    "blocks_total": got.geometry.blocks(),
                    "block_token_expiry": got.expiry,
                },
            });
            let mut fields = info.fields.clone();
            fields.insert("region_found".to_owned(), region_found.to_owned());
            let finished = stage.finish(got.geometry, &got.present, &metadata, fields)?;
            (finished, got.fetched, got.resumed)
        }
    };
    let uri = format!("aws:ebs-snapshot/{id}");
    let suffix = format!("?region={}", info.region);
    Ok(StagedSnapshot {
        source: StagedImageSource::new(SOURCE_KIND, &uri, &suffix, &stage, finished),
        stage,
        info,
        region_found,
        fetched,
        resumed,
    })
}
