//! The Smart Plan builder: a form of a title (default "Smart Plan"), four long texts (≤ 10,000
//! characters each, counted: strategies that help the individual feel safe and regulated,
//! reasonable adjustments, agreed responses, how staff communicate and follow up after
//! incidents) and a review date (`28/02/2027` or `+6w`, shown as a UK date).
//!
//! Opened with `n` (a new plan), `e` (edit a plan), from an incident (`n` on its view, or the
//! report form's "submit and open the Smart Plan builder"): then it is pre-filled from the
//! incident's PILD (likely triggers into strategies, adjustments into adjustments, next-time
//! ideas into agreed responses, each marked "From besmart-10281: …") on top of the
//! individual's current plan, which `Ctrl-S` then updates (`PUT`); otherwise `POST` with a
//! client-made id. The form is saved as a server-side draft while it is written
//! ([`crate::client::drafts`]), and `Esc` asks first when anything was typed.

use std::any::Any;

use chrono::{Datelike, Duration, Months, NaiveDate};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calls::{self, Reply};
use super::keys;
use crate::client::call::{Typed, take};
use crate::client::drafts::{self, Autosave};
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::screens::{Ctx, Cx, Note, Page};
use crate::client::widgets::fit::fit;
use crate::client::widgets::popup;
use crate::client::widgets::text_box::TextBox;
use crate::client::widgets::text_field::{EDITING, TextField};
use crate::wire::{DraftKind, Incident, IndividualRef, LONG_TEXT_MAX, NewPlan, Plan};

/// The longest a title may be.
pub const TITLE_MAX: usize = 200;

/// The fields, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Title.
    Title,
    /// Strategies.
    Strategies,
    /// Reasonable adjustments.
    Adjustments,
    /// Agreed responses.
    Responses,
    /// Follow-up.
    FollowUp,
    /// Review date.
    Review,
}

impl Field {
    const ALL: [Field; 6] = [
        Field::Title,
        Field::Strategies,
        Field::Adjustments,
        Field::Responses,
        Field::FollowUp,
        Field::Review,
    ];

    fn label(self) -> &'static str {
        match self {
            Field::Title => "Title",
            Field::Strategies => "Strategies that help them feel safe and regulated",
            Field::Adjustments => "Reasonable adjustments",
            Field::Responses => "Agreed responses",
            Field::FollowUp => "How staff communicate and follow up after incidents",
            Field::Review => "Review date",
        }
    }

    fn moved(self, by: isize) -> Field {
        let at = Field::ALL.iter().position(|f| *f == self).unwrap_or(0) as isize;
        Field::ALL[(at + by).rem_euclid(Field::ALL.len() as isize) as usize]
    }
}

/// The review date typed: `28/02/2027`, `28/02/27`, `+6w`, `+10d`, `+3m`; empty is none. It
/// must be today or later and at most two years ahead.
pub fn review_date(text: &str, today: NaiveDate) -> Result<Option<NaiveDate>, String> {
    let text = text.trim().to_lowercase();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = || format!("\"{text}\" is not a date: type 28/02/2027, or +6w (weeks), +10d (days), +3m (months).");
    let day = if let Some(ahead) = text.strip_prefix('+') {
        let (n, unit) = ahead.split_at(ahead.len().saturating_sub(1));
        let n: u32 = n.parse().map_err(|_| bad())?;
        match unit {
            "d" => today + Duration::days(i64::from(n)),
            "w" => today + Duration::weeks(i64::from(n)),
            "m" => today.checked_add_months(Months::new(n)).ok_or_else(bad)?,
            _ => return Err(bad()),
        }
    } else {
        NaiveDate::parse_from_str(&text, "%d/%m/%Y")
            .ok()
            .filter(|d| d.year() >= 1000)
            .or_else(|| NaiveDate::parse_from_str(&text, "%d/%m/%y").ok())
            .ok_or_else(bad)?
    };
    if day < today {
        return Err(format!("{} has passed: a review is today or later.", day.format("%d/%m/%Y")));
    }
    if day > today.checked_add_months(Months::new(24)).unwrap_or(day) {
        return Err(format!("{} is more than two years ahead.", day.format("%d/%m/%Y")));
    }
    Ok(Some(day))
}

