//! `POST /clicks`, `GET /clicks` and `DELETE /clicks/{id}`: the Behaviour Clicker.
//!
//! A click is checked here (session, access, behaviour, time) and recorded by the group-commit
//! writer (`server::click_writer`), which commits it with its audit row, together with every
//! other click waiting, before this answers. The id is the client's: the same click sent again
//! is answered 200 with the record as first made; the id with another body (or by another
//! user) is 409 and records nothing.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::TimeDelta;

use super::super::audit::AuditEntry;
use super::super::auth::{AuthUser, ClientAddr};
use super::super::click_writer::PendingClick;
use super::super::error::{ApiError, ApiJson, ApiQuery};
use super::super::state::AppState;
use super::super::store::{ClickFilter, ClickRow, Recorded, Undo, Viewer};
use super::common::{
    audit, decode_cursor, finish, page_limit, parse_time_id, path_uuid, staff, stored_uuid, time_id_cursor, timestamp,
    user_entry,
};
use crate::wire::{Click, ClickPage, ClickQuery, ErrorBody, NewClick, codes};

/// How far ahead of the server's clock a click may be (clocks drift).
const MOST_AHEAD: TimeDelta = TimeDelta::minutes(2);
/// How far back a click may be backdated.
const MOST_BEHIND: TimeDelta = TimeDelta::days(7);
/// How long after it was recorded its author may undo a click (seconds).
pub const UNDO_WINDOW: i64 = 60;
/// Default page size of `GET /clicks`.
const DEFAULT_LIMIT: u32 = 200;
/// Largest page size of `GET /clicks`.
const MAX_LIMIT: u32 = 1000;

/// The wire form of a click row.
pub(super) fn wire_click(row: ClickRow) -> Click {
    Click {
        id: stored_uuid(&row.id),
        individual_id: row.individual_id,
        behaviour_id: row.behaviour_id,
        recorded_by: staff(row.user_id, row.recorded_by),
        occurred_at: timestamp(row.occurred_at),
        recorded_at: timestamp(row.recorded_at),
    }
}

/// Record a click. Its time may be at most 2 minutes ahead of the server's clock and at most
/// 7 days old.
#[utoipa::path(post, path = "/clicks", tag = "records", request_body = NewClick, security(("bearer" = [])),
    responses(
        (status = 201, description = "Recorded", body = Click),
        (status = 200, description = "This click was recorded before (a retry): the record as first made", body = Click),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such individual, or one the user may not see", body = ErrorBody),
        (status = 409, description = "`conflict`: the id was used for another click; nothing was recorded", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a time too far ahead or too old, an unknown or retired behaviour, or a bad body", body = ErrorBody)))]
pub(super) async fn create_click(
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiJson(new): ApiJson<NewClick>,
) -> Result<(StatusCode, Json<Click>), ApiError> {
    let now = state.clock.now();
    if new.occurred_at > now + MOST_AHEAD {
        return Err(ApiError::invalid_request(
            "`occurred_at` is more than 2 minutes ahead of the server's clock: check this computer's clock and send the click again.",
        ));
    }
    if new.occurred_at < now - MOST_BEHIND {
        return Err(ApiError::invalid_request(
            "`occurred_at` is more than 7 days ago: a click can be backdated by a week at most. Record anything older as an incident.",
        ));
    }
    let user = &signed_in.user;
    let (visible, behaviour) = state
        .store
        .click_target(Viewer::of(user), new.individual_id, new.behaviour_id)
        .await?;
    if !visible {
        return Err(ApiError::not_found());
    }
    if !behaviour {
        return Err(ApiError::invalid_request(
            "`behaviour_id` is not a behaviour of this setting's clicker (unknown or retired): reload the behaviours.",
        ));
    }
    let id = new.id.to_string();
    let audit = user_entry(&state, user, ClientAddr::at(signed_in.addr), "click.create", "success")
        .target(&format!("click:{id}"))
        .detail(&format!(
            "individual={} behaviour={}",
            new.individual_id, new.behaviour_id
        ));
    let click = ClickRow {
        id,
        individual_id: new.individual_id,
        behaviour_id: new.behaviour_id,
        user_id: user.id,
        recorded_by: user.display_name.clone(),
        occurred_at: new.occurred_at.timestamp(),
        recorded_at: now.timestamp(),
    };
    match state.clicks.record(PendingClick { click, audit }).await? {
        Recorded::Created(row) => Ok((StatusCode::CREATED, Json(wire_click(row)))),
        Recorded::Existing(row) => Ok((StatusCode::OK, Json(wire_click(row)))),
        Recorded::Conflict => Err(conflict("click")),
    }
}

/// 409 `conflict`: a client-made id that names another record of `what`.
pub(super) fn conflict(what: &str) -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        codes::CONFLICT,
        format!("This id was used for another {what}; nothing was recorded."),
    )
}

