//! `Command`: the side effects `App::update` asks the loop to perform.

use super::call::PendingCall;
use super::print::Printout;

/// A side effect.
#[derive(Debug)]
pub enum Command {
    /// Send an API call on a task; its reply comes back as `Action::Reply`.
    Call(PendingCall),
    /// Clear the terminal and its scrollback (CSI 2J + CSI 3J) before the next frame.
    ClearTerminal,
    /// Pipe a printout to the print command on a task; the outcome comes back as
    /// `Action::Printed`.
    Print(Printout),
    /// Leave the loop.
    Quit,
}

impl Command {
    /// The call, if this is one.
    pub fn call(&self) -> Option<&PendingCall> {
        match self {
            Command::Call(c) => Some(c),
            _ => None,
        }
    }
}
