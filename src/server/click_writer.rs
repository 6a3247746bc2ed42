//! The group-commit writer of clicks.
//!
//! With `synchronous=FULL` every commit costs one fsync, and one commit per click makes the
//! disk's fsync rate the ceiling of the clicker (PERFORMANCE-ANCHORS: about 3,100-4,300 posts/s
//! for a bare handler here, and p99 of 145 ms once several connections queue on SQLite's one
//! write lock). So handlers do not write clicks themselves: they check a click (session, access,
//! behaviour, time) and hand it to the one writer task on a bounded channel with a oneshot for
//! its answer. The writer takes whatever is waiting (up to [`MAX_BATCH`]), records every click
//! and its audit row in ONE [`Tx`](super::store::Tx), commits once (one fsync for the lot) and
//! then answers each; a click is answered only after its commit, so an answer is a durable
//! record. If the batch fails, each click is written again alone, so one bad row cannot fail
//! the others. A request whose client went away still has its click written.
//!
//! Idempotency holds inside a batch too: the same id twice is one row (the second sees the
//! first in the same transaction).

use tokio::sync::{mpsc, oneshot};

use super::audit::AuditEntry;
use super::store::{ClickRow, Recorded, Store, StoreResult};

/// Most clicks committed together.
pub const MAX_BATCH: usize = 256;
/// Clicks that may wait for the writer before a handler waits to hand one over.
const QUEUE: usize = 4 * MAX_BATCH;

/// A checked click and the audit row that records it (its outcome is set by the writer).
#[derive(Debug, Clone)]
pub struct PendingClick {
    /// The click to record.
    pub click: ClickRow,
    /// Its audit row (`click.create`), written in the same transaction.
    pub audit: AuditEntry,
}

/// One click waiting for the writer, and where its answer goes.
struct Job {
    pending: PendingClick,
    reply: oneshot::Sender<StoreResult<Recorded>>,
}

/// The handle of the writer task; cheap to clone. The task ends when the last handle is gone.
#[derive(Debug, Clone)]
pub struct ClickWriter {
    sender: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("click", &self.pending.click.id).finish()
    }
}

impl ClickWriter {
    /// Start the writer task on `store` (inside a tokio runtime).
    pub fn start(store: Store) -> ClickWriter {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(run(store, receiver));
        ClickWriter { sender }
    }

    /// Record `pending` and answer once it is committed.
    pub async fn record(&self, pending: PendingClick) -> StoreResult<Recorded> {
        let (reply, answer) = oneshot::channel();
        let gone = || sqlx::Error::Protocol("the click writer has stopped".to_string());
        self.sender.send(Job { pending, reply }).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

/// The writer: batches of whatever is waiting, until every handle is dropped.
async fn run(store: Store, mut receiver: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let pending: Vec<&PendingClick> = batch.iter().map(|job| &job.pending).collect();
        match write_together(&store, &pending).await {
            Ok(results) => {
                for (job, result) in batch.drain(..).zip(results) {
                    let _ = job.reply.send(Ok(result));
                }
            }
            Err(error) => {
                tracing::warn!(error = %error, clicks = batch.len(), "a batch of clicks failed; writing each alone");
                for job in batch.drain(..) {
                    let result = write_together(&store, &[&job.pending]).await;
                    let _ = job.reply.send(result.map(|mut one| one.remove(0)));
                }
            }
        }
    }
}

/// Record `clicks` and their audit rows in one transaction; the outcomes in order.
async fn write_together(store: &Store, clicks: &[&PendingClick]) -> StoreResult<Vec<Recorded>> {
    let mut tx = store.begin().await?;
    let mut results = Vec::with_capacity(clicks.len());
    for pending in clicks {
        let result = tx.record_click(&pending.click).await?;
        let mut entry = pending.audit.clone();
        entry.outcome = match result {
            Recorded::Created(_) => "success",
            Recorded::Existing(_) => "repeated",
            Recorded::Conflict => "conflict",
        }
        .to_string();
        tx.audit(&entry).await?;
        results.push(result);
    }
    tx.commit().await?;
    Ok(results)
}
