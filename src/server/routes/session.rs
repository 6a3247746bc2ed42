//! `POST /auth/reauth` and `POST /auth/logout`: rotating and ending a session.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use zeroize::Zeroizing;

use super::super::auth::{self, AuthUser, ClientAddr, Reauthenticating, token_ref};
use super::super::error::{ApiError, ApiJson};
use super::super::limiter::Named;
use super::super::state::AppState;
use super::super::store::{Attempt, Tx};
use super::common::{finish, limit, user_entry};
use super::signin::{Issue, Step, fail, passed, refuse, reserve, sign_in};
use crate::wire::{AuthStep, ErrorBody, ReauthRequest};

/// Unlock a locked client with the password: answers a new token and revokes the old one.
/// Failures count toward the lock-out.
#[utoipa::path(post, path = "/auth/reauth", tag = "auth", request_body = ReauthRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A new token", body = AuthStep),
        (status = 401, description = "`invalid_credentials`, `unauthenticated` or `session_expired`", body = ErrorBody),
        (status = 423, description = "`account_locked` (every session has ended)", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody)))]
pub(super) async fn reauth(
    State(state): State<AppState>,
    Reauthenticating(signed_in): Reauthenticating,
    ApiJson(request): ApiJson<ReauthRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let password = Zeroizing::new(request.password);
    let addr = ClientAddr::at(signed_in.addr);
    limit(&state, addr, Named::SignIn(&signed_in.token_hash))?;
    let user = &signed_in.user;
    let step = Step {
        user,
        addr,
        action: "session.reauth",
    };
    let attempt = reserve(&state, step).await?;
    if !auth::verify_password(Some(user.password_hash.clone()), &password).await? {
        return Err(fail(&state, attempt, step, ApiError::invalid_credentials()).await);
    }
    let mut tx = state.store.begin().await?;
    let result = rotate(&state, &mut tx, &signed_in, attempt).await;
    Ok(Json(finish(tx, result).await?))
}

/// The right password on a signed-in session, inside `tx`: the old token ends and a new one
/// takes its place (with the old absolute expiry).
async fn rotate(state: &AppState, tx: &mut Tx, signed_in: &AuthUser, attempt: Attempt) -> Result<AuthStep, ApiError> {
    let addr = ClientAddr::at(signed_in.addr);
    let user = &signed_in.user;
    let step = Step {
        user,
        addr,
        action: "session.reauth",
    };
    passed(state, tx, Some(attempt), step).await?;
    if !tx.revoke_session(signed_in.session_id, state.now(), "reauth").await? {
        let detail = "a parallel reauth rotated the session first";
        return refuse(state, tx, step, "denied", detail, ApiError::unauthenticated()).await;
    }
    let entry = step.entry(state, "success").target(&token_ref(&signed_in.token_hash));
    tx.audit(&entry).await?;
    let issue = Issue::reauthenticated(signed_in.expires_at);
    sign_in(state, tx, user.id, addr, issue, Vec::new()).await
}

/// Sign out: the token stops working.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "`unauthenticated` or `session_expired`", body = ErrorBody)))]
pub(super) async fn logout(State(state): State<AppState>, signed_in: AuthUser) -> Result<StatusCode, ApiError> {
    let addr = ClientAddr::at(signed_in.addr);
    let mut tx = state.store.begin().await?;
    tx.revoke_session(signed_in.session_id, state.now(), "logout").await?;
    let entry = user_entry(&state, &signed_in.user, addr, "session.logout", "success")
        .target(&token_ref(&signed_in.token_hash));
    tx.audit(&entry).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT)
}
