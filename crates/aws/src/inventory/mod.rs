//! IAM and EC2 inventory snapshots: what exists in the account now, taken as
//! one timestamped evidence object (see `cloudcase-inventory` for the format).

mod ec2;
mod iam;

use cloudcase_inventory::{CallError, Kind, Snapshot};

use crate::client::Aws;
use crate::memory::MemorySource;

/// Manifest `source_kind` of snapshots.
pub const SOURCE_KIND: &str = "aws-inventory";

/// Takes a snapshot of `kind`: IAM (global) or EC2 in every one of `regions`.
/// Failed calls are recorded in the snapshot's `errors`, never dropped.
pub fn take(aws: &Aws, kind: Kind, regions: &[String]) -> Snapshot {
    let taken = jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now());
    let mut errors = Vec::new();
    let account = match aws.account() {
        Ok(a) => Some(a),
        Err(e) => {
            errors.push(CallError {
                region: None,
                call: "GetCallerIdentity".into(),
                error: e.to_string(),
            });
            None
        }
    };
    let regions = match kind {
        Kind::Iam => vec![aws.region()],
        Kind::Ec2 => regions.to_vec(),
    };
    let mut snapshot = Snapshot::new(kind, taken.to_string(), account, regions);
    snapshot.errors = errors;
    match kind {
        Kind::Iam => iam::collect(aws, &mut snapshot),
        Kind::Ec2 => ec2::collect(aws, &mut snapshot),
    }
    snapshot
}

/// The snapshot as a one-item evidence source, URI
/// `aws:ec2?account=123456789012&taken=2026-11-22T04:00:00Z`.
pub fn source(snapshot: &Snapshot) -> MemorySource {
    let uri = format!(
        "{}?account={}&taken={}",
        snapshot.kind.as_str(),
        snapshot.account.as_deref().unwrap_or("unknown"),
        snapshot.taken
    );
    MemorySource::new(SOURCE_KIND, uri, snapshot.to_json())
}

/// Collects call failures into the snapshot being built.
struct Errors<'a> {
    errors: &'a mut Vec<CallError>,
    region: Option<String>,
}

impl Errors<'_> {
    /// The value of a call, or `None` with its error recorded.
    fn take<T, E: std::error::Error>(&mut self, call: &str, result: Result<T, E>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.errors.push(CallError {
                    region: self.region.clone(),
                    call: call.to_owned(),
                    error: aws_smithy_types::error::display::DisplayErrorContext(&e).to_string(),
                });
                None
            }
        }
    }
}

/// An SDK time as RFC 3339 UTC.
fn time(t: Option<&aws_smithy_types::DateTime>) -> Option<String> {
    t.map(|t| t.to_string())
}
