//! Analytics: the figures of the seven report types, counted in SQL over the records the viewer
//! may open.
//!
//! Each report reads one kind of record (incidents, of all or a subset; clicks; communications)
//! through a common table expression `chosen`, which applies the access rule, the filters and
//! the period *and the period before it* (`?3` to `?5`), marking each record `cur` (1 in the
//! period, 0 in the one before), so one pass counts both. A figure therefore never includes a
//! record the viewer cannot open: an incident counts only when every individual it is about is
//! visible ([`incident_visible!`]), a click or a communication only when its individual is, and
//! a row naming an individual only when that individual is visible too (someone merely
//! "involved" in a visible incident is not named to a viewer who may not open them).
//!
//! Parameters, the same in every statement: `?1`/`?2` the viewer, `?3` the start of the period
//! before, `?4` the start of the period, `?5` its end (excluded), `?6` to `?9` the filters as
//! JSON arrays of ids (`NULL`: not filtered) — individuals, locations, staff, behaviours — and
//! `?10` the subset of incidents.
//!
//! Dates, hours and weekdays are the setting's (Europe/London), which is whole hours from UTC,
//! so time is counted here by UTC hour ([`Store::report_hours`]) and folded into local days,
//! weeks, hours and weekdays by the caller.

use sqlx::{AssertSqlSafe, FromRow};

use super::access::{bind_viewer, incident_visible, pupil_name, visible_individuals};
use super::records::{IncidentRow, incident_rows};
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

    /// The `chosen` expression for these records.
    fn chosen(self) -> &'static str {
        match self {
            ReportRecords::Clicks => CHOSEN_CLICKS,
            ReportRecords::Communications => CHOSEN_COMMUNICATIONS,
            _ => CHOSEN_INCIDENTS,
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
#[derive(Debug, Clone, FromRow, PartialEq)]
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
#[derive(Debug, Clone, Copy, FromRow, PartialEq, Eq)]
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
/// (its record counts come from [`Store::report_hours`]).
#[derive(Debug, Clone, Copy, FromRow, PartialEq, Eq, Default)]
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

/// Clicks: not undone, of a visible individual, in either period, filtered.
const CHOSEN_CLICKS: &str = ", chosen AS (
        SELECT c.id, c.occurred_at, NULL AS category_id, NULL AS location_id, c.individual_id,
               c.user_id AS reported_by, c.behaviour_id, NULL AS sentiment, (c.occurred_at >= ?4) AS cur
          FROM clicks c
         WHERE c.deleted_at IS NULL AND c.occurred_at >= ?3 AND c.occurred_at < ?5
           AND (?2 = 1 OR c.individual_id IN (SELECT individual_id FROM visible))
           AND (?6 IS NULL OR c.individual_id IN (SELECT value FROM json_each(?6)))
           AND ?7 IS NULL
           AND (?8 IS NULL OR c.user_id IN (SELECT value FROM json_each(?8)))
           AND (?9 IS NULL OR c.behaviour_id IN (SELECT value FROM json_each(?9)))
           AND ?10 = 'all')";

/// Communications: of a visible individual, in either period, filtered.
const CHOSEN_COMMUNICATIONS: &str = ", chosen AS (
        SELECT m.id, m.created_at AS occurred_at, NULL AS category_id, NULL AS location_id, m.individual_id,
               m.author_id AS reported_by, NULL AS behaviour_id, m.sentiment, (m.created_at >= ?4) AS cur
          FROM communications m
         WHERE m.created_at >= ?3 AND m.created_at < ?5
           AND (?2 = 1 OR m.individual_id IN (SELECT individual_id FROM visible))
           AND (?6 IS NULL OR m.individual_id IN (SELECT value FROM json_each(?6)))
           AND ?7 IS NULL
           AND (?8 IS NULL OR m.author_id IN (SELECT value FROM json_each(?8)))
           AND ?9 IS NULL AND ?10 = 'all')";

