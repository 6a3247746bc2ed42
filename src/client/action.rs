//! `Action`: everything that can change the App, from the terminal, the network or a timer.
//!
//! `Debug` is written by hand: a derived one would print what was typed or pasted (a
//! password), and a `{:?}` in a panic or a test failure would carry it. Replies print only
//! their route, slot and outcome flags ([`Delivery`]'s own `Debug`), never data.

use crossterm::event::KeyEvent;

pub use super::call::Delivery;

/// One event for `App::update`.
pub enum Action {
    /// A key was pressed (Press or Repeat; releases are filtered out).
    Key(KeyEvent),
    /// Bracketed paste.
    Paste(String),
    /// The terminal was resized (never resets the idle timer).
    Resize,
    /// The earliest deadline the App asked for ([`crate::client::app::App::next_deadline`]) is due.
    Deadline,
    /// An API call finished.
    Reply(Delivery),
    /// The print command finished with a printout (`Err`: why it was not taken).
    Printed(Box<crate::client::print::Printout>, Result<(), String>),
    /// SIGTERM or SIGHUP: restore the terminal and leave.
    Terminate,
    /// The terminal is gone (its input ended or failed without a signal): wipe and leave.
    InputEnded,
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // Neither the key's character nor the pasted text: either may be part of a password.
            Action::Key(k) => write!(f, "Key({:?})", k.kind),
            Action::Paste(text) => write!(f, "Paste({} chars)", text.chars().count()),
            Action::Resize => f.write_str("Resize"),
            Action::Deadline => f.write_str("Deadline"),
            Action::Reply(d) => write!(f, "{d:?}"),
            Action::Printed(printout, result) => write!(f, "Printed({printout:?}, {})", result.is_ok()),
            Action::Terminate => f.write_str("Terminate"),
            Action::InputEnded => f.write_str("InputEnded"),
        }
    }
}
