//! "Incidents" (`i`): the incidents the user may see, in the Dashboard's table, with filters
//! above it (who, the period, the type, the location, flagged, parents informed, mine), each
//! changed with one key; `Enter` opens an incident's view ([`detail`]), with its actions.
//!
//! - [`filters`]: the filters and the query they make; [`calls`]: calls and replies;
//!   [`keys`]: key tables; [`detail`]: the view of one incident; `view`: drawing the list.
//! - Pages of `GET /incidents` come as the user scrolls: the next page is asked for when the
//!   selection comes within a page of the end of what arrived.
//! - Honest when offline: a new filter replaces the list only when its first page arrives;
//!   until then, and when it fails, what was loaded stays with "could not refresh (offline
//!   since 10:42)". A count is shown only once the server gave one.
//! - What the view does (flag, parents informed, delete) shows in the list when it is back on
//!   screen, through [`Updates`], without asking the server again.

pub mod calls;
pub mod detail;
pub mod filters;
pub mod keys;
pub mod record;
mod view;

use std::any::Any;
use std::sync::{Arc, Mutex};

use chrono::Duration;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use self::calls::Reply;
use self::filters::{Filters, Period, cycle};
use super::dashboard::Loading;
use super::picker::{Picked, Picker};
use super::{Ctx, Cx, Page};
use crate::client::call::{Typed, take};
use crate::client::fuzzy::Fuzzy;
use crate::client::privacy::Privacy;
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::widgets::dates_form::{DATE_KEYS, DatesForm, DatesKey};
use crate::client::widgets::text_field::TextField;
use crate::wire::{BellPeriod, IncidentKind, IncidentSummary, IndividualRef, ListItem};

/// What a view did to an incident of the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Update {
    /// It now reads: flagged, parents informed.
    Changed {
        /// The incident.
        reference: String,
        /// Flagged.
        flagged: bool,
        /// Parents informed.
        parents_informed: bool,
    },
    /// It was deleted.
    Deleted(String),
}

/// Changes made by a view, for the list it was opened from.
pub type Updates = Arc<Mutex<Vec<Update>>>;

/// What the page is doing.
pub enum Mode {
    /// The list has the keys.
    List,
    /// Picking the individual (`I`).
    Picking,
    /// Typing the dates (`T`).
    Dates(Box<DatesForm>),
}

/// The Incidents page. `Debug` prints counts, never a name.
pub struct Incidents {
    /// The filters in force (the listing shown or on its way).
    pub filters: Filters,
    items: Vec<IncidentSummary>,
    total: Option<u64>,
    next: Option<String>,
    /// Where the listing is.
    pub loading: Loading,
    stale: bool,
    selected: usize,
    offset: usize,
    page: usize,
    locations: Option<Vec<ListItem>>,
    periods: Vec<BellPeriod>,
    picker: Picker,
    /// What has the keys.
    pub mode: Mode,
    updates: Updates,
    /// The text filter (`/`) over the rows loaded.
    text: TextField,
    /// The text filter takes the keys.
    pub typing: bool,
    /// Positions in `items` shown (all of them, in order, without a text filter).
    shown: Vec<usize>,
    fuzzy: Fuzzy,
}

impl std::fmt::Debug for Incidents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new Incidents page (for the registration in `screens`).
pub fn new_page() -> Incidents {
    Incidents {
        filters: Filters::default(),
        items: Vec::new(),
        total: None,
        next: None,
        loading: Loading::First,
        stale: false,
        selected: 0,
        offset: 0,
        page: 10,
        locations: None,
        periods: Vec::new(),
        picker: Picker::new(false, true),
        mode: Mode::List,
        updates: Updates::default(),
        text: TextField::plain("Filter"),
        typing: false,
        shown: Vec::new(),
        fuzzy: Fuzzy::new(),
    }
}

/// The view of incident `reference` (a notification about it), on its own.
pub fn showing(reference: String) -> Box<dyn Page> {
    Box::new(detail::IncidentView::new(reference, Updates::default()))
}

impl Incidents {
    /// The rows loaded.
    pub fn items(&self) -> &[IncidentSummary] {
        &self.items
    }

    /// The index of the selected row (among those shown).
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// True while the text filter holds text.
    pub fn filtering(&self) -> bool {
        !self.text.is_empty()
    }

    fn selected_incident(&self) -> Option<&IncidentSummary> {
        self.shown.get(self.selected).and_then(|&at| self.items.get(at))
    }

    /// Show the rows the text filter matches (reference, name, type, location), keeping the
    /// selection on the same incident when it is still shown.
    fn show_matching(&mut self) {
        let keep = self.selected_incident().map(|i| i.reference.clone());
        let texts: Vec<String> = self
            .items
            .iter()
            .map(|i| {
                format!(
                    "{} {} {} {}",
                    i.reference,
                    Privacy::match_text(&i.individual.name),
                    i.category,
                    i.location
                )
            })
            .collect();
        self.shown = self.fuzzy.rank(self.text.text(), texts.iter().map(String::as_str));
        self.selected = keep
            .and_then(|r| self.shown.iter().position(|&at| self.items[at].reference == r))
            .unwrap_or(0)
            .min(self.shown.len().saturating_sub(1));
    }

