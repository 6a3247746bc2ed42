//! The real terminal: raw mode, alternate screen (records stay out of the scrollback),
//! bracketed paste, and restoring all of it on exit, on panic and on SIGTERM/SIGHUP
//! (SECURITY.md 37, 41, 43).
//!
//! Frames go through a 64 KiB `BufWriter`, flushed once per frame by ratatui, so each frame
//! leaves in one write (fewer SSH packets, no tearing). The panic hook restores the terminal
//! and prints a fixed sentence: the panic's own message could carry pupil data. Nothing here
//! ever sends OSC 52 (clipboard) or OSC 0/2 (window title).

use std::io::{BufWriter, Stdout, Write, stdout};

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The production terminal type.
pub type Term = Terminal<CrosstermBackend<BufWriter<Stdout>>>;

/// Size of the frame buffer (a full 200x60 frame with styles fits).
pub const FRAME_BUFFER_BYTES: usize = 64 * 1024;

/// Enter raw mode and the alternate screen, turn on bracketed paste, install the panic hook.
pub fn init() -> Result<Term, String> {
    install_panic_hook();
    enable_raw_mode().map_err(|e| format!("cannot use this terminal: {e}"))?;
    let mut out = stdout();
    crossterm::execute!(out, EnterAlternateScreen, EnableBracketedPaste, Clear(ClearType::All))
        .map_err(|e| format!("cannot use this terminal: {e}"))?;
    let backend = CrosstermBackend::new(BufWriter::with_capacity(FRAME_BUFFER_BYTES, stdout()));
    Terminal::new(backend).map_err(|e| {
        restore();
        format!("cannot use this terminal: {e}")
    })
}

/// Leave the terminal as it was: screen and scrollback cleared (CSI 2J + 3J), alternate screen
/// left, paste mode off, cursor shown, raw mode off. Errors are ignored (the terminal may be
/// gone after SIGHUP).
pub fn restore() {
    let _ = write_restore(&mut stdout());
    let _ = disable_raw_mode();
}

/// The bytes of [`restore`] (everything but leaving raw mode), written to `out`.
fn write_restore(out: &mut impl Write) -> std::io::Result<()> {
    crossterm::execute!(
        out,
        Clear(ClearType::All),
        Clear(ClearType::Purge),
        DisableBracketedPaste,
        LeaveAlternateScreen,
        Clear(ClearType::Purge),
        crossterm::cursor::Show
    )?;
    out.flush()
}

/// On any panic: restore the terminal, print a fixed sentence, and end the process.
///
/// Exiting is essential, not tidiness: tokio catches a panic in a spawned task and the UI loop
/// would carry on drawing with raw mode already off, so the lock screen's password would be
/// echoed in clear on a shared computer. `process::exit(101)` (the code Rust uses for a panic)
/// makes sure nothing runs after the terminal is restored. Not unit-tested: the hook is
/// process-global and exits, so a test would need a child process driving a real terminal.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|_info| {
        restore();
        // Fixed text only: the panic payload might hold a pupil's name or a token.
        eprintln!("bsmart stopped because of an internal error. Details are withheld to protect pupil data.");
        std::process::exit(101);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restoring_purges_the_scrollback_on_both_screens_and_sets_no_title_or_clipboard() {
        let mut out = Vec::new();
        write_restore(&mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let leave = text.find("\x1b[?1049l").expect("alternate screen left");
        let purge_before = text.find("\x1b[3J").expect("scrollback purged");
        assert!(purge_before < leave, "{text:?}");
        assert!(
            text[leave..].contains("\x1b[3J"),
            "main screen's scrollback purged: {text:?}"
        );
        assert!(text.contains("\x1b[?2004l"), "bracketed paste off: {text:?}");
        assert!(!text.contains("\x1b]"), "no OSC (title, clipboard): {text:?}");
    }
}
