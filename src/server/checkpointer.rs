//! The WAL checkpointer.
//!
//! By default SQLite checkpoints inside whichever commit pushes the WAL past 1,000 pages: that
//! commit copies the WAL back into the main file and fsyncs it before it returns, so every few
//! hundred clicks one key press waited for the whole copy. The server's store turns that off
//! ([`Store::open`] sets `wal_autocheckpoint=0`) and this task checkpoints beside the writers
//! instead, with `PASSIVE` checkpoints, which never take the write lock and never wait for a
//! reader: a commit only appends to the WAL and fsyncs it.
//!
//! The WAL cannot grow without bound while the server runs: a checkpoint runs every
//! [`INTERVAL`], and SQLite starts the WAL again from its beginning once a checkpoint has
//! copied all of it. A server killed between checkpoints loses nothing: the WAL is the
//! committed data, and the next open replays it.
//!
//! The same task loads the store's report index as the server starts (so the first report is
//! as quick as the next) and, on each tick, empties the index's change log of what the index
//! has applied once that is long ([`Store::prune_report_changes`]): bookkeeping beside the
//! writers, like the checkpoint.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::oneshot;

use super::store::Store;

/// Time between two checkpoints.
pub const INTERVAL: Duration = Duration::from_millis(500);

/// The handle of the checkpointer task; cheap to clone. The task ends when the last handle is
/// gone.
#[derive(Debug, Clone)]
pub struct Checkpointer {
    _running: Arc<oneshot::Sender<()>>,
}

impl Checkpointer {
    /// Start checkpointing `store` every [`INTERVAL`] (inside a tokio runtime).
    pub fn start(store: Store) -> Checkpointer {
        let (running, mut stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            if let Err(e) = store.warm_reports().await {
                tracing::warn!(error = %e, "the report index did not load; the first report loads it");
            }
            let mut ticks = tokio::time::interval(INTERVAL);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = &mut stopped => break,
                    _ = ticks.tick() => {
                        if let Err(e) = store.checkpoint().await {
                            tracing::warn!(error = %e, "WAL checkpoint failed; the next one tries again");
                        }
                        if let Err(e) = store.prune_report_changes().await {
                            tracing::warn!(error = %e, "the report change log was not emptied; the next tick tries again");
                        }
                    }
                }
            }
        });
        Checkpointer {
            _running: Arc::new(running),
        }
    }
}
