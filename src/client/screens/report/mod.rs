//! The Incident Report and the Physical Intervention report: one multi-page form
//! ([`fields`] holds its fields), written after a hard moment and often interrupted, so it
//! never loses a word:
//! - moving between pages keeps everything; a failed submit keeps the form as it was, with the
//!   reason beside the fields on the review page;
//! - the form is saved as a server-side draft a few seconds after each change and at once when
//!   the client locks ([`crate::client::drafts`]); signing in again offers it back
//!   ([`resume`]); nothing goes to the client's disk;
//! - the submit goes through the outbox with the form's client UUID, so a network drop means a
//!   wait, never a loss or a double; the form stays until the server has recorded it, then says
//!   its reference;
//! - leaving with anything typed asks first (and may keep the draft to finish later).
//!
//! Keys: `Tab`/`Shift-Tab` fields, `PageDown`/`PageUp` or `Ctrl-N`/`Ctrl-P` pages, `Ctrl-S`
//! submits from any page (the review page says what is missing first), `F7` or `Ctrl-G` steps
//! through the language check's findings ([`crate::client::language`]).

mod calls;
pub mod fields;
pub mod resume;
mod view;

use std::any::Any;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::Rect;
use uuid::Uuid;

use self::calls::Reply;
use self::fields::{EXCLUSIONS, Field, Form, Input, Key, Lists, Problem};
use super::picker::{Picked, Picker};
use super::{Ctx, Cx, Note, Page};
use crate::client::call::{Typed, take};
use crate::client::drafts::{self, Autosave};
use crate::client::keymap::{self, Binding, KeyAction, b, ch, ctrl, k};
use crate::client::language::{self, Finding};
use crate::client::outbox::Outgoing;
use crate::client::widgets::choose::{Choose, Chose};
use crate::wire::{DraftKind, Incident, IncidentKind, IndividualRef, NewIncident};

/// `Ctrl-S`: submit.
const SUBMIT: KeyAction = KeyAction::Page(0);
/// Next page.
const NEXT_PAGE: KeyAction = KeyAction::Page(1);
/// Previous page.
const PREV_PAGE: KeyAction = KeyAction::Page(2);
/// The next language finding.
const NEXT_FINDING: KeyAction = KeyAction::Page(3);
/// Review page: submit, then open the Smart Plan builder.
const SUBMIT_PLAN: KeyAction = KeyAction::Page(4);
/// Review page: go to the field of the selected finding or problem.
const GO_TO: KeyAction = KeyAction::Page(5);
/// Leaving: throw the draft away.
const DISCARD: KeyAction = KeyAction::Page(6);

