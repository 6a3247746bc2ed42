//! The fields of the report form: what each holds, which page it is on, when it shows, what it
//! requires, and how the whole form becomes a `NewIncident`, a draft (JSON, kept on the server)
//! and back. Nothing here draws or talks to the server.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Map, Value, json};

use crate::client::dates::Dates;
use crate::client::when;
use crate::client::widgets::text_box::TextBox;
use crate::client::widgets::text_field::TextField;
use crate::wire::{
    BellPeriod, Exclusion, Incident, IncidentKind, IndividualRef, Injury, LONG_TEXT_MAX, ListItem, NewIncident,
    ParentsInformed, Physical, Pild, PupilName, SHORT_TEXT_MAX, StaffRef, TechniqueRating,
};

/// How old an incident may be when reported.
pub const OLDEST: Duration = Duration::days(365);

/// One field of the form, by what it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Key {
    /// Who it is about.
    Individuals,
    /// When it happened.
    When,
    /// Where.
    Location,
    /// Category.
    Category,
    /// What happened.
    WhatHappened,
    /// Staff present.
    StaffPresent,
    /// Other individuals involved.
    Others,
    /// An injury occurred.
    Injury,
    /// The injury.
    InjuryDetails,
    /// Physical intervention: started.
    Started,
    /// Physical intervention: ended.
    Ended,
    /// Low-level behaviours.
    Low,
    /// Medium-level behaviours.
    Medium,
    /// High-level behaviours.
    High,
    /// How staff responded.
    StaffResponse,
    /// Alternative responses to try next time.
    Alternatives,
    /// De-escalation techniques and how well each worked.
    Deescalation,
    /// Physical techniques and how well each worked.
    PhysicalTechniques,
    /// When parents or carers were told.
    ParentsWhen,
    /// How they were told.
    ParentsHow,
    /// PILD: the individual's perspective.
    Perspective,
    /// PILD: how it made them feel.
    Feelings,
    /// PILD: what they could do next time.
    NextTime,
    /// PILD: likely triggers.
    Triggers,
    /// PILD: reasonable adjustments.
    Adjustments,
    /// PILD: other comments.
    Comments,
    /// Discriminatory, prejudiced or other behaviour.
    Discriminatory,
    /// Which behaviour.
    DiscriminatoryDetails,
    /// A suspension or exclusion linked to it.
    Exclusion,
}

/// What a field holds.
pub enum Input {
    /// Several lines, counted.
    Long(TextBox),
    /// One line (a time, a short answer).
    Line(TextField),
    /// Yes or no.
    YesNo(bool),
    /// One of a list (by id), or none yet.
    Choice(Option<i64>),
    /// Individuals, in the order picked.
    People(Vec<IndividualRef>),
    /// Members of staff.
    Staff(Vec<StaffRef>),
    /// Techniques of a list with a rating each, and the row the cursor is on.
    Ratings(BTreeMap<i64, u8>, usize),
}

/// A field of the form.
pub struct Field {
    /// Which.
    pub key: Key,
    /// Its label.
    pub label: &'static str,
    /// The page it is on (0-based, of [`pages`]).
    pub page: usize,
    /// It must be filled in.
    pub required: bool,
    /// What it holds.
    pub input: Input,
}

/// The title of each page for a kind of report, in order; the last is the review.
pub fn pages(kind: IncidentKind) -> &'static [&'static str] {
    match kind {
        IncidentKind::Incident => &["Incident", "Post-Incident Learning", "Review"],
        IncidentKind::PhysicalIntervention => {
            &["Incident", "Physical intervention", "Post-Incident Learning", "Review"]
        }
    }
}

fn long(key: Key, label: &'static str, page: usize, required: bool) -> Field {
    Field {
        key,
        label,
        page,
        required,
        input: Input::Long(TextBox::new(label, LONG_TEXT_MAX)),
    }
}

fn line(key: Key, label: &'static str, page: usize, required: bool) -> Field {
    Field {
        key,
        label,
        page,
        required,
        input: Input::Line(TextField::plain(label)),
    }
}

fn other(key: Key, label: &'static str, page: usize, required: bool, input: Input) -> Field {
    Field {
        key,
        label,
        page,
        required,
        input,
    }
}

