//! One open profile: its eight tabs (the guide's: Overview, Incidents, Plans, Communications,
//! Clickers, Details, Key contacts, Access) and what it was sent. The data of every tab comes
//! in two answers (`GET /individuals/{id}` and `/overview`), asked for when it opens.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::client::api::ApiError;
use crate::wire::{Behaviour, IndividualDetails, IndividualOverview, IndividualSummary};

/// The tabs, in order (`1`-`8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// Recent incidents, the clicks of 30 days, open plans, latest communications.
    Overview,
    /// Every incident.
    Incidents,
    /// Smart Plans.
    Plans,
    /// Communications with their threads.
    Communications,
    /// Counts per behaviour per day and week, and the raw log.
    Clickers,
    /// Name, date of birth, year, group, SEN, notes.
    Details,
    /// Parents and carers.
    KeyContacts,
    /// Who may see this profile.
    Access,
}

impl Tab {
    /// Every tab, in order.
    pub const ALL: [Tab; 8] = [
        Tab::Overview,
        Tab::Incidents,
        Tab::Plans,
        Tab::Communications,
        Tab::Clickers,
        Tab::Details,
        Tab::KeyContacts,
        Tab::Access,
    ];

    /// Its name on the tab bar (long, and short for narrow windows).
    pub fn label(self, short: bool) -> &'static str {
        match (self, short) {
            (Tab::Overview, _) => "Overview",
            (Tab::Incidents, _) => "Incidents",
            (Tab::Plans, _) => "Plans",
            (Tab::Communications, false) => "Communications",
            (Tab::Communications, true) => "Comms",
            (Tab::Clickers, _) => "Clickers",
            (Tab::Details, _) => "Details",
            (Tab::KeyContacts, false) => "Key contacts",
            (Tab::KeyContacts, true) => "Contacts",
            (Tab::Access, _) => "Access",
        }
    }

    fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    /// The tab `by` places on (wrapping).
    pub fn moved(self, by: isize) -> Tab {
        let n = Tab::ALL.len() as isize;
        Tab::ALL[(self.index() as isize + by).rem_euclid(n) as usize]
    }
}

/// What arrived for one part of a profile.
#[derive(Debug, Clone)]
pub enum Part<T> {
    /// On its way.
    Loading,
    /// Here.
    Here(T),
    /// Refused or failed (why, in words).
    Failed(String),
}

impl<T> Part<T> {
    /// The data, if here.
    pub fn get(&self) -> Option<&T> {
        match self {
            Part::Here(t) => Some(t),
            _ => None,
        }
    }

    /// An answer: the data, or why not (a 404 says the profile is not available).
    pub fn from(result: Result<T, ApiError>) -> Part<T> {
        match result {
            Ok(t) => Part::Here(t),
            Err(e) if e.is(crate::wire::codes::NOT_FOUND) => Part::Failed(
                "This profile is not available to you: it may have been removed, or your access changed.".into(),
            ),
            Err(e) if e.offline() => Part::Failed("It could not be loaded: it comes when the server answers.".into()),
            Err(e) => Part::Failed(format!("It could not be loaded: {e}")),
        }
    }
}

/// An open profile.
#[derive(Debug)]
pub struct Profile {
    /// Who (as the list had them).
    pub individual: IndividualSummary,
    /// Details, key contacts, access.
    pub details: Part<IndividualDetails>,
    /// Every other tab.
    pub overview: Part<IndividualOverview>,
    /// The behaviours by id (names on the Clickers tab).
    pub behaviours: HashMap<i64, Behaviour>,
    /// The tab shown.
    pub tab: Tab,
    /// The selected row of the tab's list.
    pub row: usize,
    /// The first row shown of the tab's list.
    pub offset: usize,
    /// Rows of one page (as last drawn).
    pub page: usize,
    /// `r` was pressed: the next key says what to record.
    pub record_prefix: bool,
    /// Today, on the setting's clock, when it was opened (the Clickers tab's "today").
    pub today: NaiveDate,
}

impl Profile {
    /// A profile being loaded, opened on `today`.
    pub fn new(individual: IndividualSummary, today: NaiveDate) -> Profile {
        Profile {
            individual,
            details: Part::Loading,
            overview: Part::Loading,
            behaviours: HashMap::new(),
            tab: Tab::Overview,
            row: 0,
            offset: 0,
            page: 10,
            record_prefix: false,
            today,
        }
    }