    fn fetch(&mut self, cx: &mut Cx) {
        self.loading = Loading::First;
        self.next = None;
        cx.call(calls::page(&self.filters, cx.now, cx.dates, None));
    }

    /// Change the filters and ask for the listing again.
    fn refilter(&mut self, cx: &mut Cx, change: impl FnOnce(&mut Filters)) {
        change(&mut self.filters);
        self.fetch(cx);
        cx.say(format!(
            "Incidents: {}",
            self.filters.period.label(cx.dates) + if self.filters.only_period() { "" } else { ", filtered" }
        ));
    }

    fn move_by(&mut self, delta: isize, cx: &mut Cx) {
        let last = self.shown.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
        // The next page is asked for before the end of what arrived is reached.
        if self.loading == Loading::Done
            && self.selected + self.page >= self.shown.len()
            && let Some(cursor) = self.next.clone()
        {
            self.loading = Loading::More;
            cx.call(calls::page(&self.filters, cx.now, cx.dates, Some(cursor)));
        }
    }

    fn next_location(&mut self, cx: &mut Cx) {
        let Some(list) = self.locations.as_ref().filter(|l| !l.is_empty()) else {
            cx.say(match self.locations {
                None => "The locations are still loading: press l again in a moment.",
                Some(_) => "The setting has no locations to filter by.",
            });
            return;
        };
        let at = self
            .filters
            .location
            .as_ref()
            .and_then(|l| list.iter().position(|x| x.id == l.id));
        let next = match at {
            None => list.first().cloned(),
            Some(i) => list.get(i + 1).cloned(),
        };
        self.refilter(cx, |f| f.location = next);
    }

    fn text_key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        match keymap::lookup(&[keys::TEXT_KEYS], &key) {
            Some(KeyAction::Back) => {
                self.text.wipe();
                self.typing = false;
                self.show_matching();
            }
            Some(KeyAction::Down) => self.move_by(1, cx),
            Some(KeyAction::Up) => self.move_by(-1, cx),
            Some(KeyAction::Open) => {
                self.typing = false;
                return self.list_key(key, cx);
            }
            _ => {
                if self.text.input(key) {
                    self.show_matching();
                } else if key.code == KeyCode::Char('?') {
                    cx.help();
                }
            }
        }
        true
    }

    fn list_key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        let Some(action) = keymap::lookup(keys::LIST_TABLES, &key) else {
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
            keys::FILTER => self.typing = true,
            KeyAction::Open => match self.selected_incident() {
                Some(i) => cx.push(Box::new(detail::IncidentView::new(
                    i.reference.clone(),
                    self.updates.clone(),
                ))),
                None => cx.say("There is no incident to open."),
            },
            keys::PERIOD => self.refilter(cx, |f| f.period = f.period.next()),
            keys::DATES => {
                self.mode = Mode::Dates(Box::new(DatesForm::new(
                    "Incidents between",
                    "From (28/11, 28/11/26 10:15, -7d)",
                    "To (empty: until now)",
                )));
            }
            keys::INDIVIDUAL => {
                self.mode = Mode::Picking;
                self.picker.start(cx);
            }
            keys::KIND => self.refilter(cx, |f| {
                f.kind = match f.kind {
                    None => Some(IncidentKind::Incident),
                    Some(IncidentKind::Incident) => Some(IncidentKind::PhysicalIntervention),
                    Some(IncidentKind::PhysicalIntervention) => None,
                }
            }),
            keys::LOCATION => self.next_location(cx),
            keys::FLAGGED => self.refilter(cx, |f| f.flagged = cycle(f.flagged)),
            keys::PARENTS => self.refilter(cx, |f| f.parents_informed = cycle(f.parents_informed)),
            keys::MINE => self.refilter(cx, |f| f.mine = !f.mine),
            keys::CLEAR => self.refilter(cx, |f| *f = Filters::default()),
            _ => return false,
        }
        true
    }

    fn pick_key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        match self.picker.key(key) {
            Picked::Used => {}
            Picked::Individuals(mut picked) => {
                self.mode = Mode::List;
                if let Some(one) = picked.pop() {
                    self.refilter(cx, |f| {
                        f.individual = Some(IndividualRef {
                            id: one.id,
                            name: one.name,
                        })
                    });
                }
            }
            Picked::NotMine if key.code == KeyCode::Esc => self.mode = Mode::List,
            Picked::NotMine if key.code == KeyCode::Char('?') => cx.help(),
            Picked::NotMine => cx.say("Type a name and press Enter, or Esc to stop picking."),
        }
        true
    }

    fn dates_key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        let Mode::Dates(form) = &mut self.mode else {
            return false;
        };
        match form.key(key) {
            DatesKey::Used => {}
            DatesKey::Help => cx.help(),
            DatesKey::Back => self.mode = Mode::List,
            DatesKey::Submit => {
                let parse = |text: &str| typed_time(text, cx, &self.periods);
                match (parse(form.from.text()), parse(form.to.text())) {
                    (Err(e), _) | (_, Err(e)) => form.refuse(e),
                    (Ok(since), Ok(until)) if since.zip(until).is_some_and(|(s, u)| s >= u) => {
                        form.refuse("\"From\" must be before \"to\".");
                    }
                    (Ok(since), Ok(until)) => {
                        self.mode = Mode::List;
                        self.refilter(cx, |f| f.period = Period::Between(since, until));
                    }
                }
            }
        }
        true
    }

    /// Apply what views did since the last frame.
    fn take_updates(&mut self) {
        let updates: Vec<Update> = match self.updates.lock() {
            Ok(mut list) => list.drain(..).collect(),
            Err(_) => return,
        };
        for update in updates {
            match update {
                Update::Changed {
                    reference,
                    flagged,
                    parents_informed,
                } => {
                    if let Some(i) = self.items.iter_mut().find(|i| i.reference == reference) {
                        i.flagged = flagged;
                        i.parents_informed = parents_informed;
                    }
                }
                Update::Deleted(reference) => {
                    if let Some(at) = self.items.iter().position(|i| i.reference == reference) {
                        self.items.remove(at);
                        self.total = self.total.map(|n| n.saturating_sub(1));
                        self.show_matching();
                    }
                }
            }
        }
    }

    fn on_page(&mut self, first: bool, page: Result<crate::wire::IncidentPage, crate::client::api::ApiError>, cx: &mut Cx) {
        match page {
            Ok(page) => {
                if first {
                    self.items.clear();
                    self.offset = 0;
                }
                self.items.extend(page.items);
                // The selection stays on the same incident when it is still listed.
                self.show_matching();
                self.total = Some(page.total.max(self.items.len() as u64));
                self.next = page.next_cursor;
                self.stale = false;
                self.loading = Loading::Done;
                // Keep ahead of the selection (a short first page, or a long jump).
                self.move_by(0, cx);
            }
            Err(e) => {
                self.loading = Loading::Done;
                self.stale = true;
                if !e.offline() && !e.session_ended() {
                    cx.error(format!("Could not load the incidents: {e}"));
                }
            }
        }
    }
}

