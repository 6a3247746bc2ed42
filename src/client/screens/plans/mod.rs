//! "Smart Plans" (`s`): the plans the user may see (individual through privacy, title, review
//! date, the incident it came from), `/` to filter by name or title (fuzzy), `Enter` to open
//! one ([`view::PlanView`]: `e` edit, `w` download, `D` delete), `n` for a new plan (pick the
//! individual first), `R` to resume a plan started earlier (a draft), and the builder
//! ([`builder`]) that the incident form, an incident's view and a profile's Plans tab open.

pub mod builder;
pub mod calls;
pub mod keys;
pub mod view;

use std::any::Any;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::{Paragraph, Wrap};

use self::calls::Reply;
use super::picker::{Picked, Picker};
use super::{Ctx, Cx, Page};
use crate::client::call::{Typed, take};
use crate::client::fuzzy::Fuzzy;
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::privacy::Privacy;
use crate::client::widgets::fit::fit;
use crate::client::widgets::slice_table::{SliceTable, follow};
use crate::client::widgets::text_field::TextField;
use crate::wire::{DraftKind, DraftSummary, Incident, IndividualRef, Plan, PlanSummary};

/// The Smart Plan builder for `individual`: pre-filled from `from_incident`'s PILD (and, when
/// `current` is not given, from the individual's current plan, which it then updates), or
/// from `current`, which `Ctrl-S` updates with `PUT`.
pub fn builder(individual: IndividualRef, from_incident: Option<&Incident>, current: Option<Plan>) -> Box<dyn Page> {
    Box::new(builder::builder(individual, from_incident, current))
}

/// The view of plan `id` (a profile's Plans tab).
pub fn showing(id: String) -> Box<dyn Page> {
    Box::new(view::PlanView::new(id))
}

/// The Smart Plans page. `Debug` prints counts only.
pub struct Plans {
    items: Option<Vec<PlanSummary>>,
    stale: bool,
    shown: Vec<usize>,
    filter: TextField,
    /// The filter takes the keys.
    pub typing: bool,
    fuzzy: Fuzzy,
    selected: usize,
    offset: usize,
    page: usize,
    /// Picking who a new plan is for.
    pub picking: bool,
    picker: Picker,
    drafts: Vec<DraftSummary>,
}

