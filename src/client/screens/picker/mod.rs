//! Picking individuals: the list of the individuals the user may see (pages of
//! `GET /individuals`), the ones they recorded something about most recently first, filtered
//! as they type with the fuzzy matcher ([`crate::client::fuzzy`]). A part of the Profiles list
//! and of the clicker's first step, not a page of its own.
//!
//! - Rows are built only for the visible slice; filtering re-ranks indices, never copies
//!   records (a key press over 5,000 names: `benches/clicker.rs`).
//! - With marking on (the clicker), `Space` marks several individuals and `Enter` picks every
//!   one marked (or, with none marked, the selected one).
//! - Names go through privacy ([`crate::client::privacy`]): initials in privacy mode; the filter
//!   matches the full name all the same.

mod view;

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Ctx, Cx};
use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::{Call, Typed};
use crate::client::fuzzy::Fuzzy;
use crate::client::privacy::Privacy;
use crate::client::widgets::text_field::TextField;
use crate::wire::{IndividualPage, IndividualSummary};

/// Page size asked of `GET /individuals`.
pub const PAGE: u32 = 1000;

/// The picker's replies.
pub struct Reply {
    first: bool,
    page: Result<IndividualPage, ApiError>,
}

/// What a key did.
#[derive(Debug, PartialEq, Eq)]
pub enum Picked {
    /// The picker used it.
    Used,
    /// These were picked (`Enter`), in the order shown.
    Individuals(Vec<IndividualSummary>),
    /// Not a key of the picker.
    NotMine,
}

/// Where the listing is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Loading {
    /// The first page is on its way.
    First,
    /// More pages are on their way (what arrived is shown).
    More,
    /// Everything arrived.
    Done,
    /// The last try failed (what arrived is kept).
    Failed,
}

/// The list of individuals with its filter. `Debug` prints counts only.
pub struct Picker {
    all: Vec<IndividualSummary>,
    /// Positions in `all`, recent first, then by last name.
    order: Vec<usize>,
    /// Positions in `all` shown now (the filter applied to `order`).
    shown: Vec<usize>,
    filter: TextField,
    /// The filter takes typed letters (the clicker: always; Profiles: after `/`).
    pub typing: bool,
    /// Typing is the only mode (the clicker's pick step): `Esc` does not leave the filter.
    always_typing: bool,
    /// `Space` marks rows.
    multi: bool,
    marked: BTreeSet<i64>,
    selected: usize,
    offset: usize,
    page_rows: usize,
    /// Where the listing is.
    pub loading: Loading,
    fuzzy: Fuzzy,
}

impl std::fmt::Debug for Picker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Picker {{ individuals: {}, shown: {}, marked: {}, loading: {:?} }}",
            self.all.len(),
            self.shown.len(),
            self.marked.len(),
            self.loading
        )
    }
}

impl Picker {
    /// A picker; `multi` lets `Space` mark several, `always_typing` makes every letter part of
    /// the filter.
    pub fn new(multi: bool, always_typing: bool) -> Picker {
        Picker {
            all: Vec::new(),
            order: Vec::new(),
            shown: Vec::new(),
            filter: TextField::plain("Filter"),
            typing: always_typing,
            always_typing,
            multi,
            marked: BTreeSet::new(),
            selected: 0,
            offset: 0,
            page_rows: 10,
            loading: Loading::First,
            fuzzy: Fuzzy::new(),
        }
    }

    /// Ask for the first page.
    pub fn start(&mut self, cx: &mut Cx) {
        self.loading = if self.all.is_empty() {
            Loading::First
        } else {
            Loading::More
        };
        cx.call(page_call(None));
    }

    /// Handle `reply` if it is the picker's; otherwise give it back.
    pub fn reply(&mut self, reply: Typed, cx: &mut Cx) -> Option<Typed> {
        let Reply { first, page } = match reply.downcast::<Reply>() {
            Ok(reply) => *reply,
            Err(other) => return Some(other),
        };
        match page {
            Ok(page) => {
                if first {
                    self.all.clear();
                }
                self.all.extend(page.items);
                match page.next_cursor {
                    Some(cursor) => {
                        self.loading = Loading::More;
                        cx.call(page_call(Some(cursor)));
                    }
                    None => self.loading = Loading::Done,
                }
                self.sort();
            }
            Err(e) => {
                self.loading = Loading::Failed;
                if !e.offline() && !e.session_ended() {
                    cx.error(format!("Could not load the individuals: {e}"));
                }
            }
        }
        None
    }

