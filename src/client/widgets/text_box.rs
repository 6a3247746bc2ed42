//! A multi-line text box with a limit, counted as you type ("120 / 4,000"): for messages and,
//! later, the long fields of the incident form. Built on ratatui-textarea like
//! [`super::text_field`], and as careful about what reaches it: characters without Ctrl or Alt,
//! `Enter` (a new line), Backspace, Delete, the arrows, Home, End and the shell's editing keys;
//! nothing beyond the limit is typed or pasted, and pasted text is cleaned (rule 35) with its
//! line breaks kept.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders};
use ratatui_textarea::{TextArea, WrapMode};

use crate::client::glyphs::Glyphs;
use crate::client::sanitize;
use crate::client::theme::Theme;

/// A labelled multi-line box of at most `limit` characters.
pub struct TextBox {
    area: TextArea<'static>,
    label: &'static str,
    limit: usize,
    /// The pattern the words found by the language check are highlighted with.
    highlighted: String,
}

impl std::fmt::Debug for TextBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TextBox({}, {} chars)", self.label, self.len())
    }
}

impl TextBox {
    /// An empty box.
    pub fn new(label: &'static str, limit: usize) -> TextBox {
        let mut area = TextArea::default();
        area.set_cursor_line_style(Style::default());
        area.set_selection_style(Style::default().add_modifier(Modifier::REVERSED));
        area.set_wrap_mode(WrapMode::WordOrGlyph);
        area.set_search_style(Style::default().add_modifier(Modifier::UNDERLINED | Modifier::BOLD));
        TextBox {
            area,
            label,
            limit,
            highlighted: String::new(),
        }
    }

    /// Highlight the words of `findings` (the language check's, over [`TextBox::text`]) where
    /// they appear. Cheap when they did not change since the last call.
    pub fn highlight(&mut self, findings: &[crate::client::language::Finding]) {
        let text = self.text();
        let mut words: Vec<String> = findings
            .iter()
            .filter_map(|f| text.get(f.range.clone()))
            .map(|w| {
                w.split(|c: char| c.is_whitespace() || c == '-')
                    .filter(|p| !p.is_empty())
                    .map(regex::escape)
                    .collect::<Vec<_>>()
                    .join(r"[\s\-]+")
            })
            .collect();
        words.sort();
        words.dedup();
        let pattern = match words.is_empty() {
            true => String::new(),
            false => format!(r"(?i)\b(?:{})\b", words.join("|")),
        };
        if pattern != self.highlighted {
            // An empty pattern switches highlighting off; a pattern that does not compile
            // (it cannot: every word is escaped) leaves the text unhighlighted.
            let _ = self.area.set_search_pattern(&pattern);
            self.highlighted = pattern;
        }
    }

    /// Where the cursor is, as a byte offset into [`TextBox::text`].
    pub fn cursor_offset(&self) -> usize {
        let ratatui_textarea::DataCursor(row, col) = self.area.cursor();
        let lines = self.area.lines();
        let before: usize = lines.iter().take(row).map(|l| l.len() + 1).sum();
        let within = lines
            .get(row)
            .map_or(0, |l| l.char_indices().nth(col).map_or(l.len(), |(at, _)| at));
        before + within
    }

    /// Move the cursor to the next highlighted word (after the cursor, wrapping round);
    /// answers whether there was one.
    pub fn next_match(&mut self) -> bool {
        !self.highlighted.is_empty() && self.area.search_forward(false)
    }

    /// The text, lines joined with `\n`.
    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// How many characters it holds (a line break counts as one).
    pub fn len(&self) -> usize {
        let lines = self.area.lines();
        lines.iter().map(|l| l.chars().count()).sum::<usize>() + lines.len().saturating_sub(1)
    }

    /// True when nothing at all is typed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// True when nothing but white space is typed.
    pub fn is_blank(&self) -> bool {
        self.area.lines().iter().all(|l| l.trim().is_empty())
    }

    /// Feed a key; answers whether it was used.
    pub fn input(&mut self, key: KeyEvent) -> bool {
        if super::text_field::shell_edit(&mut self.area, &key) {
            return true;
        }
        let plain = !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let room = self.len() < self.limit;
        match key.code {
            KeyCode::Char(_) | KeyCode::Enter if plain => {
                if room {
                    self.area.input(key);
                }
                true
            }
            KeyCode::Backspace
            | KeyCode::Delete
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Up
            | KeyCode::Down
            | KeyCode::Home
            | KeyCode::End
                if plain =>
            {
                self.area.input(key);
                true
            }
            _ => false,
        }
    }

    /// Insert pasted text, cleaned, line breaks kept, cut at the limit.
    pub fn paste(&mut self, text: &str) {
        let room = self.limit.saturating_sub(self.len());
        let clean: String = sanitize::clean(&text.replace("\r\n", "\n"))
            .chars()
            .take(room)
            .collect();
        self.area.insert_str(clean);
    }

    /// Replace the text.
    pub fn set(&mut self, text: &str) {
        self.area.select_all();
        self.area.cut();
        self.area.set_yank_text(String::new());
        self.paste(text);
    }

    /// "120 / 4,000".
    pub fn counter(&self) -> String {
        format!("{} / {}", thousands(self.len()), thousands(self.limit))
    }

    /// Draw with a border titled with the label and the counter; the focused box is bold.
    pub fn render(&mut self, f: &mut Frame, area: Rect, focused: bool, theme: &Theme, glyphs: Glyphs) {
        if area.height < 3 || area.width < 8 {
            return;
        }
        let mark = if focused { glyphs.mark() } else { " " };
        let style = if focused { theme.focus() } else { theme.text() };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_set(glyphs.border())
            .border_style(style)
            .title(format!("{mark} {}", self.label))
            .title_bottom(ratatui::text::Line::from(format!(" {} ", self.counter())).right_aligned());
        self.area.set_block(block);
        self.area.set_cursor_style(if focused {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        });
        f.render_widget(&self.area, area);
    }
}

/// `4000` as `4,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(c: KeyCode) -> KeyEvent {
        KeyEvent::new(c, KeyModifiers::NONE)
    }

    #[test]
    fn it_counts_and_stops_at_the_limit() {
        let mut b = TextBox::new("Message", 5);
        for c in "abc".chars() {
            b.input(key(KeyCode::Char(c)));
        }
        b.input(key(KeyCode::Enter));
        b.input(key(KeyCode::Char('d')));
        b.input(key(KeyCode::Char('e')));
        assert_eq!(b.text(), "abc\nd");
        assert_eq!(b.counter(), "5 / 5");
        b.paste("more");
        assert_eq!(b.len(), 5);
        assert!(!b.is_blank());
        assert_eq!(thousands(4000), "4,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn a_paste_is_cleaned_and_keeps_its_lines() {
        let mut b = TextBox::new("Message", 100);
        b.paste("one\r\ntwo\u{1b}[31m red\u{202e}");
        assert_eq!(b.text(), "one\ntwo red");
        b.set("new");
        assert_eq!(b.text(), "new");
    }
}