/// The records' people: each record with its primary individual and, for incidents, everyone
/// else named in it (each pair once: `incident_individuals` names a pair once, and the primary
/// individual is left out there, so no `UNION` has to sort a million clicks to drop
/// duplicates). The caller keeps only the individuals the viewer may see.
const PEOPLE_OF_INCIDENTS: &str = ", people AS (
        SELECT id, cur, sentiment, individual_id AS who FROM chosen
         UNION ALL
        SELECT ch.id, ch.cur, ch.sentiment, x.individual_id FROM chosen ch
          JOIN incident_individuals x ON x.incident_id = ch.id AND x.individual_id <> ch.individual_id)";

/// A click's or a communication's people: its one individual.
const PEOPLE_OF_ONE: &str = ", people AS (SELECT id, cur, sentiment, individual_id AS who FROM chosen)";

/// The records' staff: who reported and who was present (incidents, each pair once), who
/// clicked or wrote (the others).
const STAFF_OF_INCIDENTS: &str = ", staffed AS (
        SELECT id, cur, sentiment, reported_by AS who FROM chosen
         UNION ALL
        SELECT ch.id, ch.cur, ch.sentiment, st.user_id FROM chosen ch
          JOIN incident_staff st ON st.incident_id = ch.id AND st.user_id <> ch.reported_by)";

/// A click's or a communication's member of staff.
const STAFF_OF_ONE: &str = ", staffed AS (SELECT id, cur, sentiment, reported_by AS who FROM chosen)";

impl ReportRecords {
    /// The `people` expression of these records.
    fn people(self) -> &'static str {
        match self {
            ReportRecords::Clicks | ReportRecords::Communications => PEOPLE_OF_ONE,
            _ => PEOPLE_OF_INCIDENTS,
        }
    }

    /// The `staffed` expression of these records.
    fn staffed(self) -> &'static str {
        match self {
            ReportRecords::Clicks | ReportRecords::Communications => STAFF_OF_ONE,
            _ => STAFF_OF_INCIDENTS,
        }
    }
}

/// The counted figures of a group, over rows `g` that carry `cur` and `sentiment`.
const FIGURES: &str = "SUM(g.cur) AS current, SUM(1 - g.cur) AS previous,
        COALESCE(SUM(g.cur AND g.sentiment = 'positive'), 0) AS positive,
        COALESCE(SUM(g.cur AND g.sentiment = 'negative'), 0) AS negative";

/// The `SELECT` of a grouping of `records`, after the `chosen` expression.
fn grouping_sql(records: ReportRecords, grouping: Grouping) -> String {
    match grouping {
        Grouping::Category => format!(
            " SELECT c.id, c.name AS label, {FIGURES}, NULL AS mean
                FROM chosen g JOIN incident_categories c ON c.id = g.category_id GROUP BY c.id"
        ),
        Grouping::Location => format!(
            " SELECT l.id, l.name AS label, {FIGURES}, NULL AS mean
                FROM chosen g JOIN locations l ON l.id = g.location_id GROUP BY l.id"
        ),
        Grouping::Individual => format!(
            "{people} SELECT p.id, {name} AS label, {FIGURES}, NULL AS mean
                FROM people g JOIN individuals p ON p.id = g.who
               WHERE (?2 = 1 OR g.who IN (SELECT individual_id FROM visible)) GROUP BY p.id",
            people = records.people(),
            name = pupil_name!("p")
        ),
        Grouping::Staff => format!(
            "{staffed} SELECT u.id, u.display_name AS label, {FIGURES}, NULL AS mean
               FROM staffed g JOIN users u ON u.id = g.who GROUP BY u.id",
            staffed = records.staffed()
        ),
        Grouping::Technique => format!(
            " SELECT t.id, t.name || CASE t.kind WHEN 'deescalation' THEN ' (de-escalation)' ELSE ' (physical)' END AS label,
                     {FIGURES}, ROUND(AVG(CASE WHEN g.cur THEN g.effectiveness END), 2) AS mean
                FROM (SELECT ch.cur, ch.sentiment, it.technique_id, it.effectiveness FROM chosen ch
                        JOIN incident_techniques it ON it.incident_id = ch.id) g
                JOIN techniques t ON t.id = g.technique_id GROUP BY t.id"
        ),
        Grouping::Behaviour => format!(
            " SELECT b.id, b.name AS label, {FIGURES}, NULL AS mean
                FROM chosen g JOIN behaviours b ON b.id = g.behaviour_id GROUP BY b.id"
        ),
    }
}

