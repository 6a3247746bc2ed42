//! Accounts as the admin manages them (`/admin/users`, `/admin/roles`, `/admin/sessions`): the
//! list and one account with their counts, new accounts (cover accounts with their group
//! grants), each change of an account, the last-admin count and live sessions.

use sqlx::FromRow;

use super::sessions::revoke_all_sessions;
use super::{Store, StoreResult, Tx};

/// An account with what the admin screens show of it.
#[derive(Debug, Clone, FromRow)]
pub struct AdminUserRow {
    /// Id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Job title.
    pub job_title: String,
    /// Role as stored.
    pub role: String,
    /// `staff`, `supply` or `visitor`.
    pub kind: String,
    /// False once deactivated.
    pub active: bool,
    /// When a cover account stops working.
    pub expires_at: Option<i64>,
    /// Locked out.
    pub locked: bool,
    /// Attempts counted since the last success.
    pub failed_attempts: i64,
    /// 2FA is set up.
    pub totp_enabled: bool,
    /// The password is temporary.
    pub password_is_temporary: bool,
    /// The last request of any of its sessions.
    pub last_seen_at: Option<i64>,
    /// Live sessions (at the time given to the query).
    pub live_sessions: i64,
    /// Created.
    pub created_at: i64,
}

/// What `GET /admin/users` keeps (all at once).
#[derive(Debug, Clone, Copy, Default)]
pub struct AdminUserFilter<'a> {
    /// Only this stored role.
    pub role: Option<&'a str>,
    /// Only locked-out accounts.
    pub locked: bool,
    /// Only accounts without 2FA.
    pub no_2fa: bool,
    /// Only active accounts unused since this time.
    pub unused_since: Option<i64>,
    /// Deactivated and expired accounts too.
    pub include_ended: bool,
}

/// A new account for [`Tx::create_account`].
#[derive(Debug, Clone)]
pub struct NewAccount<'a> {
    /// Email (normalised).
    pub email: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Job title.
    pub job_title: &'a str,
    /// Role as stored.
    pub role: &'a str,
    /// Kind as stored.
    pub kind: &'a str,
    /// When a cover account ends.
    pub expires_at: Option<i64>,
    /// argon2id hash of the temporary password.
    pub password_hash: &'a str,
    /// When the temporary password stops working.
    pub temporary_expires_at: i64,
    /// Tutor groups a cover account may see.
    pub groups: &'a [String],
    /// The admin who made it.
    pub granted_by: i64,
    /// Now.
    pub now: i64,
}

/// A live session as the admin sees it.
#[derive(Debug, Clone, FromRow)]
pub struct AdminSessionRow {
    /// Session id.
    pub id: i64,
    /// Owner.
    pub user_id: i64,
    /// Owner's name.
    pub display_name: String,
    /// User-Agent as recorded.
    pub user_agent: String,
    /// Address it signed in from.
    pub client_addr: String,
    /// Created.
    pub created_at: i64,
    /// Last request.
    pub last_seen_at: i64,
    /// Absolute expiry.
    pub expires_at: i64,
}

