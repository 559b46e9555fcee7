//! Durable file-system primitives: fsync of directories, atomic whole-file
//! writes, durable line appends, and detection/repair of torn final lines.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use crate::error::{Error, IoContext};

/// Flushes a directory's entries (new names, renames) to disk (see
/// [`cloudcase_util::fs::sync_dir`]).
pub(crate) fn sync_dir(dir: &Path) -> Result<(), Error> {
    cloudcase_util::fs::sync_dir(dir).at(dir, "fsync directory")
}

pub(crate) use cloudcase_util::fs::parent_dir;

/// Whether [`sync_filesystem`] is available (Linux `syncfs`).
pub(crate) const HAS_SYNCFS: bool = cfg!(target_os = "linux");

/// Flushes every pending change (file data, new names, renames) on the file
/// system holding `path`, waiting until it is on disk: one call instead of an
/// fsync per file and directory. Only where [`HAS_SYNCFS`]; elsewhere a no-op
/// that callers must not rely on.
pub(crate) fn sync_filesystem(path: &Path) -> Result<(), Error> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let f = File::open(path).at(path, "open for syncfs")?;
        // SAFETY: syncfs takes a descriptor owned by `f`, valid for the call;
        // no memory is shared with the kernel.
        if unsafe { libc::syncfs(f.as_raw_fd()) } != 0 {
            return Err(Error::io(path, "syncfs", std::io::Error::last_os_error()));
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = path;
    Ok(())
}

/// Creates `dir` and its missing parents, then syncs it and its parent so the
/// new entries survive a crash.
pub(crate) fn create_dir_durable(dir: &Path) -> Result<(), Error> {
    fs::create_dir_all(dir).at(dir, "create directory")?;
    sync_dir(dir)?;
    sync_dir(parent_dir(dir))
}

/// Writes `bytes` to `path` atomically and durably (see
/// [`cloudcase_util::fs::write_atomic`]).
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    cloudcase_util::fs::write_atomic(path, bytes).at(path, "write atomically")
}

/// Creates `path` empty if absent (and durable); leaves existing content alone.
pub(crate) fn touch_durable(path: &Path) -> Result<(), Error> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|f| f.sync_all())
        .at(path, "create")
}

/// Appends whole lines to an append-only log: one write, then `fdatasync`.
/// `bytes` must end with a newline.
pub(crate) fn append_durable(file: &mut File, path: &Path, bytes: &[u8]) -> Result<(), Error> {
    debug_assert!(bytes.ends_with(b"\n"));
    file.write_all(bytes).at(path, "append")?;
    file.sync_data().at(path, "fsync")
}

/// An incomplete final line found (and removed) at the end of a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TornTail {
    /// Byte offset where the incomplete line started (the new file length).
    pub offset: u64,
    /// The removed bytes.
    pub bytes: Vec<u8>,
}

/// Splits a log's content into complete lines (without their `\n`) and the
/// bytes after the last newline (an incomplete, torn line; empty if none).
pub(crate) fn split_lines(content: &[u8]) -> (Vec<&[u8]>, &[u8]) {
    let complete_len = content
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let (complete, tail) = content.split_at(complete_len);
    let lines = if complete.is_empty() {
        Vec::new()
    } else {
        complete[..complete.len() - 1]
            .split(|&b| b == b'\n')
            .collect()
    };
    (lines, tail)
}

/// If the file at `path` ends with an incomplete line (no final newline), cuts
/// it off durably and returns it. Only a missing final newline counts as torn:
/// a complete but invalid line is left for `verify` to report.
pub(crate) fn cut_torn_tail(file: &mut File, path: &Path) -> Result<Option<TornTail>, Error> {
    let len = file.metadata().at(path, "stat")?.len();
    if len == 0 {
        return Ok(None);
    }
    // Scan backwards for the last newline in growing windows.
    let mut window: u64 = 4096;
    loop {
        let (start, buf) = read_last(file, path, len, window)?;
        if buf.last() == Some(&b'\n') {
            return Ok(None);
        }
        if let Some(i) = buf.iter().rposition(|&b| b == b'\n') {
            let offset = start + i as u64 + 1;
            return truncate(file, path, offset, buf[i + 1..].to_vec()).map(Some);
        }
        if start == 0 {
            return truncate(file, path, 0, buf).map(Some);
        }
        window = window.saturating_mul(4);
    }
}

/// Reads the last `window` bytes of the first `len` bytes of `file`; returns
/// where they start and the bytes. Backward scans grow `window` until they
/// find what they look for.
fn read_last(file: &mut File, path: &Path, len: u64, window: u64) -> Result<(u64, Vec<u8>), Error> {
    let start = len.saturating_sub(window);
    file.seek(SeekFrom::Start(start)).at(path, "seek")?;
    let mut buf = Vec::new();
    Read::take(&mut *file, len - start)
        .read_to_end(&mut buf)
        .at(path, "read")?;
    Ok((start, buf))
}

fn truncate(file: &mut File, path: &Path, offset: u64, bytes: Vec<u8>) -> Result<TornTail, Error> {
    file.set_len(offset).at(path, "truncate torn tail")?;
    file.sync_all().at(path, "fsync")?;
    file.seek(SeekFrom::End(0)).at(path, "seek")?;
    Ok(TornTail { offset, bytes })
}

