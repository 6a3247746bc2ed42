//! The rows of the hash-chained audit log.

use sqlx::SqliteConnection;

use super::super::audit::{AuditEntry, AuditRow, GENESIS_HASH, chain_hash};
use super::{Store, StoreResult};

/// Append one row to the chain on `conn`, which must be inside a `BEGIN IMMEDIATE` transaction
/// (a [`super::Tx`]): the previous hash is read and the row written under the write lock, so
/// parallel writers cannot fork the chain. Answers the row's id.
pub(super) async fn append(conn: &mut SqliteConnection, entry: &AuditEntry) -> StoreResult<i64> {
    let last: Option<(String,)> = sqlx::query_as("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut *conn)
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
    .fetch_one(&mut *conn)
    .await?;
    Ok(id)
}

impl Store {
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
