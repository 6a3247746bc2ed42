//! User accounts, their sign-in failure counters and lock-out, the TOTP step and recovery codes.

use sqlx::FromRow;

use super::sessions::revoke_all_sessions;
use super::{Store, StoreResult};
use crate::wire::Role;

/// A user row as the sign-in code needs it.
#[derive(Clone, FromRow)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Role as stored (`staff`, `pastoral_lead`, `dsl`, `admin`).
    pub role: String,
    /// PHC string of the argon2id hash.
    pub password_hash: String,
    /// The password is temporary and must be changed at sign-in.
    pub password_is_temporary: bool,
    /// When a temporary password stops working.
    pub temporary_expires_at: Option<i64>,
    /// The sealed TOTP secret, once enrolled.
    pub totp_secret_sealed: Option<Vec<u8>>,
    /// The sealed secret offered during enrolment.
    pub totp_pending_sealed: Option<Vec<u8>>,
    /// Highest TOTP step accepted.
    pub totp_last_step: i64,
    /// Successive failures.
    pub failed_attempts: i64,
    /// When the account was locked.
    pub locked_at: Option<i64>,
    /// False once disabled.
    pub active: bool,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl UserRow {
    /// The role (unknown strings are the least privileged role).
    pub fn role(&self) -> Role {
        match self.role.as_str() {
            "admin" => Role::Admin,
            "dsl" => Role::Dsl,
            "pastoral_lead" => Role::PastoralLead,
            _ => Role::Staff,
        }
    }

    /// True once 2FA is set up.
    pub fn totp_enabled(&self) -> bool {
        self.totp_secret_sealed.is_some()
    }
}

/// Outcome of counting a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Successive failures now.
    pub count: i64,
    /// The account is locked now.
    pub locked: bool,
    /// This very failure locked it.
    pub newly_locked: bool,
}

/// A new user for [`Store::create_user`].
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Email.
    pub email: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Role.
    pub role: &'a str,
    /// argon2id hash.
    pub password_hash: &'a str,
    /// Temporary until this time, or permanent.
    pub temporary_expires_at: Option<i64>,
    /// Now.
    pub now: i64,
}

