//! Errors of the AWS sources: which call failed, on what, and why.

use aws_smithy_types::error::display::DisplayErrorContext;

/// Why an AWS acquisition could not be set up or a call failed.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// An API call failed after the SDK's retries.
    #[error("{call} on {target}: {detail}")]
    Call {
        /// The API action, e.g. `ListObjectsV2`.
        call: &'static str,
        /// What it was called on (bucket, region…).
        target: String,
        /// The service's or client's error, with its causes (never credentials).
        detail: String,
    },
    /// An argument was not of the expected form.
    #[error("expected {expected}, found {found:?}")]
    Invalid {
        /// What form was expected.
        expected: &'static str,
        /// What was given.
        found: String,
    },
    /// The async runtime that drives the SDK could not be started.
    #[error("could not start the runtime for AWS calls: {0}")]
    Runtime(#[source] std::io::Error),
    /// Writing into the case failed (an image stage, its journal).
    #[error(transparent)]
    Evidence(#[from] cloudcase_evidence::Error),
    /// Reading evidence for replication failed.
    #[error("{path}: {action}: {error}")]
    Io {
        /// The file.
        path: String,
        /// What was being done.
        action: &'static str,
        /// The error.
        #[source]
        error: std::io::Error,
    },
}

impl AwsError {
    /// A failed call, its error rendered with every cause.
    pub(crate) fn call<E: std::error::Error>(
        call: &'static str,
        target: impl Into<String>,
        error: E,
    ) -> Self {
        AwsError::Call {
            call,
            target: target.into(),
            detail: DisplayErrorContext(&error).to_string(),
        }
    }
}
