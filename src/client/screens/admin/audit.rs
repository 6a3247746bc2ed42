//! Audit log (`t` on the Admin hub): newest first (`GET /admin/audit`), the next older page
//! asked for as the selection nears the end (`before` = the last page's cursor), only the
//! visible slice built. Filters above the table: user (`u`, chosen from the staff list),
//! action prefix, record and period (`/`: typed, dates as `28/11/26`). The chain's state on
//! screen (`GET /admin/audit/verify`: "Audit chain verified up to row 10,412", or in the
//! error colour "Chain broken at row 1,001: verified up to row 1,000"; `V` checks again).
//! `w` exports the filtered rows (`GET /admin/audit/export`, asked first) and saves the CSV
//! through `client::export` (0600, never overwriting): "Saved 1,234 rows to …".

use std::any::Any;

use chrono::NaiveDate;
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::confirm::{self, Answered, Confirm, thousands};
use super::staff_pick::{self, Chosen, StaffPick};
use crate::client::api::{Answer, ApiError, Request};
use crate::client::call::{Call, Typed, take};
use crate::client::keymap::{self, Binding, KeyAction, LIST, b, ch, k};
use crate::client::screens::incidents::filters::day_of;
use crate::client::screens::{Ctx, Cx, Note, Page, centered};
use crate::client::widgets::popup::note;
use crate::client::widgets::slice_table::{SliceTable, follow};
use crate::client::widgets::text_field::TextField;
use crate::wire::{AuditPage, AuditQuery, AuditRow, AuditVerification, CsvExport, StaffRef};

/// `/`: the typed filters.
const FILTER: KeyAction = KeyAction::Page(0);
/// `u`: only one member of staff's rows.
const USER: KeyAction = KeyAction::Page(1);
/// `w`: export to CSV.
const EXPORT: KeyAction = KeyAction::Page(2);
/// `V`: check the chain again.
const VERIFY: KeyAction = KeyAction::Page(3);
/// `C`: clear every filter.
const CLEAR: KeyAction = KeyAction::Page(4);

/// The log's own keys, after [`LIST`].
const OWN_KEYS: &[Binding] = &[
    b(&[ch('/')], "/", FILTER, "filter by action, record and period", true),
    b(&[ch('u')], "u", USER, "only one member of staff", true),
    b(&[ch('C')], "C", CLEAR, "clear the filters", false),
    b(&[ch('w')], "w", EXPORT, "export the filtered rows to CSV", true),
    b(&[ch('V')], "V", VERIFY, "check the chain again", false),
];

/// The tables of the log.
const TABLES: &[&[Binding]] = &[LIST, OWN_KEYS];

/// The keys of the filter form.
const FORM_KEYS: &[Binding] = &[
    b(&[], "letters", KeyAction::Edit, "type", false),
    b(&[k(KeyCode::Tab)], "Tab", KeyAction::NextField, "next field", true),
    b(&[k(KeyCode::BackTab)], "Shift-Tab", KeyAction::PrevField, "previous field", false),
    b(&[k(KeyCode::Enter)], "Enter", KeyAction::Submit, "apply the filters", true),
    b(&[k(KeyCode::Esc)], "Esc", KeyAction::Back, "stop: the filters stay as they were", true),
];

/// The replies of the log's calls.
enum Reply {
    /// A page of rows (`older`: appended to what is shown).
    Page { older: bool, page: Result<AuditPage, ApiError> },
    /// `GET /admin/audit/verify`.
    Verified(Result<AuditVerification, ApiError>),
    /// `GET /admin/audit/export`.
    Export(Result<CsvExport, ApiError>),
}

/// The filters as the server takes them.
fn with_query(mut r: Request, q: &AuditQuery) -> Request {
    if let Some(id) = q.actor_id {
        r = r.query("actor_id", id.to_string());
    }
    if let Some(a) = &q.action {
        r = r.query("action", a.clone());
    }
    if let Some(t) = &q.target {
        r = r.query("target", t.clone());
    }
    if let Some(d) = q.from {
        r = r.query("from", d.to_string());
    }
    if let Some(d) = q.to {
        r = r.query("to", d.to_string());
    }
    if let Some(before) = q.before {
        r = r.query("before", before.to_string());
    }
    r
}

fn page_call(q: &AuditQuery) -> Call {
    let older = q.before.is_some();
    Call::new(
        "audit",
        with_query(Request::get("/admin/audit"), q).session(),
        move |r: Result<Answer, ApiError>| Reply::Page {
            older,
            page: r.and_then(Answer::typed),
        },
    )
}

fn verify_call() -> Call {
    Call::new(
        "audit-verify",
        Request::get("/admin/audit/verify").session(),
        |r: Result<Answer, ApiError>| Reply::Verified(r.and_then(Answer::typed)),
    )
}

