//! `POST /auth/reauth` and `POST /auth/logout`: rotating and ending a session.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use zeroize::Zeroizing;

use super::super::auth::{self, AuthUser, ClientAddr, token_ref};
use super::super::error::{ApiError, ApiJson};
use super::super::state::AppState;
use super::RateLimited;
use super::common::{audit, user_entry};
use super::signin::{count_failure, sign_in_again};
use crate::wire::{AuthStep, ErrorBody, ReauthRequest};

/// Unlock a locked client with the password: answers a new token and revokes the old one.
/// Failures count toward the lock-out.
#[utoipa::path(post, path = "/auth/reauth", tag = "auth", request_body = ReauthRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A new token", body = AuthStep),
        (status = 401, description = "`invalid_credentials`, `unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 423, description = "`account_locked` (every session has ended)", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 422, description = "`invalid_request`: missing fields or wrong types", body = ErrorBody),
        (status = 400, description = "`invalid_request`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
pub(super) async fn reauth(
    _limit: RateLimited,
    State(state): State<AppState>,
    signed_in: AuthUser,
    ApiJson(request): ApiJson<ReauthRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let password = Zeroizing::new(request.password);
    let addr = ClientAddr(signed_in.addr);
    let user = &signed_in.user;
    if !auth::verify_password(Some(user.password_hash.clone()), &password).await? {
        return Err(count_failure(&state, user, addr, "session.reauth", ApiError::invalid_credentials()).await?);
    }
    if !state
        .store
        .revoke_session(signed_in.session_id, state.now(), "reauth")
        .await?
    {
        return Err(ApiError::unauthenticated());
    }
    audit(
        &state,
        user_entry(&state, user, addr, "session.reauth", "success").target(&token_ref(&signed_in.token_hash)),
    )
    .await?;
    Ok(Json(sign_in_again(&state, user.id, addr, signed_in.expires_at).await?))
}

/// Sign out: the token stops working.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn logout(State(state): State<AppState>, signed_in: AuthUser) -> Result<StatusCode, ApiError> {
    state
        .store
        .revoke_session(signed_in.session_id, state.now(), "logout")
        .await?;
    let addr = ClientAddr(signed_in.addr);
    audit(
        &state,
        user_entry(&state, &signed_in.user, addr, "session.logout", "success")
            .target(&token_ref(&signed_in.token_hash)),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
