//! The acquisition progress line: objects, bytes, rate and ETA on standard
//! error while it is a terminal.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cloudcase_evidence::AcquireProgress;
use cloudcase_read::human_bytes;

/// Redraws one line about four times a second until finished, then clears it.
pub struct AcquireLine {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl AcquireLine {
    /// Starts showing `progress`, counting items as `unit` (`objects`,
    /// `blocks`); nothing when standard error is not a terminal.
    pub fn start(progress: Arc<AcquireProgress>, unit: &'static str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return AcquireLine { stop, thread: None };
        }
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(250));
                let (done, total) = (progress.items_done(), progress.items_total());
                let (bytes, bytes_total) = (progress.bytes_read(), progress.bytes_total());
                let rate = bytes as f64 / started.elapsed().as_secs_f64().max(0.001);
                let eta = if rate > 0.0 && bytes_total > bytes {
                    format!(", ETA {:.0} s", (bytes_total - bytes) as f64 / rate)
                } else {
                    String::new()
                };
                eprint!(
                    "\r\x1b[2K{done}/{total} {unit}, {} of {}, {}/s{eta}",
                    human_bytes(bytes),
                    human_bytes(bytes_total),
                    human_bytes(rate as u64)
                );
                let _ = std::io::stderr().flush();
            }
            eprint!("\r\x1b[2K");
        });
        AcquireLine {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for AcquireLine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
