//! "Profiles": the individuals the user may see (recent first, `/` filters by name with the
//! fuzzy matcher), and one opened with `Enter`: its eight tabs ([`profile::Tab`]), reached with
//! `Tab`/`Shift-Tab` or `1`-`8`. From a profile, `c` opens the clicker and `m` a communication
//! for this individual, `Enter` on a communication responds to it, and `r` then `i`, `p`, `m`
//! or `c` records about them.
//!
//! Opening a profile asks for its details and its overview; the server writes each view to the
//! audit log. Privacy mode shows initials in the list; the profile itself, opened on purpose,
//! shows the full name.

pub mod calls;
pub mod keys;
pub mod profile;
mod view;

use std::any::Any;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use self::calls::Reply;
use self::profile::{Part, Profile, Tab};
use super::chronology;
use super::clicker::Clicker;
use super::compose::Compose;
use super::report;
use crate::wire::{IncidentKind, IndividualRef};
use super::picker::{Picked, Picker};
use super::{Ctx, Cx, Page};
use crate::client::call::{Typed, take};
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::outbox::Outgoing;
use crate::wire::IndividualSummary;

/// The Profiles page. `Debug` prints states, never a name.
pub struct Profiles {
    picker: Picker,
    /// The profile open, if any.
    pub open: Option<Profile>,
    /// Opened for one individual: the profile (and tab) shown first.
    first: Option<(IndividualSummary, Tab)>,
    /// Opened for one individual: `Esc` on the profile goes back where it was opened from.
    direct: bool,
}

impl std::fmt::Debug for Profiles {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new Profiles page (for the registration in `screens`).
pub fn new_page() -> Profiles {
    Profiles {
        picker: Picker::new(false, false),
        open: None,
        first: None,
        direct: false,
    }
}

/// A Profiles page that opens straight on `individual`'s `tab` (a notification about them).
pub fn showing(individual: crate::wire::IndividualRef, tab: Tab) -> Profiles {
    let mut page = new_page();
    page.first = Some((
        IndividualSummary {
            id: individual.id,
            name: individual.name,
            year_group: String::new(),
            group_name: String::new(),
            last_recorded_by_me: None,
        },
        tab,
    ));
    page.direct = true;
    page
}

impl Profiles {
    /// The list (tests).
    pub fn picker(&mut self) -> &mut Picker {
        &mut self.picker
    }

    /// Open the profile of `individual`: ask for all of its tabs' data.
    pub fn open_profile(&mut self, individual: IndividualSummary, cx: &mut Cx) {
        let id = individual.id;
        self.open = Some(Profile::new(individual, profile::today(cx.now, cx.dates.utc)));
        cx.call(calls::details(id));
        cx.call(calls::overview(id));
        cx.call(calls::behaviours());
    }

    fn profile_key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        let Some(p) = &mut self.open else { return false };
        if std::mem::take(&mut p.record_prefix) {
            match key.code {
                KeyCode::Char(c @ ('i' | 'p')) => {
                    let kind = match c {
                        'i' => IncidentKind::Incident,
                        _ => IncidentKind::PhysicalIntervention,
                    };
                    let about = IndividualRef {
                        id: p.individual.id,
                        name: p.individual.name.clone(),
                    };
                    cx.push(Box::new(report::about(kind, about)));
                }
                KeyCode::Char('m') => cx.push(Box::new(Compose::about(p.individual.clone()))),
                KeyCode::Char('c') => cx.push(Box::new(Clicker::logging(vec![p.individual.clone()]))),
                _ => cx.say("Nothing recorded: after r, press i, p, m or c."),
            }
            return true;
        }
        let Some(action) = keymap::lookup(keys::PROFILE_TABLES, &key) else {
            return false;
        };
        let page = p.page.max(1) as isize;
        match action {
            keys::NEXT_TAB => p.show(p.tab.moved(1)),
            keys::PREV_TAB => p.show(p.tab.moved(-1)),
            keys::TAB => {
                if let KeyCode::Char(c) = key.code
                    && let Some(tab) = c.to_digit(10).and_then(|d| Tab::ALL.get(d as usize - 1))
                {
                    p.show(*tab);
                }
            }
            keys::CLICKER => cx.push(Box::new(Clicker::logging(vec![p.individual.clone()]))),
            keys::MESSAGE => cx.push(Box::new(Compose::about(p.individual.clone()))),
            keys::CHRONOLOGY => cx.push(chronology::of(IndividualRef {
                id: p.individual.id,
                name: p.individual.name.clone(),
            })),
            keys::RECORD => {
                p.record_prefix = true;
                cx.say("Record about them: i incident, p physical intervention, m communication, c clicker.");
            }
            KeyAction::Open => match (p.tab, p.overview.get()) {
                (Tab::Communications, Some(overview)) => match overview.communications.get(p.row) {
                    Some(thread) => cx.push(Box::new(Compose::respond(
                        thread.id,
                        thread.individual.name.clone(),
                        thread.author.name.clone(),
                    ))),
                    None => cx.say("There is no communication to respond to."),
                },
                (Tab::Plans, Some(overview)) => match overview.plans.get(p.row) {
                    Some(plan) => cx.push(crate::client::screens::plans::showing(plan.id.clone())),
                    None => cx.say("There is no Smart Plan to open: n starts one."),
                },
                _ => cx.say("Enter opens a plan on the Plans tab (3) and responds on Communications (4)."),
            },
            keys::NEW_PLAN => cx.push(crate::client::screens::plans::builder(
                crate::wire::IndividualRef {
                    id: p.individual.id,
                    name: p.individual.name.clone(),
                },
                None,
                None,
            )),
            KeyAction::Back if self.direct => cx.back(),
            KeyAction::Back => self.open = None,
            KeyAction::Down => p.move_by(1),
            KeyAction::Up => p.move_by(-1),
            KeyAction::PageDown => p.move_by(page),
            KeyAction::PageUp => p.move_by(-page),
            KeyAction::Top => p.move_by(isize::MIN / 2),
            KeyAction::Bottom => p.move_by(isize::MAX / 2),
            _ => return false,
        }
        true
    }
}

