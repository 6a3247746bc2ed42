//! Who may see which individuals, as the admin manages it: grants by tutor group or year group
//! (`access_groups`) and one by one (`access_permissions`), key staff, and the yearly access
//! review (`access_reviews`, policy 8.2). What a grant lets a user see is the one access rule of
//! `access`; this module only writes and counts grants.

use sqlx::FromRow;

use super::access::{Viewer, bind_viewer, can_see, pupil_name, visible_individuals};
use super::{Store, StoreResult, Tx};

/// A grant by group or year (`scope` `group` or `year`, `value` its name), or of one individual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Grant {
    /// Every individual whose `group_name` (scope `group`) or `year_group` (scope `year`) is the
    /// name.
    Group {
        /// `group` or `year`.
        scope: &'static str,
        /// The group's or year's name.
        name: String,
    },
    /// One individual.
    Individual(i64),
}

/// One grant held by a user, as the admin screens list it.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct GrantRow {
    /// `group`, `year` or `individual`.
    pub scope: String,
    /// The group or year name (empty for an individual).
    pub value: String,
    /// The individual (for `individual`).
    pub individual_id: Option<i64>,
    /// Their name (for `individual`).
    pub individual_name: Option<String>,
    /// Active individuals it covers now.
    pub individuals: i64,
    /// Who granted it.
    pub granted_by: Option<i64>,
    /// Their display name.
    pub granted_by_name: Option<String>,
    /// When (unix seconds).
    pub granted_at: i64,
}

/// A review confirmation.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ConfirmationRow {
    /// Who confirmed it.
    pub confirmed_by: i64,
    /// Their display name.
    pub confirmed_by_name: String,
    /// When (unix seconds).
    pub confirmed_at: i64,
    /// Individuals the user could see then.
    pub visible: i64,
}

/// An account as the access review lists it.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct ReviewAccountRow {
    /// User id.
    pub id: i64,
    /// Display name.
    pub display_name: String,
    /// Role as stored.
    pub role: String,
    /// `staff`, `supply` or `visitor`.
    pub kind: String,
}

/// A tutor group or year group and its active individuals.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct GroupRow {
    /// `group` or `year`.
    pub scope: String,
    /// Its name.
    pub name: String,
    /// Active individuals in it.
    pub individuals: i64,
}

/// An individual or a member of staff named in another row.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct NamedRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
}

/// How many active individuals `viewer` may see: what their `GET /individuals` lists.
pub(super) async fn visible_count<'e, E: sqlx::SqliteExecutor<'e>>(executor: E, viewer: Viewer) -> StoreResult<i64> {
    let query = sqlx::query_as(concat!(
        "WITH ",
        visible_individuals!(),
        " SELECT COUNT(*) FROM individuals p WHERE p.active = 1 AND p.id IN (SELECT individual_id FROM visible)"
    ));
    let (count,): (i64,) = bind_viewer(query, viewer).fetch_one(executor).await?;
    Ok(count)
}

impl Store {
    /// How many active individuals `viewer` may see now.
    pub async fn visible_count(&self, viewer: Viewer) -> StoreResult<i64> {
        visible_count(&self.pool, viewer).await
    }

