//! Analytics: what the seven report types count, and the incidents behind one of their rows.
//!
//! The figures are counted over the [report index](super::report_index) (the counted columns
//! of every record, in memory, never behind a commit) by [`report_counts`](super::report_counts):
//! by UTC hour, by group and in distinct individuals, in one pass. The access rule still comes
//! from SQL on every request (who the viewer may see), and so do the names of the groups.
//!
//! The incidents behind a row are listed here in SQL, through the common table expression
//! `chosen`, which applies the access rule, the filters and the period *and the period before
//! it* (`?3` to `?5`), marking each incident `cur` (1 in the period, 0 in the one before). Both
//! follow one rule, and the tests check that each row counts exactly the incidents listed
//! behind it: an incident counts only when every individual it is about is visible
//! ([`incident_visible!`]), a click or a communication only when its individual is, and a row
//! naming an individual only when that individual is visible too (someone merely "involved" in
//! a visible incident is not named to a viewer who may not open them).
//!
//! Parameters of `chosen`: `?1`/`?2` the viewer, `?3` the start of the period before, `?4` the
//! start of the period, `?5` its end (excluded), `?6` to `?9` the filters as JSON arrays of ids
//! (`NULL`: not filtered) — individuals, locations, staff, behaviours — and `?10` the subset of
//! incidents.
//!
//! Dates, hours and weekdays are the setting's (Europe/London), which is whole hours from UTC,
//! so time is counted here by UTC hour and folded into local days, weeks, hours and weekdays by
//! the caller.

use sqlx::AssertSqlSafe;

use super::access::{bind_viewer, incident_visible, pupil_name, visible_individuals};
use super::records::{IncidentRow, incident_rows};
use super::report_counts::{Counted, Visible, count};
use super::report_index::FastMap;
use super::{Store, StoreResult, Viewer};

/// Which records a report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportRecords {
    /// Every incident.
    Incidents,
    /// Physical interventions.
    Interventions,
    /// Incidents in which someone was hurt.
    Injuries,
    /// Incidents marked discriminatory or prejudiced.
    Discriminatory,
    /// Clicker clicks (not undone).
    Clicks,
    /// Communications to key staff.
    Communications,
}

impl ReportRecords {
    /// The subset as `?10` names it.
    fn subset(self) -> &'static str {
        match self {
            ReportRecords::Interventions => "pi",
            ReportRecords::Injuries => "injury",
            ReportRecords::Discriminatory => "discriminatory",
            _ => "all",
        }
    }
}

/// What rows are grouped by, in the store's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// Incident category.
    Category,
    /// Location.
    Location,
    /// Each visible individual a record is about or involves.
    Individual,
    /// Each member of staff (present or reporting; clicking; writing).
    Staff,
    /// Each technique of a physical intervention, with its mean effectiveness.
    Technique,
    /// Each clicker behaviour.
    Behaviour,
}

/// What `GET /reports/…` filters by, besides the period (each `None` filters nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    /// The start of the period before (unix seconds, included).
    pub previous_start: i64,
    /// The start of the period.
    pub start: i64,
    /// The end of the period (excluded).
    pub end: i64,
    /// Individuals: about or involving one of them.
    pub individuals: Option<Vec<i64>>,
    /// Locations (incidents).
    pub locations: Option<Vec<i64>>,
    /// Staff: present at or reporting an incident, clicking, writing.
    pub staff: Option<Vec<i64>>,
    /// Clicker behaviours (clicks).
    pub behaviours: Option<Vec<i64>>,
}

/// One row of a grouped report: the group, its counts in the period and the one before, and
/// (techniques only) the mean effectiveness in the period.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportGroupRow {
    /// The group's id (category, location, individual, user, technique or behaviour).
    pub id: i64,
    /// Its name.
    pub label: String,
    /// Records in the period.
    pub current: i64,
    /// Records in the period before.
    pub previous: i64,
    /// Techniques: the mean effectiveness (1 to 5) in the period.
    pub mean: Option<f64>,
    /// Communications: how many of the period's were positive.
    pub positive: i64,
    /// Communications: negative.
    pub negative: i64,
}

/// Records in one UTC hour of the period (`hour` is unix seconds / 3600), and for
/// communications how many were positive and negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HourRow {
    /// The hour, as unix seconds divided by 3600.
    pub hour: i64,
    /// Records in it.
    pub count: i64,
    /// Positive communications in it.
    pub positive: i64,
    /// Negative communications in it.
    pub negative: i64,
}