/// Every field of a report of `kind`, in form order, empty ("when" says now).
pub fn all(kind: IncidentKind) -> Vec<Field> {
    let pi = kind == IncidentKind::PhysicalIntervention;
    let pild = if pi { 2 } else { 1 };
    let mut fields = vec![
        other(Key::Individuals, "Individual(s)", 0, true, Input::People(Vec::new())),
        line(Key::When, "When (-20m, 10:15, p3, 28/11 10:15)", 0, true),
        other(Key::Location, "Location", 0, true, Input::Choice(None)),
        other(Key::Category, "Category", 0, false, Input::Choice(None)),
        long(Key::WhatHappened, "What happened", 0, true),
        other(Key::StaffPresent, "Staff present", 0, false, Input::Staff(Vec::new())),
        other(
            Key::Others,
            "Other individuals involved",
            0,
            false,
            Input::People(Vec::new()),
        ),
        other(Key::Injury, "Injury", 0, true, Input::YesNo(false)),
        long(Key::InjuryDetails, "Injury details", 0, true),
    ];
    if pi {
        fields.extend([
            line(Key::Started, "Intervention started (10:15, -20m)", 1, true),
            line(Key::Ended, "Intervention ended", 1, true),
            long(Key::Low, "Low-level behaviours displayed", 1, false),
            long(Key::Medium, "Medium-level behaviours displayed", 1, false),
            long(Key::High, "High-level behaviours displayed", 1, false),
            long(Key::StaffResponse, "How staff responded", 1, true),
            long(Key::Alternatives, "Alternative responses to try next time", 1, false),
            other(
                Key::Deescalation,
                "De-escalation techniques (1-5)",
                1,
                false,
                Input::Ratings(BTreeMap::new(), 0),
            ),
            other(
                Key::PhysicalTechniques,
                "Physical techniques (1-5)",
                1,
                false,
                Input::Ratings(BTreeMap::new(), 0),
            ),
            line(
                Key::ParentsWhen,
                "Parents or carers told: when (blank if not yet)",
                1,
                false,
            ),
            line(Key::ParentsHow, "Parents or carers told: how", 1, false),
        ]);
    }
    fields.extend([
        long(
            Key::Perspective,
            "What happened from the individual's perspective",
            pild,
            false,
        ),
        long(Key::Feelings, "How did this make them feel", pild, false),
        long(
            Key::NextTime,
            "What could they do next time they feel that way",
            pild,
            false,
        ),
        long(Key::Triggers, "Likely triggers", pild, false),
        long(
            Key::Adjustments,
            "Reasonable adjustments that could support them",
            pild,
            false,
        ),
        long(Key::Comments, "Other comments", pild, false),
        other(
            Key::Discriminatory,
            "Discriminatory, prejudiced or other behaviour",
            pild,
            true,
            Input::YesNo(false),
        ),
        line(Key::DiscriminatoryDetails, "Which behaviour", pild, true),
        other(
            Key::Exclusion,
            "Suspension or exclusion linked to it",
            pild,
            true,
            Input::Choice(Some(0)),
        ),
    ]);
    fields
}

/// The exclusion choices, by the id the `Choice` holds.
pub const EXCLUSIONS: [(i64, Exclusion); 3] = [
    (0, Exclusion::None),
    (1, Exclusion::Suspension),
    (2, Exclusion::PermanentExclusion),
];

/// The exclusion a choice id names.
pub fn exclusion(id: Option<i64>) -> Exclusion {
    EXCLUSIONS
        .iter()
        .find(|(i, _)| Some(*i) == id)
        .map_or(Exclusion::None, |(_, e)| *e)
}

/// What the form reads besides its fields: the setting's lists and clock.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    /// `GET /locations`.
    pub locations: Vec<ListItem>,
    /// `GET /incident-categories`.
    pub categories: Vec<ListItem>,
    /// `GET /staff`.
    pub staff: Vec<StaffRef>,
    /// `GET /techniques`: de-escalation.
    pub deescalation: Vec<ListItem>,
    /// `GET /techniques`: physical.
    pub physical: Vec<ListItem>,
    /// `GET /periods`.
    pub periods: Vec<BellPeriod>,
}

