//! `GET /reports/{type}` and `GET /reports/{type}/incidents`: analytics.
//!
//! Who may: a role with `view_analytics` (every role; staff see figures over the individuals
//! granted to them, the others over everyone), signed in or through a report key
//! ([`ReportReader`]), always through the one access rule, so no figure counts a record the
//! user could not open. The query is read here with a sentence for each bad
//! part (400): an unknown type or grouping, a malformed date, `from` after `to`, a period over
//! ten years, a malformed list of ids or a filter the type does not take; an individual in a
//! filter the user may not open is 404, like one that does not exist. Every report read is
//! audited (`report.view`, with its type, period, filters and row count; never a name).
//!
//! The figures are the store's (`store::reports`); [`super::report_figures`] lays them out as
//! the wire's table, totals, series and grid, and writes the CSV.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Duration, NaiveDate};

use super::super::clock::{day_start, local_date, local_time};
use super::super::error::{ApiError, ApiQuery};
use super::super::permissions::permissions;
use super::super::report_keys::ReportReader;
use super::super::state::AppState;
use super::super::store::{ReportFilter, RowMatch, Viewer};
use super::common::{audit, decode_cursor, page_limit, setting, user_entry};
use super::incidents::{incident_cursor, incident_summary, parse_incident_cursor};
use super::report_figures::{Period, build_report, records_of, row_match};
use crate::wire::{
    Dimension, ErrorBody, FilterField, IncidentPage, REPORT_MAX_DAYS, REPORT_MAX_IDS, Report, ReportKind, ReportQuery,
    ReportSort, codes,
};

/// Default page size of the incidents behind a row.
const DEFAULT_LIMIT: u32 = 200;
/// Largest page size of the incidents behind a row.
const MAX_LIMIT: u32 = 1000;
/// The earliest and latest years a report may name.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// 400 `invalid_request`: a query (or a saved set's filters) the server cannot read, with what
/// to do.
pub(super) fn bad(message: impl Into<String>) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, codes::INVALID_REQUEST, message)
}

/// A report's query, read and checked.
#[derive(Debug, Clone)]
pub(super) struct Checked {
    /// The type.
    pub kind: ReportKind,
    /// What the rows are grouped by.
    pub by: Dimension,
    /// The period and the one before.
    pub period: Period,
    /// The filters, for the store.
    pub filter: ReportFilter,
    /// The form of the answer.
    pub format: Format,
}

/// The form a report is answered in (`format=`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    /// The report as JSON (the default).
    Json,
    /// Its table as a CSV file.
    Csv,
    /// The report as a printable plain-text document.
    Text,
}

impl Format {
    /// The form `text` names (absent: JSON), or the sentence saying what to write.
    fn parse(text: Option<&str>) -> Result<Format, ApiError> {
        match text {
            None | Some("json") => Ok(Format::Json),
            Some("csv") => Ok(Format::Csv),
            Some("text") => Ok(Format::Text),
            Some(_) => Err(bad("`format` must be json, csv or text.")),
        }
    }

    /// Its name in `format=` (and in the audit detail).
    fn slug(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Text => "text",
        }
    }
}

/// The date `text` of parameter `name`.
fn date(name: &str, text: &str) -> Result<NaiveDate, ApiError> {
    let day = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        bad(format!(
            "`{name}` is not a date: write it as YYYY-MM-DD, for example 2026-09-01."
        ))
    })?;
    in_years(name, day)
}

/// `day` (of `name`), when its year is one a report may name.
pub(super) fn in_years(name: &str, day: NaiveDate) -> Result<NaiveDate, ApiError> {
    if !YEARS.contains(&chrono::Datelike::year(&day)) {
        return Err(bad(format!(
            "`{name}` is outside the years 1900 to 2200: check the year."
        )));
    }
    Ok(day)
}

/// Whether `from` to `to` is a period a report may cover: in order, and at most ten years.
pub(super) fn span(from: NaiveDate, to: NaiveDate) -> Result<(), ApiError> {
    if from > to {
        return Err(bad("`from` is after `to`: swap them, or choose another period."));
    }
    if (to - from).num_days() > REPORT_MAX_DAYS {
        return Err(bad("The period is longer than 10 years: choose a shorter one."));
    }
    Ok(())
}

