//! The terminal client (placeholder until the client lands).

use crate::cli::ClientArgs;

/// Start the client from command-line arguments.
pub async fn run_from_args(_args: &ClientArgs) -> Result<(), String> {
    Err("the client is not built yet".into())
}
