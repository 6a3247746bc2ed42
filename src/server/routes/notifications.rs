//! `GET /notifications`: the user's notifications.

use axum::Json;
use axum::extract::State;

use super::super::auth::AuthUser;
use super::super::error::ApiError;
use super::super::state::AppState;
use super::common::{setting, timestamp};
use crate::wire::{ErrorBody, Notification, NotificationKind, NotificationList};

/// The user's notifications, newest first (at most 100).
#[utoipa::path(get, path = "/notifications", tag = "records", security(("bearer" = [])),
    responses(
        (status = 200, description = "Notifications", body = NotificationList),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn notifications(
    State(state): State<AppState>,
    signed_in: AuthUser,
) -> Result<Json<NotificationList>, ApiError> {
    let rows = state.store.notifications(signed_in.user.id, 100).await?;
    let prefix = setting(&state).await?.incident_prefix;
    let items = rows
        .into_iter()
        .map(|n| Notification {
            id: n.id,
            kind: match n.kind.as_str() {
                "collaboration_invite" => NotificationKind::CollaborationInvite,
                "communication" => NotificationKind::Communication,
                "incident_flagged" => NotificationKind::IncidentFlagged,
                _ => NotificationKind::PlanReview,
            },
            // Structured references come with the migration that stores them (issue 9, §1.2).
            individual: None,
            actor: None,
            due_on: None,
            incident_reference: n.incident_number.map(|number| format!("{prefix}-{number}")),
            created_at: timestamp(n.created_at),
            read: n.read_at.is_some(),
        })
        .collect();
    Ok(Json(NotificationList { items }))
}
