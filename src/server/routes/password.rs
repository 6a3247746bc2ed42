//! `POST /auth/password`: replacing a temporary password, or changing one while signed in.

use axum::Json;
use axum::extract::State;
use zeroize::Zeroizing;

use super::super::auth::{self, AuthUser, ClientAddr, MaybeAuthUser};
use super::super::error::{ApiError, ApiJson};
use super::super::limiter::Named;
use super::super::state::AppState;
use super::super::store::{Attempt, SettingRow, Stage, Tx, UserRow};
use super::common::{finish, limit, setting};
use super::signin::{
    Issue, NewPassword, Step, after_password, challenge_owner, challenge_spent_first, fail, new_password,
    partially_passed, passed, refuse, reserve, sign_in, temporary_expired, temporary_expired_error,
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
        (status = 429, description = "`rate_limited`", body = ErrorBody)))]
pub(super) async fn change_password(
    State(state): State<AppState>,
    addr: ClientAddr,
    MaybeAuthUser(signed_in): MaybeAuthUser,
    ApiJson(request): ApiJson<PasswordChangeRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let new = Zeroizing::new(request.new_password);
    let sign_in_step = match (&request.challenge, &signed_in) {
        (Some(challenge), _) => Some(challenge.as_str()),
        (None, Some(signed_in)) => Some(signed_in.token_hash.as_str()),
        (None, None) => None,
    };
    if let Some(reference) = sign_in_step {
        limit(&state, addr, Named::SignIn(reference))?;
    }
    let setting = setting(&state).await?;
    if let Some(challenge) = &request.challenge {
        let (hash, user) = challenge_owner(&state, challenge, Stage::PasswordChange, addr, "password.change").await?;
        if !user.password_is_temporary {
            return Err(ApiError::invalid_challenge());
        }
        if temporary_expired(&state, &user) {
            return Err(temporary_expired_error());
        }
        let new = new_password(&setting, &user, &new).await?;
        let mut tx = state.store.begin().await?;
        let result = forced_change(&state, &mut tx, &setting, &hash, &user, addr, new).await;
        return Ok(Json(finish(tx, result).await?));
    }
    let Some(signed_in) = signed_in else {
        return Err(ApiError::unauthenticated());
    };
    let Some(current) = request.current_password.map(Zeroizing::new) else {
        return Err(ApiError::invalid_request("Give your current password to change it."));
    };
    let user = &signed_in.user;
    let step = Step {
        user,
        addr,
        action: "password.change",
    };
    let attempt = reserve(&state, step).await?;
    if !auth::verify_password(Some(user.password_hash.clone()), &current).await? {
        return Err(fail(&state, attempt, step, ApiError::invalid_credentials()).await);
    }
    let new = new_password(&setting, user, &new).await?;
    let mut tx = state.store.begin().await?;
    let result = voluntary_change(&state, &mut tx, &signed_in, addr, attempt, new).await;
    Ok(Json(finish(tx, result).await?))
}

/// A temporary password replaced with the challenge, inside `tx`; then the next step of
/// signing in (the challenge proved the password, so there is no attempt to resolve).
async fn forced_change(
    state: &AppState,
    tx: &mut Tx,
    setting: &SettingRow,
    challenge_hash: &str,
    user: &UserRow,
    addr: ClientAddr,
    new: NewPassword,
) -> Result<AuthStep, ApiError> {
    let step = Step {
        user,
        addr,
        action: "password.change",
    };
    let new_hash = match new {
        NewPassword::Hashed(hash) => hash,
        NewPassword::Refused(reason) => {
            return refuse_weak(state, tx, step, reason).await;
        }
    };
    let now = state.now();
    if tx
        .consume_challenge(challenge_hash, Stage::PasswordChange, now)
        .await?
        .is_none()
    {
        return challenge_spent_first(state, tx, step).await;
    }
    tx.set_password(user.id, &new_hash, now).await?;
    tx.audit(&step.entry(state, "success").detail("temporary replaced"))
        .await?;
    let user = tx.user_by_id(user.id).await?.ok_or_else(ApiError::internal)?;
    after_password(state, tx, setting, &user, addr, None).await
}

/// A signed-in user's change after the right current password (`attempt`), inside `tx`: a
/// refused new password leaves everything as it was; a new one ends every session and answers
/// a token for this one (a full authentication, ending when the old session would have).
async fn voluntary_change(
    state: &AppState,
    tx: &mut Tx,
    signed_in: &AuthUser,
    addr: ClientAddr,
    attempt: Attempt,
    new: NewPassword,
) -> Result<AuthStep, ApiError> {
    let user = &signed_in.user;
    let step = Step {
        user,
        addr,
        action: "password.change",
    };
    let new_hash = match new {
        NewPassword::Hashed(hash) => hash,
        NewPassword::Refused(reason) => {
            partially_passed(state, tx, Some(attempt), step).await?;
            return refuse_weak(state, tx, step, reason).await;
        }
    };
    passed(state, tx, Some(attempt), step).await?;
    tx.set_password(user.id, &new_hash, state.now()).await?;
    tx.audit(&step.entry(state, "success")).await?;
    let issue = Issue::reauthenticated(signed_in.expires_at);
    sign_in(state, tx, user.id, addr, issue, Vec::new()).await
}

/// Refuse `step` because the new password is weak: 422 with the policy's reason, audited as
/// `refused` with that reason.
async fn refuse_weak<T>(state: &AppState, tx: &mut Tx, step: Step<'_>, reason: String) -> Result<T, ApiError> {
    refuse(
        state,
        tx,
        step,
        "refused",
        &reason,
        ApiError::weak_password(reason.clone()),
    )
    .await
}
