//! Saved report filter sets (SECURITY.md rule 72): `GET /report-filter-sets`, `POST
//! /report-filter-sets` and `DELETE /report-filter-sets/{id}`.
//!
//! Who may: a signed-in session ([`AuthUser`], never a report key) of a role with
//! `view_analytics` (403 otherwise, as for reports). A set is its owner's alone: every read,
//! save and delete names the signed-in user, so another user's set is answered exactly like a
//! missing one (404).
//!
//! A save is checked here, each problem a 400 with a sentence saying what to do: the name
//! (trimmed, 1 to 60 characters, no control or text-direction characters), each list of ids
//! (at most 100, every id positive, repeats collapsed; behaviours, locations and staff must be
//! in the setting's lists, and the first one that is not is named), and the dates (the years and
//! the span a report takes, through the checks of [`super::reports`]). An individual the user
//! may not open is 404 and never named, like one that does not exist. The same name again
//! (ignoring case) replaces the set; the limit of [`FILTER_SETS_MAX`] is decided by the store in
//! the transaction that adds one (409 beyond it).
//!
//! When a set is read back, an individual its owner can no longer open is dropped from its
//! filters and counted in `hidden`; `individuals` names only the others. Saves and deletes are
//! audited (`report_filter_set.save`, `report_filter_set.delete`) with ids and counts only: never
//! the set's name, which staff may have written a pupil's name into.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::super::auth::{AuthUser, ClientAddr};
use super::super::error::{ApiError, ApiJson};
use super::super::permissions::permissions;
use super::super::state::AppState;
use super::super::store::{FilterSetRow, FilterSetSaved, Viewer};
use super::common::{finish, path_id, timestamp, user_entry};
use super::reports::{bad, distinct_ids, in_years, span};
use crate::wire::{
    ErrorBody, FILTER_SET_NAME_MAX, FILTER_SETS_MAX, FilterSet, FilterSetList, IndividualRef, NewFilterSet, PupilName,
    SavedFilters, SavedPeriod, codes,
};

/// How a list of ids in a set must be written, for the sentence of a bad one.
const ID_FORM: &str = "a list of ids from 1 up, such as [12, 40]";

/// 403 unless `user`'s role may read analytics.
fn may_read_analytics(signed_in: &AuthUser) -> Result<(), ApiError> {
    match permissions(signed_in.user.role()).view_analytics {
        true => Ok(()),
        false => Err(ApiError::forbidden(
            "Your role cannot read analytics, so it cannot keep report filters: ask your admin.",
        )),
    }
}

/// The name of a set, trimmed and checked.
fn checked_name(name: &str) -> Result<String, ApiError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(bad("Give the set a name: `name` is empty."));
    }
    if name.chars().count() > FILTER_SET_NAME_MAX {
        return Err(bad(format!(
            "`name` is longer than {FILTER_SET_NAME_MAX} characters: shorten it."
        )));
    }
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
    {
        return Err(bad(
            "`name` holds a control or text-direction character (such as a tab or a new line): remove it.",
        ));
    }
    Ok(name.to_string())
}

/// The ids of list `name`, checked ([`distinct_ids`]), and each one of `offered` (400 naming the
/// first that is not: "There is no `what` N: choose from the list.").
fn listed_ids(name: &str, what: &str, ids: &[i64], offered: &[i64]) -> Result<Vec<i64>, ApiError> {
    let ids = distinct_ids(name, ID_FORM, ids.iter().copied().map(Some))?;
    match ids.iter().find(|id| !offered.contains(id)) {
        Some(id) => Err(bad(format!("There is no {what} {id}: choose from the list."))),
        None => Ok(ids),
    }
}

