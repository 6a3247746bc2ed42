//! Saved filter sets (`F` in Analytics): the user's own sets from the server
//! (`GET /report-filter-sets`), the filters shown saved under a name (the first line; the same
//! name again replaces that set), a set applied with `Enter`, and one deleted with `d` after a
//! `y`. This holds the panel and says what its keys asked for; the page makes the calls.
//!
//! A set's name is the user's own words and is drawn as typed; the individuals of a set come
//! back named only when the user may still open them (the others are counted, never named).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::client::keymap::{self, Binding, KeyAction, LIST, b, ch, k};
use crate::client::screens::{Ctx, Note, centered};
use crate::client::widgets::popup;
use crate::client::widgets::text_field::TextField;
use crate::wire::{FILTER_SET_NAME_MAX, FilterSet};

/// `d`: delete the set selected (asks first).
pub const DELETE: KeyAction = KeyAction::Page(30);

/// The keys of the list of sets, after [`LIST`].
pub const SET_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Open, "use this set (first line: save)", true),
    b(&[ch('d'), k(KeyCode::Delete)], "d", DELETE, "delete this set", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "close", true),
];

/// The tables of the list of sets.
pub const SET_TABLES: &[&[Binding]] = &[LIST, SET_KEYS];

/// The keys while a name is typed.
pub const NAME_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Submit, "save under this name", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "do not save", true),
];

/// What a key asked the page to do.
#[derive(Debug, PartialEq, Eq)]
pub enum SetsKey {
    /// Nothing more (the panel moved, or took text).
    Used,
    /// Close the panel.
    Close,
    /// Save the filters shown under this name.
    Save(String),
    /// Use this set's filters.
    Apply(Box<FilterSet>),
    /// Delete the set with this id (confirmed).
    Delete(i64),
    /// Show the keys.
    Help,
}

/// The panel. `Debug` prints counts only (a set's name may hold a pupil's name).
pub struct Sets {
    /// The sets (none while they load).
    items: Option<Vec<FilterSet>>,
    /// Why they could not be had.
    failed: Option<String>,
    /// 0 is "save the filters shown"; set `n` is at `n + 1`.
    selected: usize,
    /// Typing the name of a new set.
    naming: Option<TextField>,
    /// Asking before deleting this set (an index into `items`).
    confirming: Option<usize>,
    /// What the last step did or why it failed.
    note: Option<Note>,
}

impl std::fmt::Debug for Sets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Sets({:?} items)", self.items.as_ref().map(Vec::len))
    }
}

impl Sets {
    /// A panel waiting for the user's sets.
    pub fn new() -> Sets {
        Sets {
            items: None,
            failed: None,
            selected: 0,
            naming: None,
            confirming: None,
            note: None,
        }
    }

