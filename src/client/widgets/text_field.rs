//! A single-line text field, built on ratatui-textarea like the multi-line `text_box` (the two
//! are its only users; ARCHITECTURE.md, 2.5).
//!
//! ratatui-textarea's defaults are wrong for a form: `Enter` inserts a line, `Tab` a tab,
//! `Ctrl-U` is undo, paste is dropped, and masking is render-only (the undo history and the
//! yank buffer hold the clear text). So only editing keys reach it: characters without Ctrl or
//! Alt, Backspace, Delete, arrows, Home, End, and the editing keys of a shell (`Ctrl-U` clears
//! to the start, `Ctrl-W` deletes a word, `Ctrl-A`/`Ctrl-E` go to the start/end: [`EDITING`]);
//! the screen routes everything else first. Secret fields keep no undo history and no yank
//! buffer at all, are masked (`•`, or `*` in ASCII), are bounded, and are wiped and recreated
//! whenever their text is taken ([`TextField::take_secret`]).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders};
use ratatui_textarea::TextArea;
use secrecy::{ExposeSecret, SecretString};
use zeroize::{Zeroize, Zeroizing};

use crate::client::glyphs::Glyphs;
use crate::client::keymap::{Binding, KeyAction, KeySpec};
use crate::client::sanitize;
use crate::client::theme::Theme;

