//! User accounts, the sign-in attempt counter and lock-out, the TOTP step and recovery codes.
//!
//! ## Lock-out: every attempt is counted before it is checked
//!
//! A sign-in step that checks a secret (password, TOTP code, recovery code, reauth, the current
//! password of a change, the code that confirms a new authenticator) first reserves an attempt
//! with [`Store::reserve_attempt`]: one statement adds one to `failed_attempts` and to
//! `attempts_in_flight`, and only while the account is unlocked and fewer than the threshold
//! (six) are counted. No reservation means 423 at once, without argon2: however many attempts
//! arrive together, at most six are ever checked, and once six are counted every later one is
//! refused, the right password included, until an admin unlocks the account. The reservation
//! commits on its own, before the check, because parallel requests must see it; the audit row
//! of the attempt is written with its resolution.
//!
//! The [`Attempt`] it answers is then resolved, in the request's [`Tx`], by exactly one of:
//! - [`Tx::attempt_failed`]: the slot is released and the attempt stays counted;
//! - [`Tx::attempt_passed`] (a full success): the slot is released and the count goes back to
//!   zero, but only if this attempt is alone, i.e. nothing else is in flight and nothing was
//!   reserved after it (the count is still this attempt's number). Otherwise it stays counted,
//!   so a success in the middle of a burst reopens no slot;
//! - [`Tx::attempt_partially_passed`] (the right password, with a second factor or a forced
//!   change still to come): the slot is released and, if alone in the same sense, this attempt
//!   is taken off the count; otherwise it stays counted.
//!
//! Each resolution then locks (`locked_at`) when the count has reached the threshold, and says
//! so ([`Resolution`]); the caller ends the sessions and writes `account.lock`. A success that
//! finds the account locked is refused with 423 like any other attempt (SECURITY.md rule 12).
//! Emails with no account (`unknown_email_failures`, under their keyed reference) and disabled
//! accounts reserve the same way and always fail, so their 423 looks the same.
//!
//! A check that never resolves (the process died) leaves its attempt counted; its in-flight
//! slot is treated as free once the last reservation is older than [`Lockout::stale_after`], so
//! it cannot stop a later success from resetting the count forever.

use sqlx::{FromRow, Sqlite, SqliteConnection};

use super::sessions::revoke_all_sessions;
use super::{Store, StoreResult, Tx};
use crate::wire::Role;

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
    /// Attempts counted since the last full success (checked or still being checked).
    pub failed_attempts: i64,
    /// When the account was locked.
    pub locked_at: Option<i64>,
    /// False once disabled.
    pub active: bool,
    /// When a cover account stops working.
    pub expires_at: Option<i64>,
    /// An admin reset its 2FA: the next sign-in sets it up again.
    pub totp_reenrol: bool,
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
        role_of(&self.role)
    }

    /// True once 2FA is set up.
    pub fn totp_enabled(&self) -> bool {
        self.totp_secret_sealed.is_some()
    }

    /// True once a cover account's end has passed at `now`: it signs in like a disabled one.
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at.is_some_and(|end| now >= end)
    }

    /// Active and not expired at `now`.
    pub fn usable(&self, now: i64) -> bool {
        self.active && !self.expired(now)
    }
}

/// A new user for [`Tx::create_user`].
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

/// Whose attempt is counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// An account (a disabled one too: its attempts always fail).
    User(i64),
    /// An email with no account, by its keyed reference (`auth::email_ref`).
    UnknownEmail(String),
}

/// The lock-out rule the store applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lockout {
    /// This many counted attempts lock (and no more are reserved).
    pub threshold: i64,
    /// Seconds after the last reservation from which its in-flight slots count as free.
    pub stale_after: i64,
}

/// One attempt, counted before it is checked ([`Store::reserve_attempt`]). Resolve it with
/// exactly one of [`Tx::attempt_failed`], [`Tx::attempt_passed`] and
/// [`Tx::attempt_partially_passed`], each of which takes it by value.
#[must_use = "an attempt must be resolved as failed, passed or partially passed"]
#[derive(Debug, PartialEq, Eq)]
pub struct Attempt {
    subject: Subject,
    /// Its place in the count: 1 for the first attempt counted since the last reset.
    number: i64,
}

/// What resolving an attempt left behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolution {
    /// The attempt's place in the count.
    pub number: i64,
    /// The account (or unknown email) is locked now.
    pub locked: bool,
    /// This very resolution locked it.
    pub newly_locked: bool,
}