/// The filters of a save, checked and tidied (repeats collapsed); 404 for an individual
/// `viewer` may not open.
async fn checked_filters(state: &AppState, viewer: Viewer, filters: &SavedFilters) -> Result<SavedFilters, ApiError> {
    if let Some(SavedPeriod::Dates { from, to }) = filters.period {
        in_years("filters.period.from", from)?;
        in_years("filters.period.to", to)?;
        span(from, to)?;
    }
    let store = &state.store;
    let behaviours: Vec<i64> = store.behaviours().await?.iter().map(|b| b.id).collect();
    let locations: Vec<i64> = store.locations().await?.iter().map(|l| l.id).collect();
    let staff: Vec<i64> = store.active_staff().await?.iter().map(|s| s.id).collect();
    let checked = SavedFilters {
        period: filters.period,
        individual_ids: distinct_ids(
            "filters.individual_ids",
            ID_FORM,
            filters.individual_ids.iter().copied().map(Some),
        )?,
        behaviour_ids: listed_ids(
            "filters.behaviour_ids",
            "behaviour",
            &filters.behaviour_ids,
            &behaviours,
        )?,
        location_ids: listed_ids("filters.location_ids", "location", &filters.location_ids, &locations)?,
        staff_ids: listed_ids("filters.staff_ids", "member of staff", &filters.staff_ids, &staff)?,
    };
    let visible = store.visible_individual_names(viewer, &checked.individual_ids).await?;
    if visible.len() != checked.individual_ids.len() {
        return Err(ApiError::not_found());
    }
    Ok(checked)
}

/// The sets of `rows` as `viewer` reads them: the individuals they may no longer open dropped
/// from the filters and counted in `hidden`, the others named.
async fn wire_sets(state: &AppState, viewer: Viewer, rows: Vec<FilterSetRow>) -> Result<Vec<FilterSet>, ApiError> {
    let saved: Vec<(FilterSetRow, SavedFilters)> = rows
        .into_iter()
        .map(|row| {
            let filters = serde_json::from_str(&row.filters).map_err(|error| {
                tracing::error!(%error, set = row.id, "a saved filter set could not be read");
                ApiError::internal()
            })?;
            Ok((row, filters))
        })
        .collect::<Result<_, ApiError>>()?;
    let mut every: Vec<i64> = saved
        .iter()
        .flat_map(|(_, filters)| filters.individual_ids.iter().copied())
        .collect();
    every.sort_unstable();
    every.dedup();
    let names: HashMap<i64, String> = state
        .store
        .visible_individual_names(viewer, &every)
        .await?
        .into_iter()
        .collect();
    Ok(saved
        .into_iter()
        .map(|(row, mut filters)| {
            let saved_with = filters.individual_ids.len();
            filters.individual_ids.retain(|id| names.contains_key(id));
            let individuals = filters
                .individual_ids
                .iter()
                .map(|id| IndividualRef {
                    id: *id,
                    name: PupilName::new(names[id].clone()),
                })
                .collect();
            FilterSet {
                id: row.id,
                name: row.name,
                hidden: u32::try_from(saved_with - filters.individual_ids.len()).unwrap_or(u32::MAX),
                filters,
                individuals,
                saved_at: timestamp(row.saved_at),
            }
        })
        .collect())
}

/// What a save is audited with: the counts and ids of its filters and its period's kind (never
/// its name).
fn detail(filters: &SavedFilters, replaced: bool) -> String {
    let list = |ids: &[i64]| match ids.is_empty() {
        true => "-".to_string(),
        false => ids.iter().map(i64::to_string).collect::<Vec<_>>().join(","),
    };
    let period = match filters.period {
        None => "-",
        Some(SavedPeriod::ThisWeek) => "this_week",
        Some(SavedPeriod::Last30Days) => "last_30_days",
        Some(SavedPeriod::ThisTerm) => "this_term",
        Some(SavedPeriod::ThisSchoolYear) => "this_school_year",
        Some(SavedPeriod::Dates { .. }) => "dates",
    };
    format!(
        "{} period={period} individuals={} behaviours={} locations={} staff={}",
        if replaced { "replaced" } else { "created" },
        list(&filters.individual_ids),
        list(&filters.behaviour_ids),
        list(&filters.location_ids),
        list(&filters.staff_ids)
    )
}

