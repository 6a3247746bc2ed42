//! The one access rule: which individuals a user may see. Every query that returns pupil data
//! (incidents, notifications, and every list that comes after them) is written against the
//! `visible` table of [`visible_individuals!`], for a [`Viewer`] built from the user's role, so
//! the rule is written once and a permission change applies to the very next request (it is
//! read from the database every time; SECURITY.md rules 27 and 28).

use super::super::permissions::permissions;
use super::{Store, StoreResult, UserRow};

/// Who is reading: a user, and whether their role sees every individual
/// ([`crate::wire::Permissions::see_all_individuals`]); otherwise only the individuals granted
/// to them (`access_permissions`, and by group or year in `access_groups`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    /// The reading user.
    pub user_id: i64,
    /// The role sees every individual.
    pub sees_all: bool,
}

impl Viewer {
    /// The viewer `user` is, by their role.
    pub fn of(user: &UserRow) -> Viewer {
        Viewer {
            user_id: user.id,
            sees_all: permissions(user.role()).see_all_individuals,
        }
    }
}

/// A common table expression `visible(individual_id)`: the individuals the viewer bound as `?1`
/// (user id) and `?2` (sees all) may see: everyone for a role that sees all; otherwise those
/// granted one by one (`access_permissions`) and every individual, now or later, of a tutor group
/// or year group granted in `access_groups`. Use it as `concat!("WITH ", visible_individuals!(),
/// " SELECT …")` and bind the viewer first ([`bind_viewer`]).
///
/// An individual granted twice (one by one and by their group) appears twice: every use reads it
/// as `IN (SELECT individual_id FROM visible)`, `EXISTS` or `DISTINCT`, never as a join or a
/// count, so each individual is seen once (a `UNION` would sort every individual of a role that
/// sees all on every query).
macro_rules! visible_individuals {
    () => {
        "visible(individual_id) AS (
             SELECT id FROM individuals WHERE ?2 = 1
             UNION ALL
             SELECT individual_id FROM access_permissions WHERE ?2 = 0 AND user_id = ?1
             UNION ALL
             SELECT p.id FROM access_groups g JOIN individuals p ON p.group_name = g.name
              WHERE ?2 = 0 AND g.user_id = ?1 AND g.scope = 'group'
             UNION ALL
             SELECT p.id FROM access_groups g JOIN individuals p ON p.year_group = g.name
              WHERE ?2 = 0 AND g.user_id = ?1 AND g.scope = 'year')"
    };
}
pub(super) use visible_individuals;

/// The access rule of an incident (SECURITY.md rule 57): the incident aliased `$i` is visible
/// when the viewer may see every individual it is about (its primary individual and every
/// `subject` row), and it is not deleted. To be used inside a query built on
/// [`visible_individuals!`]; a role that sees every individual skips both checks (written
/// `?2 = 1 OR …`, so SQLite finds the incidents by time rather than visiting every individual
/// of `visible` in turn: 6,000 index searches for one report at `--scale 10`).
macro_rules! incident_visible {
    ($i:literal) => {
        concat!(
            "(",
            $i,
            ".deleted_at IS NULL AND (?2 = 1 OR ",
            $i,
            ".individual_id IN (SELECT individual_id FROM visible)) AND (?2 = 1 OR NOT EXISTS (
                 SELECT 1 FROM incident_individuals s WHERE s.incident_id = ",
            $i,
            ".id AND s.role = 'subject' AND s.individual_id NOT IN (SELECT individual_id FROM visible))))"
        )
    };
}
pub(super) use incident_visible;

/// The name of the individual aliased `$p`, as lists show it: the preferred name (or else the
/// first name) and the last name.
macro_rules! pupil_name {
    ($p:literal) => {
        concat!(
            "CASE WHEN ",
            $p,
            ".preferred_name <> '' THEN ",
            $p,
            ".preferred_name ELSE ",
            $p,
            ".first_name END || ' ' || ",
            $p,
            ".last_name"
        )
    };
}
pub(super) use pupil_name;

/// A query whose parameters start with a viewer.
type SqliteQueryAs<'q, T> = sqlx::query::QueryAs<'q, sqlx::Sqlite, T, sqlx::sqlite::SqliteArguments>;

/// Bind `viewer` as `?1` and `?2` of a query built on [`visible_individuals!`].
pub(super) fn bind_viewer<'q, T>(query: SqliteQueryAs<'q, T>, viewer: Viewer) -> SqliteQueryAs<'q, T> {
    query.bind(viewer.user_id).bind(viewer.sees_all)
}

/// Whether `viewer` may see individual `individual_id`, on the pool or inside a transaction.
pub(super) async fn can_see<'e, E: sqlx::SqliteExecutor<'e>>(
    executor: E,
    viewer: Viewer,
    individual_id: i64,
) -> StoreResult<bool> {
    let query = sqlx::query_as(concat!(
        "WITH ",
        visible_individuals!(),
        " SELECT EXISTS (SELECT 1 FROM visible WHERE individual_id = ?3)"
    ));
    let (seen,): (bool,) = bind_viewer(query, viewer)
        .bind(individual_id)
        .fetch_one(executor)
        .await?;
    Ok(seen)
}

impl Store {
    /// Whether `viewer` may see individual `individual_id` (an unknown id is not seen either).
    pub async fn can_see(&self, viewer: Viewer, individual_id: i64) -> StoreResult<bool> {
        can_see(&self.pool, viewer, individual_id).await
    }

    /// The ids of every individual `viewer` may see, in id order.
    pub async fn visible_individual_ids(&self, viewer: Viewer) -> StoreResult<Vec<i64>> {
        let query = sqlx::query_as(concat!(
            "WITH ",
            visible_individuals!(),
            " SELECT DISTINCT individual_id FROM visible ORDER BY individual_id"
        ));
        let rows: Vec<(i64,)> = bind_viewer(query, viewer).fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }
}
