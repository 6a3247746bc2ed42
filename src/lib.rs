//! bsmart: a keyboard-driven terminal client for recording and reviewing pupil behaviour, and the
//! reference server it talks to.
//!
//! The crate is one library with a thin binary (`src/main.rs`) so that integration tests drive
//! exactly the code users run. Layers point one way: [`cli`] (the entry point) and [`demo`]
//! sit above [`client`] and [`server`], which never import each other nor the entry point;
//! both speak [`wire`].
//! - [`wire`]: the JSON types both sides speak (one definition, serde on both ends).
//! - [`client`]: the terminal client (event loop, screens, API client, lock, sanitising).
//! - [`server`] (feature `server`, on by default): axum + sqlx reference server.
//! - [`config`]: the client's configuration file and its overrides.
//! - [`cli`]: the command line and the entry point; [`demo`]: `bsmart demo`, both together.
//! - [`hardening`]: process-level protections shared by every entry point.
//! - [`spreadsheet`]: CSV files a spreadsheet opens safely (both ends write them).

pub mod cli;
pub mod client;
pub mod config;
#[cfg(feature = "server")]
pub mod demo;
pub mod hardening;
#[cfg(feature = "server")]
pub mod server;
pub mod spreadsheet;
pub mod wire;
