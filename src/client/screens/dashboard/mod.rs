//! "Dashboard": incidents of the last 7 days / 30 days / all, the user's notifications and
//! the help-centre contact.
//!
//! - [`calls`]: its calls and replies; [`notice`]: notifications in words; [`view`]: drawing.
//! - The incident table builds rows only for the visible slice, so a frame costs the same
//!   with 10 or 10,000 incidents (`benches/dashboard.rs`; building every row each frame cost
//!   7.8 ms here, the slice 0.3 ms). Pages of `GET /incidents` are appended as they arrive.
//! - Honest when offline: a new period (`t`) or a refresh replaces the list only when its first
//!   page arrives; until then, and when it fails, what was loaded stays on screen with "could
//!   not refresh (offline since 10:42)". A count is shown only once the server gave one.
//! - `Tab` moves the keys between the incident table and the notifications (at 80x24 only a
//!   few fit, so that list scrolls); `Enter` opens the record (on a notification: the incident
//!   it is about, in the Incidents page's view), and `Esc` closes it back to the list that had
//!   the keys.
//!
//! Public so `benches/dashboard.rs` can render it with 10,000 rows.

pub mod calls;
pub mod keys;
pub mod notice;
pub mod table;
mod view;

use std::any::Any;

use chrono::{DateTime, Duration, Utc};
use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::ListState;

use self::calls::Reply;
use super::{Ctx, Cx, Page};
use crate::client::call::{Typed, take};
use crate::client::keymap::{self, Binding, KeyAction};
use crate::wire::{IncidentSummary, Notification};

/// Which incidents are listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// The last 7 days.
    Week,
    /// The last 30 days.
    Month,
    /// Everything the user may see.
    All,
}

impl Period {
    /// The next period (`t`).
    pub fn next(self) -> Period {
        match self {
            Period::Week => Period::Month,
            Period::Month => Period::All,
            Period::All => Period::Week,
        }
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            Period::Week => "last 7 days",
            Period::Month => "last 30 days",
            Period::All => "all",
        }
    }

    /// The `since` of the query.
    pub fn since(self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self {
            Period::Week => Some(now - Duration::days(7)),
            Period::Month => Some(now - Duration::days(30)),
            Period::All => None,
        }
    }

    /// What an empty list says, and what to do.
    fn empty(self) -> &'static str {
        match self {
            Period::Week => "No incidents in the last 7 days. t shows 30 days.",
            Period::Month => "No incidents in the last 30 days. t shows all of them.",
            Period::All => "No incidents that you may see have been recorded.",
        }
    }
}

/// Which list has the keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The incident table.
    Incidents,
    /// The user's notifications.
    Notifications,
}

/// Where the incident listing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// Nothing is being fetched.
    Done,
    /// The first page of a listing is on its way (what is shown stays until it comes).
    First,
    /// More pages of the listing shown are on their way.
    More,
}

/// State of the dashboard. `Debug` is written by hand: it prints counts, never a pupil's name.
pub struct Dashboard {
    /// The period shown.
    pub period: Period,
    /// The period being fetched (the next one after `t`, until its first page comes).
    wanted: Period,
    incidents: Vec<IncidentSummary>,
    /// How many incidents match, once the server said.
    total: Option<u64>,
    /// Where the listing is.
    pub loading: Loading,
    /// The last fetch failed: what is shown may be out of date.
    stale: bool,
    selected: usize,
    offset: usize,
    page: usize,
    notifications: Option<Vec<Notification>>,
    /// The last fetch of the notifications failed: what is shown may be out of date.
    notifications_stale: bool,
    notification_list: ListState,
    /// The list that has the keys.
    pub pane: Pane,
    /// The incident opened, pinned: pages that arrive meanwhile may move or replace the rows,
    /// never what is open.
    details: Option<IncidentSummary>,
    /// The reference selected before a refresh replaced the list: selected again when it
    /// arrives, so the selection stays on the same incident, not the same row number.
    reselect: Option<String>,
}

impl std::fmt::Debug for Dashboard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

impl Default for Dashboard {
    fn default() -> Self {
        Dashboard::new()
    }
}

impl Dashboard {
    /// An empty dashboard (7 days) that will be filled by pages of incidents.
    pub fn new() -> Dashboard {
        Dashboard {
            period: Period::Week,
            wanted: Period::Week,
            incidents: Vec::new(),
            total: None,
            loading: Loading::First,
            stale: false,
            selected: 0,
            offset: 0,
            page: 10,
            notifications: None,
            notifications_stale: false,
            notification_list: ListState::default(),
            pane: Pane::Incidents,
            details: None,
            reselect: None,
        }
    }

