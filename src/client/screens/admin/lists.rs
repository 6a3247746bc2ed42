//! The setting's lists (`l` on the Admin hub): behaviours, locations and incident categories
//! (`GET /admin/lists/{list}`, retired entries included, dimmed with "retired; kept on N
//! records") and the bell times (`GET /periods`). `Tab` goes to the next list; `n` adds, `e`
//! renames (or edits a period), `s` changes a behaviour's sentiment, `K`/`J` move an entry up
//! or down, `x` retires or brings back (removes a period). Entries change with
//! `POST /admin/lists/{list}` and `PUT /admin/lists/{list}/{id}`, the day with
//! `PUT /admin/bell-times` (the whole day, renumbered from 1). Every change asks first (y/n),
//! then says what it did; a refusal shows the server's words and keeps what was typed.

use std::any::Any;

use chrono::NaiveTime;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::confirm::{self, Answered, Confirm, thousands};
use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::{Call, Typed, take};
use crate::client::keymap::{self, Binding, KeyAction, LIST, b, ch, k};
use crate::client::screens::{Ctx, Cx, Note, Page, centered};
use crate::client::widgets::popup::note;
use crate::client::widgets::text_field::TextField;
use crate::wire::{BellPeriod, BellTimes, Done, ListEntries, ListEntry, ListEntryChange, PeriodList, Sentiment, SettingList};

/// `n`: a new entry or period.
const NEW: KeyAction = KeyAction::Page(0);
/// `e`: rename, or edit a period.
const EDIT: KeyAction = KeyAction::Page(1);
/// `s`: the next sentiment (behaviours).
const SENTIMENT: KeyAction = KeyAction::Page(2);
/// `K`: move up.
const MOVE_UP: KeyAction = KeyAction::Page(3);
/// `J`: move down.
const MOVE_DOWN: KeyAction = KeyAction::Page(4);
/// `x`: retire or bring back; remove a period.
const RETIRE: KeyAction = KeyAction::Page(5);
/// `Tab`: the next list.
const NEXT_TAB: KeyAction = KeyAction::Page(6);
/// `Shift-Tab`: the previous list.
const PREV_TAB: KeyAction = KeyAction::Page(7);

/// The keys of a list, after [`LIST`].
const OWN_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Tab)], "Tab", NEXT_TAB, "next list", true),
    b(&[k(KeyCode::BackTab)], "Shift-Tab", PREV_TAB, "previous list", false),
    b(&[ch('n')], "n", NEW, "add", true),
    b(&[ch('e')], "e", EDIT, "rename (edit a period)", true),
    b(&[ch('s')], "s", SENTIMENT, "change a behaviour's sentiment", false),
    b(&[ch('K')], "K", MOVE_UP, "move up", false),
    b(&[ch('J')], "J", MOVE_DOWN, "move down", false),
    b(&[ch('x')], "x", RETIRE, "retire or bring back (remove a period)", true),
];

/// The tables of a list.
const TABLES: &[&[Binding]] = &[LIST, OWN_KEYS];

/// The keys of the form.
const FORM_KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "type", false),
    b(&[k(KeyCode::Tab)], "Tab", KeyAction::NextField, "next field (behaviours: sentiment)", true),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Submit, "save (asks first)", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "stop: nothing changes", true),
];

/// The four tabs, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// A setting list.
    List(SettingList),
    /// The bell times.
    Bells,
}

const TABS: [Tab; 4] = [
    Tab::List(SettingList::Behaviours),
    Tab::List(SettingList::Locations),
    Tab::List(SettingList::IncidentCategories),
    Tab::Bells,
];

impl Tab {
    fn label(self) -> &'static str {
        match self {
            Tab::List(SettingList::Behaviours) => "Behaviours",
            Tab::List(SettingList::Locations) => "Locations",
            Tab::List(SettingList::IncidentCategories) => "Incident categories",
            Tab::Bells => "Bell times",
        }
    }

    /// The list's name in a sentence.
    fn noun(self) -> &'static str {
        match self {
            Tab::List(SettingList::Behaviours) => "behaviour",
            Tab::List(SettingList::Locations) => "location",
            Tab::List(SettingList::IncidentCategories) => "incident category",
            Tab::Bells => "period",
        }
    }
}

