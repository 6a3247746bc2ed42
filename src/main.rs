//! The `bsmart` binary: parses the command line and hands over to the library.

use std::process::ExitCode;

use bsmart::cli::{Cli, Command};
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
    let result = runtime.block_on(async move {
        match cli.command {
            None => bsmart::client::run_from_args(&cli.client).await,
            #[cfg(feature = "server")]
            Some(Command::Demo(args)) => bsmart::server::cli::demo(&args, &cli.client).await,
            #[cfg(feature = "server")]
            Some(Command::Serve(args)) => bsmart::server::cli::serve(&args).await,
            #[cfg(feature = "server")]
            Some(Command::Admin(cmd)) => bsmart::server::cli::admin(&cmd).await,
            #[cfg(not(feature = "server"))]
            Some(_) => Err("this build has no server: rebuild with the `server` feature".to_string()),
        }
    });
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