    /// Replace every incident at once (the benchmark and tests).
    pub fn set_incidents(&mut self, items: Vec<IncidentSummary>) {
        self.total = Some(items.len() as u64);
        self.incidents = items;
        self.loading = Loading::Done;
        self.selected = self.selected.min(self.incidents.len().saturating_sub(1));
    }

    /// The notifications arrived.
    pub fn set_notifications(&mut self, items: Vec<Notification>) {
        self.notifications_stale = false;
        let first = (!items.is_empty()).then_some(0);
        self.notifications = Some(items);
        self.notification_list.select(first);
    }

    /// The index of the selected incident.
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// The selected incident.
    pub fn selected_incident(&self) -> Option<&IncidentSummary> {
        self.incidents.get(self.selected)
    }

    /// The incident that is open, if any.
    pub fn open_incident(&self) -> Option<&IncidentSummary> {
        self.details.as_ref()
    }

    /// Draw only the incident table into `area` (tests of its columns).
    pub fn render_table(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        view::render_table(self, f, area, ctx);
    }

    /// Move the selection by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        let last = self.incidents.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    fn fetch(&mut self, period: Period, cx: &mut Cx) {
        self.wanted = period;
        self.loading = Loading::First;
        cx.call(calls::incidents(period, cx.now, None));
    }

    /// How many rows a movement key moves by in a list of `len` rows, or `None` for any
    /// other key.
    fn movement(&self, action: KeyAction, len: usize) -> Option<isize> {
        let page = self.page.max(1) as isize;
        let len = isize::try_from(len).unwrap_or(isize::MAX);
        Some(match action {
            KeyAction::Down => 1,
            KeyAction::Up => -1,
            KeyAction::Top => -len,
            KeyAction::Bottom => len,
            KeyAction::PageDown => page,
            KeyAction::PageUp => -page,
            _ => return None,
        })
    }

    /// A key while the record is open: it takes them all (close, or help).
    fn details_key(&mut self, key: &KeyEvent, cx: &mut Cx) -> bool {
        match keymap::lookup(&[keys::DETAILS], key) {
            Some(KeyAction::Back) => self.details = None,
            Some(KeyAction::Help) => cx.help(),
            _ => cx.say("Esc closes the record (? shows the keys)."),
        }
        true
    }

    /// A key while the notifications have the keys: move, or open the incident one is about.
    fn notification_key(&mut self, action: KeyAction, cx: &mut Cx) -> bool {
        let items = self.notifications.as_deref().unwrap_or_default();
        if action != KeyAction::Open {
            let Some(delta) = self.movement(action, items.len()) else {
                return false;
            };
            let last = items.len().saturating_sub(1);
            let at = self.notification_list.selected().unwrap_or(0);
            let to = at.saturating_add_signed(delta).min(last);
            self.notification_list.select((!items.is_empty()).then_some(to));
            return true;
        }
        let Some(at) = self.notification_list.selected().filter(|at| *at < items.len()) else {
            cx.say("There is no notification to open.");
            return true;
        };
        // Opening one marks it read (on the server too; nobody waits for the answer).
        if let Some(n) = self.notifications.as_mut().and_then(|items| items.get_mut(at))
            && !n.read
        {
            n.read = true;
            cx.call(calls::mark_read(n.id));
        }
        let Some(n) = self.notifications.as_deref().and_then(|items| items.get(at)) else {
            return true;
        };
        if n.communication_id.is_some()
            && let Some(individual) = &n.individual
        {
            cx.push(Box::new(crate::client::screens::profiles::showing(
                individual.clone(),
                crate::client::screens::profiles::profile::Tab::Communications,
            )));
            return true;
        }
        let Some(reference) = n.incident_reference.clone() else {
            cx.say("This notification is not about an incident.");
            return true;
        };
        // The incident's whole view (the collaboration invitation opens it too: its `a` adds
        // the account of a member of staff present).
        if let Some(row) = self.incidents.iter().position(|i| i.reference == reference) {
            self.selected = row;
        }
        cx.push(crate::client::screens::incidents::showing(reference));
        true
    }

    fn on_incidents(
        &mut self,
        period: Period,
        first: bool,
        page: Result<crate::wire::IncidentPage, crate::client::api::ApiError>,
        cx: &mut Cx,
    ) {
        match page {
            Ok(page) => {
                if first {
                    self.reselect = (self.period == period)
                        .then(|| self.selected_incident().map(|i| i.reference.clone()))
                        .flatten();
                    self.period = period;
                    self.incidents.clear();
                    self.selected = 0;
                    self.offset = 0;
                }
                self.incidents.extend(page.items);
                if let Some(reference) = &self.reselect
                    && let Some(row) = self.incidents.iter().position(|i| &i.reference == reference)
                {
                    self.selected = row;
                    self.reselect = None;
                }
                self.total = Some(page.total.max(self.incidents.len() as u64));
                self.stale = false;
                match page.next_cursor {
                    Some(cursor) => {
                        self.loading = Loading::More;
                        cx.call(calls::incidents(period, cx.now, Some(cursor)));
                    }
                    None => {
                        self.loading = Loading::Done;
                        self.reselect = None;
                    }
                }
            }
            Err(e) => {
                self.loading = Loading::Done;
                self.wanted = self.period;
                self.stale = true;
                if !e.offline() && !e.session_ended() {
                    cx.error(format!("Could not load the incidents: {e}"));
                }
            }
        }
    }
}

