//! Arguments and reporting shared by every command that reads logs.

use std::collections::HashSet;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use cloudcase_read::{discover, Accounting, Inputs, Limits, Rejection};

/// Log inputs and how to read them.
#[derive(ClapArgs, Debug, Clone)]
pub struct InputArgs {
    /// Log files or directories (searched recursively). Formats are detected
    /// by content: S3 delivery files (.json/.json.gz), lookup-events output,
    /// JSON Lines, JSON arrays, EventBridge envelopes. Digest files are skipped.
    #[arg(value_name = "INPUT", required_unless_present = "case")]
    pub inputs: Vec<PathBuf>,
    /// Read the evidence of this case (as well as any INPUT); events then carry
    /// each object's SHA-256 and original location.
    #[arg(long = "case", value_name = "DIR")]
    pub case: Option<PathBuf>,
    /// Exit with status 1 if any file or record was rejected.
    #[arg(long)]
    pub strict: bool,
    /// Write every rejection as JSON Lines to this file.
    #[arg(long, value_name = "FILE")]
    pub rejects: Option<PathBuf>,
    /// Print at most this many rejections on standard error (all are counted).
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub max_reject_lines: u64,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Largest record kept, in bytes; larger ones are rejected unread.
    #[arg(long, default_value_t = Limits::default().max_record_bytes, value_name = "BYTES")]
    pub max_record_bytes: usize,
    /// Largest decompressed size of one file, in bytes.
    #[arg(long, default_value_t = Limits::default().max_decompressed_bytes, value_name = "BYTES")]
    pub max_decompressed_bytes: u64,
    /// Largest decompressed:compressed ratio accepted (gzip bomb guard),
    /// checked once 64 MiB of a file have been decompressed.
    #[arg(long, default_value_t = Limits::default().max_gzip_ratio, value_name = "RATIO")]
    pub max_gzip_ratio: u64,
    /// Do not print the accounting line at the end.
    #[arg(long)]
    pub quiet: bool,
}

impl InputArgs {
    /// The reader limits these arguments set.
    pub fn limits(&self) -> Limits {
        Limits {
            max_record_bytes: self.max_record_bytes,
            max_decompressed_bytes: self.max_decompressed_bytes,
            max_gzip_ratio: self.max_gzip_ratio,
            ..Limits::default()
        }
    }

    /// Worker threads to use.
    pub fn threads(&self) -> usize {
        self.threads
            .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
            .unwrap_or(1)
            .max(1)
    }
}

/// Reports rejections: the first few losses on standard error, all to
/// `--rejects`. Files skipped as expected (digests, inventory snapshots) are
/// counted in the accounting line but not printed one by one, so a real
/// loss is never hidden behind thousands of digest files.
pub struct RejectReporter {
    state: Mutex<ReporterState>,
    max_lines: u64,
}

struct ReporterState {
    printed: u64,
    total: u64,
    file: Option<BufWriter<File>>,
    file_error: Option<std::io::Error>,
}

impl RejectReporter {
    /// A reporter for `args`, creating the `--rejects` file if asked.
    pub fn new(args: &InputArgs) -> Result<Self> {
        let file = match &args.rejects {
            Some(path) => Some(BufWriter::new(File::create(path).with_context(|| {
                format!("cannot create --rejects file {}", path.display())
            })?)),
            None => None,
        };
        Ok(RejectReporter {
            state: Mutex::new(ReporterState {
                printed: 0,
                total: 0,
                file,
                file_error: None,
            }),
            max_lines: args.max_reject_lines,
        })
    }

    /// Records one rejection.
    pub fn report(&self, r: Rejection) {
        let mut st = match self.state.lock() {
            Ok(st) => st,
            Err(poisoned) => poisoned.into_inner(),
        };
        if r.kind.is_loss() {
            st.total += 1;
        }
        if r.kind.is_loss() && st.printed < self.max_lines {
            st.printed += 1;
            let text = r.to_string();
            eprintln!(
                "cloudcase: warning: {}",
                cloudcase_util::sanitize::terminal_safe(&text)
            );
        }
        if let Some(f) = st.file.as_mut() {
            let line = serde_json::json!({
                "file": r.file.to_string_lossy(),
                "origin": r.origin,
                "record": r.record,
                "offset": r.offset,
                "reason": r.kind.code(),
                "detail": r.detail,
            });
            if let Err(e) = writeln!(f, "{line}") {
                st.file_error.get_or_insert(e);
            }
        }
    }

