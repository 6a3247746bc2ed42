//! "Locked": drawn instead of everything else (screen, overlays) while the client is locked.
//!
//! It shows only the word Locked, the signed-in user's name and a password field. `Enter`
//! unlocks through `POST /auth/reauth` (the server counts failures towards the lock-out);
//! `Ctrl-S` switches user (signs out). The field is wiped at every submit.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::login::Note;
use super::{Msg, centered};
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::theme::Theme;
use crate::client::widgets::text_field::TextField;

/// State of the lock screen.
#[derive(Debug)]
pub struct LockScreen {
    user_name: String,
    password: TextField,
    /// Feedback (wrong password).
    pub note: Option<Note>,
    /// An unlock is on its way.
    pub busy: bool,
}

impl LockScreen {
    /// Lock for `user_name`.
    pub fn new(user_name: String) -> LockScreen {
        LockScreen {
            user_name,
            password: TextField::secret("Password"),
            note: None,
            busy: false,
        }
    }

    /// The keys of the lock screen.
    pub fn keys() -> &'static [Binding] {
        keymap::LOCK
    }

    /// A key.
    pub fn handle_key(&mut self, key: KeyEvent) -> Option<Msg> {
        match keymap::lookup(&[keymap::LOCK], &key) {
            Some(KeyAction::SwitchUser) => Some(Msg::SwitchUser),
            Some(KeyAction::Submit) if !self.busy => {
                if self.password.is_empty() {
                    self.note = Note::error("Type your password to unlock.");
                    return Some(Msg::Redraw);
                }
                self.busy = true;
                self.note = Note::info("Checking…");
                Some(Msg::Unlock {
                    password: self.password.take_secret(),
                })
            }
            Some(_) => Some(Msg::Redraw),
            None => self.password.input(key).then_some(Msg::Redraw),
        }
    }

    /// Pasted text (cleaned, bounded, masked).
    pub fn paste(&mut self, text: &str) {
        self.password.paste(text);
    }

    /// Draw over the whole area (clearing it first).
    pub fn render(&mut self, f: &mut Frame, area: Rect, theme: &Theme) {
        f.render_widget(Clear, area);
        let outer = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(" Locked ", theme.title()));
        let inner = outer.inner(area);
        f.render_widget(outer, area);
        let area = centered(inner, 60, 10);
        let rows = Layout::vertical([Constraint::Length(3), Constraint::Length(3), Constraint::Min(1)]).split(area);
        let text = vec![
            Line::from(Span::styled("Locked", theme.title())),
            Line::from(format!(
                "Signed in as {}. Type your password to unlock.",
                self.user_name
            )),
            Line::from(Span::styled("Ctrl-S: switch user (signs out)", theme.dim())),
        ];
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), rows[0]);
        self.password.render(f, rows[1], true, theme);
        if let Some(n) = &self.note {
            let style = if n.error { theme.error() } else { theme.text() };
            f.render_widget(
                Paragraph::new(Span::styled(n.text.clone(), style)).wrap(Wrap { trim: true }),
                rows[2],
            );
        }
    }
}