/// The list's segment of the path.
fn segment(list: SettingList) -> &'static str {
    match list {
        SettingList::Behaviours => "behaviours",
        SettingList::Locations => "locations",
        SettingList::IncidentCategories => "incident_categories",
    }
}

/// "praise", "concern", "neutral".
fn sentiment_word(s: Sentiment) -> &'static str {
    match s {
        Sentiment::Positive => "praise",
        Sentiment::Negative => "concern",
        Sentiment::Neutral => "neutral",
    }
}

fn next_sentiment(s: Sentiment) -> Sentiment {
    match s {
        Sentiment::Positive => Sentiment::Negative,
        Sentiment::Negative => Sentiment::Neutral,
        Sentiment::Neutral => Sentiment::Positive,
    }
}

/// The replies of the lists' calls.
enum Reply {
    /// `GET /admin/lists/{list}`.
    List(Result<ListEntries, ApiError>),
    /// `GET /periods`.
    Periods(Result<PeriodList, ApiError>),
    /// A new or changed entry.
    Entry(Result<ListEntry, ApiError>),
    /// `PUT /admin/bell-times`.
    Bells(Result<Done, ApiError>),
}

fn list_call(list: SettingList) -> Call {
    Call::new(
        segment(list),
        Request::get(format!("/admin/lists/{}", segment(list))).session(),
        |r: Result<Answer, ApiError>| Reply::List(r.and_then(Answer::typed)),
    )
}

fn periods_call() -> Call {
    Call::new(
        "periods",
        Request::get("/periods").session(),
        |r: Result<Answer, ApiError>| Reply::Periods(r.and_then(Answer::typed)),
    )
}

/// A change waiting for its y/n, with what to say once it is done.
#[derive(Debug, Clone, PartialEq)]
enum Change {
    /// `POST /admin/lists/{list}`.
    Add(SettingList, ListEntryChange),
    /// `PUT /admin/lists/{list}/{id}`.
    Update(SettingList, i64, ListEntryChange),
    /// `PUT /admin/bell-times`.
    Bells(Vec<BellPeriod>),
}

fn change_call(change: Change) -> Call {
    match change {
        Change::Add(list, body) => Call::new(
            "list-change",
            Request::post(format!("/admin/lists/{}", segment(list))).json(&body).session(),
            |r: Result<Answer, ApiError>| Reply::Entry(r.and_then(Answer::typed)),
        ),
        Change::Update(list, id, body) => Call::new(
            "list-change",
            Request::put(format!("/admin/lists/{}/{id}", segment(list))).json(&body).session(),
            |r: Result<Answer, ApiError>| Reply::Entry(r.and_then(Answer::typed)),
        ),
        Change::Bells(items) => Call::new(
            "list-change",
            Request::put("/admin/bell-times").json(&BellTimes { items }).session(),
            |r: Result<Answer, ApiError>| Reply::Bells(r.and_then(Answer::typed)),
        ),
    }
}

/// What the form is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FormFor {
    /// A new entry of the tab's list.
    New,
    /// Renaming the entry with this id.
    Rename(i64),
    /// A new period (none) or the period at this index.
    Period(Option<usize>),
}

/// The name form, or the period form (name, starts, ends).
struct Form {
    purpose: FormFor,
    fields: Vec<TextField>,
    focus: usize,
    /// A new behaviour's sentiment (`Tab` changes it).
    sentiment: Option<Sentiment>,
    note: Option<Note>,
}

impl Form {
    fn name(purpose: FormFor, name: &str, sentiment: Option<Sentiment>) -> Form {
        let mut field = TextField::plain("Name");
        field.set(name);
        Form {
            purpose,
            fields: vec![field],
            focus: 0,
            sentiment,
            note: None,
        }
    }

    fn period(at: Option<usize>, p: Option<&BellPeriod>) -> Form {
        let mut fields = vec![
            TextField::plain("Name"),
            TextField::plain("Starts (09:00)"),
            TextField::plain("Ends (09:50)"),
        ];
        if let Some(p) = p {
            fields[0].set(&p.name);
            fields[1].set(&p.starts.format("%H:%M").to_string());
            fields[2].set(&p.ends.format("%H:%M").to_string());
        }
        Form {
            purpose: FormFor::Period(at),
            fields,
            focus: 0,
            sentiment: None,
            note: None,
        }
    }

