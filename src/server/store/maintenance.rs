//! The statements of `bsmart admin backup / restore / retention / subject-access`
//! (`server::maintenance` holds the rules and the files; the SQL is here, as everywhere).
//!
//! - [`Store::open_snapshot`], [`Store::vacuum_into`] and [`Store::check_bsmart_database`]: a consistent online copy, and
//!   whether a file is a whole bsmart database.
//! - [`Tx::retention_due`] and [`Tx::apply_retention`]: what the retention rule finds due, and its
//!   removal in the caller's transaction.
//! - [`Store::subject_access`]: every record about one individual, as JSON, read in one snapshot.

use std::collections::BTreeSet;
use std::path::Path;

use super::{Store, StoreResult, Tx};

/// The tables a bsmart database has (a file without them is refused as "not bsmart").
const BSMART_TABLES: [&str; 5] = ["_sqlx_migrations", "setting", "users", "individuals", "audit_log"];

impl Store {
    /// Open a database file that nothing else writes (a backup) without locking it, creating a
    /// journal beside it or migrating it: `immutable`, read only.
    pub async fn open_snapshot(path: &Path) -> StoreResult<Store> {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .immutable(true);
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        Ok(Store::with_pool(pool))
    }

    /// Close every connection without a checkpoint (a read-only or snapshot store, which may
    /// not write its file).
    pub async fn close_snapshot(self) {
        self.pool.close().await;
    }

    /// Copy the database into the empty file at `to` with `VACUUM INTO`: one read transaction,
    /// so the copy is consistent while the server goes on writing.
    pub async fn vacuum_into(&self, to: &Path) -> StoreResult<()> {
        sqlx::query("VACUUM INTO ?1")
            .bind(to.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// `Ok(None)` when this is a whole bsmart database (its tables are there and
    /// `PRAGMA integrity_check` answers ok), else what is wrong with it.
    pub async fn check_bsmart_database(&self) -> StoreResult<Option<String>> {
        let mut missing = Vec::new();
        for table in BSMART_TABLES {
            let found: Option<(String,)> =
                sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?1")
                    .bind(table)
                    .fetch_optional(&self.pool)
                    .await?;
            if found.is_none() {
                missing.push(table);
            }
        }
        if !missing.is_empty() {
            return Ok(Some(format!(
                "it is not a bsmart database (it has no {} table)",
                missing.join(", ")
            )));
        }
        let checks: Vec<(String,)> = sqlx::query_as("PRAGMA integrity_check").fetch_all(&self.pool).await?;
        match checks.first() {
            Some((ok,)) if ok == "ok" && checks.len() == 1 => Ok(None),
            _ => Ok(Some(format!(
                "SQLite's integrity check failed ({} problems; the first: {})",
                checks.len(),
                checks.first().map_or("none reported", |(text,)| text.as_str())
            ))),
        }
    }
}

/// The retention rule's cut-off times (unix seconds): records whose last interaction is before
/// them are due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionCutoffs {
    /// Now.
    pub now: i64,
    /// Individuals (their reports and every other record about them): 75 years before now.
    pub individuals: i64,
    /// Accounts and drafts: 7 years before now.
    pub accounts: i64,
}

/// What the retention rule finds due (ids, kept inside the store and the command; only the
/// counts are ever shown or audited).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionDue {
    /// Individuals whose every record is due.
    pub individuals: Vec<i64>,
    /// Individuals past 75 years who share a report with someone whose records are kept, or
    /// whose report's own `retain_until` is later: held back, counted only.
    pub held_back: u64,
    /// Accounts to anonymise.
    pub accounts: Vec<i64>,
}

/// What a retention run removed (or, in a dry run, would remove).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionCounts {
    /// Individuals deleted.
    pub individuals: u64,
    /// Incident reports deleted (with their revisions, accounts, staff and techniques).
    pub incidents: u64,
    /// Clicks deleted.
    pub clicks: u64,
    /// Communications deleted (with their recipients and responses).
    pub communications: u64,
    /// Smart Plans deleted.
    pub plans: u64,
    /// Key contacts deleted.
    pub contacts: u64,
    /// Notifications deleted (those pointing at a deleted record, or held by an anonymised account).
    pub notifications: u64,
    /// Accounts anonymised.
    pub accounts: u64,
    /// Their sessions deleted.
    pub sessions: u64,
    /// Their recovery codes deleted.
    pub recovery_codes: u64,
    /// Their sign-in challenges deleted.
    pub challenges: u64,
    /// Their access grants (one by one, by group or year, key staff) deleted.
    pub grants: u64,
    /// Drafts deleted (not saved for 7 years, or held by an anonymised account).
    pub drafts: u64,
    /// Saved report filter sets of the anonymised accounts deleted (their names are the
    /// account's own words).
    pub filter_sets: u64,
}

