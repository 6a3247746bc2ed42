//! `POST /auth/login` and `POST /auth/totp`: the password step and the second factor.

use axum::Json;
use axum::extract::State;
use zeroize::Zeroizing;

use super::super::audit::AuditEntry;
use super::super::auth::{self, ClientAddr};
use super::super::error::{ApiError, ApiJson};
use super::super::limiter::Named;
use super::super::state::AppState;
use super::super::store::{Attempt, SettingRow, Stage, Subject, Tx, UserRow};
use super::common::{audit, finish, limit, setting};
use super::signin::{
    Issue, Step, Succession, after_password, challenge_owner, challenge_spent_first, fail, issue_challenge,
    matching_recovery_code, min_password_chars, partially_passed, passed, record_failure, refuse, reserve, sign_in,
    temporary_expired, temporary_expired_error,
};
use crate::wire::{AuthStep, ErrorBody, LoginRequest, TotpRequest};

/// Longest email looked up (RFC 5321 path limit).
const MAX_EMAIL_CHARS: usize = 320;

/// Sign in with email and password; answers the next step.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in, or the next step", body = AuthStep),
        (status = 401, description = "`invalid_credentials` (also for an unknown email)", body = ErrorBody),
        (status = 423, description = "`account_locked`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody)))]
pub(super) async fn login(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let password = Zeroizing::new(request.password);
    let email = auth::normalize_email(&request.email);
    limit(&state, addr, Named::Account(&email))?;
    let user = if !email.is_empty() && email.chars().count() <= MAX_EMAIL_CHARS {
        state.store.user_by_email(&email).await?
    } else {
        None
    };
    let Some(user) = user else {
        return Err(unknown_email(&state, addr, &email, &password).await?);
    };
    let step = Step {
        user: &user,
        addr,
        action: "login.password",
    };
    let attempt = reserve(&state, step).await?;
    let right = auth::verify_password(Some(user.password_hash.clone()), &password).await?;
    if !user.usable(state.now()) {
        // A disabled or expired account answers exactly like an email with no account: every attempt
        // counts and fails, so the sixth gets 423 as well and the answers tell nothing.
        let mut tx = state.store.begin().await?;
        let result = record_failure(&state, &mut tx, attempt, step, Some("disabled")).await;
        finish(tx, result).await?;
        return Err(ApiError::invalid_credentials());
    }
    if !right {
        return Err(fail(&state, attempt, step, ApiError::invalid_credentials()).await);
    }
    let setting = setting(&state).await?;
    let mut tx = state.store.begin().await?;
    let result = right_password(&state, &mut tx, &setting, &user, addr, attempt).await;
    Ok(Json(finish(tx, result).await?))
}

/// An email with no account: counted (under its keyed reference) and checked against a dummy
/// hash like any other, so its answers, their timing and its 423 are those of a wrong password.
/// Answers the error to send.
async fn unknown_email(state: &AppState, addr: ClientAddr, email: &str, password: &str) -> Result<ApiError, ApiError> {
    let now = state.now();
    let hash = auth::email_ref(&state.key, email);
    let actor = format!("unknown:{}", &hash[..12]);
    let entry = |outcome: &str| AuditEntry::new(now, None, &actor, "login.password", outcome).client(addr.0);
    let lockout = state.policy.lockout();
    let Some(attempt) = state
        .store
        .reserve_attempt(Subject::UnknownEmail(hash), lockout, now)
        .await?
    else {
        audit(state, entry("locked")).await?;
        return Ok(ApiError::account_locked());
    };
    auth::verify_password(None, password).await?;
    let mut tx = state.store.begin().await?;
    let resolution = tx.attempt_failed(attempt, lockout.threshold, now).await?;
    let detail = format!("no such account; failures={}", resolution.number);
    tx.audit(&entry("failure").detail(&detail)).await?;
    tx.commit().await?;
    Ok(match resolution.locked {
        true => ApiError::account_locked(),
        false => ApiError::invalid_credentials(),
    })
}

/// The right password of an active account, inside `tx`: a temporary one must be replaced
/// (unless it expired), a permanent one leads on ([`after_password`]).
async fn right_password(
    state: &AppState,
    tx: &mut Tx,
    setting: &SettingRow,
    user: &UserRow,
    addr: ClientAddr,
    attempt: Attempt,
) -> Result<AuthStep, ApiError> {
    if !user.password_is_temporary {
        return after_password(state, tx, setting, user, addr, Some(attempt)).await;
    }
    let step = Step {
        user,
        addr,
        action: "login.password",
    };
    partially_passed(state, tx, Some(attempt), step).await?;
    if temporary_expired(state, user) {
        return refuse(state, tx, step, "temporary_expired", "", temporary_expired_error()).await;
    }
    tx.audit(&step.entry(state, "password_change_required")).await?;
    let challenge = issue_challenge(state, tx, user.id, Stage::PasswordChange).await?;
    Ok(AuthStep::PasswordChangeRequired {
        challenge,
        min_chars: min_password_chars(setting, user),
    })
}

/// What a typed second-factor code turned out to be.
enum SecondFactor {
    /// A TOTP code matching this step.
    Totp(i64),
    /// This unused recovery code.
    RecoveryCode(i64),
}

/// Second step: a TOTP code (or a recovery code) with the `totp_required` challenge.
#[utoipa::path(post, path = "/auth/totp", tag = "auth", request_body = TotpRequest,
    responses(
        (status = 200, description = "Signed in", body = AuthStep),
        (status = 401, description = "`invalid_code` or `invalid_challenge`", body = ErrorBody),
        (status = 423, description = "`account_locked`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody)))]
pub(super) async fn totp(
    State(state): State<AppState>,
    addr: ClientAddr,
    ApiJson(request): ApiJson<TotpRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let code = Zeroizing::new(request.code);
    limit(&state, addr, Named::SignIn(&request.challenge))?;
    let (hash, user) = challenge_owner(&state, &request.challenge, Stage::Totp, addr, "login.totp").await?;
    let step = Step {
        user: &user,
        addr,
        action: "login.totp",
    };
    let attempt = reserve(&state, step).await?;
    let factor = match &user.totp_secret_sealed {
        Some(sealed) if auth::parse_totp_code(&code).is_some() => {
            let secret = state
                .key
                .unseal(sealed, &auth::totp_seal_context(user.id))
                .map_err(|_| ApiError::internal())?;
            auth::check_totp(&secret, &code, state.now())
                .and_then(|s| i64::try_from(s).ok())
                .map(SecondFactor::Totp)
        }
        Some(_) => match auth::normalize_recovery_code(&code) {
            Some(normalized) => matching_recovery_code(&state, user.id, normalized)
                .await?
                .map(SecondFactor::RecoveryCode),
            None => None,
        },
        None => None,
    };
    let Some(factor) = factor else {
        return Err(fail(&state, attempt, step, ApiError::invalid_code()).await);
    };
    let mut tx = state.store.begin().await?;
    let result = second_factor(&state, &mut tx, &hash, step, attempt, factor).await;
    Ok(Json(finish(tx, result).await?))
}

/// A right second factor, inside `tx`: spend it (a code or a step already spent is a failure),
/// spend the challenge, and sign in.
async fn second_factor(
    state: &AppState,
    tx: &mut Tx,
    challenge_hash: &str,
    step: Step<'_>,
    attempt: Attempt,
    factor: SecondFactor,
) -> Result<AuthStep, ApiError> {
    let now = state.now();
    let user_id = step.user.id;
    let spent = match factor {
        SecondFactor::Totp(totp_step) => tx.advance_totp_step(user_id, totp_step).await?,
        SecondFactor::RecoveryCode(id) => tx.use_recovery_code(id, now).await?,
    };
    if !spent {
        record_failure(state, tx, attempt, step, Some("already used")).await?;
        return Err(ApiError::invalid_code());
    }
    if tx.consume_challenge(challenge_hash, Stage::Totp, now).await?.is_none() {
        partially_passed(state, tx, Some(attempt), step).await?;
        return challenge_spent_first(state, tx, step).await;
    }
    passed(state, tx, Some(attempt), step).await?;
    let used_recovery_code = matches!(factor, SecondFactor::RecoveryCode(_));
    let detail = if used_recovery_code { "recovery code" } else { "totp" };
    tx.audit(&step.entry(state, "success").detail(detail)).await?;
    let issue = Issue {
        second_factor: true,
        succession: Succession::Fresh,
        used_recovery_code,
    };
    sign_in(state, tx, user_id, step.addr, issue, Vec::new()).await
}