impl Store {
    /// The user with this email (case-insensitive).
    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        sqlx::query_as(
            "SELECT id, email, display_name, role, password_hash, password_is_temporary, temporary_expires_at,
                    totp_secret_sealed, totp_pending_sealed, totp_last_step, failed_attempts, locked_at, active
             FROM users WHERE email = ?1",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRow>> {
        sqlx::query_as(
            "SELECT id, email, display_name, role, password_hash, password_is_temporary, temporary_expires_at,
                    totp_secret_sealed, totp_pending_sealed, totp_last_step, failed_attempts, locked_at, active
             FROM users WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Create a user; answers its id.
    pub async fn create_user(&self, user: &NewUser<'_>) -> StoreResult<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (email, display_name, role, password_hash, password_is_temporary,
                                temporary_expires_at, password_changed_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
        )
        .bind(user.email)
        .bind(user.display_name)
        .bind(user.role)
        .bind(user.password_hash)
        .bind(user.temporary_expires_at.is_some())
        .bind(user.temporary_expires_at)
        .bind(user.now)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// Count one failure of a user atomically; the failure that reaches `threshold` locks.
    pub async fn record_failure(&self, user_id: i64, threshold: i64, now: i64) -> StoreResult<Failure> {
        let row: Option<(i64, Option<i64>)> = sqlx::query_as(
            "UPDATE users SET failed_attempts = failed_attempts + 1,
                    locked_at = CASE WHEN locked_at IS NULL AND failed_attempts + 1 >= ?2 THEN ?3 ELSE locked_at END
             WHERE id = ?1 RETURNING failed_attempts, locked_at",
        )
        .bind(user_id)
        .bind(threshold)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let (count, locked_at) = row.unwrap_or((0, None));
        Ok(Failure {
            count,
            locked: locked_at.is_some(),
            newly_locked: count == threshold,
        })
    }

    /// Count one failure for an email with no account (by its keyed reference,
    /// `auth::email_ref`).
    pub async fn record_unknown_failure(&self, email_hash: &str, threshold: i64, now: i64) -> StoreResult<Failure> {
        let (count, locked_at): (i64, Option<i64>) = sqlx::query_as(
            "INSERT INTO unknown_email_failures (email_hash, failed_attempts, locked_at)
             VALUES (?1, 1, CASE WHEN 1 >= ?2 THEN ?3 END)
             ON CONFLICT (email_hash) DO UPDATE SET
                 failed_attempts = failed_attempts + 1,
                 locked_at = CASE WHEN locked_at IS NULL AND failed_attempts + 1 >= ?2 THEN ?3 ELSE locked_at END
             RETURNING failed_attempts, locked_at",
        )
        .bind(email_hash)
        .bind(threshold)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(Failure {
            count,
            locked: locked_at.is_some(),
            newly_locked: count == threshold,
        })
    }

    /// Whether an email with no account is locked.
    pub async fn unknown_email_locked(&self, email_hash: &str) -> StoreResult<bool> {
        let row: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT locked_at FROM unknown_email_failures WHERE email_hash = ?1")
                .bind(email_hash)
                .fetch_optional(&self.pool)
                .await?;
        Ok(matches!(row, Some((Some(_),))))
    }

    /// A full success: the count of successive failures starts again.
    pub async fn reset_failures(&self, user_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_attempts = 0 WHERE id = ?1 AND locked_at IS NULL")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Forget the failures of an email with no account (by its keyed reference).
    pub async fn clear_unknown_failures(&self, email_hash: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM unknown_email_failures WHERE email_hash = ?1")
            .bind(email_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Unlock the account with this email; answers its id, or `None` when there is no such
    /// account.
    pub async fn unlock(&self, email: &str) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> =
            sqlx::query_as("UPDATE users SET failed_attempts = 0, locked_at = NULL WHERE email = ?1 RETURNING id")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Replace a user's password (no longer temporary) and end all their sessions.
    pub async fn set_password(&self, user_id: i64, hash: &str, now: i64) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "UPDATE users SET password_hash = ?2, password_is_temporary = 0, temporary_expires_at = NULL,
                    password_changed_at = ?3 WHERE id = ?1",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        revoke_all_sessions(&mut *tx, user_id, now, "password_changed").await?;
        tx.commit().await
    }

    /// Accept TOTP `step` for a user only if it is later than every step accepted before
    /// (compare-and-set: of two parallel requests with the same code, exactly one wins).
    pub async fn advance_totp_step(&self, user_id: i64, step: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE users SET totp_last_step = ?2 WHERE id = ?1 AND totp_last_step < ?2")
            .bind(user_id)
            .bind(step)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Keep the sealed secret offered during enrolment until a code confirms it.
    pub async fn set_totp_pending(&self, user_id: i64, sealed: &[u8]) -> StoreResult<()> {
        sqlx::query("UPDATE users SET totp_pending_sealed = ?2 WHERE id = ?1")
            .bind(user_id)
            .bind(sealed)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Finish enrolment: spend `step` (compare-and-set), make the pending secret the secret,
    /// replace the recovery codes and end every session of the user. False when the step was
    /// already spent or the pending secret changed meanwhile.
    pub async fn confirm_totp(
        &self,
        user_id: i64,
        pending: &[u8],
        step: i64,
        recovery_hashes: &[String],
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let done = sqlx::query(
            "UPDATE users SET totp_secret_sealed = totp_pending_sealed, totp_pending_sealed = NULL,
                    totp_last_step = ?3
             WHERE id = ?1 AND totp_pending_sealed = ?2 AND totp_last_step < ?3",
        )
        .bind(user_id)
        .bind(pending)
        .bind(step)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = ?1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for hash in recovery_hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")
                .bind(user_id)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        revoke_all_sessions(&mut *tx, user_id, now, "totp_changed").await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The unused recovery codes of a user: `(id, hash)`.
    pub async fn unused_recovery_codes(&self, user_id: i64) -> StoreResult<Vec<(i64, String)>> {
        sqlx::query_as("SELECT id, code_hash FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL ORDER BY id")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
    }

    /// Spend a recovery code; false if it was spent meanwhile.
    pub async fn use_recovery_code(&self, id: i64, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE recovery_codes SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
