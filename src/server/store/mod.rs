//! The store: every SQL statement of the server lives here.
//!
//! Handlers call `Store` methods only and never see SQL, so a PostgreSQL store can be added
//! later (behind the same methods, or a trait extracted from them) without touching a handler.
//! The statements are plain runtime `sqlx::query`/`query_as` (no compile-time checking against
//! a `DATABASE_URL`), written in the subset of SQL that SQLite and PostgreSQL share where that
//! is possible (`RETURNING`, `ON CONFLICT … DO UPDATE`).
//!
//! SQLite is opened in WAL mode with foreign keys on, `synchronous=FULL` (a committed sign-in
//! failure or audit row survives a power cut) and a busy timeout, so parallel writers wait for
//! each other instead of failing with `SQLITE_BUSY`. Commits never checkpoint the WAL
//! (`wal_autocheckpoint=0`): the server's [`checkpointer`](super::checkpointer) does it beside
//! them, and SQLite checkpoints when a command-line tool's last connection closes.
//!
//! Writes go through a [`Tx`] (`BEGIN IMMEDIATE`), which also writes the audit rows of what it
//! changes and refuses to commit a change without one: a change and its audit row are
//! committed together or not at all. Only four writes stand alone, each for a reason: the
//! reservation of a sign-in attempt ([`Store::reserve_attempt`], which parallel requests must
//! see before the check; its audit row comes with its resolution), the idle timer of a session
//! ([`Store::touch_session`], bookkeeping), and creating the setting row and seeding demo data
//! (a new database). One write goes without an audit row: a save over the user's own draft
//! ([`Tx::skip_audit_for_draft_save`]; the draft's creation and deletion are audited). Reads that
//! return pupil data use the one access rule of `access`.
//!
//! Layout: this module opens the database (pragmas, migrations); `tx` is the write
//! transaction; the methods are grouped by what they hold: [`setting`], [`users`] (accounts,
//! the lock-out counter, TOTP and recovery codes), [`sessions`] (sessions and sign-in
//! challenges), [`audit`], `access` (who may see which individuals), [`records`] (incidents
//! and notifications), [`individuals`] (the list and a profile), [`chronology`] (a pupil's
//! incidents, clicks and communications in one timeline), [`clicks`] (the clicker's
//! records, written by the group-commit writer `server::click_writer`), [`communications`]
//! (messages to key staff and their threads), [`incidents`] (incident reports, their numbers,
//! revisions and management), [`plans`] (Smart Plans and drafts), [`reports`] (analytics: the
//! figures, counted by `report_counts` over the in-memory `report_index`, and the incidents
//! behind a row), [`filter_sets`] (each user's saved report filters), [`lists`] (behaviours and
//! bell times), the administration's [`admin_access`] (grants, key staff, the access review),
//! [`admin_lists`] (editing the setting's lists) and [`admin_audit`] (reading the audit log),
//! [`maintenance`] (backup, restore and the retention rule), [`subject_access`] (one
//! individual's records for a subject access request) and [`demo`] (seeding the demo data).

mod access;
mod admin_access;
mod admin_audit;
mod admin_lists;
mod admin_users;
mod audit;
mod chronology;
mod clicks;
mod communications;
mod demo;
mod filter_sets;
mod incidents;
mod individuals;
mod lists;
mod maintenance;
mod plans;
mod records;
mod report_counts;
mod report_index;
mod report_keys;
mod reports;
mod sessions;
mod setting;
mod subject_access;
mod tx;
mod users;