/// The form's content as its draft keeps it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Content {
    /// Who.
    pub individual: Option<IndividualRef>,
    /// Title.
    pub title: String,
    /// Strategies.
    pub strategies: String,
    /// Adjustments.
    pub reasonable_adjustments: String,
    /// Agreed responses.
    pub agreed_responses: String,
    /// Follow-up.
    pub follow_up: String,
    /// The review date as typed.
    pub review: String,
    /// The plan it updates.
    pub existing: Option<String>,
    /// The incident it comes from.
    pub source_incident_reference: Option<String>,
}

/// Add what the incident's PILD says to the texts of `c`, marked with where it came from.
pub fn add_pild(c: &mut Content, incident: &Incident) {
    let from = |label: &str, text: &str| {
        (!text.trim().is_empty()).then(|| format!("From {} ({label}): {}", incident.reference, text.trim()))
    };
    let p = &incident.pild;
    for (target, line) in [
        (&mut c.strategies, from("likely triggers", &p.triggers)),
        (&mut c.reasonable_adjustments, from("adjustments", &p.adjustments)),
        (&mut c.agreed_responses, from("next time", &p.next_time)),
    ] {
        if let Some(line) = line
            && !target.contains(&line)
        {
            if !target.trim().is_empty() {
                target.push_str("\n\n");
            }
            target.push_str(&line);
        }
    }
    c.source_incident_reference = Some(incident.reference.clone());
}

/// The content of `plan`, as the builder starts from it.
pub fn from_plan(plan: &Plan) -> Content {
    Content {
        individual: Some(plan.individual.clone()),
        title: plan.title.clone(),
        strategies: plan.strategies.clone(),
        reasonable_adjustments: plan.reasonable_adjustments.clone(),
        agreed_responses: plan.agreed_responses.clone(),
        follow_up: plan.follow_up.clone(),
        review: plan.review_on.map(|d| d.format("%d/%m/%Y").to_string()).unwrap_or_default(),
        existing: Some(plan.id.clone()),
        source_incident_reference: plan.source_incident_reference.clone(),
    }
}

/// The builder page. `Debug` prints states, never a word of the plan.
pub struct Builder {
    individual: IndividualRef,
    title: TextField,
    texts: [TextBox; 4],
    review: TextField,
    /// The field with the keys.
    pub field: Field,
    /// The plan it updates (`PUT`), if any.
    pub existing: Option<String>,
    source: Option<String>,
    /// An incident to add on top of the current plan once it is found.
    pending_incident: Option<Incident>,
    /// What the form held when it was filled (so "typed" means typed by the user).
    filled: Content,
    /// Asking "leave?".
    pub leaving: bool,
    /// Sent; no answer yet.
    pub saving: bool,
    /// The line under the form.
    pub note: Option<Note>,
    autosave: Autosave,
    /// Today, on the setting's clock (as of the last key).
    today: NaiveDate,
}

impl std::fmt::Debug for Builder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

impl Builder {
    fn new(individual: IndividualRef, id: Uuid) -> Builder {
        Builder {
            individual,
            title: TextField::plain("Title"),
            texts: [
                TextBox::new(Field::Strategies.label(), LONG_TEXT_MAX),
                TextBox::new(Field::Adjustments.label(), LONG_TEXT_MAX),
                TextBox::new(Field::Responses.label(), LONG_TEXT_MAX),
                TextBox::new(Field::FollowUp.label(), LONG_TEXT_MAX),
            ],
            review: TextField::plain("Review date (28/02/2027 or +6w)"),
            field: Field::Title,
            existing: None,
            source: None,
            pending_incident: None,
            filled: Content::default(),
            leaving: false,
            saving: false,
            note: None,
            autosave: Autosave::new(id, DraftKind::Plan),
            today: chrono::Utc::now().date_naive(),
        }
    }

    /// Fill every field from `c`.
    pub fn fill(&mut self, c: &Content) {
        self.title.set(if c.title.is_empty() { "Smart Plan" } else { &c.title });
        for (b, text) in self.texts.iter_mut().zip([
            &c.strategies,
            &c.reasonable_adjustments,
            &c.agreed_responses,
            &c.follow_up,
        ]) {
            b.set(text);
        }
        self.review.set(&c.review);
        self.existing = c.existing.clone();
        self.source = c.source_incident_reference.clone();
        self.filled = self.content();
    }

