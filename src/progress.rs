//! A progress line on standard error while logs are read, when it is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cloudcase_read::{human_bytes, Progress};

/// Redraws one status line about four times a second until every file is
/// read (so it never mixes with output that follows the read) or it is
/// dropped, then clears it. Does nothing when standard error is not a terminal.
pub struct ProgressLine {
    stop: Arc<AtomicBool>,
    thread: std::sync::Mutex<Option<JoinHandle<()>>>,
}

impl ProgressLine {
    /// Starts showing `progress` of a read of `total_files` files totalling `total_bytes` on disk.
    pub fn start(progress: Arc<Progress>, total_files: u64, total_bytes: u64) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return ProgressLine {
                stop,
                thread: std::sync::Mutex::new(None),
            };
        }
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(250));
                let files = progress.files_done.load(Ordering::Relaxed);
                if files >= total_files {
                    break;
                }
                let bytes = progress.bytes_read.load(Ordering::Relaxed);
                let events = progress.events.load(Ordering::Relaxed);
                let secs = started.elapsed().as_secs_f64().max(0.001);
                let rate = bytes as f64 / secs;
                let eta = if rate > 0.0 && total_bytes > bytes {
                    format!(", ETA {:.0} s", (total_bytes - bytes) as f64 / rate)
                } else {
                    String::new()
                };
                eprint!(
                    "\r\x1b[2K{files}/{total_files} files, {} of {}, {events} events, {}/s{eta}",
                    human_bytes(bytes),
                    human_bytes(total_bytes),
                    human_bytes(rate as u64)
                );
                let _ = std::io::stderr().flush();
            }
            eprint!("\r\x1b[2K");
        });
        ProgressLine {
            stop,
            thread: std::sync::Mutex::new(Some(thread)),
        }
    }
}

impl ProgressLine {
    /// Starts showing `progress` of reading `inputs` (sizes taken from the file system).
    pub fn for_inputs(progress: Arc<Progress>, inputs: &cloudcase_read::Inputs) -> Self {
        let total_bytes = inputs
            .files
            .iter()
            .filter_map(|f| std::fs::metadata(&f.path).ok())
            .map(|m| m.len())
            .sum();
        Self::start(progress, inputs.files.len() as u64, total_bytes)
    }
}

impl ProgressLine {
    /// Clears the line and stops redrawing; call before writing output to the terminal.
    pub fn finish(&self) {
        self.stop.store(true, Ordering::Relaxed);
        let handle = match self.thread.lock() {
            Ok(mut t) => t.take(),
            Err(poisoned) => poisoned.into_inner().take(),
        };
        if let Some(t) = handle {
            let _ = t.join();
        }
    }
}

impl Drop for ProgressLine {
    fn drop(&mut self) {
        self.finish();
    }
}
