//! The audit log: append-only (database triggers refuse UPDATE and DELETE) and hash-chained.
//!
//! Each row's `hash` is the SHA-256 (hex) of the previous row's hash followed by each field of
//! the row, every field prefixed by its length so that no two different rows hash alike. The
//! first row chains to [`GENESIS_HASH`]. [`verify_chain`] recomputes the chain and names the
//! first row that does not match, which `bsmart admin verify-audit` reports.
//!
//! The chain alone cannot catch someone who can write the database: they can change a row and
//! recompute every later hash, or cut rows off the end, and the chain is whole again. So a
//! verify reports the chain's head ([`ChainHead`], `ID:HASH`) for the admin to keep off the box,
//! and a later verify given that head as an anchor proves the row is still there with the same
//! hash, which it cannot be after such a rewrite (SHA-256 being collision-resistant).
//!
//! Fields are cleaned before they are stored: control characters are escaped (`\n` becomes the
//! two characters `\n`, others `\u{…}`), so a row is always one line, and every field is cut to
//! a bound, so a 10,000-character email cannot bloat the log. Nothing secret is ever recorded:
//! no password, code or token (a session appears only as a short prefix of its hash), and an
//! email with no account is recorded as a prefix of its hash, so a password typed into the
//! email field does not end up in the log.

use std::fmt;
use std::net::SocketAddr;

use sha2::{Digest, Sha256};
use sqlx::FromRow;

use super::store::{Store, StoreResult};

/// `prev_hash` of the first row.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Most characters kept of the actor, target and client address.
const MAX_FIELD_CHARS: usize = 200;
/// Most characters kept of the detail.
const MAX_DETAIL_CHARS: usize = 500;

/// A row to append, with cleaned fields (build it with [`AuditEntry::new`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Unix seconds, UTC.
    pub at: i64,
    /// The acting user, when known.
    pub actor_id: Option<i64>,
    /// Who acted (email, `cli`, or `unknown:<hash prefix>`).
    pub actor: String,
    /// What happened, e.g. `login.password`.
    pub action: String,
    /// What it happened to.
    pub target: String,
    /// The client's address.
    pub client_addr: String,
    /// `success`, `failure`, `locked`, `denied`, …
    pub outcome: String,
    /// Extra facts (never a secret).
    pub detail: String,
}

impl AuditEntry {
    /// A row with every free-text field escaped and cut to its bound.
    pub fn new(at: i64, actor_id: Option<i64>, actor: &str, action: &str, outcome: &str) -> AuditEntry {
        AuditEntry {
            at,
            actor_id,
            actor: clean(actor, MAX_FIELD_CHARS),
            action: clean(action, MAX_FIELD_CHARS),
            target: String::new(),
            client_addr: String::new(),
            outcome: clean(outcome, MAX_FIELD_CHARS),
            detail: String::new(),
        }
    }

    /// Set the target.
    pub fn target(mut self, target: &str) -> AuditEntry {
        self.target = clean(target, MAX_FIELD_CHARS);
        self
    }

    /// Set the client address.
    pub fn client(mut self, addr: Option<SocketAddr>) -> AuditEntry {
        self.client_addr = addr.map(|a| a.ip().to_string()).unwrap_or_default();
        self
    }

    /// Set the detail.
    pub fn detail(mut self, detail: &str) -> AuditEntry {
        self.detail = clean(detail, MAX_DETAIL_CHARS);
        self
    }
}

/// A stored row.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct AuditRow {
    /// Row id.
    pub id: i64,
    /// Unix seconds, UTC.
    pub at: i64,
    /// Acting user id.
    pub actor_id: Option<i64>,
    /// Actor.
    pub actor: String,
    /// Action.
    pub action: String,
    /// Target.
    pub target: String,
    /// Client address.
    pub client_addr: String,
    /// Outcome.
    pub outcome: String,
    /// Detail.
    pub detail: String,
    /// Hash of the previous row.
    pub prev_hash: String,
    /// This row's hash.
    pub hash: String,
}

impl AuditRow {
    /// The row's fields as hashed by [`chain_hash`].
    pub fn entry(&self) -> AuditEntry {
        AuditEntry {
            at: self.at,
            actor_id: self.actor_id,
            actor: self.actor.clone(),
            action: self.action.clone(),
            target: self.target.clone(),
            client_addr: self.client_addr.clone(),
            outcome: self.outcome.clone(),
            detail: self.detail.clone(),
        }
    }
}