/// The keys while writing.
const KEYS: &[Binding] = &[
    b(&[ctrl('s')], "Ctrl-S", SUBMIT, "submit", true),
    b(&[k(KeyCode::Tab)], "Tab", KeyAction::NextField, "next field", false),
    b(
        &[k(KeyCode::BackTab)],
        "Shift-Tab",
        KeyAction::PrevField,
        "previous field",
        false,
    ),
    b(
        &[k(KeyCode::PageDown), ctrl('n')],
        "PgDn/Ctrl-N",
        NEXT_PAGE,
        "next page",
        true,
    ),
    b(
        &[k(KeyCode::PageUp), ctrl('p')],
        "PgUp/Ctrl-P",
        PREV_PAGE,
        "previous page",
        false,
    ),
    b(
        &[k(KeyCode::F(7)), ctrl('g')],
        "F7/Ctrl-G",
        NEXT_FINDING,
        "next language finding",
        false,
    ),
    b(
        &[],
        "Enter/Space",
        KeyAction::Edit,
        "on a list: choose; on yes/no: y, n or Space",
        false,
    ),
    b(
        &[],
        "Backspace",
        KeyAction::Edit,
        "on a list of people: take out the last",
        false,
    ),
    b(
        &[],
        "1-5 ↑/↓",
        KeyAction::Edit,
        "on techniques: rate the one selected (0 clears)",
        false,
    ),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "leave", true),
];
/// The keys of the review page.
const REVIEW_KEYS: &[Binding] = &[
    b(&[k(KeyCode::Enter), ctrl('s')], "Enter", SUBMIT, "submit", true),
    b(
        &[ch('b')],
        "b",
        SUBMIT_PLAN,
        "submit and open the Smart Plan builder",
        true,
    ),
    b(
        &[k(KeyCode::F(7)), ctrl('g'), ch('n')],
        "F7/n",
        NEXT_FINDING,
        "next finding",
        true,
    ),
    b(&[ch('o')], "o", GO_TO, "go to the field of the selected finding", true),
    b(
        &[ch('j'), k(KeyCode::Down)],
        "j/↓",
        KeyAction::Down,
        "scroll down",
        false,
    ),
    b(&[ch('k'), k(KeyCode::Up)], "k/↑", KeyAction::Up, "scroll up", false),
    b(
        &[k(KeyCode::PageUp), ctrl('p')],
        "PgUp",
        PREV_PAGE,
        "previous page",
        false,
    ),
    b(
        &[k(KeyCode::BackTab)],
        "Shift-Tab",
        KeyAction::PrevField,
        "last field of the page before",
        false,
    ),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "leave (asks first)", true),
];
/// The keys of the question "leave?".
const LEAVE_KEYS: &[Binding] = &[
    b(
        &[ch('y')],
        "y",
        KeyAction::Back,
        "leave: the draft stays on the server to finish later",
        true,
    ),
    b(&[ch('d')], "d", DISCARD, "leave and throw the draft away", true),
    b(
        &[ch('n'), k(KeyCode::Esc)],
        "n/Esc",
        KeyAction::Open,
        "stay and go on writing",
        true,
    ),
];
/// The keys while the report is on its way.
const SENDING_KEYS: &[Binding] = &[b(
    &[k(KeyCode::Esc)],
    "Esc",
    KeyAction::Back,
    "leave (the report stays in the outbox until it is recorded)",
    true,
)];

/// Where the report is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Being written.
    Writing,
    /// In the outbox, on its way.
    Sending,
    /// Recorded: its reference is being fetched.
    Recorded,
}

/// Something open over the form.
enum Overlay {
    /// Choosing from a list for a field.
    Choose(Key, Box<Choose>),
    /// Picking individuals for a field.
    Pick(Key, Box<Picker>),
    /// "Leave?"
    Leave,
}

/// The form page. `Debug` prints states and counts, never what was typed.
pub struct Report {
    /// The fields.
    pub form: Form,
    /// The setting's lists.
    pub lists: Lists,
    /// The page shown (the last is the review).
    pub page: usize,
    /// The field with the keys (an index into `form.fields`).
    pub focus: usize,
    overlay: Option<Overlay>,
    /// The server-side draft.
    pub autosave: Autosave,
    /// For an edit: the incident's reference and the revision it started from.
    pub edit: Option<(String, u32)>,
    /// Where the report is.
    pub state: State,
    /// The line under the form.
    pub note: Option<Note>,
    /// What was sent (to ask for its reference once it landed).
    sent: Option<NewIncident>,
    /// Open the Smart Plan builder once recorded.
    then_plan: bool,
    /// The review page's scroll, in rows.
    pub review_scroll: u16,
    /// The selected finding of the review page.
    pub finding: usize,
    /// The problems found at the last submit (shown beside the fields).
    pub problems: Vec<Problem>,
    /// The time of the last key (what the view reads typed times against).
    pub now: chrono::DateTime<chrono::Utc>,
}

impl std::fmt::Debug for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new Incident Report (`r` then `i`).
pub fn incident() -> Report {
    Report::new(IncidentKind::Incident, Vec::new())
}

/// A new Physical Intervention report (`r` then `p`).
pub fn physical_intervention() -> Report {
    Report::new(IncidentKind::PhysicalIntervention, Vec::new())
}