impl std::fmt::Debug for Plans {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new Smart Plans page (for the registration in `screens`).
pub fn new_page() -> Plans {
    Plans {
        items: None,
        stale: false,
        shown: Vec::new(),
        filter: TextField::plain("Filter"),
        typing: false,
        fuzzy: Fuzzy::new(),
        selected: 0,
        offset: 0,
        page: 10,
        picking: false,
        picker: Picker::new(false, true),
        drafts: Vec::new(),
    }
}

impl Plans {
    fn refilter(&mut self) {
        let items = self.items.as_deref().unwrap_or_default();
        let texts: Vec<String> = items
            .iter()
            .map(|p| format!("{} {}", Privacy::match_text(&p.individual.name), p.title))
            .collect();
        self.shown = self.fuzzy.rank(self.filter.text(), texts.iter().map(String::as_str));
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    fn selected_plan(&self) -> Option<&PlanSummary> {
        let at = *self.shown.get(self.selected)?;
        self.items.as_ref()?.get(at)
    }

    fn move_by(&mut self, delta: isize) {
        let last = self.shown.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    fn list_key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if self.typing {
            match key.code {
                KeyCode::Esc => {
                    self.filter.wipe();
                    self.typing = false;
                    self.refilter();
                }
                KeyCode::Down => self.move_by(1),
                KeyCode::Up => self.move_by(-1),
                KeyCode::Enter => {
                    self.typing = false;
                    self.open_selected(cx);
                }
                _ => {
                    if self.filter.input(key) {
                        self.selected = 0;
                        self.refilter();
                    }
                }
            }
            return true;
        }
        let Some(action) = keymap::lookup(keys::LIST_TABLES, &key) else {
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
            KeyAction::Open => self.open_selected(cx),
            keys::FILTER => self.typing = true,
            keys::NEW => {
                self.picking = true;
                self.picker.start(cx);
            }
            keys::EDIT => match self.selected_plan() {
                // The builder needs the whole plan: it opens when it comes.
                Some(p) => cx.call(calls::plan(&p.id)),
                None => cx.say("There is no plan to edit."),
            },
            keys::RESUME => match self.drafts.first() {
                Some(d) => cx.call(calls::draft(d.id)),
                None => cx.say("You have no Smart Plan draft to resume."),
            },
            _ => return false,
        }
        true
    }

    fn open_selected(&mut self, cx: &mut Cx) {
        match self.selected_plan() {
            Some(p) => cx.push(showing(p.id.clone())),
            None => cx.say("There is no plan to open."),
        }
    }
}

impl Page for Plans {
    fn title(&self) -> String {
        "Smart Plans".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        match (self.picking, self.typing) {
            (true, _) => &[keys::PICK_KEYS],
            (false, true) => &[keys::FILTER_KEYS],
            (false, false) => keys::LIST_TABLES,
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (50, 12)
    }

    fn edits_text(&self) -> bool {
        self.picking || self.typing
    }

    fn start(&mut self, cx: &mut Cx) {
        cx.call(calls::list());
        cx.call(calls::drafts());
    }

    fn refresh(&mut self, cx: &mut Cx) {
        cx.call(calls::list());
        if self.picking {
            self.picker.start(cx);
        }
    }

    fn revealed(&mut self, cx: &mut Cx) {
        // A plan may have been saved or deleted on the page that closed.
        cx.call(calls::list());
        cx.call(calls::drafts());
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if !self.picking {
            return self.list_key(key, cx);
        }
        match self.picker.key(key) {
            Picked::Used => {}
            Picked::Individuals(mut picked) => {
                self.picking = false;
                if let Some(one) = picked.pop() {
                    cx.push(builder(
                        IndividualRef {
                            id: one.id,
                            name: one.name,
                        },
                        None,
                        None,
                    ));
                }
            }
            Picked::NotMine if key.code == KeyCode::Esc => self.picking = false,
            Picked::NotMine if key.code == KeyCode::Char('?') => cx.help(),
            Picked::NotMine => cx.say("Type a name and press Enter, or Esc to stop."),
        }
        true
    }

    fn paste(&mut self, text: &str, _cx: &mut Cx) {
        if self.picking {
            self.picker.paste(text);
        } else {
            self.filter.paste(text);
            self.typing = true;
            self.refilter();
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let Some(reply) = self.picker.reply(reply, cx) else {
            return;
        };
        match take::<Reply>(reply) {
            Some(Reply::List(Ok(list))) => {
                self.items = Some(list.items);
                self.stale = false;
                self.refilter();
            }
            Some(Reply::List(Err(e))) => {
                self.stale = true;
                if !e.offline() && !e.session_ended() {
                    cx.error(format!("Could not load the Smart Plans: {e}"));
                }
            }
            Some(Reply::Plan(Ok(plan))) => {
                cx.push(builder(plan.individual.clone(), None, Some(plan)));
            }
            Some(Reply::Plan(Err(e))) => cx.say(format!("The plan could not be opened: {e}")),
            Some(Reply::Drafts(Ok(list))) => {
                self.drafts = list.items.into_iter().filter(|d| d.kind == DraftKind::Plan).collect();
            }
            Some(Reply::Draft(Ok(draft))) => match builder::resumed(&draft) {
                Some(b) => cx.push(Box::new(b)),
                None => cx.say("That draft could not be read as a Smart Plan."),
            },
            Some(Reply::Draft(Err(e))) => cx.say(format!("The draft could not be opened: {e}")),
            Some(_) | None => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        if self.picking {
            self.picker.render(f, area, "A new Smart Plan for…", ctx);
            return;
        }
        let draft = self.drafts.first().map(|d| {
            format!(
                "You started a Smart Plan at {}: R resumes it.",
                ctx.dates.short(d.started_at)
            )
        });
        let filter_h = u16::from(self.typing || !self.filter.is_empty()) * 3;
        let rows = Layout::vertical([
            Constraint::Length(u16::from(draft.is_some())),
            Constraint::Length(filter_h),
            Constraint::Min(3),
        ])
        .split(area);
        if let Some(draft) = draft {
            f.render_widget(Paragraph::new(draft).style(ctx.theme.dim()), rows[0]);
        }
        if filter_h > 0 {
            self.filter.render(f, rows[1], self.typing, ctx.theme, ctx.glyphs);
        }
        let dash = ctx.glyphs.dash().trim_end();
        let count = match &self.items {
            Some(items) if self.filter.is_empty() => format!(" ({})", items.len()),
            Some(items) => format!(" ({} of {})", self.shown.len(), items.len()),
            None => String::new(),
        };
        let state = match (&self.items, self.stale) {
            (_, true) => format!(" {dash} {}", ctx.stale().unwrap_or_else(|| "could not refresh".into())),
            (None, false) => format!(" {dash} loading…"),
            _ => String::new(),
        };
        let title = ctx.glyphs.text(&format!("Smart Plans{count}{state}")).into_owned();
        let area = rows[2];
        let block = ctx
            .block(&fit(&title, usize::from(area.width.saturating_sub(4)), ctx.glyphs.ellipsis()))
            .border_style(ctx.theme.focus());
        let empty = match &self.items {
            None if self.stale => Some("The Smart Plans could not be loaded yet: they come when the server answers."),
            None => Some("Loading Smart Plans…"),
            Some(items) if items.is_empty() => Some("No Smart Plans yet that you may see. n starts one."),
            Some(_) if self.shown.is_empty() => Some("No plan matches the filter. Esc clears it."),
            Some(_) => None,
        };
        if let Some(msg) = empty {
            f.render_widget(
                Paragraph::new(ctx.glyphs.text(msg).into_owned())
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
        let items = self.items.as_deref().unwrap_or_default();
        let rows: Vec<[String; 4]> = self
            .shown
            .iter()
            .skip(self.offset)
            .take(visible)
            .filter_map(|&at| items.get(at))
            .map(|p| {
                [
                    ctx.privacy.name(&p.individual.name),
                    p.title.clone(),
                    p.review_on.map_or("-".into(), |d| d.format("%d/%m/%y").to_string()),
                    p.source_incident_reference.clone().unwrap_or_else(|| "-".into()),
                ]
            })
            .collect();
        f.render_widget(
            SliceTable {
                header: ["Individual", "Title", "Review", "From incident"],
                min_widths: [10, 10, 8, 6],
                shrink: &[3, 1, 0],
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
            "Plans {{ plans: {}, shown: {}, picking: {}, drafts: {} }}",
            self.items.as_ref().map_or(0, Vec::len),
            self.shown.len(),
            self.picking,
            self.drafts.len()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
