//! The event loop: one channel of actions, one input stream, one timer.
//!
//! `select! { biased; action_rx (API results, signals); input stream; sleep(App::next_deadline) }`:
//! the timer is the earliest deadline the App has (idle lock, sign-in reset, the next try while
//! offline, a page's own), and there is no periodic tick, so an idle client sleeps until a key,
//! a reply or a deadline. Each event becomes an [`Action`], `App::update` returns [`Command`]s
//! that the [`Runner`] carries out, and after draining the queue one frame is drawn, only if the
//! state changed.
//!
//! The input stream yields `io::Result`s: an error or its end means the terminal is gone (a
//! closed pty, an SSH connection dropped without SIGHUP), and the loop ends at once with
//! [`Action::InputEnded`], which wipes the client's secrets, instead of spinning on a dead
//! terminal. The runner is generic over the backend and the input stream, so tests drive it
//! with a `TestBackend` and synthetic events ([`Runner::handle`] / [`Runner::pump`] run the
//! very same steps as [`Runner::run`]).

use std::io::Write;
use std::time::Duration;

use crossterm::event::{Event, KeyEventKind};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::{Backend, CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use super::action::Action;
use super::api::Api;
use super::app::App;
use super::command::Command;

/// Clearing the terminal's scrollback (CSI 3J), which ratatui's `Backend` cannot express.
pub trait Scrollback {
    /// Send CSI 3J.
    fn purge_scrollback(&mut self) -> std::io::Result<()>;
}

impl<W: Write> Scrollback for CrosstermBackend<W> {
    fn purge_scrollback(&mut self) -> std::io::Result<()> {
        crossterm::queue!(self, crossterm::terminal::Clear(crossterm::terminal::ClearType::Purge))?;
        Write::flush(self)
    }
}

impl Scrollback for TestBackend {
    fn purge_scrollback(&mut self) -> std::io::Result<()> {
        // A TestBackend has no scrollback; `Terminal::clear` already emptied its buffer.
        Ok(())
    }
}

/// Turn a terminal event into an action: key presses and repeats (never releases: the
/// templates#116 bug), pastes and resizes; everything else is ignored.
pub fn to_action(ev: Event) -> Option<Action> {
    match ev {
        Event::Key(k) if matches!(k.kind, KeyEventKind::Press | KeyEventKind::Repeat) => Some(Action::Key(k)),
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Resize(..) => Some(Action::Resize),
        _ => None,
    }
}

/// The loop's state: terminal, App, API client and the action channel.
pub struct Runner<B: Backend + Scrollback> {
    /// The terminal (a `TestBackend` in tests).
    pub terminal: Terminal<B>,
    /// The client state.
    pub app: App,
    api: Api,
    tx: UnboundedSender<Action>,
    rx: UnboundedReceiver<Action>,
}

impl<B: Backend + Scrollback> Runner<B> {
    /// A runner; nothing happens until [`Runner::start`] or [`Runner::run`].
    pub fn new(terminal: Terminal<B>, app: App, api: Api) -> Self {
        let (tx, rx) = unbounded_channel();
        Runner {
            terminal,
            app,
            api,
            tx,
            rx,
        }
    }

    /// A sender into the action channel (signals use it).
    pub fn sender(&self) -> UnboundedSender<Action> {
        self.tx.clone()
    }

    /// Ask for the setting and draw the first frame at once (before any reply).
    pub fn start(&mut self) -> Result<(), String> {
        let cmds = self.app.start();
        self.execute(cmds)?;
        self.draw()
    }

    /// Handle one action (update + its commands), without drawing.
    pub fn handle(&mut self, action: Action) -> Result<(), String> {
        let cmds = self.app.update(action);
        self.execute(cmds)
    }

    fn execute(&mut self, cmds: Vec<Command>) -> Result<(), String> {
        for cmd in cmds {
            match cmd {
                Command::Call(call) => {
                    let api = self.api.clone();
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        // The loop may be gone (quitting): nothing to do then.
                        let _ = tx.send(call.run(&api).await);
                    });
                }
                Command::ClearTerminal => {
                    // Not `Terminal::clear`: it asks the terminal where its cursor is (CSI 6n)
                    // and waits for the answer on stdin, which the input stream owns, so the
                    // answer is lost and the lock failed. Resizing to the same size clears the
                    // screen and resets the back buffer without asking anything.
                    let size = self
                        .terminal
                        .size()
                        .map_err(|e| format!("cannot clear the terminal: {e}"))?;
                    self.terminal
                        .resize(Rect::new(0, 0, size.width, size.height))
                        .map_err(|e| format!("cannot clear the terminal: {e}"))?;
                    self.terminal
                        .backend_mut()
                        .purge_scrollback()
                        .map_err(|e| format!("cannot clear the terminal: {e}"))?;
                }
                Command::Print(printout) => {
                    let tx = self.tx.clone();
                    tokio::spawn(async move {
                        let result = crate::client::print::send(&printout.argv, &printout.text).await;
                        let _ = tx.send(Action::Printed(Box::new(printout), result));
                    });
                }
                Command::Quit => {}
            }
        }
        Ok(())
    }

    /// Handle every action already queued, without waiting.
    pub fn drain(&mut self) -> Result<(), String> {
        while let Ok(action) = self.rx.try_recv() {
            self.handle(action)?;
        }
        Ok(())
    }

    /// Draw one frame if the state changed (checking the deadlines first: a frame is never
    /// drawn unlocked after the idle time).
    pub fn draw(&mut self) -> Result<(), String> {
        self.handle(Action::Deadline)?;
        if self.app.is_dirty() {
            let app = &mut self.app;
            self.terminal
                .draw(|f| app.render(f))
                .map_err(|e| format!("cannot draw: {e}"))?;
            self.app.mark_drawn();
        }
        Ok(())
    }

    /// Tests: wait up to `timeout` for one queued action (an API reply), handle it, drain the
    /// rest and draw. Returns false when nothing came.
    pub async fn pump(&mut self, timeout: Duration) -> Result<bool, String> {
        match tokio::time::timeout(timeout, self.rx.recv()).await {
            Ok(Some(action)) => {
                self.handle(action)?;
                self.drain()?;
                self.draw()?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The loop, until the user quits, a signal arrives or the terminal goes away.
    pub async fn run(&mut self, events: impl Stream<Item = std::io::Result<Event>> + Unpin) -> Result<(), String> {
        self.start()?;
        let mut events = events.fuse();
        while !self.app.quitting() {
            let wake = self.app.next_deadline();
            let action = tokio::select! {
                biased;
                Some(action) = self.rx.recv() => action,
                ev = events.next() => match ev {
                    Some(Ok(ev)) => match to_action(ev) {
                        Some(action) => action,
                        None => continue,
                    },
                    Some(Err(_)) | None => Action::InputEnded,
                },
                _ = tokio::time::sleep(wake.unwrap_or(Duration::ZERO)), if wake.is_some() => Action::Deadline,
            };
            self.handle(action)?;
            self.drain()?;
            if self.draw().is_err() {
                // A frame that cannot be written means the terminal is gone, whatever the input
                // says yet: wipe and leave as when the input ends.
                self.handle(Action::InputEnded)?;
            }
        }
        Ok(())
    }
}

impl<B: Backend + Scrollback> Runner<B> {
    /// The terminal and the App, once the loop is over.
    pub fn into_parts(self) -> (Terminal<B>, App) {
        (self.terminal, self.app)
    }
}

/// Run the loop on `terminal` with `events` (the crossterm `EventStream` in production, a
/// channel in tests) and give the App back when it ends.
pub async fn run<B: Backend + Scrollback>(
    terminal: Terminal<B>,
    events: impl Stream<Item = std::io::Result<Event>> + Unpin,
    app: App,
    api: Api,
) -> Result<(Terminal<B>, App), String> {
    let mut runner = Runner::new(terminal, app, api);
    runner.run(events).await?;
    Ok((runner.terminal, runner.app))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use ratatui::backend::{ClearType, WindowSize};
    use ratatui::buffer::Cell;
    use ratatui::layout::{Position, Size};

    use super::*;
    use crate::client::app::AppOptions;
    use crate::client::lock::ManualClock;
    use crate::client::theme::Theme;

    /// A terminal that never answers "where is your cursor?": in the real client the answer
    /// goes to the input stream, which owns stdin, so the question times out. It counts the
    /// scrollback purges it was asked for.
    struct NoCursorReport(TestBackend, usize);

    fn infallible<T>(result: Result<T, std::convert::Infallible>) -> T {
        result.unwrap_or_else(|never| match never {})
    }

    impl Backend for NoCursorReport {
        type Error = std::io::Error;
        fn draw<'a, I: Iterator<Item = (u16, u16, &'a Cell)>>(&mut self, content: I) -> std::io::Result<()> {
            infallible(self.0.draw(content));
            Ok(())
        }
        fn hide_cursor(&mut self) -> std::io::Result<()> {
            infallible(self.0.hide_cursor());
            Ok(())
        }
        fn show_cursor(&mut self) -> std::io::Result<()> {
            infallible(self.0.show_cursor());
            Ok(())
        }
        fn get_cursor_position(&mut self) -> std::io::Result<Position> {
            Err(std::io::Error::other("The cursor position could not be read"))
        }
        fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> std::io::Result<()> {
            infallible(self.0.set_cursor_position(position));
            Ok(())
        }
        fn clear(&mut self) -> std::io::Result<()> {
            infallible(self.0.clear());
            Ok(())
        }
        fn clear_region(&mut self, clear_type: ClearType) -> std::io::Result<()> {
            infallible(self.0.clear_region(clear_type));
            Ok(())
        }
        fn size(&self) -> std::io::Result<Size> {
            Ok(infallible(self.0.size()))
        }
        fn window_size(&mut self) -> std::io::Result<WindowSize> {
            Ok(infallible(self.0.window_size()))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            infallible(Backend::flush(&mut self.0));
            Ok(())
        }
    }

    impl Scrollback for NoCursorReport {
        fn purge_scrollback(&mut self) -> std::io::Result<()> {
            self.1 += 1;
            Ok(())
        }
    }

    #[test]
    fn the_crossterm_backend_purges_with_csi_3j() {
        let mut out = Vec::new();
        CrosstermBackend::new(&mut out).purge_scrollback().unwrap();
        assert_eq!(out, b"\x1b[3J");
    }

    #[tokio::test]
    async fn clearing_for_the_lock_never_asks_the_terminal_for_its_cursor() {
        let url = url::Url::parse("http://127.0.0.1:9").unwrap();
        let app = App::new(AppOptions {
            server_url: url.clone(),
            idle_lock: Duration::from_secs(120),
            privacy_mode: false,
            theme: Theme { mono: false },
            glyphs: crate::client::glyphs::Glyphs::UNICODE,
            dates: crate::client::dates::Dates::UTC,
            clock: Arc::new(ManualClock::default()),
            known_settings: None,
            export_dir: None,
            print_command: None,
        });
        let terminal = Terminal::new(NoCursorReport(TestBackend::new(80, 24), 0)).unwrap();
        let mut runner = Runner::new(terminal, app, Api::new(&url).unwrap());
        runner.draw().unwrap();
        runner
            .execute(vec![Command::ClearTerminal])
            .expect("the lock's clear must not fail");
        let blank = runner
            .terminal
            .backend()
            .0
            .buffer()
            .content()
            .iter()
            .all(|c| c.symbol() == " ");
        assert!(blank, "the screen was not cleared");
        assert_eq!(runner.terminal.backend().1, 1, "the scrollback was not purged");
    }
}
