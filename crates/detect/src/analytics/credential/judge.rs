//! The judgement of the sessions, read back from the sort in key order: the parts of one
//! session (from several workers or write-outs) arrive together under the hash of its key and
//! ARN, are combined, and the session is judged, so that only the sessions of one hash are held
//! at a time.

use std::io;

use cloudcase_read::FileFinder;
use cloudcase_timeline::sort::LineKey;

use super::entry::SessionEntry;
use super::{sort_key, OFF_COMPUTE};
use crate::analytics::written::{self, unreadable};
use crate::analytics::Candidate;

/// A finding to be, with the session it is about (for the order of the findings).
struct Found {
    key: Box<str>,
    arn: Box<str>,
    candidate: Candidate,
}

/// Reads the sessions in sort-key order, as the sort's merge writes them, and collects the
/// candidates.
pub(super) struct Judge<'a> {
    files: FileFinder<'a>,
    /// The sort key of the sessions being combined.
    group: Option<LineKey>,
    /// The sessions of that key (nearly always one), their parts combined.
    pending: Vec<SessionEntry>,
    found: Vec<Found>,
}

impl<'a> Judge<'a> {
    /// A judgement pointing into `files`.
    pub fn new(files: &'a dyn cloudcase_read::Files) -> Self {
        Judge {
            files: FileFinder::new(files),
            group: None,
            pending: Vec::new(),
            found: Vec::new(),
        }
    }

    /// Judges the sessions whose parts are all combined.
    fn judge_pending(&mut self) {
        for s in self.pending.drain(..) {
            let Some((used, why)) = s.state.off_compute() else {
                continue;
            };
            let Some(pointer) = used.at.pointer(&mut self.files) else {
                continue;
            };
            let detail = format!(
                "session key {} used by {} outside its compute; {why}",
                s.key, used.client
            );
            self.found.push(Found {
                key: s.key,
                arn: s.arn,
                candidate: Candidate {
                    spec: OFF_COMPUTE,
                    pointer,
                    detail,
                },
            });
        }
    }

    /// The candidates in order of session key and ARN, once every session has been read.
    pub fn finish(mut self) -> Vec<Candidate> {
        self.judge_pending();
        self.found
            .sort_by(|a, b| (&a.key, &a.arn).cmp(&(&b.key, &b.arn)));
        self.found.into_iter().map(|f| f.candidate).collect()
    }
}

impl written::Judge for Judge<'_> {
    const WHAT: &'static str = "a session";

    /// Takes one part of a session.
    fn part(&mut self, body: &[u8]) -> io::Result<()> {
        let entry = SessionEntry::decode(body).ok_or_else(|| unreadable(Self::WHAT))?;
        let group = sort_key(&entry.key, &entry.arn);
        if self.group != Some(group) {
            self.judge_pending();
            self.group = Some(group);
        }
        match self.pending.iter_mut().find(|p| p.same_session(&entry)) {
            Some(p) => p.state.absorb(entry.state),
            None => self.pending.push(entry),
        }
        Ok(())
    }
}
