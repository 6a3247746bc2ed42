//! `GET /me`: the signed-in user, what they may do, and when the session ends.

use axum::Json;
use axum::extract::State;

use super::super::auth::AuthUser;
use super::super::error::ApiError;
use super::super::permissions::permissions;
use super::super::state::AppState;
use super::common::{timestamp, wire_user};
use crate::wire::{ErrorBody, Me, SessionInfo};

/// Who is signed in, what the client may offer them, and when the session ends.
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn me(State(state): State<AppState>, signed_in: AuthUser) -> Result<Json<Me>, ApiError> {
    let now = state.now();
    let idle = (now + state.policy.session_idle.num_seconds()).min(signed_in.expires_at);
    Ok(Json(Me {
        user: wire_user(&signed_in.user),
        permissions: permissions(signed_in.user.role()),
        session: SessionInfo {
            idle_expires_at: timestamp(idle),
            absolute_expires_at: timestamp(signed_in.expires_at),
        },
    }))
}
