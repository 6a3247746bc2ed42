//! "Behaviour Clicker": the fastest way to log a behaviour, and it never loses one.
//!
//! - **Pick**: the individuals the user may see, recent first, filtered as they type
//!   ([`super::picker`]); `Space` marks several (a group), `Enter` picks.
//! - **Log**: the setting's behaviours (`GET /behaviours`, in clicker order, positive and
//!   negative apart), each with its key ([`keys::BEHAVIOUR_CHARS`]) and today's count. One key
//!   is one click for each individual picked, timed at the key press (or at the time typed
//!   after `t`: `-20m`, `10:15`, `p3`), and the screen stays, so a repeated behaviour is one
//!   key each. From the Dashboard: `c`, `Enter`, a behaviour key.
//! - **Never waits**: the click is confirmed on screen at once ("Logged … — u undo") and goes
//!   through the App's outbox ([`crate::client::outbox`]), which sends it until it lands. `u`
//!   undoes the last key's clicks for 10 seconds.
//! - **Counts** are the union of what the server listed for today and the clicks made here
//!   (by id), so a click is never counted twice while its answer is on the way.

pub mod calls;
pub mod keys;
mod view;

use std::any::Any;
use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Local, NaiveTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use uuid::Uuid;

use self::calls::Reply;
use super::picker::{Picked, Picker};
use super::{Ctx, Cx, Note, Page};
use crate::client::call::{Typed, take};
use crate::client::dates::Dates;
use crate::client::keymap::{self, Binding, KeyAction};
use crate::client::outbox::Outgoing;
use crate::client::when;
use crate::client::widgets::text_field::TextField;
use crate::wire::{Behaviour, BellPeriod, IndividualSummary, NewClick, Sentiment};

/// How long `u` can undo a click.
pub const UNDO_WINDOW: Duration = Duration::from_secs(10);
/// The oldest time a click may be backdated to.
pub const OLDEST: chrono::Duration = chrono::Duration::days(7);

/// Which step is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Picking the individual(s).
    Pick,
    /// Logging behaviours for them.
    Log,
}

/// The clicks of the last behaviour key, while they can be undone.
#[derive(Debug, Clone)]
struct LastClick {
    /// Each click's id and individual.
    clicks: Vec<(Uuid, usize)>,
    /// The behaviour.
    behaviour: Behaviour,
    /// When it was seen.
    at: DateTime<Utc>,
    /// The end of its undo window.
    until: Instant,
    /// Still in its window (the deadline has not passed).
    undoable: bool,
}

/// State of the clicker. `Debug` prints counts and states, never a name.
pub struct Clicker {
    /// The step shown.
    pub step: Step,
    picker: Picker,
    behaviours: Option<Vec<Behaviour>>,
    /// `GET /behaviours` failed (the reason was shown).
    behaviours_failed: bool,
    periods: Vec<BellPeriod>,
    group: Vec<IndividualSummary>,
    /// Today's clicks of the group as the server listed them: id → behaviour.
    listed: HashMap<Uuid, i64>,
    /// Clicks made here, not undone: id → behaviour.
    made: HashMap<Uuid, i64>,
    /// Today's count of each behaviour: the clicks of `listed` and `made`, each once, kept up
    /// to date as they change (so drawing a count costs the same after a thousand clicks).
    tally: HashMap<i64, usize>,
    /// The individuals whose clicks of today are still to fetch (one at a time).
    counting: Vec<i64>,
    /// The counts are being fetched (or could not be).
    counts_state: Counts,
    /// Local midnight, for "today".
    midnight: DateTime<Utc>,
    /// The time the next clicks are logged at (after `t`), and how it was typed.
    backdate: Option<(DateTime<Utc>, String)>,
    /// The time being typed after `t`.
    time_field: Option<TextField>,
    last: Option<LastClick>,
    /// The line under the behaviours.
    pub note: Option<Note>,
}

/// Whether today's counts are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Counts {
    Loading,
    Known,
    Unknown,
}

impl std::fmt::Debug for Clicker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.summary())
    }
}

/// A new clicker, at the pick step (for the registration in `screens`).
pub fn new_page() -> Clicker {
    Clicker::new()
}

impl Default for Clicker {
    fn default() -> Self {
        Clicker::new()
    }
}

impl Clicker {
    /// A clicker at the pick step.
    pub fn new() -> Clicker {
        Clicker {
            step: Step::Pick,
            picker: Picker::new(true, true),
            behaviours: None,
            behaviours_failed: false,
            periods: Vec::new(),
            group: Vec::new(),
            listed: HashMap::new(),
            made: HashMap::new(),
            tally: HashMap::new(),
            counting: Vec::new(),
            counts_state: Counts::Loading,
            midnight: DateTime::<Utc>::MIN_UTC,
            backdate: None,
            time_field: None,
            last: None,
            note: None,
        }
    }

