//! What every handler uses: the audit calls, the setting row, the wire user, timestamps, page
//! sizes and cursors, and the ids of a path.

use chrono::{DateTime, Utc};

use super::super::audit::AuditEntry;
use super::super::auth::ClientAddr;
use super::super::error::ApiError;
use super::super::limiter::Named;
use super::super::state::AppState;
use super::super::store::{SettingRow, Tx, UserRow};
use crate::wire::{StaffRef, User};

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

/// A page size from the query: `default` when absent, 422 outside 1..=`max`.
pub(super) fn page_limit(limit: Option<u32>, default: u32, max: u32) -> Result<i64, ApiError> {
    let limit = limit.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(ApiError::invalid_request(format!(
            "`limit` must be between 1 and {max}."
        )));
    }
    Ok(i64::from(limit))
}

/// An opaque cursor holding `text`.
pub(super) fn encode_cursor(text: &str) -> String {
    data_encoding::BASE64URL_NOPAD.encode(text.as_bytes())
}

/// The text inside a cursor made by [`encode_cursor`], parsed by `parse`; 422 for anything else.
pub(super) fn decode_cursor<T>(
    cursor: Option<&str>,
    parse: impl FnOnce(&str) -> Option<T>,
) -> Result<Option<T>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    (cursor.len() <= 128)
        .then(|| data_encoding::BASE64URL_NOPAD.decode(cursor.as_bytes()).ok())
        .flatten()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|text| parse(&text))
        .map(Some)
        .ok_or_else(|| ApiError::invalid_request("`cursor` is not valid."))
}

/// The cursor of a list ordered by (time, UUID), newest first.
pub(super) fn time_id_cursor(at: i64, id: &str) -> String {
    encode_cursor(&format!("{at}.{id}"))
}

/// Parse a [`time_id_cursor`].
pub(super) fn parse_time_id(text: &str) -> Option<(i64, String)> {
    let (at, id) = text.split_once('.')?;
    Some((at.parse().ok()?, uuid::Uuid::parse_str(id).ok()?.to_string()))
}

/// The record id of a path, as the store keeps UUIDs (hyphenated, lower case); a malformed one
/// names no record, so it is 404 like an unknown one.
pub(super) fn path_uuid(text: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(text)
        .map(|id| id.to_string())
        .map_err(|_| ApiError::not_found())
}

/// A numeric id of a path; anything else names no record (404).
pub(super) fn path_id(text: &str) -> Result<i64, ApiError> {
    text.parse().map_err(|_| ApiError::not_found())
}

/// A member of staff inside another record.
pub(super) fn staff(id: i64, name: String) -> StaffRef {
    StaffRef { id, name }
}

/// A UUID as the store keeps it, back to a UUID (the nil UUID if it is not one).
pub(super) fn stored_uuid(text: &str) -> uuid::Uuid {
    uuid::Uuid::parse_str(text).unwrap_or_default()
}
