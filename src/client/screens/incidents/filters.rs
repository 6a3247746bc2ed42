//! The filters of the Incidents page and the query of `GET /incidents` they make: who, the
//! period, the type, the location, flagged, parents informed and "mine". Pure, so it is
//! tested without a screen.

use chrono::{DateTime, Datelike, Duration, Local, NaiveDate, TimeZone, Utc};

use crate::client::dates::Dates;
use crate::client::privacy::Privacy;
use crate::wire::{IncidentKind, IndividualRef, ListItem};

/// Which incidents by when they happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Since Monday of this week.
    Week,
    /// The last 30 days.
    Month,
    /// This term: since 1 September, 1 January or Easter Monday, whichever came last.
    Term,
    /// Everything the user may see.
    All,
    /// Typed dates (`T`): from (and until) these times.
    Between(Option<DateTime<Utc>>, Option<DateTime<Utc>>),
}

impl Period {
    /// The next period of `t` (typed dates go back to this week).
    pub fn next(self) -> Period {
        match self {
            Period::Week => Period::Month,
            Period::Month => Period::Term,
            Period::Term => Period::All,
            Period::All | Period::Between(..) => Period::Week,
        }
    }

    /// In words, dates in UK form.
    pub fn label(self, dates: Dates) -> String {
        match self {
            Period::Week => "this week".into(),
            Period::Month => "last 30 days".into(),
            Period::Term => "this term".into(),
            Period::All => "all".into(),
            Period::Between(since, until) => match (since, until) {
                (Some(s), Some(u)) => format!("{} to {}", dates.short(s), dates.short(u)),
                (Some(s), None) => format!("since {}", dates.short(s)),
                (None, Some(u)) => format!("before {}", dates.short(u)),
                (None, None) => "all".into(),
            },
        }
    }

    /// `since` and `until` of the query at `now`.
    pub fn bounds(self, now: DateTime<Utc>, dates: Dates) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
        let today = day_of(now, dates);
        match self {
            Period::Week => {
                let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
                (Some(midnight(monday, dates)), None)
            }
            Period::Month => (Some(now - Duration::days(30)), None),
            Period::Term => (Some(midnight(term_start(today), dates)), None),
            Period::All => (None, None),
            Period::Between(since, until) => (since, until),
        }
    }
}

/// Easter Sunday of `year` (the anonymous Gregorian computus).
pub fn easter(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or_default()
}

/// The first day of the term `today` is in, near enough for a filter: the autumn term from
/// 1 September, the spring term from 1 January, the summer term from Easter Monday.
pub fn term_start(today: NaiveDate) -> NaiveDate {
    let year = today.year();
    let day = |m, d| NaiveDate::from_ymd_opt(year, m, d).unwrap_or(today);
    let summer = easter(year) + Duration::days(1);
    [day(9, 1), summer, day(1, 1)]
        .into_iter()
        .find(|start| *start <= today)
        .unwrap_or(today)
}

/// The day `at` falls on, on the clock `dates` reads.
pub fn day_of(at: DateTime<Utc>, dates: Dates) -> NaiveDate {
    if dates.utc {
        at.date_naive()
    } else {
        at.with_timezone(&Local).date_naive()
    }
}

/// The start of `day` on the clock `dates` reads.
pub fn midnight(day: NaiveDate, dates: Dates) -> DateTime<Utc> {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    if dates.utc {
        naive.and_utc()
    } else {
        Local
            .from_local_datetime(&naive)
            .earliest()
            .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
    }
}

/// Every filter of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filters {
    /// Only incidents about this individual.
    pub individual: Option<IndividualRef>,
    /// When.
    pub period: Period,
    /// Only this kind.
    pub kind: Option<IncidentKind>,
    /// Only at this location.
    pub location: Option<ListItem>,
    /// Only flagged (true) or unflagged (false).
    pub flagged: Option<bool>,
    /// Only with parents informed (true) or not yet (false).
    pub parents_informed: Option<bool>,
    /// Only those the user reported or was present at.
    pub mine: bool,
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            individual: None,
            period: Period::Month,
            kind: None,
            location: None,
            flagged: None,
            parents_informed: None,
            mine: false,
        }
    }
}

