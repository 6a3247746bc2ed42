//! `GET /individuals`, `GET /individuals/{id}` and `GET /individuals/{id}/overview`: the
//! individuals a user may see and their profiles. An individual the user may not see is 404,
//! exactly like one that does not exist.

use axum::Json;
use axum::extract::{Path, State};

use super::super::auth::{AuthUser, ClientAddr};
use super::super::error::{ApiError, ApiQuery};
use super::super::permissions::permissions;
use super::super::state::AppState;
use super::super::store::{ClickFilter, IndividualRow, StaffGrantRow, UserRow, Viewer, role_of};
use super::clicks::wire_click;
use super::common::{audit, decode_cursor, encode_cursor, page_limit, path_id, setting, staff, timestamp, user_entry};
use super::communications::with_threads;
use super::incidents::incident_summary;
use crate::wire::{
    AccessEntry, ClickCount, ErrorBody, IndividualDetails, IndividualOverview, IndividualPage, IndividualQuery,
    IndividualRef, IndividualSummary, KeyContact, PlanSummary, PupilName,
};

/// Default page size of `GET /individuals`.
const DEFAULT_LIMIT: u32 = 500;
/// Largest page size of `GET /individuals`.
const MAX_LIMIT: u32 = 1000;
/// Longest search text, in characters.
const MAX_QUERY_CHARS: usize = 100;
/// Most incidents in an overview.
const OVERVIEW_INCIDENTS: i64 = 200;
/// Most communications in an overview.
const OVERVIEW_COMMUNICATIONS: i64 = 50;
/// Most clicks in an overview.
const OVERVIEW_CLICKS: i64 = 200;
/// Days of the click sparkline, ending today.
const SPARKLINE_DAYS: i64 = 30;
/// Days of the click counts per behaviour (8 weeks), ending today.
const COUNT_DAYS: i64 = 56;
/// Seconds in a day.
const DAY: i64 = 86_400;

/// The individuals the user may see (active ones, in id order), each with when the user last
/// recorded something about them. `query` keeps those whose listed name contains it, in any
/// case (compared as Unicode lower case, so `%` and `_` are plain characters).
#[utoipa::path(get, path = "/individuals", tag = "records", params(IndividualQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of individuals", body = IndividualPage),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a bad `query`, `limit` or `cursor`", body = ErrorBody)))]
pub(super) async fn individuals(
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiQuery(query): ApiQuery<IndividualQuery>,
) -> Result<Json<IndividualPage>, ApiError> {
    let limit = page_limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = decode_cursor(query.cursor.as_deref(), |text| {
        text.parse::<i64>().ok().filter(|id| *id >= 0)
    })?;
    let search = match query.query.as_deref().map(str::trim) {
        Some(text) if text.chars().count() > MAX_QUERY_CHARS => {
            return Err(ApiError::invalid_request(format!(
                "`query` may be at most {MAX_QUERY_CHARS} characters."
            )));
        }
        Some(text) if !text.is_empty() => Some(text.to_lowercase()),
        _ => None,
    };
    let user = &signed_in.user;
    let viewer = Viewer::of(user);
    let rows = match &search {
        None => state.store.individuals_page(viewer, after.unwrap_or(0), limit).await?,
        Some(text) => {
            let all = state.store.individuals_page(viewer, after.unwrap_or(0), -1).await?;
            let limit = usize::try_from(limit).unwrap_or(usize::MAX);
            all.into_iter()
                .filter(|row| row.name.to_lowercase().contains(text.as_str()))
                .take(limit)
                .collect()
        }
    };
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|row| encode_cursor(&row.id.to_string())))
        .flatten();
    let detail = format!("rows={} search={}", rows.len(), search.is_some());
    let entry = user_entry(
        &state,
        user,
        ClientAddr::at(signed_in.addr),
        "individuals.list",
        "success",
    )
    .target("individuals")
    .detail(&detail);
    audit(&state, entry).await?;
    let items = rows
        .into_iter()
        .map(|row| IndividualSummary {
            id: row.id,
            name: PupilName::new(row.name),
            year_group: row.year_group,
            group_name: row.group_name,
            last_recorded_by_me: row.last_recorded_by_me.map(timestamp),
        })
        .collect();
    Ok(Json(IndividualPage { items, next_cursor }))
}

/// The individual `id` of the path if `user` may see them; 404 otherwise (and for an id that
/// is not a number), the same answer as for an individual that does not exist.
pub(super) async fn visible_individual(state: &AppState, user: &UserRow, id: &str) -> Result<IndividualRow, ApiError> {
    let id = path_id(id)?;
    state
        .store
        .individual(Viewer::of(user), id)
        .await?
        .ok_or_else(ApiError::not_found)
}

/// Audit a view of a profile (`action` on `individual:{id}`), ids only.
pub(super) async fn audit_view(state: &AppState, signed_in: &AuthUser, action: &str, id: i64) -> Result<(), ApiError> {
    let entry = user_entry(
        state,
        &signed_in.user,
        ClientAddr::at(signed_in.addr),
        action,
        "success",
    )
    .target(&format!("individual:{id}"));
    audit(state, entry).await
}

