//! The sign-in state machine shared by the auth handlers: attempts counted before they are
//! checked (the lock-out of `store::users`), single-use challenges bound to a user and a stage,
//! issuing session tokens, and new-password checks.
//!
//! Every step that checks a secret follows one shape: [`reserve`] an attempt (423 at once when
//! none may be made), check the secret with no transaction open (argon2 is slow), then resolve
//! the attempt in the request's [`Tx`] together with what the step changes and the audit rows
//! that record it: [`fail`] (or [`record_failure`] inside a transaction), or a (partial)
//! success through [`passed`] and [`partially_passed`], which refuse a locked account.

use axum::http::StatusCode;
use zeroize::Zeroizing;

use super::super::audit::AuditEntry;
use super::super::auth::{self, ClientAddr, PasswordContext, check_new_password, hash_token, random_token, token_ref};
use super::super::error::ApiError;
use super::super::state::AppState;
use super::super::store::{Attempt, Resolution, SessionClient, SettingRow, Stage, Subject, Tx, UserRow};
use super::common::{audit, charge_address, finish, user_entry, wire_user};
use crate::wire::{AuthStep, Role};

/// Longest challenge string looked at (real ones are 43 characters).
const MAX_CHALLENGE_CHARS: usize = 128;

/// A sign-in step of one user, from one address: what its audit rows are about.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step<'a> {
    /// The user.
    pub user: &'a UserRow,
    /// The client's address.
    pub addr: ClientAddr,
    /// The audit action, e.g. `login.totp`.
    pub action: &'static str,
}

impl Step<'_> {
    /// An audit entry of this step with `outcome`.
    pub(super) fn entry(&self, state: &AppState, outcome: &str) -> AuditEntry {
        user_entry(state, self.user, self.addr, self.action, outcome)
    }
}

/// Count an attempt of `step` before its secret is checked. When none may be made (the
/// account is locked, or six attempts are already counted) the answer is 423 at once,
/// audited, with no check: the right secret gets no further than a wrong one.
pub(super) async fn reserve(state: &AppState, step: Step<'_>) -> Result<Attempt, ApiError> {
    let lockout = state.policy.lockout();
    match state
        .store
        .reserve_attempt(Subject::User(step.user.id), lockout, state.now())
        .await?
    {
        Some(attempt) => Ok(attempt),
        None => {
            audit(state, step.entry(state, "locked")).await?;
            Err(ApiError::account_locked())
        }
    }
}

/// Refuse `step` inside `tx` with `error`, audited with `outcome` and `detail` (always an
/// `Err`): whatever the transaction changed is committed with the row that explains it.
pub(super) async fn refuse<T>(
    state: &AppState,
    tx: &mut Tx,
    step: Step<'_>,
    outcome: &str,
    detail: &str,
    error: ApiError,
) -> Result<T, ApiError> {
    tx.audit(&step.entry(state, outcome).detail(detail)).await?;
    Err(error)
}

/// Refuse `step` because a parallel request spent its challenge first (the challenge was valid
/// when read, gone when spent): audited as `invalid_challenge`, like any spent challenge.
pub(super) async fn challenge_spent_first<T>(state: &AppState, tx: &mut Tx, step: Step<'_>) -> Result<T, ApiError> {
    let detail = "a parallel request spent the challenge first";
    refuse(
        state,
        tx,
        step,
        "invalid_challenge",
        detail,
        ApiError::invalid_challenge(),
    )
    .await
}

/// What a resolution means for the request, inside `tx`: the resolution that locked the account
/// ends every session of it and writes `account.lock`; a locked account is refused with 423.
async fn enforce_lock(state: &AppState, tx: &mut Tx, step: Step<'_>, resolution: Resolution) -> Result<(), ApiError> {
    if resolution.newly_locked {
        let ended = tx.revoke_user_sessions(step.user.id, state.now(), "locked").await?;
        let entry = user_entry(state, step.user, step.addr, "account.lock", "locked")
            .detail(&format!("sessions_ended={ended}"));
        tx.audit(&entry).await?;
    }
    if resolution.locked {
        let detail = format!("attempts={}", resolution.number);
        return refuse(state, tx, step, "locked", &detail, ApiError::account_locked()).await;
    }
    Ok(())
}

/// Resolve a failed attempt of `step` inside `tx`: it stays counted (its audit row says which
/// of the count it is, after `note` if given), and the one that reaches the threshold locks.
/// `Err` is the 423 to answer once the account is locked.
pub(super) async fn record_failure(
    state: &AppState,
    tx: &mut Tx,
    attempt: Attempt,
    step: Step<'_>,
    note: Option<&str>,
) -> Result<(), ApiError> {
    let resolution = tx
        .attempt_failed(attempt, state.policy.lockout_threshold, state.now())
        .await?;
    let count = format!("failures={}", resolution.number);
    let detail = note.map_or_else(|| count.clone(), |note| format!("{note}; {count}"));
    tx.audit(&step.entry(state, "failure").detail(&detail)).await?;
    enforce_lock(state, tx, step, resolution).await
}