    fn text(&self, at: usize) -> String {
        self.fields.get(at).map(|f| f.text().trim().to_string()).unwrap_or_default()
    }
}

/// `09:00` (also `9:00`, `09.00`, `0900`) as a time of day.
pub fn clock(text: &str, field: &str) -> Result<NaiveTime, String> {
    let cleaned = text.trim().replace('.', ":");
    ["%H:%M", "%H%M"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(&cleaned, f).ok())
        .ok_or_else(|| format!("{field}: \"{}\" is not a time of day. Type it as 09:00.", text.trim()))
}

/// The Setting lists page. `Debug` prints counts only.
pub struct Lists {
    tab: usize,
    lists: [Option<Vec<ListEntry>>; 3],
    bells: Option<Vec<BellPeriod>>,
    failed: Option<String>,
    selected: usize,
    form: Option<Form>,
    confirm: Option<Confirm<Change>>,
    /// What the change in flight did, said when it lands.
    saying: Option<String>,
    /// The entry just added or changed: the selection moves to it when the list comes back,
    /// so the next key (retire, move, rename) is about it.
    follow: Option<i64>,
    /// The same for bell times, which have no id: the row of the period just added or changed
    /// in the day that was sent.
    follow_period: Option<usize>,
}

impl std::fmt::Debug for Lists {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new Setting lists page.
pub fn new_page() -> Box<dyn Page> {
    Box::new(Lists {
        tab: 0,
        lists: [None, None, None],
        bells: None,
        failed: None,
        selected: 0,
        form: None,
        confirm: None,
        saying: None,
        follow: None,
        follow_period: None,
    })
}

impl Lists {
    fn current(&self) -> Tab {
        TABS[self.tab % TABS.len()]
    }

    fn index(list: SettingList) -> usize {
        match list {
            SettingList::Behaviours => 0,
            SettingList::Locations => 1,
            SettingList::IncidentCategories => 2,
        }
    }

    fn entries(&self) -> Option<&[ListEntry]> {
        match self.current() {
            Tab::List(list) => self.lists[Lists::index(list)].as_deref(),
            Tab::Bells => None,
        }
    }

    fn rows(&self) -> usize {
        match self.current() {
            Tab::List(_) => self.entries().map_or(0, <[ListEntry]>::len),
            Tab::Bells => self.bells.as_ref().map_or(0, Vec::len),
        }
    }

    fn load(&self, cx: &mut Cx) {
        match self.current() {
            Tab::List(list) => cx.call(list_call(list)),
            Tab::Bells => cx.call(periods_call()),
        }
    }

    fn ask(&mut self, question: String, change: Change, saying: String) {
        self.confirm = Some(Confirm::new(question, change));
        self.saying = Some(saying);
    }

    fn list_key(&mut self, action: KeyAction, cx: &mut Cx) {
        let tab = self.current();
        let last = self.rows().saturating_sub(1);
        match action {
            KeyAction::Down => self.selected = (self.selected + 1).min(last),
            KeyAction::Up => self.selected = self.selected.saturating_sub(1),
            KeyAction::Top | KeyAction::PageUp => self.selected = 0,
            KeyAction::Bottom | KeyAction::PageDown => self.selected = last,
            NEXT_TAB | PREV_TAB => {
                let step = if action == NEXT_TAB { 1 } else { TABS.len() - 1 };
                self.tab = (self.tab + step) % TABS.len();
                self.selected = 0;
                self.failed = None;
                self.load(cx);
            }
            NEW => {
                self.form = Some(match tab {
                    Tab::List(SettingList::Behaviours) => Form::name(FormFor::New, "", Some(Sentiment::Positive)),
                    Tab::List(_) => Form::name(FormFor::New, "", None),
                    Tab::Bells => Form::period(None, None),
                });
            }
            _ => self.entry_key(action, tab, cx),
        }
    }