    /// Replace every individual (benchmarks and tests).
    pub fn set_individuals(&mut self, items: Vec<IndividualSummary>) {
        self.all = items;
        self.loading = Loading::Done;
        self.sort();
    }

    /// Recent first (most recent at the top), then by last name, then the filter again.
    fn sort(&mut self) {
        let selected_id = self.selected_individual().map(|i| i.id);
        let all = &self.all;
        let mut order: Vec<usize> = (0..all.len()).collect();
        let last_name = |i: usize| {
            let name = Privacy::match_text(&all[i].name);
            name.rsplit(' ').next().unwrap_or(name).to_lowercase()
        };
        let keys: Vec<(std::cmp::Reverse<Option<i64>>, String)> = (0..all.len())
            .map(|i| {
                (
                    std::cmp::Reverse(all[i].last_recorded_by_me.map(|t| t.timestamp())),
                    last_name(i),
                )
            })
            .collect();
        order.sort_by(|&a, &b| keys[a].cmp(&keys[b]));
        self.order = order;
        self.refilter();
        if let Some(id) = selected_id
            && let Some(row) = self.shown.iter().position(|&i| self.all[i].id == id)
        {
            self.selected = row;
        }
    }

    /// Apply the filter to the order.
    fn refilter(&mut self) {
        let all = &self.all;
        let texts = self.order.iter().map(|&i| Privacy::match_text(&all[i].name));
        let ranked = self.fuzzy.rank(self.filter.text(), texts);
        self.shown = ranked.into_iter().map(|at| self.order[at]).collect();
        self.selected = 0;
        self.offset = 0;
    }

