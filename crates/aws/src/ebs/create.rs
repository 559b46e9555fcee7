//! `aws:ebs-volume/vol-… --create-snapshot`: EC2 CreateSnapshot (the tool's
//! only mutating call on the account), then waiting for it to complete.

use std::time::{Duration, Instant};

use crate::client::Aws;
use crate::ebs::describe::describe;
use crate::error::AwsError;

/// The snapshot CreateSnapshot started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatedSnapshot {
    /// Its id.
    pub snapshot_id: String,
    /// The volume it is of.
    pub volume_id: String,
    /// The region of both.
    pub region: String,
    /// The description it was given.
    pub description: String,
    /// Its start time as EC2 reports it, RFC 3339.
    pub start_time: Option<String>,
}

/// Calls CreateSnapshot on `volume` in `region`, tagging the snapshot as the
/// tool's, and returns at once (see [`wait_completed`]).
pub fn create_snapshot(
    aws: &Aws,
    region: &str,
    volume: &str,
    description: &str,
) -> Result<CreatedSnapshot, AwsError> {
    let ec2 = aws.ec2(region);
    let tag = aws_sdk_ec2::types::TagSpecification::builder()
        .resource_type(aws_sdk_ec2::types::ResourceType::Snapshot)
        .tags(
            aws_sdk_ec2::types::Tag::builder()
                .key("created-by")
                .value("cloudcase")
                .build(),
        )
        .build();
    let out = aws
        .block_on(
            ec2.create_snapshot()
                .volume_id(volume)
                .description(description)
                .tag_specifications(tag)
                .send(),
        )
        .map_err(|e| AwsError::call("CreateSnapshot", format!("{volume} in {region}"), e))?;
    let snapshot_id = out
        .snapshot_id()
        .map(str::to_owned)
        .ok_or(AwsError::Invalid {
            expected: "a SnapshotId in the CreateSnapshot answer",
            found: "none".into(),
        })?;
    Ok(CreatedSnapshot {
        snapshot_id,
        volume_id: volume.to_owned(),
        region: region.to_owned(),
        description: description.to_owned(),
        start_time: out
            .start_time()
            .and_then(|t| t.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
    })
}

/// Polls DescribeSnapshots every `interval` until the snapshot is
/// `completed`; fails on `error` or after `timeout`.
pub fn wait_completed(
    aws: &Aws,
    region: &str,
    id: &str,
    interval: Duration,
    timeout: Duration,
) -> Result<(), AwsError> {
    let deadline = Instant::now() + timeout;
    loop {
        let state = describe(aws, id, region)?
            .map(|i| i.state)
            .unwrap_or_default();
        match state.as_str() {
            "completed" => return Ok(()),
            "error" | "recoverable" | "recovering" => {
                return Err(AwsError::Invalid {
                    expected: "snapshot state completed",
                    found: format!("{id}: {state}"),
                })
            }
            _ if Instant::now() >= deadline => {
                return Err(AwsError::Invalid {
                    expected: "snapshot state completed before the wait ended",
                    found: format!("{id}: {state:?} after {} s", timeout.as_secs()),
                })
            }
            _ => std::thread::sleep(interval),
        }
    }
}