/// The SQL of one user row, selected `WHERE $where`.
macro_rules! select_user {
    ($where:literal) => {
        concat!(
            "SELECT id, email, display_name, role, password_hash, password_is_temporary, temporary_expires_at,
                    totp_secret_sealed, totp_pending_sealed, totp_last_step, failed_attempts, locked_at, active,
                    expires_at, totp_reenrol
             FROM users WHERE ",
            $where
        )
    };
}

async fn user_by_id<'e, E>(executor: E, id: i64) -> StoreResult<Option<UserRow>>
where
    E: sqlx::Executor<'e, Database = Sqlite>,
{
    sqlx::query_as(select_user!("id = ?1"))
        .bind(id)
        .fetch_optional(executor)
        .await
}

/// The statements that resolve an attempt, for one counter table. Parameters: `?1` the key,
/// `?2` the attempt's number (or the threshold, for the lock), `?3` the count to leave when the
/// attempt is alone (or now, for the lock).
struct Resolve {
    count: &'static str,
    lock: &'static str,
    locked: &'static str,
}

macro_rules! resolve_statements {
    ($table:literal, $key:literal) => {
        Resolve {
            count: concat!(
                "UPDATE ", $table, " SET
                     failed_attempts = CASE WHEN locked_at IS NULL AND failed_attempts = ?2 AND attempts_in_flight <= 1
                                            THEN ?3 ELSE failed_attempts END,
                     attempts_in_flight = MAX(attempts_in_flight - 1, 0)
                 WHERE ", $key, " = ?1"
            ),
            lock: concat!(
                "UPDATE ", $table, " SET locked_at = ?3
                 WHERE ", $key, " = ?1 AND locked_at IS NULL AND failed_attempts >= ?2"
            ),
            locked: concat!("SELECT locked_at IS NOT NULL FROM ", $table, " WHERE ", $key, " = ?1"),
        }
    };
}

const RESOLVE_USER: Resolve = resolve_statements!("users", "id");
const RESOLVE_UNKNOWN: Resolve = resolve_statements!("unknown_email_failures", "email_hash");

/// Resolve an attempt on the row `key` of the table of `statements`: release its slot, leave
/// the count at `alone_count` if the attempt is alone, then lock at the threshold.
async fn resolve<K>(
    conn: &mut SqliteConnection,
    statements: &Resolve,
    key: K,
    number: i64,
    alone_count: i64,
    threshold: i64,
    now: i64,
) -> StoreResult<Resolution>
where
    K: for<'q> sqlx::Encode<'q, Sqlite> + sqlx::Type<Sqlite> + Send + Clone + 'static,
{
    sqlx::query(statements.count)
        .bind(key.clone())
        .bind(number)
        .bind(alone_count)
        .execute(&mut *conn)
        .await?;
    let newly_locked = sqlx::query(statements.lock)
        .bind(key.clone())
        .bind(threshold)
        .bind(now)
        .execute(&mut *conn)
        .await?
        .rows_affected()
        == 1;
    let locked: Option<(bool,)> = sqlx::query_as(statements.locked)
        .bind(key)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(Resolution {
        number,
        locked: locked.is_some_and(|(l,)| l),
        newly_locked,
    })
}

impl Store {
    /// The user with this email (case-insensitive).
    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        sqlx::query_as(select_user!("email = ?1"))
            .bind(email)
            .fetch_optional(&self.pool)
            .await
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRow>> {
        user_by_id(&self.pool, id).await
    }

    /// Count an attempt of `subject` before it is checked (see the module documentation).
    /// `None`: the account or email is locked, or `threshold` attempts are already counted;
    /// refuse without checking. The statement commits on its own: parallel requests must see it.
    pub async fn reserve_attempt(&self, subject: Subject, lockout: Lockout, now: i64) -> StoreResult<Option<Attempt>> {
        let stale_before = now - lockout.stale_after;
        let row: Option<(i64,)> = match &subject {
            Subject::User(id) => {
                sqlx::query_as(
                    "UPDATE users SET
                         failed_attempts = failed_attempts + 1,
                         attempts_in_flight = (CASE WHEN attempt_started_at IS NULL OR attempt_started_at < ?3
                                                    THEN 0 ELSE attempts_in_flight END) + 1,
                         attempt_started_at = ?4
                     WHERE id = ?1 AND locked_at IS NULL AND failed_attempts < ?2
                     RETURNING failed_attempts",
                )
                .bind(id)
                .bind(lockout.threshold)
                .bind(stale_before)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?
            }
            Subject::UnknownEmail(hash) => {
                sqlx::query_as(
                    "INSERT INTO unknown_email_failures (email_hash, failed_attempts, attempts_in_flight, attempt_started_at)
                     VALUES (?1, 1, 1, ?4)
                     ON CONFLICT (email_hash) DO UPDATE SET
                         failed_attempts = failed_attempts + 1,
                         attempts_in_flight = (CASE WHEN attempt_started_at IS NULL OR attempt_started_at < ?3
                                                    THEN 0 ELSE attempts_in_flight END) + 1,
                         attempt_started_at = ?4
                     WHERE locked_at IS NULL AND failed_attempts < ?2
                     RETURNING failed_attempts",
                )
                .bind(hash)
                .bind(lockout.threshold)
                .bind(stale_before)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?
            }
        };
        Ok(row.map(|(number,)| Attempt { subject, number }))
    }

