//! Clicks of the Behaviour Clicker: recording one inside the group-commit writer's transaction
//! (`server::click_writer`), undoing one, and the lists and counts of a profile, each read
//! through the one access rule of [`super::access`].

use sqlx::FromRow;

use super::access::{bind_viewer, visible_individuals};
use super::{Store, StoreResult, Tx, Viewer};

/// A recorded click, with the name of the member of staff who recorded it.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ClickRow {
    /// The client-made UUID, hyphenated lower case.
    pub id: String,
    /// The individual.
    pub individual_id: i64,
    /// The behaviour.
    pub behaviour_id: i64,
    /// Who recorded it.
    pub user_id: i64,
    /// Their display name.
    pub recorded_by: String,
    /// When it was seen (unix seconds).
    pub occurred_at: i64,
    /// When the server recorded it (unix seconds).
    pub recorded_at: i64,
}

/// What recording a click came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recorded {
    /// A new click.
    Created(ClickRow),
    /// The same click was recorded before (a retry): the record as it was first recorded.
    Existing(ClickRow),
    /// The id belongs to another click (another body or another user): nothing was recorded.
    Conflict,
}

/// Which clicks a list holds (besides the access rule and undone clicks, always left out).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClickFilter {
    /// Only this behaviour.
    pub behaviour_id: Option<i64>,
    /// Only clicks seen at or after (unix seconds).
    pub from: Option<i64>,
    /// Only clicks seen before (unix seconds).
    pub to: Option<i64>,
}

/// What an undo came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undo {
    /// No such click, or one about an individual the user may not see.
    NotFound,
    /// Another member of staff recorded it.
    NotTheAuthor,
    /// The undo window has closed.
    TooLate,
    /// It was undone before (a retried undo).
    AlreadyUndone,
    /// Undone now.
    Undone,
}

/// The columns of a [`ClickRow`] of clicks `c` joined to their recorder `u`.
macro_rules! click_rows {
    () => {
        " SELECT c.id, c.individual_id, c.behaviour_id, c.user_id, u.display_name AS recorded_by,
                 c.occurred_at, c.recorded_at
          FROM clicks c JOIN users u ON u.id = c.user_id"
    };
}

/// The conditions of a page of clicks after the individual's: not undone, visible, the filter
/// (`?4` behaviour, `?5` from, `?6` to), after the cursor (`?7` time, `?8` id), newest first,
/// `?9` rows.
macro_rules! click_page_conditions {
    () => {
        " AND c.deleted_at IS NULL
          AND c.individual_id IN (SELECT individual_id FROM visible)
          AND (?4 IS NULL OR c.behaviour_id = ?4)
          AND (?5 IS NULL OR c.occurred_at >= ?5)
          AND (?6 IS NULL OR c.occurred_at < ?6)
          AND (?7 IS NULL OR c.occurred_at < ?7 OR (c.occurred_at = ?7 AND c.id < ?8))
          ORDER BY c.occurred_at DESC, c.id DESC
          LIMIT ?9"
    };
}