/// Reads the last complete line of a log (without its newline), if any,
/// scanning backwards so long logs are not read whole.
pub(crate) fn last_complete_line(file: &mut File, path: &Path) -> Result<Option<Vec<u8>>, Error> {
    let len = file.metadata().at(path, "stat")?.len();
    let mut window: u64 = 4096;
    loop {
        let (start, buf) = read_last(file, path, len, window)?;
        // Drop any bytes after the final newline (callers cut torn tails first).
        let end = match buf.iter().rposition(|&b| b == b'\n') {
            Some(i) => i,
            None if start == 0 => return Ok(None),
            None => {
                window = window.saturating_mul(4);
                continue;
            }
        };
        match buf[..end].iter().rposition(|&b| b == b'\n') {
            Some(i) => return Ok(Some(buf[i + 1..end].to_vec())),
            None if start == 0 => return Ok(Some(buf[..end].to_vec())),
            None => window = window.saturating_mul(4),
        }
    }
}

/// Counts the complete lines of the file at `path`.
pub(crate) fn count_lines(file: &mut File, path: &Path) -> Result<u64, Error> {
    file.seek(SeekFrom::Start(0)).at(path, "seek")?;
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0u64;
    loop {
        let read = file.read(&mut buf).at(path, "read")?;
        if read == 0 {
            break;
        }
        n += buf[..read].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    file.seek(SeekFrom::End(0)).at(path, "seek")?;
    Ok(n)
}

/// What one streaming pass over a line-oriented case file saw.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineStats {
    /// Complete lines (ending in a newline), parsed or not.
    pub lines: u64,
    /// Bytes of those lines, newlines included.
    pub bytes: u64,
    /// Complete lines that did not parse as a record.
    pub unparsable: u64,
    /// Length of an incomplete final line (no newline) left by an
    /// interrupted write; 0 when the file ends with a newline. Such a line
    /// is never handed out.
    pub torn_tail_bytes: u64,
}

/// Size of the read buffer for streaming passes.
const STREAM_BUFFER: usize = 256 * 1024;

/// Calls `f` with the number (from 1) and exact bytes (newline included) of
/// every complete line of the file at `path`, reading it with one bounded
/// buffer, so memory does not grow with the file. An incomplete final line
/// is not passed on; its length is returned in
/// [`LineStats::torn_tail_bytes`]. `unparsable` is left at 0 for the caller
/// to count. `missing` is what a missing file means: `None` reads it as
/// empty, `Some(err)` fails with that error.
pub(crate) fn for_each_line<E, F>(
    path: &Path,
    missing: Option<Error>,
    mut f: F,
) -> Result<LineStats, E>
where
    E: From<Error>,
    F: FnMut(u64, &[u8]) -> Result<(), E>,
{
    use std::io::BufRead;
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return match missing {
                None => Ok(LineStats::default()),
                Some(err) => Err(err.into()),
            }
        }
        Err(e) => return Err(Error::io(path, "open", e).into()),
    };
    let mut reader = std::io::BufReader::with_capacity(STREAM_BUFFER, file);
    let mut buf = Vec::with_capacity(4096);
    let mut stats = LineStats::default();
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(path, "read", e))?;
        if n == 0 {
            break;
        }
        if buf.last() != Some(&b'\n') {
            stats.torn_tail_bytes = buf.len() as u64;
            break;
        }
        stats.lines += 1;
        stats.bytes += buf.len() as u64;
        f(stats.lines, &buf)?;
    }
    Ok(stats)
}

/// A complete line without its newline.
pub(crate) fn content(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\n").unwrap_or(line)
}

/// Renames `from` to `to` unless `to` exists: `Ok(true)` when renamed,
/// `Ok(false)` when `to` is already a regular file (`from` is left in place).
/// On Linux one `renameat2(RENAME_NOREPLACE)`, which also closes the window
/// between checking and renaming; elsewhere, or where the file system does
/// not support it, a check then a rename.
pub(crate) fn rename_no_replace(from: &Path, to: &Path) -> std::io::Result<bool> {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    match rename_noreplace_linux(from, to) {
        Ok(()) => return Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return exists_as_file(to, e);
        }
        // Not supported by this file system (or kernel): check, then rename.
        Err(e) if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS)) => {}
        Err(e) => return Err(e),
    }
    if to.is_file() {
        return Ok(false);
    }
    fs::rename(from, to).map(|()| true)
}

/// `Ok(false)` if `to` is a regular file; otherwise `error` (something else
/// holds the name, which a plain rename would have failed on as well).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn exists_as_file(to: &Path, error: std::io::Error) -> std::io::Result<bool> {
    if to.is_file() {
        Ok(false)
    } else {
        Err(error)
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn rename_noreplace_linux(from: &Path, to: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))
    };
    let (from, to) = (c(from)?, c(to)?);
    // SAFETY: both pointers are NUL-terminated strings owned by this frame and
    // valid for the call; AT_FDCWD resolves relative paths as rename(2) does.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Makes a file read-only for everyone (mode 0444 on Unix).
