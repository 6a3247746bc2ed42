//! Analytics: `GET /reports/{type}` (the seven report types of the recording guide) and
//! `GET /reports/{type}/incidents` (the incidents behind one row).
//!
//! A report is one table (a label column, then figures), the headline totals, a series over
//! the period for a chart and, for the clicker, an hour by weekday grid. Every figure is
//! computed by the server in SQL over the records the user may open (the one access rule), and
//! every count sits beside the same count for the period just before, of the same length.
//!
//! Filters are given as text so that a bad one is answered with a sentence saying what to do
//! (400): dates `YYYY-MM-DD` in the setting's time zone (`to` included), lists of ids
//! separated by commas. A filter a report does not use is refused too, so a figure is never
//! shown as if filtered when it was not.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use unicode_width::UnicodeWidthStr;

#[cfg(feature = "server")]
use utoipa::ToSchema;

/// The longest period a report may cover (`to` minus `from`), in days: ten years.
pub const REPORT_MAX_DAYS: i64 = 3_653;
/// The most ids a list filter may hold.
pub const REPORT_MAX_IDS: usize = 100;

/// The seven report types, as the guide names them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    /// Global Incident: every incident, by category, location, individual, staff or time.
    Global,
    /// Intervention: physical interventions, and how well each de-escalation and physical
    /// technique worked.
    Intervention,
    /// Involvement: the individuals and staff involved in incidents.
    Involvement,
    /// Injuries: incidents in which someone was hurt.
    Injuries,
    /// Communication: positive, negative and N/A communications over time.
    Communication,
    /// Clicker: clicks by behaviour, individual, hour of day and day of week.
    Clicker,
    /// Discriminatory: discriminatory, prejudiced and other behaviour.
    Discriminatory,
}

impl ReportKind {
    /// Every type, in the order the selector shows them.
    pub const ALL: [ReportKind; 7] = [
        ReportKind::Global,
        ReportKind::Intervention,
        ReportKind::Involvement,
        ReportKind::Injuries,
        ReportKind::Communication,
        ReportKind::Clicker,
        ReportKind::Discriminatory,
    ];

    /// The type's name in the path (`/reports/{slug}`).
    pub fn slug(self) -> &'static str {
        match self {
            ReportKind::Global => "global",
            ReportKind::Intervention => "intervention",
            ReportKind::Involvement => "involvement",
            ReportKind::Injuries => "injuries",
            ReportKind::Communication => "communication",
            ReportKind::Clicker => "clicker",
            ReportKind::Discriminatory => "discriminatory",
        }
    }

    /// The type named `slug`, if any.
    pub fn from_slug(slug: &str) -> Option<ReportKind> {
        ReportKind::ALL.into_iter().find(|kind| kind.slug() == slug)
    }

    /// Its title, as the guide writes it.
    pub fn title(self) -> &'static str {
        match self {
            ReportKind::Global => "Global Incident Report",
            ReportKind::Intervention => "Intervention Report",
            ReportKind::Involvement => "Involvement Report",
            ReportKind::Injuries => "Injuries Report",
            ReportKind::Communication => "Communication Report",
            ReportKind::Clicker => "Clicker Report",
            ReportKind::Discriminatory => "Discriminatory, prejudiced and other behaviour",
        }
    }

    /// Its name in a few words, for a line that has other things on it.
    pub fn short(self) -> &'static str {
        match self {
            ReportKind::Global => "Global Incident",
            ReportKind::Intervention => "Intervention",
            ReportKind::Involvement => "Involvement",
            ReportKind::Injuries => "Injuries",
            ReportKind::Communication => "Communication",
            ReportKind::Clicker => "Clicker",
            ReportKind::Discriminatory => "Discriminatory & prejudiced",
        }
    }

    /// What its rows may be grouped by; the first is the default.
    pub fn dimensions(self) -> &'static [Dimension] {
        use Dimension::*;
        match self {
            ReportKind::Global | ReportKind::Injuries | ReportKind::Discriminatory => {
                &[Category, Location, Individual, Staff, Time]
            }
            ReportKind::Intervention => &[Technique, Individual, Staff, Location, Time],
            ReportKind::Involvement => &[Individual, Staff],
            ReportKind::Communication => &[Time, Individual, Staff],
            ReportKind::Clicker => &[Behaviour, Individual, Staff, Hour, Weekday, Time],
        }
    }

    /// The filters it takes (every type takes the period).
    pub fn filters(self) -> &'static [FilterField] {
        use FilterField::*;
        match self {
            ReportKind::Communication => &[Individual, Staff],
            ReportKind::Clicker => &[Individual, Behaviour, Staff],
            _ => &[Individual, Location, Staff],
        }
    }

    /// Whether its records are incidents (so every row has incidents behind it).
    pub fn counts_incidents(self) -> bool {
        !matches!(self, ReportKind::Communication | ReportKind::Clicker)
    }
}

