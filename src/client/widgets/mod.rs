//! Reusable drawing pieces: the text field and the text box (the only ratatui-textarea users),
//! a list to choose one or several from, the pop-up of two dates, the QR code, the table of a
//! visible slice, text fitting, and the pop-ups and messages every screen shares.

pub mod choose;
pub mod dates_form;
pub mod fit;
pub mod popup;
pub mod qr;
pub mod slice_table;
pub mod text_box;
pub mod text_field;