    /// The form as it stands.
    pub fn content(&self) -> Content {
        Content {
            individual: Some(self.individual.clone()),
            title: self.title.text().to_string(),
            strategies: self.texts[0].text(),
            reasonable_adjustments: self.texts[1].text(),
            agreed_responses: self.texts[2].text(),
            follow_up: self.texts[3].text(),
            review: self.review.text().to_string(),
            existing: self.existing.clone(),
            source_incident_reference: self.source.clone(),
        }
    }

    /// The text of a long field.
    pub fn text(&self, field: Field) -> String {
        match field {
            Field::Title => self.title.text().to_string(),
            Field::Strategies => self.texts[0].text(),
            Field::Adjustments => self.texts[1].text(),
            Field::Responses => self.texts[2].text(),
            Field::FollowUp => self.texts[3].text(),
            Field::Review => self.review.text().to_string(),
        }
    }

    fn typed(&self) -> bool {
        self.content() != self.filled
    }

    fn long(&mut self, field: Field) -> Option<&mut TextBox> {
        let at = match field {
            Field::Strategies => 0,
            Field::Adjustments => 1,
            Field::Responses => 2,
            Field::FollowUp => 3,
            Field::Title | Field::Review => return None,
        };
        self.texts.get_mut(at)
    }

    fn plan(&self, cx: &Cx) -> Result<NewPlan, String> {
        let title = self.title.text().trim().to_string();
        if title.is_empty() {
            return Err("Give the plan a title.".into());
        }
        if title.chars().count() > TITLE_MAX {
            return Err("The title is at most 200 characters.".into());
        }
        if self.texts.iter().all(TextBox::is_blank) {
            return Err("Write at least one of strategies, adjustments, responses or follow-up.".into());
        }
        let today = super::super::incidents::filters::day_of(cx.now, cx.dates);
        let review_on = review_date(self.review.text(), today)?;
        let id = match &self.existing {
            Some(existing) => Uuid::parse_str(existing).map_err(|_| "This plan's id is not one the server can take.".to_string())?,
            None => self.autosave.id(),
        };
        Ok(NewPlan {
            id,
            individual_id: self.individual.id,
            title,
            strategies: self.texts[0].text().trim().to_string(),
            reasonable_adjustments: self.texts[1].text().trim().to_string(),
            agreed_responses: self.texts[2].text().trim().to_string(),
            follow_up: self.texts[3].text().trim().to_string(),
            review_on,
            source_incident_reference: self.source.clone(),
        })
    }

    fn submit(&mut self, cx: &mut Cx) {
        if self.saving {
            cx.say("Saving: wait for the answer.");
            return;
        }
        match self.plan(cx) {
            Err(e) => {
                if e.contains("date") || e.contains("review") || e.contains("ahead") || e.contains("passed") {
                    self.field = Field::Review;
                }
                self.note = Note::error(e);
            }
            Ok(plan) => {
                self.saving = true;
                self.note = Note::info("Saving the plan…");
                cx.call(calls::save(&plan, self.existing.as_deref()));
            }
        }
    }

    fn changed(&mut self, cx: &mut Cx) {
        self.autosave.changed(cx.instant);
        self.note = None;
    }
}

/// The builder for `individual`, pre-filled from `from_incident`'s PILD and `current` (the
/// plan `Ctrl-S` then updates). Without `current` but with an incident, it looks for the
/// individual's current plan first and builds on it.
pub fn builder(individual: IndividualRef, from_incident: Option<&Incident>, current: Option<Plan>) -> Builder {
    let mut b = Builder::new(individual.clone(), Uuid::new_v4());
    let mut content = match &current {
        Some(plan) => from_plan(plan),
        None => Content {
            individual: Some(individual),
            ..Content::default()
        },
    };
    if let Some(incident) = from_incident {
        add_pild(&mut content, incident);
        if current.is_none() {
            b.pending_incident = Some(incident.clone());
        }
    }
    b.fill(&content);
    b
}

/// The builder of a draft resumed from the server, if its content is a plan's.
pub fn resumed(draft: &crate::wire::Draft) -> Option<Builder> {
    let content: Content = serde_json::from_value(draft.content.clone()).ok()?;
    let individual = content.individual.clone()?;
    let mut b = Builder::new(individual, draft.id);
    b.fill(&content);
    b.autosave = Autosave::resumed(draft);
    Some(b)
}

