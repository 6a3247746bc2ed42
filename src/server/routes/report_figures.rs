//! A report laid out from the store's figures: which records each type counts, its columns,
//! rows, totals, the series over the period, the clicker's hour by weekday grid, the keys of
//! its rows (for the incidents behind one), and its table as CSV.
//!
//! Counting is the store's. Only time is folded here: the store counts records by UTC
//! hour and this module adds the hours into the setting's days, weeks, months, hours of the day
//! and weekdays (Europe/London differs from UTC by whole hours, so this is exact).

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate, Timelike};

use super::super::clock::{day_start, local_time};
use super::super::error::ApiError;
use super::super::store::{
    Counted, Grouping, HourRow, ReportFilter, ReportGroupRow, ReportRecords, RowMatch, Store, Viewer,
};
use crate::wire::{ColumnKind, Dimension, Report, ReportColumn, ReportKind, ReportRow, ReportSeries, ReportTotal};

/// A report's period (`to` included) and the period as long just before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Period {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
    /// The first day of the period before.
    pub previous_from: NaiveDate,
}

impl Period {
    /// `from` to `to`, compared with as many days just before.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Period {
        let days = (to - from).num_days() + 1;
        Period {
            from,
            to,
            previous_from: from - Duration::days(days),
        }
    }

    /// What one bucket of the series is: a day up to 31 days, a week up to 26 weeks, else a
    /// month.
    pub fn bucket(&self) -> Bucket {
        let days = (self.to - self.from).num_days() + 1;
        if days <= 31 {
            Bucket::Day
        } else if days <= 182 {
            Bucket::Week
        } else {
            Bucket::Month
        }
    }

    /// The first day of every bucket of the period, in order.
    fn bucket_starts(&self) -> Vec<NaiveDate> {
        let bucket = self.bucket();
        let mut at = bucket.start(self.from);
        let mut starts = Vec::new();
        while at <= self.to {
            starts.push(at);
            at = bucket.next(at);
        }
        starts
    }
}

/// A bucket of the series over a period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Bucket {
    /// A day.
    Day,
    /// A week, Monday first.
    Week,
    /// A calendar month.
    Month,
}

impl Bucket {
    /// Its name on the wire.
    fn name(self) -> &'static str {
        match self {
            Bucket::Day => "day",
            Bucket::Week => "week",
            Bucket::Month => "month",
        }
    }

    /// The first day of the bucket holding `day`.
    fn start(self, day: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => day,
            Bucket::Week => day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            Bucket::Month => day.with_day(1).unwrap_or(day),
        }
    }

    /// The first day of the bucket after the one starting `start`.
    fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Bucket::Day => start + Duration::days(1),
            Bucket::Week => start + Duration::days(7),
            Bucket::Month => start
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(start + Duration::days(31)),
        }
    }

    /// The row label of the bucket starting `start` (UK dates).
    fn label(self, start: NaiveDate) -> String {
        match self {
            Bucket::Day => start.format("%a %-d %b %Y").to_string(),
            Bucket::Week => start.format("w/b %-d %b %Y").to_string(),
            Bucket::Month => start.format("%B %Y").to_string(),
        }
    }
}

/// The records report `kind` counts.
pub(super) fn records_of(kind: ReportKind) -> ReportRecords {
    match kind {
        ReportKind::Global | ReportKind::Involvement => ReportRecords::Incidents,
        ReportKind::Intervention => ReportRecords::Interventions,
        ReportKind::Injuries => ReportRecords::Injuries,
        ReportKind::Discriminatory => ReportRecords::Discriminatory,
        ReportKind::Communication => ReportRecords::Communications,
        ReportKind::Clicker => ReportRecords::Clicks,
    }
}

/// What a type's main count is called.
fn noun(kind: ReportKind) -> &'static str {
    match kind {
        ReportKind::Global | ReportKind::Involvement => "Incidents",
        ReportKind::Intervention => "Physical interventions",
        ReportKind::Injuries => "Incidents with an injury",
        ReportKind::Discriminatory => "Discriminatory incidents",
        ReportKind::Communication => "Communications",
        ReportKind::Clicker => "Clicks",
    }
}

/// The store's grouping for a dimension (time, hours and weekdays are folded
/// from hours instead).
fn grouping(by: Dimension) -> Option<Grouping> {
    Some(match by {
        Dimension::Category => Grouping::Category,
        Dimension::Location => Grouping::Location,
        Dimension::Individual => Grouping::Individual,
        Dimension::Staff => Grouping::Staff,
        Dimension::Technique => Grouping::Technique,
        Dimension::Behaviour => Grouping::Behaviour,
        Dimension::Hour | Dimension::Weekday | Dimension::Time => return None,
    })
}

