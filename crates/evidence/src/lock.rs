//! The case writer lock: one process writes to a case at a time.
//!
//! An advisory `flock` on `case.lock`, released by the kernel when the holder
//! exits for any reason (including `kill -9`), so a crash never leaves a stale
//! lock behind. Holding it is also what makes it safe for the next writer to
//! delete leftovers in `evidence/tmp/`: nobody else can be writing them.

use std::fs::{File, OpenOptions};

use crate::error::{Error, IoContext};
use crate::layout::Layout;

/// How long a writer waits for another to finish before giving up.
pub(crate) const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Proof that this process holds the case's writer lock; released on drop.
#[derive(Debug)]
pub(crate) struct CaseLock {
    _file: File,
}

impl CaseLock {
    /// Takes the writer lock of the case at `layout`, waiting up to
    /// [`LOCK_WAIT`] for a writer that is finishing (a custody append takes
    /// milliseconds), then failing with [`Error::Locked`].
    pub(crate) fn acquire(layout: &Layout) -> Result<Self, Error> {
        let path = layout.lock_file();
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .at(&path, "open lock file")?;
        let deadline = std::time::Instant::now() + LOCK_WAIT;
        loop {
            if try_lock(&file).at(&path, "lock")? {
                return Ok(Self { _file: file });
            }
            if std::time::Instant::now() >= deadline {
                return Err(Error::Locked {
                    path: layout.root().to_path_buf(),
                    lock: path,
                });
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    }
}

#[cfg(unix)]
pub(crate) fn try_lock(file: &File) -> std::io::Result<bool> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock takes a descriptor owned by `file`, which outlives the call;
    // no memory is shared with the kernel.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(err)
    }
}

/// Without `flock` the lock is a no-op: one writer at a time is then the user's
/// responsibility.
#[cfg(not(unix))]
pub(crate) fn try_lock(_file: &File) -> std::io::Result<bool> {
    Ok(true)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_until_first_drops() {
        let dir = tempfile::tempdir().expect("tempdir");
        let layout = Layout::new(dir.path());
        let first = CaseLock::acquire(&layout).expect("first lock");
        match CaseLock::acquire(&layout) {
            Err(Error::Locked { .. }) => {}
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(first);
        CaseLock::acquire(&layout).expect("lock after release");
    }
}
