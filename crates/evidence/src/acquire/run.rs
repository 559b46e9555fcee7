//! One acquisition run: list, ingest in parallel, commit in batches.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::commit::Committer;
use super::ingest::{ingest, Ingested};
use super::plan::{plan, Plan, SlotItem};
use super::recover::recover;
use super::{AcquireOptions, AcquireProgress, AcquireSummary, ItemOutcome, ItemStatus, Outcome};
use crate::custody::{Action, CustodyWriter};
use crate::error::Error;
use crate::layout::Layout;
use crate::lock::CaseLock;
use crate::meta;
use crate::source::Source;
use cloudcase_util::parallel;

/// Results committed per batch at most; a batch is also committed when its
/// first result has waited this long. Small batches keep the committer's work
/// overlapping with the workers' (measured faster than 4096 / 250 ms); a crash
/// loses at most one batch of records, which the next run recovers.
const BATCH_MAX: usize = 256;
const BATCH_WAIT: Duration = Duration::from_millis(50);
/// Worker results queued for the committer at most.
const RESULTS_QUEUED: usize = 2 * BATCH_MAX;
/// At most this many failures are listed in the run's custody entry.
const FAILURES_LISTED: usize = 1000;

/// Runs an acquisition (see the module documentation).
pub(crate) fn run(
    layout: &Layout,
    case_examiner: &str,
    sources: &[Box<dyn Source>],
    options: &AcquireOptions,
) -> Result<AcquireSummary, Error> {
    let started = Instant::now();
    let examiner = options
        .examiner
        .clone()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| case_examiner.to_owned());
    let command = &options.command_line;
    let chunk = options.chunk_size.max(4096);
    let mut buf = vec![0u8; chunk];

    let _lock = CaseLock::acquire(layout)?;
    let mut custody = CustodyWriter::open(layout, &examiner)?;
    let (manifest, read, recovery) = recover(layout, &mut custody, command, &mut buf)?;
    let (index, manifest_lines) = (read.index, read.lines);

    let case_root = std::fs::canonicalize(layout.root()).unwrap_or_else(|_| layout.root().into());
    let Plan {
        mut slots,
        mut work,
        order,
    } = plan(sources, &index, layout, &case_root);
    let progress = options.progress.as_deref();
    if let Some(p) = progress {
        let bytes = work.iter().filter_map(|w| w.item.size).sum();
        p.set_totals(slots.len() as u64, bytes);
        p.add_items((slots.len() - work.len()) as u64);
    }

    let mut committer = Committer {
        layout,
        custody,
        manifest,
        index,
        manifest_lines,
        examiner: &examiner,
        host: meta::host_name(),
        command,
        pending: Vec::new(),
        dirs: BTreeSet::new(),
        slots: &mut slots,
        work: &work,
        sources,
        bytes_read: 0,
        bytes_stored: 0,
        stopped: None,
    };
    // One worker more than cores: while one waits on fsync, the others hash.
    let threads = match options.threads {
        0 => parallel::threads(0) + 1,
        n => n,
    }
    .min(work.len().max(1));
    let outcome = ingest_all(&mut committer, &order, threads, chunk, progress);
    let (bytes_read, bytes_stored) = (committer.bytes_read, committer.bytes_stored);
    let stopped = committer.stopped.take();
    let mut custody = committer.custody;
    outcome?;

    let items: Vec<ItemOutcome> = slots
        .into_iter()
        .map(|slot| ItemOutcome {
            source: match slot.item {
                SlotItem::Listed(uri) => uri,
                SlotItem::Work(k) => std::mem::take(&mut work[k].item.uri),
            },
            outcome: slot.outcome.unwrap_or_else(|| {
                Outcome::Failed(match &stopped {
                    Some(reason) => Error::NotAttempted {
                        reason: reason.clone(),
                    },
                    None => Error::Internal("item was not processed".into()),
                })
            }),
        })
        .collect();
    let mut summary = AcquireSummary {
        items,
        bytes_read,
        bytes_stored,
        elapsed: Duration::ZERO,
        cleaned_temp_files: recovery.cleaned,
        repairs: recovery.repairs,
        recovered_entries: recovery.adopted,
    };
    summary.elapsed = started.elapsed();
    custody.append(
        Action::AcquisitionRun,
        run_details(&summary, sources, command),
    )?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Ingests all work on `threads` workers, committing results on this thread.
