//! "Analytics" (`a`, for roles with the analytics permission; the server counts only the
//! individuals the user may open): the seven report types of the recording guide (`Tab`), rows
//! grouped by what the type offers (`b`), a period (`t`, or typed dates `T`), the
//! individuals, locations, staff and behaviours to keep to (`I`, `l`, `S`, `B`; `x` clears;
//! [`filters`], always listed above the table), the table sorted by any column (`o`, `O`),
//! a chart that fits the report (`h`: bars
//! of the rows, a sparkline over the period, the clicker's hour by weekday grid), the incidents
//! behind a row (`Enter`, [`related`]) and the table saved as CSV (`w`: the server writes it in
//! the order shown and audits it; the file is 0600).
//!
//! Every figure sits beside the same figure for the period just before (the server's
//! "Previous" and "Change %" columns, and the totals line).

pub mod calls;
pub mod filters;
pub mod keys;
pub mod related;
pub mod sets;
mod view;

use std::any::Any;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use self::calls::{Asked, Reply};
use self::filters::{Filters, Lists, noun, typed_period};
use self::sets::{Sets, SetsKey};
use super::incidents::filters::day_of;
use super::picker::{Picked, Picker};
use super::{Ctx, Cx, Page};
use crate::client::call::{Typed, take};
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::widgets::choose::{Choose, Chose};
use crate::client::widgets::dates_form::{DATE_KEYS, DatesForm, DatesKey};
use crate::wire::{Dimension, FilterField, IndividualRef, ListItem, NewFilterSet, Report, ReportKind, ReportSort};

/// What has the keys.
pub enum Mode {
    /// The report's table.
    Table,
    /// Picking the individuals (`I`).
    Picking,
    /// Choosing the locations, staff or behaviours of a filter.
    Choosing(FilterField, Box<Choose>),
    /// Typing the dates (`T`).
    Dates(Box<DatesForm>),
    /// The saved filter sets (`F`).
    Sets(Box<Sets>),
}

/// Which chart is drawn above the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// Bars of the table's rows (in the order shown).
    Bars,
    /// A sparkline of the series over the period.
    Series,
    /// The clicker's hour by weekday grid.
    Grid,
}

/// The Analytics page. `Debug` prints counts only.
pub struct Analytics {
    /// The report type, an index into [`ReportKind::ALL`].
    kind: usize,
    /// The grouping, an index into the type's dimensions.
    by: usize,
    /// The period and the lists to keep to.
    pub filters: Filters,
    /// The setting's lists the filters choose from.
    lists: Lists,
    /// The report shown (kept while the next one loads, or while offline).
    pub report: Option<Report>,
    /// What the report shown was asked with.
    shown_for: Option<Asked>,
    /// What was asked for last (the report shown may be an older one while this loads, or
    /// while the server cannot be reached).
    asked: Option<Asked>,
    loading: bool,
    stale: bool,
    /// The order of the rows.
    pub sort: Option<ReportSort>,
    /// The rows in the order shown, as indices into the report's rows.
    pub order: Vec<usize>,
    /// The largest first figure of the rows (the bars' scale), found once per report rather
    /// than over 100,000 rows a frame.
    most: f64,
    selected: usize,
    offset: usize,
    page: usize,
    chart: Chart,
    /// What has the keys.
    pub mode: Mode,
    picker: Picker,
}

impl std::fmt::Debug for Analytics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new Analytics page (for the registration in `screens`): the Global Incident Report for
/// the last 30 days.
pub fn new_page() -> Analytics {
    Analytics {
        kind: 0,
        by: 0,
        filters: Filters::default(),
        lists: Lists::default(),
        report: None,
        shown_for: None,
        asked: None,
        loading: false,
        stale: false,
        sort: None,
        order: Vec::new(),
        most: 0.0,
        selected: 0,
        offset: 0,
        page: 10,
        chart: Chart::Bars,
        mode: Mode::Table,
        picker: Picker::new(true, true),
    }
}

