//! [`Tx`]: one write transaction, holding the changes of a request and the audit rows that
//! record them, so that neither can be committed without the other.
//!
//! A `Tx` begins with `BEGIN IMMEDIATE`: it takes SQLite's write lock at once, so the audit
//! chain (each row hashes the one before it) stays linear and every read inside it sees what
//! the write will change. The store's write methods live on `Tx` (in the module of the table
//! they touch), next to [`Tx::audit`]; [`Tx::commit`] refuses to commit a transaction that
//! changed something without writing an audit row, so a new write path cannot forget its row.
//!
//! Writers of this process take turns on a fair async lock before `BEGIN IMMEDIATE` (so they
//! queue in order instead of sleeping in SQLite's busy handler); so never begin a second `Tx`
//! while holding one. Rules for callers: inside a `Tx`, touch the database only through it (the pool's other
//! connections may all be waiting for this transaction's lock), and never run argon2 or other
//! slow work while one is open (it holds every other writer up).

use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::super::audit::AuditEntry;
use super::{Store, StoreResult};

/// A write transaction of the store (see the module documentation).
#[derive(Debug)]
pub struct Tx {
    tx: Transaction<'static, Sqlite>,
    changed: bool,
    audited: bool,
    /// This process's turn to write, held until the transaction ends (declared after `tx`, so
    /// a dropped transaction rolls back before the next writer starts).
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl Store {
    /// Begin a write transaction (`BEGIN IMMEDIATE`).
    pub async fn begin(&self) -> StoreResult<Tx> {
        let turn = std::sync::Arc::clone(&self.writer).lock_owned().await;
        Ok(Tx {
            tx: self.pool.begin_with("BEGIN IMMEDIATE").await?,
            changed: false,
            audited: false,
            _turn: turn,
        })
    }

    /// Append one audit row in a transaction of its own (for events that change nothing else,
    /// such as a refused request or a view of records); answers its id.
    pub async fn append_audit(&self, entry: &AuditEntry) -> StoreResult<i64> {
        let mut tx = self.begin().await?;
        let id = tx.audit(entry).await?;
        tx.commit().await?;
        Ok(id)
    }
}

impl Tx {
    /// The connection, for reading.
    pub(super) fn read(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    /// The connection, for a statement that changes something other than the audit log.
    pub(super) fn write(&mut self) -> &mut SqliteConnection {
        self.changed = true;
        &mut self.tx
    }

    /// Append `entry` to the audit chain inside this transaction; answers the row's id.
    pub async fn audit(&mut self, entry: &AuditEntry) -> StoreResult<i64> {
        let id = super::audit::append(&mut self.tx, entry).await?;
        self.audited = true;
        Ok(id)
    }

    /// Let this transaction commit without an audit row. The one use: a save over the user's
    /// own draft (`PUT /drafts/{id}` of an existing draft), which a form makes every few
    /// seconds; the draft's creation and deletion are audited, and a draft is only ever read by
    /// its author.
    pub fn skip_audit_for_draft_save(&mut self) {
        self.audited = true;
    }

    /// Commit. A transaction that changed something but wrote no audit row is rolled back and
    /// answers an error instead: every change is recorded, in the same commit.
    pub async fn commit(self) -> StoreResult<()> {
        if self.changed && !self.audited {
            self.tx.rollback().await?;
            tracing::error!("a transaction changed records without an audit row; rolled back");
            return Err(sqlx::Error::Protocol(
                "a change without its audit row was rolled back".to_string(),
            ));
        }
        self.tx.commit().await
    }
}
