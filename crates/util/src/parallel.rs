//! A small order-keeping, work-sharing map over scoped threads (no
//! thread-pool dependency): verification re-hashes objects and trail
//! validation reads digests and hashes logs with it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Number of worker threads to use: `requested`, or the machine's available
/// parallelism when `requested` is 0.
pub fn threads(requested: usize) -> usize {
    if requested > 0 {
        requested
    } else {
        thread::available_parallelism().map_or(1, |n| n.get())
    }
}

/// Applies `f` to every item on `threads` threads, each with its own state from
/// `init` (e.g. a read buffer). Items are taken in order from a shared counter,
/// so put the largest first for balance. Results come back in item order.
/// If `f` panics, every item that thread handled yields `None`.
pub fn map_with<T, S, R>(
    threads: usize,
    items: &[T],
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<Option<R>>
where
    T: Sync,
    R: Send,
{
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    let per_thread: Vec<Vec<(usize, R)>> = thread::scope(|scope| {
        let handles: Vec<_> = (0..threads.max(1).min(items.len().max(1)))
            .map(|_| {
                scope.spawn(|| {
                    let mut state = init();
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        done.push((i, f(&mut state, item)));
                    }
                    done
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    for (i, r) in per_thread.into_iter().flatten() {
        results[i] = Some(r);
    }
    results
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_item_order() {
        let items: Vec<u32> = (0..1000).collect();
        let out = map_with(
            3,
            &items,
            || 0u32,
            |calls, x| {
                *calls += 1;
                x * 2
            },
        );
        let out: Vec<u32> = out.into_iter().map(|r| r.expect("done")).collect();
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert!(map_with(2, &[] as &[u32], || (), |_, x| *x).is_empty());
    }
}