/// The user's own saved report filters, by name (ignoring case). An individual the user can no
/// longer open is left out of a set's filters and only counted (`hidden`).
#[utoipa::path(get, path = "/report-filter-sets", tag = "records", security(("bearer" = [])),
    responses(
        (status = 200, description = "The user's sets", body = FilterSetList),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the role may not read analytics", body = ErrorBody)))]
pub(super) async fn filter_sets(
    State(state): State<AppState>,
    signed_in: AuthUser,
) -> Result<Json<FilterSetList>, ApiError> {
    may_read_analytics(&signed_in)?;
    let rows = state.store.filter_sets(signed_in.user.id).await?;
    let items = wire_sets(&state, Viewer::of(&signed_in.user), rows).await?;
    Ok(Json(FilterSetList { items }))
}

/// Save a set of report filters by name: 201 for a new set, 200 when it replaced the user's set
/// of the same name (ignoring case).
#[utoipa::path(post, path = "/report-filter-sets", tag = "records", request_body = NewFilterSet, security(("bearer" = [])),
    responses(
        (status = 201, description = "Saved as a new set", body = FilterSet),
        (status = 200, description = "Saved over the user's set of the same name", body = FilterSet),
        (status = 400, description = "`invalid_request`: a bad name, a bad list of ids, a behaviour, location or member of staff not in the setting's lists, or a bad period (or the body is not JSON)", body = ErrorBody),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the role may not read analytics", body = ErrorBody),
        (status = 404, description = "`not_found`: an individual of the filters the user may not open", body = ErrorBody),
        (status = 409, description = "`conflict`: the user already keeps 50 sets; delete one", body = ErrorBody),
        (status = 422, description = "`invalid_request`: the body is not a JSON object with the expected fields and types", body = ErrorBody)))]
pub(super) async fn save_filter_set(
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiJson(body): ApiJson<NewFilterSet>,
) -> Result<(StatusCode, Json<FilterSet>), ApiError> {
    may_read_analytics(&signed_in)?;
    let user = &signed_in.user;
    let viewer = Viewer::of(user);
    let name = checked_name(&body.name)?;
    let filters = checked_filters(&state, viewer, &body.filters).await?;
    let stored = serde_json::to_string(&filters).map_err(|_| ApiError::internal())?;
    let mut tx = state.store.begin().await?;
    let saved = tx
        .save_filter_set(user.id, &name, &stored, state.now(), FILTER_SETS_MAX)
        .await?;
    let result = match saved {
        FilterSetSaved::TooMany => Err(ApiError::new(
            StatusCode::CONFLICT,
            codes::CONFLICT,
            format!(
                "You already keep {FILTER_SETS_MAX} saved filter sets. Delete one you no longer use, or save over \
                 one by its name."
            ),
        )),
        FilterSetSaved::Created(row) => Ok((StatusCode::CREATED, row)),
        FilterSetSaved::Replaced(row) => Ok((StatusCode::OK, row)),
    };
    if let Ok((status, row)) = &result {
        let entry = user_entry(
            &state,
            user,
            ClientAddr::at(signed_in.addr),
            "report_filter_set.save",
            "success",
        )
        .target(&format!("report_filter_set:{}", row.id))
        .detail(&detail(&filters, *status == StatusCode::OK));
        tx.audit(&entry).await?;
    }
    let (status, row) = finish(tx, result).await?;
    let set = wire_sets(&state, viewer, vec![row])
        .await?
        .pop()
        .ok_or_else(ApiError::internal)?;
    Ok((status, Json(set)))
}

/// Delete one of the user's own sets.
#[utoipa::path(delete, path = "/report-filter-sets/{id}", tag = "records", security(("bearer" = [])),
    params(("id" = i64, Path, description = "The set's id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: the role may not read analytics", body = ErrorBody),
        (status = 404, description = "`not_found`: the user has no set by that id", body = ErrorBody)))]
pub(super) async fn delete_filter_set(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    may_read_analytics(&signed_in)?;
    let id = path_id(&id)?;
    let user = &signed_in.user;
    let mut tx = state.store.begin().await?;
    let result = match tx.delete_filter_set(user.id, id).await? {
        true => {
            let entry = user_entry(
                &state,
                user,
                ClientAddr::at(signed_in.addr),
                "report_filter_set.delete",
                "success",
            )
            .target(&format!("report_filter_set:{id}"));
            tx.audit(&entry).await?;
            Ok(StatusCode::NO_CONTENT)
        }
        false => Err(ApiError::not_found()),
    };
    finish(tx, result).await
}