impl Analytics {
    /// A page showing `report` as if it had just come (tests and benchmarks).
    pub fn showing(report: Report) -> Analytics {
        let mut page = new_page();
        page.kind = ReportKind::ALL.iter().position(|k| *k == report.kind).unwrap_or(0);
        page.by = report.kind.dimensions().iter().position(|d| *d == report.by).unwrap_or(0);
        page.report = Some(report);
        page.reorder();
        page
    }

    /// True when the report shown is not the one asked for last (it is loading, or could not
    /// be had): the screen then says which one it shows.
    pub fn showing_older(&self) -> bool {
        self.asked.is_some() && self.shown_for != self.asked
    }

    /// The report type chosen.
    pub fn kind(&self) -> ReportKind {
        ReportKind::ALL[self.kind % ReportKind::ALL.len()]
    }

    /// The grouping chosen.
    pub fn by(&self) -> Dimension {
        let dimensions = self.kind().dimensions();
        dimensions[self.by % dimensions.len()]
    }

    /// What the report is asked with now, today being `today`.
    fn asked(&self, today: NaiveDate) -> Asked {
        let (from, to) = self.filters.period.days(today);
        Asked {
            kind: self.kind(),
            by: self.by(),
            from,
            to,
            filters: self.filters.applied(self.kind()),
        }
    }

    /// Ask for the report as chosen now.
    fn load(&mut self, cx: &mut Cx) {
        let asked = self.asked(day_of(cx.now, cx.dates));
        self.loading = true;
        cx.call(calls::report(&asked));
        self.asked = Some(asked);
    }

    /// The chart that fits the report first.
    fn default_chart(&self) -> Chart {
        match (self.kind(), self.by()) {
            (ReportKind::Clicker, Dimension::Hour | Dimension::Weekday | Dimension::Behaviour) => Chart::Grid,
            (_, Dimension::Time) => Chart::Series,
            _ => Chart::Bars,
        }
    }

