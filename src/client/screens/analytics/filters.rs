//! The filters of Analytics: the period (`t` steps through four, `T` takes two typed dates),
//! and the individuals (`I`), locations (`l`), staff (`S`) and clicker behaviours (`B`) to keep
//! to, each a list of several. Pure, so it is tested without a screen.
//!
//! A filter the report type does not take (the clicker has no locations, an incident no
//! behaviour) is kept while another type is shown, and the filter line says it is not used,
//! so the figures are never read as filtered when they are not; the query sends only the
//! filters the type takes (the server refuses the others).

use chrono::{Datelike, Duration, Months, NaiveDate};

use super::super::incidents::filters::term_start;
use crate::client::privacy::Privacy;
use crate::client::widgets::dates_form::Which;
use crate::wire::{FilterField, FilterSet, IndividualRef, ListItem, ReportKind, SavedFilters, SavedPeriod};

/// The period of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Since Monday.
    Week,
    /// The last 30 days.
    Days30,
    /// This term (since 1 September, 1 January or Easter Monday).
    Term,
    /// This school year (since 1 September).
    SchoolYear,
    /// Typed dates (`T`), both included.
    Dates(NaiveDate, NaiveDate),
}

impl Period {
    /// The next one of `t` (typed dates go on to this week).
    pub fn next(self) -> Period {
        match self {
            Period::Week => Period::Days30,
            Period::Days30 => Period::Term,
            Period::Term => Period::SchoolYear,
            Period::SchoolYear | Period::Dates(..) => Period::Week,
        }
    }

    /// In words, dates as UK dates.
    pub fn label(self) -> String {
        match self {
            Period::Week => "this week".into(),
            Period::Days30 => "last 30 days".into(),
            Period::Term => "this term".into(),
            Period::SchoolYear => "this school year".into(),
            Period::Dates(from, to) => format!("{} to {}", from.format("%d/%m/%Y"), to.format("%d/%m/%Y")),
        }
    }

    /// Its first and last day, when today is `today`.
    pub fn days(self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        let from = match self {
            Period::Week => today - Duration::days(i64::from(today.weekday().num_days_from_monday())),
            Period::Days30 => today - Duration::days(29),
            Period::Term => term_start(today),
            Period::SchoolYear => {
                let year = if today.month() >= 9 { today.year() } else { today.year() - 1 };
                NaiveDate::from_ymd_opt(year, 9, 1).unwrap_or(today)
            }
            Period::Dates(from, to) => return (from, to),
        };
        (from, today)
    }

    /// As a saved set keeps it.
    pub fn saved(self) -> SavedPeriod {
        match self {
            Period::Week => SavedPeriod::ThisWeek,
            Period::Days30 => SavedPeriod::Last30Days,
            Period::Term => SavedPeriod::ThisTerm,
            Period::SchoolYear => SavedPeriod::ThisSchoolYear,
            Period::Dates(from, to) => SavedPeriod::Dates { from, to },
        }
    }

    /// As a saved set named it.
    pub fn of_saved(saved: SavedPeriod) -> Period {
        match saved {
            SavedPeriod::ThisWeek => Period::Week,
            SavedPeriod::Last30Days => Period::Days30,
            SavedPeriod::ThisTerm => Period::Term,
            SavedPeriod::ThisSchoolYear => Period::SchoolYear,
            SavedPeriod::Dates { from, to } => Period::Dates(from, to),
        }
    }
}

/// What to type for a date, said in every refusal.
pub const DATE_EXAMPLES: &str = "type a date such as 01/09/2026, 1/9, today, or -30d, -6w, -3m (that long ago)";