impl Page for Profiles {
    fn title(&self) -> String {
        match &self.open {
            Some(_) => "Profile".into(),
            None => "Profiles".into(),
        }
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        match (&self.open, self.picker.typing) {
            (Some(_), _) => keys::PROFILE_TABLES,
            (None, true) => keys::FILTER_TABLES,
            (None, false) => keys::LIST_TABLES,
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (60, 16)
    }

    fn edits_text(&self) -> bool {
        self.open.is_none() && self.picker.typing
    }

    fn start(&mut self, cx: &mut Cx) {
        self.picker.start(cx);
        if let Some((individual, tab)) = self.first.take() {
            self.open_profile(individual, cx);
            if let Some(p) = &mut self.open {
                p.show(tab);
            }
        }
    }

    fn refresh(&mut self, cx: &mut Cx) {
        self.picker.start(cx);
        if let Some(p) = &self.open {
            let id = p.individual.id;
            if p.details.get().is_none() {
                cx.call(calls::details(id));
            }
            cx.call(calls::overview(id));
        }
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if self.open.is_some() {
            return self.profile_key(key, cx);
        }
        match self.picker.key(key) {
            Picked::Used => true,
            Picked::Individuals(mut picked) => {
                if let Some(one) = picked.pop() {
                    self.open_profile(one, cx);
                }
                true
            }
            Picked::NotMine => false,
        }
    }

    fn paste(&mut self, text: &str, _cx: &mut Cx) {
        if self.open.is_none() {
            self.picker.paste(text);
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let Some(reply) = self.picker.reply(reply, cx) else {
            return;
        };
        let Some(p) = &mut self.open else { return };
        match take::<Reply>(reply) {
            Some(Reply::Details(id, result)) if id == p.individual.id => {
                // Kept when a refresh fails: what was shown stays.
                if result.is_ok() || p.details.get().is_none() {
                    p.details = Part::from(result);
                }
            }
            Some(Reply::Overview(id, result)) if id == p.individual.id => {
                if result.is_ok() || p.overview.get().is_none() {
                    p.overview = Part::from(result);
                    p.move_by(0);
                }
            }
            Some(Reply::Behaviours(Ok(list))) => {
                p.behaviours = list.items.into_iter().chain(list.retired).map(|b| (b.id, b)).collect();
            }
            Some(_) | None => {}
        }
    }

    fn settled(&mut self, what: &Outgoing, landed: bool, cx: &mut Cx) {
        let Some(p) = self.open.as_ref().filter(|_| landed) else {
            return;
        };
        let about = match what {
            Outgoing::Click { click, .. } => click.individual_id == p.individual.id,
            Outgoing::Communication { communication, .. } => communication.individual_id == p.individual.id,
            Outgoing::Response { communication, .. } => p
                .overview
                .get()
                .is_some_and(|o| o.communications.iter().any(|c| c.id == *communication)),
            Outgoing::Incident { report, .. } => report.individual_ids.contains(&p.individual.id),
            Outgoing::Undo { .. } => true,
        };
        if about {
            cx.call(calls::overview(p.individual.id));
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        match &mut self.open {
            Some(p) => view::render_profile(p, f, area, ctx),
            None => self.picker.render(f, area, "Profiles", ctx),
        }
    }

    fn summary(&self) -> String {
        format!(
            "Profiles {{ {:?}, open: {} }}",
            self.picker,
            self.open.as_ref().map_or("none".to_string(), |p| format!("{:?}", p.tab))
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