/// A column.
fn column(title: &str, kind: ColumnKind) -> ReportColumn {
    ReportColumn {
        title: title.to_string(),
        kind,
    }
}

/// The figure columns of report `kind` grouped `by`.
fn columns(kind: ReportKind, by: Dimension) -> Vec<ReportColumn> {
    use ColumnKind::*;
    let compared = [column("Previous", Count), column("Change %", Change)];
    let mut columns = match (kind, by) {
        (ReportKind::Intervention, Dimension::Technique) => {
            vec![column("Times used", Count), column("Effect 1-5", Mean)]
        }
        (ReportKind::Communication, _) => vec![
            column("Positive", Count),
            column("Negative", Count),
            column("N/A", Count),
            column("Total", Count),
        ],
        _ => vec![column(noun(kind), Count)],
    };
    columns.extend(compared);
    columns
}

/// The heading of the label column.
fn label_heading(by: Dimension, bucket: Bucket) -> &'static str {
    match by {
        Dimension::Category => "Category",
        Dimension::Location => "Location",
        Dimension::Individual => "Individual",
        Dimension::Staff => "Staff",
        Dimension::Technique => "Technique",
        Dimension::Behaviour => "Behaviour",
        Dimension::Hour => "Hour",
        Dimension::Weekday => "Day of week",
        Dimension::Time => match bucket {
            Bucket::Day => "Day",
            Bucket::Week => "Week",
            Bucket::Month => "Month",
        },
    }
}

/// The change from `previous` to `current` in per cent, to one place (none from nothing).
fn change(current: i64, previous: i64) -> Option<f64> {
    (previous != 0).then(|| ((current - previous) as f64 * 1000.0 / previous as f64).round() / 10.0)
}

/// Counts of one row: records in the period and before, and the period's positive and
/// negative ones (communications).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    current: i64,
    previous: i64,
    positive: i64,
    negative: i64,
}

/// A row's figures, as [`columns`] lays them out; `compared` is false for time rows, whose
/// period before has other dates.
fn figures(kind: ReportKind, counts: Counts, mean: Option<f64>, by: Dimension, compared: bool) -> Vec<Option<f64>> {
    let c = counts;
    let mut figures = match (kind, by) {
        (ReportKind::Intervention, Dimension::Technique) => vec![Some(c.current as f64), mean],
        (ReportKind::Communication, _) => vec![
            Some(c.positive as f64),
            Some(c.negative as f64),
            Some((c.current - c.positive - c.negative) as f64),
            Some(c.current as f64),
        ],
        _ => vec![Some(c.current as f64)],
    };
    match compared {
        true => figures.extend([Some(c.previous as f64), change(c.current, c.previous)]),
        false => figures.extend([None, None]),
    }
    figures
}

/// The key of a row grouped by `by` for group `id`, when incidents are behind it.
fn group_key(kind: ReportKind, by: Dimension, id: i64) -> Option<String> {
    let counted = kind.counts_incidents() || matches!(by, Dimension::Individual | Dimension::Staff);
    counted.then(|| format!("{}:{id}", by.slug()))
}

/// The row of report `kind` that `key` names, as incidents to list: `category:3`,
/// `individual:17`, `time:2026-11-23` (a bucket's first day)… `None` for a key the report does
/// not have.
pub(super) fn row_match(kind: ReportKind, period: &Period, key: &str) -> Option<RowMatch> {
    let (dimension, value) = key.split_once(':')?;
    let dimension = Dimension::from_slug(dimension).filter(|d| kind.dimensions().contains(d))?;
    if dimension == Dimension::Time {
        let start = NaiveDate::parse_from_str(value, "%Y-%m-%d").ok()?;
        let bucket = period.bucket();
        if bucket.start(start) != start || start < bucket.start(period.from) || start > period.to {
            return None;
        }
        let from = day_start(start.max(period.from));
        let to = day_start(bucket.next(start).min(period.to + Duration::days(1)));
        return Some(RowMatch::Between(from, to));
    }
    group_key(kind, dimension, 0)?;
    let id: i64 = value.parse().ok().filter(|id| *id > 0)?;
    Some(match dimension {
        Dimension::Category => RowMatch::Category(id),
        Dimension::Location => RowMatch::Location(id),
        Dimension::Individual => RowMatch::Individual(id),
        Dimension::Staff => RowMatch::Staff(id),
        Dimension::Technique => RowMatch::Technique(id),
        _ => return None,
    })
}

/// The rows of a grouping the store counted.
fn group_rows(kind: ReportKind, by: Dimension, groups: Vec<ReportGroupRow>) -> Vec<ReportRow> {
    groups
        .into_iter()
        .map(|g| {
            let counts = Counts {
                current: g.current,
                previous: g.previous,
                positive: g.positive,
                negative: g.negative,
            };
            ReportRow {
                key: group_key(kind, by, g.id),
                label: g.label,
                figures: figures(kind, counts, g.mean, by, true),
            }
        })
        .collect()
}