/// A new report of `kind` about `individual` (from a profile).
pub fn about(kind: IncidentKind, individual: IndividualRef) -> Report {
    Report::new(kind, vec![individual])
}

/// The form on an existing incident, to edit it (every change is kept as a revision).
pub fn edit(incident: Incident) -> Box<dyn Page> {
    let mut report = Report::new(incident.kind, Vec::new());
    report.form = Form::from_incident(&incident, crate::client::dates::Dates::LOCAL);
    report.edit = Some((incident.reference.clone(), incident.revision));
    report.autosave = Autosave::new(incident.id, draft_kind(incident.kind));
    Box::new(report)
}

/// The form as its draft left it (`content` as `GET /drafts/{id}` gave it).
pub fn resumed(draft: &crate::wire::Draft) -> Option<Report> {
    let form = Form::from_draft(&draft.content)?;
    let mut report = Report::new(form.kind, Vec::new());
    report.form = form;
    report.edit = draft
        .content
        .get("edit")
        .and_then(|e| serde_json::from_value::<(String, u32)>(e.clone()).ok());
    report.autosave = Autosave::resumed(draft);
    report.note = Note::info("Resumed from your draft: everything you typed is here.");
    Some(report)
}

fn draft_kind(kind: IncidentKind) -> DraftKind {
    match kind {
        IncidentKind::Incident => DraftKind::Incident,
        IncidentKind::PhysicalIntervention => DraftKind::PhysicalIntervention,
    }
}

impl Report {
    fn new(kind: IncidentKind, individuals: Vec<IndividualRef>) -> Report {
        let mut form = Form::new(kind);
        if !individuals.is_empty() {
            form.set(Key::Individuals, Input::People(individuals));
        }
        let id = Uuid::new_v4();
        Report {
            form,
            lists: Lists::default(),
            page: 0,
            focus: 0,
            overlay: None,
            autosave: Autosave::new(id, draft_kind(kind)),
            edit: None,
            state: State::Writing,
            note: None,
            sent: None,
            then_plan: false,
            review_scroll: 0,
            finding: 0,
            problems: Vec::new(),
            now: chrono::Utc::now(),
        }
    }

    /// The number of pages, the review included.
    pub fn pages(&self) -> usize {
        fields::pages(self.form.kind).len()
    }

    /// True on the review page.
    pub fn reviewing(&self) -> bool {
        self.page + 1 == self.pages()
    }

    /// The indices of the fields shown on the page now.
    pub fn visible(&self) -> Vec<usize> {
        self.on_page(self.page)
    }

    fn on_page(&self, page: usize) -> Vec<usize> {
        (0..self.form.fields.len())
            .filter(|&i| self.form.fields[i].page == page && self.form.shows(self.form.fields[i].key))
            .collect()
    }

    /// The field with the keys, when the page has fields.
    pub fn focused(&self) -> Option<&Field> {
        (!self.reviewing()).then(|| self.form.fields.get(self.focus)).flatten()
    }

    /// The draft's content: the fields, and for an edit what it edits.
    pub fn draft(&self) -> serde_json::Value {
        let mut content = self.form.to_draft();
        if let (Some(edit), Some(map)) = (&self.edit, content.as_object_mut()) {
            map.insert("edit".into(), serde_json::json!(edit));
        }
        content
    }

    /// The language check's findings in the text of `key`.
    pub fn findings(&self, key: Key) -> Vec<Finding> {
        match self.form.get(key).map(|f| &f.input) {
            Some(Input::Long(_) | Input::Line(_)) => language::current().check(&self.form.text(key)),
            _ => Vec::new(),
        }
    }

    /// Every finding of the form, with its field, in form order.
    pub fn all_findings(&self) -> Vec<(Key, Finding)> {
        self.form
            .fields
            .iter()
            .filter(|f| self.form.shows(f.key))
            .flat_map(|f| self.findings(f.key).into_iter().map(move |x| (f.key, x)))
            .collect()
    }