    /// Show `tab` from its top.
    pub fn show(&mut self, tab: Tab) {
        self.tab = tab;
        self.row = 0;
        self.offset = 0;
    }

    /// How many rows the tab's list has.
    pub fn rows(&self) -> usize {
        let overview = self.overview.get();
        let details = self.details.get();
        match self.tab {
            Tab::Incidents => overview.map_or(0, |o| o.incidents.len()),
            Tab::Plans => overview.map_or(0, |o| o.plans.len()),
            Tab::Communications => overview.map_or(0, |o| o.communications.len()),
            Tab::Clickers => overview.map_or(0, |o| o.recent_clicks.len()),
            Tab::KeyContacts => details.map_or(0, |d| d.key_contacts.len()),
            Tab::Access => details.map_or(0, |d| d.access.len()),
            Tab::Overview | Tab::Details => 0,
        }
    }

    /// Move the selection by `delta` rows (clamped).
    pub fn move_by(&mut self, delta: isize) {
        let last = self.rows().saturating_sub(1);
        self.row = self.row.saturating_add_signed(delta).min(last);
    }
}

/// The counts of one behaviour on the Clickers tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BehaviourCounts {
    /// The behaviour's id.
    pub behaviour: i64,
    /// Today.
    pub today: u32,
    /// This week (from Monday).
    pub this_week: u32,
    /// Last week.
    pub last_week: u32,
    /// The 8 weeks of the overview.
    pub eight_weeks: u32,
}

/// The counts per behaviour for the Clickers tab, most clicked first, from the overview's
/// daily counts, with `today` the current day on the setting's clock.
pub fn counts(overview: &IndividualOverview, today: NaiveDate) -> Vec<BehaviourCounts> {
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let last_monday = monday - Duration::days(7);
    let mut by: HashMap<i64, BehaviourCounts> = HashMap::new();
    for c in &overview.click_counts {
        let entry = by.entry(c.behaviour_id).or_insert(BehaviourCounts {
            behaviour: c.behaviour_id,
            today: 0,
            this_week: 0,
            last_week: 0,
            eight_weeks: 0,
        });
        entry.eight_weeks += c.count;
        if c.day == today {
            entry.today += c.count;
        }
        if c.day >= monday && c.day <= today {
            entry.this_week += c.count;
        } else if c.day >= last_monday && c.day < monday {
            entry.last_week += c.count;
        }
    }
    let mut all: Vec<BehaviourCounts> = by.into_values().collect();
    all.sort_by(|a, b| b.eight_weeks.cmp(&a.eight_weeks).then(a.behaviour.cmp(&b.behaviour)));
    all
}

/// Today on the clock `utc` chooses.
pub fn today(now: DateTime<Utc>, utc: bool) -> NaiveDate {
    if utc {
        now.date_naive()
    } else {
        now.with_timezone(&chrono::Local).date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ClickCount, IndividualRef, PupilName};

    #[test]
    fn tabs_wrap_and_counts_add_up_by_day_and_week() {
        assert_eq!(Tab::Overview.moved(-1), Tab::Access);
        assert_eq!(Tab::Access.moved(1), Tab::Overview);
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        let count = |d, behaviour_id, count| ClickCount {
            day: day(d),
            behaviour_id,
            count,
        };
        let overview = IndividualOverview {
            individual: IndividualRef {
                id: 1,
                name: PupilName::new("A B"),
            },
            incidents: vec![],
            incident_total: 0,
            plans: vec![],
            communications: vec![],
            clicks_last_30_days: vec![],
            // Wednesday 2 December 2026: this week began on Monday 30 November.
            click_counts: vec![count(2, 1, 3), count(1, 1, 2), count(2, 2, 1)],
            recent_clicks: vec![],
        };
        let mut with_last_week = overview.clone();
        with_last_week.click_counts.push(ClickCount {
            day: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            behaviour_id: 2,
            count: 4,
        });
        let c = counts(&with_last_week, day(2));
        assert_eq!(
            c[0],
            BehaviourCounts {
                behaviour: 1,
                today: 3,
                this_week: 5,
                last_week: 0,
                eight_weeks: 5
            }
        );
        assert_eq!(
            c[1],
            BehaviourCounts {
                behaviour: 2,
                today: 1,
                this_week: 1,
                last_week: 4,
                eight_weeks: 5
            }
        );
    }
}
