//! `POST /auth/login` and `POST /auth/totp`: the password step and the second factor.

use axum::Json;
use axum::extract::State;
use zeroize::Zeroizing;

use super::super::audit::AuditEntry;
use super::super::auth::{self, ClientAddr};
use super::super::error::{ApiError, ApiJson};
use super::super::state::AppState;
use super::super::store::Stage;
use super::RateLimited;
use super::common::{audit, user_entry};
use super::signin::{
    Succession, after_password, challenge_owner, check_recovery_code, count_failure, issue_challenge,
    password_context_needs_2fa, seal_context, sign_in, temporary_expired, temporary_expired_error,
};
use crate::wire::{AuthStep, ErrorBody, LoginRequest, TotpRequest};

/// Longest email looked up (RFC 5321 path limit).
const MAX_EMAIL_CHARS: usize = 320;

/// Sign in with email and password; answers the next step.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in, or the next step", body = AuthStep),
        (status = 401, description = "`invalid_credentials` (also for an unknown email)", body = ErrorBody),
        (status = 422, description = "`invalid_request`", body = ErrorBody),
        (status = 423, description = "`account_locked`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 400, description = "`invalid_request`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
pub(super) async fn login(
    _limit: RateLimited,
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let password = Zeroizing::new(request.password);
    let email = auth::normalize_email(&request.email);
    let user = if !email.is_empty() && email.chars().count() <= MAX_EMAIL_CHARS {
        state.store.user_by_email(&email).await?
    } else {
        None
    };
    // Always one argon2 verification (a dummy one for an unknown email): same timing.
    let right = auth::verify_password(user.as_ref().map(|u| u.password_hash.clone()), &password).await?;
    let now = state.now();
    let Some(user) = user else {
        let hash = auth::email_ref(&state.key, &email);
        let actor = format!("unknown:{}", &hash[..12]);
        if state.store.unknown_email_locked(&hash).await? {
            audit(
                &state,
                AuditEntry::new(now, None, &actor, "login.password", "locked").client(addr.0),
            )
            .await?;
            return Err(ApiError::account_locked());
        }
        let failure = state
            .store
            .record_unknown_failure(&hash, state.policy.lockout_threshold, now)
            .await?;
        let entry = AuditEntry::new(now, None, &actor, "login.password", "failure")
            .client(addr.0)
            .detail(&format!("no such account; failures={}", failure.count));
        audit(&state, entry).await?;
        return Err(if failure.locked {
            ApiError::account_locked()
        } else {
            ApiError::invalid_credentials()
        });
    };
    if user.locked_at.is_some() {
        audit(&state, user_entry(&state, &user, addr, "login.password", "locked")).await?;
        return Err(ApiError::account_locked());
    }
    if !user.active {
        // A disabled account answers exactly like an email with no account: every attempt
        // counts, so the sixth gets 423 as well and the answers tell nothing about the account.
        audit(&state, user_entry(&state, &user, addr, "login.password", "disabled")).await?;
        return Err(count_failure(&state, &user, addr, "login.password", ApiError::invalid_credentials()).await?);
    }
    if !right {
        return Err(count_failure(&state, &user, addr, "login.password", ApiError::invalid_credentials()).await?);
    }
    if user.password_is_temporary {
        if temporary_expired(&state, &user) {
            audit(
                &state,
                user_entry(&state, &user, addr, "login.password", "temporary_expired"),
            )
            .await?;
            return Err(temporary_expired_error());
        }
        audit(
            &state,
            user_entry(&state, &user, addr, "login.password", "password_change_required"),
        )
        .await?;
        let challenge = issue_challenge(&state, user.id, Stage::PasswordChange).await?;
        let min_chars = if password_context_needs_2fa(&state, &user).await? {
            auth::MIN_PASSWORD_CHARS
        } else {
            auth::MIN_PASSWORD_CHARS_WITHOUT_2FA
        };
        return Ok(Json(AuthStep::PasswordChangeRequired {
            challenge,
            min_chars: min_chars as u32,
        }));
    }
    Ok(Json(after_password(&state, &user, addr).await?))
}

/// Second step: a TOTP code (or a recovery code) with the `totp_required` challenge.
#[utoipa::path(post, path = "/auth/totp", tag = "auth", request_body = TotpRequest,
    responses(
        (status = 200, description = "Signed in", body = AuthStep),
        (status = 401, description = "`invalid_code` or `invalid_challenge`", body = ErrorBody),
        (status = 423, description = "`account_locked`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 422, description = "`invalid_request`: missing fields or wrong types", body = ErrorBody),
        (status = 400, description = "`invalid_request`: the body is not JSON", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody)))]
pub(super) async fn totp(
    _limit: RateLimited,
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(request): ApiJson<TotpRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let code = Zeroizing::new(request.code);
    let (hash, user) = challenge_owner(&state, &request.challenge, Stage::Totp, addr, "login.totp").await?;
    let now = state.now();
    let mut used_recovery = false;
    let accepted = match &user.totp_secret_sealed {
        Some(sealed) if auth::parse_totp_code(&code).is_some() => {
            let secret = state
                .key
                .unseal(sealed, &seal_context(user.id))
                .map_err(|_| ApiError::internal())?;
            match auth::check_totp(&secret, &code, now).and_then(|s| i64::try_from(s).ok()) {
                Some(step) => state.store.advance_totp_step(user.id, step).await?,
                None => false,
            }
        }
        Some(_) => match auth::normalize_recovery_code(&code) {
            Some(normalized) => {
                used_recovery = check_recovery_code(&state, user.id, normalized).await?;
                used_recovery
            }
            None => false,
        },
        None => false,
    };
    if !accepted {
        return Err(count_failure(&state, &user, addr, "login.totp", ApiError::invalid_code()).await?);
    }
    if state.store.consume_challenge(&hash, Stage::Totp, now).await?.is_none() {
        return Err(ApiError::invalid_challenge());
    }
    let detail = if used_recovery { "recovery code" } else { "totp" };
    audit(
        &state,
        user_entry(&state, &user, addr, "login.totp", "success").detail(detail),
    )
    .await?;
    Ok(Json(
        sign_in(&state, user.id, addr, true, Succession::Fresh, Vec::new()).await?,
    ))
}
