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
//! each other instead of failing with `SQLITE_BUSY`. Read-then-write sequences run inside
//! `BEGIN IMMEDIATE` transactions; counters and the TOTP step are single atomic statements.
//!
//! Layout: this module opens the database (pragmas, migrations); the methods are grouped by
//! what they hold: [`setting`], [`users`] (accounts, lock-out counters, TOTP and recovery
//! codes), [`sessions`] (sessions and sign-in challenges), [`audit`], [`records`] (incidents
//! and notifications) and [`demo`] (seeding the demo data).

mod audit;
mod demo;
mod records;
mod sessions;
mod setting;
mod users;

use std::path::Path;
use std::time::Duration;

use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

pub use records::{IncidentRow, NotificationRow};
pub use sessions::{SessionRow, Stage};
pub use setting::SettingRow;
pub use users::{Failure, NewUser, UserRow};

/// Result of the store's methods.
pub type StoreResult<T> = Result<T, sqlx::Error>;

/// The database behind the server.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

impl Store {
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
            .busy_timeout(Duration::from_secs(30));
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(options)
            .await?;
        sqlx::migrate!("assets/migrations")
            .run(&pool)
            .await
            .map_err(|e| sqlx::Error::Migrate(Box::new(e)))?;
        Ok(Store { pool })
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
        Ok(Store { pool })
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
    use super::*;

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
        let id = store.create_user(&user).await.unwrap();
        (dir, store, id)
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
        assert!(store.advance_totp_step(id, 5).await.unwrap());
        assert!(!store.advance_totp_step(id, 5).await.unwrap(), "the same step twice");
        assert!(!store.advance_totp_step(id, 4).await.unwrap(), "an earlier step");
        assert!(store.advance_totp_step(id, 6).await.unwrap());
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.advance_totp_step(id, 7).await.unwrap() })
            })
            .collect();
        let mut wins = 0;
        for task in tasks {
            wins += usize::from(task.await.unwrap());
        }
        assert_eq!(wins, 1, "exactly one parallel request may spend a step");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn parallel_failures_all_count_and_lock_once() {
        let (_dir, store, id) = store_with_user().await;
        let tasks: Vec<_> = (0..20)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.record_failure(id, 6, 100).await.unwrap() })
            })
            .collect();
        let mut counts = Vec::new();
        let mut newly = 0;
        for task in tasks {
            let failure = task.await.unwrap();
            counts.push(failure.count);
            newly += usize::from(failure.newly_locked);
        }
        counts.sort_unstable();
        assert_eq!(counts, (1..=20).collect::<Vec<_>>());
        assert_eq!(newly, 1);
        let user = store.user_by_id(id).await.unwrap().unwrap();
        assert_eq!((user.failed_attempts, user.locked_at), (20, Some(100)));
        store.reset_failures(id).await.unwrap();
        assert_eq!(
            store.user_by_id(id).await.unwrap().unwrap().failed_attempts,
            20,
            "a lock is not reset by success"
        );
        assert_eq!(store.unlock("A@example.test").await.unwrap(), Some(id));
        let user = store.user_by_id(id).await.unwrap().unwrap();
        assert_eq!((user.failed_attempts, user.locked_at), (0, None));
    }

    #[tokio::test]
    async fn unknown_emails_lock_like_accounts() {
        let (_dir, store, _) = store_with_user().await;
        for n in 1..=5 {
            let failure = store.record_unknown_failure("h", 6, 10).await.unwrap();
            assert_eq!((failure.count, failure.locked), (n, false));
        }
        assert!(!store.unknown_email_locked("h").await.unwrap());
        assert!(store.record_unknown_failure("h", 6, 10).await.unwrap().newly_locked);
        assert!(store.unknown_email_locked("h").await.unwrap());
        assert_eq!(store.unlock("nobody@example.test").await.unwrap(), None);
        assert!(store.unknown_email_locked("h").await.unwrap());
        store.clear_unknown_failures("h").await.unwrap();
        assert!(!store.unknown_email_locked("h").await.unwrap());
    }

    #[tokio::test]
    async fn challenges_are_single_use_bound_to_a_stage_and_expire() {
        let (_dir, store, id) = store_with_user().await;
        store.create_challenge("c1", id, Stage::Totp, 100, 400).await.unwrap();
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
        assert_eq!(store.consume_challenge("c1", Stage::Totp, 200).await.unwrap(), Some(id));
        assert_eq!(
            store.consume_challenge("c1", Stage::Totp, 201).await.unwrap(),
            None,
            "used"
        );
        assert_eq!(store.challenge_user("c1", Stage::Totp, 201).await.unwrap(), None);
    }

    #[tokio::test]
    async fn password_change_ends_every_session() {
        let (_dir, store, id) = store_with_user().await;
        let s1 = store.create_session("t1", id, 10, 1000, 10, "").await.unwrap();
        store.create_session("t2", id, 10, 1000, 10, "").await.unwrap();
        store.set_password(id, "new-hash", 20).await.unwrap();
        for token in ["t1", "t2"] {
            assert!(
                store
                    .session_by_token_hash(token)
                    .await
                    .unwrap()
                    .unwrap()
                    .revoked_at
                    .is_some()
            );
        }
        assert!(
            !store.revoke_session(s1, 30, "logout").await.unwrap(),
            "already revoked"
        );
    }
}