/// The distinct visible individuals a report's records name, in the period and the one before
/// (its record counts come from its hours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TotalsRow {
    /// Individuals in the period.
    pub individuals: i64,
    /// Individuals in the period before.
    pub previous_individuals: i64,
}

/// Which incidents of a report's `chosen` set one row stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowMatch {
    /// Every one (a clicker or communication row about no one in particular).
    All,
    /// Of this category.
    Category(i64),
    /// At this location.
    Location(i64),
    /// About or involving this individual.
    Individual(i64),
    /// With this member of staff present or reporting.
    Staff(i64),
    /// Using this technique.
    Technique(i64),
    /// Happened in `[start, end)` (unix seconds).
    Between(i64, i64),
}

/// Incidents: visible, in either period, of the subset, filtered.
const CHOSEN_INCIDENTS: &str = concat!(
    ", chosen AS (
        SELECT i.id, i.occurred_at, i.category_id, i.location_id, i.individual_id, i.reported_by,
               NULL AS behaviour_id, NULL AS sentiment, (i.occurred_at >= ?4) AS cur
          FROM incidents i
         WHERE i.occurred_at >= ?3 AND i.occurred_at < ?5 AND ",
    incident_visible!("i"),
    " AND (?10 = 'all' OR (?10 = 'pi' AND i.kind = 'physical_intervention')
                OR (?10 = 'injury' AND i.injury = 1) OR (?10 = 'discriminatory' AND i.discriminatory = 1))
           AND (?6 IS NULL OR i.individual_id IN (SELECT value FROM json_each(?6))
                OR EXISTS (SELECT 1 FROM incident_individuals x
                            WHERE x.incident_id = i.id AND x.individual_id IN (SELECT value FROM json_each(?6))))
           AND (?7 IS NULL OR i.location_id IN (SELECT value FROM json_each(?7)))
           AND (?8 IS NULL OR i.reported_by IN (SELECT value FROM json_each(?8))
                OR EXISTS (SELECT 1 FROM incident_staff st
                            WHERE st.incident_id = i.id AND st.user_id IN (SELECT value FROM json_each(?8))))
           AND ?9 IS NULL)"
);

/// The names of the groups of `grouping` (individuals' come from the report index).
fn label_sql(grouping: Grouping) -> Option<&'static str> {
    Some(match grouping {
        Grouping::Category => "SELECT id, name FROM incident_categories",
        Grouping::Location => "SELECT id, name FROM locations",
        Grouping::Staff => "SELECT id, display_name FROM users",
        Grouping::Technique => {
            "SELECT id, name || CASE kind WHEN 'deescalation' THEN ' (de-escalation)' ELSE ' (physical)' END FROM techniques"
        }
        Grouping::Behaviour => "SELECT id, name FROM behaviours",
        Grouping::Individual => return None,
    })
}

/// The statement: the access rule, the `chosen` incidents, then `tail`.
fn statement(tail: &str) -> String {
    format!("WITH {}{CHOSEN_INCIDENTS}{tail}", visible_individuals!())
}

/// `ids` as a JSON array for `json_each` (`None`: not filtered).
fn ids_json(ids: &Option<Vec<i64>>) -> Option<String> {
    ids.as_ref()
        .map(|ids| serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_string()))
}

/// A query whose parameters start with a viewer.
type SqliteQueryAs<'q, T> = sqlx::query::QueryAs<'q, sqlx::Sqlite, T, sqlx::sqlite::SqliteArguments>;

/// Bind the viewer, the period and the filters as `?1` to `?10`.
fn bind_report<'q, T>(
    query: SqliteQueryAs<'q, T>,
    viewer: Viewer,
    records: ReportRecords,
    filter: &ReportFilter,
) -> SqliteQueryAs<'q, T> {
    bind_viewer(query, viewer)
        .bind(filter.previous_start)
        .bind(filter.start)
        .bind(filter.end)
        .bind(ids_json(&filter.individuals))
        .bind(ids_json(&filter.locations))
        .bind(ids_json(&filter.staff))
        .bind(ids_json(&filter.behaviours))
        .bind(records.subset())
}

