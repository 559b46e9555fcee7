//! `cloudcase`: AWS incident response and cloud forensics from the command line.
//!
//! The binary is a thin layer over the workspace crates: it parses arguments,
//! calls one library entry point per subcommand, and reports errors with context.

mod cli;
mod cmd;
mod progress;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::run()
}
