//! "Related incidents": the incidents behind one row of a report (`Enter` on the row), newest
//! first, the first 1,000 of them; `Enter` opens one (the incident's own view).

use std::any::Any;

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Paragraph, Wrap};

use super::calls::{self, Asked, Reply};
use super::keys;
use crate::client::call::{Typed, take};
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::screens::{Ctx, Cx, Page, incidents};
use crate::client::widgets::fit::fit;
use crate::client::widgets::slice_table::{SliceTable, follow};
use crate::wire::{IncidentSummary, PupilName};

/// The incidents behind one row. `Debug` prints counts only.
pub struct Related {
    asked: Asked,
    key: String,
    /// The row's label (not a pupil's name).
    label: String,
    /// The row's individual, when the rows are individuals (drawn through privacy).
    individual: Option<PupilName>,
    /// The incidents, when they came.
    pub items: Option<Vec<IncidentSummary>>,
    total: u64,
    failed: bool,
    selected: usize,
    offset: usize,
    page: usize,
}

impl std::fmt::Debug for Related {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

impl Related {
    /// The incidents behind row `key` (labelled `label`, or the individual `individual` when
    /// the rows are individuals) of the report `asked` for.
    pub fn new(asked: Asked, key: String, label: String, individual: Option<PupilName>) -> Related {
        Related {
            asked,
            key,
            label,
            individual,
            items: None,
            total: 0,
            failed: false,
            selected: 0,
            offset: 0,
            page: 10,
        }
    }

    fn move_by(&mut self, delta: isize) {
        let last = self.items.as_ref().map_or(0, Vec::len).saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// What the row is, in words.
    fn what(&self, ctx: &Ctx<'_>) -> String {
        match &self.individual {
            None => self.label.clone(),
            Some(name) => ctx.privacy.name(name),
        }
    }
}

impl Page for Related {
    fn title(&self) -> String {
        "Related incidents".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        keys::RELATED_TABLES
    }

    fn min_size(&self) -> (u16, u16) {
        (50, 12)
    }

    fn start(&mut self, cx: &mut Cx) {
        cx.call(calls::related(&self.asked, Some(&self.key)));
    }

    fn refresh(&mut self, cx: &mut Cx) {
        self.start(cx);
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        let Some(action) = keymap::lookup(keys::RELATED_TABLES, &key) else {
            return false;
        };
        let page = self.page.max(1) as isize;
        match action {
            KeyAction::Down => self.move_by(1),
            KeyAction::Up => self.move_by(-1),
            KeyAction::PageDown => self.move_by(page),
            KeyAction::PageUp => self.move_by(-page),
            KeyAction::Top => self.move_by(isize::MIN / 2),
            KeyAction::Bottom => self.move_by(isize::MAX / 2),
            KeyAction::Open => match self.items.as_ref().and_then(|items| items.get(self.selected)) {
                Some(item) => cx.push(incidents::showing(item.reference.clone())),
                None => cx.say("There is no incident to open."),
            },
            _ => return false,
        }
        true
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        match take::<Reply>(reply) {
            Some(Reply::Related(Ok(page))) => {
                self.total = page.total;
                self.items = Some(page.items);
                self.failed = false;
            }
            Some(Reply::Related(Err(e))) => {
                self.failed = true;
                if !e.offline() && !e.session_ended() {
                    cx.error(format!("The incidents could not be listed: {e}"));
                }
            }
            _ => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let count = match &self.items {
            Some(items) if (items.len() as u64) < self.total => format!(" ({} of {})", items.len(), self.total),
            Some(items) => format!(" ({})", items.len()),
            None => String::new(),
        };
        let title = format!(
            "{}: {}{count}",
            self.asked.kind.title(),
            self.what(ctx)
        );
        let block = ctx
            .block(&fit(&title, usize::from(area.width.saturating_sub(4)), ctx.glyphs.ellipsis()))
            .border_style(ctx.theme.focus());
        let empty = match &self.items {
            None if self.failed => Some("The incidents could not be loaded yet: they come when the server answers."),
            None => Some("Loading the incidents behind this row…"),
            Some(items) if items.is_empty() => Some("No incidents you may open are behind this row in this period."),
            Some(_) => None,
        };
        if let Some(message) = empty {
            f.render_widget(
                Paragraph::new(ctx.glyphs.text(message).into_owned())
                    .wrap(Wrap { trim: true })
                    .block(block),
                area,
            );
            return;
        }
        let inner = block.inner(area);
        f.render_widget(block, area);
        let visible = usize::from(inner.height.saturating_sub(1));
        self.page = visible.max(1);
        self.offset = follow(self.offset, self.selected, visible);
        let rows: Vec<[String; 5]> = self
            .items
            .iter()
            .flatten()
            .skip(self.offset)
            .take(visible)
            .map(|i| {
                [
                    i.reference.clone(),
                    ctx.dates.short(i.occurred_at),
                    ctx.privacy.name(&i.individual.name),
                    i.category.clone(),
                    i.location.clone(),
                ]
            })
            .collect();
        f.render_widget(
            SliceTable {
                header: ["Ref", "When", "Individual", "Category", "Location"],
                min_widths: [8, 14, 8, 8, 6],
                shrink: &[4, 3, 2],
                rows,
                selected: self.selected.checked_sub(self.offset),
                header_style: ctx.theme.header(),
                selected_style: ctx.theme.selected(),
                glyphs: ctx.glyphs,
            },
            inner,
        );
    }

    fn summary(&self) -> String {
        format!(
            "Related {{ kind: {}, incidents: {} }}",
            self.asked.kind.slug(),
            self.items.as_ref().map_or(0, Vec::len)
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