/// `None` → `Some(true)` → `Some(false)` → `None`.
pub fn cycle(value: Option<bool>) -> Option<bool> {
    match value {
        None => Some(true),
        Some(true) => Some(false),
        Some(false) => None,
    }
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Filters {
    /// True when nothing narrows the list but the period.
    pub fn only_period(&self) -> bool {
        let plain = Filters {
            period: self.period,
            ..Filters::default()
        };
        *self == plain
    }

    /// The query pairs of `GET /incidents` (without the page size and cursor).
    pub fn query(&self, now: DateTime<Utc>, dates: Dates) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        let (since, until) = self.period.bounds(now, dates);
        if let Some(since) = since {
            q.push(("since", time(since)));
        }
        if let Some(until) = until {
            q.push(("until", time(until)));
        }
        if let Some(who) = &self.individual {
            q.push(("individual_id", who.id.to_string()));
        }
        if let Some(kind) = self.kind {
            let wire = match kind {
                IncidentKind::Incident => "standard",
                IncidentKind::PhysicalIntervention => "physical_intervention",
            };
            q.push(("kind", wire.to_string()));
        }
        if let Some(location) = &self.location {
            q.push(("location_id", location.id.to_string()));
        }
        if let Some(flagged) = self.flagged {
            q.push(("flagged", flagged.to_string()));
        }
        if let Some(informed) = self.parents_informed {
            q.push(("parents_informed", informed.to_string()));
        }
        if self.mine {
            q.push(("mine", "true".to_string()));
        }
        q
    }

    /// The filters in force, in words, for the line above the table (names through privacy).
    pub fn describe(&self, privacy: &Privacy, dates: Dates) -> Vec<String> {
        let mut words = vec![self.period.label(dates)];
        if let Some(who) = &self.individual {
            words.push(privacy.name(&who.name));
        }
        match self.kind {
            Some(IncidentKind::Incident) => words.push("standard reports".into()),
            Some(IncidentKind::PhysicalIntervention) => words.push("physical interventions".into()),
            None => {}
        }
        if let Some(location) = &self.location {
            words.push(location.name.clone());
        }
        match self.flagged {
            Some(true) => words.push("flagged".into()),
            Some(false) => words.push("not flagged".into()),
            None => {}
        }
        match self.parents_informed {
            Some(true) => words.push("parents informed".into()),
            Some(false) => words.push("parents not informed".into()),
            None => {}
        }
        if self.mine {
            words.push("mine".into());
        }
        words
    }

    /// What an empty list says, and what to do.
    pub fn empty(&self, dates: Dates) -> String {
        if !self.only_period() {
            return "No incidents match these filters. x clears them.".into();
        }
        match self.period {
            Period::All => "No incidents that you may see have been recorded.".into(),
            Period::Term => "No incidents this term. t shows all of them.".into(),
            p => format!("No incidents {}. t shows a longer period.", in_words(p, dates)),
        }
    }
}

fn in_words(p: Period, dates: Dates) -> String {
    match p {
        Period::Month => "in the last 30 days".into(),
        Period::Between(..) => format!("from {}", p.label(dates)),
        other => other.label(dates),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::PupilName;

    fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, 10, 42, 0).unwrap()
    }

    #[test]
    fn terms_start_on_1_september_1_january_and_easter_monday() {
        assert_eq!(easter(2026), NaiveDate::from_ymd_opt(2026, 4, 5).unwrap());
        assert_eq!(easter(2027), NaiveDate::from_ymd_opt(2027, 3, 28).unwrap());
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(term_start(day(2026, 12, 1)), day(2026, 9, 1));
        assert_eq!(term_start(day(2027, 2, 10)), day(2027, 1, 1));
        assert_eq!(term_start(day(2027, 3, 29)), day(2027, 3, 29));
        assert_eq!(term_start(day(2027, 7, 20)), day(2027, 3, 29));
    }

    #[test]
    fn filters_make_the_query() {
        let now = at(2026, 12, 1);
        let mut f = Filters::default();
        assert_eq!(f.query(now, Dates::UTC), vec![("since", "2026-11-01T10:42:00Z".to_string())]);
        assert!(f.only_period());
        f.period = Period::Week;
        assert_eq!(f.query(now, Dates::UTC)[0].1, "2026-11-30T00:00:00Z", "Monday");
        f.period = Period::Term;
        assert_eq!(f.query(now, Dates::UTC)[0].1, "2026-09-01T00:00:00Z");
        f = Filters {
            individual: Some(IndividualRef {
                id: 13,
                name: PupilName::new("Jo Smith"),
            }),
            period: Period::Between(Some(at(2026, 11, 2)), Some(at(2026, 11, 20))),
            kind: Some(IncidentKind::PhysicalIntervention),
            location: Some(ListItem {
                id: 4,
                name: "Corridor B".into(),
            }),
            flagged: Some(true),
            parents_informed: Some(false),
            mine: true,
        };
        let q = f.query(now, Dates::UTC);
        let keys: Vec<&str> = q.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            keys,
            [
                "since",
                "until",
                "individual_id",
                "kind",
                "location_id",
                "flagged",
                "parents_informed",
                "mine"
            ]
        );
        assert!(q.contains(&("kind", "physical_intervention".into())));
        assert!(q.contains(&("parents_informed", "false".into())));
        let hidden = Privacy {
            on: true,
            revealed: false,
        };
        let words = f.describe(&hidden, Dates::UTC).join(", ");
        assert_eq!(
            words,
            "02/11/26 10:42 to 20/11/26 10:42, J. S., physical interventions, Corridor B, flagged, parents not informed, mine"
        );
        assert!(f.empty(Dates::UTC).contains("x clears"));
        assert_eq!(cycle(cycle(cycle(None))), None);
    }
}
