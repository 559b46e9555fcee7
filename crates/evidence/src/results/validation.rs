//! Recording a CloudTrail log-file validation of the case's evidence.

use super::details::{to_details, ValidatedDetails};
use crate::custody::{Action, AppendedEntry};
use crate::error::Error;
use crate::Case;

/// Appends the `validated` custody entry stating `details`.
pub fn record_validation(case: &Case, details: &ValidatedDetails) -> Result<AppendedEntry, Error> {
    case.custody()
        .append(Action::Validated, to_details(details, "validated details")?)
}