    /// A key about the selected entry or period.
    fn entry_key(&mut self, action: KeyAction, tab: Tab, cx: &mut Cx) {
        let Tab::List(list) = tab else {
            return self.period_key(action, cx);
        };
        let Some(entry) = self.entries().and_then(|e| e.get(self.selected)).cloned() else {
            return cx.say(format!("There is no {} to change.", tab.noun()));
        };
        let count = self.rows();
        let keep = ListEntryChange {
            name: entry.name.clone(),
            sentiment: entry.sentiment,
            position: None,
            active: entry.active,
        };
        let name = &entry.name;
        match action {
            EDIT => self.form = Some(Form::name(FormFor::Rename(entry.id), name, None)),
            SENTIMENT => match (list, entry.sentiment) {
                (SettingList::Behaviours, Some(s)) => {
                    let to = next_sentiment(s);
                    self.ask(
                        format!("Make \"{name}\" {} (it is {} now)?", sentiment_word(to), sentiment_word(s)),
                        Change::Update(list, entry.id, ListEntryChange { sentiment: Some(to), ..keep }),
                        format!("\"{name}\" is {} now.", sentiment_word(to)),
                    );
                }
                _ => cx.say("Only behaviours have a sentiment."),
            },
            MOVE_UP | MOVE_DOWN => {
                let place = self.selected + 1;
                let to = if action == MOVE_UP { place - 1 } else { place + 1 };
                if to == 0 || to > count {
                    return cx.say(format!("\"{name}\" is {} already.", if to == 0 { "first" } else { "last" }));
                }
                self.ask(
                    format!("Move \"{name}\" from place {place} to place {to}?"),
                    Change::Update(
                        list,
                        entry.id,
                        ListEntryChange {
                            position: Some(i64::try_from(to).unwrap_or(i64::MAX)),
                            ..keep
                        },
                    ),
                    format!("Moved \"{name}\" to place {to}."),
                );
            }
            RETIRE if entry.active => self.ask(
                format!(
                    "Retire \"{name}\"? It is no longer offered; the {} records that use it keep it.",
                    thousands(entry.uses)
                ),
                Change::Update(list, entry.id, ListEntryChange { active: false, ..keep }),
                format!("Retired \"{name}\" (kept on {} records).", thousands(entry.uses)),
            ),
            RETIRE => self.ask(
                format!("Bring \"{name}\" back, so it is offered again?"),
                Change::Update(list, entry.id, ListEntryChange { active: true, ..keep }),
                format!("Brought \"{name}\" back."),
            ),
            _ => {}
        }
    }

    fn period_key(&mut self, action: KeyAction, cx: &mut Cx) {
        let periods = self.bells.clone().unwrap_or_default();
        let Some(p) = periods.get(self.selected) else {
            return cx.say("There is no period to change: n adds one.");
        };
        match action {
            EDIT => self.form = Some(Form::period(Some(self.selected), Some(p))),
            RETIRE => {
                let mut day = periods.clone();
                day.remove(self.selected);
                self.ask(
                    format!("Remove {} ({}–{}) from the day?", p.name, hm(p.starts), hm(p.ends)),
                    Change::Bells(renumbered(day)),
                    format!("Removed {} from the bell times.", p.name),
                );
            }
            MOVE_UP | MOVE_DOWN | SENTIMENT => cx.say("Periods are in time order: e changes a period's times."),
            _ => {}
        }
    }

    fn form_key(&mut self, key: KeyEvent) {
        let Some(form) = &mut self.form else { return };
        match key.code {
            KeyCode::Esc => self.form = None,
            KeyCode::Tab | KeyCode::BackTab => match form.sentiment {
                Some(s) => form.sentiment = Some(next_sentiment(s)),
                None => {
                    let n = form.fields.len();
                    form.focus = if key.code == KeyCode::Tab { (form.focus + 1) % n } else { (form.focus + n - 1) % n };
                }
            },
            KeyCode::Enter => self.submit(),
            _ => {
                if let Some(field) = form.fields.get_mut(form.focus) {
                    field.input(key);
                }
            }
        }
    }

