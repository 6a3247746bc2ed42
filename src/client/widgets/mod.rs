//! Reusable drawing pieces: the text field (the only ratatui-textarea user), the QR code and
//! the table of a visible slice.
//! The status bar, help and pop-ups are small enough to live in `app.rs` for now.

pub mod qr;
pub mod slice_table;
pub mod text_field;