    /// The unused recovery codes of a user: `(id, hash)`.
    pub async fn unused_recovery_codes(&self, user_id: i64) -> StoreResult<Vec<(i64, String)>> {
        sqlx::query_as("SELECT id, code_hash FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL ORDER BY id")
            .bind(user_id)
            .fetch_all(&self.pool)
            .await
    }
}

impl Tx {
    /// True when `user_id` is, inside this transaction, an active admin with 2FA (no expiry
    /// passed): every `/admin` change checks it again here, so an admin demoted by a request
    /// that committed first cannot act on the strength of the earlier check.
    pub async fn actor_is_admin(&mut self, user_id: i64, now: i64) -> StoreResult<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM users WHERE id = ?1 AND role = 'admin' AND active = 1
                 AND totp_secret_sealed IS NOT NULL AND locked_at IS NULL
                 AND (expires_at IS NULL OR expires_at > ?2)",
        )
        .bind(user_id)
        .bind(now)
        .fetch_optional(self.read())
        .await?;
        Ok(found.is_some())
    }

    /// The user with this id, as this transaction sees it.
    pub async fn user_by_id(&mut self, id: i64) -> StoreResult<Option<UserRow>> {
        user_by_id(self.read(), id).await
    }

    /// Create a user; answers its id.
    pub async fn create_user(&mut self, user: &NewUser<'_>) -> StoreResult<i64> {
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
        .fetch_one(self.write())
        .await?;
        Ok(id)
    }

    /// Resolve a failed attempt: its slot is released and it stays counted; at the threshold
    /// the account (or unknown email) is locked.
    pub async fn attempt_failed(&mut self, attempt: Attempt, threshold: i64, now: i64) -> StoreResult<Resolution> {
        let number = attempt.number;
        self.resolve_attempt(attempt, number, threshold, now).await
    }

    /// Resolve a full success: its slot is released and, if it is alone, the count starts again
    /// from zero; otherwise it stays counted (and may lock). Check [`Resolution::locked`]: a
    /// locked account must still be refused.
    pub async fn attempt_passed(&mut self, attempt: Attempt, threshold: i64, now: i64) -> StoreResult<Resolution> {
        self.resolve_attempt(attempt, 0, threshold, now).await
    }

    /// Resolve the right password of a sign-in that still needs a second factor or a forced
    /// change: its slot is released and, if it is alone, it is taken off the count; otherwise
    /// it stays counted (and may lock). Check [`Resolution::locked`].
    pub async fn attempt_partially_passed(
        &mut self,
        attempt: Attempt,
        threshold: i64,
        now: i64,
    ) -> StoreResult<Resolution> {
        let uncounted = attempt.number - 1;
        self.resolve_attempt(attempt, uncounted, threshold, now).await
    }

    /// Release `attempt`'s slot, leave the count at `alone_count` if it is alone, and lock at
    /// the threshold. An email with no account can never succeed: its count never goes down.
    async fn resolve_attempt(
        &mut self,
        attempt: Attempt,
        alone_count: i64,
        threshold: i64,
        now: i64,
    ) -> StoreResult<Resolution> {
        let Attempt { subject, number } = attempt;
        match subject {
            Subject::User(id) => resolve(self.write(), &RESOLVE_USER, id, number, alone_count, threshold, now).await,
            Subject::UnknownEmail(hash) => {
                resolve(self.write(), &RESOLVE_UNKNOWN, hash, number, number, threshold, now).await
            }
        }
    }

    /// A full success that needed no checked attempt (a forced password change that signs in):
    /// the count starts again from zero, unless an attempt is in flight.
    pub async fn reset_attempts_if_idle(&mut self, user_id: i64, lockout: Lockout, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE users SET failed_attempts = 0
             WHERE id = ?1 AND locked_at IS NULL
               AND (attempts_in_flight = 0 OR attempt_started_at IS NULL OR attempt_started_at < ?2)",
        )
        .bind(user_id)
        .bind(now - lockout.stale_after)
        .execute(self.write())
        .await?;
        Ok(())
    }

    /// Unlock the account with this email and forget its count; answers its id, or `None` when
    /// there is no such account.
    pub async fn unlock(&mut self, email: &str) -> StoreResult<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as(
            "UPDATE users SET failed_attempts = 0, attempts_in_flight = 0, locked_at = NULL
             WHERE email = ?1 RETURNING id",
        )
        .bind(email)
        .fetch_optional(self.write())
        .await?;
        Ok(row.map(|(id,)| id))
    }

    /// Forget the count (and lock) of an email with no account, by its keyed reference; answers
    /// whether there was one.
    pub async fn clear_unknown_failures(&mut self, email_hash: &str) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM unknown_email_failures WHERE email_hash = ?1")
            .bind(email_hash)
            .execute(self.write())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replace a user's password (no longer temporary) and end all their sessions.
    pub async fn set_password(&mut self, user_id: i64, hash: &str, now: i64) -> StoreResult<()> {
        sqlx::query(
            "UPDATE users SET password_hash = ?2, password_is_temporary = 0, temporary_expires_at = NULL,
                    password_changed_at = ?3 WHERE id = ?1",
        )
        .bind(user_id)
        .bind(hash)
        .bind(now)
        .execute(self.write())
        .await?;
        revoke_all_sessions(self.write(), user_id, now, "password_changed").await?;
        Ok(())
    }

    /// Accept TOTP `step` for a user only if it is later than every step accepted before
    /// (compare-and-set: of two parallel requests with the same code, exactly one wins).
    pub async fn advance_totp_step(&mut self, user_id: i64, step: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE users SET totp_last_step = ?2 WHERE id = ?1 AND totp_last_step < ?2")
            .bind(user_id)
            .bind(step)
            .execute(self.write())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Keep the sealed secret offered during enrolment until a code confirms it.
    pub async fn set_totp_pending(&mut self, user_id: i64, sealed: &[u8]) -> StoreResult<()> {
        sqlx::query("UPDATE users SET totp_pending_sealed = ?2 WHERE id = ?1")
            .bind(user_id)
            .bind(sealed)
            .execute(self.write())
            .await?;
        Ok(())
    }

    /// Finish enrolment: spend `step` (compare-and-set), make the pending secret the secret,
    /// replace the recovery codes and end every session of the user. False (and nothing
    /// changed) when the step was already spent or the pending secret changed meanwhile.
    pub async fn confirm_totp(
        &mut self,
        user_id: i64,
        pending: &[u8],
        step: i64,
        recovery_hashes: &[String],
        now: i64,
    ) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE users SET totp_secret_sealed = totp_pending_sealed, totp_pending_sealed = NULL,
                    totp_last_step = ?3, totp_reenrol = 0
             WHERE id = ?1 AND totp_pending_sealed = ?2 AND totp_last_step < ?3",
        )
        .bind(user_id)
        .bind(pending)
        .bind(step)
        // Marked as a change below, once it is one: a refused code changes nothing.
        .execute(self.read())
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = ?1")
            .bind(user_id)
            .execute(self.write())
            .await?;
        for hash in recovery_hashes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES (?1, ?2)")
                .bind(user_id)
                .bind(hash)
                .execute(self.write())
                .await?;
        }
        revoke_all_sessions(self.write(), user_id, now, "totp_changed").await?;
        Ok(true)
    }

    /// Spend a recovery code; false if it was spent meanwhile.
    pub async fn use_recovery_code(&mut self, id: i64, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE recovery_codes SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL")
            .bind(id)
            .bind(now)
            .execute(self.write())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many unused recovery codes a user has left.
    pub async fn unused_recovery_code_count(&mut self, user_id: i64) -> StoreResult<u32> {
        let (count,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL")
                .bind(user_id)
                .fetch_one(self.read())
                .await?;
        Ok(u32::try_from(count).unwrap_or(0))
    }
}

/// A role as stored, as the API names it (anything unknown is the least privileged, staff).
pub fn role_of(stored: &str) -> Role {
    match stored {
        "admin" => Role::Admin,
        "dsl" => Role::Dsl,
        "pastoral_lead" => Role::PastoralLead,
        _ => Role::Staff,
    }
}