/// What a report's rows are grouped by.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    /// The incident's category.
    Category,
    /// Where it happened.
    Location,
    /// Each individual involved.
    Individual,
    /// Each member of staff involved (present, reporting, clicking or writing).
    Staff,
    /// Each de-escalation or physical technique used.
    Technique,
    /// Each clicker behaviour.
    Behaviour,
    /// The hour of the day (setting's time).
    Hour,
    /// The day of the week.
    Weekday,
    /// Days, weeks or months over the period (by its length).
    Time,
}

impl Dimension {
    /// Its name in the query (`by=`).
    pub fn slug(self) -> &'static str {
        match self {
            Dimension::Category => "category",
            Dimension::Location => "location",
            Dimension::Individual => "individual",
            Dimension::Staff => "staff",
            Dimension::Technique => "technique",
            Dimension::Behaviour => "behaviour",
            Dimension::Hour => "hour",
            Dimension::Weekday => "weekday",
            Dimension::Time => "time",
        }
    }

    /// The dimension named `slug`, if any.
    pub fn from_slug(slug: &str) -> Option<Dimension> {
        use Dimension::*;
        [
            Category, Location, Individual, Staff, Technique, Behaviour, Hour, Weekday, Time,
        ]
        .into_iter()
        .find(|d| d.slug() == slug)
    }

    /// As a person says it ("by category").
    pub fn label(self) -> &'static str {
        match self {
            Dimension::Category => "category",
            Dimension::Location => "location",
            Dimension::Individual => "individual",
            Dimension::Staff => "staff",
            Dimension::Technique => "technique",
            Dimension::Behaviour => "behaviour",
            Dimension::Hour => "hour of day",
            Dimension::Weekday => "day of week",
            Dimension::Time => "date",
        }
    }
}

/// A filter a report may take besides the period.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FilterField {
    /// `individual_id`.
    Individual,
    /// `behaviour_id` (clicker behaviours).
    Behaviour,
    /// `location_id`.
    Location,
    /// `staff_id`.
    Staff,
}

impl FilterField {
    /// Its query parameter.
    pub fn param(self) -> &'static str {
        match self {
            FilterField::Individual => "individual_id",
            FilterField::Behaviour => "behaviour_id",
            FilterField::Location => "location_id",
            FilterField::Staff => "staff_id",
        }
    }
}

/// Query of `GET /reports/{type}` and `GET /reports/{type}/incidents`. Every field is text, read
/// by the server, so a bad one gets a clear 400.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(utoipa::IntoParams))]
#[cfg_attr(feature = "server", into_params(parameter_in = Query))]
pub struct ReportQuery {
    /// The first day, `YYYY-MM-DD` (default: 29 days before `to`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The last day, included, `YYYY-MM-DD` (default: today).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// Individuals, ids separated by commas (at most 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub individual_id: Option<String>,
    /// Clicker behaviours (the clicker report only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub behaviour_id: Option<String>,
    /// Locations (the incident reports only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location_id: Option<String>,
    /// Members of staff.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub staff_id: Option<String>,
    /// What the rows are grouped by (the type's first dimension by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
    /// The rows' order: a column number (0 the label, 1 the first figure), `-` first for
    /// largest first; the report's own order when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// `json` (default), `csv` (the table as `text/csv`) or `text` (the report as a printable
    /// `text/plain` document: headings, totals and the table aligned, control characters removed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `GET /reports/{type}/incidents` only: the row whose incidents to list (its `key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
    /// `GET /reports/{type}/incidents` only: page size, 1 to 1000 (default 200).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<String>,
    /// `GET /reports/{type}/incidents` only: the previous page's `next_cursor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// How a column's figures read.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "server", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// A whole number.
    Count,
    /// A mean, to two places (effectiveness, 1 to 5).
    Mean,
    /// A change from the previous period, in per cent (absent when that was 0).
    Change,
}

