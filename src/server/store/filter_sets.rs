//! Saved report filter sets (`report_filter_sets`, SECURITY.md rule 72): each member of staff's
//! own named filters for the Analytics page. Every statement names the owner, so no method
//! reads, replaces or deletes another user's set. The filters are stored as the JSON the route
//! writes (ids only); the individuals they name are read back through the one access rule
//! ([`Store::visible_individual_names`]).
//!
//! A save decides inside its one write transaction whether it replaces the set of the same name
//! (ignoring case) or adds one, and whether the user already has as many as they may keep, so
//! parallel saves can neither pass the limit nor leave two sets of one name.

use sqlx::FromRow;

use super::access::{bind_viewer, pupil_name, visible_individuals};
use super::maintenance::id_list;
use super::{Store, StoreResult, Tx, Viewer};

/// One saved set, as stored.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct FilterSetRow {
    /// Id.
    pub id: i64,
    /// Its name, as the user wrote it (trimmed).
    pub name: String,
    /// The filters (JSON of `wire::SavedFilters`).
    pub filters: String,
    /// When it was saved last (unix seconds).
    pub saved_at: i64,
}

/// What a save did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilterSetSaved {
    /// A new set was added.
    Created(FilterSetRow),
    /// The user's set of the same name was replaced.
    Replaced(FilterSetRow),
    /// Nothing: the user already keeps as many sets as they may.
    TooMany,
}

/// The key a name is unique by: its lower case.
fn name_key(name: &str) -> String {
    name.to_lowercase()
}

impl Store {
    /// The sets of `user_id`, by name ignoring case.
    pub async fn filter_sets(&self, user_id: i64) -> StoreResult<Vec<FilterSetRow>> {
        sqlx::query_as(
            "SELECT id, name, filters, saved_at FROM report_filter_sets WHERE user_id = ?1 ORDER BY name_key, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    /// The ids and names of the individuals among `ids` that `viewer` may open, in id order (an
    /// unknown id, or one the viewer may not open, is left out).
    pub async fn visible_individual_names(&self, viewer: Viewer, ids: &[i64]) -> StoreResult<Vec<(i64, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT p.id, ",
            pupil_name!("p"),
            " AS name FROM individuals p
              WHERE p.id IN (SELECT value FROM json_each(?3)) AND p.id IN (SELECT individual_id FROM visible)
              ORDER BY p.id"
        ));
        bind_viewer(query, viewer)
            .bind(id_list(ids))
            .fetch_all(&self.pool)
            .await
    }
}

impl Tx {
    /// Save set `name` of `user_id` with `filters` at `now`: replace their set of the same name
    /// (ignoring case), or add one unless they already keep `max`.
    pub async fn save_filter_set(
        &mut self,
        user_id: i64,
        name: &str,
        filters: &str,
        now: i64,
        max: usize,
    ) -> StoreResult<FilterSetSaved> {
        let key = name_key(name);
        let same: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM report_filter_sets WHERE user_id = ?1 AND name_key = ?2")
                .bind(user_id)
                .bind(&key)
                .fetch_optional(self.read())
                .await?;
        if let Some((id,)) = same {
            let row = sqlx::query_as(
                "UPDATE report_filter_sets SET name = ?2, filters = ?3, saved_at = ?4 WHERE id = ?1
                 RETURNING id, name, filters, saved_at",
            )
            .bind(id)
            .bind(name)
            .bind(filters)
            .bind(now)
            .fetch_one(self.write())
            .await?;
            return Ok(FilterSetSaved::Replaced(row));
        }
        let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM report_filter_sets WHERE user_id = ?1")
            .bind(user_id)
            .fetch_one(self.read())
            .await?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= max {
            return Ok(FilterSetSaved::TooMany);
        }
        let row = sqlx::query_as(
            "INSERT INTO report_filter_sets (user_id, name, name_key, filters, saved_at) VALUES (?1, ?2, ?3, ?4, ?5)
             RETURNING id, name, filters, saved_at",
        )
        .bind(user_id)
        .bind(name)
        .bind(&key)
        .bind(filters)
        .bind(now)
        .fetch_one(self.write())
        .await?;
        Ok(FilterSetSaved::Created(row))
    }

    /// Delete set `id` of `user_id`; false when they have none by that id.
    pub async fn delete_filter_set(&mut self, user_id: i64, id: i64) -> StoreResult<bool> {
        let owned: Option<(i64,)> = sqlx::query_as("SELECT id FROM report_filter_sets WHERE id = ?1 AND user_id = ?2")
            .bind(id)
            .bind(user_id)
            .fetch_optional(self.read())
            .await?;
        if owned.is_none() {
            return Ok(false);
        }
        sqlx::query("DELETE FROM report_filter_sets WHERE id = ?1 AND user_id = ?2")
            .bind(id)
            .bind(user_id)
            .execute(self.write())
            .await?;
        Ok(true)
    }
}
