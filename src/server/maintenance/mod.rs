//! `bsmart admin backup / restore / retention / subject-access`: the work behind them, run on
//! the database file by an admin at the server's shell (the server itself exposes none of it).
//!
//! - [`backup`]: a consistent online copy (`VACUUM INTO`) verified by opening it and checking
//!   its audit chain, and a restore that refuses a broken or foreign file.
//! - [`retention`]: the privacy policy's retention periods (9.6), applied in one audited
//!   transaction.
//! - [`subject_access`]: every record about one individual as one JSON file (policy 11.1 and
//!   11.5).
//!
//! What they print holds counts, row ids and hashes only: no pupil's or staff member's name
//! reaches the terminal (the subject-access file is the one place names go). Files they write
//! are created with mode 0600 and never overwrite anything.

pub mod backup;
pub mod retention;
pub mod subject_access;

use std::fs::File;
use std::path::{Path, PathBuf};

use super::store::Store;

/// Who the audit rows of these commands name as the actor.
const ACTOR: &str = "cli";

/// Create `path` for writing with mode 0600, refusing one that exists (`what` names the file
/// in the message).
fn create_private(path: &Path, what: &str) -> Result<File, String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::AlreadyExists => format!(
            "{} already exists: name a new file for the {what} (nothing is ever overwritten)",
            path.display()
        ),
        std::io::ErrorKind::NotFound => format!(
            "cannot create {}: its folder does not exist (create it first, or name another path)",
            path.display()
        ),
        _ => format!("cannot create {}: {e}", path.display()),
    })
}

/// A database error as a sentence that says what to do.
fn db_error(path: &Path, error: &sqlx::Error) -> String {
    let text = error.to_string();
    if text.contains("database is locked") || text.contains("database is busy") {
        format!(
            "{} is locked by another process (a long write, or a second copy of this command): try again in a \
             minute, or stop the server first",
            path.display()
        )
    } else if text.contains("file is not a database") {
        format!("{} is not a bsmart database (not even an SQLite file)", path.display())
    } else {
        format!("{}: {text}", path.display())
    }
}

/// Open the existing database at `db` for changes (applying any migration it lacks), or say
/// there is none.
async fn open_existing(db: &Path) -> Result<Store, String> {
    if !db.is_file() {
        return Err(format!(
            "there is no database at {} (check the path given to --db)",
            db.display()
        ));
    }
    Store::open(db, false).await.map_err(|e| db_error(db, &e))
}

/// `n` with thousands separators: 12,345.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `path` with `suffix` added to its file name (`bsmart.db` → `bsmart.db.before-restore`).
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_groups_digits_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(12_345), "12,345");
        assert_eq!(thousands(1_234_567), "1,234,567");
    }

    #[test]
    fn create_private_is_0600_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        create_private(&path, "backup").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        let again = create_private(&path, "backup").unwrap_err();
        assert!(again.contains("already exists"), "{again}");
        let nowhere = create_private(&dir.path().join("no/such/folder"), "backup").unwrap_err();
        assert!(nowhere.contains("folder does not exist"), "{nowhere}");
    }
}