fn ingest_all(
    c: &mut Committer<'_>,
    order: &[usize],
    threads: usize,
    chunk: usize,
    progress: Option<&AcquireProgress>,
) -> Result<(), Error> {
    let next = AtomicUsize::new(0);
    let abort = AtomicBool::new(false);
    // Bounded: results waiting for the committer cost memory (and, before
    // they are placed, names in evidence/tmp), so workers wait when it lags.
    let (tx, rx) = mpsc::sync_channel::<(usize, Result<Ingested, Error>)>(RESULTS_QUEUED);
    let (layout, work, sources) = (c.layout, c.work, c.sources);
    thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let tx = tx.clone();
                let (next, abort) = (&next, &abort);
                scope.spawn(move || {
                    let mut buf = vec![0u8; chunk];
                    while !abort.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&i) = order.get(i) else { break };
                        let w = &work[i];
                        let result = ingest(
                            layout,
                            sources[w.source].as_ref(),
                            &w.item,
                            w.expected.as_deref(),
                            &mut buf,
                            progress,
                        );
                        if let Some(p) = progress {
                            p.add_items(1);
                        }
                        if tx.send((i, result)).is_err() {
                            break;
                        }
                    }
                })
            })
            .collect();
        drop(tx);

        let mut result = Ok(());
        let mut first_pending: Option<Instant> = None;
        loop {
            let wait = first_pending.map_or(BATCH_WAIT, |t| BATCH_WAIT.saturating_sub(t.elapsed()));
            match rx.recv_timeout(wait) {
                Ok((i, r)) => {
                    if let Err(e) = &r {
                        if c.stopped.is_none() && e.is_resource_limit() {
                            // Every further item would fail the same way:
                            // stop, keep what is done, let the next run finish.
                            c.stopped = Some(e.to_string());
                            abort.store(true, Ordering::Relaxed);
                        }
                    }
                    c.accept(i, r);
                    let since = *first_pending.get_or_insert_with(Instant::now);
                    // Commit when the batch is full or its oldest result has
                    // waited long enough, even while results keep arriving.
                    if c.pending.len() >= BATCH_MAX || since.elapsed() >= BATCH_WAIT {
                        result = c.flush();
                        first_pending = None;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    result = c.flush();
                    first_pending = None;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if result.is_err() {
                abort.store(true, Ordering::Relaxed);
                break;
            }
        }
        drop(rx);
        let mut panicked = false;
        for h in handles {
            panicked |= h.join().is_err();
        }
        result?;
        c.flush()?;
        if panicked {
            return Err(Error::Internal(
                "an acquisition worker panicked; completed items were recorded, run again to finish"
                    .into(),
            ));
        }
        Ok(())
    })
}

/// Details of the run's `acquisition_run` custody entry.
fn run_details(s: &AcquireSummary, sources: &[Box<dyn Source>], command: &[String]) -> Value {
    let failures: Vec<Value> = s
        .failures()
        .take(FAILURES_LISTED)
        .map(|(src, e)| json!({"source": src, "error": e.to_string()}))
        .collect();
    let failed = s.failures().count();
    let empty: Vec<&str> = s.empty().take(FAILURES_LISTED).collect();
    json!({
        "command": command,
        "sources": sources.iter().map(|x| x.describe()).collect::<Vec<_>>(),
        "items": s.items.len(),
        "new": s.count(ItemStatus::New),
        "new_source": s.count(ItemStatus::NewSource),
        "already_held": s.count(ItemStatus::AlreadyHeld),
        "skipped": s.skipped().count(),
        "failed": failed,
        "failures": failures,
        "failures_truncated": failed > FAILURES_LISTED,
        "empty": s.empty().count(),
        "empty_items": empty,
        "bytes_read": s.bytes_read,
        "bytes_stored": s.bytes_stored,
        "elapsed_ms": u64::try_from(s.elapsed.as_millis()).unwrap_or(u64::MAX),
        "cleaned_temp_files": s.cleaned_temp_files,
        "repairs": s.repairs,
        "recovered_entries": s.recovered_entries,
    })
}
