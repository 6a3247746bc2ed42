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
use crate::client::screens::{Ctx, Note, centered};
use crate::client::widgets::popup;
use crate::client::widgets::text_field::{Pair, PairKey, TextField};

/// State of the password-change screen.
#[derive(Debug)]
pub struct PasswordStep {
    /// The `password_change_required` challenge.
    pub challenge: SecretString,
    /// The fewest characters the new password needs for this account.
    min_chars: u32,
    /// The new password, twice.
    fields: Pair,
    leave: super::LeaveGuard,
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
            fields: Pair::new(
                TextField::secret("New password"),
                TextField::secret("New password again"),
            ),
            leave: super::LeaveGuard::default(),
            note: None,
            busy: false,
        }
    }

    /// True when something is typed.
    pub fn has_draft(&self) -> bool {
        self.fields.has_text()
    }

    /// A key.
    pub fn handle_key(&mut self, key: KeyEvent) -> Option<Msg> {
        let pressed = self.fields.key(key);
        if pressed != PairKey::Back {
            self.leave.stay();
        }
        match pressed {
            PairKey::Submit if self.busy => Some(Msg::Redraw),
            PairKey::Submit => Some(self.submit()),
            PairKey::Back => {
                let typed = self.has_draft();
                Some(if self.leave.leave(typed, &mut self.note) {
                    Msg::StartOver
                } else {
                    Msg::Redraw
                })
            }
            PairKey::Used => Some(Msg::Redraw),
            PairKey::Unused => None,
        }
    }

    fn submit(&mut self) -> Msg {
        let [new, repeat] = &mut self.fields.fields;
        let (new, repeat) = (new.send(), repeat.send());
        self.fields.focus = 0;
        let refused = if new.expose_secret().is_empty() {
            Some("Type a new password.".to_string())
        } else if new.expose_secret() != repeat.expose_secret() {
            Some("The two passwords are not the same. Type them again.".to_string())
        } else {
            let typed = u32::try_from(new.expose_secret().chars().count()).unwrap_or(u32::MAX);
            (typed < self.min_chars).then(|| {
                format!(
                    "That is {typed} characters; this account needs at least {}. Type a longer one.",
                    self.min_chars
                )
            })
        };
        if let Some(reason) = refused {
            self.fields.settle(true);
            self.note = Note::error(reason);
            return Msg::Redraw;
        }
        self.busy = true;
        self.note = Note::info("Changing the password…");
        Msg::ChangePassword { new_password: new }
    }

    /// The answer came: `judged` forgets what was sent; otherwise it goes back into both
    /// fields.
    pub fn answered(&mut self, judged: bool, note: Option<Note>) {
        self.busy = false;
        self.fields.settle(judged);
        if !judged {
            self.fields.focus = 1;
        }
        self.note = note;
    }

    /// Pasted text.
    pub fn paste(&mut self, text: &str) {
        self.fields.focused().paste(text);
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
        self.fields.render(f, [rows[1], rows[2]], theme, ctx.glyphs);
        popup::note(f, rows[3], self.note.as_ref(), theme, ctx.glyphs);
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
