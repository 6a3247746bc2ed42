//! The rows of the hash-chained audit log.

use super::super::audit::{AuditEntry, AuditRow, GENESIS_HASH, chain_hash};
use super::{Store, StoreResult};

impl Store {
    /// Append one row to the audit chain; answers its id. The previous hash is read and the row
    /// written inside one `BEGIN IMMEDIATE` transaction so that parallel writers cannot fork
    /// the chain.
    pub async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<i64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let last: Option<(String,)> = sqlx::query_as("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let prev = last.map(|(h,)| h).unwrap_or_else(|| GENESIS_HASH.to_string());
        let hash = chain_hash(&prev, entry);
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO audit_log (at, actor_id, actor, action, target, client_addr, outcome, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
        )
        .bind(entry.at)
        .bind(entry.actor_id)
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(&entry.client_addr)
        .bind(&entry.outcome)
        .bind(&entry.detail)
        .bind(&prev)
        .bind(&hash)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Up to `limit` audit rows with an id above `after`, in id order.
    pub async fn audit_rows_after(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditRow>> {
        sqlx::query_as(
            "SELECT id, at, actor_id, actor, action, target, client_addr, outcome, detail, prev_hash, hash
             FROM audit_log WHERE id > ?1 ORDER BY id LIMIT ?2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }
}
