//! Running the browser once: fixed offline flags, a fresh profile, a time limit.

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::{flag, io, Chromium, ChromiumError};

/// Flags for every run: headless, no sandbox (CI runs as root), and no
/// background network traffic of any kind (updates, sync, QUIC, first-run).
const FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// Keeps the last `max` bytes of `bytes` as text, for error messages.
fn tail(bytes: &[u8], max: usize) -> String {
    let start = bytes.len().saturating_sub(max);
    String::from_utf8_lossy(&bytes[start..]).trim().to_owned()
}

/// Reads a pipe to its end on a thread and sends the bytes back.
fn drain<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel();
    if let Some(mut pipe) = pipe {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            let _ = tx.send(buf);
        });
    }
    rx
}

impl Chromium {
    /// Runs the browser with the offline flags, a fresh temporary profile and
    /// `args`; returns its standard output. Past the time limit the browser
    /// is killed: this never waits longer than the limit (plus a moment).
    pub(super) fn run(
        &self,
        what: &'static str,
        args: &[OsString],
    ) -> Result<Vec<u8>, ChromiumError> {
        let profile = tempfile::tempdir().map_err(io(Path::new("temporary directory")))?;
        let mut child = Command::new(&self.program)
            .args(FLAGS)
            .arg(flag("--user-data-dir", profile.path().as_os_str()))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| ChromiumError::Spawn {
                program: self.program.clone(),
                source,
            })?;
        let stdout = drain(child.stdout.take());
        let stderr = drain(child.stderr.take());
        let deadline = Instant::now() + self.timeout;
        let timed_out = || ChromiumError::TimedOut {
            what,
            limit: self.timeout,
        };
        let status = loop {
            match child.try_wait().map_err(io(&self.program))? {
                Some(status) => break status,
                None if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(timed_out());
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        // Helper processes may hold the pipes a little longer than the browser.
        let grace = deadline
            .saturating_duration_since(Instant::now())
            .max(Duration::from_secs(2));
        let out = stdout.recv_timeout(grace).map_err(|_| timed_out())?;
        let err = stderr.recv_timeout(grace).unwrap_or_default();
        if !status.success() {
            return Err(ChromiumError::Failed {
                what,
                status,
                stderr: tail(&err, 2000),
            });
        }
        Ok(out)
    }
}
