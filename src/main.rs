//! `cloudcase`: AWS incident response and cloud forensics from the command line.
//!
//! The binary is a thin layer over the workspace crates: it parses arguments,
//! calls one library entry point per subcommand, and reports errors with context.

mod alloc;
mod cli;
mod cmd;
mod progress;

fn main() -> std::process::ExitCode {
    alloc::prefer_low_peak();
    cli::run()
}
