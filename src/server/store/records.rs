//! Pupil records: the incident list and the notifications, both read through the one access
//! rule of [`super::access`].

use sqlx::FromRow;

use super::access::{bind_viewer, pupil_name, visible_individuals};
use super::{Store, StoreResult, Viewer};

/// One row of the incident list.
#[derive(Debug, Clone, FromRow)]
pub struct IncidentRow {
    /// Incident number.
    pub number: i64,
    /// When it happened.
    pub occurred_at: i64,
    /// The individual.
    pub individual_id: i64,
    /// The individual's name.
    pub individual_name: String,
    /// `incident` or `physical_intervention`.
    pub kind: String,
    /// Category name.
    pub category: String,
    /// Location name.
    pub location: String,
    /// Flagged.
    pub flagged: bool,
    /// Parents informed.
    pub parents_informed: bool,
}

/// One notification.
#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    /// Id.
    pub id: i64,
    /// Kind as stored.
    pub kind: String,
    /// Message.
    pub message: String,
    /// Incident number, if any.
    pub incident_number: Option<i64>,
    /// When raised.
    pub created_at: i64,
    /// When read.
    pub read_at: Option<i64>,
}

impl Store {
    /// A page of the incidents `viewer` may see, newest first, and how many they may see in
    /// all: not deleted, about a visible individual.
    pub async fn incidents_page(
        &self,
        viewer: Viewer,
        since: Option<i64>,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> StoreResult<(Vec<IncidentRow>, u64)> {
        let count = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT COUNT(*) FROM incidents i
              WHERE i.deleted_at IS NULL
                AND i.individual_id IN (SELECT individual_id FROM visible)
                AND (?3 IS NULL OR i.occurred_at >= ?3)"
        ));
        let (total,): (i64,) = bind_viewer(count, viewer).bind(since).fetch_one(&self.pool).await?;
        let (after_at, after_number) = after.unzip();
        let page = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT i.number, i.occurred_at, i.individual_id, ",
            pupil_name!("p"),
            " AS individual_name,
                     i.kind, c.name AS category, l.name AS location, i.flagged,
                     i.parents_informed_at IS NOT NULL AS parents_informed
              FROM incidents i
              JOIN individuals p ON p.id = i.individual_id
              JOIN incident_categories c ON c.id = i.category_id
              JOIN locations l ON l.id = i.location_id
              WHERE i.deleted_at IS NULL
                AND i.individual_id IN (SELECT individual_id FROM visible)
                AND (?3 IS NULL OR i.occurred_at >= ?3)
                AND (?4 IS NULL OR i.occurred_at < ?4 OR (i.occurred_at = ?4 AND i.number < ?5))
              ORDER BY i.occurred_at DESC, i.number DESC
              LIMIT ?6"
        ));
        let rows = bind_viewer(page, viewer)
            .bind(since)
            .bind(after_at)
            .bind(after_number)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok((rows, u64::try_from(total).unwrap_or(0)))
    }

    /// The newest notifications of a user.
    pub async fn notifications(&self, user_id: i64, limit: i64) -> StoreResult<Vec<NotificationRow>> {
        sqlx::query_as(
            "SELECT n.id, n.kind, n.message, i.number AS incident_number, n.created_at, n.read_at
             FROM notifications n LEFT JOIN incidents i ON i.id = n.incident_id AND i.deleted_at IS NULL
             WHERE n.user_id = ?1 ORDER BY n.created_at DESC, n.id DESC LIMIT ?2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }
}