/// The ids `given` for `name`, each once, in the order given: 400 for one that is not an id
/// (absent or below 1: "`name` must be `form`") or for more than [`REPORT_MAX_IDS`] of them.
pub(super) fn distinct_ids(
    name: &str,
    form: &str,
    given: impl IntoIterator<Item = Option<i64>>,
) -> Result<Vec<i64>, ApiError> {
    let mut seen = std::collections::HashSet::new();
    let mut ids = Vec::new();
    for id in given {
        let id = id
            .filter(|id| *id > 0)
            .ok_or_else(|| bad(format!("`{name}` must be {form}: leave it out to include every one.")))?;
        if seen.insert(id) {
            ids.push(id);
        }
        if ids.len() > REPORT_MAX_IDS {
            return Err(bad(format!(
                "`{name}` lists more than {REPORT_MAX_IDS} ids: leave it out to include every one."
            )));
        }
    }
    Ok(ids)
}

/// The ids listed (separated by commas) in parameter `name`.
fn ids(name: &str, text: &Option<String>) -> Result<Option<Vec<i64>>, ApiError> {
    let Some(text) = text else {
        return Ok(None);
    };
    let given = text.split(',').map(|part| part.trim().parse().ok());
    distinct_ids(name, "ids separated by commas, such as 12,40", given).map(Some)
}

/// The period of the query: `to` defaults to today, `from` to 29 days before `to`.
fn period(query: &ReportQuery, today: NaiveDate) -> Result<Period, ApiError> {
    let to = query.to.as_deref().map(|t| date("to", t)).transpose()?.unwrap_or(today);
    let from = match query.from.as_deref() {
        Some(text) => date("from", text)?,
        None => to - Duration::days(29),
    };
    span(from, to)?;
    Ok(Period::new(from, to))
}