    fn go_page(&mut self, page: usize) {
        self.page = page.min(self.pages() - 1);
        self.review_scroll = 0;
        self.finding = 0;
        if let Some(&first) = self.visible().first() {
            self.focus = first;
        }
    }

    fn go_to(&mut self, key: Key) {
        if let Some(at) = self.form.fields.iter().position(|f| f.key == key) {
            self.page = self.form.fields[at].page;
            self.focus = at;
        }
    }

    /// Tab: the next field, on to the next page after the last.
    fn step_field(&mut self, forward: bool) {
        let shown = self.visible();
        let at = shown.iter().position(|&i| i == self.focus);
        match (at, forward) {
            (Some(i), true) if i + 1 < shown.len() => self.focus = shown[i + 1],
            (Some(i), false) if i > 0 => self.focus = shown[i - 1],
            (_, true) => self.go_page(self.page + 1),
            (_, false) if self.page > 0 => {
                self.page -= 1;
                if let Some(&last) = self.visible().last() {
                    self.focus = last;
                }
            }
            _ => {}
        }
    }

    /// The fields changed: the draft is saved soon (once there is something to save).
    fn changed(&mut self, cx: &Cx) {
        if self.form.touched() {
            self.autosave.changed(cx.instant);
        }
    }

    /// Ctrl-S: send the report if it is complete, otherwise show what is missing.
    fn submit(&mut self, then_plan: bool, cx: &mut Cx) {
        self.problems = self.form.problems(cx.now, &self.lists, cx.dates, -1);
        if !self.problems.is_empty() {
            let n = self.problems.len();
            self.go_page(self.pages() - 1);
            self.note = Note::error(format!(
                "{n} thing{} to put right before it can be submitted: listed below (o goes to the first).",
                if n == 1 { "" } else { "s" }
            ));
            return;
        }
        let Some(report) = self.form.report(self.autosave.id(), cx.now, &self.lists, cx.dates) else {
            self.note = Note::error("Check the times: one of them is not a time this form takes.");
            return;
        };
        let individual = self.form.first_individual().map(|p| p.name).unwrap_or_default();
        self.sent = Some(report.clone());
        self.then_plan = then_plan;
        self.state = State::Sending;
        cx.send(Outgoing::Incident {
            report: Box::new(report),
            edit: self.edit.clone(),
            individual,
        });
        self.note = Note::info(
            "Sending… If the server cannot be reached, the report waits in the outbox and goes as soon as it can: nothing is lost.",
        );
    }

    fn is_mine(&self, what: &Outgoing) -> bool {
        matches!(what, Outgoing::Incident { report, edit, .. }
            if report.id == self.autosave.id() && *edit == self.edit)
    }