/// The last interaction with individual `p`: the latest of its creation and of every incident
/// (as subject or involved), click, communication, response and plan about it.
macro_rules! individual_last_interaction {
    () => {
        "MAX(p.created_at,
             COALESCE((SELECT MAX(MAX(i.occurred_at, i.created_at, i.updated_at, COALESCE(i.parents_informed_at, -1000000000000000000),
                                      COALESCE(i.flagged_at, -1000000000000000000), COALESCE(i.deleted_at, -1000000000000000000)))
                       FROM incidents i
                       WHERE i.individual_id = p.id
                          OR i.id IN (SELECT ii.incident_id FROM incident_individuals ii WHERE ii.individual_id = p.id)), -1000000000000000000),
             COALESCE((SELECT MAX(MAX(c.occurred_at, c.recorded_at)) FROM clicks c WHERE c.individual_id = p.id), -1000000000000000000),
             COALESCE((SELECT MAX(c.created_at) FROM communications c WHERE c.individual_id = p.id), -1000000000000000000),
             COALESCE((SELECT MAX(r.created_at) FROM communication_responses r
                       JOIN communications c ON c.id = r.communication_id WHERE c.individual_id = p.id), -1000000000000000000),
             COALESCE((SELECT MAX(MAX(s.created_at, s.updated_at, COALESCE(s.deleted_at, -1000000000000000000)))
                       FROM smart_plans s WHERE s.individual_id = p.id), -1000000000000000000))"
    };
}

/// The ids of a JSON array bound as `?1` (one bind for any number of ids).
macro_rules! ids {
    () => {
        "(SELECT value FROM json_each(?1))"
    };
}

/// The incidents naming any of the individuals in `?1`.
macro_rules! incidents_of {
    () => {
        concat!(
            "(SELECT i.id FROM incidents i WHERE i.individual_id IN ",
            ids!(),
            " UNION SELECT ii.incident_id FROM incident_individuals ii WHERE ii.individual_id IN ",
            ids!(),
            ")"
        )
    };
}

/// A JSON array of `ids`, for [`ids!`].
pub(super) fn id_list(ids: &[i64]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_string())
}

impl Tx {
    /// What the retention rule finds due at `cutoffs`. Reads only.
    pub async fn retention_due(&mut self, cutoffs: RetentionCutoffs) -> StoreResult<RetentionDue> {
        let past: Vec<(i64,)> = sqlx::query_as(concat!(
            "SELECT p.id FROM individuals p WHERE ",
            individual_last_interaction!(),
            " < ?1 ORDER BY p.id"
        ))
        .bind(cutoffs.individuals)
        .fetch_all(self.read())
        .await?;
        let mut due: BTreeSet<i64> = past.iter().map(|(id,)| *id).collect();
        // A report is removed only with every individual it names, and not before its own
        // retain_until: hold back whoever shares one with someone kept, until nothing changes.
        loop {
            let list: Vec<i64> = due.iter().copied().collect();
            let blocked: Vec<(i64,)> = sqlx::query_as(concat!(
                "SELECT DISTINCT mine.individual_id FROM (
                     SELECT i.id AS incident_id, i.individual_id FROM incidents i
                     UNION SELECT ii.incident_id, ii.individual_id FROM incident_individuals ii) mine
                 WHERE mine.individual_id IN ",
                ids!(),
                " AND EXISTS (
                     SELECT 1 FROM incidents i
                     WHERE i.id = mine.incident_id
                       AND (i.retain_until > ?2 OR i.individual_id NOT IN ",
                ids!(),
                " OR EXISTS (SELECT 1 FROM incident_individuals o
                             WHERE o.incident_id = i.id AND o.individual_id NOT IN ",
                ids!(),
                ")))"
            ))
            .bind(id_list(&list))
            .bind(cutoffs.now)
            .fetch_all(self.read())
            .await?;
            if blocked.is_empty() {
                break;
            }
            for (id,) in blocked {
                due.remove(&id);
            }
        }
        let accounts: Vec<(i64,)> = sqlx::query_as(
            "SELECT u.id FROM users u
             WHERE u.email NOT LIKE 'retired-%@retention.invalid'
               AND (u.active = 0 OR (u.expires_at IS NOT NULL AND u.expires_at <= ?2))
               AND MAX(u.created_at, u.password_changed_at, COALESCE(u.deactivated_at, -1000000000000000000),
                       COALESCE(MIN(u.expires_at, ?2), -1000000000000000000),
                       COALESCE((SELECT MAX(MAX(s.created_at, s.last_seen_at)) FROM sessions s WHERE s.user_id = u.id), -1000000000000000000))
                   < ?1
             ORDER BY u.id",
        )
        .bind(cutoffs.accounts)
        .bind(cutoffs.now)
        .fetch_all(self.read())
        .await?;
        Ok(RetentionDue {
            held_back: (past.len() - due.len()) as u64,
            individuals: due.into_iter().collect(),
            accounts: accounts.into_iter().map(|(id,)| id).collect(),
        })
    }

