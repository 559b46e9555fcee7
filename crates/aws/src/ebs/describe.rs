//! A snapshot's metadata from EC2 DescribeSnapshots, and finding the region
//! that holds it.

use std::collections::BTreeMap;

use aws_sdk_ec2::error::ProvideErrorMetadata;
use aws_sdk_ec2::types::Snapshot;
use aws_smithy_types::date_time::Format;
use serde_json::{json, Value};

use crate::client::Aws;
use crate::error::AwsError;

/// What DescribeSnapshots says about one snapshot.
#[derive(Debug, Clone)]
pub struct SnapshotInfo {
    /// The region it is in.
    pub region: String,
    /// `pending`, `completed`, `error`, ….
    pub state: String,
    /// The full description, for the metadata object.
    pub json: Value,
    /// Flat fields recorded with the image in the manifest.
    pub fields: BTreeMap<String, String>,
}

/// DescribeSnapshots of `id` in `region`; `None` when the region has no such snapshot.
pub fn describe(aws: &Aws, id: &str, region: &str) -> Result<Option<SnapshotInfo>, AwsError> {
    let ec2 = aws.ec2(region);
    let out = aws.block_on(ec2.describe_snapshots().snapshot_ids(id).send());
    let out = match out {
        Ok(o) => o,
        Err(e) if e.code() == Some("InvalidSnapshot.NotFound") => return Ok(None),
        Err(e) => {
            return Err(AwsError::call(
                "DescribeSnapshots",
                format!("{id} in {region}"),
                e,
            ))
        }
    };
    Ok(out
        .snapshots()
        .iter()
        .find(|s| s.snapshot_id() == Some(id))
        .map(|s| info(s, region)))
}

/// Finds `id`: in `region` when given, else in `candidates` (the configured
/// region first, then the enabled regions) until one has it. Returns the
/// description and how the region was found.
pub fn locate(
    aws: &Aws,
    id: &str,
    region: Option<&str>,
    candidates: &[String],
) -> Result<(SnapshotInfo, &'static str), AwsError> {
    if let Some(r) = region {
        return describe(aws, id, r)?
            .map(|i| (i, "given with ?region="))
            .ok_or_else(|| not_found(id, &[r.to_owned()]));
    }
    for r in candidates {
        if let Some(i) = describe(aws, id, r)? {
            let how = if *r == aws.region() {
                "the configured region"
            } else {
                "found by DescribeSnapshots in the enabled regions"
            };
            return Ok((i, how));
        }
    }
    Err(not_found(id, candidates))
}

fn not_found(id: &str, regions: &[String]) -> AwsError {
    AwsError::Invalid {
        expected: "a snapshot DescribeSnapshots finds in the regions searched",
        found: format!("no {id} in {}", regions.join(", ")),
    }
}

fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.and_then(|t| t.fmt(Format::DateTime).ok())
}

fn info(s: &Snapshot, region: &str) -> SnapshotInfo {
    let tags: BTreeMap<&str, &str> = s
        .tags()
        .iter()
        .filter_map(|t| Some((t.key()?, t.value().unwrap_or_default())))
        .collect();
    let state = s.state().map(|x| x.as_str().to_owned()).unwrap_or_default();
    let json = json!({
        "snapshot_id": s.snapshot_id(),
        "region": region,
        "volume_id": s.volume_id(),
        "volume_size_gib": s.volume_size(),
        "start_time": time(s.start_time()),
        "owner_id": s.owner_id(),
        "owner_alias": s.owner_alias(),
        "encrypted": s.encrypted(),
        "kms_key_id": s.kms_key_id(),
        "state": state,
        "progress": s.progress(),
        "description": s.description(),
        "storage_tier": s.storage_tier().map(|t| t.as_str()),
        "tags": tags,
    });
    let mut fields = BTreeMap::new();
    for key in [
        "snapshot_id",
        "region",
        "volume_id",
        "volume_size_gib",
        "start_time",
        "owner_id",
        "encrypted",
        "kms_key_id",
        "description",
    ] {
        match &json[key] {
            Value::Null => {}
            Value::String(v) => {
                fields.insert(key.to_owned(), v.clone());
            }
            v => {
                fields.insert(key.to_owned(), v.to_string());
            }
        }
    }
    fields.insert("tags".to_owned(), json["tags"].to_string());
    SnapshotInfo {
        region: region.to_owned(),
        state,
        json,
        fields,
    }
}
