//! Order-keeping parallel map over scoped threads, for reading digests and hashing
//! log files on all cores without a thread-pool dependency.

/// Runs `f` over `items` on up to `threads` scoped threads (0: one per
/// core); results keep input order. A panic in `f` is raised again here.
pub(crate) fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    par_map_with(items, threads, || (), |_, item| f(item))
}

/// Like [`par_map`], each thread with its own state from `init` (a reused buffer).
pub(crate) fn par_map_with<T: Sync, S, R: Send>(
    items: &[T],
    threads: usize,
    init: impl Fn() -> S + Sync,
    f: impl Fn(&mut S, &T) -> R + Sync,
) -> Vec<R> {
    let threads = cloudcase_util::parallel::threads(threads);
    cloudcase_util::parallel::map_with(threads, items, init, f)
        .into_iter()
        .map(|r| r.unwrap_or_else(|| panic!("a trail validation worker panicked")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn par_map_keeps_order_on_any_thread_count() {
        let items: Vec<u32> = (0..1000).collect();
        for threads in [0, 1, 2, 7] {
            let out = par_map(&items, threads, |x| x * 2);
            assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        }
        assert!(par_map(&Vec::<u32>::new(), 2, |x| *x).is_empty());
    }
}