    /// Count (`apply` false) or delete (`apply` true) what `due` names, plus the drafts not saved
    /// since the accounts' cut-off. The caller audits and commits (or drops, for a dry run).
    pub async fn apply_retention(
        &mut self,
        due: &RetentionDue,
        cutoffs: RetentionCutoffs,
        apply: bool,
    ) -> StoreResult<RetentionCounts> {
        let people = id_list(&due.individuals);
        let accounts = id_list(&due.accounts);
        // Each step: what it counts, and (when applying) the statement that removes it. The
        // accounts go first, so a grant of theirs to a removed individual is counted once.
        let individual_steps: [(&'static str, Option<&'static str>); 8] = [
            (
                concat!(
                    "SELECT COUNT(*) FROM notifications WHERE individual_id IN ",
                    ids!(),
                    " OR incident_id IN ",
                    incidents_of!(),
                    " OR communication_id IN (SELECT id FROM communications WHERE individual_id IN ",
                    ids!(),
                    ") OR plan_id IN (SELECT id FROM smart_plans WHERE individual_id IN ",
                    ids!(),
                    ") OR response_id IN (SELECT r.id FROM communication_responses r JOIN communications c
                        ON c.id = r.communication_id WHERE c.individual_id IN ",
                    ids!(),
                    ")"
                ),
                Some(concat!(
                    "DELETE FROM notifications WHERE individual_id IN ",
                    ids!(),
                    " OR incident_id IN ",
                    incidents_of!(),
                    " OR communication_id IN (SELECT id FROM communications WHERE individual_id IN ",
                    ids!(),
                    ") OR plan_id IN (SELECT id FROM smart_plans WHERE individual_id IN ",
                    ids!(),
                    ") OR response_id IN (SELECT r.id FROM communication_responses r JOIN communications c
                        ON c.id = r.communication_id WHERE c.individual_id IN ",
                    ids!(),
                    ")"
                )),
            ),
            // Another individual's plan that cites a removed report keeps itself, not the citation.
            (
                "SELECT 0",
                Some(concat!(
                    "UPDATE smart_plans SET source_incident_id = NULL WHERE source_incident_id IN ",
                    incidents_of!()
                )),
            ),
            (
                concat!("SELECT COUNT(*) FROM smart_plans WHERE individual_id IN ", ids!()),
                Some(concat!("DELETE FROM smart_plans WHERE individual_id IN ", ids!())),
            ),
            (
                concat!("SELECT COUNT(*) FROM incidents WHERE id IN ", incidents_of!()),
                Some(concat!("DELETE FROM incidents WHERE id IN ", incidents_of!())),
            ),
            (
                concat!("SELECT COUNT(*) FROM communications WHERE individual_id IN ", ids!()),
                Some(concat!("DELETE FROM communications WHERE individual_id IN ", ids!())),
            ),
            (
                concat!("SELECT COUNT(*) FROM clicks WHERE individual_id IN ", ids!()),
                Some(concat!("DELETE FROM clicks WHERE individual_id IN ", ids!())),
            ),
            (
                concat!("SELECT COUNT(*) FROM key_contacts WHERE individual_id IN ", ids!()),
                None,
            ),
            (
                concat!("SELECT COUNT(*) FROM individuals WHERE id IN ", ids!()),
                Some(concat!("DELETE FROM individuals WHERE id IN ", ids!())),
            ),
        ];
        let account_steps: [(&'static str, &'static str); 7] = [
            (
                concat!("SELECT COUNT(*) FROM sessions WHERE user_id IN ", ids!()),
                concat!("DELETE FROM sessions WHERE user_id IN ", ids!()),
            ),
            (
                concat!("SELECT COUNT(*) FROM recovery_codes WHERE user_id IN ", ids!()),
                concat!("DELETE FROM recovery_codes WHERE user_id IN ", ids!()),
            ),
            (
                concat!("SELECT COUNT(*) FROM auth_challenges WHERE user_id IN ", ids!()),
                concat!("DELETE FROM auth_challenges WHERE user_id IN ", ids!()),
            ),
            (
                concat!(
                    "SELECT (SELECT COUNT(*) FROM access_permissions WHERE user_id IN ",
                    ids!(),
                    ") + (SELECT COUNT(*) FROM access_groups WHERE user_id IN ",
                    ids!(),
                    ") + (SELECT COUNT(*) FROM key_staff WHERE user_id IN ",
                    ids!(),
                    ")"
                ),
                concat!(
                    "DELETE FROM access_permissions WHERE user_id IN ",
                    ids!(),
                    "; DELETE FROM access_groups WHERE user_id IN ",
                    ids!(),
                    "; DELETE FROM key_staff WHERE user_id IN ",
                    ids!()
                ),
            ),
            (
                concat!("SELECT COUNT(*) FROM notifications WHERE user_id IN ", ids!()),
                concat!("DELETE FROM notifications WHERE user_id IN ", ids!()),
            ),
            (
                concat!(
                    "SELECT COUNT(*) FROM drafts WHERE user_id IN ",
                    ids!(),
                    " OR saved_at < ?2"
                ),
                concat!("DELETE FROM drafts WHERE user_id IN ", ids!(), " OR saved_at < ?2"),
            ),
            (
                concat!("SELECT COUNT(*) FROM report_filter_sets WHERE user_id IN ", ids!()),
                concat!("DELETE FROM report_filter_sets WHERE user_id IN ", ids!()),
            ),
        ];
        let mut removed = [0u64; 7];
        for (n, (count, delete)) in account_steps.iter().enumerate() {
            removed[n] = self.count_bound(count, &accounts, cutoffs.accounts).await?;
            if apply {
                for statement in delete.split("; ") {
                    let query = sqlx::query(sqlx::AssertSqlSafe(statement.to_string())).bind(&accounts);
                    let query = if statement.contains("?2") {
                        query.bind(cutoffs.accounts)
                    } else {
                        query
                    };
                    query.execute(self.write()).await?;
                }
            }
        }
        let mut found = [0u64; 8];
        for (n, (count, delete)) in individual_steps.iter().enumerate() {
            found[n] = self.count_bound(count, &people, cutoffs.accounts).await?;
            if apply && let Some(delete) = delete {
                sqlx::query(*delete).bind(&people).execute(self.write()).await?;
            }
        }
        if apply {
            // Records stay attributed to the account; what named the person goes.
            sqlx::query(concat!(
                "UPDATE users SET email = 'retired-' || id || '@retention.invalid',
                     display_name = 'Former staff member ' || id, job_title = '',
                     password_hash = '!retired', password_is_temporary = 0, temporary_expires_at = NULL,
                     totp_secret_sealed = NULL, totp_pending_sealed = NULL, failed_attempts = 0,
                     locked_at = NULL, active = 0
                 WHERE id IN ",
                ids!()
            ))
            .bind(&accounts)
            .execute(self.write())
            .await?;
        }
        Ok(RetentionCounts {
            notifications: found[0] + removed[4],
            plans: found[2],
            incidents: found[3],
            communications: found[4],
            clicks: found[5],
            contacts: found[6],
            individuals: found[7],
            accounts: due.accounts.len() as u64,
            sessions: removed[0],
            recovery_codes: removed[1],
            challenges: removed[2],
            grants: removed[3],
            drafts: removed[5],
            filter_sets: removed[6],
        })
    }

    /// `SELECT COUNT(*)`-like `sql` with the id list as `?1` and, when it uses one, `cutoff` as `?2`.
    async fn count_bound(&mut self, sql: &'static str, ids: &str, cutoff: i64) -> StoreResult<u64> {
        let query = sqlx::query_as(sql).bind(ids);
        let query = if sql.contains("?2") { query.bind(cutoff) } else { query };
        let (n,): (i64,) = query.fetch_one(self.read()).await?;
        Ok(n.max(0) as u64)
    }
}