/// The hours of both periods folded by `slot` (a local time to a slot number), as counts.
fn fold(
    hours: &[HourRow],
    start: i64,
    slot: impl Fn(chrono::DateTime<chrono_tz::Tz>) -> usize,
) -> HashMap<usize, Counts> {
    let mut slots: HashMap<usize, Counts> = HashMap::new();
    for hour in hours {
        let at = hour.hour * 3600;
        let counts = slots.entry(slot(local_time(at))).or_default();
        if at >= start {
            counts.current += hour.count;
            counts.positive += hour.positive;
            counts.negative += hour.negative;
        } else {
            counts.previous += hour.count;
        }
    }
    slots
}

/// The weekday names, Monday first.
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The rows of a grouping folded from hours: the time buckets, the hours of the day or the
/// days of the week, every one in order (empty ones too, so the shape of the day shows).
fn time_rows(kind: ReportKind, by: Dimension, period: &Period, hours: &[HourRow], start: i64) -> Vec<ReportRow> {
    let bucket = period.bucket();
    let starts = period.bucket_starts();
    let (slots, labels, keys): (HashMap<usize, Counts>, Vec<String>, Vec<Option<String>>) = match by {
        Dimension::Hour => (
            fold(hours, start, |t| t.hour() as usize),
            (0..24).map(|h| format!("{h:02}:00-{:02}:00", (h + 1) % 24)).collect(),
            vec![None; 24],
        ),
        Dimension::Weekday => (
            fold(hours, start, |t| t.weekday().num_days_from_monday() as usize),
            WEEKDAYS.iter().map(|d| d.to_string()).collect(),
            vec![None; 7],
        ),
        _ => {
            let slots = fold(hours, start, |t| {
                let begins = bucket.start(t.date_naive());
                starts.iter().position(|s| *s == begins).unwrap_or(usize::MAX)
            });
            let labels = starts.iter().map(|s| bucket.label(*s)).collect();
            let keys = starts.iter().map(|s| Some(format!("time:{s}"))).collect();
            (slots, labels, keys)
        }
    };
    let compared = by != Dimension::Time;
    labels
        .into_iter()
        .zip(keys)
        .enumerate()
        .map(|(slot, (label, key))| ReportRow {
            key,
            label,
            figures: figures(kind, slots.get(&slot).copied().unwrap_or_default(), None, by, compared),
        })
        .collect()
}

/// The series over the period: one count a bucket (communications: positive, negative, N/A).
fn series(kind: ReportKind, period: &Period, hours: &[HourRow], start: i64) -> Vec<ReportSeries> {
    let bucket = period.bucket();
    let starts = period.bucket_starts();
    let mut all = vec![0u64; starts.len()];
    let mut positive = vec![0u64; starts.len()];
    let mut negative = vec![0u64; starts.len()];
    for hour in hours.iter().filter(|h| h.hour * 3600 >= start) {
        let begins = bucket.start(local_time(hour.hour * 3600).date_naive());
        if let Some(i) = starts.iter().position(|s| *s == begins) {
            all[i] += hour.count.max(0) as u64;
            positive[i] += hour.positive.max(0) as u64;
            negative[i] += hour.negative.max(0) as u64;
        }
    }
    let line = |name: &str, points: Vec<u64>| ReportSeries {
        name: name.to_string(),
        points,
    };
    match kind {
        ReportKind::Communication => {
            let na = (0..all.len()).map(|i| all[i] - positive[i] - negative[i]).collect();
            vec![line("Positive", positive), line("Negative", negative), line("N/A", na)]
        }
        _ => vec![line(noun(kind), all)],
    }
}

/// The clicker's grid: the period's clicks by local weekday (Monday first) and hour.
fn grid(hours: &[HourRow], start: i64) -> Vec<Vec<u64>> {
    let mut grid = vec![vec![0u64; 24]; 7];
    for hour in hours.iter().filter(|h| h.hour * 3600 >= start) {
        let at = local_time(hour.hour * 3600);
        grid[at.weekday().num_days_from_monday() as usize][at.hour() as usize] += hour.count.max(0) as u64;
    }
    grid
}

/// A headline figure.
fn total(label: &str, value: i64, previous: i64) -> ReportTotal {
    ReportTotal {
        label: label.to_string(),
        value: value as f64,
        previous: previous as f64,
        kind: ColumnKind::Count,
    }
}

