//! The terminal client (placeholder until the client lands).

use crate::cli::ClientArgs;

/// Start the client from command-line arguments.
pub async fn run_from_args(_args: &ClientArgs) -> Result<(), String> {
    Err("the client is not built yet".into())
}

/// Run the terminal client against `config.server_url` (placeholder until the client lands from
/// its own branch).
pub async fn run(_config: crate::config::ClientConfig) -> Result<(), String> {
    Err("the client is not built yet".into())
}