fn export_call(q: &AuditQuery) -> Call {
    Call::new(
        "audit-export",
        with_query(Request::get("/admin/audit/export"), q).session(),
        |r: Result<Answer, ApiError>| Reply::Export(r.and_then(Answer::typed)),
    )
}

/// The typed filters: action, record, from, to.
struct Form {
    fields: [TextField; 4],
    focus: usize,
    note: Option<Note>,
}

/// A typed day (`28/11/26`, or `28/11` this year), none when empty.
fn day(text: &str, field: &str, today: NaiveDate) -> Result<Option<NaiveDate>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    crate::client::when::date(text, today)
        .map(Some)
        .map_err(|_| format!("{field}: \"{text}\" is not a date. Type it as 28/11/26."))
}

/// The Audit log page. `Debug` prints counts only.
pub struct Audit {
    query: AuditQuery,
    user: Option<StaffRef>,
    rows: Vec<AuditRow>,
    next: Option<i64>,
    loading: bool,
    loaded: bool,
    failed: Option<String>,
    chain: Option<Result<AuditVerification, String>>,
    selected: usize,
    offset: usize,
    page: usize,
    form: Option<Form>,
    choosing: bool,
    staff: StaffPick,
    confirm: Option<Confirm<()>>,
}

impl std::fmt::Debug for Audit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new Audit log page.
pub fn new_page() -> Box<dyn Page> {
    Box::new(Audit {
        query: AuditQuery::default(),
        user: None,
        rows: Vec::new(),
        next: None,
        loading: false,
        loaded: false,
        failed: None,
        chain: None,
        selected: 0,
        offset: 0,
        page: 10,
        form: None,
        choosing: false,
        staff: StaffPick::default(),
        confirm: None,
    })
}

impl Audit {
    /// Rows shown so far.
    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    /// Start again from the newest row with the filters now.
    fn reload(&mut self, cx: &mut Cx) {
        self.query.before = None;
        self.loading = true;
        cx.call(page_call(&self.query));
    }

    /// Ask for the next older page when the selection is within a page of the end.
    fn more(&mut self, cx: &mut Cx) {
        if let Some(before) = self.next
            && !self.loading
            && self.selected + self.page.max(1) >= self.rows.len()
        {
            self.loading = true;
            cx.call(page_call(&AuditQuery {
                before: Some(before),
                ..self.query.clone()
            }));
        }
    }

    /// The filters in words, for the line above the table.
    fn filters(&self, ctx: &Ctx<'_>) -> String {
        let uk = |d: NaiveDate| d.format("%d/%m/%y").to_string();
        let mut parts = Vec::new();
        if let Some(u) = &self.user {
            parts.push(format!("user {}", u.name));
        }
        if let Some(a) = &self.query.action {
            parts.push(format!("action {a}…"));
        }
        if let Some(t) = &self.query.target {
            parts.push(format!("record \"{t}\""));
        }
        match (self.query.from, self.query.to) {
            (Some(f), Some(t)) => parts.push(format!("{} to {}", uk(f), uk(t))),
            (Some(f), None) => parts.push(format!("from {}", uk(f))),
            (None, Some(t)) => parts.push(format!("to {}", uk(t))),
            (None, None) => {}
        }
        if parts.is_empty() {
            "Filters: none (/ action, record, period · u user)".into()
        } else {
            format!("Filters: {}", parts.join(ctx.glyphs.sep()))
        }
    }

    fn form_key(&mut self, key: KeyEvent, cx: &mut Cx) {
        let Some(form) = &mut self.form else { return };
        match key.code {
            KeyCode::Esc => self.form = None,
            KeyCode::Tab => form.focus = (form.focus + 1) % 4,
            KeyCode::BackTab => form.focus = (form.focus + 3) % 4,
            KeyCode::Enter => {
                let today = day_of(cx.now, cx.dates);
                let text = |i: usize| form.fields[i].text().trim().to_string();
                let dates = day(&text(2), "From", today).and_then(|f| day(&text(3), "To", today).map(|t| (f, t)));
                let (from, to) = match dates {
                    Ok(d) => d,
                    Err(e) => {
                        form.note = Note::error(e);
                        return;
                    }
                };
                if let (Some(f), Some(t)) = (from, to)
                    && t < f
                {
                    form.note = Note::error("To: the period ends on or after the day it starts.");
                    return;
                }
                let some = |s: String| (!s.is_empty()).then_some(s);
                for (i, name) in [(0, "Action"), (1, "Record")] {
                    if text(i).chars().count() > 100 {
                        form.note = Note::error(format!("{name}: at most 100 characters."));
                        return;
                    }
                }
                self.query.action = some(text(0));
                self.query.target = some(text(1));
                self.query.from = from;
                self.query.to = to;
                self.form = None;
                self.reload(cx);
            }
            _ => {
                form.fields[form.focus].input(key);
            }
        }
    }

