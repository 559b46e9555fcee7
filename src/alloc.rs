//! The process's allocator (mimalloc) and the one setting a command may change: how soon
//! freed memory goes back to the operating system.

use libmimalloc_sys::{mi_option_set, mi_option_t};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc v3's `mi_option_e` (`include/mimalloc.h`), which
/// `libmimalloc-sys` does not name; the test below checks it against v3's default.
const PURGE_DELAY: mi_option_t = 15;

/// Milliseconds after which freed pages are returned: the read's transient buffers come and go
/// per file while the commands' state is kept.
const LOW_PEAK_PURGE_MS: i64 = 10;

/// Returns freed memory to the system after [`LOW_PEAK_PURGE_MS`] instead of mimalloc v3's
/// one second, unless `MIMALLOC_PURGE_DELAY` says otherwise, and keeps transparent huge pages
/// out of the process; set for every command.
///
/// Measured on the busy corpus (2026-12-06, alternating runs, same binary):
/// * the purge delay: `stats` at 2 GB 61–67 → 38–41 MB peak RSS, `hunt` 95–97 → 72–75 MB at
///   2 GB and 168 → 149 MB at 20 GB, `timeline` 207–211 → 199–201 MB, `scope --auto` 410 → 346 MB
///   at 20 GB when it was first set; times within run-to-run noise;
/// * no huge pages: see [`no_huge_pages`].
pub fn prefer_low_peak() {
    no_huge_pages();
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
        return;
    }
    // SAFETY: sets one of mimalloc's process-wide options (a plain integer it reads when it
    // next purges); any value is valid, and the call has no other effect.
    unsafe { mi_option_set(PURGE_DELAY, LOW_PEAK_PURGE_MS as std::ffi::c_long) }
}

/// Asks Linux not to back this process's memory with transparent huge pages. Where they are
/// on for every process (`/sys/kernel/mm/transparent_hugepage/enabled` set to `always`, as on
/// this project's machines), mimalloc's arenas get 2 MiB pages, and a page touched anywhere
/// counts whole in the resident set: `hunt` on the busy corpus peaked at 54–64 MB at 2 GB and
/// 102–110 MB at 20 GB with them, 38–39 MB and 81 MB without, in the same time (2.8–3.0 s and
/// 28–29 s). A kernel that refuses the request leaves things as they were.
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: `PR_SET_THP_DISABLE` takes plain integer arguments and only sets a flag of the
    // calling process; it touches no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use libmimalloc_sys::mi_option_get;

    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return;
        }
        // SAFETY: reads an option's value.
        let default = unsafe { mi_option_get(PURGE_DELAY) };
        assert_eq!(default, 1000, "mimalloc v3's purge delay is 1000 ms");
        prefer_low_peak();
        // SAFETY: as above.
        assert_eq!(
            unsafe { mi_option_get(PURGE_DELAY) },
            LOW_PEAK_PURGE_MS as std::ffi::c_long
        );
        #[cfg(target_os = "linux")]
        // SAFETY: reads a flag of the calling process.
        unsafe {
            assert_eq!(libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0), 1);
        }
    }
}
