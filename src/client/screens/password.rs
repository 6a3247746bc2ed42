//! "Change password": the temporary password must be replaced before signing in.
//!
//! New password twice; the setting's rules are shown; a mismatch is caught here, before the
//! server sees anything; the server's 422 reason is shown as it is. Both fields are wiped at
//! every submit.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use secrecy::{ExposeSecret, SecretString};

use super::login::Note;
use super::{Ctx, Msg, centered};
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::widgets::text_field::TextField;
use crate::wire::PasswordRules;

/// State of the password-change screen.
#[derive(Debug)]
pub struct PasswordScreen {
    /// The `password_change_required` challenge.
    pub challenge: SecretString,
    new: TextField,
    repeat: TextField,
    focus: usize,
    /// Feedback (mismatch, the server's reason).
    pub note: Option<Note>,
    /// A change is on its way.
    pub busy: bool,
}

/// The rules as sentences.
pub fn rules_text(rules: &PasswordRules) -> Vec<String> {
    let mut lines = vec![format!(
        "At least {} characters (any characters, spaces welcome: a few words make a good password).",
        rules.min_chars
    )];
    if !rules.require_2fa_for_all && rules.min_chars_without_2fa > rules.min_chars {
        lines.push(format!(
            "At least {} characters if your account does not use two-factor.",
            rules.min_chars_without_2fa
        ));
    }
    lines.push(format!("At most {} characters.", rules.max_chars));
    lines.push("Not a common password, and not the school's name or your email.".to_string());
    lines
}

impl PasswordScreen {
    /// After `password_change_required`.
    pub fn new(challenge: String) -> PasswordScreen {
        PasswordScreen {
            challenge: SecretString::from(challenge),
            new: TextField::secret("New password"),
            repeat: TextField::secret("New password again"),
            focus: 0,
            note: None,
            busy: false,
        }
    }

    /// The keys of this screen.
    pub fn keys() -> &'static [Binding] {
        keymap::FORM
    }

    /// True when something is typed.
    pub fn has_draft(&self) -> bool {
        !self.new.is_empty() || !self.repeat.is_empty()
    }

    /// A key.
    pub fn handle_key(&mut self, key: KeyEvent) -> Option<Msg> {
        match keymap::lookup(&[keymap::FORM], &key) {
            Some(KeyAction::NextField | KeyAction::PrevField) => {
                self.focus = 1 - self.focus;
                Some(Msg::Redraw)
            }
            Some(KeyAction::Submit) if self.focus == 0 => {
                self.focus = 1;
                Some(Msg::Redraw)
            }
            Some(KeyAction::Submit) if !self.busy => Some(self.submit()),
            Some(KeyAction::Back) => Some(Msg::StartOver),
            Some(_) => Some(Msg::Redraw),
            None => {
                let f = if self.focus == 0 {
                    &mut self.new
                } else {
                    &mut self.repeat
                };
                f.input(key).then_some(Msg::Redraw)
            }
        }
    }

    fn submit(&mut self) -> Msg {
        let new = self.new.take_secret();
        let repeat = self.repeat.take_secret();
        self.focus = 0;
        if new.expose_secret().is_empty() {
            self.note = Note::error("Type a new password.");
            return Msg::Redraw;
        }
        if new.expose_secret() != repeat.expose_secret() {
            self.note = Note::error("The two passwords are not the same. Type them again.");
            return Msg::Redraw;
        }
        self.busy = true;
        self.note = Note::info("Changing the password…");
        Msg::ChangePassword { new_password: new }
    }

    /// Pasted text.
    pub fn paste(&mut self, text: &str) {
        let f = if self.focus == 0 {
            &mut self.new
        } else {
            &mut self.repeat
        };
        f.paste(text);
    }

    /// Draw.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let outer = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(" Change password ", theme.title()));
        let inner = outer.inner(area);
        f.render_widget(outer, area);
        let area = centered(inner, 76, inner.height);
        let mut text = vec![Line::from("Your password is temporary. Choose a new one:")];
        if let Some(s) = ctx.setting {
            text.extend(
                rules_text(&s.password_rules)
                    .into_iter()
                    .map(|l| Line::from(Span::styled(format!("• {l}"), theme.dim()))),
            );
        }
        let rows = Layout::vertical([
            Constraint::Length(text.len() as u16 + 1),
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Min(1),
        ])
        .split(area);
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), rows[0]);
        let focus = self.focus;
        self.new.render(f, rows[1], focus == 0, theme);
        self.repeat.render(f, rows[2], focus == 1, theme);
        if let Some(note) = &self.note {
            let style = if note.error { theme.error() } else { theme.text() };
            f.render_widget(
                Paragraph::new(Span::styled(note.text.clone(), style)).wrap(Wrap { trim: true }),
                rows[3],
            );
        }
    }
}