/// The statement: the access rule, `chosen` for `records`, then `tail`.
fn statement(records: ReportRecords, tail: &str) -> String {
    format!("WITH {}{}{tail}", visible_individuals!(), records.chosen())
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
    /// The rows of `records` grouped by `grouping`, each with its counts in the period and the
    /// one before (groups with neither are left out), largest first.
    pub async fn report_groups(
        &self,
        viewer: Viewer,
        records: ReportRecords,
        grouping: Grouping,
        filter: &ReportFilter,
    ) -> StoreResult<Vec<ReportGroupRow>> {
        let sql = statement(
            records,
            &format!("{} ORDER BY current DESC, label, 1", grouping_sql(records, grouping)),
        );
        bind_report(sqlx::query_as(AssertSqlSafe(sql)), viewer, records, filter)
            .fetch_all(&self.pool)
            .await
    }

    /// The records of the period and the one before counted by UTC hour (hours with none left
    /// out), in order.
    pub async fn report_hours(
        &self,
        viewer: Viewer,
        records: ReportRecords,
        filter: &ReportFilter,
    ) -> StoreResult<Vec<HourRow>> {
        let sql = statement(
            records,
            " SELECT occurred_at / 3600 AS hour, COUNT(*) AS count,
                     COALESCE(SUM(sentiment = 'positive'), 0) AS positive,
                     COALESCE(SUM(sentiment = 'negative'), 0) AS negative
                FROM chosen GROUP BY occurred_at / 3600 ORDER BY hour",
        );
        bind_report(sqlx::query_as(AssertSqlSafe(sql)), viewer, records, filter)
            .fetch_all(&self.pool)
            .await
    }

    /// The distinct visible individuals the records name, in each period (one pass).
    pub async fn report_totals(
        &self,
        viewer: Viewer,
        records: ReportRecords,
        filter: &ReportFilter,
    ) -> StoreResult<TotalsRow> {
        let sql = statement(
            records,
            &format!(
                "{} SELECT COUNT(DISTINCT CASE WHEN cur THEN who END) AS individuals,
                                 COUNT(DISTINCT CASE WHEN cur THEN NULL ELSE who END) AS previous_individuals
                            FROM people WHERE (?2 = 1 OR who IN (SELECT individual_id FROM visible))",
                records.people()
            ),
        );
        bind_report(sqlx::query_as(AssertSqlSafe(sql)), viewer, records, filter)
            .fetch_one(&self.pool)
            .await
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
        let count = statement(records, &format!("{matching} SELECT COUNT(*) FROM matching"));
        let (total,): (i64,) = bind_report(sqlx::query_as(AssertSqlSafe(count)), viewer, records, &filter)
            .bind(what)
            .bind(value)
            .bind(until)
            .fetch_one(&self.pool)
            .await?;
        let page = statement(
            records,
            &format!(
                "{matching} {} WHERE i.id IN (SELECT id FROM matching)
                   AND (?14 IS NULL OR i.occurred_at < ?14 OR (i.occurred_at = ?14 AND i.number < ?15))
                 ORDER BY i.occurred_at DESC, i.number DESC LIMIT ?16",
                incident_rows!()
            ),
        );
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
