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

use std::path::Path;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{FromRow, SqlitePool};

use super::audit::{AuditEntry, AuditRow, GENESIS_HASH, chain_hash};
use super::demo::DemoData;
use crate::wire::Role;

/// Result of the store's methods.
pub type StoreResult<T> = Result<T, sqlx::Error>;

/// The database behind the server.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
}

/// The setting row.
#[derive(Debug, Clone, FromRow)]
pub struct SettingRow {
    /// Stable identity.
    pub id: String,
    /// Name shown on the login screen.
    pub name: String,
    /// Prefix of incident references.
    pub incident_prefix: String,
    /// Whether every account needs 2FA.
    pub require_2fa_for_all: bool,
    /// Support email.
    pub support_email: String,
    /// Support phone.
    pub support_phone: String,
    /// Support web address.
    pub support_url: String,
    /// Demo data.
    pub demo: bool,
}

/// A user row as the sign-in code needs it.
#[derive(Clone, FromRow)]
pub struct UserRow {
    /// Id.
    pub id: i64,
    /// Email.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Role as stored (`staff`, `pastoral_lead`, `dsl`, `admin`).
    pub role: String,
    /// PHC string of the argon2id hash.
    pub password_hash: String,
    /// The password is temporary and must be changed at sign-in.
    pub password_is_temporary: bool,
    /// When a temporary password stops working.
    pub temporary_expires_at: Option<i64>,
    /// The sealed TOTP secret, once enrolled.
    pub totp_secret_sealed: Option<Vec<u8>>,
    /// The sealed secret offered during enrolment.
    pub totp_pending_sealed: Option<Vec<u8>>,
    /// Highest TOTP step accepted.
    pub totp_last_step: i64,
    /// Successive failures.
    pub failed_attempts: i64,
    /// When the account was locked.
    pub locked_at: Option<i64>,
    /// False once disabled.
    pub active: bool,
}

impl std::fmt::Debug for UserRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl UserRow {
    /// The role (unknown strings are the least privileged role).
    pub fn role(&self) -> Role {
        match self.role.as_str() {
            "admin" => Role::Admin,
            "dsl" => Role::Dsl,
            "pastoral_lead" => Role::PastoralLead,
            _ => Role::Staff,
        }
    }

    /// True once 2FA is set up.
    pub fn totp_enabled(&self) -> bool {
        self.totp_secret_sealed.is_some()
    }
}

/// A session joined with its user.
#[derive(Debug, Clone, FromRow)]
pub struct SessionRow {
    /// Session id.
    pub session_id: i64,
    /// Owner.
    pub user_id: i64,
    /// Last request.
    pub last_seen_at: i64,
    /// Absolute expiry.
    pub expires_at: i64,
    /// Set once revoked.
    pub revoked_at: Option<i64>,
}

/// A stage of signing in a challenge is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Waiting for a TOTP or recovery code.
    Totp,
    /// Waiting for enrolment to start.
    TotpEnrolment,
    /// Waiting for the first code of a new authenticator.
    TotpConfirm,
    /// Waiting for a temporary password to be replaced.
    PasswordChange,
}

impl Stage {
    fn as_str(self) -> &'static str {
        match self {
            Stage::Totp => "totp",
            Stage::TotpEnrolment => "totp_enrolment",
            Stage::TotpConfirm => "totp_confirm",
            Stage::PasswordChange => "password_change",
        }
    }
}

/// Outcome of counting a failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failure {
    /// Successive failures now.
    pub count: i64,
    /// The account is locked now.
    pub locked: bool,
    /// This very failure locked it.
    pub newly_locked: bool,
}

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
}

/// One notification.
#[derive(Debug, Clone, FromRow)]
pub struct NotificationRow {
    /// Id.
    pub id: i64,
    /// Kind as stored.
    pub kind: String,
    /// Message.
    pub message: String,
    /// Incident number, if any.
    pub incident_number: Option<i64>,
    /// When raised.
    pub created_at: i64,
    /// When read.
    pub read_at: Option<i64>,
}