    /// A key while the form has the keys.
    fn form_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let tables: &[&[Binding]] = if self.reviewing() { &[REVIEW_KEYS] } else { &[KEYS] };
        let action = keymap::lookup(tables, &key);
        self.act(action, key, cx);
        // The review page always says what is missing, before any submit.
        if self.reviewing() && !matches!(action, Some(SUBMIT | SUBMIT_PLAN)) {
            self.problems = self.form.problems(cx.now, &self.lists, cx.dates, -1);
        }
    }

    /// What a key of the form does.
    fn act(&mut self, action: Option<KeyAction>, key: KeyEvent, cx: &mut Cx) {
        match action {
            Some(SUBMIT) => self.submit(false, cx),
            Some(SUBMIT_PLAN) => self.submit(true, cx),
            Some(NEXT_PAGE) => self.go_page(self.page + 1),
            Some(PREV_PAGE) => self.go_page(self.page.saturating_sub(1)),
            Some(KeyAction::NextField) => self.step_field(true),
            Some(KeyAction::PrevField) => self.step_field(false),
            Some(NEXT_FINDING) => self.next_finding(cx),
            Some(GO_TO) => self.go_to_selected(),
            Some(KeyAction::Down) => self.review_scroll = self.review_scroll.saturating_add(1),
            Some(KeyAction::Up) => self.review_scroll = self.review_scroll.saturating_sub(1),
            Some(KeyAction::PageDown) => self.review_scroll = self.review_scroll.saturating_add(10),
            Some(KeyAction::Back) if self.form.touched() => self.overlay = Some(Overlay::Leave),
            Some(KeyAction::Back) => cx.back(),
            _ if self.reviewing() => {
                if key.code == KeyCode::Char('?') {
                    cx.help();
                } else {
                    cx.say("Enter submits, b submits and opens the Smart Plan builder, PgUp goes back a page.");
                }
            }
            _ => self.field_key(key, cx),
        }
    }

    /// F7: in a field, the cursor to its next finding; on the review page, the next finding.
    fn next_finding(&mut self, cx: &mut Cx) {
        if self.reviewing() {
            let n = self.all_findings().len();
            self.finding = if n == 0 { 0 } else { (self.finding + 1) % n };
            if n == 0 {
                cx.say("The language check found nothing to look at again.");
            }
            return;
        }
        if let Some(Field {
            input: Input::Long(b), ..
        }) = self.form.fields.get_mut(self.focus)
        {
            b.next_match();
        }
        if self.current_finding().is_none() {
            cx.say("The language check finds nothing in this field.");
        }
    }

    /// The finding of the focused field at or after its cursor (else its first), with its
    /// place among them: what the line under the field explains.
    pub fn current_finding(&self) -> Option<(Finding, usize, usize)> {
        let field = self.focused()?;
        let found = self.findings(field.key);
        let cursor = match &field.input {
            Input::Long(b) => b.cursor_offset(),
            _ => 0,
        };
        let at = found.iter().position(|f| f.range.end > cursor).unwrap_or(0);
        let total = found.len();
        found.into_iter().nth(at).map(|f| (f, at + 1, total))
    }

    /// `o` on the review page: to the field of the first problem, or of the selected finding.
    fn go_to_selected(&mut self) {
        let key = match self.problems.first() {
            Some(p) => Some(p.key),
            None => self.all_findings().get(self.finding).map(|(key, _)| *key),
        };
        if let Some(key) = key {
            self.go_to(key);
        }
    }

    /// A key for the focused field.
    fn field_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let plain = !key.modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        let Some(field) = self.form.fields.get_mut(self.focus) else {
            return;
        };
        let field_key = field.key;
        let mut next = false;
        let mut open = false;
        let used = match &mut field.input {
            Input::Long(b) => b.input(key),
            Input::Line(_) if key.code == KeyCode::Enter => {
                next = true;
                true
            }
            Input::Line(l) => l.input(key),
            Input::YesNo(y) => match key.code {
                KeyCode::Char(' ') => {
                    *y = !*y;
                    true
                }
                KeyCode::Char('y' | 'Y') if plain => {
                    *y = true;
                    true
                }
                KeyCode::Char('n' | 'N') if plain => {
                    *y = false;
                    true
                }
                KeyCode::Enter => {
                    next = true;
                    true
                }
                _ => false,
            },
            Input::Choice(c) => match key.code {
                KeyCode::Enter | KeyCode::Char(' ') => {
                    open = true;
                    true
                }
                KeyCode::Backspace | KeyCode::Delete if field_key != Key::Exclusion => {
                    *c = None;
                    true
                }
                _ => false,
            },
            Input::People(people) => match key.code {
                KeyCode::Enter | KeyCode::Char(' ') => {
                    open = true;
                    true
                }
                KeyCode::Backspace | KeyCode::Delete => people.pop().is_some(),
                _ => false,
            },
            Input::Staff(staff) => match key.code {
                KeyCode::Enter | KeyCode::Char(' ') => {
                    open = true;
                    true
                }
                KeyCode::Backspace | KeyCode::Delete => staff.pop().is_some(),
                _ => false,
            },
            Input::Ratings(ratings, row) => {
                let list = match field_key {
                    Key::Deescalation => &self.lists.deescalation,
                    _ => &self.lists.physical,
                };
                let last = list.len().saturating_sub(1);
                match key.code {
                    KeyCode::Down | KeyCode::Char('j') => {
                        *row = (*row + 1).min(last);
                        true
                    }
                    KeyCode::Up | KeyCode::Char('k') => {
                        *row = row.saturating_sub(1);
                        true
                    }
                    KeyCode::Char(d @ '1'..='5') => {
                        if let Some(t) = list.get(*row) {
                            ratings.insert(t.id, d as u8 - b'0');
                            *row = (*row + 1).min(last);
                        }
                        true
                    }
                    KeyCode::Char('0' | ' ') | KeyCode::Backspace | KeyCode::Delete => {
                        if let Some(t) = list.get(*row) {
                            ratings.remove(&t.id);
                        }
                        true
                    }
                    _ => false,
                }
            }
        };
        if used {
            self.changed(cx);
            self.problems.retain(|p| p.key != field_key);
        }
        if next {
            self.step_field(true);
        }
        if open {
            self.open_chooser(field_key, cx);
        }
        if !used && key.code == KeyCode::Char('?') {
            cx.help();
        } else if !used && key.code == KeyCode::Enter {
            self.step_field(true);
        }
    }

    /// Open the list or picker of `key`.
    fn open_chooser(&mut self, key: Key, cx: &mut Cx) {
        let Some(field) = self.form.get(key) else { return };
        let items = |list: &[crate::wire::ListItem]| list.iter().map(|i| (i.id, i.name.clone())).collect::<Vec<_>>();
        self.overlay = match (&field.input, key) {
            (Input::People(_), _) => {
                let mut picker = Picker::new(true, true);
                picker.start(cx);
                Some(Overlay::Pick(key, Box::new(picker)))
            }
            (Input::Staff(chosen), _) => {
                let marked: Vec<i64> = chosen.iter().map(|s| s.id).collect();
                let staff = self.lists.staff.iter().map(|s| (s.id, s.name.clone())).collect();
                Some(Overlay::Choose(
                    key,
                    Box::new(Choose::new("Staff present", staff, true, &marked)),
                ))
            }
            (Input::Choice(c), Key::Exclusion) => {
                let options = EXCLUSIONS.iter().map(|(i, e)| (*i, e.label().to_string())).collect();
                let marked: Vec<i64> = c.iter().copied().collect();
                Some(Overlay::Choose(
                    key,
                    Box::new(Choose::new("Suspension or exclusion", options, false, &marked)),
                ))
            }
            (Input::Choice(c), Key::Location) => {
                let marked: Vec<i64> = c.iter().copied().collect();
                Some(Overlay::Choose(
                    key,
                    Box::new(Choose::new("Location", items(&self.lists.locations), false, &marked)),
                ))
            }
            (Input::Choice(c), _) => {
                let marked: Vec<i64> = c.iter().copied().collect();
                Some(Overlay::Choose(
                    key,
                    Box::new(Choose::new("Category", items(&self.lists.categories), false, &marked)),
                ))
            }
            _ => None,
        };
    }

    /// A key for what is open over the form.
    fn overlay_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Some(overlay) = self.overlay.take() else { return };
        match overlay {
            Overlay::Leave => match keymap::lookup(&[LEAVE_KEYS], &key) {
                Some(KeyAction::Back) => {
                    if let Some(call) = self.autosave.save(&self.draft(), false) {
                        cx.call(call);
                    }
                    cx.say("Your draft is kept on the server: it is offered back when you sign in.");
                    cx.back();
                }
                Some(DISCARD) => {
                    cx.call(self.autosave.discard());
                    cx.say("The report was thrown away.");
                    cx.back();
                }
                Some(KeyAction::Open) => {}
                _ => {
                    cx.say("y leaves (the draft is kept), d throws it away, n stays.");
                    self.overlay = Some(Overlay::Leave);
                }
            },
            Overlay::Choose(field, mut list) => match list.key(key) {
                Chose::Open => self.overlay = Some(Overlay::Choose(field, list)),
                Chose::Closed => {}
                Chose::Done(ids) => {
                    let input = match field {
                        Key::StaffPresent => Input::Staff(
                            self.lists
                                .staff
                                .iter()
                                .filter(|s| ids.contains(&s.id))
                                .cloned()
                                .collect(),
                        ),
                        _ => Input::Choice(ids.first().copied()),
                    };
                    self.form.set(field, input);
                    self.problems.retain(|p| p.key != field);
                    self.changed(cx);
                    self.step_field(true);
                }
            },
            Overlay::Pick(field, mut picker) => match picker.key(key) {
                Picked::Used => self.overlay = Some(Overlay::Pick(field, picker)),
                Picked::NotMine if key.code == KeyCode::Esc => {}
                Picked::NotMine => self.overlay = Some(Overlay::Pick(field, picker)),
                Picked::Individuals(picked) => {
                    if let Some(Field {
                        input: Input::People(people),
                        ..
                    }) = self.form.get_mut(field)
                    {
                        for p in picked {
                            if !people.iter().any(|q| q.id == p.id) {
                                people.push(IndividualRef { id: p.id, name: p.name });
                            }
                        }
                    }
                    self.problems.retain(|p| p.key != field);
                    self.changed(cx);
                }
            },
        }
    }
}

