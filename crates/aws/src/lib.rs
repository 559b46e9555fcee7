//! AWS-SDK-backed evidence sources for `cloudcase acquire`.
//!
//! * [`S3Source`]: CloudTrail logs and digests (and VPC Flow Logs, S3 access
//!   logs) under an `s3://` prefix, selected by the time their keys name, with
//!   ETag, version id, last-modified and `x-amz-meta-*` recorded, and resumable
//!   without downloading again (items carry their ETag and size as identity).
//! * [`LookupSource`]: the CloudTrail LookupEvents history per region, paged at
//!   the API's quota, in the `lookup-events` format the reader reads.
//! * [`inventory::take`]: IAM and EC2 snapshots (the `cloudcase-inventory`
//!   model) stored as one evidence object each.
//! * [`ebs`]: EBS snapshots read through the EBS direct APIs into a sparse,
//!   resumable, block-hashed raw image (and `--create-snapshot` of a volume).
//! * [`replicate()`]: `--to`, a copy of the evidence in another account's bucket.
//!
//! The evidence `Source` trait is synchronous; [`Aws`] holds one multi-thread
//! tokio runtime and the pipeline's workers block on it per page or body chunk,
//! so no object is ever held whole in memory. Throttling and transient errors
//! are retried with exponential backoff by the SDK's standard retry mode.
//! Credentials come from the standard chain and are never printed or recorded.

#![deny(missing_docs)]

pub mod actions;
mod client;
pub mod ebs;
mod error;
pub mod inventory;
mod lookup;
mod memory;
pub mod regions;
mod replicate;
pub mod s3;

pub use client::{Aws, AwsOptions, DEFAULT_REGION};
pub use error::AwsError;
pub use lookup::{LookupSource, DEFAULT_INTERVAL};
pub use memory::MemorySource;
pub use replicate::{replicate, Replicated};
pub use s3::{KeyFilter, S3Source, S3Url};