    /// Flushes the `--rejects` file and says how many lines were not printed.
    pub fn finish(self) -> Result<()> {
        let st = self.state.into_inner().unwrap_or_else(|p| p.into_inner());
        if st.total > st.printed {
            eprintln!(
                "cloudcase: {} more rejections not shown (see --rejects FILE or --max-reject-lines)",
                st.total - st.printed
            );
        }
        if let Some(e) = st.file_error {
            return Err(e).context("cannot write the --rejects file");
        }
        if let Some(mut f) = st.file {
            f.flush().context("cannot write the --rejects file")?;
        }
        Ok(())
    }
}

/// The digests of the evidence objects listed so far, as their 32 bytes rather than their
/// 64-character text (a case of a million objects held some 130 MB of the text); a digest that
/// is not 64 lower-case hex digits is kept as written.
#[derive(Default)]
struct SeenDigests {
    bytes: HashSet<[u8; 32]>,
    other: HashSet<String>,
}

impl SeenDigests {
    /// Adds `hex`; true if it was not there yet.
    fn insert(&mut self, hex: &str) -> bool {
        let lower = hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let bytes = lower
            .then(|| cloudcase_util::hex::decode(hex))
            .flatten()
            .and_then(|b| <[u8; 32]>::try_from(b).ok());
        match bytes {
            Some(b) => self.bytes.insert(b),
            None => self.other.insert(hex.to_owned()),
        }
    }
}

/// Expands the inputs, reporting unlistable entries, then adds the case's
/// evidence objects (read from the store, never modified).
pub fn discover_inputs(args: &InputArgs, reporter: &RejectReporter) -> Result<Inputs> {
    let mut inputs = discover(&args.inputs, &|r| reporter.report(r))?;
    if let Some(dir) = &args.case {
        let case = cloudcase_evidence::Case::open(dir)?;
        // Streamed: each object once, in order of first acquisition, with
        // the source it was first acquired from; memory for the list only.
        let mut seen = SeenDigests::default();
        case.for_each_manifest_line::<cloudcase_evidence::Error, _>(|line| {
            if let Some(r) = line.record {
                if seen.insert(&r.sha256) {
                    let path = case.layout().object_path(&r.sha256);
                    inputs.push_known(path, r.sha256.clone(), Some(r.source.clone()));
                }
            }
            Ok(())
        })?;
        inputs.files.shrink_to_fit();
    }
    Ok(inputs)
}

/// Discovers the inputs and reads them all, one sink per worker thread, with the progress
/// line and the rejection report: the workers' sinks and the run's accounting (discovery's
/// included).
pub fn read_all<S: cloudcase_read::EventSink>(
    args: &InputArgs,
    make_sink: impl Fn() -> S,
) -> Result<(Vec<S>, Accounting)> {
    let reporter = RejectReporter::new(args)?;
    let inputs = discover_inputs(args, &reporter)?;
    let sinks: Vec<S> = (0..args.threads()).map(|_| make_sink()).collect();
    let progress = std::sync::Arc::new(cloudcase_read::Progress::default());
    let line = crate::progress::ProgressLine::for_inputs(std::sync::Arc::clone(&progress), &inputs);
    let on_reject = |r| reporter.report(r);
    let (sinks, accounting) = cloudcase_read::read_files_tracked(
        &inputs.files,
        args.limits(),
        sinks,
        &on_reject,
        &progress,
    );
    drop(line);
    reporter.finish()?;
    let mut all = inputs.accounting;
    all.merge(&accounting);
    Ok((sinks, all))
}

/// Prints the accounting line (unless `--quiet`) and returns the exit code
/// `--strict` asks for.
pub fn finish_run(
    args: &InputArgs,
    accounting: &Accounting,
    extra: &str,
) -> std::process::ExitCode {
    if !args.quiet {
        eprintln!("cloudcase: {accounting}{extra}");
    }
    if args.strict && accounting.has_losses() {
        eprintln!("cloudcase: --strict: input was rejected; exiting with status 1");
        return std::process::ExitCode::from(1);
    }
    std::process::ExitCode::SUCCESS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_seen_once_in_whichever_form_they_are_written() {
        let mut seen = SeenDigests::default();
        let digest = "ab".repeat(32);
        assert!(seen.insert(&digest));
        assert!(!seen.insert(&digest));
        let upper = digest.to_uppercase();
        assert!(
            seen.insert(&upper),
            "kept as written, apart from the lower-case form"
        );
        assert!(!seen.insert(&upper));
        assert!(seen.insert("not-a-digest"));
        assert!(!seen.insert("not-a-digest"));
        assert_eq!((seen.bytes.len(), seen.other.len()), (1, 2));
    }
}