/// Report `kind` grouped `by` over `period`, for `viewer`.
pub(super) async fn build_report(
    store: &Store,
    viewer: Viewer,
    kind: &ReportKind,
    by: Dimension,
    period: &Period,
    filter: &ReportFilter,
) -> Result<Report, ApiError> {
    let kind = *kind;
    let records = records_of(kind);
    let Counted {
        hours,
        totals: counted,
        groups,
    } = store.report_counts(viewer, records, grouping(by), filter).await?;
    let rows = match grouping(by) {
        Some(_) => group_rows(kind, by, groups),
        None => time_rows(kind, by, period, &hours, filter.start),
    };
    let records_in = fold(&hours, filter.start, |_| 0).remove(&0).unwrap_or_default();
    let mut totals = vec![
        total(noun(kind), records_in.current, records_in.previous),
        total("Individuals", counted.individuals, counted.previous_individuals),
    ];
    if kind == ReportKind::Communication {
        let both = fold(&hours, filter.start, |_| 0).remove(&0).unwrap_or_default();
        let before = |sentiment: fn(&HourRow) -> i64| -> i64 {
            hours
                .iter()
                .filter(|h| h.hour * 3600 < filter.start)
                .map(sentiment)
                .sum()
        };
        totals.push(total("Positive", both.positive, before(|h| h.positive)));
        totals.push(total("Negative", both.negative, before(|h| h.negative)));
    }
    let bucket = period.bucket();
    Ok(Report {
        kind,
        title: kind.title().to_string(),
        by,
        from: period.from,
        to: period.to,
        previous_from: period.previous_from,
        previous_to: period.from - Duration::days(1),
        totals,
        label: label_heading(by, bucket).to_string(),
        columns: columns(kind, by),
        rows,
        bucket: bucket.name().to_string(),
        buckets: period.bucket_starts().iter().map(NaiveDate::to_string).collect(),
        series: series(kind, period, &hours, filter.start),
        grid: (kind == ReportKind::Clicker).then(|| grid(&hours, filter.start)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn the_period_before_is_as_long_and_ends_the_day_before() {
        let p = Period::new(day(2026, 11, 1), day(2026, 11, 30));
        assert_eq!(p.previous_from, day(2026, 10, 2));
        assert_eq!(p.bucket(), Bucket::Day);
        assert_eq!(Period::new(day(2026, 9, 1), day(2026, 11, 30)).bucket(), Bucket::Week);
        assert_eq!(Period::new(day(2025, 9, 1), day(2026, 8, 31)).bucket(), Bucket::Month);
    }

    #[test]
    fn buckets_start_on_mondays_and_firsts_and_cover_the_period() {
        let weeks = Period::new(day(2026, 11, 4), day(2026, 11, 30)).bucket_starts();
        assert_eq!(weeks.len(), 27, "a day a bucket up to 31 days");
        let p = Period::new(day(2026, 9, 2), day(2026, 11, 30));
        let weeks = p.bucket_starts();
        assert_eq!(weeks.first(), Some(&day(2026, 8, 31)), "the Monday of the first week");
        assert_eq!(weeks.last(), Some(&day(2026, 11, 30)));
        let months = Period::new(day(2025, 9, 15), day(2026, 8, 31)).bucket_starts();
        assert_eq!(months.first(), Some(&day(2025, 9, 1)));
        assert_eq!(months.len(), 12);
    }

    #[test]
    fn a_change_from_nothing_is_none_and_others_are_per_cent_to_one_place() {
        assert_eq!(change(5, 0), None);
        assert_eq!(change(3, 2), Some(50.0));
        assert_eq!(change(1, 3), Some(-66.7));
    }

    #[test]
    fn row_keys_name_only_rows_the_report_has() {
        let p = Period::new(day(2026, 9, 2), day(2026, 11, 30));
        assert_eq!(
            row_match(ReportKind::Global, &p, "category:3"),
            Some(RowMatch::Category(3))
        );
        assert_eq!(row_match(ReportKind::Global, &p, "technique:3"), None);
        assert_eq!(row_match(ReportKind::Global, &p, "category:x"), None);
        assert_eq!(
            row_match(ReportKind::Clicker, &p, "behaviour:2"),
            None,
            "no incidents behind a behaviour"
        );
        assert_eq!(
            row_match(ReportKind::Clicker, &p, "individual:2"),
            Some(RowMatch::Individual(2))
        );
        // The first week starts before the period: its incidents are the period's part of it.
        assert_eq!(
            row_match(ReportKind::Global, &p, "time:2026-08-31"),
            Some(RowMatch::Between(
                day_start(day(2026, 9, 2)),
                day_start(day(2026, 9, 7))
            ))
        );
        assert_eq!(
            row_match(ReportKind::Global, &p, "time:2026-09-01"),
            None,
            "not a Monday"
        );
        assert_eq!(
            row_match(ReportKind::Global, &p, "time:2026-12-07"),
            None,
            "after the period"
        );
    }
}
