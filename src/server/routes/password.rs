//! `POST /auth/password`: replacing a temporary password, or changing one while signed in.

use axum::Json;
use axum::extract::State;
use zeroize::Zeroizing;

use super::super::auth::{self, ClientAddr, MaybeAuthUser};
use super::super::error::{ApiError, ApiJson};
use super::super::state::AppState;
use super::super::store::Stage;
use super::RateLimited;
use super::common::{audit, user_entry};
use super::signin::{
    after_password, challenge_owner, check_and_hash_new_password, count_failure, sign_in_again, temporary_expired,
    temporary_expired_error,
};
use crate::wire::{AuthStep, ErrorBody, PasswordChangeRequest};

/// Change the password: with the `password_change_required` challenge (a temporary password),
/// or signed in with the current password. Answers the next step or a new token (which ends
/// when the session that asked would have ended); every other session of the user ends.
#[utoipa::path(post, path = "/auth/password", tag = "auth", request_body = PasswordChangeRequest,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Changed; signed in or the next step", body = AuthStep),
        (status = 401, description = "`invalid_credentials`, `invalid_challenge` or `unauthenticated`", body = ErrorBody),
        (status = 422, description = "`weak_password` (the message says why) or `invalid_request`", body = ErrorBody),
        (status = 423, description = "`account_locked`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 400, description = "`invalid_request`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
pub(super) async fn change_password(
    _limit: RateLimited,
    State(state): State<AppState>,
    addr: ClientAddr,
    MaybeAuthUser(signed_in): MaybeAuthUser,
    ApiJson(request): ApiJson<PasswordChangeRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let new_password = Zeroizing::new(request.new_password);
    let current = request.current_password.map(Zeroizing::new);
    let now = state.now();
    if let Some(challenge) = &request.challenge {
        let (hash, user) = challenge_owner(&state, challenge, Stage::PasswordChange, addr, "password.change").await?;
        if !user.password_is_temporary {
            return Err(ApiError::invalid_challenge());
        }
        if temporary_expired(&state, &user) {
            return Err(temporary_expired_error());
        }
        let new_hash = check_and_hash_new_password(&state, &user, addr, &new_password).await?;
        if state
            .store
            .consume_challenge(&hash, Stage::PasswordChange, now)
            .await?
            .is_none()
        {
            return Err(ApiError::invalid_challenge());
        }
        state.store.set_password(user.id, &new_hash, now).await?;
        audit(
            &state,
            user_entry(&state, &user, addr, "password.change", "success").detail("temporary replaced"),
        )
        .await?;
        let user = state.store.user_by_id(user.id).await?.ok_or_else(ApiError::internal)?;
        return Ok(Json(after_password(&state, &user, addr).await?));
    }
    let Some(signed_in) = signed_in else {
        return Err(ApiError::unauthenticated());
    };
    let Some(current) = current else {
        return Err(ApiError::invalid_request("Give your current password to change it."));
    };
    let user = signed_in.user;
    if !auth::verify_password(Some(user.password_hash.clone()), &current).await? {
        return Err(count_failure(&state, &user, addr, "password.change", ApiError::invalid_credentials()).await?);
    }
    let new_hash = check_and_hash_new_password(&state, &user, addr, &new_password).await?;
    state.store.set_password(user.id, &new_hash, now).await?;
    audit(&state, user_entry(&state, &user, addr, "password.change", "success")).await?;
    Ok(Json(sign_in_again(&state, user.id, addr, signed_in.expires_at).await?))
}