/// Read and check `query` for report `slug`, as `signed_in` asks it: 403 without the
/// permission, 400 for a bad query, 404 for an individual the user may not open.
async fn checked(
    state: &AppState,
    signed_in: &ReportReader,
    slug: &str,
    query: &ReportQuery,
) -> Result<Checked, ApiError> {
    if !permissions(signed_in.user.role()).view_analytics {
        return Err(ApiError::forbidden("Your role cannot read analytics: ask your admin."));
    }
    let names = || ReportKind::ALL.iter().map(|k| k.slug()).collect::<Vec<_>>().join(", ");
    let kind = ReportKind::from_slug(slug).ok_or_else(|| {
        bad(format!(
            "There is no report type `{}`: use one of {}.",
            slug.chars().take(40).collect::<String>(),
            names()
        ))
    })?;
    let offered = || {
        kind.dimensions()
            .iter()
            .map(|d| d.slug())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let by = match query.by.as_deref() {
        None => kind.dimensions()[0],
        Some(text) => Dimension::from_slug(text)
            .filter(|d| kind.dimensions().contains(d))
            .ok_or_else(|| {
                bad(format!(
                    "The {} is not grouped by `{}`: use one of {}.",
                    kind.title(),
                    text.chars().take(40).collect::<String>(),
                    offered()
                ))
            })?,
    };
    let format = Format::parse(query.format.as_deref())?;
    let given = [
        (FilterField::Individual, query.individual_id.is_some()),
        (FilterField::Behaviour, query.behaviour_id.is_some()),
        (FilterField::Location, query.location_id.is_some()),
        (FilterField::Staff, query.staff_id.is_some()),
    ];
    if let Some((field, _)) = given
        .iter()
        .find(|(field, given)| *given && !kind.filters().contains(field))
    {
        return Err(bad(format!(
            "The {} does not filter by `{}`: leave it out.",
            kind.title(),
            field.param()
        )));
    }
    let period = period(query, local_date(state.now()))?;
    let filter = ReportFilter {
        previous_start: day_start(period.previous_from),
        start: day_start(period.from),
        end: day_start(period.to + Duration::days(1)),
        individuals: ids("individual_id", &query.individual_id)?,
        locations: ids("location_id", &query.location_id)?,
        staff: ids("staff_id", &query.staff_id)?,
        behaviours: ids("behaviour_id", &query.behaviour_id)?,
    };
    let viewer = Viewer::of(&signed_in.user);
    for id in filter.individuals.iter().flatten() {
        if !state.store.can_see(viewer, *id).await? {
            return Err(ApiError::not_found());
        }
    }
    Ok(Checked {
        kind,
        by,
        period,
        filter,
        format,
    })
}

/// What a report read is audited with: its type, grouping, period and filters (ids only).
fn detail(checked: &Checked, rows: usize) -> String {
    let list = |ids: &Option<Vec<i64>>| match ids {
        None => "-".to_string(),
        Some(ids) => ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
    };
    let f = &checked.filter;
    format!(
        "type={} by={} from={} to={} individuals={} locations={} staff={} behaviours={} rows={rows} format={}",
        checked.kind.slug(),
        checked.by.slug(),
        checked.period.from,
        checked.period.to,
        list(&f.individuals),
        list(&f.locations),
        list(&f.staff),
        list(&f.behaviours),
        checked.format.slug()
    )
}

/// One report: its totals, its table (grouped by `by`), a series over the period and, for the
/// clicker, the hour by weekday grid, each count beside the period before. `format=csv`
/// answers the table as a CSV file instead, `format=text` the report as a printable document
/// (the same rows in the same order, aligned, every control character removed).
#[utoipa::path(get, path = "/reports/{type}", tag = "records", params(("type" = String, Path, description = "global, intervention, involvement, injuries, communication, clicker or discriminatory"), ReportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The report (JSON), its table as a CSV file (`format=csv`), or the report as a printable plain-text document (`format=text`)",
            content((Report = "application/json"), (String = "text/csv"), (String = "text/plain"))),
        (status = 400, description = "`invalid_request`: an unknown type or grouping, a bad date or period, a bad list of ids, or a filter the type does not take", body = ErrorBody),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the role may not read analytics", body = ErrorBody),
        (status = 404, description = "`not_found`: an individual of the filter the user may not open", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a query that cannot be read at all (a parameter given twice)", body = ErrorBody)))]
pub(super) async fn report(
    State(state): State<AppState>,
    signed_in: ReportReader,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Response, ApiError> {
    if query.row.is_some() || query.limit.is_some() || query.cursor.is_some() {
        return Err(bad(
            "`row`, `limit` and `cursor` are for /reports/{type}/incidents: leave them out here.",
        ));
    }
    let checked = checked(&state, &signed_in, &slug, &query).await?;
    let viewer = Viewer::of(&signed_in.user);
    let report = build_report(
        &state.store,
        viewer,
        &checked.kind,
        checked.by,
        &checked.period,
        &checked.filter,
    )
    .await?;
    let entry = user_entry(&state, &signed_in.user, signed_in.client(), "report.view", "success")
        .target(&format!("report:{}", checked.kind.slug()))
        .detail(&format!("{}{}", detail(&checked, report.rows.len()), signed_in.via()));
    let sort = match query.sort.as_deref() {
        None => None,
        Some(text) => Some(
            ReportSort::parse(text)
                .filter(|s| s.column <= report.columns.len())
                .ok_or_else(|| {
                    bad(format!(
                        "`sort` must be a column number from 0 (the {}) to {}, with - first for largest first.",
                        report.label.to_lowercase(),
                        report.columns.len()
                    ))
                })?,
        ),
    };
    audit(&state, entry).await?;
    let rows = report.sorted_rows(sort);
    let (content_type, extension, text) = match checked.format {
        Format::Json => {
            let rows = rows.into_iter().cloned().collect();
            return Ok(Json(Report { rows, ..report }).into_response());
        }
        Format::Csv => {
            let text = report.csv(&rows).map_err(|error| {
                tracing::error!(%error, "a report's CSV could not be written");
                ApiError::internal()
            })?;
            ("text/csv; charset=utf-8", "csv", text)
        }
        Format::Text => {
            let mut heading = filter_lines(&state, viewer, &checked.filter).await?;
            // Paper outlives the screen: who printed it, when, for which setting, and that it
            // is confidential (names of staff and the setting only; never a pupil's).
            let setting = setting(&state).await?;
            heading.push(format!(
                "Printed {} by {} for {}. Confidential: it is about pupils; keep it safe and destroy it as your setting's policy says.",
                local_time(state.now()).format("%d/%m/%Y %H:%M"),
                signed_in.user.display_name,
                setting.name
            ));
            ("text/plain; charset=utf-8", "txt", report.text(&rows, &heading))
        }
    };
    let filename = format!(
        "attachment; filename=\"{}-{}-{}.{extension}\"",
        checked.kind.slug(),
        checked.period.from,
        checked.period.to
    );
    Ok((
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, filename),
        ],
        text,
    )
        .into_response())
}

