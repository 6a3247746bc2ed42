//! The setting's short lists that every clicker needs: the behaviours and the bell times (the
//! admin edits them through `admin_lists`).

use sqlx::FromRow;

use super::{Store, StoreResult};

/// One clicker behaviour.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct BehaviourRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// `positive`, `negative` or `neutral`.
    pub sentiment: String,
    /// Order in the clicker.
    pub position: i64,
    /// Offered by the clicker (false once retired).
    pub active: bool,
}

/// One period of the school day.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct BellRow {
    /// 1 for the first period.
    pub number: i64,
    /// Name.
    pub name: String,
    /// Minutes after local midnight.
    pub starts_minute: i64,
    /// Minutes after local midnight.
    pub ends_minute: i64,
}

impl Store {
    /// Every behaviour, active ones first, each part in clicker order.
    pub async fn behaviours(&self) -> StoreResult<Vec<BehaviourRow>> {
        sqlx::query_as(
            "SELECT id, name, sentiment, position, active FROM behaviours ORDER BY active DESC, position, id",
        )
        .fetch_all(&self.pool)
        .await
    }

    /// The bell times, first period first.
    pub async fn bell_times(&self) -> StoreResult<Vec<BellRow>> {
        sqlx::query_as("SELECT number, name, starts_minute, ends_minute FROM bell_times ORDER BY number")
            .fetch_all(&self.pool)
            .await
    }
}