/// Escape control characters and cut to `max_chars` characters (marking the cut with `…`).
pub fn clean(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    for (count, c) in text.chars().enumerate() {
        if count >= max_chars {
            out.push('…');
            break;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') => {
                out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
            }
            c => out.push(c),
        }
    }
    out
}

/// The chained hash of `entry` after a row whose hash is `prev_hash`.
pub fn chain_hash(prev_hash: &str, entry: &AuditEntry) -> String {
    let mut hasher = Sha256::new();
    let actor_id = entry.actor_id.map(|id| id.to_string()).unwrap_or_default();
    let at = entry.at.to_string();
    for field in [
        prev_hash,
        &at,
        &actor_id,
        &entry.actor,
        &entry.action,
        &entry.target,
        &entry.client_addr,
        &entry.outcome,
        &entry.detail,
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// A row id and its chain hash, written `ID:HASH`: the head a verify reports, kept elsewhere by
/// an admin and given back to a later verify as an anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    /// The row's id.
    pub id: i64,
    /// The row's chain hash (64 lowercase hex digits).
    pub hash: String,
}

impl fmt::Display for ChainHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.id, self.hash)
    }
}

/// What a whole chain holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainSummary {
    /// How many rows were checked.
    pub rows: u64,
    /// The last row, or `None` when the log is empty.
    pub head: Option<ChainHead>,
}

/// The first row that breaks the chain, or the anchor it does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// A row does not match.
    #[error("audit row {id} is broken: {reason}")]
    BrokenRow {
        /// The row's id.
        id: i64,
        /// What does not match.
        reason: String,
    },
    /// The anchor's row is not in the log.
    #[error(
        "audit row {id}, the anchor, is not in the log: the log was cut short, or the row removed and the chain \
         recomputed"
    )]
    AnchorMissing {
        /// The anchor's row id.
        id: i64,
    },
    /// The anchor's row has another hash.
    #[error(
        "audit row {id} does not have the anchor's hash: the log up to that row was rewritten and the chain \
         recomputed"
    )]
    AnchorMismatch {
        /// The anchor's row id.
        id: i64,
    },
    /// The database could not be read.
    #[error("the audit log could not be read: {0}")]
    Unreadable(String),
}

