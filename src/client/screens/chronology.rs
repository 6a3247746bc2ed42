//! A pupil's chronology (`C` on a profile, or on an individual's row of Analytics): their
//! incidents, clicks and communications in one timeline, newest first
//! (`GET /individuals/{id}/chronology`). It loads a page of [`PAGE`] entries and the next one
//! by its cursor as the selection nears the end, so a pupil with years of clicks opens at once
//! and only the visible slice is drawn. `Enter` on an incident opens it.

use std::any::Any;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Paragraph, Wrap};

use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::{Call, Typed, take};
use crate::client::keymap::{self, Binding, KeyAction, LIST, b, k};
use crate::client::screens::{Ctx, Cx, Page, incidents};
use crate::client::widgets::fit::fit;
use crate::client::widgets::slice_table::{SliceTable, follow};
use crate::wire::{ChronologyEntry, ChronologyItem, ChronologyPage, IndividualRef};

/// Entries asked for at a time.
pub const PAGE: u32 = 100;

/// The chronology's own keys, after [`LIST`].
pub const CHRONOLOGY_KEYS: &[Binding] = &[b(
    &[k(KeyCode::Enter)],
    "Enter",
    KeyAction::Open,
    "open the incident",
    true,
)];

/// The tables of the chronology.
pub const CHRONOLOGY_TABLES: &[&[Binding]] = &[LIST, CHRONOLOGY_KEYS];

/// The reply of the one call.
enum Reply {
    /// A page, and the cursor it was asked after (none for the first).
    Page(Result<ChronologyPage, ApiError>, Option<String>),
}

/// The page of entries after `cursor` (the first page for none).
fn entries(id: i64, cursor: Option<&str>) -> Call {
    let mut request = Request::get(format!("/individuals/{id}/chronology"))
        .query("limit", PAGE.to_string())
        .session();
    if let Some(cursor) = cursor {
        request = request.query("cursor", cursor.to_string());
    }
    let after = cursor.map(str::to_string);
    Call::new("chronology", request, move |r: Result<Answer, ApiError>| {
        Reply::Page(r.and_then(Answer::typed), after)
    })
}

/// The timeline of one individual. `Debug` prints counts only.
pub struct Chronology {
    individual: IndividualRef,
    /// The entries loaded so far, newest first (none before the first page).
    pub items: Option<Vec<ChronologyEntry>>,
    /// The cursor of the next page, while there is one.
    next: Option<String>,
    /// The page asked for and not answered yet, by the cursor it follows (`Some(None)`: the
    /// first). A reply to any other (a next page asked before a refresh) is dropped, so a
    /// refresh never gains a stale page's entries twice.
    awaiting: Option<Option<String>>,
    failed: bool,
    selected: usize,
    offset: usize,
    page: usize,
}

impl std::fmt::Debug for Chronology {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// The chronology of `individual`, to push.
pub fn of(individual: IndividualRef) -> Box<dyn Page> {
    Box::new(Chronology::new(individual))
}

impl Chronology {
    /// The chronology of `individual`, before its first page.
    pub fn new(individual: IndividualRef) -> Chronology {
        Chronology {
            individual,
            items: None,
            next: None,
            awaiting: None,
            failed: false,
            selected: 0,
            offset: 0,
            page: 10,
        }
    }

    fn move_by(&mut self, delta: isize, cx: &mut Cx) {
        let last = self.items.as_ref().map_or(0, Vec::len).saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        self.more_if_near_the_end(cx);
    }

    /// Ask for the next page when the selection is within a screen of the last entry loaded.
    fn more_if_near_the_end(&mut self, cx: &mut Cx) {
        let loaded = self.items.as_ref().map_or(0, Vec::len);
        if self.awaiting.is_some() || self.selected + self.page < loaded {
            return;
        }
        if let Some(cursor) = self.next.clone() {
            cx.call(entries(self.individual.id, Some(&cursor)));
            self.awaiting = Some(Some(cursor));
        }
    }

    /// The cells of one entry: when, what, the detail, who recorded it.
    fn cells(entry: &ChronologyEntry, ctx: &Ctx<'_>) -> [String; 4] {
        let sep = ctx.glyphs.sep();
        let (what, detail) = match &entry.item {
            ChronologyItem::Incident {
                reference,
                kind,
                category,
                location,
                flagged,
            } => {
                let flag = if *flagged {
                    format!("{sep}flagged")
                } else {
                    String::new()
                };
                (
                    kind.label().to_string(),
                    format!("{reference}{sep}{category}{sep}{location}{flag}"),
                )
            }
            ChronologyItem::Click { behaviour } => ("Click".to_string(), behaviour.clone()),
            ChronologyItem::Communication { tone, message } => (
                "Communication".to_string(),
                format!("{}: {}", tone.label(), message.replace('\n', " ")),
            ),
        };
        [ctx.dates.short(entry.at), what, detail, entry.by.name.clone()]
    }
}

impl Page for Chronology {
    fn title(&self) -> String {
        "Chronology".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        CHRONOLOGY_TABLES
    }