    /// The form's change, checked, as a question.
    fn submit(&mut self) {
        let tab = self.current();
        let Some(form) = &mut self.form else { return };
        let name = form.text(0);
        if name.is_empty() {
            form.note = Note::error("Name: type a name of 1 to 100 characters.");
            return;
        }
        if name.chars().count() > 100 {
            form.note = Note::error("Name: at most 100 characters.");
            return;
        }
        let noun = tab.noun();
        let (question, change, saying) = match (form.purpose, tab) {
            (FormFor::New, Tab::List(list)) => {
                let with = form.sentiment.map(|s| format!(" ({})", sentiment_word(s))).unwrap_or_default();
                (
                    format!("Add the {noun} \"{name}\"{with}, placed last?"),
                    Change::Add(
                        list,
                        ListEntryChange {
                            name: name.clone(),
                            sentiment: form.sentiment,
                            position: None,
                            active: true,
                        },
                    ),
                    format!("Added the {noun} \"{name}\"."),
                )
            }
            (FormFor::Rename(id), Tab::List(list)) => {
                let Some(old) = self.lists[Lists::index(list)]
                    .as_ref()
                    .and_then(|e| e.iter().find(|e| e.id == id))
                else {
                    return;
                };
                (
                    format!("Rename \"{}\" to \"{name}\"? Records that use it show the new name.", old.name),
                    Change::Update(
                        list,
                        id,
                        ListEntryChange {
                            name: name.clone(),
                            sentiment: old.sentiment,
                            position: None,
                            active: old.active,
                        },
                    ),
                    format!("Renamed \"{}\" to \"{name}\".", old.name),
                )
            }
            (FormFor::Period(at), Tab::Bells) => {
                let times = clock(&form.text(1), "Starts").and_then(|s| clock(&form.text(2), "Ends").map(|e| (s, e)));
                let (starts, ends) = match times {
                    Ok(t) => t,
                    Err(e) => {
                        form.note = Note::error(e);
                        return;
                    }
                };
                if ends <= starts {
                    form.note = Note::error("Ends: a period ends after it starts.");
                    return;
                }
                let mut day = self.bells.clone().unwrap_or_default();
                let period = BellPeriod {
                    number: 0,
                    name: name.clone(),
                    starts,
                    ends,
                };
                match at {
                    Some(at) if at < day.len() => day[at] = period,
                    _ => day.push(period),
                }
                day.sort_by_key(|p| p.starts);
                let verb = if at.is_some() { "Change" } else { "Add" };
                (
                    format!("{verb} {name}, {}–{}, in the bell times?", hm(starts), hm(ends)),
                    Change::Bells(renumbered(day)),
                    format!("Saved {name}, {}–{}, in the bell times.", hm(starts), hm(ends)),
                )
            }
            _ => return,
        };
        form.note = None;
        self.ask(question, change, saying);
    }

    /// A change landed: say so, close the form, reload.
    fn done(&mut self, message: String, cx: &mut Cx) {
        cx.say(message);
        self.form = None;
        self.load(cx);
    }

