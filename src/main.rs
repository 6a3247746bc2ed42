//! The `bsmart` binary: parses the command line and hands over to the library's entry point.

use std::process::ExitCode;

use bsmart::cli::Cli;
use clap::Parser;

fn main() -> ExitCode {
    bsmart::hardening::forbid_core_dumps();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("bsmart: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(bsmart::cli::run(cli));
    // Leave background tasks (the in-process demo server) without waiting for them.
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bsmart: {message}");
            ExitCode::FAILURE
        }
    }
}