    /// The charts this report can draw, in the order `c` steps through them.
    fn charts(&self) -> &'static [Chart] {
        match self.kind() {
            ReportKind::Clicker => &[Chart::Grid, Chart::Bars, Chart::Series],
            _ => &[Chart::Bars, Chart::Series],
        }
    }

    /// Put the rows in the order chosen, keeping the selected row selected.
    fn reorder(&mut self) {
        let Some(report) = &self.report else {
            self.order.clear();
            return;
        };
        let was = self.order.get(self.selected).copied();
        self.order = report.order(self.sort);
        self.most = report
            .rows
            .iter()
            .filter_map(|r| r.figures.first().copied().flatten())
            .fold(0.0, f64::max);
        self.selected = was
            .and_then(|w| self.order.iter().position(|&i| i == w))
            .unwrap_or(0);
    }

    /// The next sort: by each column in turn (figures largest first), then the report's own
    /// order.
    fn next_sort(&mut self) {
        let columns = self.report.as_ref().map_or(0, |r| r.columns.len());
        self.sort = match self.sort {
            None => Some(ReportSort {
                column: 0,
                descending: false,
            }),
            Some(s) if s.column < columns => Some(ReportSort {
                column: s.column + 1,
                descending: true,
            }),
            Some(_) => None,
        };
        self.reorder();
    }

    /// The row selected, if any.
    fn selected_row(&self) -> Option<&crate::wire::ReportRow> {
        self.report.as_ref()?.rows.get(*self.order.get(self.selected)?)
    }

    fn move_by(&mut self, delta: isize) {
        let last = self.order.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    /// A change of what is asked: the type, the grouping, the period or the filter.
    fn changed(&mut self, cx: &mut Cx) {
        self.sort = None;
        self.selected = 0;
        self.offset = 0;
        self.load(cx);
    }

    fn report_key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        let Some(action) = keymap::lookup(keys::REPORT_TABLES, &key) else {
            return false;
        };
        let page = self.page.max(1) as isize;
        let count = ReportKind::ALL.len();
        match action {
            KeyAction::Down => self.move_by(1),
            KeyAction::Up => self.move_by(-1),
            KeyAction::PageDown => self.move_by(page),
            KeyAction::PageUp => self.move_by(-page),
            KeyAction::Top => self.move_by(isize::MIN / 2),
            KeyAction::Bottom => self.move_by(isize::MAX / 2),
            keys::NEXT_TYPE | keys::PREVIOUS_TYPE => {
                let step = if action == keys::NEXT_TYPE { 1 } else { count - 1 };
                self.kind = (self.kind + step) % count;
                self.by = 0;
                self.changed(cx);
            }
            keys::BY => {
                self.by = (self.by + 1) % self.kind().dimensions().len();
                self.changed(cx);
            }
            keys::PERIOD => {
                self.filters.period = self.filters.period.next();
                self.changed(cx);
            }
            keys::DATES => {
                self.mode = Mode::Dates(Box::new(DatesForm::new(
                    "Report between",
                    "From (01/09/2026, 1/9, -30d, -6w)",
                    "To (empty: today)",
                )))
            }
            keys::INDIVIDUALS => {
                self.mode = Mode::Picking;
                self.picker.start(cx);
            }
            keys::CHRONOLOGY => self.open_chronology(cx),
            keys::SETS => {
                self.mode = Mode::Sets(Box::default());
                cx.call(calls::filter_sets());
            }
            keys::LOCATIONS => self.choose(FilterField::Location, cx),
            keys::STAFF => self.choose(FilterField::Staff, cx),
            keys::BEHAVIOURS => self.choose(FilterField::Behaviour, cx),
            keys::CLEAR => match self.filters.lists_empty() {
                true => cx.say("No filter to clear: every individual you may see is counted."),
                false => {
                    self.filters.clear_lists();
                    self.changed(cx);
                }
            },
            keys::SORT => self.next_sort(),
            keys::REVERSE => {
                self.sort = Some(match self.sort {
                    Some(s) => ReportSort {
                        descending: !s.descending,
                        ..s
                    },
                    None => ReportSort {
                        column: 1,
                        descending: false,
                    },
                });
                self.reorder();
            }
            keys::CHART => {
                let charts = self.charts();
                let at = charts.iter().position(|c| *c == self.chart).unwrap_or(0);
                self.chart = charts[(at + 1) % charts.len()];
            }
            KeyAction::Open => self.open_related(cx),
            keys::SAVE => match (&self.shown_for, &self.report) {
                (Some(asked), Some(_)) => {
                    cx.call(calls::csv(asked, self.sort));
                    cx.say("Saving the table as CSV…");
                }
                _ => cx.say("There is no report to save yet."),
            },
            keys::PRINT => match (&self.shown_for, &self.report) {
                (Some(asked), Some(_)) => {
                    cx.call(calls::text(asked, self.sort));
                    cx.say("Making the printout…");
                }
                _ => cx.say("There is no report to print yet."),
            },
            _ => return false,
        }
        true
    }

    /// Open the list of `field` to choose from (said when the type does not take it, or the
    /// list has not come yet).
    fn choose(&mut self, field: FilterField, cx: &mut Cx) {
        if !self.kind().filters().contains(&field) {
            cx.say(format!(
                "The {} does not filter by {}: choose another report type (Tab) first.",
                self.kind().title(),
                noun(field)
            ));
            return;
        }
        let Some(list) = self.lists.of(field) else {
            cx.say(format!("The list of each {} is still loading: press the key again in a moment.", noun(field)));
            calls::lists().into_iter().for_each(|c| cx.call(c));
            return;
        };
        if list.is_empty() {
            cx.say(format!("The setting has no {} to filter by.", noun(field)));
            return;
        }
        let items = list.iter().map(|i| (i.id, i.name.clone())).collect();
        let title = match field {
            FilterField::Location => "Only these locations",
            FilterField::Staff => "Only these staff",
            _ => "Only these behaviours",
        };
        let marked = self.filters.ids(field);
        self.mode = Mode::Choosing(field, Box::new(Choose::new(title, items, true, &marked)));
    }

    /// The ids `chosen` from the list of `field` become its filter.
    fn chosen(&mut self, field: FilterField, chosen: Vec<i64>, cx: &mut Cx) {
        let list = self.lists.of(field).unwrap_or_default();
        let items: Vec<ListItem> = list.iter().filter(|i| chosen.contains(&i.id)).cloned().collect();
        match field {
            FilterField::Location => self.filters.locations = items,
            FilterField::Staff => self.filters.staff = items,
            _ => self.filters.behaviours = items,
        }
        self.changed(cx);
    }

    fn dates_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Mode::Dates(form) = &mut self.mode else {
            return;
        };
        match form.key(key) {
            DatesKey::Used => {}
            DatesKey::Help => cx.help(),
            DatesKey::Back => self.mode = Mode::Table,
            DatesKey::Submit => {
                let today = day_of(cx.now, cx.dates);
                match typed_period(form.from.text(), form.to.text(), today) {
                    Err((which, why)) => form.refuse_at(which, why),
                    Ok(period) => {
                        self.mode = Mode::Table;
                        self.filters.period = period;
                        self.changed(cx);
                    }
                }
            }
        }
    }

    fn sets_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Mode::Sets(sets) = &mut self.mode else {
            return;
        };
        match sets.key(key) {
            SetsKey::Used => {}
            SetsKey::Help => cx.help(),
            SetsKey::Close => self.mode = Mode::Table,
            SetsKey::Save(name) => cx.call(calls::save_set(&NewFilterSet {
                name,
                filters: self.filters.saved(),
            })),
            SetsKey::Delete(id) => cx.call(calls::delete_set(id)),
            SetsKey::Apply(set) => {
                self.mode = Mode::Table;
                self.filters = Filters::of_saved(&set, self.filters.period, &self.lists);
                let left_out = match set.hidden {
                    0 => String::new(),
                    1 => ": 1 individual in it is no longer yours to see and is left out".into(),
                    n => format!(": {n} individuals in it are no longer yours to see and are left out"),
                };
                cx.say(format!("Using the filters of \"{}\"{left_out}.", set.name));
                self.changed(cx);
            }
        }
    }

    /// A reply about the saved sets, for the panel when it is open.
    fn sets_reply(&mut self, reply: Reply, cx: &mut Cx) {
        let Mode::Sets(sets) = &mut self.mode else {
            if let Reply::Saved(Err(e)) | Reply::Deleted(Err(e)) = reply {
                cx.say(format!("The filter set could not be changed: {e}"));
            }
            return;
        };
        match reply {
            Reply::Sets(list) => sets.listed(list.map(|l| l.items).map_err(|e| format!("Your sets could not be had: {e}"))),
            Reply::Saved(Ok((set, replaced))) => {
                sets.saved(&set.name, replaced);
                cx.call(calls::filter_sets());
            }
            Reply::Saved(Err(e)) => sets.say(crate::client::screens::Note::error(format!("Not saved: {e}"))),
            Reply::Deleted(result) => {
                sets.say(match result {
                    Ok(()) => crate::client::screens::Note::info("Deleted."),
                    Err(e) => crate::client::screens::Note::error(format!("Not deleted: {e}")),
                });
                cx.call(calls::filter_sets());
            }
            _ => {}
        }
    }

    fn pick_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        match self.picker.key(key) {
            Picked::Used => {}
            Picked::Individuals(picked) => {
                self.mode = Mode::Table;
                self.filters.individuals = picked
                    .into_iter()
                    .map(|p| IndividualRef { id: p.id, name: p.name })
                    .collect();
                self.changed(cx);
            }
            Picked::NotMine if key.code == KeyCode::Esc => self.mode = Mode::Table,
            Picked::NotMine if key.code == KeyCode::Char('?') => cx.help(),
            Picked::NotMine => cx.say("Type a name, Space to choose, Enter to keep to those chosen, Esc to stop."),
        }
    }

    /// The type and dates of the report shown, to name its CSV file or printout.
    fn export_name(&self) -> (&'static str, String, String) {
        self.shown_for
            .as_ref()
            .map_or(("report", String::new(), String::new()), |a| {
                (a.kind.slug(), a.from.to_string(), a.to.to_string())
            })
    }

    /// The chronology of the individual whose row is selected (rows by individual only).
    fn open_chronology(&mut self, cx: &mut Cx) {
        let individual = self.selected_row().and_then(|row| {
            let id = row.key.as_deref()?.strip_prefix("individual:")?.parse().ok()?;
            Some(crate::wire::IndividualRef { id, name: crate::wire::PupilName::new(row.label.clone()) })
        });
        match individual {
            Some(individual) => cx.push(crate::client::screens::chronology::of(individual)),
            None => cx.say("Chronology: group the rows by individual (b) and choose one."),
        }
    }

    fn open_related(&mut self, cx: &mut Cx) {
        let (Some(asked), Some(row)) = (self.shown_for.clone(), self.selected_row()) else {
            cx.say("There is no row to show incidents for.");
            return;
        };
        match &row.key {
            Some(key) => {
                let label = (asked.by == Dimension::Individual).then(|| crate::wire::PupilName::new(row.label.clone()));
                cx.push(Box::new(related::Related::new(asked, key.clone(), row.label.clone(), label)));
            }
            None => cx.say(
                "No incidents are behind this row: it counts clicks. Group by individual, staff or date (b) to see incidents.",
            ),
        }
    }
}