impl Tx {
    /// Record `click` unless its id is taken: a new click is [`Recorded::Created`]; the same
    /// click again (same individual, behaviour, user and time) is [`Recorded::Existing`] with
    /// the record as first made; anything else under that id is a [`Recorded::Conflict`].
    pub async fn record_click(&mut self, click: &ClickRow) -> StoreResult<Recorded> {
        let inserted = sqlx::query(
            "INSERT INTO clicks (id, individual_id, behaviour_id, user_id, occurred_at, recorded_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO NOTHING",
        )
        .bind(&click.id)
        .bind(click.individual_id)
        .bind(click.behaviour_id)
        .bind(click.user_id)
        .bind(click.occurred_at)
        .bind(click.recorded_at)
        .execute(self.write())
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Recorded::Created(click.clone()));
        }
        let first: Option<(i64, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT individual_id, behaviour_id, user_id, occurred_at, recorded_at FROM clicks WHERE id = ?1",
        )
        .bind(&click.id)
        .fetch_optional(self.read())
        .await?;
        Ok(match first {
            Some((individual_id, behaviour_id, user_id, occurred_at, recorded_at))
                if (individual_id, behaviour_id, user_id, occurred_at)
                    == (
                        click.individual_id,
                        click.behaviour_id,
                        click.user_id,
                        click.occurred_at,
                    ) =>
            {
                Recorded::Existing(ClickRow {
                    recorded_at,
                    ..click.clone()
                })
            }
            _ => Recorded::Conflict,
        })
    }

    /// Undo click `id` for `viewer`: only its author, and only within `window` seconds of its
    /// recording; a click already undone by its author answers [`Undo::AlreadyUndone`].
    pub async fn undo_click(&mut self, viewer: Viewer, id: &str, now: i64, window: i64) -> StoreResult<Undo> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT user_id, recorded_at, deleted_at FROM clicks
              WHERE id = ?3 AND individual_id IN (SELECT individual_id FROM visible)"
        ));
        let found: Option<(i64, i64, Option<i64>)> =
            bind_viewer(query, viewer).bind(id).fetch_optional(self.read()).await?;
        let Some((author, recorded_at, deleted_at)) = found else {
            return Ok(Undo::NotFound);
        };
        if author != viewer.user_id {
            return Ok(Undo::NotTheAuthor);
        }
        if deleted_at.is_some() {
            return Ok(Undo::AlreadyUndone);
        }
        if now - recorded_at > window {
            return Ok(Undo::TooLate);
        }
        sqlx::query("UPDATE clicks SET deleted_at = ?2, deleted_by = ?3 WHERE id = ?1")
            .bind(id)
            .bind(now)
            .bind(viewer.user_id)
            .execute(self.write())
            .await?;
        Ok(Undo::Undone)
    }
}

impl Store {
    /// Whether `viewer` may record a click about `individual_id` (they may see them) and
    /// whether `behaviour_id` is an active behaviour.
    pub async fn click_target(
        &self,
        viewer: Viewer,
        individual_id: i64,
        behaviour_id: i64,
    ) -> StoreResult<(bool, bool)> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT EXISTS (SELECT 1 FROM visible WHERE individual_id = ?3),
                     EXISTS (SELECT 1 FROM behaviours WHERE id = ?4 AND active = 1)"
        ));
        bind_viewer(query, viewer)
            .bind(individual_id)
            .bind(behaviour_id)
            .fetch_one(&self.pool)
            .await
    }

    /// A page of the clicks `viewer` may see, newest first (by when they were seen), of one
    /// individual or of all; `after` is the (time, id) of the last click of the page before.
    pub async fn clicks_page(
        &self,
        viewer: Viewer,
        individual_id: Option<i64>,
        filter: ClickFilter,
        after: Option<(i64, String)>,
        limit: i64,
    ) -> StoreResult<Vec<ClickRow>> {
        // Two statements rather than `?3 IS NULL OR …`, so that one individual's clicks are read
        // through their index.
        let query = match individual_id {
            Some(_) => sqlx::query_as(concat!(
                "WITH ",
                visible_individuals!(),
                click_rows!(),
                " WHERE c.individual_id = ?3",
                click_page_conditions!()
            )),
            None => sqlx::query_as(concat!(
                "WITH ",
                visible_individuals!(),
                click_rows!(),
                " WHERE ?3 IS NULL",
                click_page_conditions!()
            )),
        };
        let (after_at, after_id) = after.unzip();
        bind_viewer(query, viewer)
            .bind(individual_id)
            .bind(filter.behaviour_id)
            .bind(filter.from)
            .bind(filter.to)
            .bind(after_at)
            .bind(after_id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }

    /// How many clicks (not undone) of each behaviour `individual_id` has on each UTC day
    /// (days since the epoch) from `since`: (day, behaviour, count), for a viewer who may see
    /// them (none otherwise).
    pub async fn click_counts(
        &self,
        viewer: Viewer,
        individual_id: i64,
        since: i64,
    ) -> StoreResult<Vec<(i64, i64, i64)>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT c.occurred_at / 86400 AS day, c.behaviour_id, COUNT(*)
              FROM clicks c
              WHERE c.individual_id = ?3 AND c.occurred_at >= ?4 AND c.deleted_at IS NULL
                AND c.individual_id IN (SELECT individual_id FROM visible)
              GROUP BY day, c.behaviour_id
              ORDER BY day, c.behaviour_id"
        ));
        bind_viewer(query, viewer)
            .bind(individual_id)
            .bind(since)
            .fetch_all(&self.pool)
            .await
    }
}
