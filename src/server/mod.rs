//! The reference server: axum + sqlx (SQLite) behind the `/api/v1` API (its OpenAPI document is
//! generated from the handlers and committed as `assets/openapi.json`).
//!
//! - [`routes`]: the handlers and the router (OpenAPI generated from the handlers).
//! - [`auth`]: password policy and hashing, tokens, TOTP, recovery codes, bearer extractor.
//! - [`permissions`]: what each role may do, in one table.
//! - [`accounts`]: account operations (create an admin, unlock) shared by the CLI and admin routes.
//! - [`store`]: every SQL statement (handlers never see SQL; PostgreSQL can be added there), the
//!   write transaction that carries each change's audit row, and the one access rule.
//! - [`audit`]: the append-only, hash-chained audit log and its verification.
//! - [`click_writer`]: the group-commit writer of clicks (one fsync for every click waiting).
//! - [`state`], [`clock`], [`error`]: shared state and policy, the injected clock, the error
//!   envelope; [`limiter`]: the keyed limiter of the sign-in routes; [`listen`]: the accept
//!   loop (connection timeouts, the connection cap, graceful shutdown).
//! - [`demo`]: deterministic demo data; [`testing`]: a real server on loopback for tests.
//! - [`maintenance`]: backup, restore, the retention rule and subject access exports
//!   (`bsmart admin …`).
//! - [`args`]: the arguments of `bsmart serve` and `bsmart admin …`; [`cli`]: what runs them,
//!   and the demo server that `bsmart demo` starts.

pub mod accounts;
pub mod args;
pub mod audit;
pub mod auth;
pub mod checkpointer;
pub mod cli;
pub mod click_writer;
pub mod clock;
pub mod demo;
pub mod error;
pub mod limiter;
pub mod listen;
pub mod maintenance;
pub mod permissions;
pub mod report_keys;
pub mod routes;
pub mod state;
pub mod store;
pub mod testing;

use std::future::Future;

use tokio::net::TcpListener;

pub use listen::{ConnectionLimits, serve_with};
pub use routes::{openapi, openapi_json, router};
pub use state::AppState;

/// Serve the API on `listener` with the default [`ConnectionLimits`] until `shutdown`
/// completes, then finish the requests in flight. Client addresses come from the TCP
/// connection (used by the audit log and the limiter).
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_with(listener, state, ConnectionLimits::default(), shutdown).await
}
