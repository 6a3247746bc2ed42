//! `POST /auth/totp/enrol` and `POST /auth/totp/confirm`: setting up two-factor authentication.
//!
//! Two ways in: with the login challenges (enrolment as a step of signing in, bound by those
//! single-use, short-lived challenges), or signed in with a bearer token (voluntary enrolment).
//! A bearer token alone must not be enough to add a factor (ASVS 5.0 7.5.1): whoever stole one
//! could bind their own authenticator and lock the owner out. So both bearer steps need the
//! session's last password check to be recent ([`Policy::recent_authentication`]), and answer
//! 403 `reauth_required` otherwise.
//!
//! [`Policy::recent_authentication`]: super::super::state::Policy::recent_authentication

use axum::Json;
use axum::extract::State;
use zeroize::Zeroizing;

use super::super::auth::{self, AuthUser, ClientAddr, MaybeAuthUser};
use super::super::error::{ApiError, ApiJson};
use super::super::state::AppState;
use super::super::store::Stage;
use super::RateLimited;
use super::common::{audit, setting, user_entry};
use super::signin::{Succession, challenge_owner, count_failure, issue_challenge, seal_context, sign_in};
use crate::wire::{AuthStep, ErrorBody, TotpConfirmRequest, TotpEnrolRequest, TotpEnrolment};

/// Refuse a bearer enrolment step (`action`) unless the session's user gave their password
/// recently; the refusal is audited.
async fn require_recent_authentication(
    state: &AppState,
    signed_in: &AuthUser,
    addr: ClientAddr,
    action: &str,
) -> Result<(), ApiError> {
    let age = state.now() - signed_in.authenticated_at;
    if age <= state.policy.recent_authentication.num_seconds() {
        return Ok(());
    }
    audit(
        state,
        user_entry(state, &signed_in.user, addr, action, "reauth_required")
            .detail(&format!("last authentication {age} s ago")),
    )
    .await?;
    Err(ApiError::reauth_required())
}

/// Start 2FA enrolment: with the `totp_enrolment_required` challenge, or signed in (bearer,
/// body `{}`) for an account without 2FA, within 5 minutes of giving the password (signing in,
/// reauth or a password change). The secret is shown once.
#[utoipa::path(post, path = "/auth/totp/enrol", tag = "auth", request_body = TotpEnrolRequest,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The new secret", body = TotpEnrolment),
        (status = 401, description = "`invalid_challenge` or `unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: 2FA is already set up; `reauth_required`: signed in, but the \
            password was last given more than 5 minutes ago (unlock with /auth/reauth, then retry)", body = ErrorBody),
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
            require_recent_authentication(&state, &signed_in, addr, "totp.enrol").await?;
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
/// recovery codes (shown once). Signed-in users get a new token: every other session ends. A
/// bearer confirm needs a recent password check, like the start.
#[utoipa::path(post, path = "/auth/totp/confirm", tag = "auth", request_body = TotpConfirmRequest,
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "Signed in, with recovery codes", body = AuthStep),
        (status = 401, description = "`invalid_code`, `invalid_challenge` or `unauthenticated`", body = ErrorBody),
        (status = 403, description = "`reauth_required`: signed in, but the password was last given more than \
            5 minutes ago (unlock with /auth/reauth, then start again)", body = ErrorBody),
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
    let (user, challenge_hash, succession) = match (&request.challenge, signed_in) {
        (Some(challenge), _) => {
            let (hash, user) = challenge_owner(&state, challenge, Stage::TotpConfirm, addr, "totp.confirm").await?;
            (user, Some(hash), Succession::Fresh)
        }
        (None, Some(signed_in)) => {
            require_recent_authentication(&state, &signed_in, addr, "totp.confirm").await?;
            let succession = Succession::Continued {
                expires_at: signed_in.expires_at,
                authenticated_at: signed_in.authenticated_at,
            };
            (signed_in.user, None, succession)
        }
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
    Ok(Json(sign_in(&state, user.id, addr, true, succession, codes).await?))
}