/// A new user for [`Store::create_user`].
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    /// Email.
    pub email: &'a str,
    /// Display name.
    pub display_name: &'a str,
    /// Role.
    pub role: &'a str,
    /// argon2id hash.
    pub password_hash: &'a str,
    /// Temporary until this time, or permanent.
    pub temporary_expires_at: Option<i64>,
    /// Now.
    pub now: i64,
}

/// A query being built for SQLite.
type SqliteQuery<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments>;

/// Insert many rows with multi-row `INSERT … VALUES (…), (…)` statements of up to 100 rows
/// (one prepared statement per batch size instead of one round trip per row). `head` and `row`
/// are constants of the caller; only `?` placeholders carry values.
async fn insert_rows<T>(
    conn: &mut sqlx::SqliteConnection,
    head: &'static str,
    row: &'static str,
    rows: &[T],
    bind: for<'q> fn(SqliteQuery<'q>, &'q T) -> SqliteQuery<'q>,
) -> StoreResult<()> {
    const ROWS_PER_STATEMENT: usize = 100;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let sql = format!("{head}{}", vec![row; chunk.len()].join(", "));
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for item in chunk {
            query = bind(query, item);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
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

    // ---- setting -------------------------------------------------------------------------

    /// The setting, if one has been created.
    pub async fn setting(&self) -> StoreResult<Option<SettingRow>> {
        sqlx::query_as(
            "SELECT id, name, incident_prefix, require_2fa_for_all, support_email, support_phone, support_url, demo
             FROM setting LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await
    }

    /// Create the setting of a new database (2FA required for all) unless one exists.
    pub async fn ensure_setting(&self, id: &str, name: &str) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO setting (id, name, incident_prefix, next_incident_number, require_2fa_for_all)
             SELECT ?1, ?2, 'bsmart', 10000, 1 WHERE NOT EXISTS (SELECT 1 FROM setting)",
        )
        .bind(id)
        .bind(name)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether every account must use 2FA.
    pub async fn set_require_2fa_for_all(&self, on: bool) -> StoreResult<()> {
        sqlx::query("UPDATE setting SET require_2fa_for_all = ?1")
            .bind(on)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    // ---- users and lock-out --------------------------------------------------------------

    /// The user with this email (case-insensitive).
    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        sqlx::query_as(
            "SELECT id, email, display_name, role, password_hash, password_is_temporary, temporary_expires_at,
                    totp_secret_sealed, totp_pending_sealed, totp_last_step, failed_attempts, locked_at, active
             FROM users WHERE email = ?1",
        )
        .bind(email)
        .fetch_optional(&self.pool)
        .await
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRow>> {
        sqlx::query_as(
            "SELECT id, email, display_name, role, password_hash, password_is_temporary, temporary_expires_at,
                    totp_secret_sealed, totp_pending_sealed, totp_last_step, failed_attempts, locked_at, active
             FROM users WHERE id = ?1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await
    }

    /// Create a user; answers its id.
    pub async fn create_user(&self, user: &NewUser<'_>) -> StoreResult<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (email, display_name, role, password_hash, password_is_temporary,
                                temporary_expires_at, password_changed_at, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
        )
        .bind(user.email)
        .bind(user.display_name)
        .bind(user.role)
        .bind(user.password_hash)
        .bind(user.temporary_expires_at.is_some())
        .bind(user.temporary_expires_at)
        .bind(user.now)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// Count one failure of a user atomically; the failure that reaches `threshold` locks.
    pub async fn record_failure(&self, user_id: i64, threshold: i64, now: i64) -> StoreResult<Failure> {
        let row: Option<(i64, Option<i64>)> = sqlx::query_as(
            "UPDATE users SET failed_attempts = failed_attempts + 1,
                    locked_at = CASE WHEN locked_at IS NULL AND failed_attempts + 1 >= ?2 THEN ?3 ELSE locked_at END
             WHERE id = ?1 RETURNING failed_attempts, locked_at",
        )
        .bind(user_id)
        .bind(threshold)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let (count, locked_at) = row.unwrap_or((0, None));
        Ok(Failure {
            count,
            locked: locked_at.is_some(),
            newly_locked: count == threshold,
        })
    }

    /// Count one failure for an email with no account (by the hash of the lowercased email).
    pub async fn record_unknown_failure(&self, email_hash: &str, threshold: i64, now: i64) -> StoreResult<Failure> {
        let (count, locked_at): (i64, Option<i64>) = sqlx::query_as(
            "INSERT INTO unknown_email_failures (email_hash, failed_attempts, locked_at)
             VALUES (?1, 1, CASE WHEN 1 >= ?2 THEN ?3 END)
             ON CONFLICT (email_hash) DO UPDATE SET
                 failed_attempts = failed_attempts + 1,
                 locked_at = CASE WHEN locked_at IS NULL AND failed_attempts + 1 >= ?2 THEN ?3 ELSE locked_at END
             RETURNING failed_attempts, locked_at",
        )
        .bind(email_hash)
        .bind(threshold)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(Failure {
            count,
            locked: locked_at.is_some(),
            newly_locked: count == threshold,
        })
    }

    /// Whether an email with no account is locked.
    pub async fn unknown_email_locked(&self, email_hash: &str) -> StoreResult<bool> {
        let row: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT locked_at FROM unknown_email_failures WHERE email_hash = ?1")
                .bind(email_hash)
                .fetch_optional(&self.pool)
                .await?;
        Ok(matches!(row, Some((Some(_),))))
    }

    /// A full success: the count of successive failures starts again.
    pub async fn reset_failures(&self, user_id: i64) -> StoreResult<()> {
        sqlx::query("UPDATE users SET failed_attempts = 0 WHERE id = ?1 AND locked_at IS NULL")
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Unlock the account with this email; answers its id, or `None` when there is no such
    /// account (any failure count of that email is cleared as well).
    pub async fn unlock(&self, email: &str, email_hash: &str) -> StoreResult<Option<i64>> {
        sqlx::query("DELETE FROM unknown_email_failures WHERE email_hash = ?1")
            .bind(email_hash)
            .execute(&self.pool)
            .await?;
        let row: Option<(i64,)> =
            sqlx::query_as("UPDATE users SET failed_attempts = 0, locked_at = NULL WHERE email = ?1 RETURNING id")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Replace a user's password (no longer temporary) and end all their sessions.
    pub async fn set_password(&self, user_id: i64, hash: &str, now: i64) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query(
            "UPDATE users SET password_hash = ?2, password_is_temporary = 0, temporary_expires_at = NULL,
                    password_changed_at = ?3 WHERE id = ?1",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE sessions SET revoked_at = ?2, revoked_reason = 'password_changed'
             WHERE user_id = ?1 AND revoked_at IS NULL",
        )
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    }

    // ---- TOTP and recovery codes ---------------------------------------------------------

    /// Accept TOTP `step` for a user only if it is later than every step accepted before
    /// (compare-and-set: of two parallel requests with the same code, exactly one wins).
    pub async fn advance_totp_step(&self, user_id: i64, step: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE users SET totp_last_step = ?2 WHERE id = ?1 AND totp_last_step < ?2")
            .bind(user_id)
            .bind(step)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Keep the sealed secret offered during enrolment until a code confirms it.
    pub async fn set_totp_pending(&self, user_id: i64, sealed: &[u8]) -> StoreResult<()> {
        sqlx::query("UPDATE users SET totp_pending_sealed = ?2 WHERE id = ?1")
            .bind(user_id)
            .bind(sealed)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Finish enrolment: spend `step` (compare-and-set), make the pending secret the secret,
    /// replace the recovery codes and end every session of the user. False when the step was
    /// already spent or the pending secret changed meanwhile.
    pub async fn confirm_totp(
        &self,
        user_id: i64,
        pending: &[u8],
        step: i64,
        recovery_hashes: &[String],
        now: i64,
    ) -> StoreResult<bool> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let done = sqlx::query(
            "UPDATE users SET totp_secret_sealed = totp_pending_sealed, totp_pending_sealed = NULL,
                    totp_last_step = ?3
             WHERE id = ?1 AND totp_pending_sealed = ?2 AND totp_last_step < ?3",
        )
        .bind(user_id)
        .bind(pending)
        .bind(step)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = ?1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for hash in recovery_hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")
                .bind(user_id)
                .bind(hash)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "UPDATE sessions SET revoked_at = ?2, revoked_reason = 'totp_changed'
             WHERE user_id = ?1 AND revoked_at IS NULL",
        )
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The unused recovery codes of a user: `(id, hash)`.
    pub async fn unused_recovery_codes(&self, user_id: i64) -> StoreResult<Vec<(i64, String)>> {
        sqlx::query_as("SELECT id, code_hash FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL ORDER BY id")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
    }

    /// Spend a recovery code; false if it was spent meanwhile.
    pub async fn use_recovery_code(&self, id: i64, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE recovery_codes SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    // ---- challenges ----------------------------------------------------------------------

    /// Store a new login challenge (its hash only), forgetting challenges that expired more than
    /// a day ago so the table stays small.
    pub async fn create_challenge(
        &self,
        hash: &str,
        user_id: i64,
        stage: Stage,
        now: i64,
        expires_at: i64,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO auth_challenges (challenge_hash, user_id, stage, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(hash)
        .bind(user_id)
        .bind(stage.as_str())
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        sqlx::query("DELETE FROM auth_challenges WHERE expires_at < ?1")
            .bind(now - 86_400)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The user of a challenge that is unused, unexpired and for `stage`.
    pub async fn challenge_user(&self, hash: &str, stage: Stage, now: i64) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "SELECT user_id FROM auth_challenges
             WHERE challenge_hash = ?1 AND stage = ?2 AND used_at IS NULL AND expires_at > ?3",
        )
        .bind(hash)
        .bind(stage.as_str())
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Spend a challenge atomically; answers its user, or `None` when it was not valid (or
    /// another request spent it first).
    pub async fn consume_challenge(&self, hash: &str, stage: Stage, now: i64) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "UPDATE auth_challenges SET used_at = ?3
             WHERE challenge_hash = ?1 AND stage = ?2 AND used_at IS NULL AND expires_at > ?3
             RETURNING user_id",
        )
        .bind(hash)
        .bind(stage.as_str())
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(id,)| id))
    }

    // ---- sessions ------------------------------------------------------------------------

    /// Store a new session (its token hash only); answers its id.
    pub async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        now: i64,
        expires_at: i64,
        client_addr: &str,
    ) -> StoreResult<i64> {
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, client_addr)
             VALUES (?1, ?2, ?3, ?3, ?4, ?5) RETURNING id",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .bind(client_addr)
        .fetch_one(&self.pool)
        .await?;
        Ok(id)
    }

    /// The session with this token hash.
    pub async fn session_by_token_hash(&self, token_hash: &str) -> StoreResult<Option<SessionRow>> {
        sqlx::query_as(
            "SELECT id AS session_id, user_id, last_seen_at, expires_at, revoked_at
             FROM sessions WHERE token_hash = ?1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
    }

    /// Record a request on a session (its idle time starts again).
    pub async fn touch_session(&self, session_id: i64, now: i64) -> StoreResult<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = ?2 WHERE id = ?1 AND last_seen_at < ?2")
            .bind(session_id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Revoke one session; false if it was already revoked (e.g. a parallel reauth).
    pub async fn revoke_session(&self, session_id: i64, now: i64, reason: &str) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = ?2, revoked_reason = ?3 WHERE id = ?1 AND revoked_at IS NULL",
        )
        .bind(session_id)
        .bind(now)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Revoke every session of a user; answers how many.
    pub async fn revoke_user_sessions(&self, user_id: i64, now: i64, reason: &str) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE sessions SET revoked_at = ?2, revoked_reason = ?3 WHERE user_id = ?1 AND revoked_at IS NULL",
        )
        .bind(user_id)
        .bind(now)
        .bind(reason)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    // ---- audit ---------------------------------------------------------------------------

    /// Append one row to the audit chain; answers its id. The previous hash is read and the row
    /// written inside one `BEGIN IMMEDIATE` transaction so that parallel writers cannot fork
    /// the chain.
    pub async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<i64> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let last: Option<(String,)> = sqlx::query_as("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(&mut *tx)
            .await?;
        let prev = last.map(|(h,)| h).unwrap_or_else(|| GENESIS_HASH.to_string());
        let hash = chain_hash(&prev, entry);
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO audit_log (at, actor_id, actor, action, target, client_addr, outcome, detail, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
        )
        .bind(entry.at)
        .bind(entry.actor_id)
        .bind(&entry.actor)
        .bind(&entry.action)
        .bind(&entry.target)
        .bind(&entry.client_addr)
        .bind(&entry.outcome)
        .bind(&entry.detail)
        .bind(&prev)
        .bind(&hash)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Up to `limit` audit rows with an id above `after`, in id order.
    pub async fn audit_rows_after(&self, after: i64, limit: i64) -> StoreResult<Vec<AuditRow>> {
        sqlx::query_as(
            "SELECT id, at, actor_id, actor, action, target, client_addr, outcome, detail, prev_hash, hash
             FROM audit_log WHERE id > ?1 ORDER BY id LIMIT ?2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    // ---- records -------------------------------------------------------------------------

    /// A page of incidents the user may see, newest first, and how many match in all.
    /// `see_all` is decided by the caller from the role; otherwise only incidents about
    /// individuals the user has an access permission for are listed (deny by default).
    pub async fn incidents_page(
        &self,
        user_id: i64,
        see_all: bool,
        since: Option<i64>,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> StoreResult<(Vec<IncidentRow>, u64)> {
        let (total,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM incidents i
             WHERE i.deleted_at IS NULL
               AND (?1 = 1 OR i.individual_id IN (SELECT individual_id FROM access_permissions WHERE user_id = ?2))
               AND (?3 IS NULL OR i.occurred_at >= ?3)",
        )
        .bind(see_all)
        .bind(user_id)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        let (after_at, after_number) = after.unzip();
        let rows = sqlx::query_as(
            "SELECT i.number, i.occurred_at, i.individual_id,
                    CASE WHEN p.preferred_name <> '' THEN p.preferred_name ELSE p.first_name END || ' ' || p.last_name
                        AS individual_name,
                    i.kind, c.name AS category, l.name AS location, i.flagged,
                    i.parents_informed_at IS NOT NULL AS parents_informed
             FROM incidents i
             JOIN individuals p ON p.id = i.individual_id
             JOIN incident_categories c ON c.id = i.category_id
             JOIN locations l ON l.id = i.location_id
             WHERE i.deleted_at IS NULL
               AND (?1 = 1 OR i.individual_id IN (SELECT individual_id FROM access_permissions WHERE user_id = ?2))
               AND (?3 IS NULL OR i.occurred_at >= ?3)
               AND (?4 IS NULL OR i.occurred_at < ?4 OR (i.occurred_at = ?4 AND i.number < ?5))
             ORDER BY i.occurred_at DESC, i.number DESC
             LIMIT ?6",
        )
        .bind(see_all)
        .bind(user_id)
        .bind(since)
        .bind(after_at)
        .bind(after_number)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok((rows, u64::try_from(total).unwrap_or(0)))
    }

    /// The newest notifications of a user.
    pub async fn notifications(&self, user_id: i64, limit: i64) -> StoreResult<Vec<NotificationRow>> {
        sqlx::query_as(
            "SELECT n.id, n.kind, n.message, i.number AS incident_number, n.created_at, n.read_at
             FROM notifications n LEFT JOIN incidents i ON i.id = n.incident_id AND i.deleted_at IS NULL
             WHERE n.user_id = ?1 ORDER BY n.created_at DESC, n.id DESC LIMIT ?2",
        )
        .bind(user_id)
        .bind(limit)
        .fetch_all(&self.pool)
        .await
    }

    // ---- demo data -----------------------------------------------------------------------

    /// Insert the demo data in one transaction with prepared (cached) statements.
    pub async fn seed_demo(&self, data: &DemoData) -> StoreResult<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let s = &data.setting;
        sqlx::query(
            "INSERT INTO setting (id, name, incident_prefix, next_incident_number, require_2fa_for_all,
                                  support_email, support_phone, support_url, demo)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
        )
        .bind(&s.id)
        .bind(&s.name)
        .bind(&s.incident_prefix)
        .bind(s.next_incident_number)
        .bind(s.require_2fa_for_all)
        .bind(&s.support_email)
        .bind(&s.support_phone)
        .bind(&s.support_url)
        .execute(&mut *tx)
        .await?;
        for u in &data.users {
            sqlx::query(
                "INSERT INTO users (id, email, display_name, job_title, role, password_hash, password_is_temporary,
                                    temporary_expires_at, password_changed_at, totp_secret_sealed, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?9)",
            )
            .bind(u.id)
            .bind(&u.email)
            .bind(&u.display_name)
            .bind(u.job_title)
            .bind(u.role)
            .bind(&u.password_hash)
            .bind(u.temporary_expires_at.is_some())
            .bind(u.temporary_expires_at)
            .bind(u.created_at)
            .bind(u.totp_sealed.as_deref())
            .execute(&mut *tx)
            .await?;
        }
        for p in &data.individuals {
            sqlx::query(
                "INSERT INTO individuals (id, first_name, last_name, preferred_name, date_of_birth, year_group,
                                          group_name, sen_status, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .bind(p.id)
            .bind(&p.first_name)
            .bind(&p.last_name)
            .bind(&p.preferred_name)
            .bind(&p.date_of_birth)
            .bind(&p.year_group)
            .bind(&p.group_name)
            .bind(&p.sen_status)
            .bind(p.created_at)
            .execute(&mut *tx)
            .await?;
        }
        insert_rows(
            &mut tx,
            "INSERT INTO key_contacts (individual_id, name, relationship, phone, email, priority) VALUES ",
            "(?, ?, ?, ?, ?, ?)",
            &data.key_contacts,
            |q, c| {
                q.bind(c.individual_id)
                    .bind(&c.name)
                    .bind(c.relationship)
                    .bind(&c.phone)
                    .bind(&c.email)
                    .bind(c.priority)
            },
        )
        .await?;
        insert_rows(
            &mut tx,
            "INSERT INTO access_permissions (user_id, individual_id, level, granted_by, granted_at) VALUES ",
            "(?, ?, ?, ?, ?)",
            &data.access,
            |q, a| {
                q.bind(a.user_id)
                    .bind(a.individual_id)
                    .bind(a.level)
                    .bind(a.granted_by)
                    .bind(a.granted_at)
            },
        )
        .await?;
        for (id, name) in &data.locations {
            sqlx::query("INSERT INTO locations (id, name) VALUES (?1, ?2)")
                .bind(id)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        for b in &data.behaviours {
            sqlx::query("INSERT INTO behaviours (id, name, sentiment, position) VALUES (?1, ?2, ?3, ?4)")
                .bind(b.id)
                .bind(b.name)
                .bind(b.sentiment)
                .bind(b.position)
                .execute(&mut *tx)
                .await?;
        }
        for (id, name) in &data.categories {
            sqlx::query("INSERT INTO incident_categories (id, name) VALUES (?1, ?2)")
                .bind(id)
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        for i in &data.incidents {
            sqlx::query(
                "INSERT INTO incidents (id, number, kind, individual_id, category_id, location_id, occurred_at,
                    reported_by, what_happened, injury, injury_details, pild_perspective, pild_feelings,
                    pild_next_time, pild_triggers, pild_adjustments, pild_other_comments, discriminatory,
                    discriminatory_details, exclusion, pi_low_behaviours, pi_medium_behaviours, pi_high_behaviours,
                    pi_staff_response, pi_alternative_responses, pi_deescalation_effect, pi_physical_effect,
                    parents_informed_at, parents_informed_by, flagged, flag_reason, created_at, updated_at,
                    retain_until)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,
                         ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?32, ?33)",
            )
            .bind(&i.id)
            .bind(i.number)
            .bind(i.kind)
            .bind(i.individual_id)
            .bind(i.category_id)
            .bind(i.location_id)
            .bind(i.occurred_at)
            .bind(i.reported_by)
            .bind(&i.what_happened)
            .bind(i.injury_details.is_some())
            .bind(i.injury_details.unwrap_or(""))
            .bind(i.pild[0])
            .bind(i.pild[1])
            .bind(i.pild[2])
            .bind(i.pild[3])
            .bind(i.pild[4])
            .bind(i.pild[5])
            .bind(i.discriminatory_details.is_some())
            .bind(i.discriminatory_details.unwrap_or(""))
            .bind(i.exclusion)
            .bind(i.physical.as_ref().map_or("", |p| p.low))
            .bind(i.physical.as_ref().map_or("", |p| p.medium))
            .bind(i.physical.as_ref().map_or("", |p| p.high))
            .bind(i.physical.as_ref().map_or("", |p| p.staff_response))
            .bind(i.physical.as_ref().map_or("", |p| p.alternatives))
            .bind(i.physical.as_ref().map(|p| p.deescalation_effect))
            .bind(i.physical.as_ref().map(|p| p.physical_effect))
            .bind(i.parents_informed.map(|(at, _)| at))
            .bind(i.parents_informed.map(|(_, by)| by))
            .bind(i.flag_reason.is_some())
            .bind(i.flag_reason.unwrap_or(""))
            .bind(i.occurred_at + 3600)
            .bind(i.retain_until)
            .execute(&mut *tx)
            .await?;
        }
        for (incident, individual) in &data.incident_individuals {
            sqlx::query("INSERT INTO incident_individuals (incident_id, individual_id) VALUES (?1, ?2)")
                .bind(incident)
                .bind(individual)
                .execute(&mut *tx)
                .await?;
        }
        insert_rows(
            &mut tx,
            "INSERT INTO incident_staff (incident_id, user_id) VALUES ",
            "(?, ?)",
            &data.incident_staff,
            |q, (incident, user)| q.bind(incident).bind(user),
        )
        .await?;
        insert_rows(
            &mut tx,
            "INSERT INTO clicks (id, individual_id, behaviour_id, user_id, occurred_at, recorded_at) VALUES ",
            "(?, ?, ?, ?, ?, ?)",
            &data.clicks,
            |q, c| {
                q.bind(&c.id)
                    .bind(c.individual_id)
                    .bind(c.behaviour_id)
                    .bind(c.user_id)
                    .bind(c.occurred_at)
                    .bind(c.occurred_at)
            },
        )
        .await?;
        for c in &data.communications {
            sqlx::query(
                "INSERT INTO communications (id, individual_id, author_id, sentiment, message, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .bind(&c.id)
            .bind(c.individual_id)
            .bind(c.author_id)
            .bind(c.sentiment)
            .bind(&c.message)
            .bind(c.created_at)
            .execute(&mut *tx)
            .await?;
            for user in &c.recipients {
                sqlx::query("INSERT INTO communication_recipients (communication_id, user_id) VALUES (?1, ?2)")
                    .bind(&c.id)
                    .bind(user)
                    .execute(&mut *tx)
                    .await?;
            }
            for r in &c.responses {
                sqlx::query(
                    "INSERT INTO communication_responses (id, communication_id, author_id, message, created_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .bind(&r.id)
                .bind(&c.id)
                .bind(r.author_id)
                .bind(r.message)
                .bind(r.created_at)
                .execute(&mut *tx)
                .await?;
            }
        }
        for p in &data.plans {
            sqlx::query(
                "INSERT INTO smart_plans (id, individual_id, title, strategies, reasonable_adjustments,
                    agreed_responses, follow_up, source_incident_id, review_on, created_by, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
            )
            .bind(&p.id)
            .bind(p.individual_id)
            .bind(&p.title)
            .bind(p.strategies)
            .bind(p.adjustments)
            .bind(p.agreed_responses)
            .bind(p.follow_up)
            .bind(p.source_incident_id.as_deref())
            .bind(&p.review_on)
            .bind(p.created_by)
            .bind(p.created_at)
            .execute(&mut *tx)
            .await?;
        }
        for n in &data.notifications {
            sqlx::query(
                "INSERT INTO notifications (user_id, kind, message, incident_id, communication_id, created_at, read_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )
            .bind(n.user_id)
            .bind(n.kind)
            .bind(&n.message)
            .bind(n.incident_id.as_deref())
            .bind(n.communication_id.as_deref())
            .bind(n.created_at)
            .bind(n.read_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
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
        assert_eq!(store.unlock("A@example.test", "h").await.unwrap(), Some(id));
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
        assert_eq!(store.unlock("nobody@example.test", "h").await.unwrap(), None);
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
        let s1 = store.create_session("t1", id, 10, 1000, "").await.unwrap();
        store.create_session("t2", id, 10, 1000, "").await.unwrap();
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