/// Undo a click: only the member of staff who recorded it, within a minute of its recording. A
/// click already undone by its author answers 204 again (a retried undo). A malformed id is
/// 404, like an unknown one.
#[utoipa::path(delete, path = "/clicks/{id}", tag = "records", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "The click's id")),
    responses(
        (status = 204, description = "Undone (or undone before)"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 403, description = "`forbidden`: another member of staff recorded it", body = ErrorBody),
        (status = 404, description = "`not_found`: no such click, or one about an individual the user may not see", body = ErrorBody),
        (status = 409, description = "`too_late`: the minute to undo it has passed", body = ErrorBody)))]
pub(super) async fn undo_click(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = path_uuid(&id)?;
    let user = &signed_in.user;
    let mut tx = state.store.begin().await?;
    let outcome = tx.undo_click(Viewer::of(user), &id, state.now(), UNDO_WINDOW).await?;
    let entry = |outcome: &str| -> AuditEntry {
        user_entry(&state, user, ClientAddr::at(signed_in.addr), "click.undo", outcome).target(&format!("click:{id}"))
    };
    let result = match outcome {
        Undo::NotFound => Err(ApiError::not_found()),
        Undo::NotTheAuthor => {
            tx.audit(&entry("denied")).await?;
            Err(ApiError::forbidden(
                "Only the member of staff who recorded a click can undo it.",
            ))
        }
        Undo::TooLate => {
            tx.audit(&entry("too_late")).await?;
            Err(ApiError::new(
                StatusCode::CONFLICT,
                codes::TOO_LATE,
                "Too late to undo: a click can be undone for a minute after it was recorded.",
            ))
        }
        Undo::AlreadyUndone => Ok(StatusCode::NO_CONTENT),
        Undo::Undone => {
            tx.audit(&entry("success")).await?;
            Ok(StatusCode::NO_CONTENT)
        }
    };
    finish(tx, result).await
}

/// The clicks the user may see (not undone), most recently seen first, paged with an opaque
/// cursor; `individual_id` of an individual the user may not see is 404.
#[utoipa::path(get, path = "/clicks", tag = "records", params(ClickQuery), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of clicks", body = ClickPage),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such individual, or one the user may not see", body = ErrorBody),
        (status = 422, description = "`invalid_request`: a bad `limit`, `cursor`, `from` or `to`, or `from` after `to`", body = ErrorBody)))]
pub(super) async fn clicks(
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiQuery(query): ApiQuery<ClickQuery>,
) -> Result<Json<ClickPage>, ApiError> {
    let limit = page_limit(query.limit, DEFAULT_LIMIT, MAX_LIMIT)?;
    let after = decode_cursor(query.cursor.as_deref(), parse_time_id)?;
    if let (Some(from), Some(to)) = (query.from, query.to)
        && from > to
    {
        return Err(ApiError::invalid_request("`from` is after `to`."));
    }
    let user = &signed_in.user;
    let viewer = Viewer::of(user);
    if let Some(individual_id) = query.individual_id
        && !state.store.can_see(viewer, individual_id).await?
    {
        return Err(ApiError::not_found());
    }
    let filter = ClickFilter {
        behaviour_id: query.behaviour_id,
        from: query.from.map(|t| t.timestamp()),
        to: query.to.map(|t| t.timestamp()),
    };
    let rows = state
        .store
        .clicks_page(viewer, query.individual_id, filter, after, limit)
        .await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|row| time_id_cursor(row.occurred_at, &row.id)))
        .flatten();
    let target = query
        .individual_id
        .map_or_else(|| "clicks".to_string(), |id| format!("individual:{id}"));
    let entry = user_entry(&state, user, ClientAddr::at(signed_in.addr), "clicks.list", "success")
        .target(&target)
        .detail(&format!("rows={}", rows.len()));
    audit(&state, entry).await?;
    Ok(Json(ClickPage {
        items: rows.into_iter().map(wire_click).collect(),
        next_cursor,
    }))
}
