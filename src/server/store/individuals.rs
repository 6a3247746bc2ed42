//! Individuals (pupils and young people): the list, a profile's details, key contacts, who
//! may see them, their incidents and plans, each read through the one access rule of
//! [`super::access`].

use sqlx::FromRow;

use super::access::{bind_viewer, incident_visible, pupil_name, visible_individuals};
use super::records::incident_rows;
use super::{IncidentRow, Store, StoreResult, Viewer};

/// One row of the individual list.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct IndividualListRow {
    /// Id.
    pub id: i64,
    /// Name as lists show it.
    pub name: String,
    /// Year group.
    pub year_group: String,
    /// Tutor group.
    pub group_name: String,
    /// When the reading user last recorded something about them (unix seconds).
    pub last_recorded_by_me: Option<i64>,
}

/// A profile's details.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct IndividualRow {
    /// Id.
    pub id: i64,
    /// Name as lists show it.
    pub name: String,
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Preferred name.
    pub preferred_name: String,
    /// ISO date of birth.
    pub date_of_birth: String,
    /// Year group.
    pub year_group: String,
    /// Tutor group.
    pub group_name: String,
    /// SEN status.
    pub sen_status: String,
    /// Notes.
    pub notes: String,
}

/// A key contact.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ContactRow {
    /// Name.
    pub name: String,
    /// Relationship.
    pub relationship: String,
    /// Phone.
    pub phone: String,
    /// Email.
    pub email: String,
    /// 1 is called first.
    pub priority: i64,
}

/// An active member of staff, with what they were granted of one individual.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct StaffGrantRow {
    /// User id.
    pub user_id: i64,
    /// Display name.
    pub name: String,
    /// Role as stored.
    pub role: String,
    /// The level granted in `access_permissions`, else `group` or `year` when a grant of their
    /// tutor group or year group covers the individual; none when nothing does.
    pub level: Option<String>,
    /// A key member of staff of the individual.
    pub key_staff: bool,
}

/// A Smart Plan in a profile.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct PlanRow {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Strategies.
    pub strategies: String,
    /// ISO review date.
    pub review_on: Option<String>,
    /// The source incident's number, when the reader may see that incident.
    pub source_incident_number: Option<i64>,
    /// Author.
    pub created_by: i64,
    /// Their display name.
    pub created_by_name: String,
    /// Last changed (unix seconds).
    pub updated_at: i64,
}

