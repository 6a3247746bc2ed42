//! Server entry points of the command line (placeholder).

use crate::cli::{AdminCommand, ClientArgs, DemoArgs, ServeArgs};

/// `bsmart demo`.
pub async fn demo(_args: &DemoArgs, _client: &ClientArgs) -> Result<(), String> {
    Err("not built yet".into())
}
/// `bsmart serve`.
pub async fn serve(_args: &ServeArgs) -> Result<(), String> {
    Err("not built yet".into())
}
/// `bsmart admin`.
pub async fn admin(_cmd: &AdminCommand) -> Result<(), String> {
    Err("not built yet".into())
}