/// One figure column of a report's table.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ReportColumn {
    /// Its heading.
    pub title: String,
    /// How its figures read.
    pub kind: ColumnKind,
}

/// One row: its label and one figure a column (absent: none, e.g. a mean of nothing).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ReportRow {
    /// Names the row for `GET /reports/{type}/incidents?row=`; absent when no incidents are
    /// behind it (a clicker behaviour, an hour of clicks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The category, location, name, technique, behaviour, hour, weekday or date.
    pub label: String,
    /// The figures, one for each of `columns`.
    pub figures: Vec<Option<f64>>,
}

/// A headline figure and the same figure in the previous period.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ReportTotal {
    /// What it counts.
    pub label: String,
    /// This period.
    pub value: f64,
    /// The previous period.
    pub previous: f64,
    /// How it reads.
    pub kind: ColumnKind,
}

/// A line over the period: one value a bucket of [`Report::buckets`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct ReportSeries {
    /// What it counts.
    pub name: String,
    /// One count a bucket.
    pub points: Vec<u64>,
}

/// `GET /reports/{type}`: one report.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "server", derive(ToSchema))]
pub struct Report {
    /// The type.
    pub kind: ReportKind,
    /// Its title.
    pub title: String,
    /// What the rows are grouped by.
    pub by: Dimension,
    /// The first day.
    pub from: NaiveDate,
    /// The last day (included).
    pub to: NaiveDate,
    /// The first day of the period it is compared with (as long, just before).
    pub previous_from: NaiveDate,
    /// The last day of that period.
    pub previous_to: NaiveDate,
    /// The headline figures.
    pub totals: Vec<ReportTotal>,
    /// The heading of the label column.
    pub label: String,
    /// The figure columns.
    pub columns: Vec<ReportColumn>,
    /// The rows, largest first (time, hours and weekdays in their order).
    pub rows: Vec<ReportRow>,
    /// `day`, `week` or `month`: what one bucket of the series is.
    pub bucket: String,
    /// The buckets' labels (`2026-11-23`, the Monday of a week, or `2026-11`).
    pub buckets: Vec<String>,
    /// The lines over the period.
    pub series: Vec<ReportSeries>,
    /// The clicker only: clicks by weekday (Monday first) and hour (0 to 23), setting's time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grid: Option<Vec<Vec<u64>>>,
}

impl ColumnKind {
    /// `figure` as this column writes it: whole numbers for counts, two places for means, one
    /// for changes (with its sign); empty for none.
    pub fn format(self, figure: Option<f64>) -> String {
        match (self, figure) {
            (_, None) => String::new(),
            (ColumnKind::Count, Some(n)) => format!("{n:.0}"),
            (ColumnKind::Mean, Some(n)) => format!("{n:.2}"),
            (ColumnKind::Change, Some(n)) => format!("{n:+.1}"),
        }
    }
}

impl Report {
    /// The table's heading row: the label heading, then the column titles.
    pub fn header(&self) -> Vec<&str> {
        let mut header = vec![self.label.as_str()];
        header.extend(self.columns.iter().map(|c| c.title.as_str()));
        header
    }

    /// One row's cells, as the heading row lays them out: its label, then its figures as
    /// [`ColumnKind::format`] writes them. The CSV and the text form both use this.
    pub fn cells(&self, row: &ReportRow) -> Vec<String> {
        std::iter::once(row.label.clone())
            .chain(self.columns.iter().zip(&row.figures).map(|(c, f)| c.kind.format(*f)))
            .collect()
    }

    /// The CSV file of this report's table with `rows`, in the order shown: [`Report::header`],
    /// then [`Report::cells`] of each row; every cell neutralised against formulas.
    pub fn csv(&self, rows: &[&ReportRow]) -> Result<String, csv::Error> {
        crate::spreadsheet::csv_text(&self.header(), rows.iter().map(|row| self.cells(row)))
    }