use std::path::Path;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use access::Viewer;
pub use admin_access::{ConfirmationRow, Grant, GrantRow, GroupRow, NamedRow, ReviewAccountRow};
pub use admin_audit::AuditFilter;
pub use admin_lists::{EntryInput, EntryRefused, EntryRow, ListTable};
pub use admin_users::{AdminSessionRow, AdminUserFilter, AdminUserRow, NewAccount};
pub use chronology::{ChronologyKey, ChronologyRow, ChronologySource};
pub use clicks::{ClickFilter, ClickRow, Recorded, Undo};
pub use communications::{About, CommunicationRow, NewMessage, RecipientRow, ResponseRow, Written};
pub use filter_sets::{FilterSetRow, FilterSetSaved};
pub use incidents::{
    AccountRow, Created, DisplayNames, Edited, INDIVIDUAL_FIELDS, IncidentDetail, IncidentFullRow, IncidentInput,
    ItemRow, NamedIndividual, PhysicalInput, Refusal, RevisionRow, TechniqueUseRow, individual_field,
};
pub use individuals::{ContactRow, IndividualListRow, IndividualRow, PlanRow, StaffGrantRow};
pub use lists::{BehaviourRow, BellRow};
pub use maintenance::{RetentionCounts, RetentionCutoffs, RetentionDue};
pub use plans::{DraftRow, DraftSaved, PlanFullRow, PlanInput, PlanWritten};
pub use records::{IncidentFilter, IncidentRow, NotificationRow};
pub use report_counts::Counted;
pub use report_keys::ReportKeyRow;
pub use reports::{Grouping, HourRow, ReportFilter, ReportGroupRow, ReportRecords, RowMatch, TotalsRow};
pub use sessions::{SessionClient, SessionRow, Stage};
pub use setting::SettingRow;
pub use tx::Tx;
pub use users::{Attempt, Lockout, NewUser, Resolution, Subject, UserRow, role_of};

/// Result of the store's methods.
pub type StoreResult<T> = Result<T, sqlx::Error>;

/// The database behind the server.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    /// Whose turn it is to write: [`Store::begin`] waits here (in FIFO order) before `BEGIN
    /// IMMEDIATE`, so parallel writers of this process queue on a fair async lock instead of
    /// sleeping in SQLite's busy handler, whose growing sleeps made the p99 of 16 parallel
    /// report submissions over a second.
    writer: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// What reports count, in memory ([`report_index`]), shared by the store's clones.
    reports: std::sync::Arc<report_index::ReportIndex>,
}

impl Store {
    /// The store over `pool`, with its own writer lock and report index.
    fn with_pool(pool: SqlitePool) -> Store {
        Store {
            pool,
            writer: Default::default(),
            reports: Default::default(),
        }
    }