/// The select of [`AdminUserRow`] with the condition `$where`; `?1` is now and `?2` the idle
/// limit (for the live-session count).
macro_rules! select_admin_user {
    ($where:literal) => {
        concat!(
            "SELECT u.id, u.email, u.display_name, u.job_title, u.role, u.kind, u.active,
        u.expires_at, u.locked_at IS NOT NULL AS locked, u.failed_attempts,
        u.totp_secret_sealed IS NOT NULL AS totp_enabled, u.password_is_temporary,
        (SELECT MAX(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id) AS last_seen_at,
        (SELECT COUNT(*) FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL
             AND s.expires_at > ?1 AND s.last_seen_at > ?1 - ?2) AS live_sessions,
        u.created_at
     FROM users u WHERE ",
            $where
        )
    };
}

/// A statement about `users u` with the condition of an admin who can still administer at
/// `?1` (active, unexpired, unlocked, with 2FA) and `$and`.
macro_rules! working_admin {
    ($select:literal, $and:literal) => {
        concat!(
            $select,
            " FROM users u WHERE u.role = 'admin' AND u.active = 1 AND u.totp_secret_sealed IS NOT NULL
     AND u.locked_at IS NULL AND (u.expires_at IS NULL OR u.expires_at > ?1) AND ",
            $and
        )
    };
}

impl Store {
    /// Accounts matching `filter`, by name, at most `limit`. `idle` is the session idle limit.
    pub async fn admin_users(
        &self,
        filter: AdminUserFilter<'_>,
        now: i64,
        idle: i64,
        limit: i64,
    ) -> StoreResult<Vec<AdminUserRow>> {
        sqlx::query_as(select_admin_user!(
            "(?3 IS NULL OR u.role = ?3)
               AND (?4 = 0 OR u.locked_at IS NOT NULL)
               AND (?5 = 0 OR u.totp_secret_sealed IS NULL)
               AND (?6 IS NULL OR (u.active = 1 AND COALESCE(
                      (SELECT MAX(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id), 0) < ?6))
               AND (?7 = 1 OR (u.active = 1 AND (u.expires_at IS NULL OR u.expires_at > ?1)))
             ORDER BY u.display_name COLLATE NOCASE, u.id LIMIT ?8"
        ))
        .bind(now)
        .bind(idle)
        .bind(filter.role)
        .bind(filter.locked)
        .bind(filter.no_2fa)
        .bind(filter.unused_since)
        .bind(filter.include_ended)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// One account.
    pub async fn admin_user(&self, id: i64, now: i64, idle: i64) -> StoreResult<Option<AdminUserRow>> {
        sqlx::query_as(select_admin_user!("u.id = ?3"))
            .bind(now)
            .bind(idle)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
    }

    /// Active, unexpired accounts per stored role.
    pub async fn accounts_per_role(&self, now: i64) -> StoreResult<Vec<(String, i64)>> {
        sqlx::query_as(
            "SELECT role, COUNT(*) FROM users
             WHERE active = 1 AND (expires_at IS NULL OR expires_at > ?1) GROUP BY role",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
    }

    /// Live sessions (not revoked, within both limits), most recently seen first; only
    /// `user_id`'s when given.
    pub async fn live_sessions(&self, user_id: Option<i64>, now: i64, idle: i64) -> StoreResult<Vec<AdminSessionRow>> {
        sqlx::query_as(
            "SELECT s.id, s.user_id, u.display_name, s.user_agent, s.client_addr, s.created_at,
                    s.last_seen_at, s.expires_at
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.revoked_at IS NULL AND s.expires_at > ?1 AND s.last_seen_at > ?1 - ?2
               AND (?3 IS NULL OR s.user_id = ?3)
             ORDER BY s.last_seen_at DESC, s.id DESC LIMIT 5000",
        )
        .bind(now)
        .bind(idle)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }
}

impl Tx {
    /// One account, as this transaction sees it.
    pub async fn admin_user(&mut self, id: i64, now: i64, idle: i64) -> StoreResult<Option<AdminUserRow>> {
        sqlx::query_as(select_admin_user!("u.id = ?3"))
            .bind(now)
            .bind(idle)
            .bind(id)
            .fetch_optional(self.read())
            .await
    }

    /// Working admins (active, unexpired, unlocked, with 2FA) other than `user_id`.
    pub async fn other_working_admins(&mut self, user_id: i64, now: i64) -> StoreResult<i64> {
        sqlx::query_scalar(working_admin!("SELECT COUNT(*)", "u.id <> ?2"))
            .bind(now)
            .bind(user_id)
            .fetch_one(self.read())
            .await
    }

    /// True when `user_id` is a working admin now.
    pub async fn is_working_admin(&mut self, user_id: i64, now: i64) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(working_admin!("SELECT 1", "u.id = ?2"))
            .bind(now)
            .bind(user_id)
            .fetch_optional(self.read())
            .await?;
        Ok(found.is_some())
    }

    /// Create an account with a temporary password, and its group grants; answers its id.
    pub async fn create_account(&mut self, account: &NewAccount<'_>) -> StoreResult<i64> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (email, display_name, job_title, role, kind, expires_at, password_hash,
                                password_is_temporary, temporary_expires_at, password_changed_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, ?9, ?9) RETURNING id",
        )
        .bind(account.email)
        .bind(account.display_name)
        .bind(account.job_title)
        .bind(account.role)
        .bind(account.kind)
        .bind(account.expires_at)
        .bind(account.password_hash)
        .bind(account.temporary_expires_at)
        .bind(account.now)
        .fetch_one(self.write())
        .await?;
        for group in account.groups {
            sqlx::query(
                "INSERT INTO access_groups (user_id, scope, name, granted_by, granted_at)
                 VALUES (?1, 'group', ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(group)
            .bind(account.granted_by)
            .bind(account.now)
            .execute(self.write())
            .await?;
        }
        Ok(id)
    }

    /// Change an account's stored role.
    pub async fn set_role(&mut self, user_id: i64, role: &str) -> StoreResult<()> {
        sqlx::query("UPDATE users SET role = ?2 WHERE id = ?1")
            .bind(user_id)
            .bind(role)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Deactivate (`active` false: every session ends; answers how many) or reactivate.
    pub async fn set_active(&mut self, user_id: i64, active: bool, now: i64) -> StoreResult<u64> {
        sqlx::query(
            "UPDATE users SET active = ?2, deactivated_at = CASE WHEN ?2 = 1 THEN NULL ELSE ?3 END WHERE id = ?1",
        )
        .bind(user_id)
        .bind(active)
        .bind(now)
        .execute(self.write())
        .await?;
        match active {
            true => Ok(0),
            false => revoke_all_sessions(self.write(), user_id, now, "deactivated").await,
        }
    }

    /// Clear an account's lock-out and failure count.
    pub async fn unlock_user(&mut self, user_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_attempts = 0, attempts_in_flight = 0, locked_at = NULL WHERE id = ?1")
            .bind(user_id)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Give an account a new temporary password (its hash) and end every session; answers how
    /// many ended.
    pub async fn set_temporary_password(
        &mut self,
        user_id: i64,
        hash: &str,
        expires_at: i64,
        now: i64,
    ) -> StoreResult<u64> {
        sqlx::query(
            "UPDATE users SET password_hash = ?2, password_is_temporary = 1, temporary_expires_at = ?3,
                    password_changed_at = ?4 WHERE id = ?1",
        )
        .bind(user_id)
        .bind(hash)
        .bind(expires_at)
        .bind(now)
        .execute(self.write())
        .await?;
        revoke_all_sessions(self.write(), user_id, now, "password_reset").await
    }

    /// Remove 2FA (secret, pending secret, recovery codes), mark the account to set it up again
    /// at its next sign-in, and end every session; answers how many ended.
    pub async fn reset_2fa(&mut self, user_id: i64, now: i64) -> StoreResult<u64> {
        sqlx::query(
            "UPDATE users SET totp_secret_sealed = NULL, totp_pending_sealed = NULL, totp_reenrol = 1 WHERE id = ?1",
        )
        .bind(user_id)
        .execute(self.write())
        .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = ?1")
            .bind(user_id)
            .execute(self.write())
            .await?;
        revoke_all_sessions(self.write(), user_id, now, "totp_reset").await
    }

    /// Move a cover account's end.
    pub async fn set_expiry(&mut self, user_id: i64, expires_at: i64) -> StoreResult<()> {
        sqlx::query("UPDATE users SET expires_at = ?2 WHERE id = ?1")
            .bind(user_id)
            .bind(expires_at)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Revoke one live session by id with `reason`; answers its owner, or `None` when there
    /// is no such live session.
    pub async fn revoke_session_by_id(&mut self, session_id: i64, now: i64, reason: &str) -> StoreResult<Option<i64>> {
        sqlx::query_scalar(
            "UPDATE sessions SET revoked_at = ?2, revoked_reason = ?3
             WHERE id = ?1 AND revoked_at IS NULL AND expires_at > ?2 RETURNING user_id",
        )
        .bind(session_id)
        .bind(now)
        .bind(reason)
        .fetch_optional(self.write())
        .await
    }
}