    /// A clicker already logging for `group` (from a profile).
    pub fn logging(group: Vec<IndividualSummary>) -> Clicker {
        Clicker {
            step: Step::Log,
            group,
            ..Clicker::new()
        }
    }

    /// The picker (tests and benchmarks).
    pub fn picker(&mut self) -> &mut Picker {
        &mut self.picker
    }

    /// The individuals logged for.
    pub fn group(&self) -> &[IndividualSummary] {
        &self.group
    }

    /// The behaviours, once they arrived.
    pub fn behaviours(&self) -> Option<&[Behaviour]> {
        self.behaviours.as_deref()
    }

    /// The time typed for the next clicks, if any.
    pub fn backdate(&self) -> Option<DateTime<Utc>> {
        self.backdate.as_ref().map(|(at, _)| *at)
    }

    /// Today's count of `behaviour` for the group (listed and made here, each click once).
    pub fn count(&self, behaviour: i64) -> usize {
        self.tally.get(&behaviour).copied().unwrap_or(0)
    }

    /// Count `id` (of `behaviour`) listed by the server, unless it is already counted.
    fn listed_click(&mut self, id: Uuid, behaviour: i64) {
        if !self.made.contains_key(&id) && self.listed.insert(id, behaviour).is_none() {
            *self.tally.entry(behaviour).or_insert(0) += 1;
        }
    }

    /// The behaviours of one sentiment, with their position in clicker order (which gives the
    /// key).
    fn of(&self, sentiment: &[Sentiment]) -> Vec<(usize, &Behaviour)> {
        self.behaviours
            .iter()
            .flatten()
            .enumerate()
            .filter(|(_, b)| sentiment.contains(&b.sentiment))
            .collect()
    }

    /// Start the log step for the group: fetch today's clicks.
    fn start_log(&mut self, cx: &mut Cx) {
        self.step = Step::Log;
        self.listed.clear();
        self.made.clear();
        self.tally.clear();
        self.last = None;
        self.note = None;
        self.midnight = midnight(cx.now, cx.dates);
        self.counting = self.group.iter().map(|p| p.id).rev().collect();
        self.counts_state = Counts::Loading;
        self.count_next(cx);
    }

    fn count_next(&mut self, cx: &mut Cx) {
        match self.counting.last() {
            Some(&individual) => cx.call(calls::today(individual, self.midnight, None)),
            None => self.counts_state = Counts::Known,
        }
    }

    /// A behaviour key: one click for each individual of the group, at the key press (or the
    /// time typed), confirmed at once.
    fn log(&mut self, position: usize, cx: &mut Cx) {
        let Some(behaviour) = self.behaviours.as_ref().and_then(|b| b.get(position)).cloned() else {
            cx.say(match &self.behaviours {
                None => "The behaviours have not arrived yet: they come when the server answers.",
                Some(_) => "No behaviour has that key.",
            });
            return;
        };
        let at = self.backdate.as_ref().map_or(cx.now, |(at, _)| *at);
        let mut clicks = Vec::new();
        for (index, person) in self.group.iter().enumerate() {
            let id = Uuid::new_v4();
            self.made.insert(id, behaviour.id);
            *self.tally.entry(behaviour.id).or_insert(0) += 1;
            clicks.push((id, index));
            cx.send(Outgoing::Click {
                click: NewClick {
                    id,
                    individual_id: person.id,
                    behaviour_id: behaviour.id,
                    occurred_at: at,
                },
                behaviour: behaviour.name.clone(),
                individual: person.name.clone(),
            });
        }
        self.last = Some(LastClick {
            clicks,
            behaviour,
            at,
            until: cx.instant + UNDO_WINDOW,
            undoable: true,
        });
        self.note = None;
    }

    /// `u`: undo the last key's clicks, within their window.
    fn undo(&mut self, cx: &mut Cx) {
        let Some(last) = self.last.take_if(|l| l.undoable && cx.instant < l.until) else {
            cx.say("Nothing to undo: a click can be undone for 10 seconds after it was logged.");
            return;
        };
        for (id, index) in &last.clicks {
            let counted = self.made.remove(id).or_else(|| self.listed.remove(id));
            if let Some(count) = counted.and_then(|b| self.tally.get_mut(&b)) {
                *count = count.saturating_sub(1);
            }
            let name = self.group.get(*index).map(|p| p.name.clone()).unwrap_or_default();
            cx.undo(*id, last.behaviour.name.clone(), name);
        }
    }