/// A day typed by a person: `01/09/2026`, `1/9/26`, `1/9` (this year, or last year's when
/// that is ahead), `today`, or `-30d`, `-6w`, `-3m` (that long before today).
pub fn typed_day(text: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let text = text.trim().to_lowercase();
    let bad = || format!("\"{text}\" is not a date: {DATE_EXAMPLES}.");
    if text == "today" {
        return Ok(today);
    }
    if let Some(ago) = text.strip_prefix('-') {
        let (n, unit) = ago.split_at(ago.len().saturating_sub(1));
        let n: u32 = n.parse().map_err(|_| bad())?;
        return match unit {
            "d" => today.checked_sub_signed(Duration::days(i64::from(n))),
            "w" => today.checked_sub_signed(Duration::weeks(i64::from(n))),
            "m" => today.checked_sub_months(Months::new(n)),
            _ => None,
        }
        .ok_or_else(bad);
    }
    crate::client::when::date(&text, today).map_err(|_| bad())
}

/// The two dates typed into `T`'s form, checked as the server will check them: `to` empty is
/// today; `from` must not be after `to`, nor the period longer than ten years. A refusal says
/// which field to change.
pub fn typed_period(from: &str, to: &str, today: NaiveDate) -> Result<Period, (Which, String)> {
    let from_day = typed_day(from, today).map_err(|e| (Which::From, format!("From: {e}")))?;
    let to_day = match to.trim().is_empty() {
        true => today,
        false => typed_day(to, today).map_err(|e| (Which::To, format!("To: {e}")))?,
    };
    if from_day > to_day {
        return Err((
            Which::From,
            format!(
                "{} is after {}: the first date comes first.",
                from_day.format("%d/%m/%Y"),
                to_day.format("%d/%m/%Y")
            ),
        ));
    }
    if (to_day - from_day).num_days() > crate::wire::REPORT_MAX_DAYS {
        return Err((Which::From, "That is longer than 10 years: choose a shorter period.".into()));
    }
    Ok(Period::Dates(from_day, to_day))
}

/// The filters chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filters {
    /// The period.
    pub period: Period,
    /// Only these individuals (none: every one the user may open).
    pub individuals: Vec<IndividualRef>,
    /// Only these clicker behaviours.
    pub behaviours: Vec<ListItem>,
    /// Only these locations.
    pub locations: Vec<ListItem>,
    /// Only these members of staff.
    pub staff: Vec<ListItem>,
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            period: Period::Days30,
            individuals: Vec::new(),
            behaviours: Vec::new(),
            locations: Vec::new(),
            staff: Vec::new(),
        }
    }
}

/// The ids of `items`.
fn ids(items: &[ListItem]) -> Vec<i64> {
    items.iter().map(|i| i.id).collect()
}

impl Filters {
    /// The ids chosen for `field`.
    pub fn ids(&self, field: FilterField) -> Vec<i64> {
        match field {
            FilterField::Individual => self.individuals.iter().map(|p| p.id).collect(),
            FilterField::Behaviour => ids(&self.behaviours),
            FilterField::Location => ids(&self.locations),
            FilterField::Staff => ids(&self.staff),
        }
    }

    /// The list filters the report `kind` takes and that hold something, with their ids (what
    /// the query sends).
    pub fn applied(&self, kind: ReportKind) -> Vec<(FilterField, Vec<i64>)> {
        kind.filters()
            .iter()
            .map(|&field| (field, self.ids(field)))
            .filter(|(_, ids)| !ids.is_empty())
            .collect()
    }

    /// True when no list filter holds anything (the period is always there).
    pub fn lists_empty(&self) -> bool {
        self.individuals.is_empty() && self.behaviours.is_empty() && self.locations.is_empty() && self.staff.is_empty()
    }

    /// Clear the list filters, keeping the period.
    pub fn clear_lists(&mut self) {
        self.individuals.clear();
        self.behaviours.clear();
        self.locations.clear();
        self.staff.clear();
    }

    /// Each list filter in words (pupils' names through `privacy`), those the report `kind`
    /// does not take marked as not used.
    pub fn parts(&self, kind: ReportKind, privacy: &Privacy) -> Vec<String> {
        let mut parts = Vec::new();
        let mut push = |field: FilterField, noun: &str, names: Vec<String>| {
            if names.is_empty() {
                return;
            }
            let list = match names.len() {
                1..=3 => names.join(", "),
                n => format!("{}, {} and {} more", names[0], names[1], n - 2),
            };
            parts.push(match kind.filters().contains(&field) {
                true => format!("{noun} {list}"),
                false => format!("{noun} {list} (not used here)"),
            });
        };
        push(
            FilterField::Individual,
            "only",
            self.individuals.iter().map(|p| privacy.name(&p.name)).collect(),
        );
        let names = |items: &[ListItem]| items.iter().map(|i| i.name.clone()).collect();
        push(FilterField::Location, "at", names(&self.locations));
        push(FilterField::Staff, "staff", names(&self.staff));
        push(FilterField::Behaviour, "behaviours", names(&self.behaviours));
        parts
    }