/// A failed attempt in a transaction of its own ([`record_failure`]); answers the error to
/// send: `otherwise`, or 423 once the account is locked.
pub(super) async fn fail(state: &AppState, attempt: Attempt, step: Step<'_>, otherwise: ApiError) -> ApiError {
    let outcome = async {
        let mut tx = state.store.begin().await?;
        let result = record_failure(state, &mut tx, attempt, step, None).await;
        finish(tx, result).await
    };
    match outcome.await {
        Ok(()) => otherwise,
        Err(error) => error,
    }
}

/// Resolve a full success inside `tx` (the count starts again when the attempt is alone); a
/// success that needed no checked attempt (`None`: a forced password change) resets the count
/// when nothing is in flight. Refuses a locked account.
pub(super) async fn passed(
    state: &AppState,
    tx: &mut Tx,
    attempt: Option<Attempt>,
    step: Step<'_>,
) -> Result<(), ApiError> {
    let now = state.now();
    match attempt {
        Some(attempt) => {
            let resolution = tx.attempt_passed(attempt, state.policy.lockout_threshold, now).await?;
            enforce_lock(state, tx, step, resolution).await
        }
        None => Ok(tx
            .reset_attempts_if_idle(step.user.id, state.policy.lockout(), now)
            .await?),
    }
}

/// Resolve the right password of a sign-in with a step still to come (a second factor, a
/// forced change) inside `tx`. Refuses a locked account.
pub(super) async fn partially_passed(
    state: &AppState,
    tx: &mut Tx,
    attempt: Option<Attempt>,
    step: Step<'_>,
) -> Result<(), ApiError> {
    let Some(attempt) = attempt else {
        return Ok(());
    };
    let resolution = tx
        .attempt_partially_passed(attempt, state.policy.lockout_threshold, state.now())
        .await?;
    enforce_lock(state, tx, step, resolution).await
}

/// Issue a new single-use challenge for `stage` inside `tx`.
pub(super) async fn issue_challenge(
    state: &AppState,
    tx: &mut Tx,
    user_id: i64,
    stage: Stage,
) -> Result<String, ApiError> {
    let challenge = random_token();
    let now = state.now();
    let expires = now + state.policy.challenge_ttl.num_seconds();
    tx.create_challenge(&hash_token(&challenge), user_id, stage, now, expires)
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
        charge_address(state, addr)?;
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
        Some(user) if user.usable(now) => Ok((hash, user)),
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

/// How a session is issued by [`sign_in`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Issue {
    /// A TOTP or recovery code was given (or an existing session that needed one): admins never
    /// get a token without it.
    pub second_factor: bool,
    /// What the new session takes over.
    pub succession: Succession,
    /// The sign-in spent a recovery code: report how many unused ones are left.
    pub used_recovery_code: bool,
}

impl Issue {
    /// A session that replaces a signed-in one after its user gave the password again (reauth,
    /// a voluntary password change): a full authentication, ending when `expires_at`, the old
    /// session's absolute limit, comes.
    pub(super) fn reauthenticated(expires_at: i64) -> Issue {
        Issue {
            second_factor: true,
            succession: Succession::Reauthenticated { expires_at },
            used_recovery_code: false,
        }
    }
}

/// Issue a session token inside `tx`: the only way to one. The attempt that led here must be
/// resolved first ([`passed`]).
pub(super) async fn sign_in(
    state: &AppState,
    tx: &mut Tx,
    user_id: i64,
    addr: ClientAddr,
    issue: Issue,
    recovery_codes: Vec<String>,
) -> Result<AuthStep, ApiError> {
    let user = tx.user_by_id(user_id).await?.ok_or_else(ApiError::internal)?;
    let step = Step {
        user: &user,
        addr,
        action: "session.create",
    };
    if user.locked_at.is_some() {
        return refuse(state, tx, step, "locked", "", ApiError::account_locked()).await;
    }
    if !user.usable(state.now()) {
        return refuse(
            state,
            tx,
            step,
            "denied",
            "account disabled",
            ApiError::invalid_credentials(),
        )
        .await;
    }
    if user.role() == Role::Admin && !issue.second_factor {
        let error = ApiError::forbidden("Administrators must sign in with two-factor authentication.");
        return refuse(state, tx, step, "denied", "admin without 2FA", error).await;
    }
    let now = state.now();
    let token = random_token();
    let token_hash = hash_token(&token);
    let (expires, authenticated_at) = issue.succession.limits(state, now);
    let addr_text = addr.0.map(|a| a.ip().to_string()).unwrap_or_default();
    let client = SessionClient {
        addr: &addr_text,
        agent: addr.1.as_str(),
    };
    tx.create_session(&token_hash, user.id, now, expires, authenticated_at, client)
        .await?;
    let recovery_codes_left = match issue.used_recovery_code {
        true => Some(tx.unused_recovery_code_count(user.id).await?),
        false => None,
    };
    let entry = user_entry(state, &user, addr, "session.create", "success").target(&token_ref(&token_hash));
    tx.audit(&entry).await?;
    Ok(AuthStep::Ok {
        token,
        user: wire_user(&user),
        recovery_codes,
        recovery_codes_left,
    })
}

