//! Streaming, parallel readers for CloudTrail logs in every form they reach a
//! responder in, with an accounting of everything read, skipped or rejected.
//!
//! Formats are detected by content, not by file name:
//!
//! * S3 delivery files `{"Records":[…]}`, plain or gzip (multi-member too),
//!   in any directory layout (`AWSLogs/<account>/CloudTrail/…`, organization
//!   trails `AWSLogs/<org-id>/<account>/…`, or loose files);
//! * `aws cloudtrail lookup-events` output `{"Events":[{"CloudTrailEvent":"…"}]}`,
//!   several pages concatenated too;
//! * JSON Lines (one record per line), JSON arrays of records, and any
//!   sequence of top-level JSON objects;
//! * EventBridge envelopes whose `detail` is a CloudTrail record;
//! * records wrapped by SIEM exports and query results (Logstash/Elastic,
//!   Splunk `_raw`, CloudTrail Lake rows), `eventTime` authoritative and the
//!   wrapper's time used only in its absence;
//! * S3 server access logs (lines of space-separated fields, plain or gzip,
//!   as delivered under `TargetPrefixYYYY-mm-DD-HH-MM-SS-UniqueString`), each
//!   line an event whose [`LogSource`](cloudcase_event::LogSource) is `s3_access`;
//! * VPC flow logs (space-separated fields, default format or the custom
//!   format a header line names, plain or gzip, as delivered under
//!   `AWSLogs/<account>/vpcflowlogs/<region>/…`, or exported from CloudWatch
//!   Logs), each record an event whose source is `vpc_flow`;
//! * Cost and Usage Reports (CSV, plain or gzip, legacy `lineItem/…` or CUR
//!   2.0 `line_item_…` columns, recognised by the header line), each line
//!   item an event whose source is `billing`;
//! * GuardDuty findings (`schemaVersion` with `resource` or `service`): S3
//!   export objects (gzip'd JSON Lines), JSON arrays, `aws guardduty
//!   get-findings` output `{"Findings":[…]}` (PascalCase keys, re-spelled in
//!   camelCase) and EventBridge `GuardDuty Finding` events, each finding an
//!   event whose [`LogSource`](cloudcase_event::LogSource) is `guardduty`;
//! * Route 53 Resolver query logs (`query_name`/`query_timestamp` with
//!   `srcaddr`/`vpc_id`), JSON Lines plain or gzip as delivered to S3 or
//!   Firehose, or the messages of CloudWatch Logs events
//!   `{"events":[{"message":"…"}]}`, each query an event whose source is
//!   `route53_resolver`;
//! * CloudWatch Logs events (`{"events":[…]}` from `aws logs
//!   filter-log-events`/`get-log-events`, `{"logEvents":[…]}` of subscription
//!   deliveries): each event's message read as a record (CloudTrail, a
//!   Resolver query, a flow record);
//! * CloudTrail digest files are recognised and skipped (they are integrity
//!   data, checked by `cloudcase trail validate`).
//!
//! Nothing is lost silently: every file is read or skipped with a reason, and
//! every record becomes an [`Event`](cloudcase_event::Event) or a
//! [`Rejection`] naming the file, record index, byte offset and reason.
//! [`Limits`] bound memory and time on hostile input.
//!
//! ```no_run
//! use cloudcase_read::{discover, read_files, Limits};
//! let inputs = discover(&["logs/".into()], &|r| eprintln!("{r}")).unwrap();
//! let mut count = 0u64;
//! let sinks = vec![|_ev: cloudcase_event::Event| {}; 2];
//! let (_, accounting) = read_files(&inputs.files, Limits::default(), sinks, &|r| eprintln!("{r}"));
//! println!("{accounting}");
//! ```
#![deny(missing_docs)]

mod accounting;
mod archive;
mod billing;
mod compact;
mod decompress;
mod discover;
mod file;
mod file_ref;
mod files;
mod framing;
mod guardduty;
mod limits;
mod lines;
mod normalize;
mod other;
mod parallel;
mod rejection;
mod route53;
mod s3access;
mod siem;
#[cfg(test)]
mod testing;
mod vpcflow;
mod wire;

pub use accounting::{human_bytes, Accounting};
pub use discover::{discover, Inputs};
pub use file_ref::{put_member, read_member, FileFinder, UnlistedMember};
pub use files::{each, FileList, Files, Selection};
pub use limits::Limits;
pub use parallel::{read_files, read_files_tracked, read_records, EventSink, Progress};
pub use rejection::{RejectKind, Rejection};

/// Errors that stop a read before it starts.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// An input named on the command line cannot be found or inspected.
    #[error("input {}: {source}", path.display())]
    Input {
        /// The path as given.
        path: std::path::PathBuf,
        /// Why it cannot be used.
        #[source]
        source: std::io::Error,
    },
}