/// A typed time of the date filter: empty is none; a date alone is its midnight.
fn typed_time(
    text: &str,
    cx: &Cx,
    periods: &[BellPeriod],
) -> Result<Option<chrono::DateTime<chrono::Utc>>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let with_time = if text.contains('/') && !text.contains(' ') {
        format!("{text} 00:00")
    } else {
        text.to_string()
    };
    crate::client::when::parse(&with_time, cx.now, periods, cx.dates, Duration::days(3650)).map(Some)
}

impl Page for Incidents {
    fn title(&self) -> String {
        "Incidents".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        match self.mode {
            Mode::List if self.typing => &[keys::TEXT_KEYS],
            Mode::List => keys::LIST_TABLES,
            Mode::Picking => &[keys::PICK_KEYS],
            Mode::Dates(_) => &[DATE_KEYS, crate::client::widgets::text_field::EDITING],
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (60, 16)
    }

    fn edits_text(&self) -> bool {
        self.typing || !matches!(self.mode, Mode::List)
    }

    fn start(&mut self, cx: &mut Cx) {
        self.fetch(cx);
        cx.call(calls::locations());
        cx.call(calls::periods());
    }

    fn refresh(&mut self, cx: &mut Cx) {
        self.fetch(cx);
        if self.locations.is_none() {
            cx.call(calls::locations());
        }
        if matches!(self.mode, Mode::Picking) {
            self.picker.start(cx);
        }
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        self.take_updates();
        match self.mode {
            Mode::List if self.typing => self.text_key(key, cx),
            Mode::List => self.list_key(key, cx),
            Mode::Picking => self.pick_key(key, cx),
            Mode::Dates(_) => self.dates_key(key, cx),
        }
    }

    fn paste(&mut self, text: &str, _cx: &mut Cx) {
        match &mut self.mode {
            Mode::List => {
                self.text.paste(text);
                self.typing = true;
                self.show_matching();
            }
            Mode::Picking => self.picker.paste(text),
            Mode::Dates(form) => form.paste(text),
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let Some(reply) = self.picker.reply(reply, cx) else {
            return;
        };
        match take::<Reply>(reply) {
            Some(Reply::Page { first, page }) => self.on_page(first, page, cx),
            Some(Reply::Locations(Ok(list))) => self.locations = Some(list.items),
            Some(Reply::Periods(Ok(list))) => self.periods = list.items,
            Some(_) | None => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        self.take_updates();
        view::render(self, f, area, ctx);
    }

    fn summary(&self) -> String {
        format!(
            "Incidents {{ incidents: {}, selected: {}, loading: {:?}, filtered: {} }}",
            self.items.len(),
            self.selected,
            self.loading,
            !self.filters.only_period()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
