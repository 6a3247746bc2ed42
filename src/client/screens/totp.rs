//! "Two-factor code": a 6-digit code from the authenticator, or a recovery code.
//!
//! The challenge from the password step is held as a secret; the code field is wiped at each
//! submit. In demo settings the server sends the current code as a hint, shown here.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use secrecy::SecretString;

use super::login::Note;
use super::{Ctx, Msg, centered};
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::widgets::text_field::TextField;

/// State of the two-factor screen.
#[derive(Debug)]
pub struct TotpScreen {
    /// The sign-in challenge (single use, never shown).
    pub challenge: SecretString,
    demo_hint: Option<String>,
    code: TextField,
    /// Feedback.
    pub note: Option<Note>,
    /// A code is being checked.
    pub busy: bool,
}

impl TotpScreen {
    /// After a right password for an account with 2FA.
    pub fn new(challenge: String, demo_hint: Option<String>) -> TotpScreen {
        TotpScreen {
            challenge: SecretString::from(challenge),
            demo_hint,
            code: TextField::code("Code"),
            note: None,
            busy: false,
        }
    }

    /// The keys of this screen.
    pub fn keys() -> &'static [Binding] {
        keymap::FORM
    }

    /// A key.
    pub fn handle_key(&mut self, key: KeyEvent) -> Option<Msg> {
        match keymap::lookup(&[keymap::FORM], &key) {
            Some(KeyAction::Submit) if !self.busy => {
                if self.code.is_empty() {
                    self.note = Note::error("Type the 6-digit code from your authenticator app, or a recovery code.");
                    return Some(Msg::Redraw);
                }
                self.busy = true;
                self.note = Note::info("Checking the code…");
                Some(Msg::Totp {
                    code: self.code.take_secret(),
                })
            }
            Some(KeyAction::Back) => Some(Msg::StartOver),
            Some(_) => Some(Msg::Redraw),
            None => self.code.input(key).then_some(Msg::Redraw),
        }
    }

    /// Pasted text.
    pub fn paste(&mut self, text: &str) {
        self.code.paste(text);
    }

    /// Draw.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let outer = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(" Two-factor code ", theme.title()));
        let inner = outer.inner(area);
        f.render_widget(outer, area);
        let area = centered(inner, 72, inner.height);
        let rows = Layout::vertical([Constraint::Length(5), Constraint::Length(3), Constraint::Min(1)]).split(area);
        let mut text = vec![
            Line::from("Type the 6-digit code from your authenticator app."),
            Line::from(Span::styled(
                "Lost your phone? Type one of your recovery codes instead.",
                theme.dim(),
            )),
        ];
        if let Some(h) = &self.demo_hint {
            text.push(Line::from(Span::styled(
                format!(
                    "Demo: the code was {h} when you signed in (a new one every 30 s: Esc and sign in again for it)"
                ),
                theme.banner(),
            )));
        }
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), rows[0]);
        self.code.render(f, rows[1], true, theme);
        if let Some(note) = &self.note {
            let style = if note.error { theme.error() } else { theme.text() };
            f.render_widget(
                Paragraph::new(Span::styled(note.text.clone(), style)).wrap(Wrap { trim: true }),
                rows[2],
            );
        }
    }
}