    /// Type `text` into the filter (tests and benchmarks: one key press each).
    pub fn type_filter(&mut self, text: &str) {
        for c in text.chars() {
            self.filter.input(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
            self.refilter();
        }
    }

    /// The filter as typed.
    pub fn filter_text(&self) -> &str {
        self.filter.text()
    }

    /// How many individuals arrived, and how many are shown.
    pub fn counts(&self) -> (usize, usize) {
        (self.all.len(), self.shown.len())
    }

    /// The individual on the selected row.
    pub fn selected_individual(&self) -> Option<&IndividualSummary> {
        self.shown.get(self.selected).map(|&i| &self.all[i])
    }

    /// The individuals shown, in order (tests).
    pub fn shown(&self) -> impl Iterator<Item = &IndividualSummary> {
        self.shown.iter().map(|&i| &self.all[i])
    }

    /// How many are marked.
    pub fn marked(&self) -> usize {
        self.marked.len()
    }

    /// Forget the marks (after they were picked).
    pub fn clear_marks(&mut self) {
        self.marked.clear();
    }

    /// True while the filter holds text.
    pub fn filtering(&self) -> bool {
        !self.filter.is_empty()
    }

    /// A key.
    pub fn key(&mut self, key: KeyEvent) -> Picked {
        let plain = key.modifiers - KeyModifiers::SHIFT == KeyModifiers::NONE;
        let page = self.page_rows.max(1) as isize;
        let step = match key.code {
            KeyCode::Down => Some(1),
            KeyCode::Up => Some(-1),
            KeyCode::PageDown => Some(page),
            KeyCode::PageUp => Some(-page),
            KeyCode::Char('j') if plain && !self.typing => Some(1),
            KeyCode::Char('k') if plain && !self.typing => Some(-1),
            KeyCode::Char('g') | KeyCode::Home if !self.typing || key.code == KeyCode::Home => Some(isize::MIN / 2),
            KeyCode::Char('G') | KeyCode::End if !self.typing || key.code == KeyCode::End => Some(isize::MAX / 2),
            _ => None,
        };
        if let Some(step) = step {
            let last = self.shown.len().saturating_sub(1);
            self.selected = self.selected.saturating_add_signed(step).min(last);
            return Picked::Used;
        }
        match key.code {
            KeyCode::Enter => {
                let picked: Vec<IndividualSummary> = if self.marked.is_empty() {
                    self.selected_individual().cloned().into_iter().collect()
                } else {
                    let order = self.order.iter().map(|&i| &self.all[i]);
                    order.filter(|p| self.marked.contains(&p.id)).cloned().collect()
                };
                if picked.is_empty() {
                    return Picked::Used;
                }
                if !self.always_typing {
                    self.typing = false;
                }
                Picked::Individuals(picked)
            }
            KeyCode::Char(' ') if self.multi => {
                if let Some(id) = self.selected_individual().map(|p| p.id) {
                    if !self.marked.remove(&id) {
                        self.marked.insert(id);
                    }
                    let last = self.shown.len().saturating_sub(1);
                    self.selected = (self.selected + 1).min(last);
                }
                Picked::Used
            }
            KeyCode::Char('/') if !self.typing => {
                self.typing = true;
                Picked::Used
            }
            KeyCode::Esc if self.filtering() => {
                self.filter.wipe();
                self.refilter();
                if !self.always_typing {
                    self.typing = false;
                }
                Picked::Used
            }
            KeyCode::Esc if self.typing && !self.always_typing => {
                self.typing = false;
                Picked::Used
            }
            KeyCode::Char('?') => Picked::NotMine,
            _ if self.typing && self.filter.input(key) => {
                self.refilter();
                Picked::Used
            }
            _ => Picked::NotMine,
        }
    }

    /// Pasted text goes into the filter.
    pub fn paste(&mut self, text: &str) {
        self.filter.paste(text);
        self.typing = true;
        self.refilter();
    }

    /// Draw the filter and the list into `area`.
    pub fn render(&mut self, f: &mut ratatui::Frame, area: ratatui::layout::Rect, title: &str, ctx: &Ctx<'_>) {
        view::render(self, f, area, title, ctx);
    }
}

/// A page of `GET /individuals`, from `cursor` (none: the first).
fn page_call(cursor: Option<String>) -> Call {
    let first = cursor.is_none();
    let mut request = Request::get("/individuals").query("limit", PAGE.to_string()).session();
    if let Some(cursor) = cursor {
        request = request.query("cursor", cursor);
    }
    Call::new("individuals", request, move |r: Result<Answer, ApiError>| Reply {
        first,
        page: r.and_then(Answer::typed),
    })
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::wire::PupilName;

    fn person(id: i64, name: &str, recent: Option<i64>) -> IndividualSummary {
        IndividualSummary {
            id,
            name: PupilName::new(name),
            year_group: "Year 9".into(),
            group_name: "9B".into(),
            last_recorded_by_me: recent.map(|t| Utc.timestamp_opt(t, 0).unwrap()),
        }
    }

    fn picker() -> Picker {
        let mut p = Picker::new(true, true);
        p.set_individuals(vec![
            person(1, "Zac Adams", None),
            person(2, "Amy Brown", Some(100)),
            person(3, "Jo Smith", Some(300)),
            person(4, "Bea Clark", None),
        ]);
        p
    }

    fn press(p: &mut Picker, code: KeyCode) -> Picked {
        p.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn recent_first_then_by_last_name_and_the_filter_ranks() {
        let mut p = picker();
        let ids: Vec<i64> = p.shown().map(|i| i.id).collect();
        assert_eq!(ids, [3, 2, 1, 4], "recent first, then Adams before Clark");
        p.type_filter("jsm");
        assert_eq!(p.selected_individual().map(|i| i.id), Some(3));
        press(&mut p, KeyCode::Esc);
        assert_eq!(p.counts(), (4, 4), "Esc clears the filter");
    }

    #[test]
    fn space_marks_a_group_and_enter_picks_it_in_order() {
        let mut p = picker();
        press(&mut p, KeyCode::Char(' '));
        press(&mut p, KeyCode::Down);
        press(&mut p, KeyCode::Char(' '));
        assert_eq!(p.marked(), 2);
        let Picked::Individuals(group) = press(&mut p, KeyCode::Enter) else {
            panic!("nothing picked")
        };
        let ids: Vec<i64> = group.iter().map(|i| i.id).collect();
        assert_eq!(ids, [3, 1]);
    }

    #[test]
    fn enter_on_an_empty_list_picks_nothing() {
        let mut p = picker();
        p.type_filter("qqqq");
        assert_eq!(press(&mut p, KeyCode::Enter), Picked::Used);
    }
}