pub(crate) fn make_read_only(path: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    let perms = {
        use std::os::unix::fs::PermissionsExt;
        fs::Permissions::from_mode(0o444)
    };
    #[cfg(not(unix))]
    let perms = {
        let mut p = fs::metadata(path).at(path, "stat")?.permissions();
        p.set_readonly(true);
        p
    };
    fs::set_permissions(path, perms).at(path, "make read-only")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_lines_separates_torn_tail() {
        assert_eq!(split_lines(b""), (Vec::<&[u8]>::new(), &b""[..]));
        assert_eq!(split_lines(b"a\nb\n"), (vec![&b"a"[..], b"b"], &b""[..]));
        assert_eq!(
            split_lines(b"a\nb\npar"),
            (vec![&b"a"[..], b"b"], &b"par"[..])
        );
        assert_eq!(split_lines(b"par"), (Vec::<&[u8]>::new(), &b"par"[..]));
        assert_eq!(split_lines(b"\n"), (vec![&b""[..]], &b""[..]));
    }

    #[test]
    fn torn_tail_is_cut_and_complete_lines_kept() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("log");
        fs::write(&path, b"one\ntwo\nthr").expect("write");
        let mut f = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .expect("open");
        let torn = cut_torn_tail(&mut f, &path).expect("cut").expect("torn");
        assert_eq!(torn.offset, 8);
        assert_eq!(torn.bytes, b"thr");
        assert_eq!(fs::read(&path).expect("read"), b"one\ntwo\n");
        assert_eq!(cut_torn_tail(&mut f, &path).expect("cut again"), None);
        assert_eq!(
            last_complete_line(&mut f, &path).expect("last"),
            Some(b"two".to_vec())
        );
        assert_eq!(count_lines(&mut f, &path).expect("count"), 2);
    }

    #[test]
    fn long_lines_are_found_across_windows() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("log");
        let long = "x".repeat(20_000);
        fs::write(&path, format!("{long}\n{long}y\n{long}")).expect("write");
        let mut f = OpenOptions::new()
            .read(true)
            .append(true)
            .open(&path)
            .expect("open");
        let torn = cut_torn_tail(&mut f, &path).expect("cut").expect("torn");
        assert_eq!(torn.bytes.len(), 20_000);
        let last = last_complete_line(&mut f, &path)
            .expect("last")
            .expect("line");
        assert_eq!(last.len(), 20_001);
        fs::write(&path, "only\n").expect("write");
        assert_eq!(
            last_complete_line(&mut f, &path).expect("last"),
            Some(b"only".to_vec())
        );
    }

    #[test]
    fn lines_are_streamed_and_a_torn_tail_measured() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("log");
        fs::write(&path, b"a\n\nbc\ntorn").expect("write");
        let mut seen = Vec::new();
        let stats = for_each_line::<Error, _>(&path, None, |n, l| {
            seen.push((n, content(l).to_vec()));
            Ok(())
        })
        .expect("read");
        assert_eq!(
            seen,
            [(1, b"a".to_vec()), (2, Vec::new()), (3, b"bc".to_vec())]
        );
        assert_eq!((stats.lines, stats.bytes, stats.torn_tail_bytes), (3, 6, 4));
        let missing = for_each_line::<Error, _>(&dir.path().join("none"), None, |_, _| Ok(()));
        assert_eq!(missing.expect("missing reads as empty").lines, 0);
    }

    #[test]
    fn parent_of_bare_name_is_current_dir() {
        assert_eq!(parent_dir(Path::new("case")), Path::new("."));
        assert_eq!(parent_dir(Path::new("a/b")), Path::new("a"));
        sync_dir(parent_dir(Path::new("case"))).expect("sync .");
    }

    #[test]
    fn rename_no_replace_never_overwrites() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (a, b, c) = (
            dir.path().join("a"),
            dir.path().join("b"),
            dir.path().join("c"),
        );
        fs::write(&a, b"first").expect("write");
        fs::write(&b, b"second").expect("write");
        assert!(!rename_no_replace(&b, &a).expect("exists"));
        assert_eq!(fs::read(&a).expect("read"), b"first");
        assert!(b.exists(), "the source is left in place");
        assert!(rename_no_replace(&b, &c).expect("rename"));
        assert_eq!(fs::read(&c).expect("read"), b"second");
        assert!(!b.exists());
        fs::create_dir(dir.path().join("d")).expect("mkdir");
        assert!(rename_no_replace(&c, &dir.path().join("d")).is_err());
        let missing = rename_no_replace(&dir.path().join("none"), &dir.path().join("x"));
        assert_eq!(
            missing.map_err(|e| e.kind()).err(),
            Some(std::io::ErrorKind::NotFound)
        );
    }

    #[test]
    fn atomic_write_replaces_content() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.json");
        write_atomic(&path, b"1").expect("first");
        write_atomic(&path, b"2").expect("second");
        assert_eq!(fs::read(&path).expect("read"), b"2");
        assert_eq!(fs::read_dir(dir.path()).expect("ls").count(), 1);
    }
}