    /// The printable plain-text form of this report with `rows`, in the order shown: heading
    /// lines (title, grouping, the period and the one it is compared with as UK dates, each of
    /// `filters`, the totals), a blank line, then the table of [`Report::header`] and
    /// [`Report::cells`] aligned by display width (the label column left, figures right), a
    /// rule of `-` under the heading row. Every cell and heading is [`printable`], and no line
    /// ends in a space.
    pub fn text(&self, rows: &[&ReportRow], filters: &[String]) -> String {
        let day = |d: NaiveDate| d.format("%d/%m/%Y").to_string();
        let mut lines = vec![
            printable(&self.title),
            format!("Grouped by {}", self.by.label()),
            format!(
                "Period: {} \u{2013} {}, compared with {} \u{2013} {}",
                day(self.from),
                day(self.to),
                day(self.previous_from),
                day(self.previous_to)
            ),
        ];
        lines.extend(filters.iter().map(|f| printable(f)));
        lines.extend(self.totals.iter().map(|t| {
            format!(
                "{}: {} (previous period: {})",
                printable(&t.label),
                t.kind.format(Some(t.value)),
                t.kind.format(Some(t.previous))
            )
        }));
        lines.push(String::new());
        let header: Vec<String> = self.header().into_iter().map(printable).collect();
        let body: Vec<Vec<String>> = rows
            .iter()
            .map(|row| self.cells(row).iter().map(|c| printable(c)).collect())
            .collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.width()).collect();
        for row in &body {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.width());
            }
        }
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (cell, width))| {
                    let pad = " ".repeat(width.saturating_sub(cell.width()));
                    if i == 0 {
                        format!("{cell}{pad}")
                    } else {
                        format!("{pad}{cell}")
                    }
                })
                .collect();
            padded.join("  ").trim_end().to_string()
        };
        lines.push(line(&header));
        lines.push(widths.iter().map(|w| "-".repeat(*w)).collect::<Vec<_>>().join("  "));
        lines.extend(body.iter().map(|row| line(row)));
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }
}

/// `text` as it may be printed or shown in a terminal: tabs and line breaks become spaces, and
/// every [`crate::wire::is_hostile_char`] (controls, bidirectional controls) is dropped, so a
/// name cannot move the cursor or reorder the line it is printed on.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\t' | '\n' => Some(' '),
            c if crate::wire::is_hostile_char(c) => None,
            c => Some(c),
        })
        .collect()
}

/// The order of a report's rows: by the label (column 0) or a figure column (1 for the first
/// figure), up or down. Written `2` or `-2` (down) in `sort=`; the report's own order when
/// absent. Client and server sort with this one function, so a CSV asked for with `sort=` has
/// the rows in the order the screen shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportSort {
    /// 0 for the label, else the figure column counted from 1.
    pub column: usize,
    /// Largest (or Z) first.
    pub descending: bool,
}

impl ReportSort {
    /// `text` as a sort (`None` for anything but a column number with an optional `-`).
    pub fn parse(text: &str) -> Option<ReportSort> {
        let (descending, number) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let column = number
            .parse()
            .ok()
            .filter(|_| number.bytes().all(|b| b.is_ascii_digit()))?;
        Some(ReportSort { column, descending })
    }

    /// As `sort=` writes it.
    pub fn param(self) -> String {
        format!("{}{}", if self.descending { "-" } else { "" }, self.column)
    }
}

