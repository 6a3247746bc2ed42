//! Sessions and the single-use sign-in challenges.

use sqlx::FromRow;

use super::{Store, StoreResult, Tx};

/// A session joined with its user.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    /// Session id.
    pub session_id: i64,
    /// Owner.
    pub user_id: i64,
    /// Last request.
    pub last_seen_at: i64,
    /// Absolute expiry.
    pub expires_at: i64,
    /// The user's last full authentication on this session (password checked).
    pub authenticated_at: i64,
    /// Set once revoked.
    pub revoked_at: Option<i64>,
}

/// A stage of signing in a challenge is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for a TOTP or recovery code.
    Totp,
    /// Waiting for enrolment to start.
    TotpEnrolment,
    /// Waiting for the first code of a new authenticator.
    TotpConfirm,
    /// Waiting for a temporary password to be replaced.
    PasswordChange,
}

/// Where a new session was made from: the client's address and its `User-Agent` (cleaned).
#[derive(Debug, Clone, Copy, Default)]
pub struct SessionClient<'a> {
    /// The address, as text (empty when unknown).
    pub addr: &'a str,
    /// What the client said it is (empty when it said nothing).
    pub agent: &'a str,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Totp => "totp",
            Stage::TotpEnrolment => "totp_enrolment",
            Stage::TotpConfirm => "totp_confirm",
            Stage::PasswordChange => "password_change",
        }
    }
}

impl Store {
    /// The user of a challenge that is unused, unexpired and for `stage`.
    pub async fn challenge_user(&self, hash: &str, stage: Stage, now: i64) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT user_id FROM auth_challenges
             WHERE challenge_hash = ?1 AND stage = ?2 AND used_at IS NULL AND expires_at > ?3",
        )
        .bind(hash)
        .bind(stage.as_str())
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// The session with this token hash.
    pub async fn session_by_token_hash(&self, token_hash: &str) -> StoreResult<Option<SessionRow>> {
        sqlx::query_as(
            "SELECT id AS session_id, user_id, last_seen_at, expires_at, authenticated_at, revoked_at
             FROM sessions WHERE token_hash = ?1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
    }

    /// Record a request on a session (its idle time starts again). This is bookkeeping, not an
    /// event of the audit log, so it is written on its own.
    pub async fn touch_session(&self, session_id: i64, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1 AND last_seen_at < ?2")
            .bind(session_id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Tx {
    /// Store a new login challenge (its hash only), forgetting challenges that expired more than
    /// a day ago so the table stays small.
    pub async fn create_challenge(
        &mut self,
        hash: &str,
        user_id: i64,
        stage: Stage,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO auth_challenges (challenge_hash, user_id, stage, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(hash)
        .bind(user_id)
        .bind(stage.as_str())
        .bind(now)
        .bind(expires_at)
        .execute(self.write())
        .await?;
        sqlx::query("DELETE FROM auth_challenges WHERE expires_at < ?1")
            .bind(now - 86_400)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Spend a challenge atomically; answers its user, or `None` when it was not valid (or
    /// another request spent it first).
    pub async fn consume_challenge(&mut self, hash: &str, stage: Stage, now: i64) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "UPDATE auth_challenges SET used_at = ?3
             WHERE challenge_hash = ?1 AND stage = ?2 AND used_at IS NULL AND expires_at > ?3
             RETURNING user_id",
        )
        .bind(hash)
        .bind(stage.as_str())
        .bind(now)
        .fetch_optional(self.write())
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Store a new session (its token hash only); answers its id. `authenticated_at` is when
    /// the user last gave their password for it (now, or inherited from the session it replaces).
    pub async fn create_session(
        &mut self,
        token_hash: &str,
        user_id: i64,
        now: i64,
        expires_at: i64,
        authenticated_at: i64,
        client: SessionClient<'_>,
    ) -> StoreResult<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, authenticated_at,
                                   client_addr, user_agent)
             VALUES (?1, ?2, ?3, ?3, ?4, ?5, ?6, ?7) RETURNING id",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .bind(authenticated_at)
        .bind(client.addr)
        .bind(client.agent)
        .fetch_one(self.write())
        .await?;
        Ok(id)
    }

    /// Revoke one session; false if it was already revoked (e.g. a parallel reauth).
    pub async fn revoke_session(&mut self, session_id: i64, now: i64, reason: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = ?2, revoked_reason = ?3 WHERE id = ?1 AND revoked_at IS NULL",
        )
        .bind(session_id)
        .bind(now)
        .bind(reason)
        .execute(self.write())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revoke every session of a user; answers how many.
    pub async fn revoke_user_sessions(&mut self, user_id: i64, now: i64, reason: &str) -> StoreResult<u64> {
        revoke_all_sessions(self.write(), user_id, now, reason).await
    }
}

/// Revoke every live session of `user_id` with `reason`; answers how many.
pub(super) async fn revoke_all_sessions(
    conn: &mut sqlx::SqliteConnection,
    user_id: i64,
    now: i64,
    reason: &str,
) -> StoreResult<u64> {
    let done = sqlx::query(
        "UPDATE sessions SET revoked_at = ?2, revoked_reason = ?3 WHERE user_id = ?1 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .bind(reason)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}