    /// The keys the panel has now.
    pub fn keys(&self) -> &'static [&'static [Binding]] {
        match (&self.naming, self.confirming) {
            (Some(_), _) => &[NAME_KEYS, crate::client::widgets::text_field::EDITING],
            (None, Some(_)) => &[],
            (None, None) => SET_TABLES,
        }
    }

    /// True while a name is typed (the global keys do not apply).
    pub fn edits_text(&self) -> bool {
        self.naming.is_some()
    }

    /// The user's sets came (or could not).
    pub fn listed(&mut self, items: Result<Vec<FilterSet>, String>) {
        match items {
            Ok(items) => {
                self.selected = self.selected.min(items.len());
                self.items = Some(items);
                self.failed = None;
            }
            Err(why) => self.failed = Some(why),
        }
    }

    /// The set was saved: the name typed is done with.
    pub fn saved(&mut self, name: &str, replaced: bool) {
        self.naming = None;
        let how = if replaced { "Replaced" } else { "Saved" };
        self.note = Note::info(format!("{how} \"{name}\"."));
    }

    /// Say what happened (an error keeps the name typed, to change and try again).
    pub fn say(&mut self, note: Option<Note>) {
        self.note = note;
    }

    /// Pasted text, into the name being typed.
    pub fn paste(&mut self, text: &str) {
        if let Some(name) = &mut self.naming {
            name.paste(text);
        }
    }

    /// A key.
    pub fn key(&mut self, key: KeyEvent) -> SetsKey {
        if let Some(at) = self.confirming.take() {
            let id = self.items.as_ref().and_then(|items| items.get(at)).map(|s| s.id);
            return match (key.code, id) {
                (KeyCode::Char('y') | KeyCode::Char('Y'), Some(id)) => SetsKey::Delete(id),
                _ => {
                    self.note = Note::info("Kept.");
                    SetsKey::Used
                }
            };
        }
        if let Some(name) = &mut self.naming {
            return match keymap::lookup(&[NAME_KEYS], &key) {
                Some(KeyAction::Back) => {
                    self.naming = None;
                    SetsKey::Used
                }
                Some(KeyAction::Submit) => {
                    let text = name.text().trim().to_string();
                    match text.chars().count() {
                        0 => self.note = Note::error("Type a name for the set first."),
                        n if n > FILTER_SET_NAME_MAX => {
                            self.note = Note::error(format!("A name is at most {FILTER_SET_NAME_MAX} characters."))
                        }
                        _ => return SetsKey::Save(text),
                    }
                    SetsKey::Used
                }
                _ => {
                    name.input(key);
                    SetsKey::Used
                }
            };
        }
        let count = self.items.as_ref().map_or(0, Vec::len);
        match keymap::lookup(SET_TABLES, &key) {
            Some(KeyAction::Down) => self.selected = (self.selected + 1).min(count),
            Some(KeyAction::Up) => self.selected = self.selected.saturating_sub(1),
            Some(KeyAction::Top | KeyAction::PageUp) => self.selected = 0,
            Some(KeyAction::Bottom | KeyAction::PageDown) => self.selected = count,
            Some(KeyAction::Back) => return SetsKey::Close,
            Some(KeyAction::Open) => match self.selected {
                0 => {
                    self.naming = Some(TextField::plain("Name of the set"));
                    self.note = None;
                }
                n => {
                    if let Some(set) = self.items.as_ref().and_then(|items| items.get(n - 1)) {
                        return SetsKey::Apply(Box::new(set.clone()));
                    }
                }
            },
            Some(DELETE) => match self.selected {
                0 => self.note = Note::error("Choose a set to delete (j/k), then d."),
                n if n <= count => {
                    self.confirming = Some(n - 1);
                }
                _ => {}
            },
            _ if key.code == KeyCode::Char('?') => return SetsKey::Help,
            _ => {}
        }
        SetsKey::Used
    }

    /// Draw over the middle of `area`; `describe` says what a set keeps to.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>, describe: impl Fn(&FilterSet) -> String) {
        let popup_area = centered(area, 70, area.height.saturating_sub(2).clamp(8, 20));
        f.render_widget(Clear, popup_area);
        let block = ctx.block("Saved filter sets").border_style(ctx.theme.focus());
        let inner = block.inner(popup_area);
        f.render_widget(block, popup_area);
        let name_h = if self.naming.is_some() { 3 } else { 0 };
        let rows = Layout::vertical([
            Constraint::Min(1),
            Constraint::Length(name_h),
            Constraint::Length(2),
        ])
        .split(inner);
        let mark = ctx.glyphs.mark();
        let line = |at: usize, text: String| {
            let (pointer, style) = match at == self.selected {
                true => (mark, ctx.theme.focus()),
                false => (" ", ctx.theme.text()),
            };
            Line::styled(format!("{pointer} {text}"), style)
        };
        let mut lines = vec![line(0, "+ Save the filters shown as a new set…".into())];
        match (&self.items, &self.failed) {
            (_, Some(why)) => lines.push(Line::styled(format!("  {why}"), ctx.theme.error())),
            (None, None) => lines.push(Line::styled("  Loading your sets…", ctx.theme.dim())),
            (Some(items), None) if items.is_empty() => {
                lines.push(Line::styled("  You have no saved sets yet.", ctx.theme.dim()))
            }
            (Some(items), None) => {
                let visible = usize::from(rows[0].height.saturating_sub(1));
                let start = self.selected.saturating_sub(visible).min(items.len());
                for (i, set) in items.iter().enumerate().skip(start).take(visible) {
                    let text = format!("{}{}{}", set.name, ctx.glyphs.sep(), describe(set));
                    lines.push(line(i + 1, ctx.glyphs.text(&text).into_owned()));
                }
            }
        }
        f.render_widget(Paragraph::new(lines), rows[0]);
        if let Some(name) = &mut self.naming {
            name.render(f, rows[1], true, ctx.theme, ctx.glyphs);
        }
        let note = match (self.confirming, &self.items) {
            (Some(at), Some(items)) => items
                .get(at)
                .map(|s| Note { text: format!("Delete \"{}\"? y deletes it, any other key keeps it.", s.name), error: true }),
            _ => self.note.clone(),
        };
        match note {
            Some(n) => popup::note(f, rows[2], Some(&n), ctx.theme, ctx.glyphs),
            None => f.render_widget(
                Paragraph::new(
                    ctx.glyphs
                        .text(match self.naming {
                            Some(_) => "Enter saves under this name · Esc does not save",
                            None => "Enter uses a set · d deletes · Esc closes",
                        })
                        .into_owned(),
                )
                .style(ctx.theme.dim())
                .wrap(Wrap { trim: true }),
                rows[2],
            ),
        }
    }
}