impl Page for Builder {
    fn title(&self) -> String {
        match self.existing {
            Some(_) => "Smart Plan builder (updating the plan)".into(),
            None => "Smart Plan builder".into(),
        }
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        if self.leaving {
            &[keys::LEAVE_KEYS]
        } else {
            &[keys::BUILDER_KEYS, EDITING]
        }
    }

    fn min_size(&self) -> (u16, u16) {
        (50, 16)
    }

    fn edits_text(&self) -> bool {
        true
    }

    fn has_draft(&self) -> bool {
        self.typed()
    }

    fn start(&mut self, cx: &mut Cx) {
        self.today = super::super::incidents::filters::day_of(cx.now, cx.dates);
        if self.pending_incident.is_some() && self.existing.is_none() {
            cx.call(calls::current(self.individual.id));
        }
    }

    fn refresh(&mut self, _cx: &mut Cx) {}

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        self.today = super::super::incidents::filters::day_of(cx.now, cx.dates);
        if self.leaving {
            match keymap::lookup(&[keys::LEAVE_KEYS], &key) {
                Some(KeyAction::Back) => {
                    cx.call(self.autosave.discard());
                    cx.back();
                }
                Some(KeyAction::Open) => self.leaving = false,
                _ => cx.say("y leaves (what you typed is lost), n stays."),
            }
            return true;
        }
        let single = matches!(self.field, Field::Title | Field::Review);
        match keymap::lookup(&[keys::BUILDER_KEYS], &key) {
            Some(KeyAction::Submit) => self.submit(cx),
            Some(KeyAction::NextField) => self.field = self.field.moved(1),
            Some(KeyAction::PrevField) => self.field = self.field.moved(-1),
            Some(KeyAction::Back) if self.typed() => self.leaving = true,
            Some(KeyAction::Back) => cx.back(),
            Some(KeyAction::Edit) if single => self.field = self.field.moved(1),
            _ => {
                let used = match self.field {
                    Field::Title => self.title.input(key),
                    Field::Review => self.review.input(key),
                    field => {
                        let box_ = self.long(field);
                        box_.is_some_and(|b| b.input(key))
                    }
                };
                if used {
                    self.changed(cx);
                } else if key.code == KeyCode::F(1) {
                    cx.help();
                }
            }
        }
        true
    }

    fn paste(&mut self, text: &str, cx: &mut Cx) {
        match self.field {
            Field::Title => self.title.paste(text),
            Field::Review => self.review.paste(text),
            field => {
                if let Some(b) = self.long(field) {
                    b.paste(text);
                }
            }
        }
        self.changed(cx);
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let reply = match drafts::take(reply) {
            Ok(saved) => {
                self.autosave.reply(&saved, cx.instant);
                return;
            }
            Err(reply) => reply,
        };
        match take::<Reply>(reply) {
            Some(Reply::Current(Ok(list))) => match list.items.first() {
                Some(plan) if !self.typed() => cx.call(calls::plan(&plan.id)),
                _ => self.pending_incident = None,
            },
            Some(Reply::Plan(Ok(plan))) if !self.typed() && plan.individual.id == self.individual.id => {
                let mut content = from_plan(&plan);
                if let Some(incident) = self.pending_incident.take() {
                    add_pild(&mut content, &incident);
                }
                self.fill(&content);
                self.note = Note::info(format!(
                    "Built on the current plan \"{}\": Ctrl-S updates it.",
                    plan.title
                ));
            }
            Some(Reply::Saved(Ok(plan))) => {
                self.saving = false;
                let review = plan
                    .review_on
                    .map(|d| format!(", to be reviewed on {}", d.format("%d/%m/%Y")))
                    .unwrap_or_default();
                cx.say(format!("Smart Plan \"{}\" saved{review}.", plan.title));
                self.filled = self.content();
                cx.back();
            }
            Some(Reply::Saved(Err(e))) => {
                self.saving = false;
                self.note = Note::error(if e.offline() {
                    "Not saved: the server cannot be reached. Everything you typed is still here: Ctrl-S again."
                        .to_string()
                } else {
                    format!("Not saved: {e}")
                });
            }
            Some(_) | None => {}
        }
    }

    fn kept_on_server(&self) -> bool {
        true
    }

    fn keep(&mut self, cx: &mut Cx) {
        if self.typed()
            && let Some(call) = self.autosave.save(&serde_json::json!(self.content()), true)
        {
            cx.call(call);
        }
    }

    fn deadline(&self) -> Option<std::time::Instant> {
        if self.typed() { self.autosave.deadline() } else { None }
    }

    fn on_deadline(&mut self, cx: &mut Cx) {
        if let Some(call) = self.autosave.save(&serde_json::json!(self.content()), false) {
            cx.call(call);
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        let width = usize::from(area.width);
        let ellipsis = ctx.glyphs.ellipsis();
        let sep = ctx.glyphs.sep();
        let mut head = format!("For {}", ctx.privacy.name(&self.individual.name));
        if let Some(source) = &self.source {
            head.push_str(&format!("{sep}from {source}"));
        }
        if self.existing.is_some() {
            head.push_str(&format!("{sep}updates the current plan"));
        }
        let rows = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(Field::ALL.len() as u16),
            Constraint::Min(3),
            Constraint::Length(1),
            Constraint::Length(2),
        ])
        .split(area);
        f.render_widget(
            Paragraph::new(fit(&head, width, ellipsis).into_owned()).style(ctx.theme.title()),
            rows[0],
        );
        let today = self.today;
        let list: Vec<Line> = Field::ALL
            .iter()
            .map(|&field| {
                let focused = field == self.field;
                let mark = if focused { ctx.glyphs.mark() } else { " " };
                let value = match field {
                    Field::Title => self.title.text().to_string(),
                    Field::Review => match review_date(self.review.text(), today) {
                        Ok(Some(day)) => day.format("%A %-d %B %Y").to_string(),
                        Ok(None) => "not set".into(),
                        Err(_) => format!("\"{}\" (not a date yet)", self.review.text()),
                    },
                    other => {
                        let at = Field::ALL.iter().position(|f| *f == other).unwrap_or(1) - 1;
                        self.texts[at].counter()
                    }
                };
                let text = format!("{mark} {}: {value}", field.label());
                Line::from(Span::styled(
                    fit(&text, width, ellipsis).into_owned(),
                    if focused { ctx.theme.focus() } else { ctx.theme.text() },
                ))
            })
            .collect();
        f.render_widget(Paragraph::new(list), rows[1]);
        match self.field {
            Field::Title => self.title.render(f, rows[2].intersection(Rect { height: 3, ..rows[2] }), true, ctx.theme, ctx.glyphs),
            Field::Review => self.review.render(f, rows[2].intersection(Rect { height: 3, ..rows[2] }), true, ctx.theme, ctx.glyphs),
            field => {
                if let Some(b) = self.long(field) {
                    b.render(f, rows[2], true, ctx.theme, ctx.glyphs);
                }
            }
        }
        let status = if self.leaving {
            Span::styled(
                "Leave? What you typed will be lost. y leaves, n stays.",
                ctx.theme.error(),
            )
        } else {
            Span::styled(
                ctx.glyphs.text(&self.autosave.status(ctx.dates)).into_owned(),
                ctx.theme.dim(),
            )
        };
        f.render_widget(Paragraph::new(Line::from(status)), rows[3]);
        popup::note(f, rows[4], self.note.as_ref(), ctx.theme, ctx.glyphs);
    }

    fn summary(&self) -> String {
        format!(
            "Builder {{ field: {:?}, existing: {}, typed: {}, saving: {} }}",
            self.field,
            self.existing.is_some(),
            self.typed(),
            self.saving
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_dates_are_typed_as_uk_dates_or_ahead() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let day = |y, m, d| Some(NaiveDate::from_ymd_opt(y, m, d).unwrap());
        assert_eq!(review_date("28/02/2027", today), Ok(day(2027, 2, 28)));
        assert_eq!(review_date("28/02/27", today), Ok(day(2027, 2, 28)));
        assert_eq!(review_date("+6w", today), Ok(day(2027, 1, 12)));
        assert_eq!(review_date("+10d", today), Ok(day(2026, 12, 11)));
        assert_eq!(review_date("+3m", today), Ok(day(2027, 3, 1)));
        assert_eq!(review_date(" ", today), Ok(None));
        assert!(review_date("30/11/2026", today).unwrap_err().contains("has passed"));
        assert!(review_date("+30m", today).unwrap_err().contains("two years"));
        assert!(review_date("soon", today).unwrap_err().contains("+6w"));
    }
}
