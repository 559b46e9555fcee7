//! Operating-system resource limits: naming the one behind an I/O error
//! (so a run that hits one says which, instead of a bare errno), and reading
//! the open-file limit a command should stay under.

use std::io;

/// A resource limit an I/O error can stand for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OsLimit {
    /// The per-process open-file limit (`EMFILE`).
    ProcessOpenFiles,
    /// The system-wide open-file limit (`ENFILE`).
    SystemOpenFiles,
    /// The device is full (`ENOSPC`).
    DiskFull,
    /// The disk quota is exhausted (`EDQUOT`).
    DiskQuota,
    /// Out of memory (`ENOMEM`).
    Memory,
}

/// One limit, its `errno` on Linux and macOS, and how it is worded.
struct Known {
    errno: i32,
    limit: OsLimit,
    reached: &'static str,
}

/// Every limit worth naming.
const KNOWN: &[Known] = &[
    Known {
        errno: 24, // EMFILE
        limit: OsLimit::ProcessOpenFiles,
        reached: "the per-process open-file limit (`ulimit -n`) was reached",
    },
    Known {
        errno: 23, // ENFILE
        limit: OsLimit::SystemOpenFiles,
        reached: "the system-wide open-file limit was reached",
    },
    Known {
        errno: 28, // ENOSPC
        limit: OsLimit::DiskFull,
        reached: "the device is full",
    },
    Known {
        #[cfg(target_os = "macos")]
        errno: 69, // EDQUOT
        #[cfg(not(target_os = "macos"))]
        errno: 122, // EDQUOT
        limit: OsLimit::DiskQuota,
        reached: "the disk quota is exhausted",
    },
    Known {
        errno: 12, // ENOMEM
        limit: OsLimit::Memory,
        reached: "the system is out of memory",
    },
];

impl OsLimit {
    /// The limit `error` stands for, if it is one of these.
    pub fn of(error: &io::Error) -> Option<OsLimit> {
        let code = error.raw_os_error()?;
        KNOWN.iter().find(|k| k.errno == code).map(|k| k.limit)
    }

    /// The sentence saying this limit was reached, for error messages.
    pub fn reached(self) -> &'static str {
        KNOWN
            .iter()
            .find(|k| k.limit == self)
            .map_or("a resource limit was reached", |k| k.reached)
    }
}

/// The soft open-file limit (`ulimit -n`) of this process; 256 (a common
/// default) when it cannot be read.
pub fn open_file_limit() -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes into the rlimit struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    if ok {
        usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
    } else {
        256
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_their_limit_and_ordinary_errors_none() {
        let emfile = io::Error::from_raw_os_error(24);
        assert_eq!(OsLimit::of(&emfile), Some(OsLimit::ProcessOpenFiles));
        assert!(OsLimit::ProcessOpenFiles.reached().contains("ulimit -n"));
        assert_eq!(
            OsLimit::of(&io::Error::from_raw_os_error(28)),
            Some(OsLimit::DiskFull)
        );
        assert_eq!(OsLimit::of(&io::Error::from(io::ErrorKind::NotFound)), None);
    }

    #[test]
    fn the_open_file_limit_is_read() {
        assert!(open_file_limit() > 0);
    }
}