    /// A change was refused: show why, keep what was typed.
    fn refused(&mut self, e: &ApiError, cx: &mut Cx) {
        self.saying = None;
        match &mut self.form {
            Some(form) => form.note = Note::error(e.change_failed("Not saved")),
            None => cx.error(e.change_failed("Not changed")),
        }
    }
}

/// `09:00`.
fn hm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// The day numbered from 1, in order.
fn renumbered(day: Vec<BellPeriod>) -> Vec<BellPeriod> {
    day.into_iter()
        .zip(1..)
        .map(|(p, number)| BellPeriod { number, ..p })
        .collect()
}

impl Page for Lists {
    fn title(&self) -> String {
        format!("Lists: {}", self.current().label())
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        if self.confirm.is_some() {
            &[confirm::KEYS]
        } else if self.form.is_some() {
            &[FORM_KEYS]
        } else {
            TABLES
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (60, 16)
    }

    fn edits_text(&self) -> bool {
        self.form.is_some()
    }

    fn modal(&self) -> bool {
        self.confirm.is_some()
    }

    fn has_draft(&self) -> bool {
        self.form.as_ref().is_some_and(|f| f.fields.iter().any(|t| !t.is_empty()))
    }

    fn start(&mut self, cx: &mut Cx) {
        self.load(cx);
    }

    fn refresh(&mut self, cx: &mut Cx) {
        self.load(cx);
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if self.confirm.is_some() {
            match Confirm::key(&mut self.confirm, &key) {
                Answered::Yes(change) => {
                    if let Change::Bells(day) = &change {
                        let before = self.bells.as_deref().unwrap_or_default();
                        let same = |a: &BellPeriod, b: &BellPeriod| a.name == b.name && a.starts == b.starts && a.ends == b.ends;
                        self.follow_period = day.iter().position(|p| !before.iter().any(|b| same(b, p)));
                    }
                    cx.call(change_call(change));
                    cx.say("Saving…");
                }
                Answered::No => self.saying = None,
                Answered::Waiting => {}
            }
            return true;
        }
        if self.form.is_some() {
            self.form_key(key);
            return true;
        }
        match keymap::lookup(TABLES, &key) {
            Some(action) => {
                self.list_key(action, cx);
                true
            }
            None => false,
        }
    }

    fn paste(&mut self, text: &str, _cx: &mut Cx) {
        if let Some(form) = &mut self.form
            && let Some(field) = form.fields.get_mut(form.focus)
        {
            field.paste(text);
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        match take::<Reply>(reply) {
            Some(Reply::List(Ok(entries))) => {
                let mut items = entries.items;
                items.sort_by_key(|e| e.position);
                let followed = self.follow.take().and_then(|id| items.iter().position(|e| e.id == id));
                self.lists[Lists::index(entries.list)] = Some(items);
                self.failed = None;
                self.selected = followed.unwrap_or(self.selected).min(self.rows().saturating_sub(1));
            }
            Some(Reply::Periods(Ok(list))) => {
                self.bells = Some(list.items);
                self.failed = None;
                let followed = self.follow_period.take();
                self.selected = followed.unwrap_or(self.selected).min(self.rows().saturating_sub(1));
            }
            Some(Reply::List(Err(e)) | Reply::Periods(Err(e))) if !e.offline() && !e.session_ended() => {
                    self.failed = Some(format!("The list could not be loaded: {e}"));
                }
                Some(Reply::List(Err(_)) | Reply::Periods(Err(_))) => {}
            Some(Reply::Entry(Ok(entry))) => {
                self.follow = Some(entry.id);
                let said = self.saying.take().unwrap_or_else(|| "Saved.".into());
                self.done(said, cx);
            }
            Some(Reply::Bells(Ok(done))) => {
                self.saying = None;
                self.done(done.message, cx);
            }
            Some(Reply::Entry(Err(e)) | Reply::Bells(Err(e))) => self.refused(&e, cx),
            None => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let [tabs_area, list_area] = Layout::vertical([Constraint::Length(1), Constraint::Min(3)]).areas(area);
        let sep = ctx.glyphs.sep();
        let mut spans = Vec::new();
        for (i, t) in TABS.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(sep));
            }
            let style = if i == self.tab { ctx.theme.selected() } else { ctx.theme.dim() };
            spans.push(Span::styled(format!(" {} ", t.label()), style));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), tabs_area);
        let block = ctx.block(&self.title());
        let inner = block.inner(list_area);
        f.render_widget(block, list_area);
        let lines = self.lines(ctx, usize::from(inner.height));
        f.render_widget(Paragraph::new(lines), inner);
        let tab = self.current();
        if let Some(form) = &mut self.form {
            render_form(form, tab, f, area, ctx);
        }
        if let Some(c) = &self.confirm {
            c.render(f, area, ctx);
        }
    }

