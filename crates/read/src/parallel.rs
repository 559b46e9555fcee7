//! Reading many files on all cores.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use cloudcase_event::{Event, SourceFile};

use crate::file::{read_file, read_source, FileOutput};
use crate::normalize::{Kept, Scratch};
use crate::{Accounting, Limits, Rejection};
use crate::{Files, UnlistedMember};

/// Receives the events one worker thread reads.
///
/// Each worker owns one sink, so sinks need no locking; a file's events all
/// reach the same sink, in the file's order.
pub trait EventSink: Send {
    /// Takes one event.
    fn accept(&mut self, event: Event);

    /// Whether the sink reads events' record text and JSON bodies (`raw`,
    /// `request_parameters`, `response_elements`, `additional_event_data`,
    /// `resources`). A sink that counts typed fields only says no, and the
    /// reader then leaves them empty for CloudTrail records instead of copying
    /// them: a third of `stats`' memory traffic on busy accounts' logs.
    fn wants_text(&self) -> bool {
        true
    }

    /// Whether the sink reads events' JSON bodies when it reads their text
    /// ([`EventSink::wants_text`]). A sink that reads only the record text
    /// (`raw`) says no, and the bodies are left empty instead of copied.
    fn wants_bodies(&self) -> bool {
        true
    }
}

impl<F: FnMut(Event) + Send> EventSink for F {
    fn accept(&mut self, event: Event) {
        self(event)
    }
}

/// Reads the records at `wanted` indexes of one file (sorted or not) and
/// returns them as events, in the file's order. Used to fetch again the few
/// records that findings point to, instead of keeping every event in memory.
/// Rejections are ignored here: they were reported by the full read.
/// An archive member's records are found by reading its archive again (only the member's:
/// those of an archive found while reading share its ordinal).
pub fn read_records(file: &Arc<SourceFile>, limits: Limits, wanted: &[u64]) -> Vec<Event> {
    let mut found = Vec::with_capacity(wanted.len());
    let index = UnlistedMember::index_of;
    let mut on_event = |ev: Event| {
        let from = &ev.provenance.file;
        let same =
            from.ordinal == file.ordinal && (file.member.is_none() || index(from) == index(file));
        if same && wanted.contains(&ev.provenance.record) {
            found.push(ev);
        }
    };
    let mut out = FileOutput {
        on_event: &mut on_event,
        on_reject: &|_| {},
    };
    read_source(file, limits, &mut Scratch::default(), &mut out);
    found
}

/// Live counters of a read in progress, for progress displays.
#[derive(Debug, Default)]
pub struct Progress {
    /// Files finished.
    pub files_done: AtomicU64,
    /// Bytes read from disk by finished files.
    pub bytes_read: AtomicU64,
    /// Events parsed by finished files.
    pub events: AtomicU64,
}

/// Reads `files` with one worker thread per sink, each worker taking the
/// next unread file, and returns the sinks with the run's accounting.
///
/// Rejections are reported through `on_reject` as they happen (from any
/// worker). Memory stays bounded: a worker holds one file's read buffer and
/// one record at a time.
pub fn read_files<S: EventSink>(
    files: &dyn Files,
    limits: Limits,
    sinks: Vec<S>,
    on_reject: &(dyn Fn(Rejection) + Sync),
) -> (Vec<S>, Accounting) {
    read_files_tracked(files, limits, sinks, on_reject, &Progress::default())
}

/// [`read_files`], updating `progress` as each file finishes.
pub fn read_files_tracked<S: EventSink>(
    files: &dyn Files,
    limits: Limits,
    sinks: Vec<S>,
    on_reject: &(dyn Fn(Rejection) + Sync),
    progress: &Progress,
) -> (Vec<S>, Accounting) {
    let next = AtomicUsize::new(0);
    let results: Vec<(S, Accounting)> = std::thread::scope(|scope| {
        let handles: Vec<_> = sinks
            .into_iter()
            .map(|mut sink| {
                let next = &next;
                scope.spawn(move || {
                    let mut acc = Accounting::default();
                    let mut scratch = Scratch::default();
                    scratch.kept = Kept {
                        record: sink.wants_text(),
                        bodies: sink.wants_text() && sink.wants_bodies(),
                    };
                    let mut on_event = |ev: Event| sink.accept(ev);
                    let mut out = FileOutput {
                        on_event: &mut on_event,
                        on_reject,
                    };
                    while let Some(file) = files.file(next.fetch_add(1, Ordering::Relaxed)) {
                        let one = read_file(&file, limits, &mut scratch, &mut out);
                        progress.files_done.fetch_add(1, Ordering::Relaxed);
                        progress
                            .bytes_read
                            .fetch_add(one.bytes_read, Ordering::Relaxed);
                        progress
                            .events
                            .fetch_add(one.records_parsed, Ordering::Relaxed);
                        acc.merge(&one);
                    }
                    (sink, acc)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let mut total = Accounting::default();
    let sinks = results
        .into_iter()
        .map(|(sink, acc)| {
            total.merge(&acc);
            sink
        })
        .collect();
    (sinks, total)
}
