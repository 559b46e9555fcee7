//! The `data_access` section: one verdict per data store — ACCESSED, NOT_OBSERVED or UNKNOWN —
//! with the attacker's accesses and the coverage behind the verdict.

use serde::{Deserialize, Serialize};

use super::common::RecordRef;

/// A data-access verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Verdict {
    /// Events show the attacker reading, exporting or sharing it.
    Accessed,
    /// Logging that would have recorded access covered the store in the attacker's window, and
    /// shows no access by attacker identities.
    NotObserved,
    /// No logging in the inputs covers access to it in the window: the logs cannot say.
    Unknown,
}

impl Verdict {
    /// The spelling for people (`NOT OBSERVED`).
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Accessed => "ACCESSED",
            Verdict::NotObserved => "NOT OBSERVED",
            Verdict::Unknown => "UNKNOWN",
        }
    }
}

/// The kind of data store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// An S3 bucket.
    S3Bucket,
    /// A DynamoDB table.
    DynamodbTable,
    /// An RDS DB instance or cluster.
    RdsInstance,
    /// An RDS snapshot.
    RdsSnapshot,
    /// A Secrets Manager secret.
    Secret,
    /// An SSM parameter.
    SsmParameter,
    /// A KMS key.
    KmsKey,
    /// An EBS snapshot shared outside the account.
    SnapshotShare,
    /// An AMI shared outside the account.
    AmiShare,
}

impl StoreKind {
    /// The spelling in the document.
    pub fn as_str(self) -> &'static str {
        match self {
            StoreKind::S3Bucket => "s3_bucket",
            StoreKind::DynamodbTable => "dynamodb_table",
            StoreKind::RdsInstance => "rds_instance",
            StoreKind::RdsSnapshot => "rds_snapshot",
            StoreKind::Secret => "secret",
            StoreKind::SsmParameter => "ssm_parameter",
            StoreKind::KmsKey => "kms_key",
            StoreKind::SnapshotShare => "snapshot_share",
            StoreKind::AmiShare => "ami_share",
        }
    }
}

/// What an access does to a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Reads it.
    Read,
    /// Exports, copies, shares or restores it elsewhere.
    Expose,
    /// Opens a way to read it (password reset, snapshot, policy, grant).
    Open,
    /// Names it otherwise.
    Other,
}

/// One data store's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataAccess {
    /// Its kind.
    pub store: StoreKind,
    /// Its name.
    pub name: String,
    /// Its region.
    pub region: Option<String>,
    /// The verdict.
    pub verdict: Verdict,
    /// The sentence the verdict rests on.
    pub basis: String,
    /// For stores of the table (not shares): the attacker's accesses and the coverage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub readers: Option<Vec<Reader>>,
    /// Failed reads and exposures by the attacker (stores of the table only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attacker_failed_reads: Option<u64>,
    /// The logging that decides the verdict (stores of the table only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<StoreCoverage>,
    /// The records the verdict rests on.
    pub refs: Vec<RecordRef>,
}

/// One (key, source, access) of the attacker on a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reader {
    /// Access key.
    pub access_key: String,
    /// Source address.
    pub ip: String,
    /// Read, expose or open.
    pub access: Access,
    /// Events.
    pub events: u64,
    /// Event names.
    pub event_names: Vec<String>,
    /// First, RFC 3339 UTC.
    pub first: String,
    /// Last, RFC 3339 UTC.
    pub last: String,
}

/// The logging that records reads of a store, tagged by `logging`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "logging", rename_all = "snake_case", deny_unknown_fields)]
pub enum StoreCoverage {
    /// Data events (S3, DynamoDB).
    DataEvents {
        /// Data events on the store over the whole input.
        data_events: u64,
        /// Those in the attacker window.
        data_events_in_window: u64,
        /// The first, RFC 3339 UTC.
        data_events_first: Option<String>,
        /// The last, RFC 3339 UTC.
        data_events_last: Option<String>,
    },
    /// Read-only management events of the store's region (Secrets Manager, SSM, KMS).
    ManagementReads {
        /// The store's region.
        region: String,
        /// Read management events of that region in the window.
        management_read_events_in_window: u64,
    },
    /// Reads never reach CloudTrail (RDS).
    NotInCloudtrail {
        /// The store's region.
        region: String,
        /// Write management events over the inputs.
        management_write_events: u64,
        /// What can and cannot be seen.
        note: String,
    },
}
