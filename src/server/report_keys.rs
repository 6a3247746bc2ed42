//! Report keys (SECURITY.md rule 44): how `bsmart report` run from cron reads a report without a
//! password and a code typed in.
//!
//! An admin issues one on the server's command line (`bsmart admin report-key issue`) to a named
//! member of staff, for at most a year; it is shown once and stored only as a hash. It is sent
//! as a bearer token starting `bsrk_`, and only the `/reports` routes take it ([`ReportReader`]):
//! everywhere else it names no session and is refused like any unknown token. Through it the
//! member of staff reads exactly the reports they may read themselves (their role's permission,
//! the one access rule); a revoked or expired key, or one of an account that is disabled,
//! locked or expired, is refused (401, audited). Every use is audited by the report it reads
//! (`via=report_key:ID`).

use std::net::SocketAddr;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::audit::AuditEntry;
use super::auth::{AuthUser, ClientAddr, bearer_token, client_addr, hash_token, random_token, token_ref};
use super::error::ApiError;
use super::state::AppState;
use super::store::{Store, StoreResult, UserRow};

/// What every report key starts with.
pub const REPORT_KEY_PREFIX: &str = "bsrk_";
/// The longest a key may live, in days.
pub const MOST_DAYS: i64 = 366;

/// Who reads a report: a signed-in member of staff, or one through their report key.
#[derive(Debug, Clone)]
pub struct ReportReader {
    /// The member of staff.
    pub user: UserRow,
    /// The client's address.
    pub addr: Option<SocketAddr>,
    /// The report key used, if one was.
    pub key_id: Option<i64>,
}

impl ReportReader {
    /// The client's address, for audit rows.
    pub fn client(&self) -> ClientAddr {
        ClientAddr::at(self.addr)
    }

    /// How the report was read, for its audit row.
    pub fn via(&self) -> String {
        match self.key_id {
            Some(id) => format!(" via=report_key:{id}"),
            None => String::new(),
        }
    }
}

impl FromRequestParts<AppState> for ReportReader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ReportReader, ApiError> {
        let key = match bearer_token(parts) {
            Some(Ok(token)) if token.starts_with(REPORT_KEY_PREFIX) => token,
            _ => {
                let signed_in = AuthUser::from_request_parts(parts, state).await?;
                return Ok(ReportReader {
                    user: signed_in.user,
                    addr: signed_in.addr,
                    key_id: None,
                });
            }
        };
        let addr = client_addr(parts);
        let now = state.now();
        let hash = hash_token(&key);
        let refuse = |reason: &str, owner: Option<i64>| {
            AuditEntry::new(now, owner, "anonymous", "report_key.rejected", "denied")
                .client(addr)
                .target(&token_ref(&hash))
                .detail(reason)
        };
        let row = state.store.report_key_by_hash(&hash).await?;
        let reason = match &row {
            None => Some("unknown key"),
            Some(k) if k.revoked_at.is_some() => Some("revoked key"),
            Some(k) if now >= k.expires_at => Some("expired key"),
            Some(_) => None,
        };
        let row = match (reason, row) {
            (None, Some(row)) => row,
            (reason, row) => {
                let entry = refuse(reason.unwrap_or("unknown key"), row.map(|r| r.user_id));
                state.store.append_audit(&entry).await?;
                return Err(ApiError::unauthenticated());
            }
        };
        let user = match state.store.user_by_id(row.user_id).await? {
            Some(user) if user.usable(now) && user.locked_at.is_none() => user,
            _ => {
                let entry = refuse("account locked, disabled or expired", Some(row.user_id));
                state.store.append_audit(&entry).await?;
                return Err(ApiError::unauthenticated());
            }
        };
        state.store.touch_report_key(row.id, now).await?;
        Ok(ReportReader {
            user,
            addr,
            key_id: Some(row.id),
        })
    }
}

/// A key issued: its id, the key (shown once), and when it expires.
#[derive(Debug)]
pub struct Issued {
    /// Its id (to revoke it).
    pub id: i64,
    /// The key itself.
    pub key: secrecy::SecretString,
    /// Unix time it expires.
    pub expires_at: i64,
}

/// Issue a key for the account `email`, labelled `label`, for `days` days (1 to
/// [`MOST_DAYS`]), audited with `actor`.
pub async fn issue(
    store: &Store,
    email: &str,
    label: &str,
    days: i64,
    actor: &str,
    now: i64,
) -> Result<Issued, String> {
    if !(1..=MOST_DAYS).contains(&days) {
        return Err(format!(
            "--days must be from 1 to {MOST_DAYS}: a report key lives a year at most."
        ));
    }
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 || label.chars().any(char::is_control) {
        return Err("--label must say what the key is for, in 1 to 100 characters.".into());
    }
    let email = super::auth::normalize_email(email);
    let found = |e: sqlx::Error| e.to_string();
    let user = store
        .user_by_email(&email)
        .await
        .map_err(found)?
        .filter(|u| u.usable(now))
        .ok_or_else(|| format!("there is no active account {}", email.escape_debug()))?;
    let key = format!("{REPORT_KEY_PREFIX}{}", random_token());
    let expires_at = now + days * 86_400;
    let mut tx = store.begin().await.map_err(found)?;
    let id = tx
        .issue_report_key(user.id, label, &hash_token(&key), now, expires_at)
        .await
        .map_err(found)?;
    let entry = AuditEntry::new(now, None, actor, "report_key.issue", "success")
        .target(&format!("report_key:{id}"))
        .detail(&format!("user_id={} days={days}", user.id));
    tx.audit(&entry).await.map_err(found)?;
    tx.commit().await.map_err(found)?;
    Ok(Issued {
        id,
        key: key.into(),
        expires_at,
    })
}

/// Revoke key `id`, audited with `actor`; an error for a key unknown or revoked before.
pub async fn revoke(store: &Store, id: i64, actor: &str, now: i64) -> StoreResult<bool> {
    let mut tx = store.begin().await?;
    let live = tx.revoke_report_key(id, now).await?;
    let outcome = if live { "success" } else { "not_live" };
    tx.audit(&AuditEntry::new(now, None, actor, "report_key.revoke", outcome).target(&format!("report_key:{id}")))
        .await?;
    tx.commit().await?;
    Ok(live)
}