    /// The line confirming the last click ("Logged … at 10:42 — u undo" within the window).
    pub fn confirmation(&self, ctx: &Ctx<'_>) -> Option<String> {
        let last = self.last.as_ref()?;
        let who = match last.clicks.as_slice() {
            [(_, index)] => self.group.get(*index).map(|p| ctx.privacy.name(&p.name)).unwrap_or_default(),
            many => format!("{} individuals", many.len()),
        };
        let undo = if last.undoable {
            format!("{}u undo", ctx.glyphs.dash())
        } else {
            String::new()
        };
        let when = match self.backdate {
            Some(_) => ctx.dates.short(last.at),
            None => ctx.dates.time(last.at),
        };
        Some(format!("Logged {} for {who} at {when}{undo}", last.behaviour.name))
    }

    fn log_key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if let Some(field) = &mut self.time_field {
            match keymap::lookup(keys::TIME_TABLES, &key) {
                Some(KeyAction::Submit) => {
                    let text = field.text().trim().to_string();
                    match when::parse(&text, cx.now, &self.periods, cx.dates, OLDEST) {
                        Ok(_) if text.is_empty() || text.eq_ignore_ascii_case("now") => {
                            self.backdate = None;
                            self.time_field = None;
                            self.note = Note::info("The next clicks are logged at the time of the key press.");
                        }
                        Ok(at) => {
                            self.backdate = Some((at, text));
                            self.time_field = None;
                            self.note = Note::info(format!(
                                "The next clicks are logged at {} until Esc.",
                                cx.dates.short(at)
                            ));
                        }
                        Err(why) => self.note = Note::error(why),
                    }
                }
                Some(KeyAction::Back) => {
                    self.time_field = None;
                    self.note = None;
                }
                _ => {
                    field.input(key);
                }
            }
            return true;
        }
        let action = keymap::lookup(keys::LOG_TABLES, &key);
        match action {
            Some(keys::LOG) => {
                if let KeyCode::Char(c) = key.code
                    && let Some(position) = keys::behaviour_at(c)
                {
                    self.log(position, cx);
                }
            }
            Some(keys::UNDO) => self.undo(cx),
            Some(keys::TIME) => {
                let mut field = TextField::plain("Time of the next clicks (-20m, 10:15, p3)");
                if let Some((_, typed)) = &self.backdate {
                    field.set(typed);
                }
                self.time_field = Some(field);
                self.note = None;
            }
            Some(keys::MESSAGE) => match self.group.as_slice() {
                [one] => cx.push(Box::new(super::compose::Compose::about(one.clone()))),
                _ => cx.say("A communication is about one individual: pick one (Esc) to write one."),
            },
            Some(KeyAction::Back) if self.backdate.is_some() => {
                self.backdate = None;
                self.note = Note::info("The next clicks are logged at the time of the key press.");
            }
            Some(KeyAction::Back) => {
                self.step = Step::Pick;
                self.last = None;
                self.note = None;
                self.picker.clear_marks();
                // Opened straight on the log step (from a profile): the list was never asked for.
                if self.picker.counts().0 == 0 {
                    self.picker.start(cx);
                }
            }
            Some(KeyAction::Help) => cx.help(),
            _ => cx.say("That key logs nothing here: ? shows the keys of the behaviours."),
        }
        true
    }
}

/// Local midnight of `now` (UTC midnight when `dates` shows UTC).
fn midnight(now: DateTime<Utc>, dates: Dates) -> DateTime<Utc> {
    let start = NaiveTime::MIN;
    if dates.utc {
        return now.date_naive().and_time(start).and_utc();
    }
    let day = now.with_timezone(&Local).date_naive().and_time(start);
    Local
        .from_local_datetime(&day)
        .earliest()
        .map_or(now, |t| t.with_timezone(&Utc))
}

impl Page for Clicker {
    fn title(&self) -> String {
        "Behaviour Clicker".into()
    }

