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
    /// Reads seen in S3 server access logs by attacker identities or from attacker addresses
    /// (buckets with access logs in the inputs only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_log_reads: Option<Vec<LogReader>>,
    /// The records the verdict rests on.
    pub refs: Vec<RecordRef>,
}

/// Why an access-log requester counts as the attacker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogReaderMatch {
    /// The requester ARN is a user, role or session the attacker created or used.
    AttackerIdentity,
    /// The compromised principal, after the first attacker event, from an address it never
    /// used before it and that is not the owner's.
    CompromisedPrincipal,
    /// The request came from an attacker address.
    AttackerAddress,
}

/// One (requester, address) of the attacker reading a bucket, from its server access logs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogReader {
    /// The requester as logged (an IAM ARN), or `None` for anonymous requests.
    pub requester: Option<String>,
    /// The remote address.
    pub ip: String,
    /// Why it is the attacker's.
    pub matched: LogReaderMatch,
    /// Successful read requests (object GET/HEAD, list, copy source).
    pub requests: u64,
    /// The operations as logged (`REST.GET.OBJECT`, …), first seen first, up to eight.
    pub operations: Vec<String>,
    /// Distinct object keys read.
    pub objects: u64,
    /// The first keys read (URL-encoded as logged), up to twenty.
    pub keys: Vec<String>,
    /// Response bytes sent to the requester.
    pub bytes_sent: u64,
    /// First, RFC 3339 UTC.
    pub first: String,
    /// Last, RFC 3339 UTC.
    pub last: String,
    /// The first lines.
    pub refs: Vec<RecordRef>,
}

/// How much of the attacker window a log spans.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowSpan {
    /// From the first attacker event (or before) to the end of the logs.
    Whole,
    /// Only part of it: a verdict covers that part only.
    Partial,
    /// None of it.
    None,
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
    /// S3 server access logs of the bucket (they log every request, data events or not).
    S3AccessLog {
        /// Log files holding lines of the bucket.
        files: u64,
        /// The first of them (input order), up to twenty.
        file_names: Vec<String>,
        /// The first line's time, RFC 3339 UTC.
        first: Option<String>,
        /// The last line's time, RFC 3339 UTC.
        last: Option<String>,
        /// Lines of the bucket over the whole input.
        lines: u64,
        /// Those in the attacker window.
        lines_in_window: u64,
        /// How much of the attacker window the lines span: first to last line, each end
        /// allowed to fall short by the bucket's longest quiet stretch between lines (at
        /// least an hour, at most a day), since a log only has lines when requests come.
        window: WindowSpan,
        /// The longest time between two consecutive lines, in hours (to the hour).
        longest_quiet_hours: u64,
        /// CloudTrail data events on the bucket in the window.
        data_events_in_window: u64,
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