/// The whole form's values.
pub struct Form {
    /// Standard or physical intervention.
    pub kind: IncidentKind,
    /// The fields, in form order.
    pub fields: Vec<Field>,
    /// When the form was opened: "when" left blank means then.
    pub opened: Option<DateTime<Utc>>,
    /// For an edit, each time as it was stored and as it was shown: text left as shown keeps
    /// the stored instant (to the second, and however old).
    pub originals: BTreeMap<Key, (String, DateTime<Utc>)>,
}

/// A problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field.
    pub key: Key,
    /// What to do.
    pub text: String,
}

impl Form {
    /// An empty form.
    pub fn new(kind: IncidentKind) -> Form {
        Form {
            kind,
            fields: all(kind),
            opened: None,
            originals: BTreeMap::new(),
        }
    }

    /// The time field `key` names (a blank "when" is the time the form was opened).
    pub fn time(&self, key: Key, now: DateTime<Utc>, lists: &Lists, dates: Dates) -> Result<DateTime<Utc>, String> {
        let text = self.text(key);
        if let Some((shown, at)) = self.originals.get(&key)
            && text.trim() == shown
        {
            return Ok(*at);
        }
        match (key, self.opened) {
            (Key::When, Some(opened)) if text.trim().is_empty() => Ok(opened),
            _ => when::parse(&text, now, &lists.periods, dates, OLDEST),
        }
    }

    /// "17 minutes", once both times of a physical intervention are readable and in order.
    pub fn duration(&self, now: DateTime<Utc>, lists: &Lists, dates: Dates) -> Option<String> {
        let blank = |key| self.text(key).trim().is_empty();
        if blank(Key::Started) || blank(Key::Ended) {
            return None;
        }
        let start = self.time(Key::Started, now, lists, dates).ok()?;
        let end = self.time(Key::Ended, now, lists, dates).ok()?;
        let minutes = (end - start).num_minutes();
        (minutes >= 0).then(|| match minutes {
            1 => "1 minute".to_string(),
            m if m < 120 => format!("{m} minutes"),
            m => format!("{} h {} min", m / 60, m % 60),
        })
    }

