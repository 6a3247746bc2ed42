//! The server's command-line arguments (`bsmart serve`, `bsmart admin …`), declared here
//! beside the code that runs them so the server never reaches up into the entry point; the
//! entry point (`crate::cli`) embeds them as its subcommands.

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;

use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Args, Subcommand};

/// `bsmart serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// SQLite database file (created if missing; default bsmart.db). Keep it on an encrypted
    /// volume. With --demo: keep the demo in this file, seeded only when it is new, so a
    /// restart keeps its data and sessions (without it, --demo uses a temporary database).
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8480")]
    pub bind: SocketAddr,
    /// Serve demo data (a new, temporary database unless --db names one); binds to loopback only.
    #[arg(long)]
    pub demo: bool,
    /// Seed of the demo data.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// Multiply the demo data (100: about a million clicks and 100,000 incidents).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub scale: u32,
    /// Leave the sign-in limiter off, so a fuzzer reaches the handlers (demo servers only).
    #[arg(long, requires = "demo")]
    pub no_rate_limit: bool,
    /// File holding the 32-byte server key that seals TOTP secrets and keys the HMAC under which
    /// emails with no account are counted (hex). The environment
    /// variable BSMART_SERVER_KEY_FILE names it too. Created with mode 0600 if missing.
    #[arg(long)]
    pub key_file: Option<PathBuf>,
}

/// `bsmart admin …`.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Check the audit log's hash chain; exits non-zero naming the first broken row. On success
    /// prints the chain's head, `ROW:HASH`, to keep off the server as a later `--anchor`.
    VerifyAudit {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// A head printed by an earlier check: fails unless row ROW is still in the log with
        /// chain hash HASH (catches a log rewritten and re-chained, or cut short).
        #[arg(long, value_name = "ROW:HASH", value_parser = AnchorParser, allow_hyphen_values = true)]
        anchor: Option<AuditAnchor>,
    },
    /// Create an admin account with a generated temporary password, shown once.
    CreateAdmin {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The admin's work email.
        #[arg(long)]
        email: String,
        /// The admin's name as others see it.
        #[arg(long)]
        name: String,
    },
    /// Unlock an account locked after failed sign-ins (audited).
    Unlock {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The account's email.
        #[arg(long)]
        email: String,
        /// The server key file, as for `serve` (default: BSMART_SERVER_KEY_FILE, else the
        /// database's name plus `.key`). Needed only to clear the failures of an email with no
        /// account, which are counted under that key; it is never created here.
        #[arg(long)]
        key_file: Option<PathBuf>,
    },
    /// Copy the database while the server runs (consistent, mode 0600, never over an existing
    /// file), then check the copy: integrity and the whole audit chain.
    Backup {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The new backup file.
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the database by a backup whose audit chain verifies (stop the server first).
    Restore {
        /// The backup file.
        #[arg(long)]
        from: PathBuf,
        /// The database file to restore.
        #[arg(long)]
        db: PathBuf,
        /// Replace an existing database (kept as DB.before-restore).
        #[arg(long)]
        force: bool,
    },
    /// Apply the retention periods of the privacy policy (individuals 75 years, inactive
    /// accounts and drafts 7 years after the last interaction); prints counts only.
    Retention {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// Print what is due without deleting anything.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write every record about one individual to a JSON file (a subject access request;
    /// mode 0600, never over an existing file; audited).
    SubjectAccess {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The individual's id.
        #[arg(long, value_parser = clap::value_parser!(i64).range(1..))]
        individual: i64,
        /// The new JSON file.
        #[arg(long)]
        to: PathBuf,
    },
    /// Report keys for `bsmart report` from cron (SECURITY.md rule 44): issue, list, revoke.
    #[command(subcommand)]
    ReportKey(ReportKeyCommand),
}

/// `bsmart admin report-key …`.
#[derive(Debug, Subcommand)]
pub enum ReportKeyCommand {
    /// Issue a key to a member of staff (shown once; stored as a hash; audited).
    Issue {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The member of staff's email: the key reads only the reports they may read.
        #[arg(long)]
        email: String,
        /// What it is for, e.g. "governors' termly return".
        #[arg(long)]
        label: String,
        /// Days until it expires, at most 366.
        #[arg(long, default_value_t = 365)]
        days: i64,
    },
    /// List every key: id, whose, what for, expiry, last use (never the key).
    List {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
    },
    /// Revoke a key now (audited).
    Revoke {
        /// The database file.
        #[arg(long)]
        db: PathBuf,
        /// The key's id, as `list` shows it.
        #[arg(long)]
        id: i64,
    },
}

/// An audit-chain anchor, `ROW:HASH`: a row id and the chain hash `verify-audit` printed for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditAnchor {
    /// The row id, 1 or more.
    pub row: i64,
    /// The row's chain hash: 64 hex digits, lower-cased.
    pub hash: String,
}

impl FromStr for AuditAnchor {
    type Err = &'static str;

    fn from_str(text: &str) -> Result<AuditAnchor, Self::Err> {
        let (row, hash) = text
            .split_once(':')
            .ok_or("give ROW:HASH as verify-audit printed it after 'head'")?;
        let row = match row.parse::<i64>() {
            Ok(id) if id >= 1 && row.bytes().all(|b| b.is_ascii_digit()) => id,
            _ => return Err("ROW must be a row id, a whole number from 1"),
        };
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err("HASH must be 64 hex digits");
        }
        Ok(AuditAnchor {
            row,
            hash: hash.to_ascii_lowercase(),
        })
    }
}

/// Most characters of a bad `--anchor` shown back in the error.
const SHOWN_ANCHOR_CHARS: usize = 80;

/// Parses `--anchor`. Unlike clap's own parsers, which echo a bad value as typed, its error shows
/// the value escaped to printable ASCII and cut short, so pasted text cannot drive the terminal.
#[derive(Debug, Clone, Copy)]
struct AnchorParser;

impl TypedValueParser for AnchorParser {
    type Value = AuditAnchor;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<AuditAnchor, clap::Error> {
        let text = value.to_string_lossy();
        text.parse().map_err(|reason| {
            let shown: String = text.chars().take(SHOWN_ANCHOR_CHARS).collect();
            let cut = if text.chars().nth(SHOWN_ANCHOR_CHARS).is_some() {
                "…"
            } else {
                ""
            };
            cmd.clone().error(
                ErrorKind::ValueValidation,
                format!(
                    "invalid value '{}{cut}' for '--anchor <ROW:HASH>': {reason}",
                    shown.escape_default()
                ),
            )
        })
    }
}
