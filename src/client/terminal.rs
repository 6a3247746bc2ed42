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

/// The terminal's events, read on a thread of their own (asleep in the kernel until a key
/// comes) and handed to the loop as a stream.
///
/// Not crossterm's `EventStream`: it reads the terminal inline, on the thread that polls the
/// stream, and crossterm 0.29's reader, on a terminal that is gone, loops on `read()` getting
/// EOF or EIO without ever reporting it (seen: about 9,000 reads a second, 76 % CPU, and the
/// loop never ran again). Read here, that loop can only stall this thread; [`on_hangup`] tells
/// the event loop, which is still free to wipe and leave.
pub fn input() -> futures::channel::mpsc::UnboundedReceiver<std::io::Result<crossterm::event::Event>> {
    let (tx, rx) = futures::channel::mpsc::unbounded();
    let spawned = std::thread::Builder::new().name("bsmart-input".into()).spawn(move || {
        loop {
            let event = crossterm::event::read();
            let failed = event.is_err();
            if tx.unbounded_send(event).is_err() || failed {
                return;
            }
        }
    });
    if let Err(e) = spawned {
        let (tx, rx) = futures::channel::mpsc::unbounded();
        let _ = tx.unbounded_send(Err(e));
        return rx;
    }
    rx
}

/// Call `gone` once the terminal hangs up (its other end closed: a killed tmux session, a
/// dropped SSH connection or thin client), from a thread of its own that sleeps in `poll(2)`
/// until then and costs nothing meanwhile. The input itself never says so (see [`input`]);
/// this asks the kernel for the hang-up (`POLLHUP`/`POLLERR`, no data events) on the
/// descriptor crossterm reads: standard input when it is a terminal, else `/dev/tty`.
pub fn on_hangup(gone: impl FnOnce() + Send + 'static) {
    #[cfg(unix)]
    {
        // SAFETY: isatty takes a plain descriptor.
        let fd = if unsafe { libc::isatty(libc::STDIN_FILENO) } == 1 {
            Some(libc::STDIN_FILENO)
        } else {
            std::fs::File::open("/dev/tty")
                .ok()
                .map(std::os::fd::IntoRawFd::into_raw_fd)
        };
        let Some(fd) = fd else { return };
        let spawned = std::thread::Builder::new().name("bsmart-hangup".into()).spawn(move || {
            loop {
                let mut watch = libc::pollfd {
                    fd,
                    events: 0,
                    revents: 0,
                };
                // SAFETY: one pollfd we own; no timeout: asleep until the kernel reports.
                let ready = unsafe { libc::poll(&mut watch, 1, -1) };
                if ready < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                if ready < 0 || watch.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
                    gone();
                    return;
                }
            }
        });
        drop(spawned);
    }
    #[cfg(not(unix))]
    drop(gone);
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
        // Fixed text only: the panic payload might hold a pupil's name or a token. Not
        // `eprintln!`, which panics (inside this hook: an abort) when stderr is a dead terminal.
        let _ = writeln!(
            std::io::stderr(),
            "bsmart stopped because of an internal error. Details are withheld to protect pupil data."
        );
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