    /// The filter line above the table.
    pub fn describe(&self, kind: ReportKind, privacy: &Privacy, sep: &str) -> String {
        match self.parts(kind, privacy) {
            parts if parts.is_empty() => {
                format!("Filters: none, every individual you may see{sep}I l S B add some, F saved sets")
            }
            parts => format!("Filters: {}{sep}x clears", parts.join(sep)),
        }
    }

    /// What a saved set keeps to, in a line: the period, then the lists.
    pub fn summary(&self, kind: ReportKind, privacy: &Privacy, sep: &str) -> String {
        let mut parts = vec![self.period.label()];
        parts.extend(self.parts(kind, privacy));
        parts.join(sep)
    }

    /// As a saved set keeps them.
    pub fn saved(&self) -> SavedFilters {
        SavedFilters {
            period: Some(self.period.saved()),
            individual_ids: self.ids(FilterField::Individual),
            behaviour_ids: self.ids(FilterField::Behaviour),
            location_ids: self.ids(FilterField::Location),
            staff_ids: self.ids(FilterField::Staff),
        }
    }

    /// The filters of the saved `set`, named from the lists the page has loaded (an id no
    /// longer in a list, a location retired since, is kept with its number for a name, so
    /// the figures stay those the set asked for). A set without a period keeps `period`.
    pub fn of_saved(set: &FilterSet, period: Period, lists: &Lists) -> Filters {
        let named = |ids: &[i64], list: &[ListItem], noun: &str| {
            ids.iter()
                .map(|&id| {
                    list.iter().find(|i| i.id == id).cloned().unwrap_or(ListItem {
                        id,
                        name: format!("{noun} {id}"),
                    })
                })
                .collect()
        };
        Filters {
            period: set.filters.period.map_or(period, Period::of_saved),
            individuals: set.individuals.clone(),
            behaviours: named(&set.filters.behaviour_ids, &lists.behaviours, "behaviour"),
            locations: named(&set.filters.location_ids, &lists.locations, "location"),
            staff: named(&set.filters.staff_ids, &lists.staff, "staff"),
        }
    }
}

/// The setting's lists the filters choose from (loaded when the page opens).
#[derive(Debug, Clone, Default)]
pub struct Lists {
    /// Locations.
    pub locations: Vec<ListItem>,
    /// Staff.
    pub staff: Vec<ListItem>,
    /// Clicker behaviours.
    pub behaviours: Vec<ListItem>,
    /// Which have come.
    pub loaded: Vec<FilterField>,
}

impl Lists {
    /// The list of `field` has come.
    pub fn loaded(&mut self, field: FilterField, items: Vec<ListItem>) {
        match field {
            FilterField::Location => self.locations = items,
            FilterField::Staff => self.staff = items,
            FilterField::Behaviour => self.behaviours = items,
            FilterField::Individual => return,
        }
        if !self.loaded.contains(&field) {
            self.loaded.push(field);
        }
    }

    /// The list `field` chooses from, if it has come.
    pub fn of(&self, field: FilterField) -> Option<&[ListItem]> {
        let list = match field {
            FilterField::Location => &self.locations,
            FilterField::Staff => &self.staff,
            FilterField::Behaviour => &self.behaviours,
            FilterField::Individual => return None,
        };
        self.loaded.contains(&field).then_some(list.as_slice())
    }
}

