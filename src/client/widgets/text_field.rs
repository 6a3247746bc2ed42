//! A single-line text field: the only user of ratatui-textarea (ARCHITECTURE §6).
//!
//! ratatui-textarea's defaults are wrong for a form: `Enter` inserts a line, `Tab` a tab,
//! `Ctrl-U` is undo, paste is dropped, and masking is render-only (the undo history and the
//! yank buffer hold the clear text). So only editing keys reach it (characters without Ctrl or
//! Alt, Backspace, Delete, arrows, Home, End); the screen routes everything else first. Secret
//! fields keep no undo history at all, are masked with `•`, are bounded, and are wiped and
//! recreated whenever their text is taken ([`TextField::take_secret`]).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders};
use ratatui_textarea::TextArea;
use secrecy::SecretString;
use zeroize::Zeroize;

use crate::client::sanitize;
use crate::client::theme::Theme;

/// Most characters a field accepts (typed or pasted); a 1 MB paste is cut to this.
pub const MAX_FIELD_CHARS: usize = 512;

/// One labelled single-line input.
pub struct TextField {
    area: TextArea<'static>,
    label: &'static str,
    kind: Kind,
}

/// What a field holds, which decides masking, undo history and wiping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Ordinary text (an email address): shown, with undo history.
    Plain,
    /// A one-time code (TOTP or recovery code): shown, but no undo history and wiped on take and
    /// on drop, like a secret.
    Code,
    /// A password: masked, no undo history, wiped on take and on drop.
    Secret,
}

impl std::fmt::Debug for TextField {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TextField")
            .field("label", &self.label)
            .field("kind", &self.kind)
            .finish()
    }
}

fn fresh(kind: Kind) -> TextArea<'static> {
    let mut area = TextArea::default();
    area.set_cursor_line_style(Style::default());
    // The default selection colour (light blue) would ignore NO_COLOR; reverse video needs none.
    area.set_selection_style(Style::default().add_modifier(Modifier::REVERSED));
    if kind != Kind::Plain {
        area.set_max_histories(0);
    }
    if kind == Kind::Secret {
        area.set_mask_char('\u{2022}');
    }
    area
}

impl TextField {
    /// A plain field.
    pub fn plain(label: &'static str) -> TextField {
        TextField {
            area: fresh(Kind::Plain),
            label,
            kind: Kind::Plain,
        }
    }

    /// A visible field for a one-time code (seeing a 6-digit code is normal), kept without undo
    /// history and wiped when taken or dropped: a recovery code must not linger.
    pub fn code(label: &'static str) -> TextField {
        TextField {
            area: fresh(Kind::Code),
            label,
            kind: Kind::Code,
        }
    }

    /// A masked field for a password or code.
    pub fn secret(label: &'static str) -> TextField {
        TextField {
            area: fresh(Kind::Secret),
            label,
            kind: Kind::Secret,
        }
    }

    /// The text (clear text even for a secret field: use only to send it).
    pub fn text(&self) -> &str {
        self.area.lines().first().map(String::as_str).unwrap_or("")
    }

    /// True when nothing is typed.
    pub fn is_empty(&self) -> bool {
        self.text().is_empty()
    }

    fn len(&self) -> usize {
        self.text().chars().count()
    }

    /// Feed an editing key; returns true when the key was used.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        let plain = !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        match key.code {
            KeyCode::Char(_) if plain => {
                if self.len() < MAX_FIELD_CHARS {
                    self.area.input(key);
                }
                true
            }
            KeyCode::Backspace | KeyCode::Delete | KeyCode::Left | KeyCode::Right | KeyCode::Home | KeyCode::End
                if plain =>
            {
                self.area.input(key);
                true
            }
            _ => false,
        }
    }

    /// Insert pasted text: cleaned (rule 35), on one line, bounded by [`MAX_FIELD_CHARS`].
    pub fn paste(&mut self, text: &str) {
        let room = MAX_FIELD_CHARS.saturating_sub(self.len());
        let cut: String = text.chars().take(room.saturating_mul(4).max(room)).collect();
        let mut clean: String = sanitize::clean_line(&cut).chars().take(room).collect();
        self.area.insert_str(&clean);
        clean.zeroize();
    }

    /// Take the text as a secret and wipe the field (a new TextArea: no history survives).
    pub fn take_secret(&mut self) -> SecretString {
        let secret = SecretString::from(self.text().to_owned());
        self.wipe();
        secret
    }

    /// Replace the text (used to give a password back after a network error).
    pub fn set(&mut self, text: &str) {
        self.wipe();
        self.area.insert_str(text);
    }

    /// Empty the field, zeroizing what was in it.
    pub fn wipe(&mut self) {
        let old = std::mem::replace(&mut self.area, fresh(self.kind));
        for mut line in old.into_lines() {
            line.zeroize();
        }
    }

    /// Draw with a titled border; the focused field is bold with a `▶` marker, so focus shows
    /// without colour.
    pub fn render(&mut self, f: &mut Frame, area: Rect, focused: bool, theme: &Theme) {
        let title = if focused {
            format!("▶ {}", self.label)
        } else {
            format!("  {}", self.label)
        };
        let style = if focused { theme.focus() } else { theme.text() };
        self.area
            .set_block(Block::default().borders(Borders::ALL).title(title).border_style(style));
        self.area.set_cursor_style(if focused {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        });
        f.render_widget(&self.area, area);
    }
}

impl Drop for TextField {
    fn drop(&mut self) {
        if self.kind != Kind::Plain {
            self.wipe();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    #[test]
    fn typing_editing_and_taking_a_secret() {
        let mut f = TextField::secret("Password");
        for c in "hunter22".chars() {
            assert!(f.input(key(c)));
        }
        f.input(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        assert!(!f.input(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
        assert!(!f.input(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
        assert_eq!(f.take_secret().expose_secret(), "hunter2");
        assert!(f.is_empty());
    }

    #[test]
    fn a_code_field_is_visible_but_keeps_no_history() {
        let mut f = TextField::code("Code");
        for c in "abcd-efgh".chars() {
            assert!(f.input(key(c)));
        }
        f.input(KeyEvent::new(KeyCode::Backspace, KeyModifiers::NONE));
        assert!(!f.area.undo(), "no undo history for a code");
        assert_eq!(f.text(), "abcd-efg");
        assert!(f.area.mask_char().is_none(), "a code stays visible");
        assert_eq!(f.take_secret().expose_secret(), "abcd-efg");
        assert!(f.is_empty());
    }

    #[test]
    fn a_huge_paste_is_cleaned_and_bounded() {
        let mut f = TextField::secret("Password");
        let big = format!("a\x1b]0;x\x07\n{}", "b".repeat(1_000_000));
        f.paste(&big);
        assert_eq!(f.text().chars().count(), MAX_FIELD_CHARS);
        assert!(f.text().starts_with("a bbb"));
    }
}
