//! The sign-in state machine shared by the auth handlers: lock-out counting, single-use
//! challenges bound to a user and a stage, issuing session tokens, and password checks.

use axum::http::StatusCode;
use zeroize::Zeroizing;

use super::super::audit::AuditEntry;
use super::super::auth::{self, ClientAddr, PasswordContext, check_new_password, hash_token, random_token, token_ref};
use super::super::error::ApiError;
use super::super::state::AppState;
use super::super::store::{Stage, UserRow};
use super::common::{audit, setting, user_entry, wire_user};
use crate::wire::{AuthStep, Role};

/// Longest challenge string looked at (real ones are 43 characters).
const MAX_CHALLENGE_CHARS: usize = 128;

/// The associated data a user's TOTP secret is sealed with.
pub(super) fn seal_context(user_id: i64) -> Vec<u8> {
    format!("bsmart-totp:user:{user_id}").into_bytes()
}

/// Count a failure of `user` toward the lock-out; answers the error to send (`locked` once the
/// threshold is reached, `otherwise` before). The failure that locks ends every session.
pub(super) async fn count_failure(
    state: &AppState,
    user: &UserRow,
    addr: ClientAddr,
    action: &str,
    otherwise: ApiError,
) -> Result<ApiError, ApiError> {
    let now = state.now();
    let failure = state
        .store
        .record_failure(user.id, state.policy.lockout_threshold, now)
        .await?;
    audit(
        state,
        user_entry(state, user, addr, action, "failure").detail(&format!("failures={}", failure.count)),
    )
    .await?;
    if failure.newly_locked {
        let ended = state.store.revoke_user_sessions(user.id, now, "locked").await?;
        audit(
            state,
            user_entry(state, user, addr, "account.lock", "locked").detail(&format!("sessions_ended={ended}")),
        )
        .await?;
    }
    Ok(if failure.locked {
        ApiError::account_locked()
    } else {
        otherwise
    })
}

pub(super) async fn issue_challenge(state: &AppState, user_id: i64, stage: Stage) -> Result<String, ApiError> {
    let challenge = random_token();
    let now = state.now();
    let expires = now + state.policy.challenge_ttl.num_seconds();
    state
        .store
        .create_challenge(&hash_token(&challenge), user_id, stage, now, expires)
        .await?;
    Ok(challenge)
}

pub(super) fn challenge_hash(challenge: &str) -> Option<String> {
    (!challenge.is_empty() && challenge.len() <= MAX_CHALLENGE_CHARS).then(|| hash_token(challenge))
}

/// The user of a valid challenge for `stage`, refusing locked and disabled accounts.
pub(super) async fn challenge_owner(
    state: &AppState,
    challenge: &str,
    stage: Stage,
    addr: ClientAddr,
    action: &str,
) -> Result<(String, UserRow), ApiError> {
    let now = state.now();
    let owner = match challenge_hash(challenge) {
        Some(hash) => state
            .store
            .challenge_user(&hash, stage, now)
            .await?
            .map(|id| (hash, id)),
        None => None,
    };
    let Some((hash, user_id)) = owner else {
        audit(
            state,
            AuditEntry::new(now, None, "anonymous", action, "invalid_challenge").client(addr.0),
        )
        .await?;
        return Err(ApiError::invalid_challenge());
    };
    match state.store.user_by_id(user_id).await? {
        Some(user) if user.locked_at.is_some() => {
            audit(state, user_entry(state, &user, addr, action, "locked")).await?;
            Err(ApiError::account_locked())
        }
        Some(user) if user.active => Ok((hash, user)),
        _ => Err(ApiError::invalid_challenge()),
    }
}

/// What a new session takes over from the session it replaces, if any.
#[derive(Debug, Clone, Copy)]
pub(super) enum Succession {
    /// A new sign-in: a new absolute expiry, authenticated now.
    Fresh,
    /// The password was checked again (reauth, password change): the old session's absolute
    /// expiry (a password alone must not stretch a session past its limit), authenticated now.
    Reauthenticated {
        /// The replaced session's absolute expiry.
        expires_at: i64,
    },
    /// No password was given (a bearer 2FA confirm): the old expiry and the old authentication.
    Continued {
        /// The replaced session's absolute expiry.
        expires_at: i64,
        /// The replaced session's last full authentication.
        authenticated_at: i64,
    },
}

impl Succession {
    /// The new session's absolute expiry and last full authentication, at `now`.
    fn limits(self, state: &AppState, now: i64) -> (i64, i64) {
        match self {
            Succession::Fresh => (now + state.policy.session_absolute.num_seconds(), now),
            Succession::Reauthenticated { expires_at } => (expires_at, now),
            Succession::Continued {
                expires_at,
                authenticated_at,
            } => (expires_at, authenticated_at),
        }
    }
}

