//! The reference server (placeholder until the server lands).

pub mod cli;
