//! The data model of cloudcase's AWS inventory snapshots.
//!
//! Every list and optional field may be absent when read (snapshots written by other versions or by
//! hand stay readable); only the envelope (`cloudcase_inventory`, `kind`, `taken`) is required.
//!
//! `cloudcase acquire aws:iam` and `aws:ec2` record what exists in an account at one moment as one JSON
//! evidence object of this shape. This crate holds only the model (serde, no AWS SDK), so that readers
//! such as `scope` can load snapshots without compiling the SDK.
//!
//! A snapshot is recognised by its top-level key [`FORMAT_KEY`] (`"cloudcase_inventory"`), whose value
//! is the format version [`FORMAT_VERSION`]; [`Snapshot::is_snapshot`] checks a parsed JSON value and
//! [`Snapshot::from_json`] parses one, refusing versions it does not know.
#![deny(missing_docs)]

mod ec2;
mod iam;

pub use ec2::{
    Ec2Inventory, Image, IngressRule, Instance, KeyPair, SecurityGroup, Snapshot as Ec2Snapshot,
    SpotRequest, Volume,
};
pub use iam::{AccessKey, Group, IamInventory, LoginProfile, Policy, Role, User};

use serde::{Deserialize, Serialize};

/// The top-level key that marks a JSON document as an inventory snapshot.
pub const FORMAT_KEY: &str = "cloudcase_inventory";

/// The snapshot format version this crate writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// What a snapshot describes: the `kind` field, also the acquisition source name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// EC2 resources in every region listed in [`Snapshot::regions`].
    #[serde(rename = "aws:ec2")]
    Ec2,
    /// IAM identities and policies (global).
    #[serde(rename = "aws:iam")]
    Iam,
}

impl Kind {
    /// The name used on the command line and in the snapshot (`aws:ec2`, `aws:iam`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ec2 => "aws:ec2",
            Kind::Iam => "aws:iam",
        }
    }
}

/// One API call that failed while the snapshot was taken: the snapshot is then incomplete, and says where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallError {
    /// The region the call was made in, or `None` for global services (IAM).
    pub region: Option<String>,
    /// The API action, e.g. `DescribeInstances`.
    pub call: String,
    /// The error as reported by the service or the client (never credentials).
    pub error: String,
}

/// An inventory snapshot of one account at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The format version ([`FORMAT_VERSION`]); its presence marks the document as a snapshot.
    pub cloudcase_inventory: u32,
    /// What the snapshot describes.
    pub kind: Kind,
    /// When the snapshot was started, RFC 3339 UTC.
    pub taken: String,
    /// The account the credentials belong to (STS GetCallerIdentity), when known.
    pub account: Option<String>,
    /// The regions that were inventoried (IAM: the region its calls went to).
    #[serde(default)]
    pub regions: Vec<String>,
    /// Calls that failed: anything they would have returned is missing from the snapshot.
    #[serde(default)]
    pub errors: Vec<CallError>,
    /// EC2 resources (for [`Kind::Ec2`]), else `None`.
    pub ec2: Option<Ec2Inventory>,
    /// IAM identities (for [`Kind::Iam`]), else `None`.
    pub iam: Option<IamInventory>,
}

/// Why a document could not be read as a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    /// Not JSON of the snapshot shape.
    #[error("not a cloudcase inventory snapshot: {0}")]
    Json(#[from] serde_json::Error),
    /// A snapshot of a format version this crate does not know.
    #[error("inventory snapshot format {0} is not supported (expected {FORMAT_VERSION})")]
    UnsupportedVersion(u32),
}

impl Snapshot {
    /// An empty snapshot of `kind`, taken at `taken` (RFC 3339 UTC), to be filled by the collector.
    pub fn new(kind: Kind, taken: String, account: Option<String>, regions: Vec<String>) -> Self {
        Snapshot {
            cloudcase_inventory: FORMAT_VERSION,
            kind,
            taken,
            account,
            regions,
            errors: Vec::new(),
            ec2: (kind == Kind::Ec2).then(Ec2Inventory::default),
            iam: (kind == Kind::Iam).then(IamInventory::default),
        }
    }

    /// True when `value` is a JSON object carrying the [`FORMAT_KEY`] marker (any version): readers of
    /// event logs use this to skip snapshots.
    pub fn is_snapshot(value: &serde_json::Value) -> bool {
        value.get(FORMAT_KEY).is_some()
    }

    /// Parses a snapshot from JSON bytes, refusing unknown format versions.
    pub fn from_json(bytes: &[u8]) -> Result<Snapshot, ParseError> {
        let snapshot: Snapshot = serde_json::from_slice(bytes)?;
        if snapshot.cloudcase_inventory != FORMAT_VERSION {
            return Err(ParseError::UnsupportedVersion(snapshot.cloudcase_inventory));
        }
        Ok(snapshot)
    }

    /// The snapshot as pretty-printed JSON, the form stored as evidence.
    pub fn to_json(&self) -> Vec<u8> {
        // Serialising plain data with string keys cannot fail.
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_is_recognised() {
        let mut snap = Snapshot::new(
            Kind::Ec2,
            "2026-11-22T04:00:00Z".into(),
            Some("123456789012".into()),
            vec!["us-east-1".into()],
        );
        if let Some(ec2) = snap.ec2.as_mut() {
            ec2.instances.push(Instance {
                id: "i-1".into(),
                region: "us-east-1".into(),
                ..Instance::default()
            });
        }
        let json = snap.to_json();
        let value: serde_json::Value = serde_json::from_slice(&json).expect("valid json");
        assert!(Snapshot::is_snapshot(&value));
        assert_eq!(value["kind"], "aws:ec2");
        assert!(value["iam"].is_null());
        assert_eq!(value["ec2"]["instances"][0]["id"], "i-1");
        assert_eq!(Snapshot::from_json(&json).expect("parses"), snap);
    }

    #[test]
    fn refuses_other_versions_and_documents() {
        let other = br#"{"cloudcase_inventory":2,"kind":"aws:iam","taken":"x","account":null,"regions":[],"ec2":null,"iam":null}"#;
        assert!(matches!(
            Snapshot::from_json(other),
            Err(ParseError::UnsupportedVersion(2))
        ));
        let records: serde_json::Value = serde_json::json!({"Records": []});
        assert!(!Snapshot::is_snapshot(&records));
    }
}