impl Store {
    /// Count `records` for `viewer` over the period and the one before: by UTC hour, in
    /// distinct individuals, and by `grouping` (largest first), from the
    /// [report index](super::report_index), brought up to date first.
    pub async fn report_counts(
        &self,
        viewer: Viewer,
        records: ReportRecords,
        grouping: Option<Grouping>,
        filter: &ReportFilter,
    ) -> StoreResult<Counted> {
        let visible: Visible = match viewer.sees_all {
            true => None,
            false => {
                let sql = concat!("WITH ", visible_individuals!(), " SELECT individual_id FROM visible");
                let ids: Vec<(i64,)> = bind_viewer(sqlx::query_as(sql), viewer).fetch_all(&self.pool).await?;
                Some(ids.into_iter().map(|(id,)| id).collect())
            }
        };
        let labels: FastMap<i64, String> = match grouping.and_then(label_sql) {
            Some(sql) => sqlx::query_as::<_, (i64, String)>(sql)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .collect(),
            None => FastMap::default(),
        };
        let facts = self.reports.current(&self.pool).await?;
        Ok(count(&facts, records, &visible, filter, grouping, &labels))
    }

    /// A page of the incidents of the period (of `records`, an incident subset, or every
    /// incident for clicks and communications, with the same filters) that `row` stands for,
    /// newest first, and how many there are in all.
    pub async fn report_incidents(
        &self,
        viewer: Viewer,
        records: ReportRecords,
        filter: &ReportFilter,
        row: RowMatch,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> StoreResult<(Vec<IncidentRow>, u64)> {
        // Clicks and communications have no incidents of their own: a row of theirs stands
        // for the incidents of the same individuals, staff and period.
        let (records, filter) = match records {
            ReportRecords::Clicks | ReportRecords::Communications => (
                ReportRecords::Incidents,
                ReportFilter {
                    locations: None,
                    behaviours: None,
                    ..filter.clone()
                },
            ),
            _ => (records, filter.clone()),
        };
        let matching = " , matching AS (SELECT ch.id FROM chosen ch WHERE ch.cur AND CASE ?11
                WHEN 'all' THEN 1
                WHEN 'category' THEN ch.category_id = ?12
                WHEN 'location' THEN ch.location_id = ?12
                WHEN 'individual' THEN ch.individual_id = ?12
                     OR EXISTS (SELECT 1 FROM incident_individuals x WHERE x.incident_id = ch.id AND x.individual_id = ?12)
                WHEN 'staff' THEN ch.reported_by = ?12
                     OR EXISTS (SELECT 1 FROM incident_staff st WHERE st.incident_id = ch.id AND st.user_id = ?12)
                WHEN 'technique' THEN EXISTS (SELECT 1 FROM incident_techniques it
                                               WHERE it.incident_id = ch.id AND it.technique_id = ?12)
                WHEN 'between' THEN ch.occurred_at >= ?12 AND ch.occurred_at < ?13
                ELSE 0 END)";
        let (what, value, until) = match row {
            RowMatch::All => ("all", 0, 0),
            RowMatch::Category(id) => ("category", id, 0),
            RowMatch::Location(id) => ("location", id, 0),
            RowMatch::Individual(id) => ("individual", id, 0),
            RowMatch::Staff(id) => ("staff", id, 0),
            RowMatch::Technique(id) => ("technique", id, 0),
            RowMatch::Between(start, end) => ("between", start, end),
        };
        let count = statement(&format!("{matching} SELECT COUNT(*) FROM matching"));
        let (total,): (i64,) = bind_report(sqlx::query_as(AssertSqlSafe(count)), viewer, records, &filter)
            .bind(what)
            .bind(value)
            .bind(until)
            .fetch_one(&self.pool)
            .await?;
        let page = statement(&format!(
            "{matching} {} WHERE i.id IN (SELECT id FROM matching)
                   AND (?14 IS NULL OR i.occurred_at < ?14 OR (i.occurred_at = ?14 AND i.number < ?15))
                 ORDER BY i.occurred_at DESC, i.number DESC LIMIT ?16",
            incident_rows!()
        ));
        let (after_at, after_number) = after.unzip();
        let rows = bind_report(sqlx::query_as(AssertSqlSafe(page)), viewer, records, &filter)
            .bind(what)
            .bind(value)
            .bind(until)
            .bind(after_at)
            .bind(after_number)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok((rows, u64::try_from(total).unwrap_or(0)))
    }
}
