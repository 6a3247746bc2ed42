//! "Two-factor code": a 6-digit code from the authenticator, or a recovery code.
//!
//! The challenge from the password step is held as a secret; the code field is wiped at each
//! submit (and given back when the server never saw it). In demo settings the server sends the
//! current code as a hint, shown here.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use secrecy::{ExposeSecret, SecretString};

use super::Msg;
use crate::client::keymap::{self, KeyAction};
use crate::client::screens::{Ctx, Note, centered};
use crate::client::widgets::popup;
use crate::client::widgets::text_field::TextField;

/// State of the two-factor screen.
#[derive(Debug)]
pub struct TotpStep {
    /// The sign-in challenge (single use, never shown).
    pub challenge: SecretString,
    demo_hint: Option<String>,
    code: TextField,
    leave: super::LeaveGuard,
    /// Feedback.
    pub note: Option<Note>,
    /// A code is being checked.
    pub busy: bool,
}

/// True when `code` is six digits (spaces aside): a code from the app, not a recovery code.
pub fn is_app_code(code: &str) -> bool {
    let digits: Vec<char> = code.chars().filter(|c| *c != ' ').collect();
    digits.len() == 6 && digits.iter().all(char::is_ascii_digit)
}

impl TotpStep {
    /// After a right password for an account with 2FA.
    pub fn new(challenge: String, demo_hint: Option<String>) -> TotpStep {
        TotpStep {
            challenge: SecretString::from(challenge),
            demo_hint,
            code: TextField::code("Code"),
            leave: super::LeaveGuard::default(),
            note: None,
            busy: false,
        }
    }

    /// True when a code is typed.
    pub fn has_draft(&self) -> bool {
        !self.code.is_empty()
    }

    /// A key.
    pub fn handle_key(&mut self, key: KeyEvent) -> Option<Msg> {
        let action = keymap::lookup(&[keymap::CODE_FORM], &key);
        if action == Some(KeyAction::Back) {
            let typed = self.has_draft();
            return Some(if self.leave.leave(typed, &mut self.note) {
                Msg::StartOver
            } else {
                Msg::Redraw
            });
        }
        self.leave.stay();
        match action {
            Some(KeyAction::Submit) if !self.busy => {
                if self.code.is_empty() {
                    self.note = Note::error("Type the 6-digit code from your authenticator app, or a recovery code.");
                    return Some(Msg::Redraw);
                }
                self.busy = true;
                self.note = Note::info("Checking the code…");
                Some(Msg::Totp { code: self.code.send() })
            }
            Some(_) => Some(Msg::Redraw),
            None => self.code.input(key).then_some(Msg::Redraw),
        }
    }

    /// The code of the check in flight was a recovery code (not six digits).
    pub fn sent_recovery_code(&self) -> bool {
        self.code.sent().is_some_and(|c| !is_app_code(c.expose_secret()))
    }

    /// The answer came: `judged` forgets the code sent; otherwise it goes back in the field.
    pub fn answered(&mut self, judged: bool, note: Option<Note>) {
        self.busy = false;
        self.code.settle(judged);
        self.note = note;
    }

    /// Pasted text.
    pub fn paste(&mut self, text: &str) {
        self.code.paste(text);
    }

    /// Draw.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let outer = ctx.block("Two-factor code");
        let inner = outer.inner(area);
        f.render_widget(outer, area);
        let area = centered(inner, 72, inner.height);
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
        let text = Paragraph::new(text).wrap(Wrap { trim: true });
        let text_h = u16::try_from(text.line_count(area.width))
            .unwrap_or(u16::MAX)
            .saturating_add(1);
        let rows =
            Layout::vertical([Constraint::Length(text_h), Constraint::Length(3), Constraint::Min(1)]).split(area);
        f.render_widget(text, rows[0]);
        self.code.render(f, rows[1], true, theme, ctx.glyphs);
        popup::note(f, rows[2], self.note.as_ref(), theme, ctx.glyphs);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn app_codes_are_six_digits() {
        assert!(super::is_app_code("123 456"));
        assert!(!super::is_app_code("ABCD-EFGH-IJKL-MNOP"));
        assert!(!super::is_app_code("12345"));
    }
}