impl Page for Report {
    fn title(&self) -> String {
        let kind = match self.form.kind {
            IncidentKind::Incident => "Incident Report",
            IncidentKind::PhysicalIntervention => "Physical Intervention",
        };
        match &self.edit {
            Some((reference, _)) => format!("Editing {reference} ({kind})"),
            None => kind.into(),
        }
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        match (&self.overlay, self.state) {
            (Some(Overlay::Leave), _) => &[LEAVE_KEYS],
            (_, State::Sending | State::Recorded) => &[SENDING_KEYS],
            _ if self.reviewing() => &[REVIEW_KEYS],
            _ => &[KEYS],
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (60, 16)
    }

    fn edits_text(&self) -> bool {
        true
    }

    fn modal(&self) -> bool {
        true
    }

    fn has_draft(&self) -> bool {
        self.state == State::Writing && self.form.touched()
    }

    fn start(&mut self, cx: &mut Cx) {
        for call in calls::lists(self.form.kind == IncidentKind::PhysicalIntervention) {
            cx.call(call);
        }
        self.now = cx.now;
        self.form.opened.get_or_insert(cx.now);
    }

    fn refresh(&mut self, cx: &mut Cx) {
        for call in calls::lists(self.form.kind == IncidentKind::PhysicalIntervention) {
            cx.call(call);
        }
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        self.now = cx.now;
        if self.state != State::Writing {
            if key.code == KeyCode::Esc {
                cx.say("The report stays in the outbox until the server has recorded it.");
                cx.back();
            } else if key.code == KeyCode::Char('?') {
                cx.help();
            }
            return true;
        }
        if self.overlay.is_some() {
            self.overlay_key(key, cx);
        } else {
            self.form_key(key, cx);
        }
        true
    }

    fn paste(&mut self, text: &str, cx: &mut Cx) {
        if self.state != State::Writing {
            return;
        }
        if let Some(Overlay::Pick(_, picker)) = &mut self.overlay {
            picker.paste(text);
            return;
        }
        if self.overlay.is_some() || self.reviewing() {
            return;
        }
        match self.form.fields.get_mut(self.focus).map(|f| &mut f.input) {
            Some(Input::Long(b)) => b.paste(text),
            Some(Input::Line(l)) => l.paste(text),
            _ => return,
        }
        self.changed(cx);
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let reply = match drafts::take(reply) {
            Ok(saved) => {
                self.autosave.reply(&saved, cx.instant);
                return;
            }
            Err(other) => other,
        };
        let reply = match &mut self.overlay {
            Some(Overlay::Pick(_, picker)) => match picker.reply(reply, cx) {
                Some(other) => other,
                None => return,
            },
            _ => reply,
        };
        let Some(reply) = take::<Reply>(reply) else { return };
        let failed = |what: &str, e: &crate::client::api::ApiError| {
            format!("Could not load the {what} ({e}): what you typed is kept; PgDn and back tries again.")
        };
        match reply {
            Reply::Locations(Ok(l)) => self.lists.locations = l.items,
            Reply::Categories(Ok(l)) => self.lists.categories = l.items,
            Reply::Staff(Ok(l)) => self.lists.staff = l.items,
            Reply::Techniques(Ok(l)) => {
                self.lists.deescalation = l.deescalation;
                self.lists.physical = l.physical;
            }
            Reply::Periods(Ok(l)) => self.lists.periods = l.items,
            Reply::Locations(Err(e)) if !e.offline() => self.note = Note::error(failed("locations", &e)),
            Reply::Staff(Err(e)) if !e.offline() => self.note = Note::error(failed("staff", &e)),
            Reply::Techniques(Err(e)) if !e.offline() => self.note = Note::error(failed("techniques", &e)),
            Reply::Recorded(recorded) => match *recorded {
                Ok(incident) => {
                    let who = self.form.first_individual();
                    cx.say(format!(
                        "Recorded {}: the key staff and any staff present have been told.",
                        incident.reference
                    ));
                    cx.back();
                    if self.then_plan
                        && let Some(individual) = who
                    {
                        cx.push(super::plans::builder(individual, Some(&incident), None));
                    }
                }
                Err(_) => {
                    cx.say("The report is recorded (its reference is on the Incidents list).");
                    cx.back();
                }
            },
            _ => {}
        }
    }

    fn settled(&mut self, what: &Outgoing, landed: bool, cx: &mut Cx) {
        if self.state != State::Sending || !self.is_mine(what) {
            return;
        }
        if landed {
            self.state = State::Recorded;
            match (&self.edit, &self.sent) {
                (Some((reference, _)), _) => cx.call(calls::incident(reference)),
                (None, Some(report)) => cx.call(calls::recorded(report)),
                (None, None) => cx.back(),
            }
        } else {
            self.state = State::Writing;
            self.note =
                Note::error("The server refused the report (the reason is above): everything you typed is still here.");
        }
    }

    fn kept_on_server(&self) -> bool {
        true
    }

    fn keep(&mut self, cx: &mut Cx) {
        if self.state == State::Writing
            && self.form.touched()
            && let Some(call) = self.autosave.save(&self.draft(), true)
        {
            cx.call(call);
        }
    }

    fn deadline(&self) -> Option<std::time::Instant> {
        match (self.state, self.form.touched()) {
            (State::Writing, true) => self.autosave.deadline(),
            _ => None,
        }
    }

    fn on_deadline(&mut self, cx: &mut Cx) {
        if let Some(call) = self.autosave.save(&self.draft(), false) {
            cx.call(call);
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        view::render(self, f, area, ctx);
        match &mut self.overlay {
            Some(Overlay::Choose(_, list)) => list.render(f, area, ctx),
            Some(Overlay::Pick(key, picker)) => {
                let title = match key {
                    Key::Others => "Other individuals involved (Space marks, Enter adds)",
                    _ => "Who is it about? (Space marks several, Enter adds)",
                };
                let inner = super::centered(area, area.width.saturating_sub(4), area.height.saturating_sub(2));
                f.render_widget(ratatui::widgets::Clear, inner);
                picker.render(f, inner, title, ctx);
            }
            Some(Overlay::Leave) | None => {}
        }
    }

    fn summary(&self) -> String {
        format!(
            "Report {{ kind: {:?}, page: {}, focus: {}, state: {:?}, touched: {}, editing: {} }}",
            self.form.kind,
            self.page,
            self.focus,
            self.state,
            self.form.touched(),
            self.edit.is_some()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// True while "Leave?" is asked (the view says so).
pub fn leaving(report: &Report) -> bool {
    matches!(report.overlay, Some(Overlay::Leave))
}