    /// The grants of user `user_id`: groups, then years, then individuals, each by name.
    pub async fn grants_of(&self, user_id: i64) -> StoreResult<Vec<GrantRow>> {
        sqlx::query_as(concat!(
            "SELECT g.scope, g.name AS value, NULL AS individual_id, NULL AS individual_name,
                    CASE g.scope
                      WHEN 'group' THEN (SELECT COUNT(*) FROM individuals p WHERE p.group_name = g.name AND p.active = 1)
                      ELSE (SELECT COUNT(*) FROM individuals p WHERE p.year_group = g.name AND p.active = 1)
                    END AS individuals,
                    g.granted_by, b.display_name AS granted_by_name, g.granted_at,
                    CASE g.scope WHEN 'group' THEN 0 ELSE 1 END AS rank
             FROM access_groups g LEFT JOIN users b ON b.id = g.granted_by
             WHERE g.user_id = ?1
             UNION ALL
             SELECT 'individual', '', a.individual_id, ",
            pupil_name!("p"),
            ", 1, a.granted_by, b.display_name, a.granted_at, 2
             FROM access_permissions a JOIN individuals p ON p.id = a.individual_id
                  LEFT JOIN users b ON b.id = a.granted_by
             WHERE a.user_id = ?1
             ORDER BY rank, value, individual_name"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    /// The individuals user `user_id` is key staff of, by name.
    pub async fn key_staff_of(&self, user_id: i64) -> StoreResult<Vec<NamedRow>> {
        sqlx::query_as(concat!(
            "SELECT p.id, ",
            pupil_name!("p"),
            " AS name FROM key_staff k JOIN individuals p ON p.id = k.individual_id
              WHERE k.user_id = ?1 ORDER BY name, p.id"
        ))
        .bind(user_id)
        .fetch_all(&self.pool)
        .await
    }

    /// The key staff of individual `individual_id`, by name.
    pub async fn key_staff(&self, individual_id: i64) -> StoreResult<Vec<NamedRow>> {
        sqlx::query_as(
            "SELECT u.id, u.display_name AS name FROM key_staff k JOIN users u ON u.id = k.user_id
             WHERE k.individual_id = ?1 ORDER BY u.display_name, u.id",
        )
        .bind(individual_id)
        .fetch_all(&self.pool)
        .await
    }

    /// Individual `id` by name, whether or not anyone may see them (for the admin).
    pub async fn individual_named(&self, id: i64) -> StoreResult<Option<NamedRow>> {
        sqlx::query_as(concat!(
            "SELECT p.id, ",
            pupil_name!("p"),
            " AS name FROM individuals p WHERE p.id = ?1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// The last review confirmation of user `user_id`.
    pub async fn last_confirmation(&self, user_id: i64) -> StoreResult<Option<ConfirmationRow>> {
        sqlx::query_as(
            "SELECT r.confirmed_by, u.display_name AS confirmed_by_name, r.confirmed_at, r.visible
             FROM access_reviews r JOIN users u ON u.id = r.confirmed_by
             WHERE r.user_id = ?1 ORDER BY r.confirmed_at DESC, r.id DESC LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Every account that can sign in at `now` (active, not expired), by name.
    pub async fn reviewable_accounts(&self, now: i64) -> StoreResult<Vec<ReviewAccountRow>> {
        sqlx::query_as(
            "SELECT id, display_name, role, kind FROM users
             WHERE active = 1 AND (expires_at IS NULL OR expires_at > ?1)
             ORDER BY display_name, id",
        )
        .bind(now)
        .fetch_all(&self.pool)
        .await
    }

    /// The kind of account of user `user_id` (`staff`, `supply`, `visitor`).
    pub async fn account_kind(&self, user_id: i64) -> StoreResult<String> {
        let kind: Option<String> = sqlx::query_scalar("SELECT kind FROM users WHERE id = ?1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(kind.unwrap_or_else(|| "staff".to_string()))
    }

    /// Every year group, then every tutor group, each by name, with its active individuals.
    pub async fn groups(&self) -> StoreResult<Vec<GroupRow>> {
        sqlx::query_as(
            "SELECT 'year' AS scope, year_group AS name, COUNT(*) AS individuals FROM individuals
              WHERE active = 1 AND year_group <> '' GROUP BY year_group
             UNION ALL
             SELECT 'group', group_name, COUNT(*) FROM individuals
              WHERE active = 1 AND group_name <> '' GROUP BY group_name
             ORDER BY 1 DESC, 2",
        )
        .fetch_all(&self.pool)
        .await
    }
}

impl Tx {
    /// Whether some individual (active or not) is in group or year `name`.
    pub async fn group_exists(&mut self, scope: &str, name: &str) -> StoreResult<bool> {
        let sql = match scope {
            "group" => "SELECT EXISTS (SELECT 1 FROM individuals WHERE group_name = ?1)",
            _ => "SELECT EXISTS (SELECT 1 FROM individuals WHERE year_group = ?1)",
        };
        sqlx::query_scalar(sql).bind(name).fetch_one(self.read()).await
    }

    /// The name of individual `id`, if there is one.
    pub async fn individual_name(&mut self, id: i64) -> StoreResult<Option<String>> {
        sqlx::query_scalar(concat!(
            "SELECT ",
            pupil_name!("p"),
            " FROM individuals p WHERE p.id = ?1"
        ))
        .bind(id)
        .fetch_optional(self.read())
        .await
    }

    /// Give user `user_id` `grant` (by `by`, at `now`); false when they hold it already.
    pub async fn grant_access(&mut self, user_id: i64, grant: &Grant, by: i64, now: i64) -> StoreResult<bool> {
        let done = match grant {
            Grant::Group { scope, name } => sqlx::query(
                "INSERT INTO access_groups (user_id, scope, name, granted_by, granted_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id, scope, name) DO NOTHING",
            )
            .bind(user_id)
            .bind(*scope)
            .bind(name)
            .bind(by)
            .bind(now)
            .execute(self.write())
            .await?
            .rows_affected(),
            Grant::Individual(id) => sqlx::query(
                "INSERT INTO access_permissions (user_id, individual_id, level, granted_by, granted_at)
                 VALUES (?1, ?2, 'record', ?3, ?4) ON CONFLICT (user_id, individual_id) DO NOTHING",
            )
            .bind(user_id)
            .bind(id)
            .bind(by)
            .bind(now)
            .execute(self.write())
            .await?
            .rows_affected(),
        };
        Ok(done > 0)
    }

    /// Take `grant` from user `user_id`, then stop them being key staff of anyone they can no
    /// longer see (the fan-out of communications must not reach them). Answers whether they held
    /// it and how many key-staff places went with it.
    pub async fn revoke_access(&mut self, viewer: Viewer, grant: &Grant) -> StoreResult<(bool, u64)> {
        let done = match grant {
            Grant::Group { scope, name } => {
                sqlx::query("DELETE FROM access_groups WHERE user_id = ?1 AND scope = ?2 AND name = ?3")
                    .bind(viewer.user_id)
                    .bind(*scope)
                    .bind(name)
                    .execute(self.write())
                    .await?
            }
            Grant::Individual(id) => {
                sqlx::query("DELETE FROM access_permissions WHERE user_id = ?1 AND individual_id = ?2")
                    .bind(viewer.user_id)
                    .bind(id)
                    .execute(self.write())
                    .await?
            }
        }
        .rows_affected();
        if done == 0 {
            return Ok((false, 0));
        }
        let query = sqlx::query_as::<_, (i64,)>(concat!(
            "WITH ",
            visible_individuals!(),
            " DELETE FROM key_staff WHERE user_id = ?1 AND individual_id NOT IN (SELECT individual_id FROM visible)
              RETURNING individual_id"
        ));
        let dropped = bind_viewer(query, viewer).fetch_all(self.write()).await?;
        Ok((true, dropped.len() as u64))
    }

    /// Make user `viewer` key staff of `individual_id` (`on`) or stop. `None` when they cannot
    /// see the individual (only when adding); otherwise whether anything changed.
    pub async fn set_key_staff(&mut self, viewer: Viewer, individual_id: i64, on: bool) -> StoreResult<Option<bool>> {
        let changed = if on {
            if !can_see(self.read(), viewer, individual_id).await? {
                return Ok(None);
            }
            sqlx::query(
                "INSERT INTO key_staff (individual_id, user_id) VALUES (?1, ?2)
                 ON CONFLICT (individual_id, user_id) DO NOTHING",
            )
            .bind(individual_id)
            .bind(viewer.user_id)
            .execute(self.write())
            .await?
        } else {
            sqlx::query("DELETE FROM key_staff WHERE individual_id = ?1 AND user_id = ?2")
                .bind(individual_id)
                .bind(viewer.user_id)
                .execute(self.write())
                .await?
        };
        Ok(Some(changed.rows_affected() > 0))
    }

    /// Record that `by` confirmed at `now` what `viewer` sees; answers how many individuals that
    /// is.
    pub async fn confirm_access(&mut self, viewer: Viewer, by: i64, now: i64) -> StoreResult<i64> {
        let visible = visible_count(self.read(), viewer).await?;
        sqlx::query(
            "INSERT INTO access_reviews (user_id, confirmed_by, confirmed_at, visible) VALUES (?1, ?2, ?3, ?4)",
        )
        .bind(viewer.user_id)
        .bind(by)
        .bind(now)
        .bind(visible)
        .execute(self.write())
        .await?;
        Ok(visible)
    }
}
