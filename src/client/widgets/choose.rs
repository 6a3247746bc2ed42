//! Choosing from one of the setting's lists (in the report form a location, a category, staff
//! present; in Analytics the locations, staff and behaviours to keep to): a small list over
//! the screen, filtered as you type with the fuzzy matcher;
//! `Space` marks several where several may be chosen, `Enter` takes the marked (or the
//! selected) ones, `Esc` clears the filter, then closes without changing anything.

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use crate::client::fuzzy::Fuzzy;
use crate::client::screens::{Ctx, centered};
use crate::client::widgets::text_field::TextField;

/// What a key did.
#[derive(Debug, PartialEq, Eq)]
pub enum Chose {
    /// Still choosing.
    Open,
    /// These ids were chosen.
    Done(Vec<i64>),
    /// Closed without a choice.
    Closed,
}

/// The list. `Debug` prints counts only.
pub struct Choose {
    /// Its title.
    pub title: &'static str,
    items: Vec<(i64, String)>,
    shown: Vec<usize>,
    filter: TextField,
    multi: bool,
    marked: BTreeSet<i64>,
    selected: usize,
    fuzzy: Fuzzy,
}

impl std::fmt::Debug for Choose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Choose({}, {} items, {} marked)",
            self.title,
            self.items.len(),
            self.marked.len()
        )
    }
}

impl Choose {
    /// A list of `items` (id, name); `multi` lets several be marked, starting with `marked`.
    pub fn new(title: &'static str, items: Vec<(i64, String)>, multi: bool, marked: &[i64]) -> Choose {
        let mut c = Choose {
            title,
            shown: (0..items.len()).collect(),
            items,
            filter: TextField::plain("Filter"),
            multi,
            marked: marked.iter().copied().collect(),
            selected: 0,
            fuzzy: Fuzzy::new(),
        };
        if let Some(&first) = marked.first() {
            c.selected = c.items.iter().position(|(id, _)| *id == first).unwrap_or(0);
        }
        c
    }

    fn refilter(&mut self) {
        let texts = self.items.iter().map(|(_, name)| name.as_str());
        self.shown = self.fuzzy.rank(self.filter.text(), texts);
        self.selected = 0;
    }

    /// A key.
    pub fn key(&mut self, key: KeyEvent) -> Chose {
        let last = self.shown.len().saturating_sub(1);
        match key.code {
            KeyCode::Down => self.selected = (self.selected + 1).min(last),
            KeyCode::Up => self.selected = self.selected.saturating_sub(1),
            KeyCode::PageDown => self.selected = (self.selected + 10).min(last),
            KeyCode::PageUp => self.selected = self.selected.saturating_sub(10),
            KeyCode::Char(' ') if self.multi => {
                if let Some(&at) = self.shown.get(self.selected) {
                    let id = self.items[at].0;
                    if !self.marked.remove(&id) {
                        self.marked.insert(id);
                    }
                    self.selected = (self.selected + 1).min(last);
                }
            }
            KeyCode::Enter => {
                let chosen: Vec<i64> = match (self.multi, self.shown.get(self.selected)) {
                    (true, _) if !self.marked.is_empty() => self
                        .items
                        .iter()
                        .map(|(id, _)| *id)
                        .filter(|id| self.marked.contains(id))
                        .collect(),
                    (_, Some(&at)) => vec![self.items[at].0],
                    (_, None) => return Chose::Open,
                };
                return Chose::Done(chosen);
            }
            KeyCode::Esc if !self.filter.is_empty() => {
                self.filter.wipe();
                self.refilter();
            }
            KeyCode::Esc => return Chose::Closed,
            _ => {
                if self.filter.input(key) {
                    self.refilter();
                }
            }
        }
        Chose::Open
    }

    /// Draw over `area`.
    pub fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let box_area = centered(area, 60, area.height.saturating_sub(2).clamp(6, 20));
        f.render_widget(Clear, box_area);
        let block = ctx.block(self.title);
        let inner = block.inner(box_area);
        f.render_widget(block, box_area);
        let help = match self.multi {
            true => "type to filter · Space marks · Enter takes · Esc closes",
            false => "type to filter · Enter takes · Esc closes",
        };
        let mut lines = vec![
            Line::from(format!("Filter: {}", self.filter.text())),
            Line::styled(help, ctx.theme.dim()),
        ];
        let rows = usize::from(inner.height.saturating_sub(2));
        let start = self.selected.saturating_sub(rows.saturating_sub(1));
        for (row, &at) in self.shown.iter().enumerate().skip(start).take(rows) {
            let (id, name) = &self.items[at];
            let mark = match (self.multi, self.marked.contains(id)) {
                (true, true) => "[x] ",
                (true, false) => "[ ] ",
                (false, _) => "",
            };
            let pointer = if row == self.selected { ctx.glyphs.mark() } else { " " };
            let style = if row == self.selected {
                ctx.theme.focus()
            } else {
                ctx.theme.text()
            };
            lines.push(Line::styled(format!("{pointer} {mark}{name}"), style));
        }
        if self.shown.is_empty() {
            lines.push(Line::styled(
                "  Nothing matches: Esc clears the filter.",
                ctx.theme.dim(),
            ));
        }
        f.render_widget(Paragraph::new(lines), inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyModifiers;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn marks_several_or_takes_the_selected_one() {
        let items = vec![(1, "Hall".to_string()), (2, "Library".into()), (3, "Canteen".into())];
        let mut c = Choose::new("Staff", items.clone(), true, &[3]);
        assert_eq!(c.key(key(KeyCode::Char(' '))), Chose::Open, "unmarks 3");
        assert_eq!(c.key(key(KeyCode::Up)), Chose::Open);
        assert_eq!(c.key(key(KeyCode::Up)), Chose::Open);
        c.key(key(KeyCode::Char(' ')));
        assert_eq!(c.key(key(KeyCode::Enter)), Chose::Done(vec![1]));
        let mut one = Choose::new("Location", items, false, &[]);
        for ch in "lib".chars() {
            one.key(key(KeyCode::Char(ch)));
        }
        assert_eq!(one.key(key(KeyCode::Enter)), Chose::Done(vec![2]));
        assert_eq!(one.key(key(KeyCode::Esc)), Chose::Open, "clears the filter first");
        assert_eq!(one.key(key(KeyCode::Esc)), Chose::Closed);
    }
}
