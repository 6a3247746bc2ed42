//! Smart Plans (read through the access rule of their individual; the incident a plan was
//! built from only shown to a reader who may see it) and the drafts of long forms (only ever
//! their author's).

use sqlx::FromRow;

use super::access::{bind_viewer, can_see, incident_visible, pupil_name, visible_individuals};
use super::{Store, StoreResult, Tx, Viewer};

/// A plan as stored, with names.
#[derive(Debug, Clone, FromRow)]
pub struct PlanFullRow {
    pub id: String,
    pub individual_id: i64,
    pub individual_name: String,
    pub title: String,
    pub strategies: String,
    pub reasonable_adjustments: String,
    pub agreed_responses: String,
    pub follow_up: String,
    pub review_on: Option<String>,
    /// The source incident's number when the reader may see it.
    pub source_incident_number: Option<i64>,
    pub created_by: i64,
    pub created_by_name: String,
    pub created_at: i64,
    pub updated_by: i64,
    pub updated_by_name: String,
    pub updated_at: i64,
}

/// A plan as checked by its handler.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanInput {
    pub id: String,
    pub individual_id: i64,
    pub title: String,
    /// Strategies, reasonable adjustments, agreed responses, follow-up.
    pub texts: [String; 4],
    pub review_on: Option<String>,
    /// The source incident's number.
    pub source_number: Option<i64>,
    /// SHA-256 of the body.
    pub hash: String,
}

/// What writing a plan came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanWritten {
    /// The individual (or the plan) is unknown or not visible.
    NotFound,
    /// The source incident is not one the user may see about this individual.
    BadSource,
    /// The individual of an update is not the plan's.
    Mismatch,
    /// Written now.
    Created,
    /// The same plan again (a retry).
    Existing,
    /// Updated.
    Updated,
    /// The id belongs to another plan.
    Conflict,
}

/// A draft.
#[derive(Debug, Clone, FromRow)]
pub struct DraftRow {
    pub id: String,
    pub kind: String,
    pub content: String,
    pub started_at: i64,
    pub saved_at: i64,
}

/// What saving a draft came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftSaved {
    /// A new draft.
    Created,
    /// The user's draft replaced.
    Replaced,
    /// The id is another user's draft: nothing written.
    NotFound,
    /// The user has the most drafts already.
    TooMany,
}

/// The columns of a [`PlanFullRow`] of plan `pl`.
macro_rules! plan_rows {
    () => {
        concat!(
            " SELECT pl.id, pl.individual_id, ",
            pupil_name!("p"),
            " AS individual_name, pl.title, pl.strategies, pl.reasonable_adjustments, pl.agreed_responses,
                     pl.follow_up, pl.review_on,
                     CASE WHEN i.id IS NOT NULL AND ",
            incident_visible!("i"),
            " THEN i.number END AS source_incident_number,
                     pl.created_by, cu.display_name AS created_by_name, pl.created_at,
                     COALESCE(pl.updated_by, pl.created_by) AS updated_by,
                     COALESCE(uu.display_name, cu.display_name) AS updated_by_name, pl.updated_at
              FROM smart_plans pl
              JOIN individuals p ON p.id = pl.individual_id
              JOIN users cu ON cu.id = pl.created_by
              LEFT JOIN users uu ON uu.id = pl.updated_by
              LEFT JOIN incidents i ON i.id = pl.source_incident_id
              WHERE pl.deleted_at IS NULL AND pl.individual_id IN (SELECT individual_id FROM visible)"
        )
    };
}

