//! `GET /notifications`: the user's notifications, as references the client words itself.

use axum::Json;
use axum::extract::State;

use super::super::auth::AuthUser;
use super::super::error::ApiError;
use super::super::state::AppState;
use super::super::store::{NotificationRow, Viewer};
use super::common::{setting, timestamp};
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
        "communication" => NotificationKind::Communication,
        "incident_flagged" => NotificationKind::IncidentFlagged,
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
        communication_id: None,
        actor: row.actor,
        due_on: row.review_on.and_then(|day| day.parse().ok()),
        created_at: timestamp(row.created_at),
        read: row.read_at.is_some(),
    }
}