    fn open_form(&mut self) {
        let mut fields = [
            TextField::plain("Action starts with (admin., login.failed)"),
            TextField::plain("Record contains (a user id, besmart-10281)"),
            TextField::plain("From (28/11/26)"),
            TextField::plain("To (02/12/26)"),
        ];
        let uk = |d: Option<NaiveDate>| d.map(|d| d.format("%d/%m/%y").to_string()).unwrap_or_default();
        fields[0].set(self.query.action.as_deref().unwrap_or_default());
        fields[1].set(self.query.target.as_deref().unwrap_or_default());
        fields[2].set(&uk(self.query.from));
        fields[3].set(&uk(self.query.to));
        self.form = Some(Form {
            fields,
            focus: 0,
            note: None,
        });
    }
}

impl Page for Audit {
    fn title(&self) -> String {
        let more = if self.next.is_some() { "+" } else { "" };
        format!("Audit log ({}{more} rows)", thousands(i64::try_from(self.rows.len()).unwrap_or(i64::MAX)))
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        if self.confirm.is_some() {
            &[confirm::KEYS]
        } else if self.choosing {
            &[staff_pick::KEYS]
        } else if self.form.is_some() {
            &[FORM_KEYS]
        } else {
            TABLES
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (60, 14)
    }

    fn edits_text(&self) -> bool {
        self.form.is_some() || self.choosing
    }

    fn modal(&self) -> bool {
        self.confirm.is_some()
    }

    fn start(&mut self, cx: &mut Cx) {
        self.reload(cx);
        cx.call(verify_call());
    }

    fn refresh(&mut self, cx: &mut Cx) {
        self.start(cx);
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if self.confirm.is_some() {
            if let Answered::Yes(()) = Confirm::key(&mut self.confirm, &key) {
                cx.call(export_call(&self.query));
                cx.say("Exporting…");
            }
            return true;
        }
        if self.choosing {
            match self.staff.key(key) {
                Chosen::Used => {}
                Chosen::Staff(user) => {
                    self.choosing = false;
                    self.query.actor_id = Some(user.id);
                    self.user = Some(user);
                    self.reload(cx);
                }
                Chosen::Stop => self.choosing = false,
            }
            return true;
        }
        if self.form.is_some() {
            self.form_key(key, cx);
            return true;
        }
        let Some(action) = keymap::lookup(TABLES, &key) else {
            return false;
        };
        let last = self.rows.len().saturating_sub(1);
        let page = self.page.max(1);
        match action {
            KeyAction::Down => self.selected = (self.selected + 1).min(last),
            KeyAction::Up => self.selected = self.selected.saturating_sub(1),
            KeyAction::PageDown => self.selected = (self.selected + page).min(last),
            KeyAction::PageUp => self.selected = self.selected.saturating_sub(page),
            KeyAction::Top => self.selected = 0,
            KeyAction::Bottom => self.selected = last,
            FILTER => self.open_form(),
            USER => {
                self.choosing = true;
                self.staff.start(cx);
            }
            CLEAR => {
                self.query = AuditQuery::default();
                self.user = None;
                self.reload(cx);
            }
            VERIFY => {
                cx.call(verify_call());
                cx.say("Checking the chain…");
            }
            EXPORT => {
                let filtered = if self.filters_set() { "matching the filters" } else { "(no filter)" };
                self.confirm = Some(Confirm::new(
                    format!("Export the audit rows {filtered} to a CSV file? The export is itself audited."),
                    (),
                ));
            }
            _ => return false,
        }
        self.more(cx);
        true
    }

    fn paste(&mut self, text: &str, _cx: &mut Cx) {
        if self.choosing {
            self.staff.paste(text);
        } else if let Some(form) = &mut self.form {
            form.fields[form.focus].paste(text);
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let Some(reply) = self.staff.reply(reply) else { return };
        match take::<Reply>(reply) {
            Some(Reply::Page { older, page: Ok(page) }) => {
                self.loading = false;
                self.loaded = true;
                self.failed = None;
                if !older {
                    self.rows.clear();
                    self.selected = 0;
                    self.offset = 0;
                }
                self.rows.extend(page.items);
                self.next = page.next_cursor;
            }
            Some(Reply::Page { page: Err(e), .. }) => {
                self.loading = false;
                if !e.offline() && !e.session_ended() {
                    self.failed = Some(format!("The audit log could not be loaded: {e}"));
                }
            }
            Some(Reply::Verified(v)) => self.chain = Some(v.map_err(|e| e.to_string())),
            Some(Reply::Export(Ok(export))) => {
                let mut what = format!("{} rows", thousands(export.rows));
                if export.truncated {
                    what.push_str(" (the export's limit: narrow the filters for the rest)");
                }
                cx.save_counted(export.filename, export.csv, what);
            }
            Some(Reply::Export(Err(e))) => cx.error(format!("Not exported: {e}")),
            None => {}
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        if self.choosing {
            self.staff.render(f, area, "Only the rows of…", ctx);
            return;
        }
        let [chain_area, filter_area, table_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Min(3)]).areas(area);
        let chain = match &self.chain {
            None => Span::styled("Checking the audit chain…", ctx.theme.dim()),
            Some(Ok(v)) if v.intact => Span::styled(
                format!("Audit chain verified up to row {}", thousands(v.verified_up_to)),
                ctx.theme.ok(),
            ),
            Some(Ok(v)) => Span::styled(
                format!(
                    "Chain broken at row {}: verified up to row {}",
                    thousands(v.first_bad_row.unwrap_or(v.verified_up_to + 1)),
                    thousands(v.verified_up_to)
                ),
                ctx.theme.error(),
            ),
            Some(Err(e)) => Span::styled(format!("The chain could not be checked: {e}"), ctx.theme.error()),
        };
        f.render_widget(Paragraph::new(Line::from(chain)), chain_area);
        f.render_widget(
            Paragraph::new(ctx.glyphs.text(&self.filters(ctx)).into_owned()).style(ctx.theme.dim()),
            filter_area,
        );
        let block = ctx.block(&self.title());
        let inner = block.inner(table_area);
        f.render_widget(block, table_area);
        let empty = match (&self.failed, self.loaded) {
            (Some(e), _) => Some((e.clone(), true)),
            (None, false) => Some(("Loading the audit log…".to_string(), false)),
            (None, true) if self.rows.is_empty() => Some(("No audit rows match the filters.".to_string(), false)),
            _ => None,
        };
        if let Some((msg, error)) = empty {
            let style = if error { ctx.theme.error() } else { ctx.theme.dim() };
            f.render_widget(Paragraph::new(ctx.glyphs.text(&msg).into_owned()).style(style), inner);
        } else {
            let visible = usize::from(inner.height.saturating_sub(1));
            self.page = visible.max(1);
            self.offset = follow(self.offset, self.selected, visible);
            let rows: Vec<[String; 6]> = self
                .rows
                .iter()
                .skip(self.offset)
                .take(visible)
                .map(|r| {
                    [
                        ctx.dates.short(r.at),
                        r.actor.clone(),
                        r.action.clone(),
                        r.target.clone(),
                        r.outcome.clone(),
                        r.detail.clone(),
                    ]
                })
                .collect();
            f.render_widget(
                SliceTable {
                    header: ["When", "Who", "Action", "Record", "Outcome", "Detail"],
                    min_widths: [14, 6, 8, 4, 4, 4],
                    shrink: &[5, 1, 3, 2],
                    rows,
                    selected: self.selected.checked_sub(self.offset),
                    header_style: ctx.theme.header(),
                    selected_style: ctx.theme.selected(),
                    glyphs: ctx.glyphs,
                },
                inner,
            );
        }
        if let Some(form) = &mut self.form {
            let r = centered(area, 64, 16);
            f.render_widget(Clear, r);
            let block = ctx.block("Filter the audit log").border_style(ctx.theme.focus());
            let inner = block.inner(r);
            f.render_widget(block, r);
            let rows = Layout::vertical([
                Constraint::Length(3),
                Constraint::Length(3),
                Constraint::Length(3),
                Constraint::Length(3),
                Constraint::Min(1),
            ])
            .split(inner);
            for (i, field) in form.fields.iter_mut().enumerate() {
                field.render(f, rows[i], i == form.focus, ctx.theme, ctx.glyphs);
            }
            note(f, rows[4], form.note.as_ref(), ctx.theme, ctx.glyphs);
        }
        if let Some(c) = &self.confirm {
            c.render(f, area, ctx);
        }
    }

    fn summary(&self) -> String {
        format!(
            "Audit {{ rows: {}, more: {}, filtered: {}, confirming: {} }}",
            self.rows.len(),
            self.next.is_some(),
            self.filters_set(),
            self.confirm.is_some()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Audit {
    fn filters_set(&self) -> bool {
        let q = &self.query;
        q.actor_id.is_some() || q.action.is_some() || q.target.is_some() || q.from.is_some() || q.to.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_days_are_uk_dates_and_refusals_name_the_field() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(day("28/11/26", "From", today), Ok(NaiveDate::from_ymd_opt(2026, 11, 28)));
        assert_eq!(day(" ", "From", today), Ok(None));
        let e = day("2026-11-28", "To", today).unwrap_err();
        assert!(e.starts_with("To:") && e.contains("28/11/26"), "{e}");
    }
}
