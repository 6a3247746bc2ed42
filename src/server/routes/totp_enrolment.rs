//! `POST /auth/totp/enrol` and `POST /auth/totp/confirm`: setting up two-factor authentication.

use axum::Json;
use axum::extract::State;
use zeroize::Zeroizing;

use super::super::auth::{self, ClientAddr, MaybeAuthUser};
use super::super::error::{ApiError, ApiJson};
use super::super::state::AppState;
use super::super::store::Stage;
use super::RateLimited;
use super::common::{audit, setting, user_entry};
use super::signin::{challenge_owner, count_failure, issue_challenge, seal_context, sign_in};
use crate::wire::{AuthStep, ErrorBody, TotpConfirmRequest, TotpEnrolRequest, TotpEnrolment};

/// Start 2FA enrolment: with the `totp_enrolment_required` challenge, or signed in (bearer,
/// body `{}`) for an account without 2FA. The secret is shown once.
#[utoipa::path(post, path = "/auth/totp/enrol", tag = "auth", request_body = TotpEnrolRequest,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The new secret", body = TotpEnrolment),
        (status = 401, description = "`invalid_challenge` or `unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: 2FA is already set up", body = ErrorBody),
        (status = 423, description = "`account_locked`", body = ErrorBody),
        (status = 422, description = "`invalid_request`: missing fields or wrong types", body = ErrorBody),
        (status = 400, description = "`invalid_request`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
pub(super) async fn totp_enrol(
    State(state): State<AppState>,
    addr: ClientAddr,
    MaybeAuthUser(signed_in): MaybeAuthUser,
    ApiJson(request): ApiJson<TotpEnrolRequest>,
) -> Result<Json<TotpEnrolment>, ApiError> {
    let now = state.now();
    let (user, challenge) = match (&request.challenge, signed_in) {
        (Some(challenge), _) => {
            let (hash, user) = challenge_owner(&state, challenge, Stage::TotpEnrolment, addr, "totp.enrol").await?;
            if user.totp_enabled()
                || state
                    .store
                    .consume_challenge(&hash, Stage::TotpEnrolment, now)
                    .await?
                    .is_none()
            {
                return Err(ApiError::invalid_challenge());
            }
            let next = issue_challenge(&state, user.id, Stage::TotpConfirm).await?;
            (user, Some(next))
        }
        (None, Some(signed_in)) => {
            if signed_in.user.totp_enabled() {
                audit(
                    &state,
                    user_entry(&state, &signed_in.user, addr, "totp.enrol", "denied"),
                )
                .await?;
                return Err(ApiError::forbidden(
                    "Two-factor authentication is already set up for this account.",
                ));
            }
            (signed_in.user, None)
        }
        (None, None) => return Err(ApiError::unauthenticated()),
    };
    let secret = auth::new_totp_secret();
    let sealed = state.key.seal(&secret, &seal_context(user.id));
    state.store.set_totp_pending(user.id, &sealed).await?;
    let setting = setting(&state).await?;
    let otpauth_url = auth::otpauth_url(&secret, &user.email, &setting.name);
    audit(&state, user_entry(&state, &user, addr, "totp.enrol", "started")).await?;
    Ok(Json(TotpEnrolment {
        secret: auth::base32(&secret),
        otpauth_url,
        challenge,
    }))
}

/// Finish 2FA enrolment with a code from the new authenticator; answers a token and the
/// recovery codes (shown once). Signed-in users get a new token: every other session ends.
#[utoipa::path(post, path = "/auth/totp/confirm", tag = "auth", request_body = TotpConfirmRequest,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Signed in, with recovery codes", body = AuthStep),
        (status = 401, description = "`invalid_code`, `invalid_challenge` or `unauthenticated`", body = ErrorBody),
        (status = 423, description = "`account_locked`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 422, description = "`invalid_request`: missing fields or wrong types", body = ErrorBody),
        (status = 400, description = "`invalid_request`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
pub(super) async fn totp_confirm(
    _limit: RateLimited,
    State(state): State<AppState>,
    addr: ClientAddr,
    MaybeAuthUser(signed_in): MaybeAuthUser,
    ApiJson(request): ApiJson<TotpConfirmRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let code = Zeroizing::new(request.code);
    let now = state.now();
    let (user, challenge_hash, absolute) = match (&request.challenge, signed_in) {
        (Some(challenge), _) => {
            let (hash, user) = challenge_owner(&state, challenge, Stage::TotpConfirm, addr, "totp.confirm").await?;
            (user, Some(hash), None)
        }
        (None, Some(signed_in)) => (signed_in.user, None, Some(signed_in.expires_at)),
        (None, None) => return Err(ApiError::unauthenticated()),
    };
    let Some(pending) = user.totp_pending_sealed.clone() else {
        return Err(ApiError::invalid_challenge());
    };
    let secret = state
        .key
        .unseal(&pending, &seal_context(user.id))
        .map_err(|_| ApiError::internal())?;
    let Some(step) = auth::check_totp(&secret, &code, now).and_then(|s| i64::try_from(s).ok()) else {
        return Err(count_failure(&state, &user, addr, "totp.confirm", ApiError::invalid_code()).await?);
    };
    if let Some(hash) = &challenge_hash
        && state
            .store
            .consume_challenge(hash, Stage::TotpConfirm, now)
            .await?
            .is_none()
    {
        return Err(ApiError::invalid_challenge());
    }
    let codes = auth::new_recovery_codes();
    let to_hash = Zeroizing::new(codes.clone());
    let hashes = tokio::task::spawn_blocking(move || {
        to_hash
            .iter()
            .map(|c| auth::hash_password_blocking(&auth::normalize_recovery_code(c).unwrap_or_default()))
            .collect::<Result<Vec<_>, _>>()
    })
    .await
    .map_err(|_| ApiError::internal())??;
    if !state.store.confirm_totp(user.id, &pending, step, &hashes, now).await? {
        return Err(count_failure(&state, &user, addr, "totp.confirm", ApiError::invalid_code()).await?);
    }
    audit(&state, user_entry(&state, &user, addr, "totp.confirm", "success")).await?;
    Ok(Json(sign_in(&state, user.id, addr, true, absolute, codes).await?))
}
