//! The audit log as the admin reads it: filtered pages, newest first, and the rows before a
//! broken one (for "verified up to row N"). The chain itself is checked by
//! `server::audit::verify_chain`.

use super::super::audit::AuditRow;
use super::{Store, StoreResult};

/// Which rows of the audit log (every part optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this actor's rows.
    pub actor_id: Option<i64>,
    /// Only actions starting with this (exactly, case and all).
    pub action_prefix: Option<String>,
    /// Only targets containing this.
    pub target: Option<String>,
    /// From this time (unix seconds, inclusive).
    pub from: Option<i64>,
    /// Before this time (unix seconds, exclusive).
    pub until: Option<i64>,
    /// Only rows with an id below this.
    pub before: Option<i64>,
}

impl Store {
    /// Up to `limit` rows that pass `filter`, newest (highest id) first.
    pub async fn audit_page(&self, filter: &AuditFilter, limit: i64) -> StoreResult<Vec<AuditRow>> {
        sqlx::query_as(
            "SELECT id, at, actor_id, actor, action, target, client_addr, outcome, detail, prev_hash, hash
             FROM audit_log
             WHERE (?1 IS NULL OR actor_id = ?1)
               AND (?2 IS NULL OR substr(action, 1, length(?2)) = ?2)
               AND (?3 IS NULL OR instr(target, ?3) > 0)
               AND (?4 IS NULL OR at >= ?4)
               AND (?5 IS NULL OR at < ?5)
               AND (?6 IS NULL OR id < ?6)
             ORDER BY id DESC LIMIT ?7",
        )
        .bind(filter.actor_id)
        .bind(filter.action_prefix.as_deref())
        .bind(filter.target.as_deref())
        .bind(filter.from)
        .bind(filter.until)
        .bind(filter.before)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    /// How many rows come before row `id`, and the last of them (its id and hash).
    pub async fn audit_rows_before(&self, id: i64) -> StoreResult<(i64, Option<(i64, String)>)> {
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE id < ?1")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        let last = sqlx::query_as("SELECT id, hash FROM audit_log WHERE id < ?1 ORDER BY id DESC LIMIT 1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok((count, last))
    }
}
