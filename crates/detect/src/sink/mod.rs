//! Where findings go: a [`FindingSink`] receives each finding in time order,
//! then the hunt's summary.
//!
//! Detection never formats: [`crate::hunt()`] hands typed findings
//! ([`FindingView`]) to one sink, and each output format is a sink of its own —
//! [`TableSink`] for people, [`JsonlSink`] and [`CsvSink`] for tools. [`Tee`]
//! sends every finding to two sinks, so one pass over the logs can show a table
//! and record JSON Lines in a case at the same time.

mod csv;
mod fields;
pub(crate) mod jsonl;
mod table;
mod tee;

use std::io;

use crate::finding::FindingView;
use crate::summary::HuntSummary;

pub use self::csv::CsvSink;
pub use self::jsonl::JsonlSink;
pub use self::table::TableSink;

pub(crate) use self::table::push_cell;
pub use self::tee::{Tee, TeeParts};

/// Why a sink stopped taking findings.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// The reader went away (a closed pipe, e.g. `| head`): not a failure,
    /// but nothing more can be shown.
    #[error("the output was closed by its reader")]
    Closed,
    /// Writing failed.
    #[error("cannot write the findings: {0}")]
    Io(#[source] io::Error),
}

impl From<io::Error> for SinkError {
    /// A broken pipe is [`SinkError::Closed`]; anything else is an I/O error.
    fn from(e: io::Error) -> Self {
        if e.kind() == io::ErrorKind::BrokenPipe {
            SinkError::Closed
        } else {
            SinkError::Io(e)
        }
    }
}

/// Receives the findings of a hunt, in time order, then its summary.
///
/// A hunt calls [`FindingSink::finding`] once per finding at or above the
/// minimum level and [`FindingSink::finish`] once at the end (not after the
/// sink returned [`SinkError::Closed`]).
pub trait FindingSink {
    /// Takes one finding.
    fn finding(&mut self, f: &FindingView<'_>) -> Result<(), SinkError>;

    /// Ends the output: writes anything still pending (a header when there
    /// was no finding, a summary) and flushes.
    fn finish(&mut self, summary: &HuntSummary) -> Result<(), SinkError>;
}

impl<S: FindingSink + ?Sized> FindingSink for &mut S {
    fn finding(&mut self, f: &FindingView<'_>) -> Result<(), SinkError> {
        (**self).finding(f)
    }

    fn finish(&mut self, summary: &HuntSummary) -> Result<(), SinkError> {
        (**self).finish(summary)
    }
}

impl<S: FindingSink + ?Sized> FindingSink for Box<S> {
    fn finding(&mut self, f: &FindingView<'_>) -> Result<(), SinkError> {
        (**self).finding(f)
    }

    fn finish(&mut self, summary: &HuntSummary) -> Result<(), SinkError> {
        (**self).finish(summary)
    }
}

/// Findings and writers for the sinks' tests.
#[cfg(test)]
pub(crate) mod testing {
    use std::borrow::Cow;
    use std::io::{self, Write};

    use cloudcase_event::{EventTime, SourceFile};
    use cloudcase_sigma::Level;

    use crate::finding::{FindingView, Origin};
    use crate::summary::HuntSummary;
    use crate::tally::Tally;

    /// An evidence object.
    pub fn source() -> SourceFile {
        SourceFile {
            path: "evidence/objects/ab/abc".into(),
            sha256: Some("abc".into()),
            origin: Some("s3://trail/k.json.gz".into()),
            ordinal: 0,
            member: None,
        }
    }

    /// A finding on record 7 of `file`, at 2024-05-06T07:08:09Z.
    pub fn view(file: &SourceFile) -> FindingView<'_> {
        FindingView {
            rule_id: "r-1",
            title: "User Created",
            level: Level::High,
            origin: Origin::Rule,
            tactics: Cow::Borrowed("persistence"),
            techniques: Cow::Borrowed("T1136.003"),
            detail: None,
            time: EventTime::parse("2024-05-06T07:08:09Z").unwrap(),
            principal: Some("alice"),
            principal_type: Some("IAMUser"),
            access_key: Some("AKIAEXAMPLE"),
            source_ip: Some("198.51.100.7"),
            region: Some("us-east-1"),
            account: Some("123456789012"),
            event_source: "iam.amazonaws.com",
            event_name: "CreateUser",
            error_code: None,
            event_id: Some("e-1"),
            file,
            record: 7,
        }
    }

    /// The summary of a hunt that found `f` alone.
    pub fn summary_of(f: &FindingView<'_>) -> HuntSummary {
        let mut tally = Tally::default();
        tally.add(f);
        HuntSummary {
            tally,
            below_threshold: 2,
            min_level: Level::Low,
            countries_from: None,
        }
    }

    /// A writer whose reader went away.
    pub struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }

        fn flush(&mut self) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }

    /// A writer that fails.
    pub struct FullDisk;

    impl Write for FullDisk {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::other("no space left"))
        }

        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;
    use super::*;

    #[test]
    fn a_broken_pipe_is_a_closed_output_and_other_errors_are_failures() {
        assert!(matches!(
            SinkError::from(io::Error::from(io::ErrorKind::BrokenPipe)),
            SinkError::Closed
        ));
        assert!(matches!(
            SinkError::from(io::Error::other("x")),
            SinkError::Io(_)
        ));
    }

    #[test]
    fn boxed_and_borrowed_sinks_pass_findings_through() {
        let file = source();
        let f = view(&file);
        let mut inner = JsonlSink::new(Vec::new(), jiff::tz::TimeZone::UTC);
        {
            let mut by_ref: Box<dyn FindingSink + '_> = Box::new(&mut inner);
            by_ref.finding(&f).unwrap();
            by_ref.finish(&summary_of(&f)).unwrap();
        }
        assert_eq!(
            inner.into_inner().iter().filter(|b| **b == b'\n').count(),
            1
        );
    }
}
