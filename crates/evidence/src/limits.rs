//! Naming the operating-system limit behind an I/O error, so that a run which
//! hits one says which limit it was and what to do, instead of a bare errno.

use std::io;

use cloudcase_util::oslimit::OsLimit;

/// What a stopped acquisition tells the user after naming the limit.
fn advice(limit: OsLimit) -> &'static str {
    match limit {
        OsLimit::ProcessOpenFiles | OsLimit::SystemOpenFiles => {
            "; completed items are recorded and the next run finishes the job"
        }
        OsLimit::DiskFull | OsLimit::DiskQuota => {
            "; free space and run again: completed items are recorded"
        }
        OsLimit::Memory => "",
    }
}

/// The sentence naming the limit behind `error`, with a leading separator,
/// or an empty string when the error is not a resource limit.
pub(crate) fn limit_hint(error: &io::Error) -> String {
    OsLimit::of(error)
        .map(|l| format!(" ({}{})", l.reached(), advice(l)))
        .unwrap_or_default()
}

/// Whether `error` is a resource limit ([`OsLimit`]) rather than a problem of
/// one item: a run that hits one stops instead of failing item after item.
pub(crate) fn is_resource_limit(error: &io::Error) -> bool {
    OsLimit::of(error).is_some()
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