/// The words for `field` in a sentence.
pub fn noun(field: FilterField) -> &'static str {
    match field {
        FilterField::Individual => "individual",
        FilterField::Behaviour => "behaviour",
        FilterField::Location => "location",
        FilterField::Staff => "member of staff",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn days_are_typed_as_uk_dates_or_that_long_ago() {
        let today = day(2026, 12, 4);
        assert_eq!(typed_day("01/09/2026", today), Ok(day(2026, 9, 1)));
        assert_eq!(typed_day("1/9/26", today), Ok(day(2026, 9, 1)));
        assert_eq!(typed_day("1/9", today), Ok(day(2026, 9, 1)));
        assert_eq!(typed_day("31/12", today), Ok(day(2025, 12, 31)), "ahead: last year's");
        assert_eq!(typed_day(" Today ", today), Ok(today));
        assert_eq!(typed_day("-30d", today), Ok(day(2026, 11, 4)));
        assert_eq!(typed_day("-2w", today), Ok(day(2026, 11, 20)));
        assert_eq!(typed_day("-3m", today), Ok(day(2026, 9, 4)));
        for bad in ["", "2026-09-01", "32/1", "-3y", "-m", "yesterday", "1/13/2026", "\u{1b}[2J"] {
            let e = typed_day(bad, today).unwrap_err();
            assert!(e.contains("such as 01/09/2026"), "{bad}: {e}");
        }
    }

    #[test]
    fn a_typed_period_is_checked_as_the_server_checks_it() {
        let today = day(2026, 12, 4);
        assert_eq!(
            typed_period("1/9", "", today),
            Ok(Period::Dates(day(2026, 9, 1), today)),
            "an empty \"to\" is today"
        );
        let refused = |from, to| typed_period(from, to, today).unwrap_err();
        assert!(refused("4/12", "1/9").1.contains("first date comes first"));
        assert!(refused("1/1/2010", "1/1/2026").1.contains("10 years"));
        assert_eq!(refused("soon", "").0, Which::From);
        assert_eq!(refused("1/9", "later").0, Which::To);
        assert!(refused("1/9", "later").1.starts_with("To:"));
        assert_eq!(Period::Dates(day(2026, 9, 1), today).label(), "01/09/2026 to 04/12/2026");
        assert_eq!(Period::Dates(day(2026, 9, 1), today).next(), Period::Week);
    }

    #[test]
    fn only_the_filters_a_type_takes_are_sent_and_the_others_are_said_unused() {
        let item = |id, name: &str| ListItem { id, name: name.into() };
        let filters = Filters {
            locations: vec![item(3, "Hall")],
            behaviours: vec![item(9, "Shouting out")],
            ..Filters::default()
        };
        assert_eq!(
            filters.applied(ReportKind::Global),
            vec![(FilterField::Location, vec![3])]
        );
        assert_eq!(
            filters.applied(ReportKind::Clicker),
            vec![(FilterField::Behaviour, vec![9])]
        );
        let line = filters.describe(ReportKind::Clicker, &Privacy::default(), " · ");
        assert!(line.contains("at Hall (not used here)"), "{line}");
        assert!(line.contains("behaviours Shouting out") && !line.contains("Shouting out (not"), "{line}");
        let mut cleared = filters.clone();
        cleared.clear_lists();
        assert!(cleared.lists_empty());
        assert!(cleared.describe(ReportKind::Global, &Privacy::default(), " · ").contains("none"));
    }

    #[test]
    fn a_saved_set_comes_back_as_the_filters_it_was_saved_from() {
        let lists = Lists {
            locations: vec![ListItem { id: 3, name: "Hall".into() }],
            ..Lists::default()
        };
        let filters = Filters {
            period: Period::Term,
            locations: lists.locations.clone(),
            staff: vec![ListItem { id: 5, name: "J. Ray".into() }],
            ..Filters::default()
        };
        let set = FilterSet {
            id: 1,
            name: "Hall this term".into(),
            filters: filters.saved(),
            individuals: vec![],
            hidden: 0,
            saved_at: chrono::Utc::now(),
        };
        let back = Filters::of_saved(&set, Period::Week, &lists);
        assert_eq!(back.period, Period::Term);
        assert_eq!(back.locations, filters.locations);
        assert_eq!(back.staff[0].name, "staff 5", "a member of staff not in the list keeps their number");
    }
}
