//! Headless Chromium for printing reports to PDF, taking screenshots and
//! measuring page layout, without touching the network.
//!
//! Nothing is downloaded: the browser must already be installed (Debian's
//! `chromium` package, or any Chromium/Chrome named by `CLOUDCASE_CHROMIUM`).
//! Every run gets a fresh temporary profile, the flags that stop background
//! networking, a `file://` URL and a time limit, so a broken page or browser
//! cannot hang the caller.

mod pdf;
mod probe;
mod process;

use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use pdf::{pdf_page_count, pdf_page_sizes};
pub use probe::{Offender, Probe};

/// Width in CSS px of the text area of an A4 page with the HTML renderer's
/// margins (210 mm − 2 × 12 mm at 96 px per inch): the width [`Chromium::probe`]
/// lays a report out at.
pub const A4_TEXT_WIDTH_PX: u32 = 703;

/// What went wrong while running Chromium.
#[derive(Debug, thiserror::Error)]
pub enum ChromiumError {
    /// No browser was found.
    #[error("Chromium is not installed ({tried}); install it (`apt install chromium`), or write the report with --format html and print it to PDF from a browser")]
    NotFound {
        /// Where it was looked for.
        tried: String,
    },
    /// The browser could not be started.
    #[error("cannot start {program}: {source}")]
    Spawn {
        /// The executable.
        program: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The browser did not finish in time and was killed.
    #[error("Chromium took longer than {limit:?} to {what}; killed")]
    TimedOut {
        /// The task.
        what: &'static str,
        /// The limit.
        limit: Duration,
    },
    /// The browser exited with an error.
    #[error("Chromium failed to {what} ({status}): {stderr}")]
    Failed {
        /// The task.
        what: &'static str,
        /// Its exit status.
        status: std::process::ExitStatus,
        /// The end of what it printed on standard error.
        stderr: String,
    },
    /// The browser exited normally but did not produce what was asked.
    #[error("Chromium did not {what}: {detail}")]
    NoOutput {
        /// The task.
        what: &'static str,
        /// What was missing or malformed.
        detail: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// A located Chromium executable and the time limit for each run.
#[derive(Debug, Clone)]
pub struct Chromium {
    program: PathBuf,
    timeout: Duration,
}

/// Executable names looked up on `PATH`, in order.
const NAMES: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> ChromiumError + '_ {
    move |source| ChromiumError::Io {
        path: path.to_owned(),
        source,
    }
}

/// `path` as an absolute `file://` URL, percent-encoding all but unreserved
/// characters and `/`.
fn file_url(path: &Path) -> Result<String, ChromiumError> {
    let abs = std::fs::canonicalize(path).map_err(io(path))?;
    let mut url = String::from("file://");
    for b in abs.as_os_str().as_encoded_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                url.push(char::from(*b))
            }
            _ => url.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(url)
}

/// `--name=value` with a path value, without lossy conversion.
fn flag(name: &str, value: &OsStr) -> OsString {
    let mut f = OsString::from(name);
    f.push("=");
    f.push(value);
    f
}

impl Chromium {
    /// Finds the browser: `CLOUDCASE_CHROMIUM` when set (it must exist), else
    /// the first of `chromium`, `chromium-browser`, `google-chrome`,
    /// `google-chrome-stable` on `PATH`. The error says how to install one.
    pub fn locate() -> Result<Chromium, ChromiumError> {
        if let Some(explicit) = std::env::var_os("CLOUDCASE_CHROMIUM").filter(|v| !v.is_empty()) {
            let program = PathBuf::from(&explicit);
            return if program.is_file() {
                Ok(Chromium::at(program))
            } else {
                Err(ChromiumError::NotFound {
                    tried: format!("CLOUDCASE_CHROMIUM={} does not exist", program.display()),
                })
            };
        }
        let path = std::env::var_os("PATH").unwrap_or_default();
        for name in NAMES {
            for dir in std::env::split_paths(&path) {
                let candidate = dir.join(name);
                if candidate.is_file() {
                    return Ok(Chromium::at(candidate));
                }
            }
        }
        Err(ChromiumError::NotFound {
            tried: format!("none of {} on PATH", NAMES.join(", ")),
        })
    }

    /// A browser at a known path, with the default time limit of 180 s per
    /// run (printing a 1 000-page evidence record takes about 40 s here).
    pub fn at(program: PathBuf) -> Chromium {
        Chromium {
            program,
            timeout: Duration::from_secs(180),
        }
    }

    /// The same browser with another time limit per run.
    pub fn with_timeout(self, timeout: Duration) -> Chromium {
        Chromium { timeout, ..self }
    }

    /// The executable in use.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// Prints the HTML file `html` to `pdf`, page size and margins from the
    /// page's CSS `@page` rule (A4 for cloudcase reports), without the
    /// browser's header and footer. `pdf` is written only once complete.
    pub fn print_pdf(&self, html: &Path, pdf: &Path) -> Result<(), ChromiumError> {
        const WHAT: &str = "print to PDF";
        let url = file_url(html)?;
        let scratch = tempfile::tempdir().map_err(io(Path::new("temporary directory")))?;
        let out = scratch.path().join("out.pdf");
        self.run(
            WHAT,
            &[
                flag("--print-to-pdf", out.as_os_str()),
                "--no-pdf-header-footer".into(),
                url.into(),
            ],
        )?;
        keep_output(WHAT, &out, b"%PDF-", "a PDF", pdf)
    }

    /// Screenshots the top `width_px` × `height_px` of the HTML file `html`
    /// (screen styles, no scrollbars) into the PNG file `png`.
    pub fn screenshot(
        &self,
        html: &Path,
        png: &Path,
        width_px: u32,
        height_px: u32,
    ) -> Result<(), ChromiumError> {
        const WHAT: &str = "take a screenshot";
        let url = file_url(html)?;
        let scratch = tempfile::tempdir().map_err(io(Path::new("temporary directory")))?;
        let out = scratch.path().join("out.png");
        self.run(
            WHAT,
            &[
                flag("--screenshot", out.as_os_str()),
                format!("--window-size={width_px},{height_px}").into(),
                "--hide-scrollbars".into(),
                url.into(),
            ],
        )?;
        keep_output(WHAT, &out, b"\x89PNG\r\n\x1a\n", "a PNG", png)
    }
}

/// Copies what Chromium wrote at `out` to `dest`, after checking it starts with `magic` (Chromium
/// can exit 0 without writing the file it was asked for).
fn keep_output(
    what: &'static str,
    out: &Path,
    magic: &[u8],
    kind: &str,
    dest: &Path,
) -> Result<(), ChromiumError> {
    let bytes = std::fs::read(out).map_err(|e| ChromiumError::NoOutput {
        what,
        detail: e.to_string(),
    })?;
    if !bytes.starts_with(magic) {
        return Err(ChromiumError::NoOutput {
            what,
            detail: format!("the output is not {kind}"),
        });
    }
    std::fs::write(dest, bytes).map_err(io(dest))
}