    fn summary(&self) -> String {
        format!(
            "Lists {{ tab: {}, rows: {}, form: {}, confirming: {} }}",
            self.current().label(),
            self.rows(),
            self.form.is_some(),
            self.confirm.is_some()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Lists {
    /// The visible slice of the tab's rows, `height` of them around the selection.
    fn lines(&self, ctx: &Ctx<'_>, height: usize) -> Vec<Line<'static>> {
        let message = |text: String, error: bool| {
            let style = if error { ctx.theme.error() } else { ctx.theme.dim() };
            vec![Line::from(Span::styled(ctx.glyphs.text(&text).into_owned(), style))]
        };
        if let Some(failed) = &self.failed {
            return message(failed.clone(), true);
        }
        let first = self.selected.saturating_sub(height.saturating_sub(1));
        let mark = |i: usize| if i == self.selected { ctx.glyphs.mark() } else { " " };
        let pick = |i: usize, line: Line<'static>| {
            if i == self.selected { line.style(ctx.theme.selected()) } else { line }
        };
        match self.current() {
            Tab::Bells => match &self.bells {
                None => message("Loading the bell times…".into(), false),
                Some(day) if day.is_empty() => message("No bell times yet: n adds the first period.".into(), false),
                Some(day) => day
                    .iter()
                    .enumerate()
                    .skip(first)
                    .take(height)
                    .map(|(i, p)| {
                        let text = format!("{} {:>2}  {:<20} {}–{}", mark(i), p.number, p.name, hm(p.starts), hm(p.ends));
                        pick(i, Line::from(ctx.glyphs.text(&text).into_owned()))
                    })
                    .collect(),
            },
            Tab::List(_) => match self.entries() {
                None => message("Loading the list…".into(), false),
                Some([]) => message("Nothing in this list yet: n adds the first.".into(), false),
                Some(entries) => entries
                    .iter()
                    .enumerate()
                    .skip(first)
                    .take(height)
                    .map(|(i, e)| {
                        let sentiment = e.sentiment.map(|s| format!("  ({})", sentiment_word(s))).unwrap_or_default();
                        let state = if e.active {
                            format!("  used on {} records", thousands(e.uses))
                        } else {
                            format!("  retired; kept on {} records", thousands(e.uses))
                        };
                        let text = format!("{} {:>2}. {}{sentiment}{state}", mark(i), i + 1, e.name);
                        let line = Line::from(ctx.glyphs.text(&text).into_owned());
                        let line = if e.active { line } else { line.style(ctx.theme.dim()) };
                        pick(i, line)
                    })
                    .collect(),
            },
        }
    }
}

/// The form, over the list.
fn render_form(form: &mut Form, tab: Tab, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
    let extra = u16::from(form.sentiment.is_some()) + 2;
    let fields = u16::try_from(form.fields.len()).unwrap_or(3) * 3;
    let r = centered(area, 60, fields + extra + 2);
    f.render_widget(Clear, r);
    let title = match form.purpose {
        FormFor::New => format!("A new {}", tab.noun()),
        FormFor::Rename(_) => format!("Rename the {}", tab.noun()),
        FormFor::Period(Some(_)) => "Change the period".into(),
        FormFor::Period(None) => "A new period".into(),
    };
    let block = ctx.block(&title).border_style(ctx.theme.focus());
    let inner = block.inner(r);
    f.render_widget(block, r);
    let mut constraints: Vec<Constraint> = form.fields.iter().map(|_| Constraint::Length(3)).collect();
    constraints.push(Constraint::Length(u16::from(form.sentiment.is_some())));
    constraints.push(Constraint::Min(1));
    let rows = Layout::vertical(constraints).split(inner);
    for (i, field) in form.fields.iter_mut().enumerate() {
        field.render(f, rows[i], i == form.focus, ctx.theme, ctx.glyphs);
    }
    let n = form.fields.len();
    if let Some(s) = form.sentiment {
        f.render_widget(
            Paragraph::new(format!(" Sentiment: {} (Tab changes it)", sentiment_word(s))),
            rows[n],
        );
    }
    note(f, rows[n + 1], form.note.as_ref(), ctx.theme, ctx.glyphs);
    if form.note.is_none() {
        f.render_widget(
            Paragraph::new("Enter saves (asks first) · Esc stops").style(ctx.theme.dim()).wrap(Wrap { trim: true }),
            rows[n + 1],
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_read_as_typed_and_refusals_say_what_to_type() {
        assert_eq!(clock("09:00", "Starts"), Ok(NaiveTime::from_hms_opt(9, 0, 0).unwrap()));
        assert_eq!(clock(" 9.05 ", "Starts"), Ok(NaiveTime::from_hms_opt(9, 5, 0).unwrap()));
        assert_eq!(clock("1510", "Ends"), Ok(NaiveTime::from_hms_opt(15, 10, 0).unwrap()));
        let e = clock("25:00", "Ends").unwrap_err();
        assert!(e.starts_with("Ends:") && e.contains("09:00"), "{e}");
        assert!(clock("", "Starts").is_err());
    }

    #[test]
    fn the_day_is_renumbered_from_one() {
        let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
        let p = |n, h| BellPeriod {
            number: n,
            name: format!("P{n}"),
            starts: t(h),
            ends: t(h + 1),
        };
        let day = renumbered(vec![p(2, 9), p(5, 11)]);
        assert_eq!(day.iter().map(|p| p.number).collect::<Vec<_>>(), [1, 2]);
    }
}