impl Store {
    /// The active individuals `viewer` may see with an id above `after`, in id order, at most
    /// `limit` (-1: all), each with when `viewer` last recorded something about them: a click
    /// not undone, a communication, an incident report not deleted.
    pub async fn individuals_page(
        &self,
        viewer: Viewer,
        after: i64,
        limit: i64,
    ) -> StoreResult<Vec<IndividualListRow>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            ", mine(individual_id, at) AS (
                 SELECT individual_id, recorded_at FROM clicks WHERE user_id = ?1 AND deleted_at IS NULL
                 UNION ALL SELECT individual_id, created_at FROM communications WHERE author_id = ?1
                 UNION ALL SELECT individual_id, created_at FROM incidents WHERE reported_by = ?1 AND deleted_at IS NULL),
               latest(individual_id, at) AS (SELECT individual_id, MAX(at) FROM mine GROUP BY individual_id)
             SELECT p.id, ",
            pupil_name!("p"),
            " AS name, p.year_group, p.group_name, l.at AS last_recorded_by_me
              FROM individuals p LEFT JOIN latest l ON l.individual_id = p.id
              WHERE p.active = 1 AND p.id > ?3 AND p.id IN (SELECT individual_id FROM visible)
              ORDER BY p.id
              LIMIT ?4"
        ));
        bind_viewer(query, viewer)
            .bind(after)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }

    /// Individual `id`, if `viewer` may see them.
    pub async fn individual(&self, viewer: Viewer, id: i64) -> StoreResult<Option<IndividualRow>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT p.id, ",
            pupil_name!("p"),
            " AS name, p.first_name, p.last_name, p.preferred_name, p.date_of_birth, p.year_group,
                     p.group_name, p.sen_status, p.notes
              FROM individuals p
              WHERE p.id = ?3 AND p.id IN (SELECT individual_id FROM visible)"
        ));
        bind_viewer(query, viewer).bind(id).fetch_optional(&self.pool).await
    }

    /// The key contacts of individual `id` (if `viewer` may see them), by priority.
    pub async fn key_contacts(&self, viewer: Viewer, id: i64) -> StoreResult<Vec<ContactRow>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT name, relationship, phone, email, priority FROM key_contacts
              WHERE individual_id = ?3 AND individual_id IN (SELECT individual_id FROM visible)
              ORDER BY priority, id"
        ));
        bind_viewer(query, viewer).bind(id).fetch_all(&self.pool).await
    }

    /// Every active member of staff with their grant of individual `id` and whether they are
    /// its key staff, key staff first, then by name. Whether each may see the individual is
    /// for the caller to decide by role (`permissions`), the one table of what roles may do.
    pub async fn staff_grants(&self, id: i64) -> StoreResult<Vec<StaffGrantRow>> {
        sqlx::query_as(
            "SELECT u.id AS user_id, u.display_name AS name, u.role,
                    COALESCE(a.level, (
                        SELECT g.scope FROM access_groups g JOIN individuals p ON p.id = ?1
                         WHERE g.user_id = u.id AND ((g.scope = 'group' AND g.name = p.group_name)
                                                  OR (g.scope = 'year' AND g.name = p.year_group))
                         ORDER BY g.scope LIMIT 1)) AS level,
                    EXISTS (SELECT 1 FROM key_staff k WHERE k.individual_id = ?1 AND k.user_id = u.id) AS key_staff
             FROM users u LEFT JOIN access_permissions a ON a.user_id = u.id AND a.individual_id = ?1
             WHERE u.active = 1
             ORDER BY key_staff DESC, u.display_name, u.id",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await
    }

    /// The newest `limit` incidents about individual `id` (not deleted) and how many there are,
    /// for a viewer who may see them.
    pub async fn individual_incidents(
        &self,
        viewer: Viewer,
        id: i64,
        limit: i64,
    ) -> StoreResult<(Vec<IncidentRow>, u64)> {
        let count = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT COUNT(*) FROM incidents i
              WHERE i.id IN (SELECT incident_id FROM incident_individuals WHERE individual_id = ?3 AND role = 'subject')
                AND ",
            incident_visible!("i")
        ));
        let (total,): (i64,) = bind_viewer(count, viewer).bind(id).fetch_one(&self.pool).await?;
        let page = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            incident_rows!(),
            " WHERE i.id IN (SELECT incident_id FROM incident_individuals WHERE individual_id = ?3 AND role = 'subject')
                AND ",
            incident_visible!("i"),
            " ORDER BY i.occurred_at DESC, i.number DESC
              LIMIT ?4"
        ));
        let rows = bind_viewer(page, viewer)
            .bind(id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        Ok((rows, u64::try_from(total).unwrap_or(0)))
    }

    /// The Smart Plans of individual `id` that are not deleted, newest first, for a viewer who
    /// may see them.
    pub async fn plans(&self, viewer: Viewer, id: i64) -> StoreResult<Vec<PlanRow>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT pl.id, pl.title, pl.strategies, pl.review_on,
                     CASE WHEN i.id IS NOT NULL AND ",
            incident_visible!("i"),
            " THEN i.number END AS source_incident_number,
                     pl.created_by, u.display_name AS created_by_name, pl.updated_at
              FROM smart_plans pl
              JOIN users u ON u.id = pl.created_by
              LEFT JOIN incidents i ON i.id = pl.source_incident_id
              WHERE pl.individual_id = ?3 AND pl.deleted_at IS NULL
                AND pl.individual_id IN (SELECT individual_id FROM visible)
              ORDER BY pl.created_at DESC, pl.id"
        ));
        bind_viewer(query, viewer).bind(id).fetch_all(&self.pool).await
    }
}
