//! Reusable drawing pieces: the text field and the text box (the only ratatui-textarea users),
//! the QR code, the table of a visible slice, text fitting, and the pop-ups and messages every
//! screen shares.

pub mod fit;
pub mod popup;
pub mod qr;
pub mod slice_table;
pub mod text_box;
pub mod text_field;
