//! `bsmart admin backup` and `bsmart admin restore`.
//!
//! A backup is `VACUUM INTO` a new file made 0600 beforehand (a file that exists is refused):
//! one read transaction, so the copy is consistent while the server goes on writing, and it
//! needs no pause of the server. The copy is then opened on its own and checked: it is a
//! bsmart database, `PRAGMA integrity_check` answers ok, and its audit chain verifies
//! (`server::audit::verify_chain`, as `verify-audit`); a copy that fails is deleted and the
//! command fails.
//!
//! A restore checks the backup the same way and refuses one that fails (a broken chain, a
//! foreign or damaged file); it refuses to replace an existing database unless `--force`, and
//! then keeps the old one (with its WAL) as `PATH.before-restore`, mode 0600. The restored
//! database is migrated to this version and records `admin.restore` in its own audit log. Stop
//! the server before a restore: a running server would go on writing to the replaced file.

use std::fmt;
use std::path::Path;

use super::super::audit::{AuditEntry, ChainHead, verify_chain};
use super::super::clock::{Clock, SystemClock};
use super::super::store::Store;
use super::{ACTOR, create_private, db_error, open_existing, thousands, with_suffix};

/// A database file checked whole: how many audit rows its chain holds, and its head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// Audit rows checked.
    pub rows: u64,
    /// The chain's last row (`None`: an empty log).
    pub head: Option<ChainHead>,
}

impl Verified {
    /// "12,345 audit rows, chain verified up to row 12,345, head HASH".
    fn describe(&self) -> String {
        match &self.head {
            Some(head) => format!(
                "{} audit rows, chain verified up to row {}, head {}",
                thousands(self.rows),
                thousands(head.id as u64),
                head.hash
            ),
            None => "0 audit rows (an empty log)".to_string(),
        }
    }
}

/// Check the database file at `path` (which nothing else writes): a bsmart database, intact,
/// its audit chain whole.
pub async fn verify_file(path: &Path) -> Result<Verified, String> {
    let store = Store::open_snapshot(path).await.map_err(|e| db_error(path, &e))?;
    let result = async {
        if let Some(problem) = store.check_bsmart_database().await.map_err(|e| db_error(path, &e))? {
            return Err(problem);
        }
        let summary = verify_chain(&store, None)
            .await
            .map_err(|e| format!("its audit chain does not verify: {e}"))?;
        Ok(Verified {
            rows: summary.rows,
            head: summary.head,
        })
    }
    .await;
    store.close_snapshot().await;
    result
}

/// Copy the database `store` into the new file `to` (0600) and check the copy; a copy that
/// fails its check is deleted.
async fn copy_into(store: &Store, from: &Path, to: &Path, what: &str) -> Result<Verified, String> {
    drop(create_private(to, what)?);
    let checked = match store.vacuum_into(to).await {
        Ok(()) => verify_file(to)
            .await
            .map_err(|e| format!("the copy in {} failed its check and was deleted: {e}", to.display())),
        Err(e) => Err(db_error(from, &e)),
    };
    if checked.is_err() {
        let _ = std::fs::remove_file(to);
    }
    checked
}

/// What a backup did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackedUp {
    /// The copy's path, as given.
    pub to: String,
    /// The copy's check.
    pub verified: Verified,
}

impl fmt::Display for BackedUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Backed up to {}: {}.", self.to, self.verified.describe())
    }
}

/// `bsmart admin backup --db DB --to TO`.
pub async fn backup(db: &Path, to: &Path) -> Result<BackedUp, String> {
    if !db.is_file() {
        return Err(format!(
            "there is no database at {} (check the path given to --db)",
            db.display()
        ));
    }
    if to.exists() {
        return Err(format!(
            "{} already exists: name a new file for the backup (nothing is ever overwritten)",
            to.display()
        ));
    }
    let store = Store::open_read_only(db).await.map_err(|e| db_error(db, &e))?;
    let copied = copy_into(&store, db, to, "backup").await;
    store.close_snapshot().await;
    Ok(BackedUp {
        to: to.display().to_string(),
        verified: copied?,
    })
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    /// The database restored, as given.
    pub db: String,
    /// The backup's check.
    pub verified: Verified,
    /// Where the database it replaced was kept.
    pub kept: Option<String>,
}

impl fmt::Display for Restored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Restored {} from a backup of {}.", self.db, self.verified.describe())?;
        if let Some(kept) = &self.kept {
            write!(f, " The database it replaced is kept as {kept}.")?;
        }
        write!(f, " Start the server on it again.")
    }
}

/// `bsmart admin restore --from FROM --db DB [--force]`.
pub async fn restore(from: &Path, db: &Path, force: bool) -> Result<Restored, String> {
    if !from.is_file() {
        return Err(format!(
            "there is no backup at {} (check the path given to --from)",
            from.display()
        ));
    }
    let verified = verify_file(from)
        .await
        .map_err(|e| format!("{} is refused: {e}", from.display()))?;
    let kept = with_suffix(db, ".before-restore");
    let replacing = db.exists();
    if replacing && !force {
        return Err(format!(
            "{} already exists: stop the server, then run again with --force to replace it (it is then kept as {})",
            db.display(),
            kept.display()
        ));
    }
    if replacing && kept.exists() {
        return Err(format!(
            "{} already exists from an earlier restore: move it somewhere safe first",
            kept.display()
        ));
    }
    // The new copy is made and checked beside the database before anything is moved.
    let incoming = with_suffix(db, ".restoring");
    let source = Store::open_snapshot(from).await.map_err(|e| db_error(from, &e))?;
    let copied = copy_into(&source, from, &incoming, "restore").await;
    source.close_snapshot().await;
    copied?;
    if replacing {
        keep_aside(db, &kept)?;
    }
    std::fs::rename(&incoming, db).map_err(|e| format!("cannot move the restored copy to {}: {e}", db.display()))?;
    let store = open_existing(db).await?;
    let detail = format!(
        "restored from a backup of {}{}",
        verified.describe(),
        if replacing {
            "; the database replaced is kept as .before-restore"
        } else {
            ""
        }
    );
    let entry = AuditEntry::new(SystemClock.now().timestamp(), None, ACTOR, "admin.restore", "success")
        .target("database")
        .detail(&detail);
    store.append_audit(&entry).await.map_err(|e| db_error(db, &e))?;
    store.close().await.map_err(|e| db_error(db, &e))?;
    Ok(Restored {
        db: db.display().to_string(),
        verified,
        kept: replacing.then(|| kept.display().to_string()),
    })
}

/// Move the database `db` and its WAL files to `kept` (same suffixes, so the WAL still pairs
/// with its database), mode 0600.
fn keep_aside(db: &Path, kept: &Path) -> Result<(), String> {
    for suffix in ["", "-wal", "-shm"] {
        let (from, to) = (with_suffix(db, suffix), with_suffix(kept, suffix));
        if suffix.is_empty() || from.exists() {
            std::fs::rename(&from, &to)
                .map_err(|e| format!("cannot keep {} as {}: {e}", from.display(), to.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| format!("cannot make {} private (0600): {e}", to.display()))?;
            }
        }
    }
    Ok(())
}
