//! bsmart: a keyboard-driven terminal client for recording and reviewing pupil behaviour, and the
//! reference server it talks to.
//!
//! The crate is one library with a thin binary (`src/main.rs`) so that integration tests drive
//! exactly the code users run:
//! - [`wire`]: the JSON types both sides speak (one definition, serde on both ends).
//! - [`client`]: the terminal client (event loop, screens, API client, lock, sanitising).
//! - [`server`] (feature `server`, on by default): axum + sqlx reference server.
//! - [`config`]: the client's configuration file and its overrides.
//! - [`hardening`]: process-level protections shared by every entry point.

pub mod cli;
pub mod client;
pub mod config;
pub mod hardening;
#[cfg(feature = "server")]
pub mod server;
pub mod wire;
