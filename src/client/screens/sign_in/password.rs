//! "Change password": the temporary password must be replaced before signing in.
//!
//! New password twice; the rules that apply to *this* account are shown (the server says how
//! many characters it needs: more without two-factor); a mismatch is caught here, before the
//! server sees anything; the server's 422 reason is shown as it is. Both fields are wiped at
//! every submit, and given back when the server never saw them.

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

/// State of the password-change screen.
#[derive(Debug)]
pub struct PasswordStep {
    /// The `password_change_required` challenge.
    pub challenge: SecretString,
    /// The fewest characters the new password needs for this account.
    min_chars: u32,
    new: TextField,
    repeat: TextField,
    focus: usize,
    in_flight: Option<SecretString>,
    /// Feedback (mismatch, the server's reason).
    pub note: Option<Note>,
    /// A change is on its way.
    pub busy: bool,
}

/// The rules for this account as sentences: `min_chars` from the server's challenge, the
/// longest from the setting when known.
pub fn rules_text(min_chars: u32, max_chars: Option<u32>) -> Vec<String> {
    let mut lines = vec![format!(
        "At least {min_chars} characters: any characters, spaces welcome (a few words make a good password)."
    )];
    if let Some(max) = max_chars {
        lines.push(format!("At most {max} characters."));
    }
    lines.push("Not easy to guess: not a common password, a keyboard pattern or a repeat.".to_string());
    lines.push("Nothing to do with the school's name or your email.".to_string());
    lines
}

impl PasswordStep {
    /// After `password_change_required`.
    pub fn new(challenge: String, min_chars: u32) -> PasswordStep {
        PasswordStep {
            challenge: SecretString::from(challenge),
            min_chars,
            new: TextField::secret("New password"),
            repeat: TextField::secret("New password again"),
            focus: 0,
            in_flight: None,
            note: None,
            busy: false,
        }
    }

    /// True when something is typed.
    pub fn has_draft(&self) -> bool {
        !self.new.is_empty() || !self.repeat.is_empty()
    }

    fn field(&mut self) -> &mut TextField {
        if self.focus == 0 {
            &mut self.new
        } else {
            &mut self.repeat
        }
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
            None => self.field().input(key).then_some(Msg::Redraw),
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
        let typed = u32::try_from(new.expose_secret().chars().count()).unwrap_or(u32::MAX);
        if typed < self.min_chars {
            self.note = Note::error(format!(
                "That is {typed} characters; this account needs at least {}. Type a longer one.",
                self.min_chars
            ));
            return Msg::Redraw;
        }
        self.busy = true;
        self.note = Note::info("Changing the password…");
        self.in_flight = Some(SecretString::from(new.expose_secret()));
        Msg::ChangePassword { new_password: new }
    }

    /// The server judged the password: forget it.
    pub fn answered(&mut self, note: Option<Note>) {
        self.busy = false;
        self.in_flight = None;
        self.note = note;
    }

    /// The server never saw it: give it back in both fields.
    pub fn unanswered(&mut self, note: Option<Note>) {
        self.busy = false;
        if let Some(p) = self.in_flight.take() {
            self.new.set(p.expose_secret());
            self.repeat.set(p.expose_secret());
            self.focus = 1;
        }
        self.note = note;
    }

    /// Pasted text.
    pub fn paste(&mut self, text: &str) {
        self.field().paste(text);
    }

    /// Draw.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let theme = ctx.theme;
        let outer = ctx.block("Change password");
        let inner = outer.inner(area);
        f.render_widget(outer, area);
        let area = centered(inner, 76, inner.height);
        let max = ctx.setting.map(|s| s.password_rules.max_chars);
        let mut text = vec![Line::from("Your password is temporary. Choose a new one:")];
        text.extend(
            rules_text(self.min_chars, max)
                .into_iter()
                .map(|l| Line::from(Span::styled(format!("{} {l}", ctx.glyphs.text("•")), theme.dim()))),
        );
        let text = Paragraph::new(text).wrap(Wrap { trim: true });
        let text_h = u16::try_from(text.line_count(area.width)).unwrap_or(u16::MAX);
        let rows = Layout::vertical([
            Constraint::Length(text_h.min(area.height.saturating_sub(8))),
            Constraint::Length(3),
            Constraint::Length(3),
            Constraint::Min(2),
        ])
        .split(area);
        f.render_widget(text, rows[0]);
        let focus = self.focus;
        self.new.render(f, rows[1], focus == 0, theme, ctx.glyphs);
        self.repeat.render(f, rows[2], focus == 1, theme, ctx.glyphs);
        popup::note(f, rows[3], self.note.as_ref(), theme);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_rule_for_this_account_is_listed() {
        let rules = super::rules_text(15, Some(256));
        assert!(rules[0].starts_with("At least 15 characters"), "{rules:?}");
        assert!(!rules.iter().any(|r| r.contains("10")), "{rules:?}");
    }
}