    fn min_size(&self) -> (u16, u16) {
        (50, 12)
    }

    fn start(&mut self, cx: &mut Cx) {
        self.awaiting = Some(None);
        cx.call(entries(self.individual.id, None));
    }

    fn refresh(&mut self, cx: &mut Cx) {
        self.start(cx);
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        let Some(action) = keymap::lookup(CHRONOLOGY_TABLES, &key) else {
            return false;
        };
        let page = self.page.max(1) as isize;
        match action {
            KeyAction::Down => self.move_by(1, cx),
            KeyAction::Up => self.move_by(-1, cx),
            KeyAction::PageDown => self.move_by(page, cx),
            KeyAction::PageUp => self.move_by(-page, cx),
            KeyAction::Top => self.move_by(isize::MIN / 2, cx),
            KeyAction::Bottom => self.move_by(isize::MAX / 2, cx),
            KeyAction::Open => match self.items.as_ref().and_then(|items| items.get(self.selected)) {
                Some(ChronologyEntry {
                    item: ChronologyItem::Incident { reference, .. },
                    ..
                }) => cx.push(incidents::showing(reference.clone())),
                Some(ChronologyEntry {
                    item: ChronologyItem::Communication { .. },
                    ..
                }) => cx.say("A communication opens from the profile's Communications tab; this line is its start."),
                Some(_) => cx.say("A click has nothing more to open: the line is all of it."),
                None => cx.say("There is nothing to open yet."),
            },
            _ => return false,
        }
        true
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let Some(Reply::Page(result, after)) = take::<Reply>(reply) else {
            return;
        };
        if self.awaiting.as_ref() != Some(&after) {
            return;
        }
        self.awaiting = None;
        match result {
            Ok(page) => {
                self.failed = false;
                self.next = page.next_cursor;
                match (&mut self.items, after) {
                    (Some(items), Some(_)) => items.extend(page.items),
                    _ => {
                        self.items = Some(page.items);
                        let last = self.items.as_ref().map_or(0, Vec::len).saturating_sub(1);
                        self.selected = self.selected.min(last);
                    }
                }
                self.more_if_near_the_end(cx);
            }
            Err(e) => {
                self.failed = true;
                if !e.offline() && !e.session_ended() {
                    cx.error(format!("The chronology could not be read: {e}"));
                }
            }
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let count = match (&self.items, &self.next) {
            (Some(items), Some(_)) if self.failed => {
                format!(" ({} so far; the rest when the server answers)", items.len())
            }
            (Some(items), Some(_)) => format!(" ({} so far, more below)", items.len()),
            (Some(items), None) => format!(" ({})", items.len()),
            (None, _) => String::new(),
        };
        let title = format!("Chronology: {}{count}", ctx.privacy.name(&self.individual.name));
        let block = ctx
            .block(&fit(
                &title,
                usize::from(area.width.saturating_sub(4)),
                ctx.glyphs.ellipsis(),
            ))
            .border_style(ctx.theme.focus());
        let empty = match &self.items {
            None if self.failed => Some("The chronology could not be loaded yet: it comes when the server answers."),
            None => Some("Loading the chronology…"),
            Some(items) if items.is_empty() => {
                Some("Nothing is recorded about this individual yet: no incidents, clicks or communications.")
            }
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
        let rows: Vec<[String; 4]> = self
            .items
            .iter()
            .flatten()
            .skip(self.offset)
            .take(visible)
            .map(|entry| Chronology::cells(entry, ctx))
            .collect();
        f.render_widget(
            SliceTable {
                header: ["When", "What", "Detail", "By"],
                min_widths: [14, 5, 10, 6],
                shrink: &[3, 2, 1],
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
            "Chronology {{ entries: {}, more: {} }}",
            self.items.as_ref().map_or(0, Vec::len),
            self.next.is_some()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::keymap::tests::assert_no_key_twice;
    use crate::client::keymap::{ALWAYS, GLOBAL};

    #[test]
    fn no_key_is_bound_twice() {
        assert_no_key_twice(&[LIST, CHRONOLOGY_KEYS, ALWAYS, GLOBAL]);
    }
}
