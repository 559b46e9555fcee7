//! Two sinks fed from one hunt.

use super::{FindingSink, SinkError};
use crate::finding::FindingView;
use crate::summary::HuntSummary;

/// Sends every finding, and the summary, to two sinks — e.g. a table on the
/// terminal and JSON Lines recorded in a case, from one pass over the logs.
///
/// When one side is closed by its reader, the other still receives
/// everything; the tee reports [`SinkError::Closed`] only once both are.
/// Any other error stops it.
pub struct Tee<A, B> {
    first: Side<A>,
    second: Side<B>,
}

/// The sinks of a tee, taken back (e.g. to get the bytes one of them wrote).
pub struct TeeParts<A, B> {
    /// The sink called first.
    pub first: A,
    /// The sink called second.
    pub second: B,
}

/// One side of a tee and whether its reader went away.
struct Side<S> {
    sink: S,
    closed: bool,
}

impl<S: FindingSink> Side<S> {
    fn send(
        &mut self,
        call: impl FnOnce(&mut S) -> Result<(), SinkError>,
    ) -> Result<(), SinkError> {
        if self.closed {
            return Ok(());
        }
        match call(&mut self.sink) {
            Err(SinkError::Closed) => {
                self.closed = true;
                Ok(())
            }
            other => other,
        }
    }
}

impl<A, B> Tee<A, B> {
    /// A tee to `first` and `second` (called in that order).
    pub fn new(first: A, second: B) -> Self {
        Tee {
            first: Side {
                sink: first,
                closed: false,
            },
            second: Side {
                sink: second,
                closed: false,
            },
        }
    }

    /// The two sinks back.
    pub fn into_parts(self) -> TeeParts<A, B> {
        TeeParts {
            first: self.first.sink,
            second: self.second.sink,
        }
    }

    fn status(&self) -> Result<(), SinkError> {
        if self.first.closed && self.second.closed {
            Err(SinkError::Closed)
        } else {
            Ok(())
        }
    }
}

impl<A: FindingSink, B: FindingSink> FindingSink for Tee<A, B> {
    fn finding(&mut self, f: &FindingView<'_>) -> Result<(), SinkError> {
        self.first.send(|s| s.finding(f))?;
        self.second.send(|s| s.finding(f))?;
        self.status()
    }

    fn finish(&mut self, summary: &HuntSummary) -> Result<(), SinkError> {
        self.first.send(|s| s.finish(summary))?;
        self.second.send(|s| s.finish(summary))?;
        self.status()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::testing::*;
    use crate::sink::{JsonlSink, TableSink};

    fn utc() -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::UTC
    }

    #[test]
    fn both_sides_get_every_finding_and_the_summary() {
        let file = source();
        let f = view(&file);
        let mut tee = Tee::new(
            TableSink::new(Vec::new(), utc()),
            JsonlSink::new(Vec::new(), utc()),
        );
        tee.finding(&f).unwrap();
        tee.finding(&f).unwrap();
        tee.finish(&summary_of(&f)).unwrap();
        let parts = tee.into_parts();
        let table = String::from_utf8(parts.first.into_inner()).unwrap();
        let jsonl = String::from_utf8(parts.second.into_inner()).unwrap();
        assert_eq!(
            table.lines().filter(|l| l.contains("CreateUser")).count(),
            2
        );
        assert!(table.contains("== hunt summary"));
        assert_eq!(jsonl.lines().count(), 2);
    }

    #[test]
    fn a_closed_side_does_not_stop_the_other() {
        let file = source();
        let f = view(&file);
        let mut tee = Tee::new(
            JsonlSink::new(ClosedPipe, utc()),
            JsonlSink::new(Vec::new(), utc()),
        );
        tee.finding(&f).unwrap();
        tee.finding(&f).unwrap();
        tee.finish(&summary_of(&f)).unwrap();
        assert_eq!(
            tee.into_parts().second.into_inner().len(),
            2 * {
                let mut one = JsonlSink::new(Vec::new(), utc());
                one.finding(&f).unwrap();
                one.into_inner().len()
            }
        );
    }

    #[test]
    fn closed_only_when_both_are_and_failures_stop_it() {
        let file = source();
        let f = view(&file);
        let mut both = Tee::new(
            JsonlSink::new(ClosedPipe, utc()),
            JsonlSink::new(ClosedPipe, utc()),
        );
        assert!(matches!(both.finding(&f), Err(SinkError::Closed)));
        let mut failing = Tee::new(
            JsonlSink::new(Vec::new(), utc()),
            JsonlSink::new(FullDisk, utc()),
        );
        assert!(matches!(failing.finding(&f), Err(SinkError::Io(_))));
    }
}
