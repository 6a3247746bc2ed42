//! Report keys (SECURITY.md rule 44): issued, listed, revoked, and looked up by their hash.

use sqlx::FromRow;

use super::{Store, StoreResult, Tx};

/// A report key as stored (never the key itself).
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ReportKeyRow {
    /// Id.
    pub id: i64,
    /// The member of staff it reads as.
    pub user_id: i64,
    /// Their email.
    pub email: String,
    /// What it is for ("governors' termly return").
    pub label: String,
    /// Issued (unix seconds).
    pub created_at: i64,
    /// Refused from this time on.
    pub expires_at: i64,
    /// Revoked, if it was.
    pub revoked_at: Option<i64>,
    /// Last used, if ever.
    pub last_used_at: Option<i64>,
}

/// The `SELECT` of a [`ReportKeyRow`].
const KEY_ROWS: &str =
    "SELECT k.id, k.user_id, u.email, k.label, k.created_at, k.expires_at, k.revoked_at, k.last_used_at
                          FROM report_keys k JOIN users u ON u.id = k.user_id";

impl Store {
    /// The key whose hash is `hash`, if any (revoked and expired ones too: the caller says why
    /// it refuses them).
    pub async fn report_key_by_hash(&self, hash: &str) -> StoreResult<Option<ReportKeyRow>> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{KEY_ROWS} WHERE k.key_hash = ?1")))
            .bind(hash)
            .fetch_optional(&self.pool)
            .await
    }

    /// Every key, newest first.
    pub async fn report_keys(&self) -> StoreResult<Vec<ReportKeyRow>> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{KEY_ROWS} ORDER BY k.id DESC")))
            .fetch_all(&self.pool)
            .await
    }

    /// Note that key `id` was used at `now` (bookkeeping, like a session's idle timer; the use
    /// itself is audited by the report it read).
    pub async fn touch_report_key(&self, id: i64, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE report_keys SET last_used_at = ?2 WHERE id = ?1")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}

impl Tx {
    /// Store a new key (its hash) for `user_id`; answers its id.
    pub async fn issue_report_key(
        &mut self,
        user_id: i64,
        label: &str,
        hash: &str,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO report_keys (user_id, label, key_hash, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        )
        .bind(user_id)
        .bind(label)
        .bind(hash)
        .bind(now)
        .bind(expires_at)
        .fetch_one(self.write())
        .await?;
        Ok(id)
    }

    /// Revoke key `id` at `now`; answers whether it was live (false: unknown or revoked before).
    pub async fn revoke_report_key(&mut self, id: i64, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE report_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}