    fn keys(&self) -> &'static [&'static [Binding]] {
        match (self.step, self.time_field.is_some()) {
            (Step::Pick, _) => keys::PICK_TABLES,
            (Step::Log, true) => keys::TIME_TABLES,
            (Step::Log, false) => keys::LOG_TABLES,
        }
    }

    fn min_size(&self) -> (u16, u16) {
        if self.step == Step::Pick {
            return (40, 12);
        }
        let neutral = self.of(&[Sentiment::Neutral]).len();
        let left = self.of(&[Sentiment::Positive]).len() + if neutral > 0 { neutral + 1 } else { 0 };
        let right = self.of(&[Sentiment::Negative]).len();
        let rows = u16::try_from(left.max(right)).unwrap_or(u16::MAX);
        (50, rows.saturating_add(9).max(15))
    }

    fn edits_text(&self) -> bool {
        self.step == Step::Pick || self.time_field.is_some()
    }

    fn modal(&self) -> bool {
        self.step == Step::Log
    }

    fn start(&mut self, cx: &mut Cx) {
        cx.call(calls::behaviours());
        cx.call(calls::periods());
        match self.step {
            Step::Pick => self.picker.start(cx),
            Step::Log => self.start_log(cx),
        }
    }

    fn refresh(&mut self, cx: &mut Cx) {
        if self.behaviours.is_none() {
            cx.call(calls::behaviours());
        }
        if self.periods.is_empty() {
            cx.call(calls::periods());
        }
        match self.step {
            Step::Pick => self.picker.start(cx),
            Step::Log if self.counts_state != Counts::Known => self.start_log(cx),
            Step::Log => {}
        }
    }

    fn key(&mut self, key: KeyEvent, cx: &mut Cx) -> bool {
        if self.step == Step::Log {
            return self.log_key(key, cx);
        }
        match self.picker.key(key) {
            Picked::Used => true,
            Picked::Individuals(group) => {
                self.group = group;
                self.picker.clear_marks();
                self.start_log(cx);
                true
            }
            Picked::NotMine => match key.code {
                KeyCode::Char('?') => {
                    cx.help();
                    true
                }
                KeyCode::Esc => {
                    cx.back();
                    true
                }
                _ => false,
            },
        }
    }

    fn paste(&mut self, text: &str, _cx: &mut Cx) {
        match (&mut self.time_field, self.step) {
            (Some(field), _) => field.paste(text),
            (None, Step::Pick) => self.picker.paste(text),
            (None, Step::Log) => {}
        }
    }

    fn reply(&mut self, reply: Typed, cx: &mut Cx) {
        let Some(reply) = self.picker.reply(reply, cx) else {
            return;
        };
        match take::<Reply>(reply) {
            Some(Reply::Behaviours(Ok(list))) => {
                let mut items = list.items;
                items.sort_by_key(|b| (b.position, b.id));
                self.behaviours = Some(items);
                self.behaviours_failed = false;
            }
            Some(Reply::Behaviours(Err(e))) => {
                self.behaviours_failed = true;
                if !e.offline() && !e.session_ended() {
                    cx.error(format!("Could not load the behaviours: {e}"));
                }
            }
            Some(Reply::Periods(Ok(list))) => self.periods = list.items,
            Some(Reply::Periods(Err(_))) => {}
            Some(Reply::Today { individual, page }) => match page {
                Ok(page) if self.counting.last() == Some(&individual) => {
                    for click in &page.items {
                        self.listed_click(click.id, click.behaviour_id);
                    }
                    match page.next_cursor {
                        Some(cursor) => cx.call(calls::today(individual, self.midnight, Some(cursor))),
                        None => {
                            self.counting.pop();
                            self.count_next(cx);
                        }
                    }
                }
                Ok(_) => {}
                Err(_) => self.counts_state = Counts::Unknown,
            },
            None => {}
        }
    }

    fn settled(&mut self, what: &Outgoing, landed: bool, _cx: &mut Cx) {
        // A refused click was never recorded: today's count must not keep it.
        if let (false, Outgoing::Click { click, .. }) = (landed, what)
            && let Some(behaviour) = self.made.remove(&click.id)
            && let Some(count) = self.tally.get_mut(&behaviour)
        {
            *count = count.saturating_sub(1);
        }
    }

    fn deadline(&self) -> Option<Instant> {
        self.last.as_ref().filter(|l| l.undoable).map(|l| l.until)
    }

    fn on_deadline(&mut self, cx: &mut Cx) {
        // The undo window closed: the confirmation stays, without "u undo".
        if let Some(last) = &mut self.last
            && cx.instant >= last.until
        {
            last.undoable = false;
        }
    }

    fn render(&mut self, f: &mut Frame, area: Rect, ctx: &Ctx<'_>) {
        view::render(self, f, area, ctx);
    }

    fn summary(&self) -> String {
        format!(
            "Clicker {{ step: {:?}, group: {}, behaviours: {}, made: {}, backdated: {} }}",
            self.step,
            self.group.len(),
            self.behaviours.as_ref().map_or(0, Vec::len),
            self.made.len(),
            self.backdate.is_some()
        )
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}