/// Recompute the whole chain and, given an anchor, check that its row is in the chain with its
/// hash; answers the number of rows and the head, or the first broken row, or the anchor's row.
pub async fn verify_chain(store: &Store, anchor: Option<&ChainHead>) -> Result<ChainSummary, ChainError> {
    let mut head: Option<ChainHead> = None;
    let mut checked = 0u64;
    let mut anchor_found = false;
    loop {
        let after = head.as_ref().map_or(0, |h| h.id);
        let rows: StoreResult<Vec<AuditRow>> = store.audit_rows_after(after, 1000).await;
        let rows = rows.map_err(|e| ChainError::Unreadable(e.to_string()))?;
        if rows.is_empty() {
            return match anchor {
                Some(anchor) if !anchor_found => Err(ChainError::AnchorMissing { id: anchor.id }),
                _ => Ok(ChainSummary { rows: checked, head }),
            };
        }
        for row in rows {
            let prev = head.as_ref().map_or(GENESIS_HASH, |h| h.hash.as_str());
            if row.prev_hash != prev {
                return Err(ChainError::BrokenRow {
                    id: row.id,
                    reason: "its prev_hash is not the hash of the row before it (a row was removed, inserted or \
                             changed)"
                        .to_string(),
                });
            }
            if chain_hash(prev, &row.entry()) != row.hash {
                return Err(ChainError::BrokenRow {
                    id: row.id,
                    reason: "its contents do not match its hash (the row was changed)".to_string(),
                });
            }
            if let Some(anchor) = anchor.filter(|a| a.id == row.id) {
                if anchor.hash != row.hash {
                    return Err(ChainError::AnchorMismatch { id: row.id });
                }
                anchor_found = true;
            }
            head = Some(ChainHead {
                id: row.id,
                hash: row.hash,
            });
            checked += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_escapes_controls_and_truncates() {
        assert_eq!(clean("a\nb\r\x1b[2J\u{202E}", 100), "a\\nb\\r\\u{1b}[2J\\u{202e}");
        let long = "x".repeat(10_000);
        let cleaned = clean(&long, MAX_FIELD_CHARS);
        assert_eq!(cleaned.chars().count(), MAX_FIELD_CHARS + 1);
        assert!(!clean("\u{0}\u{85}", 10).chars().any(char::is_control));
    }

    #[test]
    fn hash_depends_on_every_field_and_on_field_boundaries() {
        let a = AuditEntry::new(1, Some(2), "ab", "c", "ok");
        let b = AuditEntry::new(1, Some(2), "a", "bc", "ok");
        assert_ne!(chain_hash(GENESIS_HASH, &a), chain_hash(GENESIS_HASH, &b));
        assert_ne!(chain_hash(GENESIS_HASH, &a), chain_hash(&"1".repeat(64), &a));
        assert_eq!(chain_hash(GENESIS_HASH, &a), chain_hash(GENESIS_HASH, &a.clone()));
    }

    #[tokio::test]
    async fn verify_chain_names_the_first_tampered_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.db");
        let store = Store::open(&path, true).await.unwrap();
        assert_eq!(verify_chain(&store, None).await.map(|s| s.rows), Ok(0));
        for i in 0..5 {
            let entry = AuditEntry::new(1_700_000_000 + i, None, "cli", "test.event", "success").detail("x");
            store.append_audit(&entry).await.unwrap();
        }
        assert_eq!(verify_chain(&store, None).await.map(|s| s.rows), Ok(5));
        store.close().await.unwrap();

        // An attacker with the file drops the trigger and edits rows 3 and 4.
        let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        assert!(
            sqlx::query("UPDATE audit_log SET outcome = 'failure' WHERE id = 3")
                .execute(&raw)
                .await
                .is_err()
        );
        sqlx::query("DROP TRIGGER audit_log_no_update")
            .execute(&raw)
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET outcome = 'failure' WHERE id IN (3, 4)")
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;

        let store = Store::open(&path, false).await.unwrap();
        match verify_chain(&store, None).await {
            Err(ChainError::BrokenRow { id, .. }) => assert_eq!(id, 3),
            other => panic!("expected row 3 to be broken, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn verify_chain_reports_the_head_and_checks_an_anchor() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("audit.db"), true).await.unwrap();
        let anchor = ChainHead {
            id: 1,
            hash: "a".repeat(64),
        };
        assert_eq!(
            verify_chain(&store, Some(&anchor)).await,
            Err(ChainError::AnchorMissing { id: 1 })
        );
        for i in 0..3 {
            store
                .append_audit(&AuditEntry::new(i, None, "cli", "test.event", "success"))
                .await
                .unwrap();
        }
        let summary = verify_chain(&store, None).await.unwrap();
        let head = summary.head.unwrap();
        assert_eq!((summary.rows, head.id, head.hash.len()), (3, 3, 64));
        assert_eq!(head.to_string(), format!("3:{}", head.hash));
        assert!(verify_chain(&store, Some(&head)).await.is_ok());
        let rewritten = ChainHead { id: 2, ..anchor };
        assert_eq!(
            verify_chain(&store, Some(&rewritten)).await,
            Err(ChainError::AnchorMismatch { id: 2 })
        );
        let beyond = ChainHead { id: 4, ..head };
        assert_eq!(
            verify_chain(&store, Some(&beyond)).await,
            Err(ChainError::AnchorMissing { id: 4 })
        );
    }

    #[tokio::test]
    async fn verify_chain_detects_a_deleted_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.db");
        let store = Store::open(&path, true).await.unwrap();
        for i in 0..4 {
            store
                .append_audit(&AuditEntry::new(i, None, "cli", "test.event", "success"))
                .await
                .unwrap();
        }
        store.close().await.unwrap();
        let raw = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query("DROP TRIGGER audit_log_no_delete")
            .execute(&raw)
            .await
            .unwrap();
        sqlx::query("DELETE FROM audit_log WHERE id = 2")
            .execute(&raw)
            .await
            .unwrap();
        raw.close().await;
        let store = Store::open(&path, false).await.unwrap();
        assert!(matches!(
            verify_chain(&store, None).await,
            Err(ChainError::BrokenRow { id: 3, .. })
        ));
    }
}
