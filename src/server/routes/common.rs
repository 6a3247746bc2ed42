//! What every handler uses: the audit calls, the setting row, the wire user, timestamps.

use chrono::{DateTime, Utc};

use super::super::audit::AuditEntry;
use super::super::auth::ClientAddr;
use super::super::error::ApiError;
use super::super::limiter::Named;
use super::super::state::AppState;
use super::super::store::{SettingRow, Tx, UserRow};
use crate::wire::User;

/// Append `entry` to the audit chain on its own: for an event that changes nothing else (a
/// refusal before any change, a view of records).
pub(super) async fn audit(state: &AppState, entry: AuditEntry) -> Result<(), ApiError> {
    state.store.append_audit(&entry).await?;
    Ok(())
}

/// End a request's transaction and answer `result`: a success, and a refusal (4xx) with the
/// audit rows that record it (and any lock it caused), are committed; a server error (5xx)
/// rolls everything back.
pub(super) async fn finish<T>(tx: Tx, result: Result<T, ApiError>) -> Result<T, ApiError> {
    match result {
        Err(error) if error.status.is_server_error() => Err(error),
        result => {
            tx.commit().await?;
            result
        }
    }
}

/// Count a sign-in step from `addr` naming `named` with the limiter (SECURITY.md rule 14): 429
/// with `Retry-After` when its bucket is empty.
pub(super) fn limit(state: &AppState, addr: ClientAddr, named: Named<'_>) -> Result<(), ApiError> {
    match (&state.limiter, addr.0) {
        (Some(limiter), Some(addr)) => limiter.check(addr.ip(), named).map_err(ApiError::rate_limited),
        _ => Ok(()),
    }
}

/// Count a step from `addr` that named no sign-in at all (an unknown or spent challenge)
/// against the ceiling of its address, like a login; 429 when that is exhausted.
pub(super) fn charge_address(state: &AppState, addr: ClientAddr) -> Result<(), ApiError> {
    match (&state.limiter, addr.0) {
        (Some(limiter), Some(addr)) => limiter.charge_address(addr.ip()).map_err(ApiError::rate_limited),
        _ => Ok(()),
    }
}

/// An audit entry about `user`, from `addr`.
pub(super) fn user_entry(
    state: &AppState,
    user: &UserRow,
    addr: ClientAddr,
    action: &str,
    outcome: &str,
) -> AuditEntry {
    AuditEntry::new(state.now(), Some(user.id), &user.email, action, outcome).client(addr.0)
}

/// The setting row; a database without one is an internal error.
pub(super) async fn setting(state: &AppState) -> Result<SettingRow, ApiError> {
    state.store.setting().await?.ok_or_else(|| {
        tracing::error!("the database has no setting row");
        ApiError::internal()
    })
}

pub(super) fn wire_user(user: &UserRow) -> User {
    User {
        id: user.id,
        email: user.email.clone(),
        display_name: user.display_name.clone(),
        role: user.role(),
        totp_enabled: user.totp_enabled(),
    }
}

/// A unix time as a UTC timestamp (the epoch if out of range).
pub(super) fn timestamp(unix: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(unix, 0).unwrap_or_default()
}