/// After a right (and permanent) password, inside `tx`: ask for the second factor, or
/// enrolment, or sign in. `attempt` is the password's attempt (`None` after a forced change,
/// which the challenge proved).
pub(super) async fn after_password(
    state: &AppState,
    tx: &mut Tx,
    setting: &SettingRow,
    user: &UserRow,
    addr: ClientAddr,
    attempt: Option<Attempt>,
) -> Result<AuthStep, ApiError> {
    let step = Step {
        user,
        addr,
        action: "login.password",
    };
    if let Some(sealed) = &user.totp_secret_sealed {
        partially_passed(state, tx, attempt, step).await?;
        tx.audit(&step.entry(state, "totp_required")).await?;
        let challenge = issue_challenge(state, tx, user.id, Stage::Totp).await?;
        let demo_hint = if setting.demo {
            let secret = state
                .key
                .unseal(sealed, &auth::totp_seal_context(user.id))
                .map_err(|_| ApiError::internal())?;
            auth::totp_code_at(&secret, state.now())
        } else {
            None
        };
        return Ok(AuthStep::TotpRequired { challenge, demo_hint });
    }
    if must_enrol(setting, user) {
        partially_passed(state, tx, attempt, step).await?;
        tx.audit(&step.entry(state, "totp_enrolment_required")).await?;
        let challenge = issue_challenge(state, tx, user.id, Stage::TotpEnrolment).await?;
        return Ok(AuthStep::TotpEnrolmentRequired { challenge });
    }
    passed(state, tx, attempt, step).await?;
    tx.audit(&step.entry(state, "success")).await?;
    let issue = Issue {
        second_factor: false,
        succession: Succession::Fresh,
        used_recovery_code: false,
    };
    sign_in(state, tx, user.id, addr, issue, Vec::new()).await
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

/// Whether `user`, without 2FA, must set it up before a token: every admin, everyone when the
/// setting says so, and anyone whose 2FA an admin reset.
fn must_enrol(setting: &SettingRow, user: &UserRow) -> bool {
    user.role() == Role::Admin || setting.require_2fa_for_all || user.totp_reenrol
}

/// Whether `user` has 2FA or must set it up (then 10 code points are a long enough password).
pub(super) fn needs_2fa(setting: &SettingRow, user: &UserRow) -> bool {
    user.totp_enabled() || must_enrol(setting, user)
}

/// The fewest code points a new password of `user` needs.
pub(super) fn min_password_chars(setting: &SettingRow, user: &UserRow) -> u32 {
    let chars = match needs_2fa(setting, user) {
        true => auth::MIN_PASSWORD_CHARS,
        false => auth::MIN_PASSWORD_CHARS_WITHOUT_2FA,
    };
    chars as u32
}

/// A new password, checked and hashed ([`new_password`]).
pub(super) enum NewPassword {
    /// Its argon2id hash.
    Hashed(String),
    /// Why it is refused (a sentence for the person choosing it).
    Refused(String),
}

/// Check a new password of `user` against the policy and the current password, and hash it
/// (zxcvbn and argon2 on the blocking pool: call before opening a transaction).
pub(super) async fn new_password(
    setting: &SettingRow,
    user: &UserRow,
    new_password: &str,
) -> Result<NewPassword, ApiError> {
    let raw = Zeroizing::new(new_password.to_string());
    let (setting_name, email, display_name) = (setting.name.clone(), user.email.clone(), user.display_name.clone());
    let with_2fa = needs_2fa(setting, user);
    let checked = tokio::task::spawn_blocking(move || {
        let ctx = PasswordContext {
            setting_name: &setting_name,
            email: &email,
            display_name: &display_name,
            with_2fa,
        };
        check_new_password(&raw, &ctx)
    })
    .await
    .map_err(|_| ApiError::internal())?;
    let normalized = match checked {
        Ok(p) => p,
        Err(reason) => return Ok(NewPassword::Refused(reason)),
    };
    if auth::verify_password(Some(user.password_hash.clone()), &normalized).await? {
        let reason = "The new password must be different from the current one.";
        return Ok(NewPassword::Refused(reason.to_string()));
    }
    Ok(NewPassword::Hashed(auth::hash_password(normalized).await?))
}

/// The id of the unused recovery code of `user_id` that `code` is, if any (argon2 for each
/// candidate: call before opening a transaction).
pub(super) async fn matching_recovery_code(
    state: &AppState,
    user_id: i64,
    code: String,
) -> Result<Option<i64>, ApiError> {
    let candidates = state.store.unused_recovery_codes(user_id).await?;
    let code = Zeroizing::new(code);
    tokio::task::spawn_blocking(move || {
        candidates
            .into_iter()
            .find(|(_, hash)| auth::verify_password_blocking(Some(hash), &code))
            .map(|(id, _)| id)
    })
    .await
    .map_err(|_| ApiError::internal())
}