impl Default for Sets {
    fn default() -> Self {
        Sets::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::SavedFilters;
    use crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn set(id: i64, name: &str) -> FilterSet {
        FilterSet {
            id,
            name: name.into(),
            filters: SavedFilters::default(),
            individuals: vec![],
            hidden: 0,
            saved_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_first_line_saves_a_set_asks_a_name_and_refuses_an_empty_one() {
        let mut sets = Sets::new();
        sets.listed(Ok(vec![set(4, "Year 9 this term")]));
        assert_eq!(sets.key(key(KeyCode::Enter)), SetsKey::Used);
        assert!(sets.edits_text());
        assert_eq!(sets.key(key(KeyCode::Enter)), SetsKey::Used, "no name yet");
        for c in " Hall ".chars() {
            sets.key(key(KeyCode::Char(c)));
        }
        assert_eq!(sets.key(key(KeyCode::Enter)), SetsKey::Save("Hall".into()));
        sets.saved("Hall", false);
        assert!(!sets.edits_text());
        sets.key(key(KeyCode::Enter));
        sets.paste(&"x".repeat(61));
        assert_eq!(sets.key(key(KeyCode::Enter)), SetsKey::Used, "61 characters");
        assert!(sets.edits_text(), "what was typed stays to be shortened");
    }

    #[test]
    fn a_set_is_used_with_enter_and_deleted_only_after_y() {
        let mut sets = Sets::new();
        sets.listed(Ok(vec![set(4, "A"), set(7, "B")]));
        sets.key(key(KeyCode::Char('j')));
        sets.key(key(KeyCode::Char('j')));
        assert_eq!(sets.key(key(KeyCode::Enter)), SetsKey::Apply(Box::new(sets.items.as_ref().unwrap()[1].clone())));
        assert_eq!(sets.key(key(KeyCode::Char('d'))), SetsKey::Used);
        assert_eq!(sets.key(key(KeyCode::Char('n'))), SetsKey::Used, "kept");
        sets.key(key(KeyCode::Char('d')));
        assert_eq!(sets.key(key(KeyCode::Char('y'))), SetsKey::Delete(7));
        assert_eq!(sets.key(key(KeyCode::Esc)), SetsKey::Close);
    }
}