const fn ctrl(c: char) -> KeySpec {
    KeySpec {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

/// The editing keys every text field takes (listed in `?` help wherever a field is typed in).
pub const EDITING: &[Binding] = &[
    Binding {
        keys: &[ctrl('u')],
        label: "Ctrl-U",
        action: KeyAction::Edit,
        help: "clear to the start of the field",
        hint: false,
    },
    Binding {
        keys: &[ctrl('w')],
        label: "Ctrl-W",
        action: KeyAction::Edit,
        help: "delete the word before the cursor",
        hint: false,
    },
    Binding {
        keys: &[ctrl('a')],
        label: "Ctrl-A/Home",
        action: KeyAction::Edit,
        help: "to the start of the field",
        hint: false,
    },
    Binding {
        keys: &[ctrl('e')],
        label: "Ctrl-E/End",
        action: KeyAction::Edit,
        help: "to the end of the field",
        hint: false,
    },
];

/// Most characters a field accepts (typed or pasted); a 1 MB paste is cut to this.
pub const MAX_FIELD_CHARS: usize = 512;

/// One labelled single-line input.
pub struct TextField {
    area: TextArea<'static>,
    label: &'static str,
    kind: Kind,
    /// What was sent ([`TextField::send`]) while the server has not judged it.
    sent: Option<SecretString>,
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

/// Forget what a deletion put in the yank buffer (it may be part of a secret).
fn forget_yank(area: &mut TextArea<'static>, kind: Kind) {
    if kind != Kind::Plain {
        let mut old = area.yank_text();
        old.zeroize();
        area.set_yank_text(String::new());
    }
}

/// The editing keys of a shell ([`EDITING`]) on `area`: `Ctrl-U` clears to the start, `Ctrl-W`
/// deletes a word, `Ctrl-A`/`Ctrl-E` go to the start/end. Answers whether `key` was one.
pub(super) fn shell_edit(area: &mut TextArea<'static>, key: &KeyEvent) -> bool {
    use ratatui_textarea::CursorMove;
    if key.modifiers != KeyModifiers::CONTROL {
        return false;
    }
    match key.code {
        KeyCode::Char('u') => area.delete_line_by_head(),
        KeyCode::Char('w') => area.delete_word(),
        KeyCode::Char('a') => {
            area.move_cursor(CursorMove::Head);
            true
        }
        KeyCode::Char('e') => {
            area.move_cursor(CursorMove::End);
            true
        }
        _ => return false,
    };
    true
}

impl TextField {
    /// A plain field.
    pub fn plain(label: &'static str) -> TextField {
        TextField {
            area: fresh(Kind::Plain),
            label,
            kind: Kind::Plain,
            sent: None,
        }
    }

    /// A visible field for a one-time code (seeing a 6-digit code is normal), kept without undo
    /// history and wiped when taken or dropped: a recovery code must not linger.
    pub fn code(label: &'static str) -> TextField {
        TextField {
            area: fresh(Kind::Code),
            label,
            kind: Kind::Code,
            sent: None,
        }
    }

    /// A masked field for a password or code.
    pub fn secret(label: &'static str) -> TextField {
        TextField {
            area: fresh(Kind::Secret),
            label,
            kind: Kind::Secret,
            sent: None,
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
        if shell_edit(&mut self.area, &key) {
            forget_yank(&mut self.area, self.kind);
            return true;
        }
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

    /// Insert pasted text: cleaned (rule 35), on one line, bounded by [`MAX_FIELD_CHARS`];
    /// every copy made on the way is wiped (a paste is often a password).
    pub fn paste(&mut self, text: &str) {
        let room = MAX_FIELD_CHARS.saturating_sub(self.len());
        let cut = Zeroizing::new(text.chars().take(room.saturating_mul(4).max(room)).collect::<String>());
        let clean = Zeroizing::new(sanitize::clean_pasted(&cut).chars().take(room).collect::<String>());
        self.area.insert_str(clean.as_str());
    }

    /// Take the text as a secret and wipe the field (a new TextArea: no history survives).
    pub fn take_secret(&mut self) -> SecretString {
        let secret = SecretString::from(self.text().to_owned());
        self.wipe();
        secret
    }

    /// Take the text to send (the field is wiped) and keep a copy, wiped when dropped, until
    /// the server has judged it: [`TextField::settle`] then forgets it, or puts it back when
    /// the server never saw it, so nothing typed is lost to a network error.
    pub fn send(&mut self) -> SecretString {
        let text = self.take_secret();
        self.sent = Some(SecretString::from(text.expose_secret()));
        text
    }

    /// What is being sent, while the server has not judged it.
    pub fn sent(&self) -> Option<&SecretString> {
        self.sent.as_ref()
    }

    /// The answer to what was sent came: `judged` (the server saw it) forgets the copy;
    /// otherwise it goes back into the field.
    pub fn settle(&mut self, judged: bool) {
        if let Some(sent) = self.sent.take()
            && !judged
        {
            self.set(sent.expose_secret());
        }
    }

    /// Replace the text.
    pub fn set(&mut self, text: &str) {
        self.wipe();
        self.area.insert_str(text);
    }

    /// Empty the field, zeroizing what was in it (and any copy of what was sent).
    pub fn wipe(&mut self) {
        self.sent = None;
        let old = std::mem::replace(&mut self.area, fresh(self.kind));
        for mut line in old.into_lines() {
            line.zeroize();
        }
    }

    /// Draw with a titled border; the focused field is bold with a `▶` marker, so focus shows
    /// without colour. Needs three rows; in fewer only the text row is drawn, never a box of
    /// no height.
    pub fn render(&mut self, f: &mut Frame, area: Rect, focused: bool, theme: &Theme, glyphs: Glyphs) {
        if area.height == 0 || area.width < 4 {
            return;
        }
        let title = if focused {
            format!("{} {}", glyphs.mark(), self.label)
        } else {
            format!("  {}", self.label)
        };
        let style = if focused { theme.focus() } else { theme.text() };
        if self.kind == Kind::Secret {
            self.area.set_mask_char(glyphs.mask());
        }
        let block = Block::default().title(title).border_style(style);
        self.area.set_block(if area.height >= 3 {
            block.borders(Borders::ALL).border_set(glyphs.border())
        } else {
            block.borders(Borders::NONE)
        });
        self.area.set_cursor_style(if focused {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        });
        f.render_widget(&self.area, area);
    }
}

/// What a key did to a [`Pair`] of fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PairKey {
    /// It moved the focus or edited a field.
    Used,
    /// `Enter` on the second field: submit.
    Submit,
    /// `Esc`.
    Back,
    /// Not a key of the pair.
    Unused,
}

/// Two fields of a form (email and password, a new password twice): `Tab`/`Shift-Tab` move
/// between them, `Enter` on the first moves to the second, `Enter` on the second submits.
#[derive(Debug)]
pub struct Pair {
    /// The two fields.
    pub fields: [TextField; 2],
    /// Which has the keys (0 or 1).
    pub focus: usize,
}

impl Pair {
    /// Two fields, the first focused.
    pub fn new(first: TextField, second: TextField) -> Pair {
        Pair {
            fields: [first, second],
            focus: 0,
        }
    }

    /// The focused field.
    pub fn focused(&mut self) -> &mut TextField {
        &mut self.fields[self.focus]
    }

    /// True when either field holds text.
    pub fn has_text(&self) -> bool {
        self.fields.iter().any(|f| !f.is_empty())
    }

    /// A key.
    pub fn key(&mut self, key: KeyEvent) -> PairKey {
        use crate::client::keymap;
        match keymap::lookup(&[keymap::FORM], &key) {
            Some(KeyAction::NextField | KeyAction::PrevField) => {
                self.focus = 1 - self.focus;
                PairKey::Used
            }
            Some(KeyAction::Submit) if self.focus == 0 => {
                self.focus = 1;
                PairKey::Used
            }
            Some(KeyAction::Submit) => PairKey::Submit,
            Some(KeyAction::Back) => PairKey::Back,
            _ if self.focused().input(key) => PairKey::Used,
            _ => PairKey::Unused,
        }
    }

    /// The answer to what was sent came (see [`TextField::settle`]).
    pub fn settle(&mut self, judged: bool) {
        self.fields.iter_mut().for_each(|f| f.settle(judged));
    }

    /// Draw both fields into the two rows `areas`.
    pub fn render(&mut self, f: &mut Frame, areas: [Rect; 2], theme: &Theme, glyphs: Glyphs) {
        let focus = self.focus;
        for (i, (field, area)) in self.fields.iter_mut().zip(areas).enumerate() {
            field.render(f, area, focus == i, theme, glyphs);
        }
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
        assert!(!f.input(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::CONTROL)));
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
    fn shell_editing_keys_and_no_secret_left_in_the_yank_buffer() {
        let ctrl = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL);
        let mut f = TextField::secret("Password");
        for c in "correct horse battery".chars() {
            f.input(key(c));
        }
        assert!(f.input(ctrl('w')));
        assert_eq!(f.text(), "correct horse ");
        assert!(
            f.area.yank_text().is_empty(),
            "the deleted word stayed in the yank buffer"
        );
        assert!(f.input(ctrl('a')));
        f.input(key('!'));
        assert!(f.input(ctrl('e')));
        f.input(key('?'));
        assert_eq!(f.text(), "!correct horse ?");
        assert!(f.input(ctrl('u')));
        assert!(f.is_empty());
        assert!(f.area.yank_text().is_empty());
        let mut plain = TextField::plain("Email");
        for c in "a@b.test".chars() {
            plain.input(key(c));
        }
        plain.input(KeyEvent::new(KeyCode::Left, KeyModifiers::NONE));
        plain.input(ctrl('u'));
        assert_eq!(plain.text(), "t", "Ctrl-U clears to the start, not the whole field");
    }

    #[test]
    fn what_was_sent_comes_back_only_when_the_server_never_saw_it() {
        let mut f = TextField::secret("Password");
        f.set("typed-password");
        assert_eq!(f.send().expose_secret(), "typed-password");
        assert!(f.is_empty() && f.sent().is_some());
        f.settle(false);
        assert_eq!(f.text(), "typed-password", "unreached: given back");
        f.send();
        f.settle(true);
        assert!(f.is_empty() && f.sent().is_none(), "judged: forgotten");
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
