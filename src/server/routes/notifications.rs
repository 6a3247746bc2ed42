//! `GET /notifications`: the user's notifications, as references the client words itself;
//! `POST /notifications/{id}/read`: mark one read.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::super::auth::{AuthUser, ClientAddr};
use super::super::error::ApiError;
use super::super::state::AppState;
use super::super::store::{NotificationRow, Viewer};
use super::common::{finish, path_id, setting, stored_uuid, timestamp, user_entry};
use crate::wire::{ErrorBody, IndividualRef, Notification, NotificationKind, NotificationList, PupilName};

/// Most notifications answered.
const MAX_NOTIFICATIONS: i64 = 100;

/// The user's notifications, newest first (at most 100): only those about individuals and
/// incidents they may see now (the access rule of every other read, applied when they are
/// read, so a permission removed a moment ago hides them already).
#[utoipa::path(get, path = "/notifications", tag = "records", security(("bearer" = [])),
    responses(
        (status = 200, description = "Notifications", body = NotificationList),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn notifications(
    State(state): State<AppState>,
    signed_in: AuthUser,
) -> Result<Json<NotificationList>, ApiError> {
    let rows = state
        .store
        .notifications(Viewer::of(&signed_in.user), MAX_NOTIFICATIONS)
        .await?;
    let prefix = setting(&state).await?.incident_prefix;
    let items = rows.into_iter().map(|row| notification(row, &prefix)).collect();
    Ok(Json(NotificationList { items }))
}

/// The wire form of a notification row.
fn notification(row: NotificationRow, incident_prefix: &str) -> Notification {
    let kind = match row.kind.as_str() {
        "collaboration_invite" => NotificationKind::CollaborationInvite,
        "communication" if row.response_id.is_some() => NotificationKind::CommunicationResponse,
        "communication" => NotificationKind::Communication,
        "incident_flagged" => NotificationKind::IncidentFlagged,
        "incident_reported" => NotificationKind::IncidentReported,
        _ => NotificationKind::PlanReview,
    };
    let individual = row
        .individual_id
        .zip(row.individual_name)
        .map(|(id, name)| IndividualRef {
            id,
            name: PupilName::new(name),
        });
    Notification {
        id: row.id,
        kind,
        individual,
        incident_reference: row.incident_number.map(|number| format!("{incident_prefix}-{number}")),
        communication_id: row.communication_id.as_deref().map(stored_uuid),
        actor: row.actor,
        due_on: row.review_on.and_then(|day| day.parse().ok()),
        created_at: timestamp(row.created_at),
        read: row.read_at.is_some(),
    }
}

/// Mark one of the user's notifications read (again: 204 too). Another user's notification,
/// or an unknown or malformed id, is 404.
#[utoipa::path(post, path = "/notifications/{id}/read", tag = "records", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Notification id")),
    responses(
        (status = 204, description = "Read"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such notification of this user", body = ErrorBody)))]
pub(super) async fn mark_read(
    State(state): State<AppState>,
    signed_in: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let id = path_id(&id)?;
    let user = &signed_in.user;
    let mut tx = state.store.begin().await?;
    if !tx.mark_notification_read(user.id, id, state.now()).await? {
        return Err(ApiError::not_found());
    }
    let entry = user_entry(
        &state,
        user,
        ClientAddr::at(signed_in.addr),
        "notification.read",
        "success",
    )
    .target(&format!("notification:{id}"));
    tx.audit(&entry).await?;
    finish(tx, Ok(StatusCode::NO_CONTENT)).await
}