/// A new Dashboard page (for the registration in `screens`).
pub fn new_page() -> Dashboard {
    Dashboard::new()
}

impl Page for Dashboard {
    fn title(&self) -> String {
        "Dashboard".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        if self.details.is_some() { keys::RECORD } else { keys::LISTS }
    }

    fn min_size(&self) -> (u16, u16) {
        (60, 16)
    }

    fn modal(&self) -> bool {
        self.details.is_some()
    }

    fn start(&mut self, cx: &mut Cx) {
        self.fetch(self.period, cx);
        cx.call(calls::notifications());
        // The Dashboard starts once per sign-in: the moment to offer back unfinished reports.
        cx.call(super::report::resume::list());
    }

    fn refresh(&mut self, cx: &mut Cx) {
        self.fetch(self.wanted, cx);
        cx.call(calls::notifications());
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if self.details.is_some() {
            return self.details_key(&key, cx);
        }
        let Some(action) = keymap::lookup(keys::LISTS, &key) else {
            return false;
        };
        match action {
            keys::SWITCH_PANE => {
                self.pane = match self.pane {
                    Pane::Incidents => Pane::Notifications,
                    Pane::Notifications => Pane::Incidents,
                };
                true
            }
            keys::CYCLE_PERIOD => {
                let next = self.wanted.next();
                self.fetch(next, cx);
                true
            }
            _ if self.pane == Pane::Notifications => self.notification_key(action, cx),
            KeyAction::Open => {
                if let Some(incident) = self.selected_incident() {
                    self.details = Some(incident.clone());
                } else {
                    cx.say("There is no incident to open.");
                }
                true
            }
            movement => match self.movement(movement, self.incidents.len()) {
                Some(delta) => {
                    self.move_by(delta);
                    true
                }
                None => false,
            },
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let reply = match reply.downcast::<super::report::resume::Listed>() {
            Ok(listed) => {
                if let Ok(list) = listed.0
                    && let Some(offer) = super::report::resume::offer(list.items)
                {
                    cx.push(offer);
                }
                return;
            }
            Err(other) => other,
        };
        match take::<Reply>(reply) {
            Some(Reply::Incidents { period, first, page }) => self.on_incidents(period, first, page, cx),
            Some(Reply::Notifications(Ok(list))) => self.set_notifications(list.items),
            Some(Reply::MarkedRead) => {}
            Some(Reply::Notifications(Err(e))) => {
                self.notifications_stale = true;
                if !e.offline() && !e.session_ended() {
                    cx.error(format!("Could not load your notifications: {e}"));
                }
            }
            None => {}
        }
    }

    fn settled(&mut self, what: &crate::client::outbox::Outgoing, landed: bool, cx: &mut Cx) {
        // A report just recorded (or edited) belongs in the table.
        if landed && matches!(what, crate::client::outbox::Outgoing::Incident { .. }) {
            self.fetch(self.wanted, cx);
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        view::render(self, f, area, ctx);
    }

    fn summary(&self) -> String {
        format!(
            "Dashboard {{ period: {:?}, incidents: {}, selected: {}, notifications: {}, loading: {:?} }}",
            self.period,
            self.incidents.len(),
            self.selected,
            self.notifications.as_ref().map_or(0, Vec::len),
            self.loading
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