impl Page for Analytics {
    fn title(&self) -> String {
        "Analytics".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        match &self.mode {
            Mode::Table => keys::REPORT_TABLES,
            Mode::Picking => &[keys::PICK_KEYS],
            Mode::Choosing(..) => &[keys::CHOOSE_KEYS],
            Mode::Dates(_) => &[DATE_KEYS, crate::client::widgets::text_field::EDITING],
            Mode::Sets(sets) => sets.keys(),
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (60, 16)
    }

    fn edits_text(&self) -> bool {
        match &self.mode {
            Mode::Table => false,
            Mode::Sets(sets) => sets.edits_text(),
            Mode::Picking | Mode::Choosing(..) | Mode::Dates(_) => true,
        }
    }

    fn start(&mut self, cx: &mut Cx) {
        calls::lists().into_iter().for_each(|c| cx.call(c));
        self.load(cx);
    }

    fn refresh(&mut self, cx: &mut Cx) {
        self.load(cx);
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        match &mut self.mode {
            Mode::Table => return self.report_key(key, cx),
            Mode::Picking => self.pick_key(key, cx),
            Mode::Dates(_) => self.dates_key(key, cx),
            Mode::Sets(_) => self.sets_key(key, cx),
            Mode::Choosing(field, list) => {
                let field = *field;
                match list.key(key) {
                    Chose::Open => {}
                    Chose::Closed => self.mode = Mode::Table,
                    Chose::Done(ids) => {
                        self.mode = Mode::Table;
                        self.chosen(field, ids, cx);
                    }
                }
            }
        }
        true
    }

    fn paste(&mut self, text: &str, _cx: &mut Cx) {
        match &mut self.mode {
            Mode::Picking => self.picker.paste(text),
            Mode::Dates(form) => form.paste(text),
            Mode::Sets(sets) => sets.paste(text),
            Mode::Table | Mode::Choosing(..) => {}
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let Some(reply) = self.picker.reply(reply, cx) else {
            return;
        };
        match take::<Reply>(reply) {
            Some(Reply::Report(Ok(report))) => {
                let asked = Asked {
                    kind: report.kind,
                    by: report.by,
                    from: report.from,
                    to: report.to,
                    filters: self.filters.applied(report.kind),
                };
                let new_shape = self
                    .shown_for
                    .as_ref()
                    .is_none_or(|old| (old.kind, old.by) != (asked.kind, asked.by));
                self.report = Some(report);
                self.shown_for = Some(asked);
                self.loading = false;
                self.stale = false;
                if new_shape {
                    self.chart = self.default_chart();
                }
                self.reorder();
            }
            Some(Reply::Report(Err(e))) => {
                self.loading = false;
                self.stale = true;
                if !e.offline() && !e.session_ended() {
                    cx.error(format!("The report could not be made: {e}"));
                }
            }
            Some(Reply::Csv(Ok(text))) => {
                let (kind, from, to) = self.export_name();
                let rows = self.order.len();
                cx.save_counted(
                    format!("{kind}-{from}-{to}.csv"),
                    text,
                    format!("{rows} row{}", if rows == 1 { "" } else { "s" }),
                );
            }
            Some(Reply::Csv(Err(e))) => cx.say(format!("The CSV file could not be made: {e}")),
            Some(Reply::Text(Ok(text))) => {
                let (kind, from, to) = self.export_name();
                let rows = self.order.len();
                cx.print(
                    format!("{kind}-{from}-{to}.txt"),
                    text,
                    format!(
                        "the {}, {rows} row{}",
                        self.shown_for.as_ref().map_or("", |a| a.kind.title()),
                        if rows == 1 { "" } else { "s" }
                    ),
                );
            }
            Some(Reply::Text(Err(e))) => cx.say(format!("The printout could not be made: {e}")),
            Some(Reply::Locations(Ok(list))) => self.lists.loaded(FilterField::Location, list.items),
            Some(Reply::Staff(Ok(list))) => self.lists.loaded(
                FilterField::Staff,
                list.items.into_iter().map(|s| ListItem { id: s.id, name: s.name }).collect(),
            ),
            Some(Reply::Behaviours(Ok(list))) => self.lists.loaded(
                FilterField::Behaviour,
                list.items.into_iter().map(|b| ListItem { id: b.id, name: b.name }).collect(),
            ),
            Some(Reply::Locations(Err(_)) | Reply::Staff(Err(_)) | Reply::Behaviours(Err(_))) => {}
            Some(reply @ (Reply::Sets(_) | Reply::Saved(_) | Reply::Deleted(_))) => self.sets_reply(reply, cx),
            Some(Reply::Related(_)) | None => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        if let Mode::Picking = self.mode {
            self.picker.render(f, area, "Only these individuals (Space chooses)…", ctx);
            return;
        }
        view::render(self, f, area, ctx);
        match &mut self.mode {
            Mode::Choosing(_, list) => list.render(f, area, ctx),
            Mode::Dates(form) => form.render(f, area, ctx),
            Mode::Sets(sets) => {
                let (privacy, lists, sep) = (&ctx.privacy, &self.lists, ctx.glyphs.sep());
                let (period, kind) = (self.filters.period, ReportKind::ALL[self.kind % ReportKind::ALL.len()]);
                sets.render(f, area, ctx, |set| Filters::of_saved(set, period, lists).summary(kind, privacy, sep));
            }
            Mode::Table | Mode::Picking => {}
        }
    }

    fn summary(&self) -> String {
        format!(
            "Analytics {{ kind: {}, by: {}, rows: {}, individuals: {}, picking: {} }}",
            self.kind().slug(),
            self.by().slug(),
            self.order.len(),
            self.filters.individuals.len(),
            !matches!(self.mode, Mode::Table)
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