/// The heading lines of the printable report naming each active filter: individuals by name
/// (only those `viewer` may open; the filter was checked already), the others by their names
/// in the setting's lists.
async fn filter_lines(state: &AppState, viewer: Viewer, filter: &ReportFilter) -> Result<Vec<String>, ApiError> {
    let mut lines = Vec::new();
    if let Some(individuals) = &filter.individuals {
        let names = state.store.visible_individual_names(viewer, individuals).await?;
        let names: Vec<String> = names.into_iter().map(|(_, name)| name).collect();
        lines.push(format!("Filtered to individuals: {}", names.join(", ")));
    }
    let store = &state.store;
    // The setting's own lists (no pupil in them): each id by its name, `#id` for one no longer
    // listed (a location retired since, a member of staff who left).
    let named = |list: &[i64], names: Vec<(i64, String)>| {
        let names: std::collections::HashMap<i64, String> = names.into_iter().collect();
        list.iter()
            .map(|id| names.get(id).cloned().unwrap_or_else(|| format!("#{id}")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(list) = &filter.locations {
        let names = store.locations().await?.into_iter().map(|l| (l.id, l.name)).collect();
        lines.push(format!("Filtered to locations: {}", named(list, names)));
    }
    if let Some(list) = &filter.staff {
        let names = store
            .active_staff()
            .await?
            .into_iter()
            .map(|s| (s.id, s.name))
            .collect();
        lines.push(format!("Filtered to staff: {}", named(list, names)));
    }
    if let Some(list) = &filter.behaviours {
        let names = store.behaviours().await?.into_iter().map(|b| (b.id, b.name)).collect();
        lines.push(format!("Filtered to behaviours: {}", named(list, names)));
    }
    Ok(lines)
}

/// The incidents behind one row of a report (`row`, the row's `key`; absent: behind the whole
/// report), newest first, paged. A clicker or communication row stands for the incidents of
/// the same individual, member of staff or dates.
#[utoipa::path(get, path = "/reports/{type}/incidents", tag = "records", params(("type" = String, Path, description = "The report type"), ReportQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the incidents behind the row", body = IncidentPage),
        (status = 400, description = "`invalid_request`: as for the report, or a `row` it does not have", body = ErrorBody),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the role may not read analytics", body = ErrorBody),
        (status = 404, description = "`not_found`: an individual of the filter or the row the user may not open", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a `limit` out of range, a bad `cursor`, or a parameter given twice", body = ErrorBody)))]
pub(super) async fn report_incidents(
    State(state): State<AppState>,
    signed_in: ReportReader,
    Path(slug): Path<String>,
    ApiQuery(query): ApiQuery<ReportQuery>,
) -> Result<Json<IncidentPage>, ApiError> {
    if query.format.is_some() || query.sort.is_some() {
        return Err(bad(
            "`format` and `sort` are for the report itself: leave them out here.",
        ));
    }
    let checked = checked(&state, &signed_in, &slug, &query).await?;
    let limit = match query.limit.as_deref() {
        None => None,
        Some(text) => Some(
            text.parse::<u32>()
                .map_err(|_| bad(format!("`limit` must be a whole number from 1 to {MAX_LIMIT}.")))?,
        ),
    };
    let limit = page_limit(limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = decode_cursor(query.cursor.as_deref(), parse_incident_cursor)?;
    let viewer = Viewer::of(&signed_in.user);
    let row = match query.row.as_deref() {
        None => RowMatch::All,
        Some(key) => row_match(checked.kind, &checked.period, key).ok_or_else(|| {
            bad(format!(
                "The {} has no row `{}`: use a row's `key` from the report.",
                checked.kind.title(),
                key.chars().take(40).collect::<String>()
            ))
        })?,
    };
    if let RowMatch::Individual(id) = row
        && !state.store.can_see(viewer, id).await?
    {
        return Err(ApiError::not_found());
    }
    let (rows, total) = state
        .store
        .report_incidents(viewer, records_of(checked.kind), &checked.filter, row, after, limit)
        .await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().map(incident_cursor))
        .flatten();
    let entry = user_entry(
        &state,
        &signed_in.user,
        signed_in.client(),
        "report.incidents",
        "success",
    )
    .target(&format!("report:{}", checked.kind.slug()))
    .detail(&format!(
        "{}{} row={}",
        detail(&checked, rows.len()),
        signed_in.via(),
        query.row.as_deref().unwrap_or("-").chars().take(40).collect::<String>()
    ));
    audit(&state, entry).await?;
    let prefix = setting(&state).await?.incident_prefix;
    Ok(Json(IncidentPage {
        items: rows.into_iter().map(|r| incident_summary(r, &prefix)).collect(),
        next_cursor,
        total,
    }))
}
