//! Naming the operating-system limit behind an I/O error, so that a run which
//! hits one says which limit it was and what to do, instead of a bare errno.

use std::io;

/// One resource limit an I/O error can stand for, and what to tell the user.
struct LimitHint {
    /// The `errno` value on Linux and macOS.
    errno: i32,
    /// The sentence appended to the error.
    hint: &'static str,
}

/// Limits worth naming: the per-process and system-wide open-file limits,
/// disk space and quota, and memory.
const HINTS: &[LimitHint] = &[
    LimitHint {
        errno: 24, // EMFILE
        hint: "the per-process open-file limit (`ulimit -n`) was reached; completed items are recorded and the next run finishes the job",
    },
    LimitHint {
        errno: 23, // ENFILE
        hint: "the system-wide open-file limit was reached; completed items are recorded and the next run finishes the job",
    },
    LimitHint {
        errno: 28, // ENOSPC
        hint: "the device is full; free space and run again: completed items are recorded",
    },
    LimitHint {
        #[cfg(target_os = "macos")]
        errno: 69, // EDQUOT
        #[cfg(not(target_os = "macos"))]
        errno: 122, // EDQUOT
        hint: "the disk quota is exhausted; free space and run again: completed items are recorded",
    },
    LimitHint {
        errno: 12, // ENOMEM
        hint: "the system is out of memory",
    },
];

/// The sentence naming the limit behind `error`, with a leading separator,
/// or an empty string when the error is not a resource limit.
pub(crate) fn limit_hint(error: &io::Error) -> String {
    error
        .raw_os_error()
        .and_then(|code| HINTS.iter().find(|h| h.errno == code))
        .map(|h| format!(" ({})", h.hint))
        .unwrap_or_default()
}

/// Whether `error` is a resource limit of [`HINTS`] rather than a problem of
/// one item: a run that hits one stops instead of failing item after item.
pub(crate) fn is_resource_limit(error: &io::Error) -> bool {
    error
        .raw_os_error()
        .is_some_and(|code| HINTS.iter().any(|h| h.errno == code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_open_file_limit_and_nothing_for_ordinary_errors() {
        let emfile = io::Error::from_raw_os_error(24);
        assert!(limit_hint(&emfile).contains("ulimit -n"));
        assert!(is_resource_limit(&emfile));
        let missing = io::Error::from(io::ErrorKind::NotFound);
        assert_eq!(limit_hint(&missing), "");
        assert!(!is_resource_limit(&missing));
    }
}
