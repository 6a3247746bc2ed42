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
use super::super::limiter::Named;
use super::super::state::AppState;
use super::super::store::{Attempt, Stage, Tx, UserRow};
use super::common::{audit, finish, limit, setting, user_entry};
use super::signin::{
    Issue, Step, Succession, challenge_owner, challenge_spent_first, fail, issue_challenge, partially_passed, passed,
    record_failure, reserve, sign_in,
};
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
        (status = 429, description = "`rate_limited`: too many unknown challenges from this address", body = ErrorBody)))]
pub(super) async fn totp_enrol(
    State(state): State<AppState>,
    addr: ClientAddr,
    MaybeAuthUser(signed_in): MaybeAuthUser,
    ApiJson(request): ApiJson<TotpEnrolRequest>,
) -> Result<Json<TotpEnrolment>, ApiError> {
    let (user, challenge_hash) = match (&request.challenge, signed_in) {
        (Some(challenge), _) => {
            let (hash, user) = challenge_owner(&state, challenge, Stage::TotpEnrolment, addr, "totp.enrol").await?;
            if user.totp_enabled() {
                return Err(ApiError::invalid_challenge());
            }
            (user, Some(hash))
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
    let setting = setting(&state).await?;
    let secret = auth::new_totp_secret();
    let sealed = state.key.seal(&secret, &auth::totp_seal_context(user.id));
    let mut tx = state.store.begin().await?;
    let result = start_enrolment(&state, &mut tx, &user, addr, challenge_hash.as_deref(), &sealed).await;
    let challenge = finish(tx, result).await?;
    Ok(Json(TotpEnrolment {
        secret: auth::base32(&secret),
        otpauth_url: auth::otpauth_url(&secret, &user.email, &setting.name),
        challenge,
    }))
}

/// Keep the new (sealed) secret until a code confirms it, inside `tx`; during sign-in, spend
/// the enrolment challenge and answer the challenge that confirms.
async fn start_enrolment(
    state: &AppState,
    tx: &mut Tx,
    user: &UserRow,
    addr: ClientAddr,
    challenge_hash: Option<&str>,
    sealed: &[u8],
) -> Result<Option<String>, ApiError> {
    let step = Step {
        user,
        addr,
        action: "totp.enrol",
    };
    let next = match challenge_hash {
        Some(hash) => {
            if tx
                .consume_challenge(hash, Stage::TotpEnrolment, state.now())
                .await?
                .is_none()
            {
                return challenge_spent_first(state, tx, step).await;
            }
            Some(issue_challenge(state, tx, user.id, Stage::TotpConfirm).await?)
        }
        None => None,
    };
    tx.set_totp_pending(user.id, sealed).await?;
    tx.audit(&step.entry(state, "started")).await?;
    Ok(next)
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
        (status = 429, description = "`rate_limited`", body = ErrorBody)))]
pub(super) async fn totp_confirm(
    State(state): State<AppState>,
    addr: ClientAddr,
    MaybeAuthUser(signed_in): MaybeAuthUser,
    ApiJson(request): ApiJson<TotpConfirmRequest>,
) -> Result<Json<AuthStep>, ApiError> {
    let code = Zeroizing::new(request.code);
    let (user, challenge_hash, succession) = match (&request.challenge, signed_in) {
        (Some(challenge), _) => {
            limit(&state, addr, Named::SignIn(challenge))?;
            let (hash, user) = challenge_owner(&state, challenge, Stage::TotpConfirm, addr, "totp.confirm").await?;
            (user, Some(hash), Succession::Fresh)
        }
        (None, Some(signed_in)) => {
            limit(&state, addr, Named::SignIn(&signed_in.token_hash))?;
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
        .unseal(&pending, &auth::totp_seal_context(user.id))
        .map_err(|_| ApiError::internal())?;
    let attempt = reserve(&state, confirm_step(&user, addr)).await?;
    let Some(totp_step) = auth::check_totp(&secret, &code, state.now()).and_then(|s| i64::try_from(s).ok()) else {
        return Err(fail(&state, attempt, confirm_step(&user, addr), ApiError::invalid_code()).await);
    };
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
    let confirmation = Confirmation {
        challenge_hash: challenge_hash.as_deref(),
        pending: &pending,
        step: totp_step,
        recovery_hashes: &hashes,
        recovery_codes: codes,
        succession,
    };
    let mut tx = state.store.begin().await?;
    let result = confirm(&state, &mut tx, confirm_step(&user, addr), attempt, confirmation).await;
    Ok(Json(finish(tx, result).await?))
}

/// The confirm step of `user`, as its audit rows name it.
fn confirm_step(user: &UserRow, addr: ClientAddr) -> Step<'_> {
    Step {
        user,
        addr,
        action: "totp.confirm",
    }
}

/// What a right confirmation code brings to [`confirm`].
struct Confirmation<'a> {
    /// The confirm challenge, when enrolment is part of signing in.
    challenge_hash: Option<&'a str>,
    /// The sealed pending secret the code was checked against.
    pending: &'a [u8],
    /// The step the code matched.
    step: i64,
    /// The hashes of the new recovery codes.
    recovery_hashes: &'a [String],
    /// The new recovery codes themselves, shown once.
    recovery_codes: Vec<String>,
    /// What the new session takes over.
    succession: Succession,
}

/// A right confirmation code, inside `tx`: spend the challenge, make the pending secret the
/// secret (spending its step: a code already spent is a failure), replace the recovery codes,
/// end every session and sign in.
async fn confirm(
    state: &AppState,
    tx: &mut Tx,
    step: Step<'_>,
    attempt: Attempt,
    confirmation: Confirmation<'_>,
) -> Result<AuthStep, ApiError> {
    let now = state.now();
    if let Some(hash) = confirmation.challenge_hash
        && tx.consume_challenge(hash, Stage::TotpConfirm, now).await?.is_none()
    {
        partially_passed(state, tx, Some(attempt), step).await?;
        return challenge_spent_first(state, tx, step).await;
    }
    let confirmed = tx
        .confirm_totp(
            step.user.id,
            confirmation.pending,
            confirmation.step,
            confirmation.recovery_hashes,
            now,
        )
        .await?;
    if !confirmed {
        record_failure(state, tx, attempt, step, Some("already used")).await?;
        return Err(ApiError::invalid_code());
    }
    passed(state, tx, Some(attempt), step).await?;
    tx.audit(&step.entry(state, "success")).await?;
    let issue = Issue {
        second_factor: true,
        succession: confirmation.succession,
        used_recovery_code: false,
    };
    sign_in(state, tx, step.user.id, step.addr, issue, confirmation.recovery_codes).await
}