impl Store {
    /// The plans `viewer` may see (of one individual, or all), most recently changed first.
    pub async fn plans_list(
        &self,
        viewer: Viewer,
        individual_id: Option<i64>,
        limit: i64,
    ) -> StoreResult<Vec<PlanFullRow>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            plan_rows!(),
            " AND (?3 IS NULL OR pl.individual_id = ?3)
              ORDER BY pl.updated_at DESC, pl.id LIMIT ?4"
        ));
        bind_viewer(query, viewer)
            .bind(individual_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }

    /// Plan `id`, if `viewer` may see it.
    pub async fn plan(&self, viewer: Viewer, id: &str) -> StoreResult<Option<PlanFullRow>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            plan_rows!(),
            " AND pl.id = ?3"
        ));
        bind_viewer(query, viewer).bind(id).fetch_optional(&self.pool).await
    }

    /// Draft `id` of `user_id`.
    pub async fn draft(&self, user_id: i64, id: &str) -> StoreResult<Option<DraftRow>> {
        sqlx::query_as("SELECT id, kind, content, started_at, saved_at FROM drafts WHERE id = ?1 AND user_id = ?2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await
    }

    /// The drafts of `user_id`, most recently saved first.
    pub async fn drafts(&self, user_id: i64) -> StoreResult<Vec<DraftRow>> {
        sqlx::query_as(
            "SELECT id, kind, '' AS content, started_at, saved_at FROM drafts WHERE user_id = ?1
             ORDER BY saved_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }
}

impl Tx {
    /// The id of the incident `number` that `viewer` may see and that is about `individual_id`.
    async fn source_incident(
        &mut self,
        viewer: Viewer,
        number: i64,
        individual_id: i64,
    ) -> StoreResult<Option<String>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT i.id FROM incidents i WHERE i.number = ?3 AND ",
            incident_visible!("i"),
            " AND (i.individual_id = ?4 OR EXISTS (SELECT 1 FROM incident_individuals s
                   WHERE s.incident_id = i.id AND s.individual_id = ?4 AND s.role = 'subject'))"
        ));
        let found: Option<(String,)> = bind_viewer(query, viewer)
            .bind(number)
            .bind(individual_id)
            .fetch_optional(self.read())
            .await?;
        Ok(found.map(|(id,)| id))
    }

    /// Write new plan `input` by `viewer` (idempotent by id); the author's draft with the same
    /// id is deleted.
    pub async fn create_plan(&mut self, viewer: Viewer, input: &PlanInput, now: i64) -> StoreResult<PlanWritten> {
        let existing: Option<(i64, String)> =
            sqlx::query_as("SELECT created_by, submitted_hash FROM smart_plans WHERE id = ?1")
                .bind(&input.id)
                .fetch_optional(self.read())
                .await?;
        if let Some((author, hash)) = existing {
            return Ok(if author == viewer.user_id && hash == input.hash {
                PlanWritten::Existing
            } else {
                PlanWritten::Conflict
            });
        }
        if !can_see(self.read(), viewer, input.individual_id).await? {
            return Ok(PlanWritten::NotFound);
        }
        let source = match input.source_number {
            Some(number) => match self.source_incident(viewer, number, input.individual_id).await? {
                Some(id) => Some(id),
                None => return Ok(PlanWritten::BadSource),
            },
            None => None,
        };
        sqlx::query(
            "INSERT INTO smart_plans (id, individual_id, title, strategies, reasonable_adjustments, agreed_responses,
                 follow_up, source_incident_id, review_on, created_by, created_at, updated_at, updated_by,
                 submitted_hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?10, ?12)",
        )
        .bind(&input.id)
        .bind(input.individual_id)
        .bind(&input.title)
        .bind(&input.texts[0])
        .bind(&input.texts[1])
        .bind(&input.texts[2])
        .bind(&input.texts[3])
        .bind(source)
        .bind(&input.review_on)
        .bind(viewer.user_id)
        .bind(now)
        .bind(&input.hash)
        .execute(self.write())
        .await?;
        sqlx::query("DELETE FROM drafts WHERE id = ?1 AND user_id = ?2")
            .bind(&input.id)
            .bind(viewer.user_id)
            .execute(self.write())
            .await?;
        Ok(PlanWritten::Created)
    }

    /// Replace plan `input.id` (one `viewer` may see) with `input`.
    pub async fn update_plan(&mut self, viewer: Viewer, input: &PlanInput, now: i64) -> StoreResult<PlanWritten> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT individual_id FROM smart_plans WHERE id = ?3 AND deleted_at IS NULL
                AND individual_id IN (SELECT individual_id FROM visible)"
        ));
        let found: Option<(i64,)> = bind_viewer(query, viewer)
            .bind(&input.id)
            .fetch_optional(self.read())
            .await?;
        let Some((individual_id,)) = found else {
            return Ok(PlanWritten::NotFound);
        };
        if individual_id != input.individual_id {
            return Ok(PlanWritten::Mismatch);
        }
        let source = match input.source_number {
            Some(number) => match self.source_incident(viewer, number, individual_id).await? {
                Some(id) => Some(id),
                None => return Ok(PlanWritten::BadSource),
            },
            None => None,
        };
        sqlx::query(
            "UPDATE smart_plans SET title = ?2, strategies = ?3, reasonable_adjustments = ?4, agreed_responses = ?5,
                 follow_up = ?6, source_incident_id = ?7, review_on = ?8, updated_by = ?9, updated_at = ?10
             WHERE id = ?1",
        )
        .bind(&input.id)
        .bind(&input.title)
        .bind(&input.texts[0])
        .bind(&input.texts[1])
        .bind(&input.texts[2])
        .bind(&input.texts[3])
        .bind(source)
        .bind(&input.review_on)
        .bind(viewer.user_id)
        .bind(now)
        .execute(self.write())
        .await?;
        Ok(PlanWritten::Updated)
    }

    /// Whether `viewer` may see plan `id` (not deleted).
    pub async fn plan_visible(&mut self, viewer: Viewer, id: &str) -> StoreResult<bool> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT EXISTS (SELECT 1 FROM smart_plans WHERE id = ?3 AND deleted_at IS NULL
                AND individual_id IN (SELECT individual_id FROM visible))"
        ));
        let (seen,): (bool,) = bind_viewer(query, viewer).bind(id).fetch_one(self.read()).await?;
        Ok(seen)
    }

    /// Hide plan `id` (never erase it): who, when and why.
    pub async fn delete_plan(&mut self, id: &str, by: i64, reason: &str, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE smart_plans SET deleted_at = ?2, deleted_by = ?3, delete_reason = ?4 WHERE id = ?1 AND deleted_at IS NULL",
        )
        .bind(id)
        .bind(now)
        .bind(by)
        .bind(reason)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Delete the drafts of `user_id` not saved since `before`; answers how many.
    pub async fn expire_drafts(&mut self, user_id: i64, before: i64) -> StoreResult<usize> {
        let old: Vec<(String,)> = sqlx::query_as("SELECT id FROM drafts WHERE user_id = ?1 AND saved_at < ?2")
            .bind(user_id)
            .bind(before)
            .fetch_all(self.read())
            .await?;
        if old.is_empty() {
            return Ok(0);
        }
        sqlx::query("DELETE FROM drafts WHERE user_id = ?1 AND saved_at < ?2")
            .bind(user_id)
            .bind(before)
            .execute(self.write())
            .await?;
        Ok(old.len())
    }

    /// Save draft `id` of `user_id` (at most `max` drafts each).
    pub async fn save_draft(
        &mut self,
        user_id: i64,
        id: &str,
        kind: &str,
        content: &str,
        now: i64,
        max: i64,
    ) -> StoreResult<DraftSaved> {
        let owner: Option<(i64,)> = sqlx::query_as("SELECT user_id FROM drafts WHERE id = ?1")
            .bind(id)
            .fetch_optional(self.read())
            .await?;
        match owner {
            Some((owner,)) if owner != user_id => Ok(DraftSaved::NotFound),
            Some(_) => {
                sqlx::query("UPDATE drafts SET kind = ?2, content = ?3, saved_at = ?4 WHERE id = ?1")
                    .bind(id)
                    .bind(kind)
                    .bind(content)
                    .bind(now)
                    .execute(self.write())
                    .await?;
                Ok(DraftSaved::Replaced)
            }
            None => {
                let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM drafts WHERE user_id = ?1")
                    .bind(user_id)
                    .fetch_one(self.read())
                    .await?;
                if count >= max {
                    return Ok(DraftSaved::TooMany);
                }
                sqlx::query(
                    "INSERT INTO drafts (id, user_id, kind, content, started_at, saved_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
                )
                .bind(id)
                .bind(user_id)
                .bind(kind)
                .bind(content)
                .bind(now)
                .execute(self.write())
                .await?;
                Ok(DraftSaved::Created)
            }
        }
    }

    /// Delete draft `id` of `user_id`; false when they have none by that id.
    pub async fn delete_draft(&mut self, user_id: i64, id: &str) -> StoreResult<bool> {
        let found: Option<(String,)> = sqlx::query_as("SELECT id FROM drafts WHERE id = ?1 AND user_id = ?2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(self.read())
            .await?;
        if found.is_none() {
            return Ok(false);
        }
        sqlx::query("DELETE FROM drafts WHERE id = ?1 AND user_id = ?2")
            .bind(id)
            .bind(user_id)
            .execute(self.write())
            .await?;
        Ok(true)
    }
}