/// The profile's Details, Key contacts and Access tabs.
#[utoipa::path(get, path = "/individuals/{id}", tag = "records", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Individual id")),
    responses(
        (status = 200, description = "The individual", body = IndividualDetails),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such individual, or one the user may not see", body = ErrorBody)))]
pub(super) async fn individual(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<IndividualDetails>, ApiError> {
    let row = visible_individual(&state, &signed_in.user, &id).await?;
    let viewer = Viewer::of(&signed_in.user);
    let (contacts, grants) = tokio::try_join!(
        state.store.key_contacts(viewer, row.id),
        state.store.staff_grants(row.id)
    )?;
    audit_view(&state, &signed_in, "individual.view", row.id).await?;
    Ok(Json(IndividualDetails {
        id: row.id,
        name: PupilName::new(row.name),
        first_name: PupilName::new(row.first_name),
        last_name: PupilName::new(row.last_name),
        preferred_name: PupilName::new(row.preferred_name),
        date_of_birth: row.date_of_birth.parse().unwrap_or_default(),
        year_group: row.year_group,
        group_name: row.group_name,
        sen_status: row.sen_status,
        notes: row.notes,
        key_contacts: contacts
            .into_iter()
            .map(|c| KeyContact {
                name: c.name,
                relationship: c.relationship,
                phone: c.phone,
                email: c.email,
                priority: c.priority,
            })
            .collect(),
        access: grants.into_iter().filter_map(access_entry).collect(),
    }))
}

/// How a member of staff may see an individual: `all` when their role sees every individual
/// (the one table of `permissions`), else the level granted; `None` when they may not.
fn access_entry(grant: StaffGrantRow) -> Option<AccessEntry> {
    let role = role_of(&grant.role);
    let level = match permissions(role).see_all_individuals {
        true => "all".to_string(),
        false => grant.level?,
    };
    Some(AccessEntry {
        staff: staff(grant.user_id, grant.name),
        role,
        level,
        key_staff: grant.key_staff,
    })
}

/// Everything else a profile shows: incidents, plans, communications with their threads,
/// the click sparkline (UTC days), counts per behaviour and the latest clicks.
#[utoipa::path(get, path = "/individuals/{id}/overview", tag = "records", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Individual id")),
    responses(
        (status = 200, description = "The profile's records", body = IndividualOverview),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such individual, or one the user may not see", body = ErrorBody)))]
pub(super) async fn overview(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
) -> Result<Json<IndividualOverview>, ApiError> {
    let row = visible_individual(&state, &signed_in.user, &id).await?;
    let viewer = Viewer::of(&signed_in.user);
    let today = state.now().div_euclid(DAY);
    let store = &state.store;
    let ((incidents, incident_total), plans, communications, counts, recent) = tokio::try_join!(
        store.individual_incidents(viewer, row.id, OVERVIEW_INCIDENTS),
        store.plans(viewer, row.id),
        store.communications_page(viewer, Some(row.id), None, OVERVIEW_COMMUNICATIONS),
        store.click_counts(viewer, row.id, (today - COUNT_DAYS + 1) * DAY),
        store.clicks_page(viewer, Some(row.id), ClickFilter::default(), None, OVERVIEW_CLICKS),
    )?;
    let communications = with_threads(&state, viewer, communications).await?;
    let mut sparkline = vec![0u32; SPARKLINE_DAYS as usize];
    for (day, _, count) in &counts {
        if let Ok(index) = usize::try_from(day - (today - SPARKLINE_DAYS + 1))
            && let Some(slot) = sparkline.get_mut(index)
        {
            *slot += u32::try_from(*count).unwrap_or(u32::MAX);
        }
    }
    let prefix = setting(&state).await?.incident_prefix;
    audit_view(&state, &signed_in, "individual.overview", row.id).await?;
    let individual = IndividualRef {
        id: row.id,
        name: PupilName::new(row.name),
    };
    Ok(Json(IndividualOverview {
        incidents: incidents.into_iter().map(|r| incident_summary(r, &prefix)).collect(),
        incident_total,
        plans: plans
            .into_iter()
            .map(|p| PlanSummary {
                id: p.id,
                individual: individual.clone(),
                title: p.title,
                strategies: p.strategies,
                review_on: p.review_on.and_then(|day| day.parse().ok()),
                source_incident_reference: p.source_incident_number.map(|n| format!("{prefix}-{n}")),
                created_by: staff(p.created_by, p.created_by_name),
                updated_at: timestamp(p.updated_at),
            })
            .collect(),
        communications,
        individual,
        clicks_last_30_days: sparkline,
        click_counts: counts
            .into_iter()
            .map(|(day, behaviour_id, count)| ClickCount {
                day: timestamp(day * DAY).date_naive(),
                behaviour_id,
                count: u32::try_from(count).unwrap_or(u32::MAX),
            })
            .collect(),
        recent_clicks: recent.into_iter().map(wire_click).collect(),
    }))
}
