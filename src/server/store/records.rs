//! Pupil records: the incident list and the notifications, both read through the one access
//! rule of [`super::access`], and marking a notification read.

use sqlx::FromRow;

use super::access::{bind_viewer, incident_visible, pupil_name, visible_individuals};
use super::{Store, StoreResult, Tx, Viewer};

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
    /// How many more individuals it is about besides the one shown.
    pub more_individuals: i64,
}

/// The filters of `GET /incidents` (each `None` filters nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IncidentFilter {
    /// Happened at or after (unix seconds).
    pub since: Option<i64>,
    /// Happened before.
    pub until: Option<i64>,
    /// About this individual (any of its subjects).
    pub individual_id: Option<i64>,
    /// `incident` or `physical_intervention`.
    pub kind: Option<&'static str>,
    /// At this location.
    pub location_id: Option<i64>,
    /// Flagged or not.
    pub flagged: Option<bool>,
    /// Parents informed or not.
    pub parents_informed: Option<bool>,
    /// Reported by the viewer or with the viewer named present.
    pub mine: bool,
}

/// One notification, with what its references resolve to.
#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    /// Id.
    pub id: i64,
    /// Kind as stored.
    pub kind: String,
    /// The individual it concerns, if any.
    pub individual_id: Option<i64>,
    /// That individual's name.
    pub individual_name: Option<String>,
    /// The incident's number, if it concerns one.
    pub incident_number: Option<i64>,
    /// The display name of the staff member whose action raised it.
    pub actor: Option<String>,
    /// The communication it concerns, if any.
    pub communication_id: Option<String>,
    /// Set when it tells of a response in that communication's thread.
    pub response_id: Option<String>,
    /// For a plan review: the plan's review date (ISO).
    pub review_on: Option<String>,
    /// When raised.
    pub created_at: i64,
    /// When read.
    pub read_at: Option<i64>,
}

/// The `SELECT … FROM incidents i …` of an [`IncidentRow`], to be followed by its `WHERE`.
macro_rules! incident_rows {
    () => {
        concat!(
            " SELECT i.number, i.occurred_at, i.individual_id, ",
            pupil_name!("p"),
            " AS individual_name,
                     i.kind, c.name AS category, l.name AS location, i.flagged,
                     i.parents_informed_at IS NOT NULL AS parents_informed,
                     MAX(0, (SELECT COUNT(*) FROM incident_individuals s
                             WHERE s.incident_id = i.id AND s.role = 'subject') - 1) AS more_individuals
              FROM incidents i
              JOIN individuals p ON p.id = i.individual_id
              JOIN incident_categories c ON c.id = i.category_id
              JOIN locations l ON l.id = i.location_id"
        )
    };
}
pub(super) use incident_rows;

impl Store {
    /// A page of the incidents `viewer` may see (the rule of [`incident_visible!`]) that pass
    /// `filter`, newest first, and how many pass in all.
    pub async fn incidents_page(
        &self,
        viewer: Viewer,
        filter: &IncidentFilter,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> StoreResult<(Vec<IncidentRow>, u64)> {
        macro_rules! filtered {
            () => {
                concat!(
                    " WHERE ",
                    incident_visible!("i"),
                    " AND (?3 IS NULL OR i.occurred_at >= ?3)
                      AND (?4 IS NULL OR i.occurred_at < ?4)
                      AND (?5 IS NULL OR i.id IN (SELECT incident_id FROM incident_individuals
                                                  WHERE individual_id = ?5 AND role = 'subject')
                                      OR i.individual_id = ?5)
                      AND (?6 IS NULL OR i.kind = ?6)
                      AND (?7 IS NULL OR i.location_id = ?7)
                      AND (?8 IS NULL OR i.flagged = ?8)
                      AND (?9 IS NULL OR (i.parents_informed_at IS NOT NULL) = ?9)
                      AND (?10 = 0 OR i.reported_by = ?1
                           OR EXISTS (SELECT 1 FROM incident_staff st WHERE st.incident_id = i.id AND st.user_id = ?1))"
                )
            };
        }
        let count = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT COUNT(*) FROM incidents i",
            filtered!()
        ));
        macro_rules! bind {
            ($q:expr) => {
                bind_viewer($q, viewer)
                    .bind(filter.since)
                    .bind(filter.until)
                    .bind(filter.individual_id)
                    .bind(filter.kind)
                    .bind(filter.location_id)
                    .bind(filter.flagged)
                    .bind(filter.parents_informed)
                    .bind(filter.mine)
            };
        }
        let (total,): (i64,) = bind!(count).fetch_one(&self.pool).await?;
        let (after_at, after_number) = after.unzip();
        let page = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            incident_rows!(),
            filtered!(),
            " AND (?11 IS NULL OR i.occurred_at < ?11 OR (i.occurred_at = ?11 AND i.number < ?12))
              ORDER BY i.occurred_at DESC, i.number DESC
              LIMIT ?13"
        ));
        let rows = bind!(page)
            .bind(after_at)
            .bind(after_number)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok((rows, u64::try_from(total).unwrap_or(0)))
    }

    /// The newest notifications of `viewer`, leaving out every one they may not read now: one
    /// about an individual they may not see, or about an incident they may not list (deleted,
    /// or about an individual they may not see), or about a deleted plan.
    pub async fn notifications(&self, viewer: Viewer, limit: i64) -> StoreResult<Vec<NotificationRow>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT n.id, n.kind, n.individual_id, ",
            pupil_name!("p"),
            " AS individual_name, i.number AS incident_number, u.display_name AS actor,
                     n.communication_id, n.response_id, pl.review_on, n.created_at, n.read_at
              FROM notifications n
              LEFT JOIN individuals p ON p.id = n.individual_id
              LEFT JOIN incidents i ON i.id = n.incident_id
              LEFT JOIN communications c ON c.id = n.communication_id
              LEFT JOIN smart_plans pl ON pl.id = n.plan_id
              LEFT JOIN users u ON u.id = n.actor_id
              WHERE n.user_id = ?1
                AND (n.individual_id IS NULL OR n.individual_id IN (SELECT individual_id FROM visible))
                AND (n.incident_id IS NULL OR ",
            incident_visible!("i"),
            ")
                AND (n.communication_id IS NULL OR c.individual_id IN (SELECT individual_id FROM visible))
                AND (n.plan_id IS NULL
                     OR (pl.deleted_at IS NULL AND pl.individual_id IN (SELECT individual_id FROM visible)))
              ORDER BY n.created_at DESC, n.id DESC
              LIMIT ?3"
        ));
        bind_viewer(query, viewer).bind(limit).fetch_all(&self.pool).await
    }
}

impl Tx {
    /// Mark notification `id` of `user_id` read (once: a second call keeps the first time);
    /// false when the user has no such notification.
    pub async fn mark_notification_read(&mut self, user_id: i64, id: i64, now: i64) -> StoreResult<bool> {
        let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM notifications WHERE id = ?1 AND user_id = ?2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(self.read())
            .await?;
        if found.is_none() {
            return Ok(false);
        }
        sqlx::query("UPDATE notifications SET read_at = COALESCE(read_at, ?2) WHERE id = ?1")
            .bind(id)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(true)
    }
}