    /// Open (and with `create`, create) the SQLite database at `path` and apply the migrations.
    /// A new file is created with mode 0600 (SQLite gives its WAL and shared-memory files the
    /// same mode): it holds records about children.
    pub async fn open(path: &Path, create: bool) -> StoreResult<Store> {
        if create && !path.exists() {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            options.open(path).map_err(sqlx::Error::Io)?;
        }
        let options = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30))
            // No commit checkpoints: the server's checkpointer does it beside the writers.
            .pragma("wal_autocheckpoint", "0");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        sqlx::migrate!("assets/migrations")
            .run(&pool)
            .await
            .map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
        Ok(Store::with_pool(pool))
    }

    /// Open an existing database read-only, without migrating it (for `verify-audit`, which
    /// must not change what it checks).
    pub async fn open_read_only(path: &Path) -> StoreResult<Store> {
        let options = SqliteConnectOptions::new()
            .filename(path)
            .read_only(true)
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await?;
        Ok(Store::with_pool(pool))
    }

    /// Copy what the WAL holds back into the main file as far as no reader needs it, without
    /// taking the write lock (see [`checkpointer`](super::checkpointer)).
    pub async fn checkpoint(&self) -> StoreResult<()> {
        sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Load the report index now (the server does it as it starts, so the first report is as
    /// quick as the next).
    pub async fn warm_reports(&self) -> StoreResult<()> {
        self.reports.current(&self.pool).await.map(drop)
    }

    /// Empty the report index's change log of what it has applied, when that is long (the
    /// checkpointer calls it).
    pub async fn prune_report_changes(&self) -> StoreResult<()> {
        self.reports.prune(&self.pool, &self.writer).await
    }

    /// Write the WAL back into the main file and close every connection (before copying it).
    pub async fn close(self) -> StoreResult<()> {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await?;
        self.pool.close().await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::audit::AuditEntry;
    use super::*;

    const LOCKOUT: Lockout = Lockout {
        threshold: 6,
        stale_after: 120,
    };

    async fn store_with_user() -> (tempfile::TempDir, Store, i64) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("s.db"), true).await.unwrap();
        let user = NewUser {
            email: "a@example.test",
            display_name: "A",
            role: "staff",
            password_hash: "x",
            temporary_expires_at: None,
            now: 1,
        };
        let mut tx = store.begin().await.unwrap();
        let id = tx.create_user(&user).await.unwrap();
        tx.audit(&AuditEntry::new(1, None, "test", "account.create", "success"))
            .await
            .unwrap();
        tx.commit().await.unwrap();
        (dir, store, id)
    }

    fn audit_entry() -> AuditEntry {
        AuditEntry::new(1, None, "test", "test.event", "success")
    }

    /// Resolve `attempt` in a transaction of its own, with an audit row.
    async fn resolve(store: &Store, attempt: Attempt, how: &str) -> Resolution {
        let mut tx = store.begin().await.unwrap();
        let resolution = match how {
            "failed" => tx.attempt_failed(attempt, 6, 100).await,
            "passed" => tx.attempt_passed(attempt, 6, 100).await,
            _ => tx.attempt_partially_passed(attempt, 6, 100).await,
        }
        .unwrap();
        tx.audit(&audit_entry()).await.unwrap();
        tx.commit().await.unwrap();
        resolution
    }

    async fn count(store: &Store, id: i64) -> (i64, bool) {
        let user = store.user_by_id(id).await.unwrap().unwrap();
        (user.failed_attempts, user.locked_at.is_some())
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn new_database_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let (dir, store, _) = store_with_user().await;
        for name in ["s.db", "s.db-wal"] {
            let mode = std::fs::metadata(dir.path().join(name)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{name}");
        }
        store.close().await.unwrap();
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn totp_step_is_compare_and_set() {
        let (_dir, store, id) = store_with_user().await;
        let advance = |store: Store, step: i64| async move {
            let mut tx = store.begin().await.unwrap();
            let won = tx.advance_totp_step(id, step).await.unwrap();
            tx.audit(&audit_entry()).await.unwrap();
            tx.commit().await.unwrap();
            won
        };
        assert!(advance(store.clone(), 5).await);
        assert!(!advance(store.clone(), 5).await, "the same step twice");
        assert!(!advance(store.clone(), 4).await, "an earlier step");
        assert!(advance(store.clone(), 6).await);
        let tasks: Vec<_> = (0..10).map(|_| tokio::spawn(advance(store.clone(), 7))).collect();
        let mut wins = 0;
        for task in tasks {
            wins += usize::from(task.await.unwrap());
        }
        assert_eq!(wins, 1, "exactly one parallel request may spend a step");
    }

    /// The reservation is the lock-out's guarantee: of 20 parallel attempts, six are counted
    /// (numbered 1 to 6) and the others refused before any check.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn parallel_reservations_count_six_and_refuse_the_rest() {
        let (_dir, store, id) = store_with_user().await;
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.reserve_attempt(Subject::User(id), LOCKOUT, 100).await.unwrap() })
            })
            .collect();
        let mut attempts = Vec::new();
        for task in tasks {
            attempts.extend(task.await.unwrap());
        }
        assert_eq!(attempts.len(), 6);
        let (mut numbers, mut newly) = (Vec::new(), 0);
        for attempt in attempts {
            let resolution = resolve(&store, attempt, "failed").await;
            assert!(resolution.locked);
            numbers.push(resolution.number);
            newly += usize::from(resolution.newly_locked);
        }
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=6).collect::<Vec<_>>());
        assert_eq!(newly, 1, "locked once");
        assert_eq!(count(&store, id).await, (6, true));
        assert!(
            store
                .reserve_attempt(Subject::User(id), LOCKOUT, 101)
                .await
                .unwrap()
                .is_none()
        );
        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.unlock("A@example.test").await.unwrap(), Some(id));
        tx.audit(&audit_entry()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(count(&store, id).await, (0, false));
        assert!(
            store
                .reserve_attempt(Subject::User(id), LOCKOUT, 102)
                .await
                .unwrap()
                .is_some()
        );
    }

    /// A success resets the count only when it is alone; beside another attempt in flight it
    /// stays counted. A partial success takes itself off the count only when alone.
    #[tokio::test]
    async fn successes_reset_only_when_alone() {
        let (_dir, store, id) = store_with_user().await;
        let reserve = || store.reserve_attempt(Subject::User(id), LOCKOUT, 100);
        let first = reserve().await.unwrap().unwrap();
        resolve(&store, first, "failed").await;
        let alone = reserve().await.unwrap().unwrap();
        assert_eq!(resolve(&store, alone, "partial").await.number, 2);
        assert_eq!(
            count(&store, id).await,
            (1, false),
            "a lone partial success is not counted"
        );
        let success = reserve().await.unwrap().unwrap();
        let other = reserve().await.unwrap().unwrap();
        assert!(!resolve(&store, success, "passed").await.locked);
        assert_eq!(
            count(&store, id).await,
            (3, false),
            "a success beside another attempt stays counted"
        );
        resolve(&store, other, "failed").await;
        let later = reserve().await.unwrap().unwrap();
        let partial = reserve().await.unwrap().unwrap();
        resolve(&store, later, "failed").await;
        resolve(&store, partial, "partial").await;
        assert_eq!(
            count(&store, id).await,
            (4, false),
            "alone once the attempt beside it has resolved"
        );
        let last = reserve().await.unwrap().unwrap();
        assert!(!resolve(&store, last, "passed").await.locked);
        assert_eq!(count(&store, id).await, (0, false), "a lone full success resets");
    }

    /// A success that would leave the sixth attempt counted locks, and is itself refused.
    #[tokio::test]
    async fn a_success_at_the_threshold_beside_others_locks() {
        let (_dir, store, id) = store_with_user().await;
        let mut attempts = Vec::new();
        for _ in 0..6 {
            attempts.push(
                store
                    .reserve_attempt(Subject::User(id), LOCKOUT, 100)
                    .await
                    .unwrap()
                    .unwrap(),
            );
        }
        let success = attempts.pop().unwrap();
        let resolution = resolve(&store, success, "passed").await;
        assert!(resolution.locked && resolution.newly_locked);
        for attempt in attempts {
            assert!(!resolve(&store, attempt, "failed").await.newly_locked);
        }
        assert_eq!(count(&store, id).await, (6, true));
    }

    /// A check that never resolved holds its slot only until it is stale.
    #[tokio::test]
    async fn a_lost_attempt_stops_holding_its_slot_after_a_while() {
        let (_dir, store, id) = store_with_user().await;
        let lost = store
            .reserve_attempt(Subject::User(id), LOCKOUT, 100)
            .await
            .unwrap()
            .unwrap();
        drop(lost); // the check crashed
        let soon = store
            .reserve_attempt(Subject::User(id), LOCKOUT, 150)
            .await
            .unwrap()
            .unwrap();
        resolve(&store, soon, "passed").await;
        assert_eq!(
            count(&store, id).await,
            (2, false),
            "the lost attempt is still in flight"
        );
        let later = store
            .reserve_attempt(Subject::User(id), LOCKOUT, 400)
            .await
            .unwrap()
            .unwrap();
        resolve(&store, later, "passed").await;
        assert_eq!(count(&store, id).await, (0, false), "the lost slot lapsed");
    }

    #[tokio::test]
    async fn unknown_emails_lock_like_accounts() {
        let (_dir, store, _) = store_with_user().await;
        let subject = || Subject::UnknownEmail("h".to_string());
        for n in 1..=6 {
            let attempt = store.reserve_attempt(subject(), LOCKOUT, 10).await.unwrap().unwrap();
            let resolution = resolve(&store, attempt, "passed").await;
            assert_eq!(resolution.number, n);
            assert_eq!((resolution.locked, resolution.newly_locked), (n == 6, n == 6));
        }
        assert!(store.reserve_attempt(subject(), LOCKOUT, 10).await.unwrap().is_none());
        let mut tx = store.begin().await.unwrap();
        assert!(tx.clear_unknown_failures("h").await.unwrap());
        tx.audit(&audit_entry()).await.unwrap();
        tx.commit().await.unwrap();
        assert!(store.reserve_attempt(subject(), LOCKOUT, 10).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn challenges_are_single_use_bound_to_a_stage_and_expire() {
        let (_dir, store, id) = store_with_user().await;
        let mut tx = store.begin().await.unwrap();
        tx.create_challenge("c1", id, Stage::Totp, 100, 400).await.unwrap();
        tx.audit(&audit_entry()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(
            store.challenge_user("c1", Stage::PasswordChange, 200).await.unwrap(),
            None
        );
        assert_eq!(
            store.challenge_user("c1", Stage::Totp, 400).await.unwrap(),
            None,
            "expired"
        );
        assert_eq!(store.challenge_user("c1", Stage::Totp, 200).await.unwrap(), Some(id));
        let mut tx = store.begin().await.unwrap();
        assert_eq!(tx.consume_challenge("c1", Stage::Totp, 200).await.unwrap(), Some(id));
        assert_eq!(
            tx.consume_challenge("c1", Stage::Totp, 201).await.unwrap(),
            None,
            "used"
        );
        tx.audit(&audit_entry()).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.challenge_user("c1", Stage::Totp, 201).await.unwrap(), None);
    }

    #[tokio::test]
    async fn password_change_ends_every_session() {
        let (_dir, store, id) = store_with_user().await;
        let mut tx = store.begin().await.unwrap();
        let s1 = tx
            .create_session("t1", id, 10, 1000, 10, SessionClient::default())
            .await
            .unwrap();
        tx.create_session("t2", id, 10, 1000, 10, SessionClient::default())
            .await
            .unwrap();
        tx.set_password(id, "new-hash", 20).await.unwrap();
        for token in ["t1", "t2"] {
            let session = sqlx::query_as::<_, (Option<i64>,)>("SELECT revoked_at FROM sessions WHERE token_hash = ?1")
                .bind(token)
                .fetch_one(tx.read())
                .await
                .unwrap();
            assert!(session.0.is_some());
        }
        assert!(!tx.revoke_session(s1, 30, "logout").await.unwrap(), "already revoked");
        tx.audit(&audit_entry()).await.unwrap();
        tx.commit().await.unwrap();
    }

    /// A change and its audit row are one commit: a transaction that changed something without
    /// writing its row is refused, and one dropped before its commit leaves neither behind.
    #[tokio::test]
    async fn a_change_and_its_audit_row_are_never_separated() {
        let (_dir, store, id) = store_with_user().await;
        let audit_rows = || async { store.audit_rows_after(0, 100).await.unwrap().len() };
        let before = audit_rows().await;

        let mut tx = store.begin().await.unwrap();
        tx.set_password(id, "unaudited", 5).await.unwrap();
        assert!(
            tx.commit().await.is_err(),
            "a change without its audit row was committed"
        );
        assert_ne!(store.user_by_id(id).await.unwrap().unwrap().password_hash, "unaudited");

        let mut tx = store.begin().await.unwrap();
        tx.set_password(id, "abandoned", 5).await.unwrap();
        tx.audit(&audit_entry()).await.unwrap();
        drop(tx);
        assert_ne!(store.user_by_id(id).await.unwrap().unwrap().password_hash, "abandoned");
        assert_eq!(audit_rows().await, before, "the audit row outlived its change");

        let tx = store.begin().await.unwrap();
        tx.commit().await.unwrap();
        store.append_audit(&audit_entry()).await.unwrap();
        assert_eq!(audit_rows().await, before + 1);
    }
}