    /// The field `key`.
    pub fn get(&self, key: Key) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }

    /// The field `key`, to change.
    pub fn get_mut(&mut self, key: Key) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }

    /// The text of a long or one-line field ("" for others).
    pub fn text(&self, key: Key) -> String {
        match self.get(key).map(|f| &f.input) {
            Some(Input::Long(b)) => b.text(),
            Some(Input::Line(l)) => l.text().to_string(),
            _ => String::new(),
        }
    }

    fn yes(&self, key: Key) -> bool {
        matches!(self.get(key).map(|f| &f.input), Some(Input::YesNo(true)))
    }

    fn choice(&self, key: Key) -> Option<i64> {
        match self.get(key).map(|f| &f.input) {
            Some(Input::Choice(c)) => *c,
            _ => None,
        }
    }

    fn people(&self, key: Key) -> Vec<IndividualRef> {
        match self.get(key).map(|f| &f.input) {
            Some(Input::People(p)) => p.clone(),
            _ => Vec::new(),
        }
    }

    fn staff(&self) -> Vec<StaffRef> {
        match self.get(Key::StaffPresent).map(|f| &f.input) {
            Some(Input::Staff(s)) => s.clone(),
            _ => Vec::new(),
        }
    }

    fn ratings(&self, key: Key) -> Vec<TechniqueRating> {
        match self.get(key).map(|f| &f.input) {
            Some(Input::Ratings(r, _)) => r
                .iter()
                .map(|(id, n)| TechniqueRating {
                    technique_id: *id,
                    effectiveness: *n,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether field `key` shows now (details only after a yes).
    pub fn shows(&self, key: Key) -> bool {
        match key {
            Key::InjuryDetails => self.yes(Key::Injury),
            Key::DiscriminatoryDetails => self.yes(Key::Discriminatory),
            _ => true,
        }
    }

    /// True when anything at all was typed or chosen (leaving would lose it).
    pub fn touched(&self) -> bool {
        self.fields.iter().any(|f| match &f.input {
            Input::Long(b) => !b.is_blank(),
            Input::Line(l) => !l.is_empty() && f.key != Key::When,
            Input::YesNo(y) => *y,
            Input::Choice(c) => c.is_some() && f.key != Key::Exclusion,
            Input::People(p) => !p.is_empty() && f.key != Key::Individuals,
            Input::Staff(s) => !s.is_empty(),
            Input::Ratings(r, _) => !r.is_empty(),
        })
    }

    /// Every problem, in form order: what is missing or wrong, each with what to do.
    pub fn problems(&self, now: DateTime<Utc>, lists: &Lists, dates: Dates, me: i64) -> Vec<Problem> {
        let mut out = Vec::new();
        let mut say = |key, text: String| out.push(Problem { key, text });
        for f in self.fields.iter().filter(|f| self.shows(f.key)) {
            let empty = match &f.input {
                Input::Long(b) => b.is_blank(),
                Input::Line(l) => l.text().trim().is_empty(),
                Input::Choice(c) => c.is_none(),
                Input::People(p) => p.is_empty(),
                _ => false,
            };
            if f.required && empty && f.key != Key::When {
                say(
                    f.key,
                    format!("{} is required.", f.label.split(" (").next().unwrap_or(f.label)),
                );
            }
            if let (Key::DiscriminatoryDetails | Key::ParentsHow, Input::Line(l)) = (f.key, &f.input)
                && l.text().chars().count() > SHORT_TEXT_MAX
            {
                say(f.key, format!("At most {SHORT_TEXT_MAX} characters."));
            }
        }
        let at = |key| self.time(key, now, lists, dates);
        let occurred = at(Key::When);
        if let Err(e) = &occurred {
            say(Key::When, e.clone());
        }
        let subjects = self.people(Key::Individuals);
        if self
            .people(Key::Others)
            .iter()
            .any(|o| subjects.iter().any(|s| s.id == o.id))
        {
            say(
                Key::Others,
                "Someone the report is about is also among the others involved: take them out of one.".into(),
            );
        }
        if self.staff().iter().any(|s| s.id == me) {
            say(
                Key::StaffPresent,
                "You are the author: take yourself out of the staff present.".into(),
            );
        }
        if self.kind == IncidentKind::PhysicalIntervention {
            match (at(Key::Started), at(Key::Ended)) {
                (Err(e), _) if !self.text(Key::Started).trim().is_empty() => say(Key::Started, e),
                (_, Err(e)) if !self.text(Key::Ended).trim().is_empty() => say(Key::Ended, e),
                (Ok(start), Ok(end)) if end < start => {
                    say(Key::Ended, "It ended before it started: check both times.".into())
                }
                (Ok(start), Ok(end)) if end - start > Duration::hours(24) => say(
                    Key::Ended,
                    "An intervention of more than 24 hours: check both times.".into(),
                ),
                _ => {}
            }
            if !self.text(Key::ParentsWhen).trim().is_empty() {
                if let Err(e) = at(Key::ParentsWhen) {
                    say(Key::ParentsWhen, e);
                }
                if self.text(Key::ParentsHow).trim().is_empty() {
                    say(
                        Key::ParentsHow,
                        "Say how they were told (e.g. phone call to mother).".into(),
                    );
                }
            }
        }
        out
    }

    /// The report to send, if nothing is wrong with it.
    pub fn report(&self, id: uuid::Uuid, now: DateTime<Utc>, lists: &Lists, dates: Dates) -> Option<NewIncident> {
        let at = |key| self.time(key, now, lists, dates).ok();
        let trimmed = |key| self.text(key).trim().to_string();
        let physical = match self.kind {
            IncidentKind::Incident => None,
            IncidentKind::PhysicalIntervention => Some(Physical {
                started_at: at(Key::Started)?,
                ended_at: at(Key::Ended)?,
                low_behaviours: trimmed(Key::Low),
                medium_behaviours: trimmed(Key::Medium),
                high_behaviours: trimmed(Key::High),
                staff_response: trimmed(Key::StaffResponse),
                alternative_responses: trimmed(Key::Alternatives),
                deescalation: self.ratings(Key::Deescalation),
                physical_techniques: self.ratings(Key::PhysicalTechniques),
                parents_informed: match trimmed(Key::ParentsWhen).is_empty() {
                    true => None,
                    false => Some(ParentsInformed {
                        at: at(Key::ParentsWhen)?,
                        how: trimmed(Key::ParentsHow),
                    }),
                },
            }),
        };
        let injured = self.yes(Key::Injury);
        let discriminatory = self.yes(Key::Discriminatory);
        Some(NewIncident {
            id,
            kind: self.kind,
            individual_ids: self.people(Key::Individuals).iter().map(|p| p.id).collect(),
            occurred_at: at(Key::When)?,
            location_id: self.choice(Key::Location)?,
            category_id: self.choice(Key::Category),
            what_happened: trimmed(Key::WhatHappened),
            staff_present_ids: self.staff().iter().map(|s| s.id).collect(),
            others_involved_ids: self.people(Key::Others).iter().map(|p| p.id).collect(),
            injury: Injury {
                occurred: injured,
                details: if injured {
                    trimmed(Key::InjuryDetails)
                } else {
                    String::new()
                },
            },
            pild: Pild {
                perspective: trimmed(Key::Perspective),
                feelings: trimmed(Key::Feelings),
                next_time: trimmed(Key::NextTime),
                triggers: trimmed(Key::Triggers),
                adjustments: trimmed(Key::Adjustments),
                comments: trimmed(Key::Comments),
                discriminatory,
                discriminatory_details: if discriminatory {
                    trimmed(Key::DiscriminatoryDetails)
                } else {
                    String::new()
                },
                exclusion: exclusion(self.choice(Key::Exclusion)),
            },
            physical,
        })
    }

    /// The form as a draft: every field by its name.
    pub fn to_draft(&self) -> Value {
        let mut fields = Map::new();
        for f in &self.fields {
            let value = match &f.input {
                Input::Long(b) => json!(b.text()),
                Input::Line(l) => json!(l.text()),
                Input::YesNo(y) => json!(y),
                Input::Choice(c) => json!(c),
                Input::People(p) => json!(p),
                Input::Staff(s) => json!(s),
                Input::Ratings(r, _) => json!(r.iter().map(|(k, v)| (k.to_string(), *v)).collect::<BTreeMap<_, _>>()),
            };
            fields.insert(format!("{:?}", f.key), value);
        }
        let originals: BTreeMap<String, &(String, DateTime<Utc>)> =
            self.originals.iter().map(|(k, v)| (format!("{k:?}"), v)).collect();
        json!({ "kind": self.kind, "fields": fields, "originals": originals, "opened": self.opened })
    }

    /// A form from a draft (fields it does not know are left empty).
    pub fn from_draft(content: &Value) -> Option<Form> {
        let kind: IncidentKind = serde_json::from_value(content.get("kind")?.clone()).ok()?;
        let mut form = Form::new(kind);
        form.opened = content
            .get("opened")
            .and_then(|v| serde_json::from_value(v.clone()).ok());
        let originals: BTreeMap<String, (String, DateTime<Utc>)> = content
            .get("originals")
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default();
        let saved = content.get("fields")?.as_object()?;
        for f in &mut form.fields {
            if let Some(original) = originals.get(&format!("{:?}", f.key)) {
                form.originals.insert(f.key, original.clone());
            }
            let Some(v) = saved.get(&format!("{:?}", f.key)) else {
                continue;
            };
            match &mut f.input {
                Input::Long(b) => b.set(v.as_str().unwrap_or_default()),
                Input::Line(l) => l.set(v.as_str().unwrap_or_default()),
                Input::YesNo(y) => *y = v.as_bool().unwrap_or_default(),
                Input::Choice(c) => *c = v.as_i64(),
                Input::People(p) => *p = serde_json::from_value(v.clone()).unwrap_or_default(),
                Input::Staff(s) => *s = serde_json::from_value(v.clone()).unwrap_or_default(),
                Input::Ratings(r, _) => {
                    let map: BTreeMap<String, u8> = serde_json::from_value(v.clone()).unwrap_or_default();
                    *r = map
                        .into_iter()
                        .filter_map(|(k, n)| Some((k.parse().ok()?, n.clamp(1, 5))))
                        .collect();
                }
            }
        }
        Some(form)
    }

    /// A form holding `incident` as stored, to edit.
    pub fn from_incident(incident: &Incident, dates: Dates) -> Form {
        let mut form = Form::new(incident.kind);
        let time = |at: DateTime<Utc>| dates.short(at);
        let mut originals = BTreeMap::from([(Key::When, (time(incident.occurred_at), incident.occurred_at))]);
        if let Some(p) = &incident.physical {
            originals.insert(Key::Started, (time(p.started_at), p.started_at));
            originals.insert(Key::Ended, (time(p.ended_at), p.ended_at));
        }
        if let Some(told) = &incident.parents_informed {
            originals.insert(Key::ParentsWhen, (time(told.at), told.at));
        }
        form.originals = originals;
        let pild = &incident.pild;
        let texts: Vec<(Key, String)> = vec![
            (Key::When, time(incident.occurred_at)),
            (Key::WhatHappened, incident.what_happened.clone()),
            (Key::InjuryDetails, incident.injury.details.clone()),
            (Key::Perspective, pild.perspective.clone()),
            (Key::Feelings, pild.feelings.clone()),
            (Key::NextTime, pild.next_time.clone()),
            (Key::Triggers, pild.triggers.clone()),
            (Key::Adjustments, pild.adjustments.clone()),
            (Key::Comments, pild.comments.clone()),
            (Key::DiscriminatoryDetails, pild.discriminatory_details.clone()),
        ];
        for (key, text) in texts {
            form.set_text(key, &text);
        }
        if let Some(p) = &incident.physical {
            for (key, text) in [
                (Key::Started, time(p.started_at)),
                (Key::Ended, time(p.ended_at)),
                (Key::Low, p.low_behaviours.clone()),
                (Key::Medium, p.medium_behaviours.clone()),
                (Key::High, p.high_behaviours.clone()),
                (Key::StaffResponse, p.staff_response.clone()),
                (Key::Alternatives, p.alternative_responses.clone()),
            ] {
                form.set_text(key, &text);
            }
            for (key, uses) in [
                (Key::Deescalation, &p.deescalation),
                (Key::PhysicalTechniques, &p.physical_techniques),
            ] {
                if let Some(Field {
                    input: Input::Ratings(r, _),
                    ..
                }) = form.get_mut(key)
                {
                    *r = uses.iter().map(|u| (u.technique.id, u.effectiveness)).collect();
                }
            }
            if let Some(told) = &incident.parents_informed {
                form.set_text(Key::ParentsWhen, &time(told.at));
                form.set_text(Key::ParentsHow, &told.how);
            }
        }
        form.set(Key::Individuals, Input::People(incident.individuals.clone()));
        form.set(Key::Others, Input::People(incident.others_involved.clone()));
        form.set(Key::StaffPresent, Input::Staff(incident.staff_present.clone()));
        form.set(Key::Location, Input::Choice(Some(incident.location.id)));
        form.set(Key::Category, Input::Choice(Some(incident.category.id)));
        form.set(Key::Injury, Input::YesNo(incident.injury.occurred));
        form.set(Key::Discriminatory, Input::YesNo(pild.discriminatory));
        let excl = EXCLUSIONS.iter().find(|(_, e)| *e == pild.exclusion).map(|(i, _)| *i);
        form.set(Key::Exclusion, Input::Choice(excl));
        form
    }

    /// Put `text` into field `key`.
    pub fn set_text(&mut self, key: Key, text: &str) {
        match self.get_mut(key).map(|f| &mut f.input) {
            Some(Input::Long(b)) => b.set(text),
            Some(Input::Line(l)) => l.set(text),
            _ => {}
        }
    }

    /// Replace what field `key` holds.
    pub fn set(&mut self, key: Key, input: Input) {
        if let Some(f) = self.get_mut(key) {
            f.input = input;
        }
    }

    /// The individual lists show (the first the report is about), if any.
    pub fn first_individual(&self) -> Option<IndividualRef> {
        self.people(Key::Individuals).into_iter().next()
    }

    /// The names of the individuals it is about, for messages.
    pub fn names(&self) -> Vec<PupilName> {
        self.people(Key::Individuals).into_iter().map(|p| p.name).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> Lists {
        Lists {
            locations: vec![ListItem {
                id: 4,
                name: "Hall".into(),
            }],
            ..Lists::default()
        }
    }

    fn person(id: i64) -> IndividualRef {
        IndividualRef {
            id,
            name: PupilName::new("Ann Smith"),
        }
    }

    #[test]
    fn an_empty_form_says_what_is_missing_and_a_full_one_becomes_a_report() {
        let now = Utc::now();
        let mut form = Form::new(IncidentKind::Incident);
        let missing: Vec<Key> = form
            .problems(now, &lists(), Dates::UTC, 1)
            .into_iter()
            .map(|p| p.key)
            .collect();
        assert_eq!(missing, [Key::Individuals, Key::Location, Key::WhatHappened]);
        assert!(!form.touched());
        form.set(Key::Individuals, Input::People(vec![person(7)]));
        form.set(Key::Location, Input::Choice(Some(4)));
        form.set_text(Key::WhatHappened, "Left the room.\nCame back.");
        form.set_text(Key::When, "-20m");
        assert!(form.problems(now, &lists(), Dates::UTC, 1).is_empty());
        let report = form
            .report(uuid::Uuid::nil(), now, &lists(), Dates::UTC)
            .expect("complete");
        assert_eq!(report.individual_ids, [7]);
        assert_eq!(report.what_happened, "Left the room.\nCame back.");
        assert_eq!(report.occurred_at, now - Duration::minutes(20));
        assert!(report.physical.is_none());
    }

    #[test]
    fn details_are_asked_for_only_after_a_yes_and_times_are_checked() {
        let now = Utc::now();
        let mut form = Form::new(IncidentKind::PhysicalIntervention);
        form.set(Key::Injury, Input::YesNo(true));
        form.set_text(Key::Started, "-10m");
        form.set_text(Key::Ended, "-30m");
        form.set_text(Key::When, "+5m");
        let problems = form.problems(now, &lists(), Dates::UTC, 1);
        let keys: Vec<Key> = problems.iter().map(|p| p.key).collect();
        assert!(keys.contains(&Key::InjuryDetails), "{keys:?}");
        assert!(keys.contains(&Key::Ended), "{keys:?}");
        assert!(keys.contains(&Key::When), "{keys:?}");
        assert!(keys.contains(&Key::StaffResponse), "{keys:?}");
    }

    #[test]
    fn a_blank_when_is_the_time_the_form_opened_and_the_duration_is_shown() {
        let opened = Utc::now() - Duration::minutes(30);
        let now = Utc::now();
        let mut form = Form::new(IncidentKind::PhysicalIntervention);
        form.opened = Some(opened);
        assert_eq!(form.time(Key::When, now, &lists(), Dates::UTC), Ok(opened));
        assert_eq!(form.duration(now, &lists(), Dates::UTC), None);
        form.set_text(Key::Started, "-20m");
        form.set_text(Key::Ended, "-3m");
        assert_eq!(form.duration(now, &lists(), Dates::UTC).as_deref(), Some("17 minutes"));
        form.set_text(Key::When, "+1h");
        assert!(
            form.time(Key::When, now, &lists(), Dates::UTC).is_err(),
            "typed: read as typed"
        );
    }

    #[test]
    fn an_edit_keeps_the_stored_times_unless_they_are_retyped() {
        let stored = Utc::now() - Duration::days(400) - Duration::seconds(17);
        let mut form = Form::new(IncidentKind::Incident);
        form.originals.insert(Key::When, (Dates::UTC.short(stored), stored));
        form.set_text(Key::When, &Dates::UTC.short(stored));
        let now = Utc::now();
        assert_eq!(
            form.time(Key::When, now, &lists(), Dates::UTC),
            Ok(stored),
            "to the second, over a year old"
        );
        form.set_text(Key::When, "-5m");
        assert_eq!(
            form.time(Key::When, now, &lists(), Dates::UTC),
            Ok(now - Duration::minutes(5))
        );
    }

    #[test]
    fn a_draft_gives_back_every_word() {
        let mut form = Form::new(IncidentKind::PhysicalIntervention);
        form.set(Key::Individuals, Input::People(vec![person(7), person(9)]));
        form.set_text(Key::WhatHappened, &"é".repeat(LONG_TEXT_MAX));
        form.set_text(Key::Triggers, "Noise\nand crowds");
        form.set(Key::Deescalation, Input::Ratings(BTreeMap::from([(3, 4), (5, 1)]), 0));
        form.set(Key::Exclusion, Input::Choice(Some(1)));
        let again = Form::from_draft(&form.to_draft()).expect("a draft");
        assert_eq!(again.kind, IncidentKind::PhysicalIntervention);
        assert_eq!(again.to_draft(), form.to_draft());
        assert_eq!(again.text(Key::WhatHappened).chars().count(), LONG_TEXT_MAX);
        assert!(Form::from_draft(&json!({"kind": "nonsense"})).is_none());
    }
}