impl Report {
    /// The indices of the rows in `sort`'s order (stable: equal rows keep the report's order;
    /// a missing figure comes before every number).
    pub fn order(&self, sort: Option<ReportSort>) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.rows.len()).collect();
        let Some(sort) = sort else {
            return order;
        };
        order.sort_by(|&a, &b| {
            let (a, b) = (&self.rows[a], &self.rows[b]);
            let ordering = match sort.column {
                0 => a.label.to_lowercase().cmp(&b.label.to_lowercase()),
                n => {
                    let figure = |r: &ReportRow| r.figures.get(n - 1).copied().flatten();
                    figure(a).partial_cmp(&figure(b)).unwrap_or(std::cmp::Ordering::Equal)
                }
            };
            if sort.descending { ordering.reverse() } else { ordering }
        });
        order
    }

    /// The rows in `sort`'s order (see [`Report::order`]).
    pub fn sorted_rows(&self, sort: Option<ReportSort>) -> Vec<&ReportRow> {
        self.order(sort).into_iter().map(|i| &self.rows[i]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, n: Option<f64>) -> ReportRow {
        ReportRow {
            key: None,
            label: label.into(),
            figures: vec![n],
        }
    }

    #[test]
    fn sorting_is_stable_and_puts_a_missing_figure_first() {
        let report = Report {
            kind: ReportKind::Global,
            title: String::new(),
            by: Dimension::Category,
            from: NaiveDate::MIN,
            to: NaiveDate::MIN,
            previous_from: NaiveDate::MIN,
            previous_to: NaiveDate::MIN,
            totals: vec![],
            label: "Category".into(),
            columns: vec![ReportColumn {
                title: "Incidents".into(),
                kind: ColumnKind::Count,
            }],
            rows: vec![
                row("b", Some(2.0)),
                row("A", None),
                row("c", Some(2.0)),
                row("d", Some(1.0)),
            ],
            bucket: "day".into(),
            buckets: vec![],
            series: vec![],
            grid: None,
        };
        let labels = |sort| {
            report
                .sorted_rows(sort)
                .iter()
                .map(|r| r.label.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(labels(None), ["b", "A", "c", "d"]);
        assert_eq!(labels(ReportSort::parse("1")), ["A", "d", "b", "c"]);
        assert_eq!(labels(ReportSort::parse("-1")), ["b", "c", "d", "A"]);
        assert_eq!(labels(ReportSort::parse("0")), ["A", "b", "c", "d"]);
        assert_eq!(ReportSort::parse("x"), None);
        assert_eq!(ReportSort::parse("+1"), None);
        assert_eq!(ReportSort::parse("-2").map(ReportSort::param), Some("-2".into()));
    }

    #[test]
    fn the_text_form_aligns_the_csv_cells_and_prints_no_control_character() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let report = Report {
            kind: ReportKind::Global,
            title: "Global Incident Report".into(),
            by: Dimension::Location,
            from: day(11),
            to: day(20),
            previous_from: day(1),
            previous_to: day(10),
            totals: vec![ReportTotal {
                label: "Incidents".into(),
                value: 12.0,
                previous: 9.0,
                kind: ColumnKind::Count,
            }],
            label: "Location".into(),
            columns: vec![
                ReportColumn {
                    title: "Incidents".into(),
                    kind: ColumnKind::Count,
                },
                ReportColumn {
                    title: "Change %".into(),
                    kind: ColumnKind::Change,
                },
            ],
            rows: vec![
                ReportRow {
                    key: None,
                    label: "Hall\u{1b}[2J\r\u{202e}\tB\u{9b}\u{7f}\u{2066}\u{200f}\u{61c}".into(),
                    figures: vec![Some(10.0), Some(25.0)],
                },
                ReportRow {
                    key: None,
                    label: "Caf\u{e9} \u{5b66}\u{6821}".into(),
                    figures: vec![Some(2.0), None],
                },
            ],
            bucket: "day".into(),
            buckets: vec![],
            series: vec![],
            grid: None,
        };
        let rows = report.sorted_rows(None);
        let text = report.text(&rows, &["Filtered to individuals: Amelia\u{1b}]0;x\u{7}".to_string()]);
        assert_eq!(
            text,
            "Global Incident Report\n\
             Grouped by location\n\
             Period: 11/11/2026 \u{2013} 20/11/2026, compared with 01/11/2026 \u{2013} 10/11/2026\n\
             Filtered to individuals: Amelia]0;x\n\
             Incidents: 12 (previous period: 9)\n\
             \n\
             Location   Incidents  Change %\n\
             ---------  ---------  --------\n\
             Hall[2J B         10     +25.0\n\
             Caf\u{e9} \u{5b66}\u{6821}          2\n"
        );
        assert_eq!(report.csv(&rows).unwrap().lines().count(), 3);
    }
}
