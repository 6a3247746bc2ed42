//! Reusable drawing pieces: the text field (the only ratatui-textarea user) and the QR code.
//! The status bar, help and pop-ups are small enough to live in `app.rs` for now.

pub mod qr;
pub mod text_field;