/// Issue a session token: the only way to one. `second_factor` says a TOTP or recovery code
/// (or an existing session that needed one) was given; admins never get a token without it.
pub(super) async fn sign_in(
    state: &AppState,
    user_id: i64,
    addr: ClientAddr,
    second_factor: bool,
    succession: Succession,
    recovery_codes: Vec<String>,
) -> Result<AuthStep, ApiError> {
    let user = state
        .store
        .user_by_id(user_id)
        .await?
        .ok_or_else(ApiError::invalid_challenge)?;
    if user.locked_at.is_some() {
        // Locked meanwhile by parallel failures: the right credentials still get 423.
        return Err(ApiError::account_locked());
    }
    if !user.active {
        return Err(ApiError::invalid_credentials());
    }
    if user.role() == Role::Admin && !second_factor {
        audit(
            state,
            user_entry(state, &user, addr, "session.create", "denied").detail("admin without 2FA"),
        )
        .await?;
        return Err(ApiError::forbidden(
            "Administrators must sign in with two-factor authentication.",
        ));
    }
    let now = state.now();
    let token = random_token();
    let token_hash = hash_token(&token);
    let (expires, authenticated_at) = succession.limits(state, now);
    let addr_text = addr.0.map(|a| a.ip().to_string()).unwrap_or_default();
    state.store.reset_failures(user.id).await?;
    state
        .store
        .create_session(&token_hash, user.id, now, expires, authenticated_at, &addr_text)
        .await?;
    audit(
        state,
        user_entry(state, &user, addr, "session.create", "success").target(&token_ref(&token_hash)),
    )
    .await?;
    Ok(AuthStep::Ok {
        token,
        user: wire_user(&user),
        recovery_codes,
        recovery_codes_left: None,
    })
}

/// A new token after the password was checked again on a signed-in session (reauth, password
/// change): it keeps that session's absolute expiry (a password alone, without the second
/// factor, must not stretch a session past its limit) and counts as a full authentication now.
pub(super) async fn sign_in_again(
    state: &AppState,
    user_id: i64,
    addr: ClientAddr,
    expires_at: i64,
) -> Result<AuthStep, ApiError> {
    let succession = Succession::Reauthenticated { expires_at };
    sign_in(state, user_id, addr, true, succession, Vec::new()).await
}

/// After a right (and permanent) password: ask for the second factor, or enrolment, or sign in.
pub(super) async fn after_password(state: &AppState, user: &UserRow, addr: ClientAddr) -> Result<AuthStep, ApiError> {
    let setting = setting(state).await?;
    if let Some(sealed) = &user.totp_secret_sealed {
        audit(state, user_entry(state, user, addr, "login.password", "totp_required")).await?;
        let challenge = issue_challenge(state, user.id, Stage::Totp).await?;
        let demo_hint = if setting.demo {
            let secret = state
                .key
                .unseal(sealed, &seal_context(user.id))
                .map_err(|_| ApiError::internal())?;
            auth::totp_code_at(&secret, state.now())
        } else {
            None
        };
        return Ok(AuthStep::TotpRequired { challenge, demo_hint });
    }
    if user.role() == Role::Admin || setting.require_2fa_for_all {
        audit(
            state,
            user_entry(state, user, addr, "login.password", "totp_enrolment_required"),
        )
        .await?;
        let challenge = issue_challenge(state, user.id, Stage::TotpEnrolment).await?;
        return Ok(AuthStep::TotpEnrolmentRequired { challenge });
    }
    audit(state, user_entry(state, user, addr, "login.password", "success")).await?;
    sign_in(state, user.id, addr, false, Succession::Fresh, Vec::new()).await
}

pub(super) fn temporary_expired(state: &AppState, user: &UserRow) -> bool {
    user.password_is_temporary && user.temporary_expires_at.is_some_and(|t| state.now() >= t)
}

pub(super) fn temporary_expired_error() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        crate::wire::codes::INVALID_CREDENTIALS,
        "This temporary password has expired. Ask an administrator for a new one.",
    )
}

pub(super) async fn password_context_needs_2fa(state: &AppState, user: &UserRow) -> Result<bool, ApiError> {
    Ok(user.totp_enabled() || user.role() == Role::Admin || setting(state).await?.require_2fa_for_all)
}

pub(super) async fn check_and_hash_new_password(
    state: &AppState,
    user: &UserRow,
    addr: ClientAddr,
    new_password: &str,
) -> Result<String, ApiError> {
    let setting = setting(state).await?;
    let ctx = PasswordContext {
        setting_name: &setting.name,
        email: &user.email,
        with_2fa: password_context_needs_2fa(state, user).await?,
    };
    let normalized = match check_new_password(new_password, &ctx) {
        Ok(p) => p,
        Err(reason) => {
            audit(
                state,
                user_entry(state, user, addr, "password.change", "refused").detail(&reason),
            )
            .await?;
            return Err(ApiError::weak_password(reason));
        }
    };
    if auth::verify_password(Some(user.password_hash.clone()), &normalized).await? {
        let reason = "The new password must be different from the current one.";
        audit(
            state,
            user_entry(state, user, addr, "password.change", "refused").detail(reason),
        )
        .await?;
        return Err(ApiError::weak_password(reason));
    }
    auth::hash_password(normalized).await
}

pub(super) async fn check_recovery_code(state: &AppState, user_id: i64, code: String) -> Result<bool, ApiError> {
    let candidates = state.store.unused_recovery_codes(user_id).await?;
    let code = Zeroizing::new(code);
    let matched = tokio::task::spawn_blocking(move || {
        candidates
            .into_iter()
            .find(|(_, hash)| auth::verify_password_blocking(Some(hash), &code))
            .map(|(id, _)| id)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    match matched {
        Some(id) => Ok(state.store.use_recovery_code(id, state.now()).await?),
        None => Ok(false),
    }
}
